"""The stock ledger adds up to Product.stock for every product, whatever mix of orders, payments, cancellations,
expiries, refunds and staff adjustments happened; and an adjustment never takes units orders hold."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func
from sqlmodel import select

from pepestore.catalog_models import StockMovement
from pepestore.models import Order, OrderLine, OrderStatus as S, Product, utcnow
from pepestore.store import cart, orders, refunds, stock, staff
from pepestore.store.errors import StoreError
from pepestore.store.orders import PaymentFacts

SLUGS = ("cast-iron-teapot", "wool-beanie", "brass-table-lamp")


@pytest.fixture
def member(session):
    created = staff.create_staff(session, "bodega@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    return created


def mismatches(session) -> list[tuple[str, int, int]]:
    ledger = dict(session.exec(select(StockMovement.product_id, func.sum(StockMovement.delta))
                               .group_by(StockMovement.product_id)).all())
    return [(p.slug, p.stock, ledger.get(p.id, 0)) for p in session.exec(select(Product))
            if p.stock != ledger.get(p.id, 0) or p.stock < 0]


def pid(session, slug: str) -> int:
    return session.exec(select(Product.id).where(Product.slug == slug)).one()


def orders_in(session, *statuses) -> list[Order]:
    return list(session.exec(select(Order).where(Order.status.in_(statuses)).order_by(Order.id)))


def run(session, member, op) -> None:
    kind, pick, number = op
    now = utcnow()
    if kind == "place":
        token = cart.add_item(session, "", pid(session, SLUGS[pick % 3]), 1 + number % 4).cart.token
        session.commit()
        orders.place_order(session, token, "ana@example.cl", None, now)
    elif kind == "adjust":
        stock.adjust(session, pid(session, SLUGS[pick % 3]), number - 6, "count_correction", "shelf count", member,
                     now)
    else:
        wanted = {"cancel": (S.PENDING_PAYMENT,), "expire": (S.PENDING_PAYMENT,), "pay": (S.PENDING_PAYMENT,),
                  "late_pay": (S.CANCELLED, S.EXPIRED), "refund": (S.PAID,)}[kind]
        candidates = orders_in(session, *wanted)
        if not candidates:
            return
        order = candidates[pick % len(candidates)]
        if kind == "cancel":
            orders.cancel_order(session, order.id, "admin", "test", now)
        elif kind == "expire":
            orders.expire_order(session, order.id, "system", now)
        elif kind in ("pay", "late_pay"):
            orders.confirm_payment(session, order.id, PaymentFacts(order.total, "CLP", "test", f"pi_{order.id}"),
                                   expected_mode="test", source="webhook", now=now)
        else:
            line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).first()
            units = min(1 + number % 3, line.quantity - line.restocked)
            refunds.request_refund(session, order.id, 1, {str(line.id): units} if units else {}, member, now)


OPS = st.tuples(st.sampled_from(["place", "place", "adjust", "cancel", "expire", "pay", "late_pay", "refund"]),
                st.integers(0, 50), st.integers(0, 12))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(OPS, min_size=1, max_size=25))
def test_the_ledger_adds_up_to_the_stock_after_any_sequence(session, member, ops):
    for op in ops:
        try:
            run(session, member, op)
            session.commit()
        except StoreError:
            session.rollback()
        assert mismatches(session) == [], op


def test_an_adjustment_never_takes_units_open_orders_hold(session, member):
    teapot = pid(session, "cast-iron-teapot")
    if session.get(Product, teapot).stock != 3:
        stock.adjust(session, teapot, 3 - session.get(Product, teapot).stock, "count_correction", "setup", member,
                     utcnow())
        session.commit()
    token = cart.add_item(session, "", teapot, 2).cart.token
    orders.place_order(session, token, "ana@example.cl", None, utcnow())
    session.commit()
    assert stock.held_by_orders(session, teapot) == 2
    with pytest.raises(StoreError, match="quitar a lo más 1 .otras 2 están reservadas") as refused:
        stock.adjust(session, teapot, -2, "damaged", "", member, utcnow())
    assert "at most 1 can be removed (2 more are held by open orders" in refused.value.say("en")
    session.rollback()
    assert stock.adjust(session, teapot, "-1", "damaged", "", member, utcnow()) == 0
    session.commit()
    assert mismatches(session) == []
    reasons = [m.reason for m in stock.history(session, teapot)]
    assert reasons[:2] == ["damaged", "reserved"]


@pytest.mark.parametrize("delta, reason, note", [
    (0, "received", ""), ("abc", "received", ""), (100_001, "received", ""), (True, "received", ""),
    (5, "stolen", ""), (5, "other", ""), (5, "count_correction", "x"), (5, "received", "n" * 301),
])
def test_bad_adjustments_are_refused_and_change_nothing(session, member, delta, reason, note):
    teapot = pid(session, "cast-iron-teapot")
    before = session.get(Product, teapot).stock
    with pytest.raises(StoreError):
        stock.adjust(session, teapot, delta, reason, note, member, utcnow())
    session.rollback()
    assert session.get(Product, teapot).stock == before
    assert mismatches(session) == []


def test_an_adjustment_is_in_the_audit_log(session, member):
    from pepestore.staff_models import AuditEntry

    stock.adjust(session, pid(session, "wool-beanie"), "+12", "received", "supplier delivery 88", member, utcnow())
    session.commit()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "stock_adjusted")).one()
    assert entry.actor == "bodega@pepestore.cl" and "+12 (Received)" in entry.detail
