"""Pay and the bank's confirmation meet on one cart, on PostgreSQL: they queue behind each other, never deadlock.

place_order locks the cart, then its open order; confirm_payment used to lock the order, then the cart (to
empty it), and PostgreSQL broke the cycle by killing one of them with a deadlock error: a shopper's "Pay"
failed, or the webhook answered 503. See the lock order in pepestore/store/orders.py.
"""

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, OrderStatus as S, Product, utcnow
from pepestore.payments import signature
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.webhook import handle_webhook
from pepestore.store import cart, orders
from pepestore.store.errors import StoreError

ROUNDS = 50


@pytest.mark.parametrize("cart_changed", [False, True], ids=["same cart", "cart changed before Pay"])
def test_pay_racing_the_payment_webhook_for_the_same_cart_never_deadlocks(pg_engine, cart_changed):
    """With the cart changed, Pay replaces the order (cancel it, give its stock back, take the new lines') while
    the webhook pays it: both orders of events are fine, a deadlock is not."""
    secret = get_fintoc_config().webhook_secret
    with session_scope() as session:
        beanie = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        session.exec(update(Product).where(Product.id == beanie).values(stock=10 * ROUNDS))

    def pay(token: str) -> str:
        try:
            with session_scope() as session:
                return f"order {orders.place_order(session, token, 'ana@example.cl', None, utcnow()).id}"
        except StoreError as refusal:  # the webhook won: the cart was paid and emptied
            return refusal.message

    def webhook(order: Order, round_number: int) -> tuple[int, dict]:
        body = json.dumps({
            "id": f"evt_race_{round_number}", "type": "payment_intent.succeeded", "object": "event", "mode": "test",
            "data": {"id": f"pi_race_{round_number}", "object": "payment_intent", "amount": order.total,
                     "currency": "CLP", "status": "succeeded", "metadata": {"order_id": str(order.id)}},
        }).encode()
        answer = handle_webhook(body, signature.sign(body, secret), utcnow())
        return answer.status, answer.body

    problems = []
    with ThreadPoolExecutor(2) as pool:
        for round_number in range(ROUNDS):
            with session_scope() as session:
                token = cart.add_item(session, "", beanie, 1).cart.token
            with session_scope() as session:
                order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
            if cart_changed:
                with session_scope() as session:
                    cart.add_item(session, token, beanie, 1)
            start = Barrier(2)

            def at_once(fn, *args):
                start.wait()
                return fn(*args)

            paying = pool.submit(at_once, pay, token)
            confirming = pool.submit(at_once, webhook, order, round_number)
            for future in (paying, confirming):
                if future.exception() is not None:
                    problems.append(f"round {round_number}: {future.exception()!r}"[:300])
            paid = {"paid", "paid late; stock taken again"} if cart_changed else {"paid"}
            if confirming.exception() is None and (confirming.result()[0] != 200
                                                   or confirming.result()[1].get("outcome") not in paid):
                problems.append(f"round {round_number}: webhook answered {confirming.result()}")
            if paying.exception() is None:
                placed = paying.result()
                if cart_changed and not (placed.startswith("order ") and placed != f"order {order.id}"):
                    problems.append(f"round {round_number}: Pay answered {placed!r} for the changed cart")
                if not cart_changed and placed not in (f"order {order.id}", "Tu carrito está vacío."):
                    problems.append(f"round {round_number}: Pay answered {placed!r}")
    assert problems == []
    with Session(pg_engine) as session:
        statuses = Counter(session.exec(select(Order.status)))
    assert statuses == ({S.PAID: ROUNDS, S.PENDING_PAYMENT: ROUNDS} if cart_changed else {S.PAID: ROUNDS})
