"""A shopper in headless Chromium against the real store: browse, find, open, add, change, keep the cart."""

import re

from playwright.sync_api import expect

from tests.browser.shop import (
    add_from_card, card, cart_count, cart_line, choose_language, open_cart, open_catalog, toast, visible_prices,
    wait_for_live_catalog,
)

PRICE = re.compile(r"^\$\d{1,3}(\.\d{3})*$")


def test_catalog_shows_the_seeded_products_with_chilean_prices_and_real_images(page):
    open_catalog(page)
    cards = page.locator(".product-card")
    expect(cards).to_have_count(24)
    for label in page.locator(".product-card .product-price").all_inner_texts():
        assert PRICE.match(label), label
    expect(card(page, "cast-iron-teapot")).to_contain_text("$32.990")
    expect(card(page, "cast-iron-teapot")).to_contain_text("Only 3 left")
    open_catalog(page, "?page=2")  # sold-out products come last
    sold_out = card(page, "pour-over-dripper")
    expect(sold_out).to_contain_text("Out of stock")
    expect(sold_out.get_by_role("button", name="Sold out")).to_be_disabled()
    first_image = cards.first.locator("img")
    first_image.scroll_into_view_if_needed()
    expect(first_image).to_have_js_property("complete", True)
    assert first_image.evaluate("img => img.naturalWidth") >= 300


def test_search_lives_in_the_url_and_survives_a_reload(page):
    open_catalog(page)
    page.get_by_label("Search products").fill("mug")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"\?q=mug$"))
    expect(page.locator(".product-card")).to_have_count(2)
    page.reload()
    expect(page.locator(".product-card")).to_have_count(2)
    expect(page.get_by_label("Search products")).to_have_value("mug")


def test_empty_results_are_friendly_and_lead_back(page):
    open_catalog(page, "?q=submarine")
    expect(page.locator("#empty-results")).to_contain_text("Nothing matches that")
    page.get_by_role("button", name="Show all products").click()
    expect(page.locator(".product-card")).to_have_count(24)


def test_category_filter_is_built_from_the_data_and_kept_in_the_url(page):
    open_catalog(page)
    chips = page.locator("#category-filter .category-chip").all_inner_texts()
    assert chips == ["All", "Apparel", "Coffee & Tea", "Home", "Kitchen", "Outdoors", "Plants", "Stationery"]
    page.locator("#category-filter").get_by_role("link", name="Plants").click()
    page.wait_for_url(re.compile(r"\?category=Plants$"))
    expect(page.locator(".product-card")).to_have_count(4)
    page.reload()
    expect(page.locator(".product-card")).to_have_count(4)
    for category in page.locator(".product-card").all_inner_texts():
        assert "PLANTS" in category.upper()


def test_sorting_is_in_the_url_and_a_shared_link_shows_the_same_view(page):
    open_catalog(page)
    # A native select: the browser's own menu, chosen as a keyboard or a phone's picker would.
    page.get_by_label("Sort products").select_option(label="Price: low to high")
    page.wait_for_url(re.compile(r"\?sort=price_asc$"))
    expect(page.locator(".product-card")).to_have_count(24)
    prices = visible_prices(page)
    assert prices == sorted(prices)
    open_catalog(page, "?category=Kitchen&sort=price_desc")
    expect(page.locator(".product-card")).to_have_count(4)
    prices = visible_prices(page)
    assert prices == sorted(prices, reverse=True)


def test_product_page_and_adding_a_quantity(page):
    open_catalog(page)
    card(page, "wool-beanie").locator(".product-name").click()
    page.wait_for_url(re.compile(r"/product/wool-beanie$"))
    expect(page.locator("#product-name")).to_have_text("Merino Wool Beanie")
    expect(page.locator("#product-price")).to_have_text("$12.990")
    expect(page.get_by_text("Soft merino beanie")).to_be_visible()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(toast(page, "Added Merino Wool Beanie to your cart.")).to_be_visible()
    expect(cart_count(page)).to_have_text("2")


def test_unknown_product_and_unknown_page_get_proper_not_found_pages(page):
    page.goto(page.store_url + "/product/flux-capacitor")
    expect(page.locator("#product-not-found")).to_contain_text("We couldn't find that product")
    page.goto(page.store_url + "/no/such/page")
    expect(page.locator("#page-not-found")).to_contain_text("This page doesn't exist")


def test_cart_steppers_totals_and_remove(page):
    open_catalog(page)
    add_from_card(page, "ceramic-mug-terracotta", 2)
    expect(cart_count(page)).to_have_text("2")
    add_from_card(page, "linen-notebook-a5", 1)
    expect(cart_count(page)).to_have_text("3")
    open_cart(page)
    mug = cart_line(page, "Terracotta Ceramic Mug")
    expect(mug.locator(".line-total")).to_have_text("$17.980")
    expect(page.locator("#cart-subtotal")).to_have_text("$28.970")
    mug.get_by_role("button", name="One more").click()
    expect(mug.locator(".qty-value")).to_have_text("3")
    expect(mug.locator(".line-total")).to_have_text("$26.970")
    expect(page.locator("#cart-subtotal")).to_have_text("$37.960")
    mug.get_by_role("button", name="One less").click()
    expect(mug.locator(".qty-value")).to_have_text("2")
    cart_line(page, "Linen Notebook A5").get_by_role("button", name="Remove").click()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator("#cart-subtotal")).to_have_text("$17.980")
    expect(cart_count(page)).to_have_text("2")
    mug.get_by_role("button", name="Remove").click()
    expect(page.locator("#empty-cart")).to_contain_text("Your cart is empty")


