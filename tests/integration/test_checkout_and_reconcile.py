"""Checkout against the sandbox over real HTTP, and reconciliation settling what webhooks did not."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, OrderEvent, OrderStatus as S, Product, as_utc, utcnow
from pepestore.payments import gateway
from pepestore.payments.checkout import abandon_checkout, start_checkout
from pepestore.payments.client import FintocClient
from pepestore.payments.errors import FintocConnectionError
from pepestore.payments.reconcile import reconcile_once
from pepestore.payments.sandbox.models import SandboxCheckoutSession
from pepestore.payments.sandbox.service import account
from pepestore.store import cart
from pepestore.store.errors import StoreError
from tests.fakes.fintoc_fake import StrictFakeFintoc
from tests.integration.store_server import StoreServer, reload, stock_of


@pytest.fixture
def store(engine, monkeypatch):
    with StoreServer(monkeypatch) as server:
        yield server


def new_cart(*items) -> str:
    token = ""
    with session_scope() as session:
        for slug, quantity in items:
            product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
            token = cart.add_item(session, token, product_id, quantity).cart.token
    return token


def pause_webhooks() -> None:
    with session_scope() as session:
        account(session).deliveries_paused = True


def sandbox_session(engine, session_id) -> SandboxCheckoutSession:
    with Session(engine) as session:
        return session.get(SandboxCheckoutSession, session_id)


def the_order(engine, token) -> Order:
    with Session(engine) as session:
        return session.exec(select(Order).where(Order.public_token == token)).one()


def approve(store, session_token, action="approve"):
    response = httpx.post(f"{store.url}/sandbox/fintoc/widget/sessions/{session_token}/{action}",
                          json={"public_key": store.config.public_key, "bank": "BCI"})
    assert response.status_code == 200


def sources(engine, order_id, kind):
    with Session(engine) as session:
        return [e.source for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id,
                                                                         OrderEvent.kind == kind))]


async def test_checkout_opens_one_session_for_exactly_the_order_total(store, engine):
    token = new_cart(("wool-beanie", 2), ("linen-notebook-a5", 1))
    start = await start_checkout(token, "ana@example.cl", "tab-1")
    order = the_order(engine, start.order_token)
    remote = sandbox_session(engine, order.fintoc_session_id)
    assert (remote.amount, remote.currency) == (order.total, "CLP") == (36970, "CLP")
    assert remote.session_token == start.session_token
    assert remote.success_url == f"{store.url}/order/{start.order_token}"
    assert remote.cancel_url == f"{store.url}/order/{start.order_token}?cancelled=1"
    assert '"order_id": "%d"' % order.id in remote.metadata_json
    assert '"order_token": "%s"' % order.public_token in remote.metadata_json
    assert abs(as_utc(remote.expires_at) - as_utc(order.expires_at)) < timedelta(seconds=1)
    assert start.public_key == store.config.public_key and start.widget_url.endswith("/widget.js")
    assert start.redirect_url.startswith(f"{store.url}/sandbox/fintoc/pay/")


async def test_checking_out_twice_reuses_the_order_and_its_session(store, engine):
    token = new_cart(("wool-beanie", 1))
    first = await start_checkout(token, "ana@example.cl", "tab-1")
    second = await start_checkout(token, "ana@example.cl", "tab-2")
    assert (first.order_token, first.session_token) == (second.order_token, second.session_token)
    with Session(engine) as session:
        assert len(session.exec(select(Order)).all()) == 1
        assert len(session.exec(select(SandboxCheckoutSession)).all()) == 1
    assert stock_of(engine, "wool-beanie") == 2


async def test_a_fintoc_outage_releases_the_stock_at_once_and_a_retry_starts_afresh(store, engine, monkeypatch):
    token = new_cart(("cast-iron-teapot", 3))
    dead = FintocClient("sk_test_x", base_url="http://127.0.0.1:9", max_retries=0)
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", lambda: dead)
    with pytest.raises(FintocConnectionError):
        await start_checkout(token, "ana@example.cl", None)
    with Session(engine) as session:
        [failed] = session.exec(select(Order)).all()
    assert failed.status == S.CANCELLED and "Fintoc could not open the payment" in failed.status_reason
    assert stock_of(engine, "cast-iron-teapot") == 3, "the stock is not held for the order's 30 minutes"
    assert sources(engine, failed.id, "cancelled") == ["system"]
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", gateway.fintoc_client)
    start = await start_checkout(token, "ana@example.cl", None)
    retried = the_order(engine, start.order_token)
    assert retried.id != failed.id and retried.status == S.PENDING_PAYMENT and retried.fintoc_session_id
    assert stock_of(engine, "cast-iron-teapot") == 0


async def test_a_session_for_another_amount_releases_the_stock_and_is_closed_at_fintoc(engine, monkeypatch):
    fake = StrictFakeFintoc()

    def lying(request: httpx.Request) -> httpx.Response:
        response = fake.handle(request)
        if request.method == "POST" and request.url.path == "/v1/checkout_sessions":
            body = response.json()
            fake.sessions[body["id"]]["amount"] = body["amount"] = body["amount"] + 1
            return httpx.Response(response.status_code, json=body)
        return response

    client = FintocClient(fake.secret_key, transport=httpx.MockTransport(lying))
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", lambda: client)
    monkeypatch.setattr("pepestore.payments.reconcile.fintoc_client", lambda: client)
    with pytest.raises(StoreError, match="otro monto"):
        await start_checkout(new_cart(("cast-iron-teapot", 2)), "ana@example.cl", None)
    with Session(engine) as session:
        [order] = session.exec(select(Order)).all()
    assert order.status == S.CANCELLED and "not 65980 CLP" in order.status_reason
    assert stock_of(engine, "cast-iron-teapot") == 3
    assert fake.sessions[order.fintoc_session_id]["status"] == "expired"
    assert order.fintoc_close_pending_since is None


async def test_the_session_key_names_the_order_by_id_and_public_token(engine, monkeypatch):
    # An order id alone can come back (a database reset or restored); Fintoc would replay another order's session.
    fake = StrictFakeFintoc()
    client = FintocClient(fake.secret_key, transport=fake.transport)
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", lambda: client)
    start = await start_checkout(new_cart(("wool-beanie", 1)), "ana@example.cl", None)
    order = the_order(engine, start.order_token)
    [create] = [r for r in fake.requests if r.url.path == "/v1/checkout_sessions"]
    assert create.headers["idempotency-key"] == f"order-{order.id}-{order.public_token}-checkout-session"


async def test_bad_checkout_input_is_refused_before_anything_is_written(store, engine):
    with pytest.raises(StoreError, match="correo válido"):
        await start_checkout(new_cart(("wool-beanie", 1)), "not-an-email", None)
    with pytest.raises(StoreError, match="carrito está vacío"):
        await start_checkout("forged-token", "ana@example.cl", None)
    with Session(engine) as session:
        assert session.exec(select(Order)).all() == []


async def test_exiting_the_widget_cancels_and_releases_stock(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 3)), "ana@example.cl", None)
    assert stock_of(engine, "cast-iron-teapot") == 0
    status, reason = await abandon_checkout(start.order_token)
    assert status == S.CANCELLED and "closed the payment window" in reason
    assert stock_of(engine, "cast-iron-teapot") == 3


async def test_exiting_after_the_bank_rejected_says_so(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 1)), "ana@example.cl", None)
    pause_webhooks()
    approve(store, start.session_token, "reject")
    status, reason = await abandon_checkout(start.order_token)
    assert status == S.CANCELLED and reason == "the bank failed the payment"


async def test_exiting_after_paying_keeps_the_payment(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 1)), "ana@example.cl", None)
    pause_webhooks()
    approve(store, start.session_token)
    status, _ = await abandon_checkout(start.order_token)
    assert status == S.PAID
    with pytest.raises(StoreError):
        await abandon_checkout("no-such-order")


async def test_a_lost_webhook_is_settled_by_reconciliation(store, engine):
    start = await start_checkout(new_cart(("wool-beanie", 1)), "ana@example.cl", None)
    pause_webhooks()
    approve(store, start.session_token)
    order = the_order(engine, start.order_token)
    assert (await reconcile_once(utcnow()))== {}, "too young to reconcile"
    settled = await reconcile_once(utcnow() + timedelta(minutes=2))
    assert settled == {order.id: "paid"}
    assert reload(engine, order.id).status == S.PAID
    assert sources(engine, order.id, "paid") == ["reconciler"]


async def test_an_overdue_order_is_expired_here_and_at_fintoc(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 2)), "ana@example.cl", None)
    order = the_order(engine, start.order_token)
    late = as_utc(order.expires_at) + timedelta(seconds=1)
    assert await reconcile_once(late) == {order.id: "expired"}
    assert reload(engine, order.id).status == S.EXPIRED
    assert sandbox_session(engine, order.fintoc_session_id).status == "expired"
    assert stock_of(engine, "cast-iron-teapot") == 3


async def test_reconciliation_cancels_a_rejected_payment(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 1)), "ana@example.cl", None)
    pause_webhooks()
    approve(store, start.session_token, "reject")
    order = the_order(engine, start.order_token)
    assert await reconcile_once(utcnow() + timedelta(minutes=2)) == {order.id: "cancelled"}


async def test_concurrent_checkouts_of_one_cart_on_postgres_make_one_order(pg_engine, monkeypatch):
    with StoreServer(monkeypatch):
        token = new_cart(("wool-beanie", 1))
        results = await asyncio.gather(*(start_checkout(token, "ana@example.cl", f"tab-{i}") for i in range(5)),
                                       return_exceptions=True)
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.order_token for r in results}) == 1 and len({r.session_token for r in results}) == 1
    with Session(pg_engine) as session:
        assert len(session.exec(select(Order)).all()) == 1
        assert len(session.exec(select(SandboxCheckoutSession)).all()) == 1
    assert stock_of(pg_engine, "wool-beanie") == 2


async def test_a_cancelled_order_can_no_longer_be_paid_at_fintoc(store, engine):
    start = await start_checkout(new_cart(("cast-iron-teapot", 1)), "ana@example.cl", None)
    await abandon_checkout(start.order_token)
    order = the_order(engine, start.order_token)
    assert sandbox_session(engine, order.fintoc_session_id).status == "expired"


async def test_changing_the_cart_closes_the_replaced_orders_session(store, engine):
    token = new_cart(("wool-beanie", 1))
    first = await start_checkout(token, "ana@example.cl", None)
    with session_scope() as session:
        wool = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        cart.add_item(session, token, wool, 1)
    second = await start_checkout(token, "ana@example.cl", None)
    assert second.order_token != first.order_token
    replaced = the_order(engine, first.order_token)
    assert replaced.status == S.CANCELLED
    assert sandbox_session(engine, replaced.fintoc_session_id).status == "expired"
    assert sandbox_session(engine, the_order(engine, second.order_token).fintoc_session_id).status == "created"
