"""What placing an order writes, the same on SQLite (one statement per table) and PostgreSQL (the lines, ledger rows
and "placed" event in one statement): the order at database prices, its lines in the order the shopper added them,
a `reserved` ledger row per line, the "placed" event, and the stock taken."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from pepestore.catalog_models import StockMovement, StockReason
from pepestore.db import session_scope
from pepestore.money import format_clp
from pepestore.models import Order, OrderEvent, OrderLine, OrderStatus as S, Product, utcnow
from pepestore.payments.checkout import _attach, _place
from pepestore.store import cart


@pytest.fixture(params=["sqlite", "postgresql"])
def app_engine(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def test_an_order_is_placed_with_its_lines_ledger_rows_and_event(app_engine):
    with session_scope() as session:
        teapot, beanie = (session.exec(select(Product).where(Product.slug == slug)).one()
                          for slug in ("cast-iron-teapot", "wool-beanie"))
        before = {teapot.id: teapot.stock, beanie.id: beanie.stock}
        wanted = [(teapot, 2), (beanie, 1)] if teapot.id > beanie.id else [(beanie, 1), (teapot, 2)]
        token = ""
        for item, quantity in wanted:  # the higher id first: lines keep the shopper's order, not the lock order
            token = cart.add_item(session, token, item.id, quantity).cart.token
        expected_lines = [(item.id, item.name, item.image, item.price, quantity) for item, quantity in wanted]
    placed = _place(token, "ana@example.cl", "tab-1", "10.0.0.1")
    with session_scope() as session:
        order = session.get(Order, placed.id)
        assert (order.status, order.total, order.customer_email) == (
            S.PENDING_PAYMENT, sum(price * quantity for *_, price, quantity in expected_lines), "ana@example.cl")
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id)))
        assert [(line.product_id, line.name, line.image, line.unit_price, line.quantity, line.restocked)
                for line in lines] == [(*line, 0) for line in expected_lines]
        moves = session.exec(select(StockMovement).where(StockMovement.order_id == order.id)
                             .order_by(col(StockMovement.product_id))).all()
        assert sorted((m.product_id, m.delta, m.reason, m.note, m.staff_id) for m in moves) == sorted(
            (pid, -quantity, StockReason.RESERVED, None, None) for pid, _, _, _, quantity in expected_lines)
        [event] = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
        assert (event.kind, event.source, event.detail) == ("placed", "shopper",
                                                            f"3 items, total {format_clp(order.total)}")
        assert all(m.created_at == event.created_at for m in moves)
        for pid, *_, quantity in expected_lines:
            assert session.get(Product, pid).stock == before[pid] - quantity


def test_only_the_first_session_is_attached_with_its_event(app_engine):
    with session_scope() as session:
        beanie = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        token = cart.add_item(session, "", beanie, 1).cart.token
    placed = _place(token, "ana@example.cl", "tab-1", None)
    assert _attach(placed.id, "cs_first", "cs_first_sec", "https://pay.example/first") == S.PENDING_PAYMENT
    # A second tab's Fintoc answer, or a retry: the first session stays, and no second event is written.
    assert _attach(placed.id, "cs_second", "cs_second_sec", "https://pay.example/second") == S.PENDING_PAYMENT
    with session_scope() as session:
        order = session.get(Order, placed.id)
        assert (order.fintoc_session_id, order.fintoc_session_token, order.fintoc_redirect_url) == (
            "cs_first", "cs_first_sec", "https://pay.example/first")
        events = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)
                              .order_by(col(OrderEvent.id))).all()
        assert [(e.kind, e.source, e.detail) for e in events] == [
            ("placed", "shopper", f"1 items, total {format_clp(order.total)}"),
            ("session_created", "shopper", "cs_first")]
        assert events[1].created_at == order.updated_at
