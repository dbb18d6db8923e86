"""A Reflex plugin that works on every compile and production build so pages paint sooner.

On every compile (`pre_compile`, development ones too):
- keeps Radix Themes' whole namespace out of the root chunk (`unbundle_plugin_namespaces`);
- guards Reflex's colour-mode effects, which otherwise restyle the whole page after hydration
  (pepestore/steady_theme.py).

After every production build:
- prerenders the light theme's class in each page, to match those guards (pepestore/steady_theme.py);
- trims Radix Themes' stylesheet, which every page waits for (pepestore/css_purge.py says what goes and why);
- inlines in each shop page every rule the shop's code can use, so no stylesheet applies after its first paint
  (pepestore/shop_css.py), and in each other page the CSS its first paint needs, the whole stylesheet loaded
  without blocking that paint (pepestore/critical_css.py);
- starts the pages' JavaScript after their first paint (pepestore/deferred_start.py): a prerendered page paints
  from its HTML and CSS alone, but its ~28 modulepreload links and their requests kept the main thread and the
  connection busy before that paint. A page that rewrite does not recognise keeps its links, fetched at low
  priority (`fetchpriority="low"`), as before.

Reflex calls `post_build` after `npm run export` and before it gzips the output, for `reflex run --env prod`
(the start script and the browser tests) and `reflex export` (deploy/topology.sh) alike. Hashed assets are cached
for a year, so one name must never stand for two contents: the trimmed file gets a new hashed name, every file
that named it is rewritten, and a rewritten asset is renamed by its new content too (and so on up to the pages).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from collections.abc import Callable
from typing import Any

from reflex_base.config import get_config
from reflex_base.plugins.base import Plugin

from pepestore import critical_css, css_purge, deferred_start, routes, shop_css, steady_theme
from pepestore.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

# What the store's own pages compile to, under .web: routes, the root, memoized page components.
COMPILED_PAGES = ("app", "app_components", "utils/components", "components")
RADIX_DIST = "node_modules/@radix-ui/themes/dist/esm"
REWRITTEN = (".html", ".js", ".json", ".css")
SELF = "\x00pepestore-self\x00"
MAX_ROUNDS = 20  # an import chain from the stylesheet up to the pages is a few files long


def _read_all(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file()]


def _theme() -> tuple[set[str], bool]:
    """The theme's accent and gray colours, and whether its appearance is fixed to light."""
    colors, light_only = {"gray"}, False
    for plugin in get_config().plugins:
        theme = getattr(plugin, "theme", None)
        if theme is None:
            continue
        for prop in ("accent_color", "gray_color"):
            value = getattr(theme, prop, None)
            value = "" if value is None else str(value).strip("\"'")
            if value:
                colors.add(value)
        appearance = getattr(theme, "appearance", None)
        light_only = appearance is not None and str(appearance).strip("\"'") == "light"
    return colors, light_only


def _hashed_name(path: Path, content: bytes) -> str:
    stem = path.stem.rsplit("-", 1)[0] if "-" in path.stem else path.stem
    return f"{stem}-{hashlib.sha256(content).hexdigest()[:10]}{path.suffix}"


