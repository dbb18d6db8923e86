"""The money rules where a busy store runs: PostgreSQL, Redis, two app instances behind nginx.

The tests run in file order: some stop and start instances, and the last checks the stock invariant
over everything the others did.
"""

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, update
from sqlmodel import Session, create_engine, select

from pepestore.models import Order, OrderLine, OrderStatus as S, PaymentEvent, Product
from pepestore.payments import signature
from pepestore.payments.sandbox.models import SandboxAccount, SandboxWebhook
from pepestore.security_headers import security_headers
from pepestore.settings import load_settings
from pepestore.store.catalog_data import SEED_PRODUCTS
from tests.browser.shop import add_on_product_page, cart_count, choose_language, order_token_from, start_payment, toast

STATUS = "#order-status"


@pytest.fixture(scope="module")
def db(topology):
    engine = create_engine(topology.database_url)
    yield engine
    engine.dispose()


def set_paused(db, paused: bool) -> None:
    with Session(db) as session:
        session.exec(update(SandboxAccount).values(deliveries_paused=paused))
        session.commit()


def webhook_secret(db) -> str:
    with Session(db) as session:
        return session.exec(select(SandboxAccount.webhook_secret)).one()


def order_by_token(db, token) -> Order:
    with Session(db) as session:
        return session.exec(select(Order).where(Order.public_token == token)).one()


def post_signed(url: str, body: bytes, secret: str) -> httpx.Response:
    return httpx.post(f"{url}/payments/webhook", content=body, timeout=30,
                      headers={"Fintoc-Signature": signature.sign(body, secret), "Content-Type": "application/json"})


def pay_in_widget(dialog, bank="BCI"):
    dialog.get_by_role("button", name=bank).click()
    dialog.get_by_role("button", name="Approve payment").click()


def test_nginx_and_every_instance_are_healthy(topology):
    for url in [topology.url, *topology.instance_urls]:
        health = httpx.get(f"{url}/health").json()
        assert health == {**health, "ok": True, "database": "ok", "redis": "ok"}


def test_nginx_sends_the_apps_security_headers_on_pages_assets_and_backend_routes(topology):
    expected = security_headers(load_settings(topology.env))
    static = Path(topology.env["PEPESTORE_RUN_DIR"]) / "static"
    asset = "/" + next(static.glob("assets/*.js")).relative_to(static).as_posix()
    for path in ["/", "/cart", "/product/wool-beanie", "/nowhere", asset, "/health", "/payments/webhook",
                 "/sandbox/fintoc/widget.js"]:
        response = httpx.get(topology.url + path)
        assert response.status_code < 500, path
        for name, value in expected.items():
            assert response.headers.get_list(name) == [value], f"{path}: {name}"
    assert httpx.get(topology.url + "/sandbox/fintoc/widget.js").status_code == 200, "the sandbox runs here"


def test_nginx_keeps_hashed_assets_a_year_and_revalidates_pages(topology):
    static = Path(topology.env["PEPESTORE_RUN_DIR"]) / "static"
    for asset in [next(static.glob("assets/*.js")), next(static.glob("assets/*.css"))]:
        response = httpx.get(topology.url + "/" + asset.relative_to(static).as_posix())
        assert response.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"], asset.name
    for path in ["/", "/cart", "/product/wool-beanie"]:
        response = httpx.get(topology.url + path)
        assert response.status_code == 200 and response.headers.get_list("cache-control") == ["no-cache"], path


