"""Settle orders from Fintoc's own record, for when a webhook is late or lost (delivery is not guaranteed).

`settle_order` is shared by the reconciler (a lifespan task), the order status page's check and the shopper's
exit; what Fintoc's answer means is decided in one place, pepestore/payments/settlement.py.

A reconciliation pass visits every pending order older than RECONCILE_AFTER_SECONDS (page by page), then every
closed order whose Fintoc session still has to be closed. Each visit is claimed first (orders.claim_check), so
with N workers or instances each order is read from Fintoc once per interval, not N times. An overdue order is
expired here even while Fintoc cannot be reached, so its stock comes back; its session is closed at Fintoc by a
later pass, once Fintoc answers again.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta

from pepestore.db import in_db_thread, session_scope
from pepestore.models import Order, OrderStatus, as_utc, utcnow
from pepestore.payments import settlement
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.errors import FintocError
from pepestore.payments.gateway import close_fintoc_client, fintoc_client
from pepestore.payments.refunds import reconcile_refunds
from pepestore.payments.types import CheckoutSession
from pepestore.settings import get_settings
from pepestore.store import orders

log = logging.getLogger("pepestore.reconcile")
SHOPPER_CHECK_EVERY = timedelta(seconds=20)

PAGE = 50
WAITING = "still waiting"
UNREACHABLE = "fintoc unavailable"


def _pending(order_id: int) -> Order | None:
    with session_scope() as session:
        order = session.get(Order, order_id)
        return order if order is not None and order.status == OrderStatus.PENDING_PAYMENT else None


def _settle(order_id: int, remote: CheckoutSession, source: str, now: datetime) -> str:
    with session_scope() as session:
        return settlement.settle(session, order_id, session=remote, mode=remote.mode,
                                 expected_mode=get_fintoc_config().mode, source=source, now=now)


@dataclass
class _Pass:
    """One reconciliation pass. After one failed call to Fintoc it stops asking (each call would only wait for
    its timeouts again) and does what needs no Fintoc: expiring overdue orders here."""

    fintoc_down: bool = False


async def settle_order(order_id: int, source: str, now: datetime | None = None, *, run: _Pass | None = None) -> str:
    """Read the order's Fintoc session and apply what it says; expire the order once its time is up."""
    moment = now or utcnow()
    run = run or _Pass()
    order = await asyncio.to_thread(_pending, order_id)
    if order is None:
        return "not pending"
    overdue = moment >= as_utc(order.expires_at)
    if order.fintoc_session_id is None:
        if overdue:
            await in_db_thread(orders.expire_order, order_id, source, moment, session_closed=True)
            return "expired (no session)"
        return "no session yet"
    remote, problem = None, "Fintoc was not asked: it failed earlier in this pass"
    if not run.fintoc_down:
        client = fintoc_client()
        try:
            remote = await client.get_checkout_session(order.fintoc_session_id)
            if not remote.paid and remote.status in settlement.OPEN_SESSION and overdue:
                remote = await client.expire_checkout_session(
                    order.fintoc_session_id, idempotency_key=f"order-{order_id}-{order.fintoc_session_id}-expire")
        except FintocError as exc:
            log.warning("could not read session for order %s: %s", order_id, exc)
            run.fintoc_down = exc.retryable
            remote, problem = None, f"Fintoc did not answer ({exc})"
    if remote is None:
        if not overdue:
            return UNREACHABLE
        # The stock must not wait for Fintoc. The session stays marked for closing (orders.expire_order), and a
        # payment that still lands takes the late-payment path.
        done = await in_db_thread(orders.expire_order, order_id, source, moment,
                                       detail=f"{problem}; its session is closed there later")
        return "expired here; Fintoc unreachable" if done else "no change"
    outcome = await asyncio.to_thread(_settle, order_id, remote, source, moment)
    return WAITING if settlement.verdict(session=remote, mode=remote.mode).transition == settlement.NOTHING \
        else outcome


