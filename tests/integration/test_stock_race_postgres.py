"""Orders racing staff stock adjustments on PostgreSQL (SQLite serialises writers and would prove nothing): stock
never goes below 0, never into units orders hold, and the ledger still adds up to the stock for every product."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import func
from sqlmodel import select

from pepestore.catalog_models import StockMovement
from pepestore.db import session_scope
from pepestore.models import Order, OrderLine, OrderStatus as S, Product, utcnow
from pepestore.store import cart, orders, staff, stock
from pepestore.store.errors import StoreError

THREADS = 6
ROUNDS = 15


def test_orders_racing_adjustments_keep_the_ledger_and_the_holds(pg_engine):
    with session_scope() as session:
        member = staff.create_staff(session, "bodega@pepestore.cl", "correct horse battery", "staff", utcnow())
        beanie = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        if session.get(Product, beanie).stock != 20:
            stock.adjust(session, beanie, 20 - session.get(Product, beanie).stock, "count_correction", "race setup",
                         member, utcnow())
    carts = []
    for _ in range(THREADS * ROUNDS):
        with session_scope() as session:
            carts.append(cart.add_item(session, "", beanie, 1).cart.token)
    start = Barrier(THREADS)
    outcomes: list[str] = []

    def worker(index: int) -> None:
        rng = random.Random(index)
        start.wait()
        for round_number in range(ROUNDS):
            try:
                with session_scope() as session:
                    if index % 2:
                        orders.place_order(session, carts[index * ROUNDS + round_number], "ana@example.cl", None,
                                           utcnow())
                        outcomes.append("placed")
                    else:
                        stock.adjust(session, beanie, rng.choice([-3, -2, -1, 1, 2]), "damaged", "race", member,
                                     utcnow())
                        outcomes.append("adjusted")
            except StoreError as refusal:
                outcomes.append("refused: " + refusal.message[:30])
            if index % 2 and round_number % 3 == 0:
                with session_scope() as session:  # some orders give their units back while the race goes on
                    open_ids = session.exec(select(Order.id).where(Order.status == S.PENDING_PAYMENT)
                                            .order_by(Order.id).limit(1)).all()
                    for order_id in open_ids:
                        orders.cancel_order(session, order_id, "admin", "race", utcnow())

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker, i) for i in range(THREADS)]:
            future.result()  # a deadlock or constraint violation would raise here

    with session_scope() as session:
        on_sale = session.get(Product, beanie).stock
        ledger = session.exec(select(func.sum(StockMovement.delta)).where(StockMovement.product_id == beanie)).one()
        held = session.exec(select(func.coalesce(func.sum(OrderLine.quantity), 0))
                            .join(Order, Order.id == OrderLine.order_id)
                            .where(OrderLine.product_id == beanie, Order.status == S.PENDING_PAYMENT)).one()
        moved_for_orders = session.exec(
            select(func.coalesce(func.sum(StockMovement.delta), 0))
            .where(StockMovement.product_id == beanie, StockMovement.reason.in_(["reserved", "released"]))).one()
    assert on_sale >= 0
    assert ledger == on_sale
    assert -moved_for_orders == held  # every held unit is accounted for by its order's movements
    assert "placed" in outcomes and "adjusted" in outcomes, outcomes
    print(f"\n{len(outcomes)} operations: {sum(o == 'placed' for o in outcomes)} orders, "
          f"{sum(o == 'adjusted' for o in outcomes)} adjustments, {sum(o.startswith('refused') for o in outcomes)} "
          f"refused; {on_sale} left, {held} held")
