"""Orders: placing them from a cart at database prices, and every change of their status.

Each transition is a conditional UPDATE (`... WHERE status IN (allowed sources)`), so running one twice, or
from two workers at once, changes nothing the second time. `confirm_payment` is the only way to `paid`.

Lock order. Every transaction that touches a cart, an order and products takes their row locks in this order,
skipping what it does not need, and never goes back to an earlier kind:

    1. the cart          (place_order; confirm_payment, which empties the paid order's cart)
    2. the order(s)      (place_order: the cart's open orders; every transition)
    3. products, in ascending id order (reserving and releasing stock)

So "Pay" (place_order: cart, order, products) and a webhook confirming the same cart's order
(confirm_payment: cart, order, products) queue behind each other instead of deadlocking on PostgreSQL.
`confirm_payment` reads the order's cart id without a lock first, to know which cart to lock before the order.
cancel/expire lock the order, then its products; refunds lock only the order. SQLite ignores FOR UPDATE (it
serialises writers instead), so only PostgreSQL tests can prove this: tests/integration/test_lock_order_postgres.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from pepestore.models import (Cart, CartLine, Order, OrderEvent, OrderLine, OrderRefund, OrderStatus, Product,
                              RefundStatus)
from pepestore.money import format_clp
from pepestore.store.cart import is_well_formed_token
from pepestore.catalog_models import StockReason
from pepestore.store import order_events, outbox, stock
from pepestore.store.errors import StoreError
from pepestore.i18n import text

S = OrderStatus
MAX_ORDER_TOTAL = 6_999_999  # Fintoc takes payments below 7.000.000 CLP
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")
_PUBLIC_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")

# Which statuses each status may be reached from. Anything else is refused.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    S.PAID: frozenset({S.PENDING_PAYMENT}),
    S.CANCELLED: frozenset({S.PENDING_PAYMENT}),
    S.EXPIRED: frozenset({S.PENDING_PAYMENT}),
    S.FULFILLED: frozenset({S.PAID}),
    S.REFUNDED: frozenset({S.PAID, S.FULFILLED, S.PAID_NEEDS_REFUND}),
    S.PAID_NEEDS_REFUND: frozenset({S.EXPIRED, S.CANCELLED}),
}
# A payment that lands after the order stopped waiting for it is still the shopper's money.
LATE_PAYMENT_FROM = frozenset({S.EXPIRED, S.CANCELLED})
MONEY_RECEIVED = frozenset({S.PAID, S.FULFILLED, S.REFUNDED, S.PAID_NEEDS_REFUND})


class Source:
    SHOPPER = "shopper"
    WEBHOOK = "webhook"
    RECONCILER = "reconciler"
    ADMIN = "admin"
    SYSTEM = "system"


def valid_email(raw: object) -> str:
    email = raw.strip() if isinstance(raw, str) else ""
    if len(email) > 254 or not _EMAIL.match(email):
        raise StoreError(text("checkout.bad_email"))
    return email


def is_well_formed_public_token(token: object) -> bool:
    return isinstance(token, str) and bool(_PUBLIC_TOKEN.match(token))


def record(session: Session, order_id: int, kind: str, source: str, detail: str | None = None,
           now: datetime | None = None) -> None:
    session.add(OrderEvent(order_id=order_id, kind=kind, source=source, detail=(detail or None) and detail[:500],
                           **({"created_at": now} if now else {})))


def _transition(session: Session, order_id: int, to: str, now: datetime, *, by: str, allowed_from=None,
                **values) -> bool:
    allowed = allowed_from if allowed_from is not None else ALLOWED_FROM[to]
    result = session.exec(
        update(Order)
        .where(col(Order.id) == order_id, col(Order.status).in_(allowed))
        .values(status=to, updated_at=now, **values)
    )
    if result.rowcount != 1:
        return False
    # Only the transaction whose UPDATE changed the row gets here: extenders hear of it once, after its commit.
    order_events.note(session, order_id, to, by, now)
    return True


def _lines(session: Session, order_id: int) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.id))))


def _take_stock(session: Session, wanted: list[tuple[int, int, str]], order_id: int) -> str | None:
    """A late payment taking its order's stock again, all or nothing, with the ledger rows; the name of the first
    line that ran short, or None. stock.take locks the products in id order first; placing an order
    (pepestore/store/placing.py) takes its stock through the same function."""
    session.flush()  # what an ORM statement would have flushed first
    short = stock.take(session.connection(), wanted)
    for held in list(session.identity_map.values()):
        if isinstance(held, Product):  # written by a Core statement: ORM readers must see the new stock
            session.expire(held)
    if short is None:
        stock.log_order(session, order_id, [(product_id, -quantity) for product_id, quantity, _ in wanted],
                        StockReason.RESERVED)
    return short


def lock_products(session: Session, product_ids) -> None:
    """Lock these product rows in ascending id order before touching any of them (see the lock order above)."""
    ids = sorted(set(product_ids))
    if ids:
        # NO KEY UPDATE, the lock an UPDATE of the stock takes: a plain FOR UPDATE would also block the key-share
        # locks that inserting a cart or order line takes on its product, and deadlock with those.
        session.exec(select(Product.id).where(col(Product.id).in_(ids)).order_by(col(Product.id))
                     .with_for_update(key_share=True))


def _release_stock(session: Session, order_id: int) -> None:
    lines = sorted(_lines(session, order_id), key=lambda line: line.product_id)
    for line in lines:
        session.exec(update(Product).where(col(Product.id) == line.product_id)
                     .values(stock=Product.stock + line.quantity))
    stock.log_order(session, order_id, [(line.product_id, line.quantity) for line in lines], StockReason.RELEASED)


def _clear_cart_for(session: Session, order: Order) -> None:
    """Empty the cart the order came from, unless the shopper has changed it since (that is a new cart)."""
    if order.cart_id is None:
        return
    cart = session.get(Cart, order.cart_id)
    if cart is not None and cart.revision == order.cart_revision:
        session.exec(delete(CartLine).where(col(CartLine.cart_id) == cart.id))
        cart.revision += 1
        session.add(cart)


def _locked_order(session: Session, order_id: int) -> Order | None:
    return session.exec(
        select(Order).where(Order.id == order_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def locked_order(session: Session, order_id: int) -> Order | None:
    """The order, its row locked until the transaction ends (for services outside this module)."""
    return _locked_order(session, order_id)


def _locked_cart_then_order(session: Session, order_id: int) -> Order | None:
    """Lock the order's cart, then the order: the lock order place_order takes, so the two never deadlock."""
    cart_id = session.exec(select(Order.cart_id).where(Order.id == order_id)).first()
    if cart_id is not None:
        session.exec(select(Cart.id).where(Cart.id == cart_id).with_for_update(key_share=True)).first()
    return _locked_order(session, order_id)