async def check_for_shopper(order_id: int) -> str:
    """An order page asking Fintoc about its order: at most once per SHOPPER_CHECK_EVERY for the order, however many
    tabs show it, so nobody can spend the account's Fintoc requests (about 5 a second) by opening tabs."""
    now = utcnow()
    if not await in_db_thread(orders.claim_check, order_id, now, now + SHOPPER_CHECK_EVERY):
        return "checked a moment ago"
    return await settle_order(order_id, orders.Source.SHOPPER, now)


async def close_session(order_id: int, session_id: str, source: str, now: datetime | None = None, *,
                        idempotency_key: str | None = None) -> str:
    """Make sure a closed order's Fintoc session can no longer be paid, and settle from what Fintoc answers
    (a payment that got in first takes the late-payment path). Raises FintocError when Fintoc cannot say."""
    moment = now or utcnow()
    client = fintoc_client()
    remote = await client.get_checkout_session(session_id)
    if not remote.paid and remote.status in settlement.OPEN_SESSION:
        # A fresh key per attempt: Fintoc replays the first answer for a key, and that may have been an error.
        remote = await client.expire_checkout_session(
            session_id, idempotency_key=idempotency_key or f"order-{order_id}-{session_id}-expire-{int(moment.timestamp())}")
    return await asyncio.to_thread(_settle, order_id, remote, source, moment)


def _page(kind: str, after_id: int, cutoff: datetime) -> list[tuple[int, str | None]]:
    with session_scope() as session:
        if kind == "pending":
            page = orders.pending_orders(session, cutoff, after_id=after_id, limit=PAGE)
        else:
            page = orders.orders_with_sessions_to_close(session, after_id=after_id, limit=PAGE)
        return [(order.id, order.fintoc_session_id) for order in page]


async def _each(kind: str, cutoff: datetime, moment: datetime, hold: timedelta, live: bool):
    """Every order of one kind, page by page, that this pass managed to claim.

    A live pass claims with the clock at the moment of each claim: a pass that outlasts its interval (many overdue
    orders, a slow Fintoc) must not write claims that have already run out, or other workers read them again.
    """
    after_id = 0
    while True:
        page = await asyncio.to_thread(_page, kind, after_id, cutoff)
        for order_id, session_id in page:
            at = utcnow() if live else moment
            if await in_db_thread(orders.claim_check, order_id, at, at + hold):
                yield order_id, session_id
        if len(page) < PAGE:
            return
        after_id = page[-1][0]


async def reconcile_once(now: datetime | None = None) -> dict[int, str]:
    moment = now or utcnow()
    settings = get_settings()
    cutoff = moment - timedelta(seconds=settings.reconcile_after_seconds)
    # A little under one interval, so this worker's next pass finds the claim over and another worker's does not.
    hold = timedelta(seconds=settings.reconcile_interval_seconds * 0.9)
    live = now is None
    run = _Pass()
    settled: dict[int, str] = {}
    async with aclosing(_each("pending", cutoff, moment, hold, live)) as pending:
        async for order_id, _ in pending:
            settled[order_id] = await settle_order(order_id, orders.Source.RECONCILER, moment, run=run)
    if run.fintoc_down:
        return settled
    async with aclosing(_each("to close", cutoff, moment, hold, live)) as to_close:
        async for order_id, session_id in to_close:
            try:
                outcome = await close_session(order_id, session_id, orders.Source.RECONCILER, moment)
            except FintocError as exc:
                log.warning("could not close the session of order %s at Fintoc: %s", order_id, exc)
                if exc.retryable:
                    break  # Fintoc is down again: the next pass tries the rest
                continue
            settled[order_id] = f"session closed at Fintoc; {outcome}"
    return settled


async def run_reconciler() -> None:
    """Lifespan task. Every worker may run it: visits are claimed and each settlement is a conditional update."""
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
            changed = {k: v for k, v in settled.items() if v not in (WAITING, "not pending", "no session yet")}
            if changed:
                log.info("reconciled orders: %s", changed)
            # Refunds are few: re-sent with their own Idempotency-Key, so a second worker doing it too is harmless.
            refunds_settled = await reconcile_refunds()
            if refunds_settled:
                log.info("reconciled refunds: %s", refunds_settled)
        except Exception:  # noqa: BLE001 - one bad pass must not end reconciliation for good
            log.exception("reconciliation pass failed")
        await asyncio.sleep(interval)
