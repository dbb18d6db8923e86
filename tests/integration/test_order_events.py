"""The order events hook (pepestore/store/order_events.py): once per transition, after commit, whichever path."""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from pepestore.db import session_scope
from pepestore.models import Order, OrderStatus as S, Product, utcnow
from pepestore.payments import signature
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.reconcile import check_for_shopper, reconcile_once
from pepestore.payments.refunds import reconcile_refunds, refund_order
from pepestore.payments.webhook import handle_webhook
from pepestore.store import order_events, orders, staff, staff_actions
from pepestore.store.order_events import TRANSITIONS, OrderChange
from tests.integration.store_server import intent, place_order
from tests.integration.test_refunds import Fintoc, fintoc_says, paid_order


class Heard:
    """Registers on every transition for one test; records what it was told and what the database said then."""

    def __init__(self):
        self.changes: list[OrderChange] = []
        self.status_seen: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, change: OrderChange) -> None:
        with session_scope() as session:  # after commit: the change is visible from a fresh session
            status = session.get(Order, change.order_id).status
        with self.lock:
            self.changes.append(change)
            self.status_seen.append(status)

    def of(self, order_id: int) -> list[tuple[str, str]]:
        return [(c.transition, c.source) for c in self.changes if c.order_id == order_id]


@pytest.fixture
def heard():
    listener = Heard()
    for name in TRANSITIONS:
        order_events.on(name, listener)
    yield listener
    for name in TRANSITIONS:
        order_events.remove(name, listener)


@pytest.fixture
def fintoc(monkeypatch, engine) -> Fintoc:
    from pepestore.payments.client import FintocClient
    import httpx

    fintoc = Fintoc()
    client = FintocClient(fintoc.fake.secret_key, transport=httpx.MockTransport(fintoc.handle), backoff_seconds=0.01,
                          max_retries=0)
    for module in ("checkout", "reconcile", "refunds"):
        monkeypatch.setattr(f"pepestore.payments.{module}.fintoc_client", lambda: client)
    return fintoc


def webhook_body(order: Order, event_id: str) -> bytes:
    return json.dumps({"id": event_id, "type": "payment_intent.succeeded", "object": "event", "mode": "test",
                       "data": intent(order)}).encode()


def deliver(body: bytes):
    return handle_webhook(body, signature.sign(body, get_fintoc_config().webhook_secret), utcnow())


def test_the_same_webhook_delivered_three_times_calls_once_after_commit(engine, heard):
    order = place_order(("wool-beanie", 1))
    body = webhook_body(order, "evt_thrice")
    outcomes = [deliver(body).body.get("outcome", "duplicate") for _ in range(3)]
    assert outcomes == ["paid", "duplicate", "duplicate"]
    assert heard.of(order.id) == [("paid", "webhook")]
    assert heard.status_seen == [S.PAID], "the callback ran before the commit"


def test_two_events_about_one_payment_still_call_once(engine, heard):
    order = place_order(("wool-beanie", 1))
    deliver(webhook_body(order, "evt_a"))
    assert deliver(webhook_body(order, "evt_b")).body["outcome"] == "already paid"
    assert heard.of(order.id) == [("paid", "webhook")]


def test_concurrent_deliveries_on_postgres_call_once(pg_engine, heard):
    with session_scope() as session:
        session.exec(update(Product).where(Product.slug == "wool-beanie").values(stock=10))
    for order in [place_order(("wool-beanie", 1)) for _ in range(5)]:
        bodies = [webhook_body(order, f"evt_{order.id}_{n}") for n in range(4)]  # distinct events, one payment
        start = threading.Barrier(len(bodies))

        def at_once(body):
            start.wait()
            return deliver(body)

        with ThreadPoolExecutor(len(bodies)) as pool:
            answers = list(pool.map(at_once, bodies))
        assert all(a.status == 200 for a in answers), [a.body for a in answers]
        assert heard.of(order.id) == [("paid", "webhook")]


async def test_the_reconciler_calls_for_what_it_settles(engine, fintoc, heard):
    order = await paid_order(fintoc)  # paid through reconcile_once
    assert heard.of(order.id) == [("paid", "reconciler")]
    await reconcile_once(utcnow() + timedelta(minutes=5))
    assert heard.of(order.id) == [("paid", "reconciler")]


