"""Settle orders from Fintoc's own record, for when a webhook is late or lost (delivery is not guaranteed).

`settle_order` is shared by the reconciler (a lifespan task) and the order status page's check.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from pepestore.db import session_scope
from pepestore.models import Order, OrderStatus, as_utc, utcnow
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.errors import FintocError
from pepestore.payments.gateway import close_fintoc_client, fintoc_client
from pepestore.settings import get_settings
from pepestore.store import orders
from pepestore.store.orders import PaymentFacts

log = logging.getLogger("pepestore.reconcile")


def _pending(order_id: int) -> Order | None:
    with session_scope() as session:
        order = session.get(Order, order_id)
        return order if order is not None and order.status == OrderStatus.PENDING_PAYMENT else None


def _in_session(fn, *args) -> object:
    with session_scope() as session:
        return fn(session, *args)


async def settle_order(order_id: int, source: str, now: datetime | None = None) -> str:
    """Read the order's Fintoc session and apply what it says; expire the order once its time is up."""
    moment = now or utcnow()
    order = await asyncio.to_thread(_pending, order_id)
    if order is None:
        return "not pending"
    overdue = moment >= as_utc(order.expires_at)
    if order.fintoc_session_id is None:
        if overdue:
            await asyncio.to_thread(_in_session, orders.expire_order, order_id, source, moment)
            return "expired (no session)"
        return "no session yet"
    client = fintoc_client()
    try:
        session = await client.get_checkout_session(order.fintoc_session_id)
        if not session.paid and session.status in ("created", "in_progress") and overdue:
            session = await client.expire_checkout_session(order.fintoc_session_id,
                                                           idempotency_key=f"order-{order_id}-expire")
    except FintocError as exc:
        log.warning("could not read session for order %s: %s", order_id, exc)
        return "fintoc unavailable"
    intent = session.payment_intent
    if session.paid:
        facts = PaymentFacts(intent.amount, intent.currency, session.mode, intent.id)
        return await asyncio.to_thread(_in_session, lambda s: orders.confirm_payment(
            s, order_id, facts, expected_mode=get_fintoc_config().mode, source=source, now=moment))
    if intent is not None and intent.status in ("failed", "rejected"):
        reason = f"the bank {intent.status} the payment"
        done = await asyncio.to_thread(_in_session, orders.cancel_order, order_id, source, reason, moment)
        return "cancelled" if done else "no change"
    if session.status == "expired":
        done = await asyncio.to_thread(_in_session, orders.expire_order, order_id, source, moment)
        return "expired" if done else "no change"
    return "still waiting"


async def reconcile_once(now: datetime | None = None) -> dict[int, str]:
    moment = now or utcnow()
    cutoff = moment - timedelta(seconds=get_settings().reconcile_after_seconds)
    candidates = await asyncio.to_thread(_in_session, orders.pending_orders, cutoff)
    return {order.id: await settle_order(order.id, orders.Source.RECONCILER, moment) for order in candidates}


async def run_reconciler() -> None:
    """Lifespan task. Every worker may run it: each settlement is a conditional update."""
    try:
        await _reconcile_forever()
    finally:
        # Cancelled at shutdown, after Reflex stopped its event handlers: the last user of the Fintoc client.
        await close_fintoc_client()


async def _reconcile_forever() -> None:
    interval = get_settings().reconcile_interval_seconds
    while True:
        try:
            settled = await reconcile_once()
            changed = {k: v for k, v in settled.items() if v not in ("still waiting", "not pending")}
            if changed:
                log.info("reconciled orders: %s", changed)
        except Exception:  # noqa: BLE001 - one bad pass must not end reconciliation for good
            log.exception("reconciliation pass failed")
        await asyncio.sleep(interval)
