"""When the database is gone (or anything else fails), pages say so and offer Retry; nothing spins forever."""

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from pepestore.models import Order, OrderStatus, Product
from pepestore.state import checkout as checkout_state
from pepestore.state.cart import CART_UNAVAILABLE, CartState
from pepestore.state.catalog import CatalogState
from pepestore.state.checkout import ABANDON_FAILED, CHECKOUT_FAILED, CheckoutState
from pepestore.state import order as order_state
from pepestore.state.order import OrderState
from pepestore.state.product import ProductState
from tests.integration.store_server import place_order
from tests.unit.reflex_helpers import new_state, toasts, visit


class DatabaseFile:
    """The store's SQLite file, which a test can make vanish and come back, as a lost disk or a bad deploy would."""

    def __init__(self, url: str):
        self.path = Path(make_url(url).database)
        self.away = self.path.with_name("moved-away.db")

    def vanish(self) -> None:
        self.path.rename(self.away)

    def come_back(self) -> None:
        if self.away.exists():
            self.away.rename(self.path)


@pytest.fixture
def database(engine, sqlite_url):
    file = DatabaseFile(sqlite_url)
    yield file
    file.come_back()


def product_id(engine, slug: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Product.id).where(Product.slug == slug)).one()


def logged_failures(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.exc_info and record.levelno >= logging.ERROR]


async def test_catalog_load_shows_the_error_while_the_database_is_gone_and_recovers_on_retry(database, caplog):
    catalog = await new_state(CatalogState)
    visit(catalog, "/?q=mug")
    database.vanish()
    assert await catalog.load() is None
    assert catalog.load_failed and catalog.products == []
    assert catalog.search == "mug"  # the page still reflects its URL
    assert logged_failures(caplog) == ["CatalogState.load failed"]
    database.come_back()
    await catalog.load()  # what Retry runs
    assert not catalog.load_failed and not catalog.loading
    assert [p.name for p in catalog.products] == ["Terracotta Ceramic Mug", "Enamel Camp Mug"]


async def test_catalog_load_catches_any_service_failure(engine, monkeypatch):
    def broken(*_args):
        raise RuntimeError("a bug in the catalog service")

    monkeypatch.setattr("pepestore.store.catalog.list_page", broken)
    catalog = await new_state(CatalogState)
    visit(catalog, "/")
    await catalog.load()
    assert catalog.load_failed


async def test_product_load_shows_the_error_not_a_missing_product(database, caplog):
    page = await new_state(ProductState)
    visit(page, "/product/cast-iron-teapot")
    database.vanish()
    await page.load()
    assert page.load_failed and not page.not_found
    assert logged_failures(caplog) == ["ProductState.load failed"]
    database.come_back()
    await page.load()
    assert not page.load_failed and page.product.name == "Cast Iron Teapot"


async def test_cart_load_shows_the_error_and_keeps_the_token(engine, database):
    cart = await new_state(CartState)
    await cart.add_to_cart(product_id(engine, "wool-beanie"), 2)
    token = cart.token
    fresh_tab = await new_state(CartState)
    fresh_tab.token = token
    database.vanish()
    assert toasts(await fresh_tab.load()) == []
    assert fresh_tab.load_failed and not fresh_tab.loaded
    assert fresh_tab.token == token, "a failed read must not look like an unknown cart and throw the token away"
    database.come_back()
    await fresh_tab.load()
    assert not fresh_tab.load_failed and [(r.name, r.quantity) for r in fresh_tab.rows] == [("Merino Wool Beanie", 2)]


async def test_order_load_shows_the_error(database, caplog):
    page = await new_state(OrderState)
    visit(page, "/order/" + "t" * 32)  # well formed, so the page has to ask the database
    database.vanish()
    assert await page.load() is None
    assert page.load_failed and not page.not_found
    assert logged_failures(caplog) == ["OrderState.load failed"]
    database.come_back()
    await page.load()
    assert not page.load_failed and page.not_found


async def test_cart_changes_answer_a_database_failure_with_a_toast(engine, database, caplog):
    cart = await new_state(CartState)
    pen = product_id(engine, "brass-fountain-pen")
    await cart.add_to_cart(pen, 1)
    database.vanish()
    for change in (cart.add_to_cart(pen, 1), cart.add_from_form({"product_id": str(pen), "quantity": "1"}),
                   cart.set_quantity(pen, 3), cart.remove(pen)):
        assert toasts(await change) == [("error", CART_UNAVAILABLE)]
    assert [(r.name, r.quantity) for r in cart.rows] == [("Brass Fountain Pen", 1)]
    assert len(logged_failures(caplog)) == 4
    database.come_back()
    assert toasts(await cart.set_quantity(pen, 3)) == []
    assert cart.rows[0].quantity == 3


