"""The shop pages as the browser gets them: plain elements with Radix's classes, so hydrating them leaves nothing for
emotion to work out (pepestore/components/plain.py says why), and a native menu for sorting."""

import re

from pepestore.pages.cart import cart_page
from pepestore.pages.catalog import catalog_page
from pepestore.pages.product import early_product_page


def _compiled(page) -> str:
    return str(page().render())


def test_the_catalog_and_the_product_page_have_no_emotion_styles():
    # The product page's live details are the same components as its early copy.
    for page in (catalog_page, early_product_page("en"), early_product_page("es-CL")):
        assert "css:" not in _compiled(page), page.__name__


def test_the_cart_has_emotion_styles_only_in_the_widget_error_it_shows_when_fintoc_fails():
    compiled = _compiled(cart_page)
    for style in re.finditer("css:", compiled):
        after = compiled[style.start():style.start() + 200]
        assert "widget-error" in after or "hosted-payment-link" in after, after


def test_sorting_is_a_native_select_whose_choice_goes_to_the_sort_handler():
    compiled = _compiled(catalog_page)
    start = compiled.index('"select"')
    select = compiled[start:compiled.index('"option"', start)]
    assert "choose_sort" in select and 'id:"sort-select"' in select
    assert "aria-label" in select  # its name for screen readers ("Sort products")
    assert "RadixThemesSelect" not in compiled
