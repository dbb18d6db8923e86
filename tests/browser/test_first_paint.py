"""The product page and the cart paint their main content from the first HTML, before the event websocket: and
what they show that early is never wrong (the live load replaces the product's copy; a cart with items never
says "empty"). The catalog's first frame draws the two rows of cards on screen, and the rest one frame later
without moving anything on screen."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from pepestore.pages.catalog import FIRST_FRAME_MARK, MARKED_MAX_HEIGHT
from pepestore.store.catalog import PER_PAGE
from tests.browser.shop import add_on_product_page, cart_line

EVENTS = re.compile(r"/_event")
PRODUCT = "boldo-herbal-tea-tin"  # plenty in stock, bought by no test: its badge stays "in stock"
DESCRIPTION = "Loose-leaf infusion of Chilean boldo and garden mint in a resealable tin, 80 g."

# Set on every page of the test: whether #empty-cart was ever on screen, checked before each frame is painted.
WATCH_EMPTY_CART = """
window.__emptyCartShown = false;
(function check() {
  var empty = document.getElementById("empty-cart");
  if (empty && empty.getClientRects().length && getComputedStyle(empty).visibility !== "hidden") {
    window.__emptyCartShown = true;
  }
  requestAnimationFrame(check);
})();
"""


def without_websocket(page: Page) -> None:
    """The event websocket never reaches the server: no hydration, no load event. What shows is the HTML's own."""
    page.route_web_socket(EVENTS, lambda socket: socket.close())


def inner_text(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text()


def test_a_product_page_shows_the_product_before_the_websocket(page):
    without_websocket(page)
    page.goto(f"{page.store_url}/product/{PRODUCT}")
    expect(page.locator("#product-name")).to_have_text("Boldo & Mint Herbal Tea")
    expect(page.locator("#product-price")).to_have_text("$5.990")
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    expect(page.get_by_text("In stock", exact=True)).to_be_visible()
    expect(page.get_by_text("All products")).to_be_visible()  # the English shopper's words, from the cookie
    assert page.evaluate("document.documentElement.lang") == "en"
    image = page.locator("#product-image")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("fetchpriority", "high")
    expect(image).to_have_attribute("width", "600")
    expect(image).not_to_have_attribute("loading", "lazy")
    expect(image).to_have_attribute("decoding", "async")  # the name's frame does not wait for the photo's decode
    page.wait_for_function("document.getElementById('product-image').naturalWidth > 0")
    # The live page (still its skeleton: no load event without the websocket) waits behind the copy.
    expect(page.locator("#product-loading")).to_be_hidden()
    # The early copy's form would only submit as a page load: it is not offered until the live page is there.
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)


