"""Settling orders against the strict fake Fintoc: the shopper leaving, reconciliation passes over every overdue
order, Fintoc outages, several workers."""

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, OrderStatus as S, Product, as_utc, utcnow
from pepestore.payments.checkout import (
    CANCELLED_ON_FINTOC, EXITED_WIDGET, abandon_checkout, abandon_order, start_checkout,
)
from pepestore.payments.client import FintocClient
from pepestore.payments.reconcile import reconcile_once
from pepestore.store import cart, orders
from pepestore.store.errors import StoreError
from tests.fakes.fintoc_fake import StrictFakeFintoc

STOCK = 500


class Fintoc:
    """The strict fake, behind a switch that makes it unreachable."""

    def __init__(self):
        self.fake = StrictFakeFintoc()
        self.down = False
        self.stock_when_expired: list[int] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Fintoc is down", request=request)
        if request.url.path.endswith("/expire"):
            self.stock_when_expired.append(beanie_stock())
        return self.fake.handle(request)

    def session_reads(self) -> Counter:
        return Counter(r.url.path.rsplit("/", 1)[-1] for r in self.fake.requests
                       if r.method == "GET" and r.url.path.startswith("/v1/checkout_sessions/"))

    def statuses(self) -> set[str]:
        return {s["status"] for s in self.fake.sessions.values()}


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def fintoc(monkeypatch) -> Fintoc:
    fintoc = Fintoc()
    client = FintocClient(fintoc.fake.secret_key, transport=httpx.MockTransport(fintoc.handle), backoff_seconds=0.01)
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", lambda: client)
    monkeypatch.setattr("pepestore.payments.reconcile.fintoc_client", lambda: client)
    return fintoc


async def checkouts(count: int) -> list[Order]:
    with session_scope() as session:
        beanie = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        session.exec(update(Product).where(Product.id == beanie).values(stock=STOCK))
    tokens = []
    for _ in range(count):
        with session_scope() as session:
            tokens.append(cart.add_item(session, "", beanie, 1).cart.token)
    for token in tokens:
        await start_checkout(token, "ana@example.cl", None)
    return all_orders()


def all_orders() -> list[Order]:
    with session_scope() as session:
        return list(session.exec(select(Order).order_by(Order.id)))


def beanie_stock() -> int:
    with session_scope() as session:
        return session.exec(select(Product.stock).where(Product.slug == "wool-beanie")).one()


def past_every_deadline(placed: list[Order]):
    return max(as_utc(order.expires_at) for order in placed) + timedelta(seconds=1)


@pytest.mark.parametrize("leaving", ["widget exit", "Fintoc's cancel page"])
async def test_leaving_settles_then_closes_the_session_at_fintoc_before_releasing_the_stock(engine, fintoc, leaving):
    [order] = await checkouts(1)
    if leaving == "widget exit":
        status, reason = await abandon_checkout(order.public_token)
    else:
        status, reason = await abandon_order(order.id, CANCELLED_ON_FINTOC)
    assert (status, reason) == (S.CANCELLED, EXITED_WIDGET if leaving == "widget exit" else CANCELLED_ON_FINTOC)
    assert fintoc.session_reads()[order.fintoc_session_id] == 1, "Fintoc was asked first"
    assert fintoc.stock_when_expired == [STOCK - 1], "the session was closed while the stock was still held"
    assert fintoc.statuses() == {"expired"} and beanie_stock() == STOCK
    [closed] = all_orders()
    assert closed.fintoc_close_pending_since is None


async def test_leaving_after_paying_keeps_the_payment(engine, fintoc):
    [order] = await checkouts(1)
    fintoc.fake.pay(order.fintoc_session_id)
    status, _ = await abandon_order(order.id, CANCELLED_ON_FINTOC)
    assert status == S.PAID and fintoc.stock_when_expired == [] and beanie_stock() == STOCK - 1


async def test_one_pass_expires_every_overdue_order_not_only_the_oldest_fifty(engine, fintoc):
    placed = await checkouts(60)
    assert beanie_stock() == STOCK - 60
    settled = await reconcile_once(past_every_deadline(placed))
    assert len(settled) == 60 and set(settled.values()) == {"expired"}
    assert {order.status for order in all_orders()} == {S.EXPIRED}
    assert beanie_stock() == STOCK
    assert fintoc.statuses() == {"expired"}


async def test_overdue_orders_expire_while_fintoc_is_down_and_their_sessions_close_when_it_is_back(engine, fintoc):
    placed = await checkouts(3)
    late = past_every_deadline(placed)
    fintoc.down = True
    settled = await reconcile_once(late)
    assert set(settled.values()) == {"expired here; Fintoc unreachable"}
    assert {order.status for order in all_orders()} == {S.EXPIRED}
    assert beanie_stock() == STOCK, "the stock came back without waiting for Fintoc"
    assert fintoc.statuses() == {"created"}
    assert all(order.fintoc_close_pending_since is not None for order in all_orders())

    fintoc.down = False
    settled = await reconcile_once(late + timedelta(minutes=1))
    assert set(settled.values()) == {"session closed at Fintoc; no change"}
    assert fintoc.statuses() == {"expired"}
    assert all(order.fintoc_close_pending_since is None for order in all_orders())
    assert await reconcile_once(late + timedelta(minutes=2)) == {}, "nothing left to do"


