"""The one rule that turns what Fintoc says about a checkout session or a payment into an order transition.

The webhook, the reconciler, the order page's check and the shopper's exit all settle through here, so the
question "what does this Fintoc status mean for the order?" has one answer:

    payment intent succeeded              -> paid (orders.confirm_payment checks amount, currency and mode)
    payment intent failed or rejected     -> cancelled, stock released
    session expired (and nothing paid)    -> expired, stock released
    anything else                         -> no change (still waiting)

A session Fintoc reports as finished or expired can no longer take money, so an order that was waiting to close
it there (see orders.cancel_order) stops waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pepestore.payments.types import CheckoutSession, PaymentIntent
from pepestore.store import orders
from pepestore.store.orders import PaymentFacts

PAY, CANCEL, EXPIRE, NOTHING = "pay", "cancel", "expire", "nothing"
FAILED_PAYMENT = frozenset({"failed", "rejected"})
OPEN_SESSION = frozenset({"created", "in_progress"})


@dataclass(frozen=True)
class Verdict:
    transition: str  # PAY | CANCEL | EXPIRE | NOTHING
    payment: PaymentFacts | None = None
    reason: str | None = None
    session_closed: bool = False  # Fintoc said the session can no longer be paid


def verdict(*, session: CheckoutSession | None = None, intent: PaymentIntent | None = None, mode: str) -> Verdict:
    """What Fintoc's word means for the order. `mode` is the mode (test/live) of whoever said it."""
    if intent is None and session is not None:
        intent = session.payment_intent
    closed = session is not None and session.status not in OPEN_SESSION
    if intent is not None and intent.succeeded:
        return Verdict(PAY, PaymentFacts(intent.amount, intent.currency, mode, intent.id), session_closed=closed)
    if intent is not None and intent.status in FAILED_PAYMENT:
        return Verdict(CANCEL, reason=f"the bank {intent.status} the payment", session_closed=closed)
    if session is not None and session.status == "expired":
        return Verdict(EXPIRE, session_closed=True)
    return Verdict(NOTHING, session_closed=closed)


def apply(db: Session, order_id: int, decided: Verdict, *, expected_mode: str, source: str, now: datetime) -> str:
    """Make the verdict's transition (each is idempotent); returns what happened, in words for the logs."""
    if decided.transition == PAY:
        outcome = orders.confirm_payment(db, order_id, decided.payment, expected_mode=expected_mode, source=source,
                                         now=now)
    elif decided.transition == CANCEL:
        done = orders.cancel_order(db, order_id, source, decided.reason, now, session_closed=decided.session_closed)
        outcome = "cancelled" if done else "no change"
    elif decided.transition == EXPIRE:
        outcome = "expired" if orders.expire_order(db, order_id, source, now, session_closed=True) else "no change"
    else:
        outcome = "no change"
    if decided.session_closed:
        orders.mark_session_closed(db, order_id)
    return outcome


def settle(db: Session, order_id: int, *, session: CheckoutSession | None = None,
           intent: PaymentIntent | None = None, mode: str, expected_mode: str, source: str, now: datetime) -> str:
    return apply(db, order_id, verdict(session=session, intent=intent, mode=mode), expected_mode=expected_mode,
                 source=source, now=now)