# -- placing -------------------------------------------------------------------------------------------------

def place_order(session: Session, cart_token: object, raw_email: object, client_token: str | None,
                now: datetime, *, client_ip: str | None = None,
                admit: Callable[[], None] | None = None) -> Order:
    """The order for this cart as it is now: reused for repeats (double click, two tabs, retry), new otherwise.

    Prices and the total come from the database; the stock of every line is taken all or nothing (never below 0),
    each take with its ledger row, and the order gets its "placed" event, all in the caller's transaction. A cart
    has at most one open order: a new one cancels the cart's older ones. `admit` is asked just before a new order
    is made (the browser and address rate limits) and refuses by raising; then no order is made. The caller rolls
    back on any refusal (session_scope does). Runs in pepestore/store/placing.py, as prepared statements.
    """
    from pepestore.store.placing import place  # placing builds on this module: imported when first used

    return session.get(Order, place(session, cart_token, raw_email, client_token, now, client_ip=client_ip,
                                    admit=admit).id)


def open_orders_for_cart(session: Session, cart_token: object) -> list[tuple[int, str | None]]:
    """(order id, Fintoc session id) of the cart's orders still waiting for payment."""
    if not is_well_formed_token(cart_token):
        return []
    return list(session.exec(
        select(Order.id, Order.fintoc_session_id).join(Cart, col(Cart.id) == col(Order.cart_id))
        .where(Cart.token == cart_token, Order.status == S.PENDING_PAYMENT)
    ))


def attach_checkout_session(session: Session, order_id: int, session_id: str, session_token: str | None,
                            redirect_url: str | None, now: datetime) -> Order:
    """Record the order's first payment session (a later one is ignored), with its event; the order."""
    from pepestore.store.placing import attach_session

    attach_session(session, order_id, session_id, session_token, redirect_url, now)
    return session.get(Order, order_id, populate_existing=True)


# -- payment -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentFacts:
    """What the payment provider says was paid, and which of its modes (test/live) said it."""

    amount: int
    currency: str
    mode: str
    payment_intent_id: str


