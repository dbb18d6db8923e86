"""Refunds staff ask for, end to end against the strict fake Fintoc: partial then full, webhooks in every order,
Fintoc unreachable then back, failures, restocking, and two staff refunding at once on PostgreSQL."""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from pepestore.db import session_scope
from pepestore.models import Order, OrderLine, OrderRefund, OrderStatus as S, Product, RefundStatus, utcnow
from pepestore.payments.checkout import start_checkout
from pepestore.payments.client import FintocClient
from pepestore.payments.reconcile import reconcile_once
from pepestore.payments.refunds import UNREACHABLE, reconcile_refunds, refund_order, settle_refund
from pepestore.payments.types import Refund
from pepestore.store import cart, refunds, staff
from pepestore.store.errors import StoreError
from pepestore.store.orders import Source
from tests.fakes.fintoc_fake import StrictFakeFintoc


class Fintoc:
    def __init__(self):
        self.fake = StrictFakeFintoc()
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("Fintoc is down", request=request)
        return self.fake.handle(request)

    def refund_posts(self) -> list[dict]:
        return [json.loads(r.content) | {"key": r.headers.get("idempotency-key")} for r in self.fake.requests
                if r.method == "POST" and r.url.path == "/v1/refunds"]


@pytest.fixture
def fintoc(monkeypatch) -> Fintoc:
    fintoc = Fintoc()
    client = FintocClient(fintoc.fake.secret_key, transport=httpx.MockTransport(fintoc.handle), backoff_seconds=0.01,
                          max_retries=0)
    for module in ("checkout", "reconcile", "refunds"):
        monkeypatch.setattr(f"pepestore.payments.{module}.fintoc_client", lambda: client)
    return fintoc


@pytest.fixture
def owner(engine):
    with session_scope() as session:
        return staff.create_staff(session, "owner@pepestore.cl", "correct horse battery", "owner", utcnow())


async def paid_order(fintoc: Fintoc, slug: str = "brass-table-lamp", quantity: int = 2) -> Order:
    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
        token = cart.add_item(session, "", product_id, quantity).cart.token
    await start_checkout(token, "ana@example.cl", None)
    with session_scope() as session:
        order = session.exec(select(Order).order_by(Order.id.desc())).first()
    fintoc.fake.pay(order.fintoc_session_id)
    with session_scope() as session:
        session.exec(update(Order).where(Order.id == order.id).values(created_at=order.created_at.replace(year=2000)))
    await reconcile_once()
    with session_scope() as session:
        order = session.get(Order, order.id)
    assert order.status == S.PAID
    return order


def reload(order_id: int) -> Order:
    with session_scope() as session:
        return session.get(Order, order_id)


def refund_rows(order_id: int) -> list[OrderRefund]:
    with session_scope() as session:
        return refunds.refunds_of(session, order_id)


def fintoc_says(fintoc: Fintoc, status: str) -> None:
    for refund in fintoc.fake.refunds.values():
        refund["status"] = status


async def test_a_partial_refund_then_the_rest_refunds_the_order(engine, fintoc, owner):
    order = await paid_order(fintoc)
    assert await refund_order(order.id, 30_000, None, owner) is None
    [sent] = fintoc.refund_posts()
    [row] = refund_rows(order.id)
    assert sent["amount"] == 30_000 and sent["resource_id"] == order.payment_intent_id
    assert sent["key"] == f"refund-{row.id}" and sent["metadata"]["refund_id"] == str(row.id)
    assert row.status == RefundStatus.IN_PROGRESS and reload(order.id).refunded_total == 0
    fintoc_says(fintoc, "succeeded")
    await reconcile_refunds(utcnow().replace(year=2100))
    partly = reload(order.id)
    assert (partly.status, partly.refunded_total) == (S.PAID, 30_000)  # partly refunded stays paid, visibly
    with pytest.raises(StoreError, match=r"entre \$1 y \$69\.980"):
        await refund_order(order.id, order.total, None, owner)
    assert await refund_order(order.id, order.total - 30_000, None, owner) is None
    fintoc_says(fintoc, "succeeded")
    await reconcile_refunds(utcnow().replace(year=2100))
    done = reload(order.id)
    assert (done.status, done.refunded_total) == (S.REFUNDED, order.total)
    with pytest.raises(StoreError, match="Solo un pedido pagado"):
        await refund_order(order.id, 1, None, owner)


async def test_the_webhook_that_beats_our_own_bookkeeping_still_counts_once(engine, fintoc, owner):
    order = await paid_order(fintoc)
    with session_scope() as session:
        to_send = refunds.request_refund(session, order.id, order.total, None, owner, utcnow())
    # Fintoc made the refund and its webhook arrives before our call returned and stored Fintoc's id.
    succeeded = Refund(id="re_early", status="succeeded", amount=order.total, currency="CLP",
                       resource_type="payment_intent", resource_id=order.payment_intent_id,
                       metadata={"refund_id": str(to_send.refund_id), "order_id": str(order.id)})
    with session_scope() as session:
        assert settle_refund(session, order.id, succeeded, mode="test", source=Source.WEBHOOK, now=utcnow()) \
            == "refunded"
    with session_scope() as session:
        assert "already counted" in settle_refund(session, order.id, succeeded, mode="test", source=Source.WEBHOOK,
                                                  now=utcnow())
    [row] = refund_rows(order.id)
    assert (row.status, row.fintoc_refund_id) == (RefundStatus.SUCCEEDED, "re_early")
    assert reload(order.id).refunded_total == order.total


