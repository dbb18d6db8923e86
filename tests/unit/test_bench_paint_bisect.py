"""bench/paint_bisect.py: the copies of the catalog page it times each take out what they say, and only that."""

import sys

from pepestore.settings import PROJECT_ROOT

# bench/ holds scripts, not a package: on the path only for this import (see test_bench_page_work.py).
sys.path.insert(0, str(PROJECT_ROOT / "bench"))
try:
    import paint_bisect
finally:
    sys.path.remove(str(PROJECT_ROOT / "bench"))


def card(number: int) -> str:
    return (f'<div class="rt-Card product-card" data-slug="p{number}"><div class="rt-Flex">'
            f'<a class="rt-Link product-name" href="/product/p{number}"><p class="card-name">Product {number}</p></a>'
            '<form class="card-fill"><div><input type="hidden" name="product_id" value="1"/>'
            '<div class="rt-TextFieldRoot"><input aria-label="Cantidad" type="number" name="quantity" value="1"/></div>'
            '<button type="submit"><p>Agregar</p></button></div></form></div></div>')


PAGE = ('<!DOCTYPE html><html><head><script>var a = "<div>";</script>'
        '<style data-critical="true">:root{--gray-1:#fff;--space-2: 8px}.rt-Card{padding:var(--space-2);color:red}</style>'
        '<script type="module" async="">import("/assets/x.js");</script></head><body>'
        '<div class="rt-Grid catalog-grid">' + "".join(card(n) for n in range(1, 11)) + '</div>'
        '<nav id="pager"><a href="/?page=2">2</a></nav><script>window.x = 1;</script></body></html>')


def test_no_scripts_removes_every_script_and_nothing_else():
    bare = paint_bisect.without_scripts(PAGE)
    assert "<script" not in bare
    assert bare.count("product-card") == 10 and '<nav id="pager">' in bare and "data-critical" in bare


def test_first_cards_keeps_whole_cards_and_what_follows_the_grid():
    kept = paint_bisect.first_cards(PAGE, 8)
    assert [f"Product {n}<" in kept for n in range(1, 11)] == [True] * 8 + [False] * 2
    body = kept.split("<body>")[1]  # the head's script holds a "<div>" in a string
    assert body.count("<div") == body.count("</div>")
    assert kept.endswith('</div><nav id="pager"><a href="/?page=2">2</a></nav><script>window.x = 1;</script></body></html>')


def test_no_forms_leaves_no_form_control():
    plain = paint_bisect.without_forms(PAGE)
    for tag in ("<form", "</form>", "<input", "<button", "</button>"):
        assert tag not in plain
    assert plain.count("<span>1</span>") == 10  # the quantities; the hidden inputs are gone


def test_no_custom_properties_touches_only_their_declarations():
    css = paint_bisect.INLINE_CSS.search(paint_bisect.without_custom_properties(PAGE)).group(2)
    assert css == ":root{}.rt-Card{padding:var(--space-2);color:red}"


def test_no_inline_css_and_blank():
    assert "data-critical" not in paint_bisect.without_inline_css(PAGE)
    blank = paint_bisect.blank(PAGE)
    assert '<a class="product-name" href="#"><p>Product 1</p></a>' in blank and "<script" not in blank


def test_every_copy_has_its_own_address():
    names = list(paint_bisect.copies(PAGE))
    assert names[0] == "served" and len({paint_bisect.slug(name) for name in names}) == len(names)
