"""Trimming Radix's stylesheet: only unused colours, breakpoints, responsive props and the dark theme go; every
component rule stays; the trimmed file gets a new hashed name and everything that named it follows."""

import re

from pepestore.css_purge import (breakpoints_used, colors_named, purge, radix_prop_classes, responsive_classes_kept,
                                 responsive_props)
from pepestore.build_plugin import rename_references

RADIX_CSS = (
    '@import url("x.css");'
    ":root,.light,.light-theme{--tomato-9:#e54d2e;--red-9:#e5484d;--blue-9:#0090ff;--gray-9:#8d8d8d;--space-2:8px}"
    ".dark,.dark-theme{--tomato-9:#e54d2e;--red-9:#e5484d}"
    "@supports (color:color(display-p3 1 1 1)){@media (color-gamut:p3){:root,.light{--blue-9:color(display-p3 0 .5 1)}}}"
    "[data-accent-color=tomato]{--accent-9:var(--tomato-9)}"
    '[data-accent-color="blue"]{--accent-9:var(--blue-9)}'
    ".rt-Button:where(.rt-r-size-2){height:var(--space-6)}"
    ".rt-Dialog{content:\"{not a block}\"}"
    ".rt-Badge:where([data-accent-color=red]),.rt-Badge:where(.rt-high-contrast){color:red}"
    ":is(.dark,.dark-theme) .rt-Card{box-shadow:none}"
    "@media (width>=520px){.rt-Heading:where(.xs\\:rt-r-size-8){font-size:2em}}"
    "@media (width>=768px){.rt-Heading:where(.sm\\:rt-r-size-8){font-size:2em}"
    ".rt-Grid:where(.sm\\:rt-r-gtc-2){grid-template-columns:1fr 1fr}.rt-Box:where(.sm\\:rt-r-mx-2){margin:0 8px}"
    ".rt-Box:where(.sm\\:rt-r-pb-2){padding-bottom:8px}}"
    "@font-face{font-family:X;src:url(x.woff2)}"
    "@keyframes rt-fade{from{opacity:0}to{opacity:1}}"
)
RADIX_PROPS_JS = ('const a={size:{type:"enum",className:"rt-r-size",values:["1"],responsive:!0},'
                  'columns:{type:"enum | string",className:"rt-r-gtc",customProperties:["--gtc"],responsive:!0},'
                  'pb:{type:"enum | string",className:"rt-r-pb",responsive:!0}};const m="rt-r-mx";')
PAGE_JSX = 'jsx(RadixThemesHeading,{size:({ ["initial"] : "6", ["sm"] : "8" }),color:"red"},"Hi")'


def trimmed() -> str:
    by_prop, every = radix_prop_classes([RADIX_PROPS_JS])
    kept = responsive_classes_kept(responsive_props([PAGE_JSX]), by_prop, every)
    return purge(RADIX_CSS, colors={"tomato", "gray"} | colors_named([PAGE_JSX]),
                 breakpoints=breakpoints_used([PAGE_JSX]), drop_dark=True, responsive=kept, known=every)


def test_sources_name_colours_and_breakpoints():
    assert colors_named(['color_scheme="green"', "tone = 'amber'", "color='white'", "greenish"]) == {"green", "amber"}
    assert breakpoints_used([PAGE_JSX]) == {"sm"}
    assert responsive_props([PAGE_JSX]) == {"size"}
    assert responsive_props(['css:({ ["@media (x)"] : "1" })', 'x = ["sm"] : 1']) is None, "unexplained key: keep all"


def test_unused_colours_go_and_used_ones_stay():
    css = trimmed()
    assert "--tomato-9:#e54d2e" in css and "--red-9:#e5484d" in css and "--gray-9" in css
    assert "--blue-9" not in css and 'data-accent-color="blue"' not in css
    assert "[data-accent-color=tomato]{--accent-9:var(--tomato-9)}" in css
    assert ".rt-Badge:where([data-accent-color=red]),.rt-Badge:where(.rt-high-contrast){color:red}" in css
    assert "--space-2:8px" in css


def test_dark_theme_rules_go_when_the_theme_is_light_only():
    css = trimmed()
    assert ".dark" not in css
    kept = purge(RADIX_CSS, colors={"tomato", "red", "gray"}, breakpoints={"sm"}, drop_dark=False)
    assert ".dark,.dark-theme{--tomato-9:#e54d2e;--red-9:#e5484d}" in kept


