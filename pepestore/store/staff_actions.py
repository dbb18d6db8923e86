"""What staff do to an order from the back office. Each is one conditional change, recorded in the order's
timeline with the staff member and in the audit log, and refused in plain words when the order's status does not
allow it. Nothing here talks to Fintoc: the flows that must (cancelling, refunding) call these around it."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from pepestore.models import Order, OrderEvent
from pepestore.store import orders, outbox
from pepestore.i18n import Text
from pepestore.store.errors import StoreError
from pepestore.store.orders import Source
from pepestore.store.staff import StaffMember, audit

CARRIERS = ("Chilexpress", "Starken", "Blue Express", "Other")
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,62}[A-Za-z0-9]$|^[A-Za-z0-9]$")
NOTE_MAX = 480


def _order(session: Session, raw_order_id: object) -> Order:
    if not isinstance(raw_order_id, int) or isinstance(raw_order_id, bool) or not 0 < raw_order_id < 10**12:
        raise StoreError(Text("admin.no_order"))
    order = session.get(Order, raw_order_id)
    if order is None:
        raise StoreError(Text("admin.no_order"))
    return order


def _note(raw: object, *, required: bool) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if required and len(text) < 3:
        raise StoreError(Text("admin.note_short"))
    if len(text) > NOTE_MAX:
        raise StoreError(Text("admin.note_long", max=NOTE_MAX))
    return text


def record_staff(session: Session, order_id: int, kind: str, member: StaffMember, detail: str, now: datetime,
                 ip: str | None = None) -> None:
    session.add(OrderEvent(order_id=order_id, kind=kind, source=Source.ADMIN, detail=detail[:500] or None,
                           staff_id=member.id, created_at=now))
    audit(session, kind, member.email, now, staff_id=member.id, order_id=order_id, detail=detail, ip=ip)


def mark_shipped(session: Session, raw_order_id: object, carrier: object, tracking: object, member: StaffMember,
                 now: datetime, ip: str | None = None) -> None:
    order = _order(session, raw_order_id)
    if carrier not in CARRIERS:
        raise StoreError(Text("admin.choose_carrier", carriers=", ".join(CARRIERS)))
    number = tracking.strip() if isinstance(tracking, str) else ""
    if not _TRACKING.match(number):
        raise StoreError(Text("admin.bad_tracking"))
    if not orders.mark_fulfilled(session, order.id, Source.ADMIN, now):
        raise StoreError(Text("admin.ship_only_paid", status=Text("status." + order.status)))
    session.exec(update(Order).where(col(Order.id) == order.id).values(carrier=carrier, tracking_number=number))
    record_staff(session, order.id, "shipped", member, f"{carrier} {number}", now, ip)
    outbox.enqueue(session, f"shipped:{order.id}", "shipped", order.id, order.customer_email, now=now)


def resend_receipt(session: Session, raw_order_id: object, member: StaffMember, now: datetime,
                   ip: str | None = None) -> str:
    """A copy of the receipt, once per click: a new outbox row with its own key. Returns the key."""
    order = _order(session, raw_order_id)
    order = orders.locked_order(session, order.id)  # two clicks at once get two numbers, not one lost row
    if order.status not in (orders.S.PAID, orders.S.FULFILLED):
        raise StoreError(Text("admin.resend_only_paid", status=Text("status." + order.status)))
    key = outbox.next_resend_key(session, order.id)
    if not outbox.enqueue(session, key, "receipt", order.id, order.customer_email, now=now):
        # Another click took this number at the same moment (SQLite has no row lock to queue behind).
        raise StoreError(Text("admin.resend_race"))
    record_staff(session, order.id, "receipt_resent", member, f"to {order.customer_email}", now, ip)
    return key


def cancel_unpaid(session: Session, raw_order_id: object, reason: object, member: StaffMember, now: datetime,
                  ip: str | None = None) -> str | None:
    """Cancel an order still waiting for payment (its stock goes back). Returns its Fintoc session id, which the
    caller must expire at Fintoc so it can no longer be paid."""
    order = _order(session, raw_order_id)
    why = _note(reason, required=True)
    if not orders.cancel_order(session, order.id, Source.ADMIN, f"cancelled by staff: {why}", now):
        raise StoreError(Text("admin.cancel_only_pending", status=Text("status." + order.status)))
    record_staff(session, order.id, "cancelled_by_staff", member, why, now, ip)
    return order.fintoc_session_id


def resolve_review(session: Session, raw_order_id: object, note: object, member: StaffMember, now: datetime,
                   ip: str | None = None) -> None:
    order = _order(session, raw_order_id)
    text = _note(note, required=True)
    cleared = session.exec(update(Order).where(col(Order.id) == order.id, col(Order.needs_review))
                           .values(needs_review=False, updated_at=now)).rowcount
    if cleared != 1:
        raise StoreError(Text("admin.not_flagged"))
    record_staff(session, order.id, "review_resolved", member, text, now, ip)


def add_note(session: Session, raw_order_id: object, note: object, member: StaffMember, now: datetime,
             ip: str | None = None) -> None:
    order = _order(session, raw_order_id)
    record_staff(session, order.id, "note", member, _note(note, required=True), now, ip)
