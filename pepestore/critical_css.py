"""The CSS a page's first paint needs, inlined in the page; the whole stylesheet loaded without blocking it.

Every page waited for one global stylesheet (388 KB, 44 KB gzipped, after pepestore/css_purge.py) before its first
paint, and the browser parsed all of it and matched every element against it. Most of it styles what the
prerendered pages do not hold (dialogs, menus, the back office, states reached by clicking). At build time
(pepestore/build_plugin.py) each page gets, in a `<style>` in its `<head>`, the rules that can match its own
HTML (and the product page's early copy, which pepestore/early_product.py puts into the shell page): a rule stays
if one of its selectors names only classes, ids and attributes that the page's HTML holds (a `:where()`/`:is()` needs one
alternative that can match; pseudo-classes, `:not()`/`:has()` arguments and element names are not checked, so a rule is kept when in doubt;
`@font-face` and `@keyframes` all stay), and of its custom properties (Radix's colour scales) those that a kept
rule or the page's own styles reach through `var()`. Rules keep their order, layers and media queries, so the
cascade is the same.

The whole stylesheet still comes, without blocking the paint: `<link rel="stylesheet" media="print"
onload="this.media='all'; …">` (fetched at the lowest priority, after the first photo; applied when it arrives,
with the same rules in the same order, so nothing on screen changes; what only the live page shows, such as menus,
dialogs and toasts, uses it), and a `<noscript>` copy of the plain link for browsers without script. The inlined
`<style>` is removed as the whole stylesheet applies (`SWAP`): every rule of it is in the whole stylesheet, so the
page's computed styles stay as they are, and each later style recalculation (hydration's, a live update's) no longer
matches every inlined rule twice (the catalog's style recalculation in all, 10 unthrottled loads with
bench/page_work.py's loads: 133 -> 112 ms). React finds that link by its href when it hydrates the head and adds
no other.

The shop's prerendered pages (catalog, cart) are rewritten first, by pepestore/shop_css.py: they inline every rule
the shop's code can use and apply no stylesheet later, so this module leaves them alone (MARK).

Tried and dropped: adding the whole stylesheet only after the largest paint (from pepestore/deferred_start.py).
Lighthouse's largest paint fell by ~0.7 s, but applying the stylesheet then cost a style recalculation and layout
of ~120 ms (unthrottled) in the middle of hydration, and the product page and cart lost 6-7 performance points
to blocking time; early, that recalculation comes before or with the first paint.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pepestore.css_purge import _blocks, _split_top

MARK = 'data-critical="true"'
# The whole stylesheet's onload: applies it and drops the inlined copy in the same step (the docstring says why).
SWAP = "this.media='all';var s=document.querySelector('style[data-critical]');if(s)s.remove()"
_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_ID_ATTR = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s+[^\s=/>]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]*)?)*)\s*/?>")
_ATTR = re.compile(r"""\s([^\s=/>"']+)(?:=("[^"]*"|'[^']*'|[^\s>]*))?""")
VAR = re.compile(r"var\(\s*(--[\w-]+)")
_SEL_VALUE = re.compile(r"""\[\s*([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[^\]\s]*)\s*(?:[iIsS]\s*)?\]""")
_FUNCTIONAL = re.compile(r"(?<!\\):(?:not|where|is|has|matches|-webkit-any|-moz-any|nth-[\w-]+|host|host-context|dir|lang)\(")
_SEL_CLASS = re.compile(r"\.((?:\\.|[\w-])+)")
_SEL_ID = re.compile(r"#((?:\\.|[\w-])+)")
_SEL_ATTR = re.compile(r"\[\s*([\w-]+)")
_UNESCAPE = re.compile(r"\\(.)")
# Set on <html> by the colour-mode script before the first paint.
ALWAYS = {"light", "light-theme"}


@dataclass
class Tokens:
    classes: set[str] = field(default_factory=lambda: set(ALWAYS))
    ids: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)
    values: set[tuple[str, str]] = field(default_factory=set)  # (attribute, value) pairs
    variables: set[str] = field(default_factory=set)  # custom properties the HTML's own styles use
    any_value: set[str] = field(default_factory=set)  # attributes whose value is a placeholder, filled in later

    def add_html(self, page: str, placeholder: str | None = None) -> None:
        for match in _TAG.finditer(page):
            for name, value in _ATTR.findall(match.group(2)):
                self.attributes.add(name.lower())
                self.values.add((name.lower(), html_lib.unescape(value.strip("\"'"))))
                if placeholder and placeholder in value:
                    self.any_value.add(name.lower())
        self.variables.update(VAR.findall(page))
        for value in _CLASS_ATTR.findall(page):
            self.classes.update(html_lib.unescape(value).split())
        self.ids.update(html_lib.unescape(value) for value in _ID_ATTR.findall(page))


def _outside_functions(selector: str) -> str:
    """The selector without the arguments of functional pseudo-classes (`:where(.a, .b)` -> `:where`)."""
    out, at = [], 0
    for match in _FUNCTIONAL.finditer(selector):
        if match.start() < at:
            continue
        out.append(selector[at:match.end() - 1])
        depth, i = 0, match.end() - 1
        while i < len(selector):
            depth += {"(": 1, ")": -1}.get(selector[i], 0)
            i += 1
            if depth == 0:
                break
        at = i
    out.append(selector[at:])
    return "".join(out)


_ALTERNATIVES = re.compile(r"(?<!\\):(?:where|is|matches)\(")


def _alternatives(selector: str) -> list[str]:
    """The argument lists of the top-level `:where()`/`:is()` in the selector."""
    found, at = [], 0
    while (match := _ALTERNATIVES.search(selector, at)) is not None:
        depth, i = 1, match.end()
        while i < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[i], 0)
            i += 1
        found.append(selector[match.end():i - 1])
        at = i
    return found


