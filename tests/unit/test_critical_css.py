"""Each page's critical CSS, inlined at build time (pepestore/critical_css.py)."""

from pepestore.critical_css import MARK, Tokens, critical_for, inline_build, inline_page, may_match

PAGE_HTML = ('<html class="light"><body><div data-is-root-theme="true" data-accent-color="tomato" '
             'class="radix-themes"><div class="rt-Grid md:rt-r-gtc-4" id="product-grid" data-live="false">'
             '<span data-accent-color="green" class="rt-Badge rt-variant-soft">Disponible</span>'
             '<style>.css-1{background:var(--amber-3)}</style></div></div></body></html>')


def tokens(html: str = PAGE_HTML, placeholder: str | None = None) -> Tokens:
    found = Tokens()
    found.add_html(html, placeholder)
    return found


def test_a_selector_stays_only_if_what_it_names_is_in_the_html():
    page = tokens()
    assert may_match(".rt-Grid", page) and may_match("#product-grid", page)
    assert may_match(r".md\:rt-r-gtc-4", page), "an escaped responsive class is a class, not a pseudo-class"
    assert not may_match(r".lg\:rt-r-gtc-4", page)
    assert may_match(".rt-Badge:where(.rt-variant-soft,.rt-variant-solid)", page), "one alternative is enough"
    assert not may_match(".rt-Badge:where(.rt-variant-solid)", page)
    assert may_match("[data-accent-color=green]", page) and not may_match("[data-accent-color=ruby]", page)
    assert may_match(".rt-Grid:hover > .rt-Badge::after", page), "pseudo-classes are not checked"
    assert may_match(".rt-Badge:not(.rt-Dialog)", page), ":not() arguments are not checked"
    assert may_match(":root, .light", page) and may_match("*", page) and may_match("html", page)
    assert not may_match(".rt-DialogContent", page)
    assert not may_match("[data-state=open]", page)


def test_a_kept_rule_keeps_its_whole_selector_list_as_the_whole_stylesheet_has_it():
    """A browser drops a rule with a selector it cannot parse (`:-moz-focusring` in Chromium); the inlined copy must
    go with it, or the page would change when the whole stylesheet replaces the inlined copy."""
    css = ".rt-Badge,.rt-DialogContent:-moz-focusring{color:red}.rt-DialogContent,.rt-Popover{color:blue}"
    assert critical_for(css, tokens()) == ".rt-Badge,.rt-DialogContent:-moz-focusring{color:red}"


def test_a_placeholder_attribute_may_take_any_value():
    early = tokens('<span data-accent-color="zqzEARLYTONEzqz" class="rt-Badge"></span>', placeholder="zqzEARLY")
    assert may_match("[data-accent-color=orange]", early)
    assert not may_match("[data-accent-color=orange]", tokens('<span data-accent-color="x"></span>'))


def test_critical_rules_keep_their_order_media_and_layers_and_only_the_variables_reached():
    css = ("@layer base{*{box-sizing:border-box}}"
           ":root,.light{--tomato-9:#e54d2e;--ruby-9:#e54666;--amber-3:#fff7c2;--unused:1px}"
           "[data-accent-color=tomato]{--accent-9:var(--tomato-9)}[data-accent-color=ruby]{--accent-9:var(--ruby-9)}"
           ".rt-DialogContent{padding:var(--unused)}"
           ".rt-Grid{display:grid}@media (width>=768px){.md\\:rt-r-gtc-4{grid-template-columns:repeat(4,1fr)}"
           ".md\\:rt-r-gtc-2{grid-template-columns:1fr 1fr}}"
           ".rt-Badge{color:var(--accent-9)}@keyframes spin{to{transform:rotate(1turn)}}")
    out = critical_for(css, tokens())
    assert out == ("@layer base{*{box-sizing:border-box}}"
                   ":root,.light{--tomato-9:#e54d2e;--amber-3:#fff7c2}"
                   "[data-accent-color=tomato]{--accent-9:var(--tomato-9)}"
                   ".rt-Grid{display:grid}@media (width>=768px){.md\\:rt-r-gtc-4{grid-template-columns:repeat(4,1fr)}}"
                   ".rt-Badge{color:var(--accent-9)}@keyframes spin{to{transform:rotate(1turn)}}")


def test_the_page_gets_its_css_inline_and_the_whole_stylesheet_without_blocking():
    href = "/assets/styles-1.css"
    page = (f'<html><head><link as="style" href="{href}" rel="preload"/>'
            f'<link href="{href}" rel="stylesheet" type="text/css"/></head><body></body></html>')
    out = inline_page(page, href, ".a{color:red}")
    head = out[:out.index("</head>")]
    assert f"<style {MARK}>.a{{color:red}}</style>" in head
    swap = "this.media='all';var s=document.querySelector('style[data-critical]');if(s)s.remove()"
    assert f'<link href="{href}" rel="stylesheet" type="text/css" media="print" onload="{swap}"/>' in head
    assert f'<noscript><link href="{href}" rel="stylesheet" type="text/css"/></noscript>' in head
    assert 'rel="preload"' not in head, "no high-priority fetch beside the first photo"
    assert head.index(MARK) < head.index('media="print"'), "the same rules, inline first, then the whole sheet"
    assert inline_page(out, href, ".a{}") is None, "idempotent"


def test_a_build_inlines_per_page_and_the_shell_covers_the_early_copies(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "g-1.css").write_text(".radix-themes{--x:1}.rt-Cart{a:b}.rt-Product{c:d}.rt-Admin{e:f}")
    head = '<html><head><link href="/assets/g-1.css" rel="stylesheet" type="text/css"/></head>'
    (tmp_path / "cart.html").write_text(head + '<body><div class="radix-themes rt-Cart"></div></body></html>')
    (tmp_path / "__spa-fallback.html").write_text(head + '<body><div class="radix-themes"></div></body></html>')
    (tmp_path / "early-product").mkdir()
    (tmp_path / "early-product" / "es.html").write_text(head + '<body><p class="rt-Product"></p></body></html>')
    changed = dict(inline_build(tmp_path, {"__spa-fallback.html": [tmp_path / "early-product" / "es.html"]}))
    assert set(changed) == {"cart.html", "__spa-fallback.html", "early-product/es.html"}
    cart = (tmp_path / "cart.html").read_text()
    assert ".rt-Cart{a:b}" in cart and ".rt-Product" not in cart and ".rt-Admin" not in cart.split("</style>")[0]
    shell = (tmp_path / "__spa-fallback.html").read_text()
    assert ".rt-Product{c:d}" in shell.split("</style>")[0], "the early copy is styled from the first paint"
    assert inline_build(tmp_path) == [], "idempotent"


def test_a_variable_only_a_kept_keyframes_rule_uses_stays_defined():
    """A frame's `var()` must resolve when the animation runs; on the shop's pages (pepestore/shop_css.py) no later
    stylesheet would define it."""
    css = (":root,.light{--track:#eee;--unused:1px}.rt-Grid{animation:pulse 1s}"
           "@keyframes pulse{50%{background:var(--track)}}")
    assert critical_for(css, tokens()) == (":root,.light{--track:#eee}.rt-Grid{animation:pulse 1s}"
                                           "@keyframes pulse{50%{background:var(--track)}}")
