"""The shop's prerendered pages carry, inlined, every rule the shop's own code can use: no stylesheet comes later.

Elsewhere (pepestore/critical_css.py) a page inlines only the rules its prerendered HTML can match, and the whole
stylesheet arrives after the first paint. Applying a new sheet restyles and lays out every element of the page: on
the catalog the largest task after its first paint (~95 ms unthrottled, of 1,360 elements, plus ~25 ms to parse the
sheet), which Lighthouse's blocking time counts four times over.

The shop's pages (every route outside the back office, routes.BACK_OFFICE) need far less than the whole sheet.
Whatever they can ever show is built by the code they can ever run: the JavaScript modules of the shop's routes and
what those import (read from React Router's manifest and the modules' own imports). So at build time each shop page
inlines the rules that can match its HTML or a name in that code, and keeps no stylesheet to apply later:
- a class, id or attribute counts as present if the prerendered HTML holds it or the code holds it as a word
  (`rt-Badge`, `product-card`). Every word of the code counts, not only its string literals: telling a minified
  module's strings from its regular expressions and nested templates is a parser's job, and a word too many only
  keeps a rule too many;
- a name composed at run time counts as present if the code holds its stem: Radix's, from a prop
  (`rt-r-size` makes `rt-r-size-2` and `md:rt-r-size-2`, `rt-variant` makes `rt-variant-soft`), or the store's own
  (a word ending in `-`, or a word written right before a template's `${` or before a quote and `+`: `stock-${level}`
  and `"card-photo"+x` make every `stock-…` and `card-photo…` present);
- an attribute named in that code may take any value (`data-accent-color`, set from a prop).

Matching is by name, so the sheet is a superset of what the shop can match: ~22 KB gzipped against the whole
sheet's 38 KB. `tests/browser/test_shop_css.py` checks it the other way round: on the shop's pages in their live
states (searches, an empty and a full cart, a product page reached by a link, the checkout), every element computes
the same style with the whole stylesheet applied as without it.

The page keeps its link to the whole stylesheet, `disabled` (a disabled stylesheet is not even fetched), and its
preload, `media="not all"`: React finds both by their href when it hydrates the head and adds no other (an enabled
one would be fetched, and the link applied).
A client-side navigation into the back office, whose pages use components the shop does not, enables it
(`LEAVE_SHOP`). The inlined rules stay: every one of them is in the whole sheet, later in the document and in the
whole sheet's order, so the cascade is the whole sheet's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pepestore import routes
from pepestore.critical_css import MARK, VAR, Tokens, critical_for, replace_link, stylesheets

_MANIFEST = re.compile(r"window\.__reactRouterManifest\s*=\s*(\{.*\})\s*;?\s*$", re.S)
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'`]([^"'`]+\.js)["'`]""")
_MODULE = re.compile(r"[^\s\"'`]+\.js$")
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_STEM = re.compile(r"""([A-Za-z_][\w-]*)(?:\$\{|["'`]\s*\+)""")
_BREAKPOINT = re.compile(r"^(?:xs|sm|md|lg|xl|initial):")
# Radix's stems for classes it composes from props: `rt-r-size` + `-2`, `rt-variant` + `-soft`.
_RADIX_STEM = "rt-"
# Shorter stems (a minifier's `${e}` after `a`) would make almost every name present.
_MIN_STEM = 3

# Enables the whole stylesheet when a client-side navigation leaves the shop for the back office. React Router
# navigates with history.pushState/replaceState, and the back button fires popstate.
LEAVE_SHOP = (
    "<script data-leave-shop>(function(){{var p={prefix};function c(){{var l=location.pathname.toLowerCase();"
    "if(l===p||l.indexOf(p+'/')===0){{var s=document.querySelector('link[data-whole-sheet]');"
    "if(s)s.disabled=false}}}}['pushState','replaceState'].forEach(function(k){{var f=history[k];"
    "history[k]=function(){{var r=f.apply(this,arguments);c();return r}}}});"
    "addEventListener('popstate',c)}})();</script>"
)


class ComposedClasses(set):
    """Names (classes, ids) present in a page or its code, and the names composed from a present stem."""

    def __init__(self, names=(), stems=()):
        super().__init__(names)
        self.stems = set(stems)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        bare = _BREAKPOINT.sub("", name)
        if set.__contains__(self, name) or set.__contains__(self, bare):
            return True
        return any(bare[:end] in self.stems for end in range(_MIN_STEM, len(bare)))


def manifest(static_dir: Path) -> dict:
    for path in (static_dir / "assets").glob("manifest-*.js"):
        found = _MANIFEST.search(path.read_text(encoding="utf-8"))
        if found:
            return json.loads(found.group(1))
    raise FileNotFoundError("no React Router manifest in the build")


def is_back_office(route_path: str) -> bool:
    prefix = routes.BACK_OFFICE.strip("/")
    path = route_path.strip("/")
    return path == prefix or path.startswith(prefix + "/")


