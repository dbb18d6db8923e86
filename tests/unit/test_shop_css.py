"""The shop's complete CSS, inlined at build time in its pages (pepestore/shop_css.py)."""

import json

import pytest

from pepestore import routes
from pepestore.critical_css import MARK, may_match
from pepestore.shop_css import (ComposedClasses, code_tokens, complete_build, complete_page, is_shop_page,
                                shop_modules, shop_tokens)

HREF = "/assets/__reflex_global_styles-abc.css"
BLOCKING = f'<link href="{HREF}" rel="stylesheet" type="text/css"/>'


def test_classes_radix_or_the_store_compose_from_a_stem_in_the_code_count_as_present():
    words, stems = code_tokens(['a="rt-r-size rt-Badge product-card";b=`stock-${level} big`;c=\'rt-variant\''])
    assert {"rt-r-size", "rt-Badge", "product-card", "big", "rt-variant"} <= words
    classes = ComposedClasses(words, stems)
    assert "rt-r-size-2" in classes and "md:rt-r-size-3" in classes, "Radix's size prop, per breakpoint too"
    assert "rt-variant-soft" in classes and "stock-low" in classes and "product-card" in classes
    assert "rt-DialogContent" not in classes and "rt-BadgeX" not in classes, "a stem needs its hyphen"
    assert "product-cardigan" not in classes, "a whole word is not a stem"


def test_names_in_minified_code_count_however_it_writes_them():
    """What a string-literal scanner lost in the real build: a regular expression holding a quote put it out of
    step, nested templates hid their words, and names joined with `+` or without a hyphen were not stems."""
    words, stems = code_tokens([
        "a=`card ${s?`card-photo-sold-out`:``}`",  # Reflex's f-string around rx.cond
        'r=/"(?:[^"\\\\]|\\\\.)*"/g,s=t.includes(`rt-SwitchRoot`)?1:0,q="y"',
        "x=`stock-`+level;y=`line-photo${s?\"-sold-out\":\"\"}`;z={id:`row-${n}`};j=JSON.parse('{\"c\":\"tag-x\"}')",
    ])
    names = ComposedClasses(words, stems)
    for name in ("card-photo-sold-out", "rt-SwitchRoot", "stock-low", "line-photo-sold-out", "row-3", "tag-x"):
        assert name in names, name
    assert "rt-Dialog" not in names and "car" not in names


def test_a_name_in_the_code_makes_a_rule_present_and_its_attribute_take_any_value():
    tokens = shop_tokens(['<div class="rt-Box hero"></div>'],
                         ['x={"data-accent-color":c,className:"rt-Badge rt-r-size"}'])
    assert may_match(".rt-Box.hero", tokens) and may_match(".rt-Badge.rt-r-size-1", tokens)
    assert may_match("[data-accent-color=amber] .rt-Badge", tokens), "the colour is a prop: any value"
    assert not may_match(".rt-TableRoot", tokens) and not may_match("[data-state=open]", tokens)


def write_build(tmp_path):
    """A build: the shop's routes import one chunk, the back office's another, a shop chunk loads a third lazily."""
    assets = tmp_path / "assets"
    assets.mkdir()
    files = {
        "entry.client-1.js": 'import{a}from"./react-1.js";',
        "react-1.js": 'export const a="react";',
        "root-1.js": 'import"./react-1.js";const t="radix-themes";',
        "_index-1.js": 'import{b}from"./shared-1.js";const c="product-card";import(`./lazy-1.js`);',
        "_cart_._index-1.js": 'const c=`stock-${n}`;',
        "shared-1.js": 'export const b="rt-Badge";',
        "lazy-1.js": 'const d="toast-card";',
        "loader-1.js": 'const f="cart-loader";',
        "_admin_._index-1.js": 'import"./table-1.js";',
        "table-1.js": 'const e="rt-TableRoot";',
    }
    for name, text in files.items():
        (assets / name).write_text(text)
    routes_ = {
        "root": {"id": "root", "path": "", "module": "/assets/root-1.js", "imports": []},
        "routes/_index": {"id": "routes/_index", "parentId": "root", "index": True,
                          "module": "/assets/_index-1.js", "imports": ["/assets/shared-1.js"]},
        "routes/[cart]._index": {"id": "routes/[cart]._index", "path": "cart", "module": "/assets/_cart_._index-1.js",
                                 "imports": [], "clientLoaderModule": "/assets/loader-1.js"},
        "routes/[admin]._index": {"id": "routes/[admin]._index", "path": "admin",
                                  "module": "/assets/_admin_._index-1.js", "imports": ["/assets/table-1.js"]},
    }
    (assets / "manifest-1.js").write_text("window.__reactRouterManifest=" + json.dumps(
        {"entry": {"module": "/assets/entry.client-1.js", "imports": []}, "routes": routes_}) + ";")
    (assets / "__reflex_global_styles-abc.css").write_text(
        ".radix-themes{color:black}.product-card{padding:1px}.stock-low{color:red}.rt-Badge{display:inline}"
        ".toast-card{margin:0}.rt-TableRoot{width:100%}.rt-DialogContent{padding:2px}")
    page = (f'<html><head><link as="style" href="{HREF}" rel="preload"/>{BLOCKING}</head>'
            '<body><div class="radix-themes"></div></body></html>')
    for name in ("index.html", "cart.html", "admin.html", "__spa-fallback.html"):
        (tmp_path / name).write_text(page)
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "orders.html").write_text(page)
    return assets


