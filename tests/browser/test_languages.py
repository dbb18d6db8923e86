"""Spanish (es-CL) for a first visit, English through the switch, remembered; no page ever shows a raw text key."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from pepestore.i18n import LANGUAGES
from tests.browser.shop import card, cart_count, open_catalog, order_token_from, toast

PREFIXES = sorted({key.split(".")[0] for key in LANGUAGES["es-CL"]})
RAW_KEY = re.compile(r"\b(?:" + "|".join(PREFIXES) + r")\.[a-z_]+\b|\{[a-z_]+\}")
STATUS = "#order-status"


def raw_keys_on(page: Page) -> list[str]:
    return RAW_KEY.findall(page.locator("body").inner_text())


def html_lang(page: Page) -> str:
    return page.evaluate("document.documentElement.lang")


def buy_one(page: Page, slug: str, add: str, pay: str) -> None:
    target = card(page, slug)
    target.get_by_role("button", name=add).click()
    expect(cart_count(page)).to_have_text("1")
    page.goto(page.store_url + "/cart")
    page.locator("#checkout-email").fill("ana@example.cl")
    page.get_by_role("button", name=pay).click()
    dialog = page.get_by_role("dialog", name="Fintoc sandbox payment")
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)


def test_the_prerendered_html_is_spanish(store_url):
    html = httpx.get(store_url + "/", timeout=10).text
    assert re.search(r'<html[^>]*\blang="es-CL"', html), html[:300]
    visible = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)  # the markup, not the code
    assert "Cosas buenas para todos los días" in visible
    assert "Good things for everyday life" not in visible


def test_an_english_readers_page_says_lang_en_from_its_html_alone(page):
    """The language script is a plain <script> in the prerendered <head>. It used to go through react-helmet, which
    adds it only after hydration: until then every prerendered page said lang="es-CL" to an English reader."""
    html = httpx.get(page.store_url + "/cart", timeout=10).text
    assert "pepestore_lang" in html[:html.index("</head>")]
    # No module of the bundle runs (no hydration, no helmet): what the HTML and its inline scripts do is all there is.
    page.route(re.compile(r"/assets/.*\.js$"), lambda route: route.abort())
    for path in ("/", "/cart"):
        page.goto(page.store_url + path)
        assert html_lang(page) == "en", path


@pytest.mark.language("es-CL")
def test_a_first_visit_buys_in_spanish_and_no_page_shows_a_key(page):
    open_catalog(page)
    assert html_lang(page) == "es-CL"
    expect(page.get_by_role("heading", name="Cosas buenas para todos los días")).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text("productos")
    assert raw_keys_on(page) == []
    page.goto(page.store_url + "/product/cast-iron-teapot")
    expect(page.get_by_text("Despacho desde Santiago")).to_be_visible()
    assert raw_keys_on(page) == []
    page.goto(page.store_url + "/cart")
    expect(page.locator("#empty-cart")).to_contain_text("Tu carrito está vacío")
    assert raw_keys_on(page) == []
    open_catalog(page)
    card(page, "wool-beanie").get_by_role("button", name="Agregar al carrito").click()
    expect(toast(page, "Agregaste Merino Wool Beanie a tu carrito.")).to_be_visible()
    page.goto(page.store_url + "/cart")
    expect(page.get_by_role("heading", name="Tu carrito")).to_be_visible()
    expect(page.get_by_text("Resumen del pedido")).to_be_visible()
    assert raw_keys_on(page) == []
    page.locator("#checkout-email").fill("ana@example")
    page.get_by_role("button", name="Pagar con Fintoc").click()
    expect(toast(page, "Ingresa un correo válido")).to_be_visible()
    page.locator("#checkout-email").fill("ana@example.cl")
    page.get_by_role("button", name="Pagar con Fintoc").click()
    dialog = page.get_by_role("dialog", name="Pago de prueba con Fintoc")  # the sandbox's widget speaks it too
    expect(dialog).to_contain_text("Monto a pagar por transferencia")
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Aprobar pago").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
    expect(page.locator(STATUS)).to_contain_text("Pago recibido")
    expect(page.get_by_text(re.compile(r"Hecho el \d{2}-\d{2}-\d{4} \d{2}:\d{2}"))).to_be_visible()
    assert raw_keys_on(page) == []
    page.goto(page.store_url + "/no-such-page")
    expect(page.get_by_text("Esta página no existe")).to_be_visible()
    assert raw_keys_on(page) == []


@pytest.mark.language("es-CL")
def test_the_switch_is_named_by_what_it_shows_and_described_in_the_pages_language(page):
    """WCAG 2.5.3, label in name: a voice-control user says "English", what the button shows."""
    open_catalog(page)
    switch = page.get_by_role("button", name="English", exact=True)
    expect(switch).to_have_id("language-switch")
    expect(switch).to_have_attribute("title", "Cambiar idioma")
    expect(switch.locator("span")).to_have_attribute("lang", "en")
    switch.click()
    switch = page.get_by_role("button", name="Español", exact=True)
    expect(switch).to_have_attribute("title", "Change language")
    expect(switch.locator("span")).to_have_attribute("lang", "es")


@pytest.mark.language("es-CL")
def test_the_switch_changes_to_english_and_the_browser_remembers(page):
    open_catalog(page)
    page.locator("#language-switch").click()
    expect(page.get_by_role("heading", name="Good things for everyday life")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert raw_keys_on(page) == []
    page.reload()
    expect(page.get_by_role("heading", name="Good things for everyday life")).to_be_visible()
    assert html_lang(page) == "en"
    buy_one(page, "linen-notebook-a5", "Add to cart", "Pay with Fintoc")
    expect(page.locator(STATUS)).to_contain_text("Payment received")
    expect(page.get_by_text(re.compile(r"Placed \d{2}-\d{2}-\d{4} \d{2}:\d{2}"))).to_be_visible()
    assert order_token_from(page)
    assert raw_keys_on(page) == []
    page.locator("#language-switch").click()
    expect(page.locator(STATUS)).to_contain_text("Pago recibido")
    expect(page.locator("html")).to_have_attribute("lang", "es-CL")
    page.reload()
    expect(page.locator(STATUS)).to_contain_text("Pago recibido")