def test_twenty_shoppers_race_for_the_last_unit_through_both_instances(topology, db, browser):
    slug = "pour-over-dripper"
    with Session(db) as session:
        session.exec(update(Product).where(Product.slug == slug).values(stock=1))
        session.commit()
    topology.baseline_overrides[slug] = 1
    shoppers = []
    try:
        for _ in range(20):
            context = browser.new_context(viewport={"width": 1100, "height": 800})
            context.set_default_timeout(30_000)
            choose_language(context, topology.url)
            page = context.new_page()
            page.store_url = topology.url
            add_on_product_page(page, slug, 1)
            page.goto(topology.url + "/cart")
            page.locator("#checkout-email").fill("ana@example.cl")
            shoppers.append(page)
        for page in shoppers:  # as close to "at once" as one browser can click
            page.get_by_role("button", name="Pay with Fintoc").click(no_wait_after=True)
        widgets, sold_out = 0, 0
        for page in shoppers:
            dialog = page.get_by_role("dialog", name="Fintoc sandbox payment")
            refusal = toast(page, "just sold out").or_(toast(page, "is sold out"))
            # A toast lasts a few seconds and the pages are looked at one after another: a refused shopper whose
            # toast has already gone still reads it on the refreshed cart line.
            told = refusal.or_(page.get_by_text("Sold out — remove it to check out."))
            expect(dialog.or_(told).first).to_be_visible()
            if dialog.count():
                widgets += 1
            elif told.count():
                sold_out += 1
        assert (widgets, sold_out) == (1, 19)
    finally:
        for page in shoppers:
            page.context.close()
    with Session(db) as session:
        assert session.exec(select(Product.stock).where(Product.slug == slug)).one() == 0
        held = session.exec(select(func.count()).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
                            .where(Order.status == S.PENDING_PAYMENT)).one()
        assert held == 1


def test_the_same_webhook_50_times_at_once_on_both_instances_has_one_effect(topology, db, page):
    set_paused(db, True)
    try:
        add_on_product_page(page, "wool-beanie", 1)
        pay_in_widget(start_payment(page))
        page.wait_for_url(re.compile(r"/order/[\w-]+$"))
        order = order_by_token(db, order_token_from(page))
        with Session(db) as session:
            events = session.exec(select(SandboxWebhook).where(SandboxWebhook.status == "pending")).all()
            body = next(e.body for e in events if e.type == "payment_intent.succeeded"
                        and json.loads(e.body)["data"]["metadata"].get("order_id") == str(order.id)).encode()
            session.exec(update(SandboxWebhook).where(SandboxWebhook.status == "pending").values(status="failed"))
            session.commit()
        secret = webhook_secret(db)
        targets = [topology.instance_urls[i % 2] for i in range(50)]
        with ThreadPoolExecutor(25) as pool:
            statuses = list(pool.map(lambda url: post_signed(url, body, secret).status_code, targets))
        assert statuses == [200] * 50
        with Session(db) as session:
            stored = session.exec(select(PaymentEvent).where(PaymentEvent.order_id == order.id)).all()
        assert [e.outcome for e in stored] == ["paid"]
        expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
    finally:
        set_paused(db, False)


def test_a_page_on_one_instance_sees_a_payment_confirmed_on_the_other(topology, db, page):
    topology.run("stop-instance", "2")  # the shopper can only connect to instance 1
    set_paused(db, True)
    try:
        add_on_product_page(page, "linen-notebook-a5", 1)
        pay_in_widget(start_payment(page))
        page.wait_for_url(re.compile(r"/order/[\w-]+$"))
        expect(page.locator(STATUS)).to_have_attribute("data-status", "pending_payment")
        page.evaluate("window.__sameDocument = true")
        topology.run("start-instance", "2")
        order = order_by_token(db, order_token_from(page))
        with Session(db) as session:
            body = next(e.body for e in session.exec(select(SandboxWebhook).where(SandboxWebhook.status == "pending"))
                        if json.loads(e.body)["type"] == "checkout_session.finished"
                        and json.loads(e.body)["data"]["metadata"].get("order_id") == str(order.id)).encode()
        response = post_signed(topology.instance_urls[1], body, webhook_secret(db))
        assert response.json()["outcome"] == "paid", "instance 2 made the transition"
        expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
        assert page.evaluate("window.__sameDocument === true")
    finally:
        set_paused(db, False)