def confirm_payment(session: Session, order_id: int, facts: PaymentFacts, *, expected_mode: str, source: str,
                    now: datetime) -> str:
    """The one way an order becomes paid. Idempotent; returns what happened, in words for the event log."""
    order = _locked_cart_then_order(session, order_id)
    if order is None:
        return "unknown order"
    if (facts.currency, facts.mode) != (order.currency, expected_mode):
        # Not money this store can take (another currency, or test money on a live store): a person looks.
        return _flag_once(session, order, facts.payment_intent_id, source, now,
                          f"payment {facts.payment_intent_id} is in {facts.currency} ({facts.mode}), the order in "
                          f"{order.currency} ({expected_mode})")
    if order.status in MONEY_RECEIVED:
        if order.payment_intent_id and facts.payment_intent_id != order.payment_intent_id:
            return _flag_once(session, order, facts.payment_intent_id, source, now,
                              f"a second payment {facts.payment_intent_id} of {format_clp(facts.amount)} for an order "
                              f"already paid by {order.payment_intent_id}: refund it")
        return f"already {order.status}"
    if facts.amount != order.total:
        # Real money, but not this order's total: it cannot buy the order. It is kept as a payment to refund, and
        # the stock goes back on sale instead of waiting for a payment that has already come.
        was = order.status
        if _transition(session, order.id, S.PAID_NEEDS_REFUND, now, by=source,
                       allowed_from=frozenset({S.PENDING_PAYMENT, *LATE_PAYMENT_FROM}), paid_at=now,
                       paid_amount=facts.amount,
                       payment_intent_id=facts.payment_intent_id, needs_review=True, fintoc_close_pending_since=None):
            if was == S.PENDING_PAYMENT:
                _release_stock(session, order.id)
            record(session, order.id, "flagged", source,
                   f"payment {facts.payment_intent_id} of {format_clp(facts.amount)} does not match the order's "
                   f"{format_clp(order.total)}: refund needed", now)
            _owe_apology(session, order, now)
            return "payment does not match the order: needs refund"
        return f"not payable from {order.status}"
    if _transition(session, order.id, S.PAID, now, by=source, paid_at=now, paid_amount=facts.amount,
                   payment_intent_id=facts.payment_intent_id):
        record(session, order.id, "paid", source, f"payment {facts.payment_intent_id}", now)
        _clear_cart_for(session, order)
        _owe_receipt(session, order, now)
        return "paid"
    if order.status in LATE_PAYMENT_FROM:
        short = _take_stock(session, [(line.product_id, line.quantity, line.name) for line in _lines(session, order.id)],
                            order.id)
        # A paid session is finished: nothing is left to close at the provider.
        if short is None and _transition(session, order.id, S.PAID, now, by=source, allowed_from=LATE_PAYMENT_FROM,
                                         paid_at=now, paid_amount=facts.amount,
                                         payment_intent_id=facts.payment_intent_id,
                                         fintoc_close_pending_since=None):
            record(session, order.id, "paid", source,
                   f"late payment {facts.payment_intent_id} after the order was {order.status}; stock taken again",
                   now)
            _clear_cart_for(session, order)
            _owe_receipt(session, order, now)
            return "paid late; stock taken again"
        if _transition(session, order.id, S.PAID_NEEDS_REFUND, now, by=source, paid_at=now, paid_amount=facts.amount,
                       payment_intent_id=facts.payment_intent_id, needs_review=True, fintoc_close_pending_since=None):
            _owe_apology(session, order, now)
        record(session, order.id, "flagged", source,
               f"late payment {facts.payment_intent_id} after the order was {order.status}, but {short} is gone: "
               "refund needed", now)
        return "paid late without stock: needs refund"
    return f"not payable from {order.status}"


def _owe_receipt(session: Session, order: Order, now: datetime) -> None:
    # Keyed by the order: however many times payment is confirmed, one receipt (resends have their own keys).
    outbox.enqueue(session, f"receipt:{order.id}", "receipt", order.id, order.customer_email, now=now)


def _owe_apology(session: Session, order: Order, now: datetime) -> None:
    outbox.enqueue(session, f"apology:{order.id}", "apology", order.id, order.customer_email, now=now)


def _flag_once(session: Session, order: Order, payment_intent_id: str, source: str, now: datetime,
               detail: str) -> str:
    """Ask a person to look, once per payment: a provider repeating itself must not bury the timeline."""
    seen = session.exec(select(OrderEvent.id).where(OrderEvent.order_id == order.id, OrderEvent.kind == "flagged",
                                                    col(OrderEvent.detail).contains(payment_intent_id))).first()
    if seen is not None:
        return "already flagged for review"
    session.exec(update(Order).where(col(Order.id) == order.id).values(needs_review=True, updated_at=now))
    record(session, order.id, "flagged", source, detail, now)
    return "flagged for review"