@pytest.mark.language("es-CL")
def test_a_first_visit_gets_the_early_product_page_in_spanish(page):
    without_websocket(page)
    page.goto(f"{page.store_url}/product/{PRODUCT}")
    expect(page.locator("#product-name")).to_have_text("Boldo & Mint Herbal Tea")
    expect(page.get_by_text("Disponible", exact=True)).to_be_visible()
    expect(page.get_by_text("Todos los productos")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "es-CL"


def test_the_product_html_holds_the_product_its_title_and_description(store_url):
    spanish = httpx.get(f"{store_url}/product/{PRODUCT}", timeout=10)
    assert spanish.status_code == 200
    assert spanish.headers["cache-control"] == "no-cache"
    html = spanish.text
    assert "Boldo &amp; Mint Herbal Tea" in html and "$5.990" in html
    assert f'<meta name="description" content="{DESCRIPTION}" data-early/>' in html
    assert "<title data-early>Boldo &amp; Mint Herbal Tea — Pepestore</title>" in html
    assert "Disponible" in html and "In stock" not in html
    assert "zqzEARLY" not in html  # every placeholder filled in
    english = httpx.get(f"{store_url}/product/{PRODUCT}", cookies={"pepestore_lang": "en"}, timeout=10).text
    assert re.search(r'<html[^>]*\blang="en"', english)
    assert "In stock" in english and "Disponible" not in english
    # A slug with no published product gets the plain shell: the live page says "not found", as before.
    missing = httpx.get(f"{store_url}/product/flux-capacitor", timeout=10).text
    assert "product-early" not in missing
    # The templates themselves are not pages.
    assert httpx.get(f"{store_url}/early-product/es", timeout=10).status_code == 404


def test_the_live_load_replaces_the_early_copy(page):
    live = {"allowed": False}
    page.route_web_socket(EVENTS, lambda socket: socket.connect_to_server() if live["allowed"] else socket.close())
    page.goto(f"{page.store_url}/product/{PRODUCT}")
    expect(page.locator("#product-price")).to_have_text("$5.990")
    # What a stale copy would show (a price changed since the HTML was sent).
    page.evaluate("document.querySelector('#product-early #product-price').textContent = '$1'")
    expect(page.locator("#product-price")).to_have_text("$1")
    live["allowed"] = True  # the page's next reconnect reaches the server
    expect(page.locator("#product-price")).to_have_text("$5.990", timeout=30_000)
    expect(page.locator("#product-early")).to_have_count(0)
    expect(page.locator("#product-name")).to_have_count(1)
    page.get_by_role("button", name="Add to cart").click()  # the live page's form
    expect(page.locator("#cart-count")).to_have_text("1")


def test_an_unknown_product_gets_no_early_copy_and_says_not_found(page):
    page.goto(f"{page.store_url}/product/flux-capacitor")
    expect(page.locator("#product-not-found")).to_be_visible()
    expect(page.locator("#product-early")).to_have_count(0)


def test_a_fresh_visitor_sees_the_empty_cart_before_the_websocket(page):
    without_websocket(page)
    page.goto(page.store_url + "/cart")
    expect(page.locator("#empty-cart")).to_be_visible()
    text = inner_text(page, "#empty-cart")
    assert "Your cart is empty" in text and "Tu carrito" not in text
    expect(page.get_by_role("link", name="Start shopping")).to_be_visible()


@pytest.mark.language("es-CL")
def test_a_fresh_visitor_sees_the_empty_cart_in_spanish_before_the_websocket(page):
    without_websocket(page)
    page.goto(page.store_url + "/cart")
    expect(page.locator("#empty-cart")).to_be_visible()
    text = inner_text(page, "#empty-cart")
    assert "Tu carrito está vacío" in text and "Your cart" not in text


def test_a_shopper_with_items_never_sees_an_empty_cart(page, context):
    add_on_product_page(page, PRODUCT)
    # Without the websocket the cart can only be unknown: the skeleton, never "empty".
    waiting = context.new_page()
    waiting.add_init_script(WATCH_EMPTY_CART)
    without_websocket(waiting)
    waiting.goto(page.store_url + "/cart")
    expect(waiting.locator("#cart-skeleton")).to_be_visible()
    waiting.wait_for_timeout(1500)
    expect(waiting.locator("#empty-cart")).to_be_hidden()
    assert waiting.evaluate("window.__emptyCartShown") is False
    # With it, the lines arrive, and "empty" was not painted on the way, not even for a frame.
    page.add_init_script(WATCH_EMPTY_CART)
    page.goto(page.store_url + "/cart")
    expect(cart_line(page, "Boldo & Mint Herbal Tea")).to_be_visible()
    assert page.evaluate("window.__emptyCartShown") is False


# Whether a product name other than the expected one was ever on screen, checked before each frame is painted.
WATCH_PRODUCT_NAME = """
window.__otherProductShown = "";
(function check() {
  document.querySelectorAll("#product-name").forEach(function (name) {
    if (name.getClientRects().length && name.textContent !== "%s") window.__otherProductShown = name.textContent;
  });
  requestAnimationFrame(check);
})();
"""


def test_opening_another_product_in_the_same_tab_never_shows_the_previous_one(page):
    # The tab's server-side state still holds the first product when the second page hydrates.
    page.goto(f"{page.store_url}/product/cast-iron-teapot")
    expect(page.locator("#product-name")).to_have_text("Cast Iron Teapot")
    expect(page.locator("#product-early")).to_have_count(0)  # the live page is there
    page.add_init_script(WATCH_PRODUCT_NAME % "Boldo & Mint Herbal Tea")
    page.goto(f"{page.store_url}/product/{PRODUCT}")
    expect(page.locator("#product-early")).to_have_count(0)
    expect(page.locator("#product-name")).to_have_text("Boldo & Mint Herbal Tea")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    assert page.evaluate("window.__otherProductShown") == ""
    page.goto(page.store_url + "/cart")
    expect(cart_line(page, "Boldo & Mint Herbal Tea")).to_be_visible()


# Registered before the page's own scripts. At DOMContentLoaded, ahead of the first frame drawn once the document is
# parsed: whether the mark is on, which cards the frame will draw, and where the first card left out starts.
RECORD_FIRST_FRAME = """
window.__firstFrame = null;
document.addEventListener("DOMContentLoaded", function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll("#product-grid > *"));
  var left = cards.filter(function (card) { return getComputedStyle(card).contentVisibility === "hidden"; });
  window.__firstFrame = {
    marked: document.documentElement.hasAttribute("%s"),
    drawn: cards.map(function (card) { return getComputedStyle(card).contentVisibility !== "hidden"; }),
    firstLeftOutTop: left.length ? left[0].getBoundingClientRect().top : null,
  };
});
""" % FIRST_FRAME_MARK
NO_MARK = f"!document.documentElement.hasAttribute('{FIRST_FRAME_MARK}')"
CARDS_DRAWN = """[...document.querySelectorAll('#product-grid > *')].map((card) =>
    getComputedStyle(card).contentVisibility + ' ' + Math.round(card.getBoundingClientRect().height))"""


def catalog_without_modules(browser, store_url: str, width: int, height: int, *scripts: str, path: str = "/") -> Page:
    """The catalog as its HTML and inline scripts draw it: the modules (hydration, the live load) never load."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for script in scripts:
        page.add_init_script(script)
    page.route(re.compile(r"/assets/.*\.js$"), lambda route: route.abort())
    page.goto(store_url + path)
    return page


@pytest.mark.parametrize("width, height, columns", [(412, 823, 2), (800, 1000, 3), (1280, 900, 4)])
def test_the_catalogs_first_frame_draws_the_rows_on_screen_and_the_rest_next(browser, store_url, width, height,
                                                                            columns):
    page = catalog_without_modules(browser, store_url, width, height, RECORD_FIRST_FRAME)
    try:
        page.wait_for_function(NO_MARK, timeout=5_000)
        first = page.evaluate("window.__firstFrame")
        assert first["marked"], first
        assert first["drawn"] == [True] * (2 * columns) + [False] * (PER_PAGE - 2 * columns), first["drawn"]
        assert first["firstLeftOutTop"] >= height, first  # below the screen: nothing visible was left out
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        cards = page.evaluate(CARDS_DRAWN)
        assert len(cards) == PER_PAGE and all(card.split()[0] == "visible" and int(card.split()[1]) > 300
                                               for card in cards), cards
    finally:
        page.context.close()


@pytest.mark.parametrize("height, path, reload", [(MARKED_MAX_HEIGHT + 100, "/", False), (900, "/#pager", False),
                                                  (900, "/", True)], ids=["tall screen", "fragment", "reload"])
def test_where_the_later_cards_could_be_on_screen_the_first_frame_draws_them_all(browser, store_url, height, path,
                                                                                reload):
    """A screen where the third row shows, a #fragment, a reload (or a return) where the browser restores a scroll
    position: left out, the later cards would show blank, or the position would land among placeholders."""
    page = catalog_without_modules(browser, store_url, 1280, height, RECORD_FIRST_FRAME, path=path)
    try:
        if reload:
            page.locator("#pager").scroll_into_view_if_needed()
            page.wait_for_function("window.scrollY > 1000")
            page.reload()
        page.wait_for_function("window.__firstFrame !== null")
        first = page.evaluate("window.__firstFrame")
        assert first["marked"] is False and first["drawn"] == [True] * PER_PAGE, first
    finally:
        page.context.close()


def test_a_tab_that_draws_no_frame_still_gets_every_card(browser, store_url):
    """A hidden tab runs no animation frames: the mark goes after a second anyway."""
    page = catalog_without_modules(browser, store_url, 1280, 900, "window.requestAnimationFrame = () => 0;")
    try:
        expect(page.locator("#product-grid > *")).to_have_count(PER_PAGE)
        page.wait_for_function(NO_MARK, polling=100, timeout=3_000)  # Playwright polls by frames by default
        assert all(card.startswith("visible") for card in page.evaluate(CARDS_DRAWN))
    finally:
        page.context.close()


def test_without_javascript_the_catalog_draws_every_card_at_once(browser, store_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(store_url + "/")
        cards = page.locator("#product-grid > *")
        expect(cards).to_have_count(PER_PAGE)
        assert page.locator(f"html[{FIRST_FRAME_MARK}]").count() == 0
        last = cards.nth(PER_PAGE - 1)
        expect(last.locator(".product-name")).to_be_visible()
        assert last.bounding_box()["height"] > 300
    finally:
        context.close()