def purge_build(static_dir: Path, web_dir: Path, sources: list[Path]) -> list[tuple[str, int, int]]:
    """Trim every Radix stylesheet of the build in `static_dir`; returns (new name, bytes before, bytes after)."""
    pages = _read_all([p for d in COMPILED_PAGES for p in (web_dir / d).rglob("*.js*")])
    radix = _read_all(sorted((web_dir / RADIX_DIST).rglob("*.js")))
    theme_colors, light_only = _theme()
    colors = theme_colors | css_purge.colors_named(_read_all(sources) + pages)
    by_prop, every = css_purge.radix_prop_classes(radix)
    responsive = css_purge.responsive_classes_kept(css_purge.responsive_props(pages), by_prop, every)
    trimmed = []
    for sheet in sorted((static_dir / "assets").glob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        if ".radix-themes" not in css:
            continue
        out = css_purge.purge(css, colors=colors, breakpoints=css_purge.breakpoints_used(pages),
                              drop_dark=light_only, responsive=responsive, known=every).encode()
        name = _hashed_name(sheet, out)
        (sheet.parent / name).write_bytes(out)
        try:
            rename_references(static_dir, {sheet.name: name})
        except Exception:
            (sheet.parent / name).unlink()  # the build as it was: the whole stylesheet, named as before
            raise
        sheet.unlink()
        trimmed.append((name, len(css.encode()), len(out)))
    return trimmed


def rename_references(static_dir: Path, renamed: dict[str, str]) -> None:
    """Rewrite every file naming a renamed asset; an asset rewritten so gets a new hashed name in turn.

    Worked out in memory first and written at the end, so a failure leaves the build as it was."""
    assets = static_dir / "assets"
    files = {file: file.read_text(encoding="utf-8", errors="surrogateescape")
             for file in sorted(static_dir.rglob("*")) if file.suffix in REWRITTEN and file.is_file()}
    original = set(files)
    pending = dict(renamed)
    for _ in range(MAX_ROUNDS):
        if not pending:
            break
        next_round: dict[str, str] = {}
        for file, text in list(files.items()):
            changed = text
            for old, new in pending.items():
                changed = changed.replace(old, new)
            if changed == text:
                continue
            if file.parent == assets:
                # A file may name itself (React Router's manifest lists its own URL): hash it with its own name
                # masked, then write the new name in, or each renaming would call for another.
                masked = changed.replace(file.name, SELF)
                name = _hashed_name(file, masked.encode("utf-8", errors="surrogateescape"))
                del files[file]
                files[file.with_name(name)] = masked.replace(SELF, name)
                next_round[file.name] = name
            else:
                files[file] = changed
        pending = next_round
    else:
        raise RuntimeError(f"asset names still changing after {MAX_ROUNDS} rounds")
    for file, text in files.items():
        data = text.encode("utf-8", errors="surrogateescape")
        if file not in original or file.read_bytes() != data:
            file.write_bytes(data)
    for file in original - set(files):
        file.unlink()


_MODULEPRELOAD = re.compile(r'<link rel="modulepreload"(?![^>]*fetchpriority)')


def rewrite_pages(static_dir: Path, rewrite: Callable[[str], str]) -> int:
    """Apply `rewrite` to every built page's HTML; returns how many pages it changed."""
    changed = 0
    for page in static_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        rewritten = rewrite(html)
        if rewritten != html:
            page.write_text(rewritten, encoding="utf-8")
            changed += 1
    return changed


def lower_preload_priority(static_dir: Path) -> int:
    """Add fetchpriority="low" to every modulepreload link of the built pages; returns how many pages changed."""
    return rewrite_pages(static_dir,
                         lambda html: _MODULEPRELOAD.sub('<link rel="modulepreload" fetchpriority="low"', html))


class FirstPaintBuild(Plugin):
    """Before each compile: window libraries and colour-mode effects; after each production build: Radix's CSS
    trimmed, the light theme prerendered, the pages' modules started after first paint."""

    def pre_compile(self, **context: Any) -> None:
        try:
            dropped = unbundle_plugin_namespaces()
        except Exception:  # noqa: BLE001 - a Reflex that moved its registry: the namespaces stay, pages work as before
            logger.exception("pepestore: could not keep plugin namespaces out of window.__reflex")
            dropped = []
        if dropped:
            print(f"pepestore: not on window.__reflex (for dynamic components, bundle_library them): "
                  f"{', '.join(dropped)}")
        if _theme()[1]:
            from reflex.utils.prerequisites import get_web_dir

            for name, guard in ((steady_theme.PROVIDER, steady_theme.guard_provider),
                                (steady_theme.THEME_PROVIDER, steady_theme.guard_theme_provider)):
                # Reflex fails the whole compile on a modify task whose file is gone: a new Reflex's layout
                # costs the guard, not the build.
                if (get_web_dir() / name).is_file():
                    context["add_modify_task"](name, guard)
                else:
                    logger.warning("pepestore: %s not found; its colour mode effect is left as it is", name)

    def post_build(self, **context: Any) -> None:
        static_dir = Path(context["static_dir"])
        if _theme()[1]:
            marked = rewrite_pages(static_dir, steady_theme.mark_light_root)
            print(f"pepestore: the light theme prerendered on {marked} pages")
        web_dir = static_dir.parent.parent  # .web/build/client -> .web
        sources = [p for p in (PROJECT_ROOT / "pepestore").rglob("*.py") if p.name not in IGNORED_SOURCES]
        sources.append(PROJECT_ROOT / "rxconfig.py")
        try:
            trimmed = purge_build(static_dir, web_dir, sources)
        except Exception:  # noqa: BLE001 - the untrimmed build works, only slower; say so loudly
            logger.exception("pepestore: could not trim Radix's stylesheet; serving it whole")
            trimmed = []
        for name, before, after in trimmed:
            print(f"pepestore: trimmed {name} from {before:,} to {after:,} bytes")
        # After the trim: the pages name the trimmed stylesheet and the assets by their final hashed names by now.
        try:
            print(f"pepestore: modules started after first paint on {deferred_start.defer_build(static_dir)} pages")
        except Exception:  # noqa: BLE001 - pages left as built hydrate as before (their preloads lowered below)
            logger.exception("pepestore: could not defer the pages' modules; they start before first paint")
        try:
            completed = shop_css.complete_build(static_dir)
        except Exception:  # noqa: BLE001 - the shop's pages get their critical CSS below, as the others do
            logger.exception("pepestore: could not inline the shop's CSS; its pages load the whole stylesheet late")
            completed = []
        if completed:
            print(f"pepestore: the shop's CSS inlined in {len(completed)} pages ({completed[0][1]:,} bytes)")
        try:
            from pepestore.state.product_view import EARLY_MARK  # the app is loaded by now; rxconfig is not

            inlined = critical_css.inline_build(static_dir, early_copies(static_dir), EARLY_MARK.split("{")[0])
        except Exception:  # noqa: BLE001 - the pages still link the whole stylesheet, render-blocking as before
            logger.exception("pepestore: could not inline the pages' critical CSS; the stylesheet blocks first paint")
            inlined = []
        if inlined:
            print(f"pepestore: critical CSS inlined in {len(inlined)} pages "
                  f"({min(size for _, size in inlined):,} to {max(size for _, size in inlined):,} bytes)")
        print(f"pepestore: modules preloaded at low priority on {lower_preload_priority(static_dir)} other pages")


# Reflex puts each plugin's npm package on `window.__reflex`, for components built in the browser at run time
# (`rx.dynamic`), as `import * as` in the app's root: a namespace the bundler cannot trim, so all of Radix Themes
# (its Select, Dialog, Table, ... and their primitives) was in the root chunk every page evaluates, ~240 KB of
# JavaScript on the catalog. The store has no dynamic component, and the pages import what they use themselves.
# A dynamic component built from Radix Themes must register it with `bundle_library("@radix-ui/themes")`
# (reflex_base.components.dynamic), which this keeps: Reflex's fallback for an unbundled library imports it from a
# CDN with a React of its own, which does not work.
UNBUNDLED = ("@radix-ui/themes",)


def unbundle_plugin_namespaces() -> list[str]:
    """Take UNBUNDLED off this compile's window libraries unless the app registered them itself; returns which."""
    from reflex_base.registry import RegistrationContext

    registry = RegistrationContext.ensure_context()
    dropped = [library for library in UNBUNDLED
               if library in registry.bundled_libraries and library not in registry._explicit_bundled_libraries]
    registry.bundled_libraries[:] = [library for library in registry.bundled_libraries if library not in dropped]
    return dropped


def early_copies(static_dir: Path) -> dict[str, list[Path]]:
    """The shell page of client-side routes holds, for a product page, the early copy pepestore/early_product.py
    takes from these prerendered pages: its critical CSS must style them too."""
    pages = [static_dir / f"{route.strip('/')}{suffix}" for route in routes.EARLY_PRODUCT.values()
             for suffix in (".html", "/index.html")]
    return {"__spa-fallback.html": [page for page in pages if page.is_file()]}


# The purge's own modules list every Radix colour: scanning them would keep them all.
IGNORED_SOURCES = {"css_purge.py", "build_plugin.py"}