def test_a_stopped_instance_mid_checkout_loses_nothing(topology, db, page):
    topology.run("stop-instance", "2")
    add_on_product_page(page, "soy-candle-maqui", 2)  # connected to instance 1, the only one up
    expect(cart_count(page)).to_have_text("2")
    topology.run("start-instance", "2")
    topology.run("stop-instance", "1")  # the shopper's instance goes away mid-checkout
    try:
        page.get_by_role("link", name="Open cart").click()
        expect(page.locator(".cart-line")).to_have_count(1, timeout=30_000)
        expect(cart_count(page)).to_have_text("2")
        page.locator("#checkout-email").fill("ana@example.cl")
        page.get_by_role("button", name="Pay with Fintoc").click()
        pay_in_widget(page.get_by_role("dialog", name="Fintoc sandbox payment"))
        page.wait_for_url(re.compile(r"/order/[\w-]+$"))
        expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=30_000)
    finally:
        topology.run("start-instance", "1")


def test_the_order_limit_is_one_count_across_both_instances(topology, db, page):
    """LIMIT_ORDERS_PER_BROWSER=3 (see conftest): two checkouts on instance 1, one on instance 2, then refused."""
    EMAIL = "limits@example.cl"

    def checkout_then_close():
        dialog = start_payment(page, EMAIL)
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Close").first.click()
        expect(toast(page, "Payment cancelled")).to_be_visible()

    topology.run("stop-instance", "2")
    try:
        add_on_product_page(page, "soy-candle-maqui", 1)
        checkout_then_close()
        checkout_then_close()
    finally:
        topology.run("start-instance", "2")
    topology.run("stop-instance", "1")
    try:
        checkout_then_close()  # the third, counted on instance 2 beside the two counted on instance 1
        start_payment(page, EMAIL)
        expect(toast(page, "several checkouts in a short time")).to_be_visible()
        expect(page.get_by_role("dialog", name="Fintoc sandbox payment")).to_have_count(0)
    finally:
        topology.run("start-instance", "1")
    with Session(db) as session:
        placed = session.exec(select(Order.status).where(Order.customer_email == EMAIL)).all()
    assert sorted(placed) == [S.CANCELLED] * 3  # the refused fourth reserved nothing


def test_photos_are_served_by_every_instance_and_cached_by_nginx(topology, db):
    """A photo stored once (in the shared database) is served by nginx and both instances; nginx caches it; the
    upload route refuses a stranger and an oversized body."""
    import io

    from PIL import Image

    from pepestore.catalog_models import ProductPhoto
    from pepestore.store import photos

    out = io.BytesIO()
    Image.new("RGB", (1500, 1000), (90, 30, 160)).save(out, "JPEG")
    done = photos.process(out.getvalue())
    with Session(db) as session:
        product_id = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        session.add(ProductPhoto(product_id=product_id, digest=done.digest, position=99, width=done.width,
                                 height=done.height, large=done.large, small=done.small))
        session.commit()
    path = photos.photo_url(done.digest, "large")
    for url in [*topology.instance_urls, topology.url]:
        answer = httpx.get(url + path)
        assert answer.status_code == 200 and answer.content == done.large, url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert httpx.get(topology.url + path).headers.get("x-cache-status") == "HIT"
    assert httpx.post(topology.url + "/_upload", content=b"x" * 100).status_code == 401
    too_big = httpx.post(topology.url + "/_upload", content=b"x" * (27 * 1024 * 1024), timeout=30)
    assert too_big.status_code == 413


def test_stock_is_conserved_over_everything_above(topology, db):
    time.sleep(1)
    with Session(db) as session:
        for item in SEED_PRODUCTS:
            product = session.exec(select(Product).where(Product.slug == item.slug)).one()
            held = session.exec(
                select(func.coalesce(func.sum(OrderLine.quantity), 0)).join(Order, Order.id == OrderLine.order_id)
                .where(OrderLine.product_id == product.id, Order.status.in_([S.PENDING_PAYMENT, S.PAID]))
            ).one()
            baseline = topology.baseline_overrides.get(item.slug, item.stock)
            assert product.stock >= 0
            assert baseline == product.stock + held, item.slug
