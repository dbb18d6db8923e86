"""The colour mode set once, before first paint, instead of again by two effects after hydration.

The store's theme is light only (rxconfig.py). Reflex's head script puts `light` on <html> before the first paint,
but the prerendered Radix root has no `light` class: two effects add it after hydration (Reflex's
RadixThemesColorModeProvider on the root, its ThemeProvider on <html>, each removing "light" and "dark" and adding
the resolved mode back). A class that changes on the root, or on <html>, sends the browser into a style
recalculation of the whole page, about 30 ms of main thread on the catalog after it has painted: blocking time.

So the prerendered root carries `light` already (`mark_light_root`, over the built pages), and both effects touch the
class list only when it is not already what they would leave (`guard_*`, on Reflex's compiled files). A shopper
whose saved mode differs still gets it: the guard is "already right", not "never".
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

PROVIDER = "components/reflex/radix_themes_color_mode_provider.js"
THEME_PROVIDER = "utils/react-theme.js"

# Whether an element's classes already are what the effect would leave: the resolved mode and not the other one.
_ALREADY = ('{0}.classList.contains(resolvedTheme) &&\n'
            '        !{0}.classList.contains(resolvedTheme === "light" ? "dark" : "light")')
_PROVIDER_FROM = """    if (radixRoot) {
      radixRoot.classList.remove("light", "dark");
      radixRoot.classList.add(resolvedTheme);
    }"""
_PROVIDER_TO = """    if (radixRoot && !(%s)) {
      radixRoot.classList.remove("light", "dark");
      radixRoot.classList.add(resolvedTheme);
    }""" % _ALREADY.format("radixRoot")
_THEME_FROM = """    root.classList.remove("light", "dark");
    root.classList.add(resolvedTheme);
    root.style.colorScheme = resolvedTheme;"""
_THEME_TO = """    if (!(%s)) {
      root.classList.remove("light", "dark");
      root.classList.add(resolvedTheme);
    }
    if (root.style.colorScheme !== resolvedTheme) root.style.colorScheme = resolvedTheme;""" % _ALREADY.format("root")


def _guard(source: str, before: str, after: str, name: str) -> str:
    if after in source:
        return source  # compiled again over our own output
    if before not in source:
        log.warning("pepestore: %s is not as expected (a new Reflex?); its colour mode effect is left as it is", name)
        return source
    return source.replace(before, after, 1)


def guard_provider(source: str) -> str:
    return _guard(source, _PROVIDER_FROM, _PROVIDER_TO, PROVIDER)


def guard_theme_provider(source: str) -> str:
    return _guard(source, _THEME_FROM, _THEME_TO, THEME_PROVIDER)


_ROOT_CLASS = re.compile(r'(<div data-is-root-theme="true"[^>]*? class="radix-themes)((?: [\w-]+)*)"')


def mark_light_root(html: str) -> str:
    """The prerendered Radix root with the `light` class its effect would add after hydration."""
    def add(match: re.Match[str]) -> str:
        classes = match.group(2)
        return match.group(0) if "light" in classes.split() else f'{match.group(1)}{classes} light"'
    return _ROOT_CLASS.sub(add, html)
