"""Fintoc's webhooks: verify, store every event once, and apply it through the order services.

The event row and its effect commit in one transaction, so a repeated delivery (also a concurrent one: the
unique event id makes the second insert wait, then fail) is acknowledged without a second effect.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, PaymentEvent
from pepestore.payments import settlement, signature
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.errors import FintocError
from pepestore.payments.types import CheckoutSession, PaymentIntent, Refund, WebhookEvent
from pepestore.store import orders
from pepestore.payments.refunds import settle_refund
from pepestore.store.orders import Source

log = logging.getLogger("pepestore.webhook")

MAX_BODY_BYTES = 64 * 1024
NO_ORDER = "no matching order: stored, no effect"


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict
    order_id: int | None = None  # the order whose status may have changed, to push to an open page


def _order_id_from(data: dict) -> int | None:
    metadata = data.get("metadata")
    raw = metadata.get("order_id") if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw.isdigit() and len(raw) < 12:
        return int(raw)
    return None


def _find_order(session: Session, event: WebhookEvent) -> Order | None:
    order_id = _order_id_from(event.data)
    if order_id is not None:
        order = session.get(Order, order_id)
        # Sessions name the order's public token too: an order id can come back (a database restored, a placement
        # lost in a crash), and another order's session must not settle this one. Older sessions carry no token.
        metadata = event.data.get("metadata")
        token = metadata.get("order_token") if isinstance(metadata, dict) else None
        if order is not None and token is not None and token != order.public_token:
            return None
        return order
    intent_id = event.data.get("id") if event.type.startswith("payment_intent.") else event.data.get("resource_id")
    if isinstance(intent_id, str) and intent_id:
        return session.exec(select(Order).where(Order.payment_intent_id == intent_id)).first()
    return None


def _refund(session: Session, event: WebhookEvent, order: Order, now: datetime) -> str:
    try:
        refund = Refund.from_json(event.data)
    except FintocError:
        return "malformed refund: no effect"
    if len(refund.id) > 64:
        return "malformed refund: no effect"
    data_mode = event.data.get("mode")
    # The refund object may carry its own mode: both it and the envelope must be this store's.
    mode = event.mode if data_mode in (None, event.mode) else f"{event.mode}/{data_mode}"
    return settle_refund(session, order.id, refund, mode=mode, source=Source.WEBHOOK, now=now)


def _apply(session: Session, event: WebhookEvent, order: Order, expected_mode: str, now: datetime) -> str:
    kind, data = event.type, event.data
    settle = dict(mode=event.mode, expected_mode=expected_mode, source=Source.WEBHOOK, now=now)
    if kind.startswith("checkout_session."):
        if order.fintoc_session_id not in (None, data.get("id")):
            orders.record(session, order.id, "flagged", Source.WEBHOOK,
                          f"event {event.id} is about session {data.get('id')}, not this order's", now)
            order.needs_review = True
            session.add(order)
            return "session does not belong to the order: flagged"
        try:
            remote = CheckoutSession.from_json(data)
        except FintocError:
            return "malformed session: no effect"
        return settlement.settle(session, order.id, session=remote, **settle)
    if kind.startswith("payment_intent."):
        try:
            intent = PaymentIntent.from_json(data)
        except FintocError:
            return "malformed payment: no effect"
        return settlement.settle(session, order.id, intent=intent, **settle)
    if kind.startswith("refund."):
        # The refund object carries its status: refund.in_progress, .succeeded, .failed all settle through it.
        return _refund(session, event, order, now)
    return "no effect"


# Built once: Core statements on the table, run on the session's own connection (same transaction as the effect),
# skip the ORM's DML machinery and the statement building that every delivery would otherwise repeat.
_EVENTS = PaymentEvent.__table__
_INSERT_ONCE = {
    name: dialect.insert(_EVENTS).on_conflict_do_nothing(index_elements=["fintoc_event_id"]).returning(_EVENTS.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_RECORD_OUTCOME = (update(_EVENTS).where(_EVENTS.c.id == bindparam("row_id"))
                   .values(outcome=bindparam("new_outcome"), order_id=bindparam("new_order_id")))


def _store_once(session: Session, event: WebhookEvent, raw_body: bytes, now: datetime, outcome: str) -> int | None:
    """The new event row's id, or None when this event was stored before.

    One statement: the unique event id decides, and a concurrent repeat waits for the first delivery's transaction,
    then finds its row (no savepoint round trips, no failed insert to roll back to)."""
    connection = session.connection()
    return connection.execute(_INSERT_ONCE[connection.dialect.name], {
        "fintoc_event_id": event.id, "type": event.type, "mode": event.mode,
        "raw_body": raw_body.decode("utf-8", "replace"), "outcome": outcome, "received_at": now}).scalar()


def handle_webhook(raw_body: bytes, signature_header: str | None, now: datetime) -> WebhookAnswer:
    """Everything after the HTTP layer. Never raises for bad input; a database failure answers 503."""
    config = get_fintoc_config()
    try:
        signature.verify(raw_body, signature_header, config.webhook_secret, now=now.timestamp())
    except signature.SignatureError as refusal:
        return WebhookAnswer(400, {"error": f"invalid signature: {refusal}"})
    try:
        event = WebhookEvent.from_body(raw_body)
    except ValueError as refusal:
        return WebhookAnswer(400, {"error": f"invalid event: {refusal}"})
    try:
        with session_scope() as session:
            # The order first (a plain read, no lock): an event for no order of ours is then stored with its final
            # outcome in one statement. Stored before any effect either way, so the unique event id still decides.
            order = _find_order(session, event)
            if order is None:
                outcome = NO_ORDER
                if _store_once(session, event, raw_body, now, outcome) is None:
                    return WebhookAnswer(200, {"received": True, "duplicate": True})
            else:
                stored_id = _store_once(session, event, raw_body, now, "received")
                if stored_id is None:
                    return WebhookAnswer(200, {"received": True, "duplicate": True})
                outcome = _apply(session, event, order, config.mode, now)[:200]
                session.flush()  # the effect's own writes first, then the event's outcome beside them
                session.connection().execute(_RECORD_OUTCOME, {
                    "row_id": stored_id, "new_outcome": outcome, "new_order_id": order.id})
            answer = WebhookAnswer(200, {"received": True, "outcome": outcome},
                                   order.id if order is not None else None)
    except SQLAlchemyError:
        log.exception("webhook %s could not be stored; Fintoc will retry", event.id)
        return WebhookAnswer(503, {"error": "temporarily unable to store the event; retry later"})
    log.info("webhook %s %s: %s", event.id, event.type, answer.body.get("outcome"))
    return answer