def _remember_session_to_close(session: Session, order_id: int, now: datetime) -> None:
    """The order stopped waiting, but its payment session may still take money until someone closes it."""
    session.exec(update(Order).where(col(Order.id) == order_id, col(Order.fintoc_session_id).is_not(None))
                 .values(fintoc_close_pending_since=now))


def cancel_order(session: Session, order_id: int, source: str, reason: str, now: datetime, *,
                 session_closed: bool = False) -> bool:
    """session_closed: the caller knows the payment session can no longer be paid (else it is remembered)."""
    if not _transition(session, order_id, S.CANCELLED, now, by=source, status_reason=reason[:200]):
        return False
    _release_stock(session, order_id)
    if not session_closed:
        _remember_session_to_close(session, order_id, now)
    record(session, order_id, "cancelled", source, reason, now)
    return True


def expire_order(session: Session, order_id: int, source: str, now: datetime, *, session_closed: bool = False,
                 detail: str | None = None) -> bool:
    if not _transition(session, order_id, S.EXPIRED, now, by=source, status_reason="payment time ran out"):
        return False
    _release_stock(session, order_id)
    if not session_closed:
        _remember_session_to_close(session, order_id, now)
    record(session, order_id, "expired", source, detail, now)
    return True


def mark_session_closed(session: Session, order_id: int) -> None:
    """The payment provider confirmed the order's session can no longer be paid."""
    session.exec(update(Order).where(col(Order.id) == order_id, col(Order.fintoc_close_pending_since).is_not(None))
                 .values(fintoc_close_pending_since=None))


def mark_fulfilled(session: Session, order_id: int, source: str, now: datetime) -> bool:
    if not _transition(session, order_id, S.FULFILLED, now, by=source):
        return False
    record(session, order_id, "fulfilled", source, None, now)
    return True


@dataclass(frozen=True)
class RefundFacts:
    """A refund the payment provider says succeeded."""

    refund_id: str
    amount: int
    currency: str | None
    mode: str
    payment_intent_id: str | None  # the payment it draws on, when the provider said
    our_refund_id: int | None = None  # the refund row staff asked for, from the refund's metadata


def record_refund(session: Session, order_id: int, facts: RefundFacts, *, expected_mode: str, source: str,
                  now: datetime) -> str:
    """Count a succeeded refund once; the order is `refunded` only when the refunds add up to what was paid.

    A refund that cannot be ours as it stands (other currency or mode, another payment, more than is left to
    refund, an order that took no money) changes nothing but flags the order for a person to look at.
    """
    order = _locked_order(session, order_id)
    if order is None:
        return "unknown order"
    row = _refund_row(session, order.id, facts)
    if row is not None and row.status == RefundStatus.SUCCEEDED:
        return f"refund {facts.refund_id} already counted"
    paid = order.paid_amount or order.total
    remaining = paid - order.refunded_total
    problem = None
    if order.status not in ALLOWED_FROM[S.REFUNDED]:
        problem = f"the order is {order.status}, with no payment left to refund"
    elif (facts.currency, facts.mode) != (order.currency, expected_mode):
        problem = f"it is in {facts.currency} ({facts.mode}), the order in {order.currency} ({expected_mode})"
    elif facts.payment_intent_id is not None and facts.payment_intent_id != order.payment_intent_id:
        problem = f"it refunds payment {facts.payment_intent_id}, not the order's {order.payment_intent_id}"
    elif not 0 < facts.amount <= remaining:
        problem = f"its amount {facts.amount} is more than the {remaining} left to refund"
    elif row is not None and row.amount != facts.amount:
        problem = f"its amount {facts.amount} is not the {row.amount} staff asked for"
    if problem is not None:
        if row is not None:
            # Out of the reconciler's hands for good: a person decides (it still counts against what is left).
            session.exec(update(OrderRefund).where(col(OrderRefund.id) == row.id)
                         .values(status=RefundStatus.REVIEW, fintoc_refund_id=facts.refund_id,
                                 failure_reason=f"Fintoc reported it: {problem}"[:200], recorded_at=now))
        outcome = _flag_once(session, order, facts.refund_id, source, now,
                             f"refund {facts.refund_id} does not fit the order: {problem}")
        return "refund does not fit the order: " + outcome
    if row is not None:
        # The refund staff asked for: counted now, in the same transaction as its effect on the order.
        counted = session.exec(update(OrderRefund).where(col(OrderRefund.id) == row.id,
                                                          col(OrderRefund.status) != RefundStatus.SUCCEEDED)
                               .values(status=RefundStatus.SUCCEEDED, fintoc_refund_id=facts.refund_id,
                                       recorded_at=now)).rowcount
        if counted != 1:
            return f"refund {facts.refund_id} already counted"
    else:
        try:
            with session.begin_nested():
                row = OrderRefund(order_id=order.id, fintoc_refund_id=facts.refund_id, amount=facts.amount,
                                  status=RefundStatus.SUCCEEDED, recorded_at=now)
                session.add(row)
                session.flush()
        except IntegrityError:
            return f"refund {facts.refund_id} already counted"
    # One email per refund row, full or partial, in the transaction that counts it.
    outbox.enqueue(session, f"refund:{row.id}", "refund", order.id, order.customer_email, amount=facts.amount,
                   now=now)
    refunded = order.refunded_total + facts.amount
    session.exec(update(Order).where(col(Order.id) == order.id).values(refunded_total=refunded, updated_at=now))
    if refunded == paid and _transition(session, order.id, S.REFUNDED, now, by=source):
        record(session, order.id, "refunded", source,
               f"refund {facts.refund_id} of {format_clp(facts.amount)}: all {format_clp(paid)} refunded", now)
        return "refunded"
    record(session, order.id, "partially_refunded", source,
           f"refund {facts.refund_id} of {format_clp(facts.amount)}: {format_clp(refunded)} of "
           f"{format_clp(paid)} refunded", now)
    return f"partially refunded: {refunded} of {paid}"