def test_a_module_the_shops_code_names_but_the_build_lacks_fails_the_build(tmp_path):
    """Then complete_build raises, and the build gives those pages their critical CSS and the late whole sheet
    (pepestore/build_plugin.py), rather than a sheet made from part of the code."""
    assets = write_build(tmp_path)
    (assets / "lazy-1.js").unlink()
    with pytest.raises(FileNotFoundError, match="lazy-1.js"):
        shop_modules(tmp_path)


def test_the_shops_code_is_its_routes_and_what_they_import_never_the_back_offices(tmp_path):
    assets = write_build(tmp_path)
    names = {path.name for path in shop_modules(tmp_path)}
    assert names == {"entry.client-1.js", "react-1.js", "root-1.js", "_index-1.js", "_cart_._index-1.js",
                     "shared-1.js", "lazy-1.js", "loader-1.js"}
    assert (assets / "table-1.js").exists() and "table-1.js" not in names


def test_shop_pages_inline_every_rule_their_code_can_use_and_keep_the_whole_sheet_disabled(tmp_path):
    write_build(tmp_path)
    changed = dict(complete_build(tmp_path))
    assert set(changed) == {"index.html", "cart.html"}
    page = (tmp_path / "index.html").read_text()
    css = page.split(f"<style {MARK}>", 1)[1].split("</style>", 1)[0]
    assert css == (".radix-themes{color:black}.product-card{padding:1px}.stock-low{color:red}"
                   ".rt-Badge{display:inline}.toast-card{margin:0}")
    assert BLOCKING not in page
    assert f'<link href="{HREF}" rel="stylesheet" type="text/css" disabled="" data-whole-sheet=""/>' in page
    assert f'<link as="style" href="{HREF}" rel="preload" media="not all"/>' in page, "kept for React, not fetched"
    assert f"var p={json.dumps(routes.BACK_OFFICE)};" in page
    for untouched in ("admin.html", "admin/orders.html", "__spa-fallback.html"):
        assert BLOCKING in (tmp_path / untouched).read_text() and MARK not in (tmp_path / untouched).read_text()


def test_a_page_already_rewritten_or_linking_no_sheet_is_left_alone():
    page = f"<head>{BLOCKING}</head>"
    once = complete_page(page, HREF, ".a{color:red}", "/admin")
    assert once is not None and complete_page(once, HREF, ".a{color:red}", "/admin") is None
    assert complete_page("<head></head>", HREF, ".a{color:red}", "/admin") is None


def test_which_prerendered_pages_are_the_shops():
    assert is_shop_page("index.html") and is_shop_page("cart.html") and is_shop_page("cart/index.html")
    assert not is_shop_page("admin.html") and not is_shop_page("admin/orders.html")
    assert not is_shop_page("admin/index.html") and not is_shop_page("__spa-fallback.html")
    assert not is_shop_page("early-product/es.html") and not is_shop_page("early-product/en/index.html"), \
        "templates of the shell's early copy, never served"
    assert is_shop_page("administrator.html"), "a page whose name only starts like the back office's"
