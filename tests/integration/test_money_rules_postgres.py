"""The money rules under real concurrency, on PostgreSQL: many shoppers, one last unit, a mixed storm."""

import random
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import func, update
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, OrderLine, OrderStatus as S, Product, utcnow
from pepestore.store import cart, orders
from pepestore.store.errors import StoreError
from pepestore.store.orders import PaymentFacts, Source


def product_id(slug: str) -> int:
    with session_scope() as session:
        return session.exec(select(Product.id).where(Product.slug == slug)).one()


def cart_for(pid: int, quantity: int = 1) -> str:
    with session_scope() as session:
        return cart.add_item(session, "", pid, quantity).cart.token


def test_twenty_shoppers_race_for_the_last_unit(pg_engine):
    teapot = product_id("cast-iron-teapot")
    carts = [cart_for(teapot) for _ in range(20)]
    with session_scope() as session:
        session.exec(update(Product).where(Product.id == teapot).values(stock=1))
    start = Barrier(20)

    def shopper(token: str) -> str:
        start.wait()
        try:
            with session_scope() as session:
                orders.place_order(session, token, "ana@example.cl", None, utcnow())
            return "ordered"
        except StoreError as refusal:
            return refusal.message

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(shopper, carts))
    assert outcomes.count("ordered") == 1, outcomes
    refusals = [o for o in outcomes if o != "ordered"]
    assert all("agota" in message for message in refusals), set(refusals)
    with Session(pg_engine) as session:
        assert session.exec(select(Product.stock).where(Product.id == teapot)).one() == 0
        assert len(session.exec(select(Order)).all()) == 1


def held_units(session: Session, pid: int) -> int:
    """Units in orders that hold stock: pending (reserved) and paid (sold)."""
    return session.exec(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == pid, Order.status.in_([S.PENDING_PAYMENT, S.PAID]))
    ).one()


def test_stock_is_conserved_through_a_mixed_storm(pg_engine):
    rng = random.Random(7)
    slugs = ["wool-beanie", "cast-iron-teapot", "brass-table-lamp", "monstera-deliciosa", "merken-spice-jar"]
    pids = [product_id(s) for s in slugs]
    with Session(pg_engine) as session:
        initial = {pid: session.get(Product, pid).stock for pid in pids}

    def shopper(seed: int) -> None:
        local = random.Random(seed)
        for _ in range(6):
            try:
                token = ""
                with session_scope() as session:
                    for pid in local.sample(pids, local.randint(1, 3)):
                        token = cart.add_item(session, token, pid, local.randint(1, 2)).cart.token
                with session_scope() as session:
                    order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
                    order_id, total = order.id, order.total
                fate = local.choice(["pay", "pay", "cancel", "expire", "leave", "pay-twice"])
                with session_scope() as session:
                    facts = PaymentFacts(total, "CLP", "test", f"pi_{order_id}")
                    if fate.startswith("pay"):
                        for _ in range(2 if fate == "pay-twice" else 1):
                            orders.confirm_payment(session, order_id, facts, expected_mode="test",
                                                   source=Source.WEBHOOK, now=utcnow())
                    elif fate == "cancel":
                        orders.cancel_order(session, order_id, Source.SHOPPER, "changed mind", utcnow())
                    elif fate == "expire":
                        orders.expire_order(session, order_id, Source.RECONCILER, utcnow())
            except StoreError:
                pass  # sold out or clamped: a normal answer in a storm

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(shopper, [rng.randint(0, 10**6) for _ in range(10)]))

    with Session(pg_engine) as session:
        for pid in pids:
            stock = session.get(Product, pid).stock
            assert stock >= 0
            assert initial[pid] == stock + held_units(session, pid), session.get(Product, pid).slug
        statuses = set(session.exec(select(Order.status)))
    assert S.PAID in statuses and S.CANCELLED in statuses