def test_only_responsive_variants_a_page_can_produce_stay():
    css = trimmed()
    assert ".rt-Heading:where(.sm\\:rt-r-size-8)" in css, "size is given per breakpoint on a page"
    assert ".xs\\:" not in css, "no page uses xs"
    assert ".sm\\:rt-r-gtc-2" not in css and ".sm\\:rt-r-pb-2" not in css, "no page gives these per breakpoint"
    assert ".sm\\:rt-r-mx-2" in css, "a class no prop definition claims is kept"


def test_everything_else_is_kept_as_written():
    css = trimmed()
    for rule in ['@import url("x.css");', ".rt-Button:where(.rt-r-size-2){height:var(--space-6)}",
                 '.rt-Dialog{content:"{not a block}"}', "@font-face{font-family:X;src:url(x.woff2)}",
                 "@keyframes rt-fade{from{opacity:0}to{opacity:1}}"]:
        assert rule in css
    everything = purge(RADIX_CSS, colors={"tomato", "red", "blue", "gray"}, breakpoints={"xs", "sm"},
                       drop_dark=False)
    assert everything == RADIX_CSS


def test_renaming_follows_references_up_to_the_pages(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "styles-AAAA1111.css").write_text("a{}")
    (assets / "manifest-BBBB2222.js").write_text('url:"/assets/manifest-BBBB2222.js",css:["/assets/styles-AAAA1111.css"]')
    (assets / "entry-CCCC3333.js").write_text('import "./manifest-BBBB2222.js"')
    (assets / "other-DDDD4444.js").write_text("export{}")
    (tmp_path / "index.html").write_text('<link href="/assets/styles-AAAA1111.css"/><script src="/assets/entry-CCCC3333.js">')
    (assets / "styles-AAAA1111.css").rename(assets / "styles-new0000000.css")
    rename_references(tmp_path, {"styles-AAAA1111.css": "styles-new0000000.css"})
    names = sorted(p.name for p in assets.iterdir())
    assert "other-DDDD4444.js" in names, "untouched files keep their names"
    assert not {"manifest-BBBB2222.js", "entry-CCCC3333.js"} & set(names), "rewritten assets get new names"
    html = (tmp_path / "index.html").read_text()
    entry = re.search(r"/assets/(entry-\w+\.js)", html).group(1)
    manifest = re.search(r"\./(manifest-\w+\.js)", (assets / entry).read_text()).group(1)
    assert "styles-new0000000.css" in (assets / manifest).read_text() and "styles-new0000000.css" in html
    assert f'url:"/assets/{manifest}"' in (assets / manifest).read_text(), "a file naming itself names its new self"
    assert len(list(assets.iterdir())) == 4


def test_the_theme_in_rxconfig_is_read(monkeypatch):
    from reflex_base.config import get_config

    import rxconfig  # noqa: F401 - the store's configuration, as the build reads it
    from pepestore.build_plugin import FirstPaintBuild, _theme

    colors, light_only = _theme()
    assert {"tomato", "sand", "gray"} <= colors and light_only
    assert any(isinstance(plugin, FirstPaintBuild) for plugin in get_config().plugins)


def test_modules_are_preloaded_at_low_priority(tmp_path):
    from pepestore.build_plugin import lower_preload_priority

    (tmp_path / "cart").mkdir()
    page = ('<head><link rel="preload" as="style" href="/assets/s.css"/><link rel="modulepreload" href="/assets/a.js"/>'
            '<link rel="modulepreload" fetchpriority="high" href="/assets/b.js"/></head>')
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "cart" / "index.html").write_text(page)
    (tmp_path / "a.js").write_text('x="<link rel=\\"modulepreload\\""')
    assert lower_preload_priority(tmp_path) == 2
    html = (tmp_path / "cart" / "index.html").read_text()
    assert '<link rel="modulepreload" fetchpriority="low" href="/assets/a.js"/>' in html
    assert '<link rel="modulepreload" fetchpriority="high" href="/assets/b.js"/>' in html, "an explicit one is kept"
    assert '<link rel="preload" as="style" href="/assets/s.css"/>' in html, "the stylesheet stays urgent"
    assert lower_preload_priority(tmp_path) == 0, "idempotent"
