"""The one rule that turns Fintoc's word about a session or a payment into an order transition."""

import pytest
from sqlmodel import select

from pepestore.models import Order, Product, utcnow
from pepestore.payments import settlement
from pepestore.payments.settlement import CANCEL, EXPIRE, NOTHING, PAY, verdict
from pepestore.payments.types import CheckoutSession, PaymentIntent
from pepestore.store import cart, orders
from pepestore.store.orders import Source


def intent(status, amount=1000, currency="CLP"):
    return PaymentIntent(id="pi_1", status=status, amount=amount, currency=currency)


def session(status, payment=None):
    return CheckoutSession(id="cs_1", status=status, amount=1000, currency="CLP", mode="test", payment_intent=payment)


@pytest.mark.parametrize(
    ("fintoc_says", "transition", "closed"),
    [
        (dict(intent=intent("succeeded")), PAY, False),
        (dict(session=session("finished", intent("succeeded"))), PAY, True),
        # Paid wins over an expiry reported in the same breath: the money is the shopper's either way.
        (dict(session=session("expired", intent("succeeded"))), PAY, True),
        (dict(intent=intent("failed")), CANCEL, False),
        (dict(intent=intent("rejected")), CANCEL, False),
        (dict(session=session("finished", intent("rejected"))), CANCEL, True),
        (dict(session=session("expired")), EXPIRE, True),
        (dict(session=session("expired", intent("expired"))), EXPIRE, True),
        (dict(session=session("created")), NOTHING, False),
        (dict(session=session("in_progress", intent("in_progress"))), NOTHING, False),
        (dict(session=session("finished", intent("pending"))), NOTHING, True),  # the bank has not answered yet
        (dict(session=session("finished")), NOTHING, True),
        (dict(intent=intent("pending")), NOTHING, False),
        (dict(intent=intent("requires_action")), NOTHING, False),
        (dict(intent=intent("expired")), NOTHING, False),
        (dict(intent=intent("some_future_status")), NOTHING, False),
        ({}, NOTHING, False),
    ],
)
def test_what_each_fintoc_status_means(fintoc_says, transition, closed):
    decided = verdict(mode="test", **fintoc_says)
    assert (decided.transition, decided.session_closed) == (transition, closed)


def test_a_payment_carries_what_fintoc_said_was_paid_and_in_which_mode():
    decided = verdict(intent=intent("succeeded", amount=4990, currency="USD"), mode="live")
    assert (decided.payment.amount, decided.payment.currency, decided.payment.mode,
            decided.payment.payment_intent_id) == (4990, "USD", "live", "pi_1")
    assert verdict(intent=intent("rejected"), mode="test").reason == "the bank rejected the payment"


def pending_order(db) -> Order:
    beanie = db.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    beanie.stock += 1
    db.add(beanie)
    token = cart.add_item(db, "", beanie.id, 1).cart.token
    order = orders.place_order(db, token, "ana@example.cl", None, utcnow())
    order.fintoc_session_id = f"cs_{order.id}"
    db.add(order)
    db.commit()
    return order


def settle(db, order, **fintoc_says):
    outcome = settlement.settle(db, order.id, mode="test", expected_mode="test", source=Source.WEBHOOK, now=utcnow(),
                                **fintoc_says)
    db.commit()
    db.refresh(order)
    return outcome


def test_each_verdict_makes_its_transition_once(session):
    paid, cancelled, expired, waiting = (pending_order(session) for _ in range(4))
    succeeded = PaymentIntent(id="pi_1", status="succeeded", amount=paid.total, currency="CLP")
    assert settle(session, paid, intent=succeeded) == "paid"
    assert settle(session, paid, intent=succeeded) == "already paid"
    assert settle(session, cancelled, intent=intent("rejected")) == "cancelled"
    assert settle(session, cancelled, intent=intent("rejected")) == "no change"
    assert settle(session, expired, session=CheckoutSession("cs_1", "expired", expired.total, "CLP", "test")) == \
        "expired"
    assert settle(session, waiting, session=session_obj("in_progress")) == "no change"
    assert [o.status for o in (paid, cancelled, expired, waiting)] == ["paid", "cancelled", "expired",
                                                                       "pending_payment"]


def session_obj(status):
    return CheckoutSession(id="cs_1", status=status, amount=1000, currency="CLP", mode="test")


def test_a_closed_order_waits_to_close_its_session_until_fintoc_says_it_is_closed(session):
    order = pending_order(session)
    settle(session, order, intent=intent("failed"))  # a failed payment does not say the session is over
    assert order.status == "cancelled" and order.fintoc_close_pending_since is not None
    settle(session, order, session=session_obj("in_progress"))
    assert order.fintoc_close_pending_since is not None
    settle(session, order, session=session_obj("expired"))
    assert order.fintoc_close_pending_since is None