async def test_a_cancelled_order_whose_session_could_not_be_closed_is_closed_when_fintoc_is_back(engine, fintoc):
    [order] = await checkouts(1)
    fintoc.down = True
    status, _ = await abandon_checkout(order.public_token)
    assert status == S.CANCELLED and beanie_stock() == STOCK
    assert fintoc.statuses() == {"created"}
    fintoc.down = False
    await reconcile_once(utcnow() + timedelta(minutes=2))
    assert fintoc.statuses() == {"expired"}
    [closed] = all_orders()
    assert closed.status == S.CANCELLED and closed.fintoc_close_pending_since is None


async def test_a_payment_found_while_closing_a_session_is_kept(engine, fintoc):
    [order] = await checkouts(1)
    fintoc.down = True
    await abandon_checkout(order.public_token)
    fintoc.fake.pay(order.fintoc_session_id)  # the shopper paid; its webhook is lost
    fintoc.down = False
    await reconcile_once(utcnow() + timedelta(minutes=2))
    [paid] = all_orders()
    assert paid.status == S.PAID and paid.fintoc_close_pending_since is None
    assert beanie_stock() == STOCK - 1


async def test_two_concurrent_passes_read_each_order_from_fintoc_once(any_engine, fintoc):
    placed = await checkouts(12)
    moment = utcnow() + timedelta(minutes=2)  # old enough to reconcile, not yet overdue
    first, second = await asyncio.gather(reconcile_once(moment), reconcile_once(moment))
    assert sorted([*first, *second]) == [order.id for order in placed]
    assert set(fintoc.session_reads().values()) == {1}
    assert len(fintoc.session_reads()) == 12
    # The next interval, the orders are due again.
    await reconcile_once(moment + timedelta(minutes=1))
    assert set(fintoc.session_reads().values()) == {2}


async def test_a_pass_that_outlasts_its_interval_claims_each_order_from_when_it_reached_it(engine, fintoc,
                                                                                            monkeypatch):
    """A slow live pass (here 20 s per Fintoc read, so six orders take four intervals) must not write claims that
    have already run out when written: each order is held for one interval from the moment the pass reached it,
    so another worker's pass meanwhile does not read it again."""
    from pepestore.payments import reconcile

    await checkouts(6)
    start = utcnow() + timedelta(minutes=2)
    clock = {"now": start}
    monkeypatch.setattr(reconcile, "utcnow", lambda: clock["now"])
    real_settle = reconcile.settle_order

    async def slow_settle(order_id, *args, **kwargs):
        outcome = await real_settle(order_id, *args, **kwargs)
        clock["now"] += timedelta(seconds=20)
        return outcome

    monkeypatch.setattr(reconcile, "settle_order", slow_settle)
    await reconcile.reconcile_once()
    hold = timedelta(seconds=27)  # 0.9 x the 30 s interval
    claims = sorted(as_utc(order.next_check_at) for order in all_orders())
    assert claims == [start + timedelta(seconds=20 * index) + hold for index in range(6)]
    assert len(fintoc.session_reads()) == 6 and set(fintoc.session_reads().values()) == {1}


async def test_many_tabs_on_one_order_ask_fintoc_once(engine, fintoc):
    from pepestore.payments.reconcile import check_for_shopper

    [order] = await checkouts(1)
    outcomes = [await check_for_shopper(order.id) for _ in range(10)]
    assert outcomes.count("checked a moment ago") == 9
    assert fintoc.session_reads()[order.fintoc_session_id] == 1


async def test_a_session_opened_for_an_order_closed_meanwhile_is_closed_at_fintoc(engine, fintoc, monkeypatch):
    with session_scope() as session:
        beanie = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        token = cart.add_item(session, "", beanie, 1).cart.token
    stock = beanie_stock()
    answer = fintoc.fake.handle

    def closing_meanwhile(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/checkout_sessions":
            # While Fintoc answers, another tab's failed attempt gives the order up.
            with session_scope() as session:
                [order] = session.exec(select(Order)).all()
                orders.cancel_order(session, order.id, orders.Source.SYSTEM, "another tab gave up", utcnow())
        return answer(request)

    monkeypatch.setattr(fintoc.fake, "handle", closing_meanwhile)
    with pytest.raises(StoreError, match="se interrumpió"):
        await start_checkout(token, "ana@example.cl", None)
    [order] = all_orders()
    assert order.status == S.CANCELLED and order.fintoc_session_id is not None
    assert fintoc.statuses() == {"expired"}, "the late session can no longer be paid"
    assert order.fintoc_close_pending_since is None
    assert beanie_stock() == stock
