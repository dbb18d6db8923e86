"""The shop's pages style everything they can show with their inlined rules alone (pepestore/shop_css.py): in each
state a shopper reaches, every element computes the same style with the whole stylesheet applied as without it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.shop import add_from_card, card, cart_line, open_catalog, start_payment, toast
from tests.browser.test_frontend_assets import STILL, STYLES_OF

# Snapshots every element's computed style, applies the whole stylesheet (the page's disabled link), compares, and
# disables it again. Returns [elements compared, the ones whose style changed].
WHOLE_SHEET_CHANGES = f"""async () => {{
    const stylesOf = {STYLES_OF};
    {STILL};
    const before = [...document.querySelectorAll('*')].map((element) => [element, stylesOf(element)]);
    const link = document.querySelector('link[data-whole-sheet]');
    const loaded = new Promise((done) => link.addEventListener('load', done, {{once: true}}));
    link.disabled = false;
    if (!link.sheet) await loaded;
    {STILL};
    const kept = before.filter(([element]) => element.isConnected);
    const changed = kept.filter(([element, was]) => stylesOf(element) !== was).map(([element, was]) => {{
        const now = new Set(stylesOf(element).split(';'));
        const differs = was.split(';').filter((declaration) => !now.has(declaration)).slice(0, 3);
        const parent = element.parentElement || {{tagName: '', className: ''}};
        return element.tagName + '.' + element.className + ' in ' + parent.tagName + '.' + parent.className + ': '
            + differs.join('; ');
    }});
    link.disabled = true;
    return [kept.length, changed];
}}"""


def assert_styled_by_the_shops_rules_alone(page, at_least: int = 50) -> None:
    assert page.locator("link[data-whole-sheet]").evaluate("link => link.disabled")
    compared, changed = page.evaluate(WHOLE_SHEET_CHANGES)
    assert compared >= at_least
    assert changed == [], changed[:5]


def test_the_catalog_live_after_adds_its_sold_out_page_and_an_empty_search(page):
    open_catalog(page)
    assert_styled_by_the_shops_rules_alone(page)
    add_from_card(page, "ceramic-mug-terracotta")
    expect(toast(page, "to your cart")).to_be_visible()
    add_from_card(page, "cast-iron-teapot", 5)  # more than the stock: a warning toast
    expect(toast(page, "Only 3 of Cast Iron Teapot in stock, so your cart has 3.")).to_be_visible()
    assert_styled_by_the_shops_rules_alone(page)
    open_catalog(page, "?page=2")  # sold-out products come last
    expect(card(page, "pour-over-dripper").get_by_role("button", name="Sold out")).to_be_disabled()
    assert_styled_by_the_shops_rules_alone(page)
    page.get_by_label("Search products").fill("submarine")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#empty-results")).to_contain_text("Nothing matches that")
    assert_styled_by_the_shops_rules_alone(page, at_least=20)


@pytest.mark.language("es-CL")
def test_the_catalog_in_spanish(page):
    open_catalog(page)
    expect(page.locator(".product-card").first).to_contain_text("Agregar")
    assert_styled_by_the_shops_rules_alone(page)


def test_a_product_page_and_the_cart_reached_by_links_then_the_checkout(page):
    open_catalog(page)
    card(page, "ceramic-mug-terracotta").get_by_role("link").first.click()
    expect(page.locator("#product-name")).to_have_text("Terracotta Ceramic Mug")
    assert_styled_by_the_shops_rules_alone(page)
    page.get_by_role("button", name="Add to cart").click()
    expect(toast(page, "to your cart")).to_be_visible()
    page.locator(".site-header").get_by_role("link", name="Open cart").click()
    expect(cart_line(page, "Terracotta Ceramic Mug")).to_be_visible()
    assert_styled_by_the_shops_rules_alone(page)
    widget = start_payment(page)  # the cart's own page, loaded anew, then its checkout
    expect(widget).to_be_visible()
    assert_styled_by_the_shops_rules_alone(page)


def test_the_empty_cart(page):
    # The empty cart is prerendered: compare once the live page has had the server's first update.
    with page.expect_websocket(lambda socket: "/_event" in socket.url) as opened:
        page.goto(page.store_url + "/cart")
    opened.value.wait_for_event("framereceived", predicate=lambda frame: str(frame).startswith("42"))
    expect(page.locator("#empty-cart")).to_be_visible()
    assert_styled_by_the_shops_rules_alone(page, at_least=20)


def test_the_shop_never_fetches_the_whole_stylesheet_until_a_link_leaves_for_the_back_office(page):
    open_catalog(page)
    sheets = "() => performance.getEntriesByType('resource').map((entry) => entry.name).filter((n) => n.includes('.css'))"
    assert page.evaluate(sheets) == []
    page.evaluate("history.pushState({}, '', '/cart')")  # still the shop
    assert page.locator("link[data-whole-sheet]").evaluate("link => link.disabled")
    page.evaluate("history.pushState({}, '', '/admin/orders')")  # what React Router does on a link
    assert page.locator("link[data-whole-sheet]").evaluate("link => link.disabled") is False
    page.wait_for_function(f"() => ({sheets})().length === 1")
