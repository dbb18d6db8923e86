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
    # the card's own classes, as pepestore/components/catalog_card.py writes them
    return (f'<div class="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface product-card card-tall" '
            f'data-slug="p{number}"><div class="rt-Flex">'
            f'<a class="rt-Link product-name" href="/product/p{number}"><p class="card-name">Product {number}</p></a>'
            '<form class="card-fill"><div><input type="hidden" name="product_id" value="1"/>'
            '<div class="rt-TextFieldRoot"><input aria-label="Cantidad" type="number" name="quantity" value="1"/></div>'
            '<button type="submit"><p>Agregar</p></button></div></form></div></div>')


PAGE = ('<!DOCTYPE html><html lang="es-CL"><head><script>var a = "<div>";</script>'
        '<style data-critical="true">:root{--gray-1:#fff;--space-2: 8px}'
        '.rt-Card{padding:var(--space-2);color:red}</style>'
        '<script type="module" async="">import("/assets/x.js");</script></head><body>'
        '<form action="/"><input aria-label="Search" name="q"/><button type="submit">Search</button></form>'
        '<script>document.documentElement.setAttribute("data-first-frame", "");</script>'
        '<div class="rt-Grid catalog-grid">' + "".join(card(n) for n in range(1, 11)) + '</div>'
        '<nav id="pager"><a href="/?page=2">2</a></nav><script>window.x = 1;</script></body></html>')


def test_no_scripts_removes_every_script_and_nothing_else():
    bare = paint_bisect.without_scripts(PAGE)
    assert "<script" not in bare
    assert bare.count("product-card") == 10 and '<nav id="pager">' in bare and "data-critical" in bare


def test_no_scripts_keeps_the_first_frame_the_script_would_have_marked():
    assert paint_bisect.without_scripts(PAGE).startswith('<!DOCTYPE html><html data-first-frame="" lang="es-CL">')
    unmarked = PAGE.replace("data-first-frame", "data-other")
    assert "data-first-frame" not in paint_bisect.without_scripts(unmarked)


def test_first_cards_keeps_whole_cards_and_what_follows_the_grid():
    kept = paint_bisect.first_cards(PAGE, 8)
    assert [f"Product {n}<" in kept for n in range(1, 11)] == [True] * 8 + [False] * 2
    body = kept.split("<body>")[1]  # the head's script holds a "<div>" in a string
    assert body.count("<div") == body.count("</div>")
    assert kept.endswith('</div><nav id="pager"><a href="/?page=2">2</a></nav>'
                         '<script>window.x = 1;</script></body></html>')


def test_no_forms_leaves_no_form_control_and_every_tag_closed():
    plain = paint_bisect.without_forms(PAGE)
    for tag in ("<form", "</form>", "<input", "<button", "</button>"):
        assert tag not in plain
    assert plain.count("<span>1</span>") == 11  # the quantities and the search field; hidden inputs are gone
    body = plain.split("<body>")[1]
    for tag in ("div", "span"):
        assert body.count(f"<{tag}") == body.count(f"</{tag}>"), tag


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
