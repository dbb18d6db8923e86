"""What a shopper does, as small helpers the tests read like sentences."""

from playwright.sync_api import Page, expect


def open_catalog(page: Page, query: str = "") -> None:
    page.goto(page.store_url + "/" + query)
    wait_for_live_catalog(page)


def wait_for_live_catalog(page: Page) -> None:
    """The prerendered grid shows at once; wait for this visit's own products (and a hydrated page)."""
    expect(page.locator('#product-grid[data-live="true"], #empty-results')).to_be_visible()


def card(page: Page, slug: str):
    return page.locator(f'.product-card[data-slug="{slug}"]')


def add_from_card(page: Page, slug: str, quantity: int = 1) -> None:
    target = card(page, slug)
    target.get_by_label("Quantity").fill(str(quantity))
    target.get_by_role("button", name="Add to cart").click()


def cart_count(page: Page):
    return page.locator("#cart-count")


def toast(page: Page, text: str):
    return page.locator("[data-sonner-toast]").filter(has_text=text)


def visible_prices(page: Page) -> list[int]:
    labels = page.locator(".product-card .product-price").all_inner_texts()
    return [int(label.replace("$", "").replace(".", "")) for label in labels]


def open_cart(page: Page) -> None:
    page.goto(page.store_url + "/cart")
    expect(page.locator("#cart-lines, #empty-cart")).to_be_visible()


def cart_line(page: Page, name: str):
    return page.locator(".cart-line").filter(has_text=name)


def add_on_product_page(page: Page, slug: str, quantity: int = 1) -> None:
    page.goto(f"{page.store_url}/product/{slug}")
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(toast(page, "to your cart")).to_be_visible()


def start_payment(page: Page, email: str = "ana@example.cl"):
    """From the cart: enter the email, press Pay, and return the sandbox widget's dialog."""
    open_cart(page)
    page.locator("#checkout-email").fill(email)
    page.get_by_role("button", name="Pay with Fintoc").click()
    return page.get_by_role("dialog", name="Fintoc sandbox payment")


def order_token_from(page: Page) -> str:
    return page.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
