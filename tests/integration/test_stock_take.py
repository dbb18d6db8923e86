"""stock.take, the one way an order's stock is taken (placing, and a late payment taking it again), on SQLite
(one guarded UPDATE per product) and PostgreSQL (one guarded UPDATE for every line): all or nothing, never below 0,
the first short line (by id) named, and on PostgreSQL takes in any order never deadlock."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import update
from sqlmodel import select

from pepestore.catalog_models import StockMovement
from pepestore.db import session_scope
from pepestore.models import Product, utcnow
from pepestore.store import cart, orders, stock
from pepestore.store.orders import PaymentFacts, Source


@pytest.fixture(params=["sqlite", "postgresql"])
def app_engine(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def ids(*slugs: str) -> list[int]:
    with session_scope() as session:
        return [session.exec(select(Product.id).where(Product.slug == slug)).one() for slug in slugs]


def set_stock(**by_id: int) -> None:
    with session_scope() as session:
        for product_id, units in by_id.items():
            session.exec(update(Product).where(Product.id == int(product_id)).values(stock=units))


def stocks(product_ids: list[int]) -> list[int]:
    with session_scope() as session:
        return [session.exec(select(Product.stock).where(Product.id == pid)).one() for pid in product_ids]


def test_a_short_line_takes_nothing_and_is_named(app_engine):
    low, high = sorted(ids("wool-beanie", "cast-iron-teapot"))
    set_stock(**{str(low): 3, str(high): 1})
    with session_scope() as session:
        connection = session.connection()
        # Asked in any order; the lines are taken in id order and the short one named.
        assert stock.take(connection, [(high, 2, "high"), (low, 1, "low")]) == "high"
        assert [connection.execute(select(Product.stock).where(Product.id == pid)).scalar_one()
                for pid in (low, high)] == [3, 1], "the line taken before the short one was given back at once"
        assert stock.take(connection, [(high, 1, "high"), (low, 4, "low")]) == "low"
        assert stock.take(connection, [(high, 1, "high"), (low, 3, "low")]) is None
    assert stocks([low, high]) == [0, 0]


def test_one_product_twice_is_one_take_of_the_sum(app_engine):
    (beanie,) = ids("wool-beanie")
    set_stock(**{str(beanie): 3})
    with session_scope() as session:
        assert stock.take(session.connection(), [(beanie, 2, "b"), (beanie, 2, "b")]) == "b"
        assert stock.take(session.connection(), [(beanie, 2, "b"), (beanie, 1, "b")]) is None
    assert stocks([beanie]) == [0]


def test_a_late_payment_short_on_one_line_takes_none_of_them(app_engine):
    beanie, teapot = ids("wool-beanie", "cast-iron-teapot")
    set_stock(**{str(beanie): 5, str(teapot): 5})
    token = ""
    with session_scope() as session:
        for pid, quantity in ((beanie, 1), (teapot, 2)):
            token = cart.add_item(session, token, pid, quantity).cart.token
    with session_scope() as session:
        order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
        order_id, total = order.id, order.total
        orders.cancel_order(session, order_id, Source.SHOPPER, "closed", utcnow())
    set_stock(**{str(teapot): 1})
    with session_scope() as session:
        moves = len(session.exec(select(StockMovement).where(StockMovement.order_id == order_id)).all())
        outcome = orders.confirm_payment(session, order_id, PaymentFacts(total, "CLP", "test", "pi_late"),
                                         expected_mode="test", source=Source.WEBHOOK, now=utcnow())
        assert outcome == "paid late without stock: needs refund"
        assert len(session.exec(select(StockMovement).where(StockMovement.order_id == order_id)).all()) == moves
    assert stocks([beanie, teapot]) == [5, 1]
    set_stock(**{str(teapot): 2})
    with session_scope() as session:
        # The same payment again: now the stock is there, but the order already needs a refund (nothing taken).
        orders.confirm_payment(session, order_id, PaymentFacts(total, "CLP", "test", "pi_late"),
                               expected_mode="test", source=Source.WEBHOOK, now=utcnow())
    assert stocks([beanie, teapot]) == [5, 2]


def test_takes_in_any_order_at_once_never_deadlock_on_postgres(pg_engine):
    products = ids("wool-beanie", "cast-iron-teapot", "brass-table-lamp", "monstera-deliciosa")
    set_stock(**{str(pid): 1000 for pid in products})
    start = Barrier(8)
    taken: list[dict[int, int]] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for _ in range(20):
            lines = [(pid, rng.randint(1, 3), str(pid)) for pid in rng.sample(products, rng.randint(2, 4))]
            # Not locked beforehand (a late payment): stock.take locks in id order itself. A deadlock raises here.
            with session_scope() as session:
                assert stock.take(session.connection(), lines) is None
            taken.append({pid: quantity for pid, quantity, _ in lines})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))
    assert len(taken) == 160
    assert stocks(products) == [1000 - sum(t.get(pid, 0) for t in taken) for pid in products]
