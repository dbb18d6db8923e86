"""Trim Radix Themes' stylesheet (about 700 KB, every page's render-blocking CSS) to what this store can use.

Only three kinds of rules go, each decided from facts the build knows, never from guessing which component
classes a page might render (Radix builds its class names at run time, so a class list would miss some):

- colour scales the store never names: `--red-7: …` declarations and `[data-accent-color=red]` rules for a Radix
  colour that appears nowhere in the store's Python sources or compiled pages (the theme's accent and gray, and
  `gray`, are always kept; a colour chosen at run time still comes from a literal in the Python sources);
- responsive variants no page can produce (`.xs\\:rt-r-size-2`): Radix writes those classes only for a prop
  given per breakpoint (`rx.breakpoints(sm=…)`), which compiles to a literal `columns:({ ["sm"] : "2" })` in the
  pages. A variant stays if its breakpoint is used and its class belongs to a prop that some page gives per
  breakpoint (Radix's own prop definitions say which classes a prop writes; a class no definition claims stays);
- dark-theme rules, when the theme's appearance is fixed to light.

Everything else (every component, size, variant and utility class) stays, so dialogs, toasts, menus and admin
pages render as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RADIX_COLORS = frozenset({
    "gray", "mauve", "slate", "sage", "olive", "sand",
    "tomato", "red", "ruby", "crimson", "pink", "plum", "purple", "violet", "iris", "indigo", "blue", "cyan",
    "teal", "jade", "green", "grass", "brown", "orange", "sky", "mint", "lime", "yellow", "amber", "gold",
    "bronze",
})
BREAKPOINTS = frozenset({"xs", "sm", "md", "lg", "xl"})

_QUOTED_COLOR = re.compile(r"""["'](%s)["']""" % "|".join(sorted(RADIX_COLORS)))
_BREAKPOINT_KEY = re.compile(r"""["']?\b(%s)\b["']?\]?\s*:(?!\\)""" % "|".join(sorted(BREAKPOINTS)))
_COLOR_VAR = re.compile(r"^--(%s)-" % "|".join(sorted(RADIX_COLORS)))
_COLOR_ATTR = re.compile(r"""\[data-(?:accent|gray)-color=["']?([a-z]+)["']?\]""")
_BREAKPOINT_CLASS = re.compile(r"\.(%s)\\:" % "|".join(sorted(BREAKPOINTS)))
_DARK_CLASS = re.compile(r"\.dark(?:-theme)?(?![\w-])")
_RESPONSIVE_CLASS = re.compile(r"\.(?:%s)\\:(rt-r-[\w-]+)" % "|".join(sorted(BREAKPOINTS)))
# A Reflex-compiled prop whose value is an object literal: `columns:({ ["initial"] : "1", ["sm"] : "2" })`.
_OBJECT_PROP = re.compile(r"(\w+)\s*:\s*\(\{([^{}]*)\}\)")
# Radix's prop definitions: `columns:{type:"enum | string",className:"rt-r-gtc",…,responsive:!0}`.
_RADIX_PROP_DEF = re.compile(r'(\w+):\{[^{}]*?className:"(rt-r-[\w-]+)"[^{}]*?responsive:!0')
_RADIX_CLASS = re.compile(r'"(rt-r-[\w-]+)"')


def colors_named(texts: Iterable[str]) -> set[str]:
    """Radix colours written as a quoted string anywhere in these sources."""
    return {m.group(1) for text in texts for m in _QUOTED_COLOR.finditer(text)}


def breakpoints_used(texts: Iterable[str]) -> set[str]:
    """Breakpoints used as keys of a responsive value (`{["sm"] : "2"}`) in compiled pages."""
    return {m.group(1) for text in texts for m in _BREAKPOINT_KEY.finditer(text)}


def responsive_props(texts: Iterable[str]) -> set[str] | None:
    """Props given per breakpoint in compiled pages, or None if some breakpoint key is not inside such a prop (then
    which props are responsive is unknown, and every responsive class of a used breakpoint is kept)."""
    props, keys_in_props, keys = set(), 0, 0
    for text in texts:
        keys += len(_BREAKPOINT_KEY.findall(text))
        for match in _OBJECT_PROP.finditer(text):
            found = len(_BREAKPOINT_KEY.findall(match.group(2)))
            if found:
                props.add(match.group(1))
                keys_in_props += found
    return props if keys_in_props == keys else None


def radix_prop_classes(radix_sources: Iterable[str]) -> tuple[dict[str, set[str]], set[str]]:
    """From Radix Themes' own code: which `rt-r-` class each responsive prop writes, and every `rt-r-` class."""
    by_prop: dict[str, set[str]] = {}
    every: set[str] = set()
    for text in radix_sources:
        every.update(_RADIX_CLASS.findall(text))
        for match in _RADIX_PROP_DEF.finditer(text):
            by_prop.setdefault(match.group(1), set()).add(match.group(2))
    return by_prop, every


def responsive_classes_kept(props: set[str] | None, by_prop: dict[str, set[str]], every: set[str]) -> set[str] | None:
    """The `rt-r-` class stems whose responsive variants stay; None keeps them all."""
    if props is None or not every:
        return None
    claimed = set().union(*by_prop.values()) if by_prop else set()
    return {cls for prop in props for cls in by_prop.get(prop, ())} | (every - claimed)


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Top-level items of a stylesheet: (prelude, body) for a block, (statement, None) for `@import …;`."""
    items, depth, start, quote, i = [], 0, 0, None, 0
    body_start = 0
    while i < len(css):
        ch = css[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "/" and css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = len(css) if end < 0 else end + 1
        elif ch == "{":
            if depth == 0:
                body_start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                items.append((css[start:body_start].strip(), css[body_start + 1:i]))
                start = i + 1
        elif ch == ";" and depth == 0:
            items.append((css[start:i + 1].strip(), None))
            start = i + 1
        i += 1
    if css[start:].strip():
        items.append((css[start:].strip(), None))
    return items


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses, brackets and quotes."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


class Purge:
    def __init__(self, *, colors: set[str], breakpoints: set[str], drop_dark: bool,
                 responsive: set[str] | None = None, known: set[str] | None = None):
        self.colors = colors
        self.breakpoints = breakpoints
        self.drop_dark = drop_dark
        self.responsive = responsive  # None: every responsive class of a used breakpoint stays
        self.known = sorted(known or (), key=len, reverse=True)  # longest stem first: rt-r-mx before rt-r-m

    def _stem(self, cls: str) -> str | None:
        return next((stem for stem in self.known if cls == stem or cls.startswith(stem + "-")), None)

    def _responsive_kept(self, selector: str) -> bool:
        if self.responsive is None:
            return True
        for match in _RESPONSIVE_CLASS.finditer(selector):
            stem = self._stem(match.group(1))
            if stem is not None and stem not in self.responsive:
                return False
        return True

    def _keep_selector(self, selector: str) -> bool:
        if any(m.group(1) not in self.colors for m in _COLOR_ATTR.finditer(selector)):
            return False
        if any(m.group(1) not in self.breakpoints for m in _BREAKPOINT_CLASS.finditer(selector)):
            return False
        if not self._responsive_kept(selector):
            return False
        return not (self.drop_dark and _DARK_CLASS.search(selector))

    def _keep_declaration(self, declaration: str) -> bool:
        name = declaration.split(":", 1)[0].strip()
        match = _COLOR_VAR.match(name)
        return match is None or match.group(1) in self.colors

    def _style_rule(self, prelude: str, body: str) -> str:
        selectors = [s for s in _split_top(prelude, ",") if self._keep_selector(s)]
        if not selectors:
            return ""
        if "{" in body:  # nested rules (not in Radix's output today): keep the body whole
            return f"{','.join(selectors)}{{{body}}}"
        declarations = [d for d in _split_top(body, ";") if d.strip() and self._keep_declaration(d)]
        if not declarations:
            return ""
        return f"{','.join(selectors)}{{{';'.join(declarations)}}}"

    def stylesheet(self, css: str) -> str:
        out = []
        for prelude, body in _blocks(css):
            if body is None:
                out.append(prelude)
            elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
                inner = self.stylesheet(body)
                if inner:
                    out.append(f"{prelude}{{{inner}}}")
            elif prelude.startswith("@"):  # @font-face, @keyframes, @property …: kept as written
                out.append(f"{prelude}{{{body}}}")
            else:
                out.append(self._style_rule(prelude, body))
        return "".join(out)


def purge(css: str, *, colors: set[str], breakpoints: set[str], drop_dark: bool,
          responsive: set[str] | None = None, known: set[str] | None = None) -> str:
    return Purge(colors=colors, breakpoints=breakpoints, drop_dark=drop_dark, responsive=responsive,
                 known=known).stylesheet(css)
