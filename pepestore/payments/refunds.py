"""Refunds through Fintoc: staff ask, Fintoc is told (POST /v1/refunds, Idempotency-Key from our refund row), and
what Fintoc says about a refund — in its answer, a webhook or the reconciler's read — settles through one rule here.

    created / pending / in_progress   -> in progress (Fintoc has it; nothing counted yet)
    succeeded                         -> counted against the order (orders.record_refund): partly or fully refunded
    failed / canceled                 -> failed: no longer counts against what is left; the order asks for review

A call that does not reach Fintoc leaves the refund `requested`; the reconciler sends it again with the same key,
so Fintoc makes it once however often it is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from pepestore.db import in_db_thread
from pepestore.models import OrderRefund, RefundStatus, utcnow
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.errors import FintocError, FintocInvalidRequestError
from pepestore.payments.gateway import fintoc_client
from pepestore.payments.types import Refund
from pepestore.store import orders, refunds
from pepestore.store.orders import RefundFacts, Source
from pepestore.store.refunds import RefundToSend
from pepestore.store.staff import StaffMember

log = logging.getLogger("pepestore.refunds")
IN_FLIGHT = frozenset({"created", "pending", "in_progress"})
ENDED_WITHOUT_MONEY = frozenset({"failed", "canceled", "cancelled"})
UNREACHABLE = ("Fintoc could not be reached. The refund is saved and will be sent again automatically within a "
               "few minutes — do not refund it twice.")


def our_refund_id(refund: Refund) -> int | None:
    raw = refund.metadata.get("refund_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def settle_refund(db: Session, order_id: int, refund: Refund, *, mode: str, source: str, now: datetime) -> str:
    """Apply what Fintoc says about one refund of this order. Idempotent; returns what happened, in words."""
    expected_mode = get_fintoc_config().mode
    mine = our_refund_id(refund)
    row = refunds.find_refund(db, refund.id, mine)
    if row is not None and row.order_id != order_id:
        row = None
    if refund.status in IN_FLIGHT:
        if row is not None:
            refunds.fintoc_accepted(db, row.id, refund.id, now)
        return "refund in progress"
    if refund.status in ENDED_WITHOUT_MONEY:
        if row is None:
            return f"refund {refund.id} {refund.status}: not one of ours, no effect"
        done = refunds.refund_failed(db, row.id, f"Fintoc reports the refund {refund.status}", source, now)
        return "refund failed" if done else "no change"
    if refund.status != "succeeded":
        return f"refund status {refund.status!r}: no effect"
    facts = RefundFacts(refund_id=refund.id, amount=refund.amount, currency=refund.currency, mode=mode,
                        payment_intent_id=refund.resource_id if refund.resource_type in (None, "payment_intent")
                        else f"{refund.resource_type}:{refund.resource_id}",
                        our_refund_id=row.id if row is not None else None)
    return orders.record_refund(db, order_id, facts, expected_mode=expected_mode, source=source, now=now)


async def send(to_send: RefundToSend, source: str) -> str | None:
    """Tell Fintoc about one requested refund and apply its answer. None when all went well, else what to tell
    the person who asked."""
    try:
        answer = await fintoc_client().create_refund(
            payment_intent_id=to_send.payment_intent_id, amount=to_send.amount,
            idempotency_key=to_send.idempotency_key,
            metadata={"order_id": str(to_send.order_id), "refund_id": str(to_send.refund_id)})
    except FintocInvalidRequestError as refusal:
        reason = f"Fintoc refused it: {refusal.message}"[:200]
        await in_db_thread(refunds.refund_failed, to_send.refund_id, reason, source, utcnow())
        return reason
    except FintocError as exc:
        log.warning("refund %s not sent: %s", to_send.refund_id, exc)
        return UNREACHABLE
    await in_db_thread(settle_refund, to_send.order_id, answer, mode=get_fintoc_config().mode,
                            source=source, now=utcnow())
    return None


async def refund_order(order_id: object, amount: object, restock: object, member: StaffMember,
                       ip: str | None = None) -> str | None:
    """Staff refund: written here first (raises StoreError when not allowed), then sent to Fintoc."""
    to_send = await in_db_thread(refunds.request_refund, order_id, amount, restock, member,
                                      utcnow(), ip)
    return await send(to_send, Source.ADMIN)


async def reconcile_refunds(now: datetime | None = None) -> dict[int, str]:
    """Send again what Fintoc never took; ask Fintoc how the ones it took ended (a webhook may be late or lost)."""
    moment = now or utcnow()
    stale = await in_db_thread(refunds.unsettled, moment - refunds.RETRY_AFTER)
    outcomes: dict[int, str] = {}
    for row in stale:
        outcomes[row.id] = await _reconcile_one(row, moment)
    return outcomes


async def _reconcile_one(row: OrderRefund, moment: datetime) -> str:
    if row.status == RefundStatus.REQUESTED:
        to_send = await in_db_thread(refunds.sending_payload, row.id)
        if to_send is None:
            return "nothing to send"
        problem = await send(to_send, Source.RECONCILER)
        return problem or "sent"
    if not row.fintoc_refund_id:
        return "no Fintoc id"
    try:
        remote = await fintoc_client().get_refund(row.fintoc_refund_id)
    except FintocError as exc:
        log.warning("could not read refund %s: %s", row.fintoc_refund_id, exc)
        return "fintoc unavailable"
    outcome = await in_db_thread(settle_refund, row.order_id, remote,
                                      mode=get_fintoc_config().mode, source=Source.RECONCILER, now=moment)
    if remote.status in IN_FLIGHT:
        # Still with Fintoc: look again after another wait, not at every pass.
        await in_db_thread(_touch, row.id, moment)
    return outcome


def _touch(db: Session, refund_id: int, now: datetime) -> None:
    db.exec(update(OrderRefund).where(col(OrderRefund.id) == refund_id).values(recorded_at=now))