def _modules_named(entry: dict) -> list[str]:
    """Every module a manifest entry names, whatever its field (`module`, `imports`, `clientLoaderModule`, …)."""
    named = []
    for value in entry.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _MODULE.fullmatch(item):
                named.append(item)
    return named


def shop_modules(static_dir: Path) -> set[Path]:
    """The JavaScript files a shop page can ever run: React Router's entry, the root route, every route outside the
    back office, and everything they import by name, statically or dynamically. (React Router imports the routes'
    modules through a variable: those come from its manifest.) Raises if a module named is not in the build: a
    sheet built from part of the code would leave some of the shop unstyled."""
    found = manifest(static_dir)
    assets = static_dir / "assets"
    starts = _modules_named(found["entry"])
    for route in found["routes"].values():
        if route.get("id") == "root" or not is_back_office(route.get("path") or ""):
            starts += _modules_named(route)
    # The manifest's URLs carry the app's base path; the build keeps every module in assets/ under its own name.
    todo = [assets / url.rsplit("/", 1)[-1] for url in starts]
    seen: set[Path] = set()
    while todo:
        path = todo.pop().resolve()
        if path in seen:
            continue
        if not path.is_file():
            raise FileNotFoundError(f"the shop's code names {path.name}, which the build does not hold")
        seen.add(path)
        for name in _IMPORT.findall(path.read_text(encoding="utf-8", errors="replace")):
            todo.append(assets / name.rsplit("/", 1)[-1] if name.startswith("/") else path.parent / name)
    return seen


def code_tokens(texts: list[str]) -> tuple[set[str], set[str]]:
    """(words, stems) of this code: every word, and the stems names are composed from at run time (the module
    docstring says which)."""
    words, stems = set(), set()
    for text in texts:
        words.update(_WORD.findall(text))
        stems.update(stem for stem in _STEM.findall(text) if len(stem) >= _MIN_STEM)
    stems.update(word for word in words if word.endswith("-") and len(word) >= _MIN_STEM)
    stems.update(word + "-" for word in words if word.startswith(_RADIX_STEM))
    return words, stems


def shop_tokens(pages: list[str], code: list[str]) -> Tokens:
    found = Tokens()
    for page in pages:
        found.add_html(page)
    words, stems = code_tokens(code)
    found.classes = ComposedClasses(found.classes | words, stems)
    found.ids = ComposedClasses(found.ids | words, stems)
    named = {word.lower() for word in words}
    found.attributes |= named
    found.any_value |= named
    for text in code:
        found.variables.update(VAR.findall(text))
    return found


def is_shop_page(relative: str) -> bool:
    """A prerendered page of the shop. Not the shell page, which serves every client-side route, the back office's
    too (Reflex copies it to 404.html after the build), nor the product page's early-copy templates, never served
    (pepestore/early_product.py takes them into the shell)."""
    name = relative.removesuffix(".html")
    route = "/" + ("" if name == "index" else name.removesuffix("/index"))
    return (relative != "__spa-fallback.html" and not is_back_office(route)
            and route not in routes.EARLY_PRODUCT.values())


def complete_page(page: str, href: str, css: str, back_office: str) -> str | None:
    """The page with `css` inlined before its link to `href`, that link disabled; None as critical_css.replace_link."""
    kept = (f"<style {MARK}>{css}</style>"
            f'<link href="{href}" rel="stylesheet" type="text/css" disabled="" data-whole-sheet=""/>'
            + LEAVE_SHOP.format(prefix=json.dumps(back_office)))
    # Reflex's head also preloads the stylesheet. Left out, React would add it back when it hydrates, and the
    # browser would fetch the whole sheet for nothing; `media="not all"` keeps it in the page, never fetched.
    return replace_link(page, href, kept, f'<link as="style" href="{href}" rel="preload" media="not all"/>')


def complete_build(static_dir: Path) -> list[tuple[str, int]]:
    """Inline the shop's complete CSS in each shop page; returns (page, bytes inlined) per page changed."""
    sheets = stylesheets(static_dir)
    pages = {str(path.relative_to(static_dir)): path for path in sorted(static_dir.rglob("*.html"))
             if is_shop_page(str(path.relative_to(static_dir)))}
    texts = {name: path.read_text(encoding="utf-8") for name, path in pages.items()}
    code = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(shop_modules(static_dir))]
    tokens = shop_tokens(list(texts.values()), code)
    complete = {href: critical_for(css, tokens) for href, css in sheets.items()}
    changed = []
    for name, page in texts.items():
        for href, css in complete.items():
            rewritten = complete_page(page, href, css, routes.BACK_OFFICE)
            if rewritten is not None:
                page = rewritten
                changed.append((name, len(css.encode())))
        if page != texts[name]:
            pages[name].write_text(page, encoding="utf-8")
    return changed