def may_match(selector: str, tokens: Tokens) -> bool:
    # `.rt-Button:where(.rt-variant-ghost)`: one of the alternatives must be able to match too.
    for alternatives in _alternatives(selector):
        if not any(may_match(option.strip(), tokens) for option in _split_top(alternatives, ",")):
            return False
    outside = _outside_functions(selector)
    for name, value in _SEL_VALUE.findall(outside):  # [data-accent-color=ruby]: that exact value in the HTML
        if (name.lower(), value.strip("\"'")) not in tokens.values and name.lower() not in tokens.any_value:
            return False
    plain = re.sub(r"\[[^\]]*\]", lambda m: re.split(r"[~|^$*]?=", m.group(0))[0] + "]", outside)
    plain = re.sub(r"(?<!\\)::?[\w-]+", "", plain)  # pseudo-classes and -elements (not `.md\:x`): not checked
    unescape = lambda name: _UNESCAPE.sub(r"\1", name)  # noqa: E731
    return (all(unescape(c) in tokens.classes for c in _SEL_CLASS.findall(plain))
            and all(unescape(i) in tokens.ids for i in _SEL_ID.findall(plain))
            and all(a.lower() in tokens.attributes for a in _SEL_ATTR.findall(plain)))


def _keep_rules(css: str, rule) -> str:
    """The stylesheet with each style rule replaced by `rule(prelude, body)` (None drops it); grouping at-rules are
    walked into (and dropped once empty, except an empty `@layer` statement, which orders the layers), other at-rules
    (@font-face, @keyframes, @property …) kept as written."""
    out = []
    for prelude, body in _blocks(css):
        if body is None:
            out.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner = _keep_rules(body, rule)
            if inner or prelude.startswith("@layer") and not body.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = rule(prelude, body)
            if kept:
                out.append(kept)
    return "".join(out)


def critical(css: str, tokens: Tokens) -> str:
    # A kept rule keeps its whole selector list, as the whole stylesheet has it: a browser drops a rule one of whose
    # selectors it cannot parse, and the inlined copy must be dropped with it, or the page would change when SWAP
    # removes the copy (a few bytes more than trimming the list: +12 gzipped on the catalog).
    def rule(prelude: str, body: str) -> str | None:
        keep = any(may_match(selector.strip(), tokens) for selector in _split_top(prelude, ","))
        return f"{prelude}{{{body}}}" if keep else None

    return _keep_rules(css, rule)