async def pay(checkout: CheckoutState, form_data):
    """Run the background handler the way Reflex does, minus the task (Reflex refuses a direct call)."""
    return await CheckoutState.pay.fn(checkout, form_data)


async def test_pay_with_the_database_gone_stops_spinning_and_says_so(engine, database, caplog):
    cart = await new_state(CartState)
    await cart.add_to_cart(product_id(engine, "wool-beanie"), 1)
    checkout = await cart.get_state(CheckoutState)
    database.vanish()
    assert toasts(await pay(checkout, {"email": "ana@example.cl"})) == [("error", CHECKOUT_FAILED)]
    assert checkout.placing is False
    assert (checkout.session_token, checkout.order_token, checkout.open_count) == ("", "", 0)
    assert logged_failures(caplog) == ["checkout failed"]
    database.come_back()
    with Session(engine) as session:
        assert session.exec(select(Order)).all() == []


async def test_pay_resets_and_tells_the_shopper_on_any_unexpected_error(engine, monkeypatch):
    async def broken_checkout(*_args):
        raise KeyError("session_token")  # e.g. a provider answer the code did not expect

    monkeypatch.setattr(checkout_state, "start_checkout", broken_checkout)
    checkout = await new_state(CheckoutState)
    assert toasts(await pay(checkout, {"email": "ana@example.cl"})) == [("error", CHECKOUT_FAILED)]
    assert checkout.placing is False and checkout.session_token == "" and checkout.open_count == 0
    # A second press works again instead of being taken for a double click.
    assert toasts(await pay(checkout, {"email": "ana@example.cl"})) == [("error", CHECKOUT_FAILED)]


async def test_closing_the_widget_during_a_failure_says_what_happens_to_the_order(engine, monkeypatch, caplog):
    async def broken_abandon(_order_token):
        raise RuntimeError("database went away")

    monkeypatch.setattr(checkout_state, "abandon_checkout", broken_abandon)
    checkout = await new_state(CheckoutState)
    checkout.order_token, checkout.session_token = "t" * 32, "cs_tok_1"
    assert toasts(await CheckoutState.widget_exited.fn(checkout)) == [("error", ABANDON_FAILED)]
    assert checkout.order_token == "" and checkout.session_token == ""
    assert logged_failures(caplog) == [f"abandoning the checkout of order {'t' * 32} failed"]


async def test_a_failed_round_does_not_end_the_order_pages_watch(engine, database, monkeypatch, caplog):
    order = place_order(("wool-beanie", 1))
    page = await new_state(OrderState)
    visit(page, f"/order/{order.public_token}")
    assert getattr(await page.load(), "fn", None) is OrderState.watch.fn
    with Session(engine) as session:  # the webhook's news, which the page must still pick up
        session.get(Order, order.id).status = OrderStatus.PAID
        session.commit()
    database.vanish()
    rounds = []

    async def next_round(_seconds):
        rounds.append(1)
        if len(rounds) == 3:
            database.come_back()

    monkeypatch.setattr(order_state.asyncio, "sleep", next_round)
    await OrderState.watch.fn(page)
    assert page.status == OrderStatus.PAID and len(rounds) == 3
    assert logged_failures(caplog) == [f"watching order {order.id} failed"] * 2


async def test_the_order_page_shows_santiago_time(engine):
    from datetime import datetime, timezone

    from sqlalchemy import update
    from sqlmodel import Session

    from pepestore.models import Order
    from pepestore.state.order import OrderState
    from tests.integration.store_server import place_order
    from tests.unit.reflex_helpers import new_state, visit

    order = place_order(("wool-beanie", 1))
    with Session(engine) as session:  # 02:30 UTC on 1 Dec is still 30 Nov in Santiago (UTC-3 in summer)
        session.exec(update(Order).where(Order.id == order.id)
                     .values(created_at=datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)))
        session.commit()
    page = await new_state(OrderState)
    visit(page, f"http://localhost:3000/order/{order.public_token}")
    await page.load()
    assert page.placed_at == "30-11-2026 23:30"