def test_cart_survives_reload_closed_tab_and_new_tab(page, context):
    open_catalog(page)
    add_from_card(page, "monstera-deliciosa", 1)
    expect(cart_count(page)).to_have_text("1")
    open_cart(page)
    page.reload()
    expect(cart_line(page, "Monstera Deliciosa")).to_be_visible()
    second_tab = context.new_page()
    second_tab.store_url = page.store_url
    open_cart(second_tab)
    expect(cart_line(second_tab, "Monstera Deliciosa").locator(".qty-value")).to_have_text("1")
    page.close()
    second_tab.close()
    later = context.new_page()
    later.store_url = second_tab.store_url
    open_catalog(later)
    expect(cart_count(later)).to_have_text("1")


def test_stock_limit_is_enforced_and_explained(page):
    page.goto(page.store_url + "/product/cast-iron-teapot")
    expect(page.locator("#product-name")).to_have_text("Cast Iron Teapot")
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Add to cart").click()
    expect(toast(page, "Only 3 of Cast Iron Teapot in stock, so your cart has 3.")).to_be_visible()
    expect(cart_count(page)).to_have_text("3")
    open_cart(page)
    teapot = cart_line(page, "Cast Iron Teapot")
    teapot.get_by_role("button", name="One more").click()
    expect(toast(page, "Only 3 of Cast Iron Teapot in stock, so your cart has 3.")).to_be_visible()
    expect(teapot.locator(".qty-value")).to_have_text("3")


def test_bad_quantity_typed_by_the_shopper_is_refused_with_a_message(page):
    open_catalog(page)
    add_from_card(page, "wool-beanie", 0)
    expect(toast(page, "Quantity must be a whole number from 1 to 20.")).to_be_visible()
    expect(cart_count(page)).to_have_count(0)


def test_phone_width_has_no_sideways_scrolling(browser, store_url):
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    choose_language(phone, store_url)
    page = phone.new_page()
    page.store_url = store_url
    try:
        open_catalog(page)
        add_from_card(page, "wool-beanie", 1)
        expect(cart_count(page)).to_have_text("1")
        for path in ("/", "/product/wool-beanie", "/cart"):
            page.goto(store_url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    finally:
        phone.close()


def test_paging_through_the_catalog_with_real_links(page):
    open_catalog(page)
    expect(page.locator("#result-count")).to_have_text("28 products · page 1 of 2")
    first_page = set(page.locator(".product-card").evaluate_all("cards => cards.map(c => c.dataset.slug)"))
    assert len(first_page) == 24
    expect(page.locator("#pager a[href='/?page=2']").first).to_be_visible()  # a crawler can follow it
    page.locator("#page-next").click()
    page.wait_for_url(re.compile(r"/\?page=2$"))
    wait_for_live_catalog(page)
    expect(page.locator("#result-count")).to_have_text("28 products · page 2 of 2")
    expect(page.locator(".product-card")).to_have_count(4)
    second_page = set(page.locator(".product-card").evaluate_all("cards => cards.map(c => c.dataset.slug)"))
    assert not first_page & second_page
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    page.reload()  # the page lives in the URL
    wait_for_live_catalog(page)
    expect(page.locator(".product-card")).to_have_count(4)
    page.get_by_role("link", name="Page 1").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".product-card")).to_have_count(24)


def test_paging_combines_with_search_sort_and_category(page):
    open_catalog(page, "?sort=price_desc&page=2")
    expect(page.locator(".product-card")).to_have_count(4)
    prices_page_2 = visible_prices(page)
    page.locator("#page-prev").click()
    page.wait_for_url(re.compile(r"/\?sort=price_desc$"))
    expect(page.locator(".product-card")).to_have_count(24)
    assert min(visible_prices(page)) >= max(prices_page_2)
    # A category link keeps the sort and goes back to page 1; a search keeps the category.
    page.locator("#category-filter").get_by_role("link", name="Kitchen").click()
    page.wait_for_url(re.compile(r"/\?category=Kitchen&sort=price_desc$"))
    expect(page.locator(".product-card")).to_have_count(4)
    expect(page.locator("#pager")).to_have_count(0)  # one page: no pager
    page.get_by_label("Search products").fill("board")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=board"))
    assert "category=Kitchen" in page.url and "sort=price_desc" in page.url
    expect(page.locator(".product-card")).to_have_count(1)
    expect(card(page, "rauli-cutting-board")).to_be_visible()


def test_a_page_past_the_end_or_garbage_shows_a_real_page(page):
    for query, count in (("?page=999", 4), ("?page=-2", 24), ("?page=abc", 24), ("?page=1e3", 24)):
        open_catalog(page, query)
        expect(page.locator(".product-card")).to_have_count(count)