async def test_fintoc_unreachable_keeps_the_refund_and_the_reconciler_sends_it_once(engine, fintoc, owner):
    order = await paid_order(fintoc)
    fintoc.down = True
    assert await refund_order(order.id, 10_000, None, owner) == UNREACHABLE
    [row] = refund_rows(order.id)
    assert row.status == RefundStatus.REQUESTED
    # What is requested already counts against what is left: no double refund while Fintoc is away.
    with pytest.raises(StoreError, match=r"\$89\.980"):
        await refund_order(order.id, order.total, None, owner)
    fintoc.down = False
    later = utcnow().replace(year=2100)
    await reconcile_refunds(later)
    await reconcile_refunds(later)
    assert len(fintoc.fake.refunds) == 1
    assert {post["key"] for post in fintoc.refund_posts()} == {f"refund-{row.id}"}
    assert refund_rows(order.id)[0].status == RefundStatus.IN_PROGRESS


async def test_a_failed_refund_frees_its_amount_and_asks_for_review(engine, fintoc, owner):
    order = await paid_order(fintoc)
    await refund_order(order.id, order.total, None, owner)
    fintoc_says(fintoc, "failed")
    await reconcile_refunds(utcnow().replace(year=2100))
    failed = reload(order.id)
    assert failed.status == S.PAID and failed.needs_review and failed.refunded_total == 0
    assert refund_rows(order.id)[0].status == RefundStatus.FAILED
    assert await refund_order(order.id, order.total, None, owner) is None  # the whole amount may be tried again


async def test_returned_units_go_back_on_sale_once(engine, fintoc, owner):
    order = await paid_order(fintoc, "trail-backpack-20l", 2)
    with session_scope() as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        before = session.exec(select(Product.stock).where(Product.id == line.product_id)).one()
    await refund_order(order.id, 1000, {str(line.id): 1}, owner)
    with pytest.raises(StoreError, match="entre 0 y 1"):
        await refund_order(order.id, 1000, {str(line.id): 2}, owner)
    with pytest.raises(StoreError, match="no es parte de este pedido"):
        await refund_order(order.id, 1000, {"999999": 1}, owner)
    with session_scope() as session:
        assert session.exec(select(Product.stock).where(Product.id == line.product_id)).one() == before + 1
        assert session.get(OrderLine, line.id).restocked == 1


@pytest.mark.parametrize("amount", [0, -5, 10**12, 1.5, "100", None, True])
async def test_nonsense_amounts_are_refused_and_nothing_is_written(engine, fintoc, owner, amount):
    order = await paid_order(fintoc)
    with pytest.raises(StoreError, match="número entero de pesos"):
        await refund_order(order.id, amount, None, owner)
    assert refund_rows(order.id) == [] and fintoc.refund_posts() == []


def test_two_staff_refunding_at_once_never_refund_more_than_was_paid(pg_engine):
    with session_scope() as session:
        member = staff.create_staff(session, "owner@pepestore.cl", "correct horse battery", "owner", utcnow())
        product = session.exec(select(Product).where(Product.slug == "trail-backpack-20l")).one()
        session.exec(update(Product).where(Product.id == product.id).values(stock=100))
    for round_number in range(20):
        with session_scope() as session:
            token = cart.add_item(session, "", product.id, 1).cart.token
        with session_scope() as session:
            from pepestore.store import orders
            from pepestore.store.orders import PaymentFacts

            order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
            orders.confirm_payment(session, order.id, PaymentFacts(order.total, "CLP", "test", f"pi_{round_number}"),
                                   expected_mode="test", source="webhook", now=utcnow())
        share = order.total * 2 // 3

        def ask(_):
            try:
                with session_scope() as session:
                    refunds.request_refund(session, order.id, share, None, member, utcnow())
                return "ok"
            except StoreError:
                return "refused"

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(ask, range(2)))
        assert outcomes == ["ok", "refused"], round_number
        with session_scope() as session:
            assert refunds.held_by_refunds(session, order.id) == share


async def test_a_payment_of_another_amount_is_refunded_what_it_brought_in(engine, fintoc, owner):
    from pepestore.store import orders
    from pepestore.store.orders import PaymentFacts

    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == "brass-table-lamp")).one()
        token = cart.add_item(session, "", product_id, 2).cart.token
        order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
        orders.confirm_payment(session, order.id, PaymentFacts(1000, "CLP", "test", "pi_short"),
                               expected_mode="test", source="webhook", now=utcnow())
    with pytest.raises(StoreError, match=r"entre \$1 y \$1\.000"):
        await refund_order(order.id, order.total, None, owner)
    with pytest.raises(StoreError, match="volvieron a la venta"):  # its stock went back when it was flagged
        with session_scope() as session:
            line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
            refunds.request_refund(session, order.id, 1000, {str(line.id): 2}, owner, utcnow())
    facts = Refund(id="re_short", status="succeeded", amount=1000, currency="CLP", resource_type="payment_intent",
                   resource_id="pi_short", metadata={})
    with session_scope() as session:
        assert settle_refund(session, order.id, facts, mode="test", source=Source.WEBHOOK, now=utcnow()) == "refunded"
    assert reload(order.id).status == S.REFUNDED


async def test_a_refund_that_does_not_fit_is_handed_to_a_person_once(engine, fintoc, owner):
    order = await paid_order(fintoc)
    await refund_order(order.id, 5000, None, owner)
    for refund in fintoc.fake.refunds.values():
        refund.update(status="succeeded", amount=7000)  # Fintoc says it refunded another amount
    later = utcnow().replace(year=2100)
    await reconcile_refunds(later)
    await reconcile_refunds(later)
    [row] = refund_rows(order.id)
    assert row.status == RefundStatus.REVIEW and "not the 5000" in row.failure_reason
    with session_scope() as session:
        from pepestore.models import OrderEvent

        flags = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                      OrderEvent.kind == "flagged")).all()
    assert len(flags) == 1 and reload(order.id).needs_review