async def test_the_order_pages_check_calls_once(engine, fintoc, heard):
    from pepestore.payments.checkout import start_checkout
    from pepestore.store import cart

    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        token = cart.add_item(session, "", product_id, 1).cart.token
    start = await start_checkout(token, "ana@example.cl", None)
    with session_scope() as session:
        order = session.exec(select(Order).where(Order.public_token == start.order_token)).one()
    fintoc.fake.pay(order.fintoc_session_id)
    assert await check_for_shopper(order.id) == "paid"
    with session_scope() as session:  # let the next check through at once
        session.exec(update(Order).where(Order.id == order.id).values(next_check_at=None))
    await check_for_shopper(order.id)
    assert heard.of(order.id) == [("paid", "shopper")]


async def test_back_office_fulfil_and_refund_call_once_each(engine, fintoc, heard):
    with session_scope() as session:
        owner = staff.create_staff(session, "owner@pepestore.cl", "correct horse battery", "owner", utcnow())
    order = await paid_order(fintoc)
    with session_scope() as session:
        staff_actions.mark_shipped(session, order.id, "Starken", "AB123", owner, utcnow())
    assert await refund_order(order.id, order.total, None, owner) is None
    fintoc_says(fintoc, "succeeded")
    await reconcile_refunds(utcnow().replace(year=2100))
    await reconcile_refunds(utcnow().replace(year=2100))
    assert heard.of(order.id) == [("paid", "reconciler"), ("fulfilled", "admin"), ("refunded", "reconciler")]


def test_cancel_and_expire_call_once(engine, heard):
    first, second = place_order(("wool-beanie", 1)), place_order(("cast-iron-teapot", 1))
    for _ in range(2):
        with session_scope() as session:
            orders.cancel_order(session, first.id, orders.Source.SHOPPER, "changed my mind", utcnow())
            orders.expire_order(session, second.id, orders.Source.RECONCILER, utcnow())
    assert heard.of(first.id) == [("cancelled", "shopper")]
    assert heard.of(second.id) == [("expired", "reconciler")]


def test_a_rolled_back_transition_calls_nobody(engine, heard):
    order = place_order(("wool-beanie", 1))
    with pytest.raises(RuntimeError):
        with session_scope() as session:
            orders.cancel_order(session, order.id, orders.Source.SHOPPER, "changed my mind", utcnow())
            raise RuntimeError("something after the transition failed")
    assert heard.of(order.id) == []
    with session_scope() as session:
        assert session.get(Order, order.id).status == S.PENDING_PAYMENT
        orders.cancel_order(session, order.id, orders.Source.SHOPPER, "changed my mind", utcnow())
    assert heard.of(order.id) == [("cancelled", "shopper")]


def test_a_failing_callback_is_logged_and_never_undoes_the_payment(engine, heard, caplog):
    def broken(change):
        raise ValueError("the warehouse is down")

    order_events.on("paid", broken)
    logger = logging.getLogger("pepestore.order_events")
    # An in-process alembic run (logging.config.fileConfig) disables the loggers that existed then: undo that here.
    was_disabled, logger.disabled = logger.disabled, False
    logger.addHandler(caplog.handler)
    try:
        order = place_order(("wool-beanie", 1))
        assert deliver(webhook_body(order, "evt_broken")).body["outcome"] == "paid"
    finally:
        order_events.remove("paid", broken)
        logger.removeHandler(caplog.handler)
        logger.disabled = was_disabled
    with session_scope() as session:
        assert session.get(Order, order.id).status == S.PAID
    assert heard.of(order.id) == [("paid", "webhook")], "a broken callback stopped the next one"
    assert "the warehouse is down" in caplog.text


def test_a_savepoint_rolled_back_after_a_transition_keeps_it_noted(engine, heard):
    order = place_order(("wool-beanie", 1))
    with session_scope() as session:
        orders.cancel_order(session, order.id, orders.Source.SHOPPER, "changed my mind", utcnow())
        with session.begin_nested() as savepoint:
            savepoint.rollback()
    assert heard.of(order.id) == [("cancelled", "shopper")]


def test_an_unknown_transition_is_refused_at_registration():
    with pytest.raises(ValueError, match="unknown order transition"):
        order_events.on("shipped", print)