def _declarations(css: str):
    """(custom property name or None, declaration text) of every declaration in the stylesheet, nested ones too."""
    for prelude, body in _blocks(css):
        if body is None:
            continue
        if prelude.startswith(("@media", "@supports", "@layer", "@container")):
            yield from _declarations(body)
        elif prelude.split(None, 1)[0].endswith("keyframes"):
            yield None, body  # declares no custom property, but uses them: a frame's var() must stay defined
        elif not prelude.startswith("@font-face"):
            for declaration in _split_top(body, ";"):
                name = declaration.split(":", 1)[0].strip()
                yield (name if name.startswith("--") else None), declaration


def used_variables(css: str, seed: set[str]) -> set[str]:
    """Custom properties reachable from the stylesheet's ordinary declarations and `seed` (the HTML's own)."""
    defined: dict[str, list[str]] = {}
    used = set(seed)
    for name, declaration in _declarations(css):
        if name is None:
            used.update(VAR.findall(declaration))
        else:
            defined.setdefault(name, []).append(declaration)
    todo = list(used)
    while todo:
        for declaration in defined.get(todo.pop(), ()):
            for name in VAR.findall(declaration):
                if name not in used:
                    used.add(name)
                    todo.append(name)
    return used


def without_unused_variables(css: str, used: set[str]) -> str:
    def rule(prelude: str, body: str) -> str | None:
        kept = [d for d in _split_top(body, ";") if d.strip()
                and not (d.strip().startswith("--") and d.split(":", 1)[0].strip() not in used)]
        return f"{prelude}{{{';'.join(kept)}}}" if kept else None

    return _keep_rules(css, rule)


def critical_for(css: str, tokens: Tokens) -> str:
    """The rules that can match the page, without the custom properties none of them (nor the page) uses."""
    rules = critical(css, tokens)
    return without_unused_variables(rules, used_variables(rules, tokens.variables))


def blocking_link(href: str) -> str:
    """The render-blocking link to a stylesheet, as Reflex writes it in every page."""
    return f'<link href="{href}" rel="stylesheet" type="text/css"/>'


def replace_link(page: str, href: str, link: str, preload: str) -> str | None:
    """The page with its blocking link to `href` replaced by `link`, and its preload of `href` by `preload`; None if
    the page does not link `href` the way Reflex writes it, or was already rewritten (it holds MARK)."""
    if MARK in page or blocking_link(href) not in page:
        return None
    page = page.replace(blocking_link(href), link, 1)
    return page.replace(f'<link as="style" href="{href}" rel="preload"/>', preload, 1)


def inline_page(page: str, href: str, css: str) -> str | None:
    """The page with `css` inlined before its link to `href`, that link made non-blocking; None as replace_link."""
    lazy = (f"<style {MARK}>{css}</style>"
            f'<link href="{href}" rel="stylesheet" type="text/css" media="print" onload="{SWAP}"/>'
            f"<noscript>{blocking_link(href)}</noscript>")
    # The early "preload" would fetch it at high priority, beside the first photo: no longer needed first.
    return replace_link(page, href, lazy, "")


def stylesheets(static_dir: Path) -> dict[str, str]:
    """Every stylesheet of the build, by the href its pages link it with."""
    return {f"/assets/{sheet.name}": sheet.read_text(encoding="utf-8")
            for sheet in (static_dir / "assets").glob("*.css")}


def inline_build(static_dir: Path, extra_html: dict[str, list[Path]] | None = None,
                 placeholder: str | None = None) -> list[tuple[str, int]]:
    """Inline each page's critical CSS; returns (page, bytes inlined) per page changed.

    `extra_html` names, per page (relative path), other HTML files whose markup ends up in it (the early product
    copies in the shell page); an attribute of theirs whose value holds `placeholder` (filled in per request, like
    the stock badge's colour) may take any value."""
    sheets = stylesheets(static_dir)
    changed = []
    for page_file in sorted(static_dir.rglob("*.html")):
        page = page_file.read_text(encoding="utf-8")
        tokens = Tokens()
        tokens.add_html(page)
        for extra in (extra_html or {}).get(str(page_file.relative_to(static_dir)), ()):
            if extra.is_file():
                tokens.add_html(extra.read_text(encoding="utf-8"), placeholder)
        for href, css in sheets.items():
            inlined_css = critical_for(css, tokens)
            rewritten = inline_page(page, href, inlined_css)
            if rewritten is not None:
                page = rewritten
                changed.append((str(page_file.relative_to(static_dir)), len(inlined_css.encode())))
        page_file.write_text(page, encoding="utf-8")
    return changed