def _refund_row(session: Session, order_id: int, facts: RefundFacts) -> OrderRefund | None:
    """The refund row these facts are about: by Fintoc's id, else by ours from the metadata (a webhook can arrive
    before our call to Fintoc has stored its id)."""
    row = session.exec(select(OrderRefund).where(OrderRefund.fintoc_refund_id == facts.refund_id)
                       .with_for_update()).first()
    if row is None and facts.our_refund_id is not None:
        row = session.exec(select(OrderRefund).where(OrderRefund.id == facts.our_refund_id,
                                                     OrderRefund.order_id == order_id,
                                                     col(OrderRefund.fintoc_refund_id).is_(None)
                                                     | (OrderRefund.fintoc_refund_id == facts.refund_id))
                           .with_for_update()).first()
    return row


# -- reading -------------------------------------------------------------------------------------------------

def find_by_public_token(session: Session, token: object) -> Order | None:
    if not is_well_formed_public_token(token):
        return None
    return session.exec(select(Order).where(Order.public_token == token)).first()


def order_lines(session: Session, order_id: int) -> list[OrderLine]:
    return _lines(session, order_id)


def history(session: Session, order_id: int) -> list[OrderEvent]:
    return list(session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id)
                             .order_by(col(OrderEvent.created_at), col(OrderEvent.id))))


def pending_orders(session: Session, placed_before: datetime, *, after_id: int = 0, limit: int = 50) -> list[Order]:
    """One page of the orders still waiting for payment, by id: pass the last id seen to get the next page."""
    return list(session.exec(
        select(Order).where(Order.status == S.PENDING_PAYMENT, Order.created_at <= placed_before,
                            col(Order.id) > after_id)
        .order_by(col(Order.id)).limit(limit)
    ))


def orders_with_sessions_to_close(session: Session, *, after_id: int = 0, limit: int = 50) -> list[Order]:
    """One page of the closed orders whose payment session may still be payable (see cancel/expire)."""
    return list(session.exec(
        select(Order).where(col(Order.fintoc_close_pending_since).is_not(None), col(Order.id) > after_id)
        .order_by(col(Order.id)).limit(limit)
    ))


def claim_check(session: Session, order_id: int, now: datetime, until: datetime) -> bool:
    """Claim the next look at this order until `until`: true for exactly one of several workers asking at once.

    A conditional UPDATE, so it holds on SQLite and PostgreSQL alike; commit it before acting on the claim.
    """
    return session.exec(
        update(Order).where(col(Order.id) == order_id,
                            or_(col(Order.next_check_at).is_(None), col(Order.next_check_at) <= now))
        .values(next_check_at=until)
    ).rowcount == 1
