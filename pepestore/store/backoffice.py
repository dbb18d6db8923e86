"""What the back office reads: the counts that need a human, the order list with its filters, one order's timeline.

Plain queries, no Reflex: the admin states call these in a worker thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from pepestore.clock import santiago_day_start, santiago_today, santiago_week_start
from pepestore.models import Order, OrderEvent, OrderLine, PaymentEvent, as_utc
from pepestore.models import OrderStatus as S
from pepestore.staff_models import Staff
from pepestore.i18n import Text
from pepestore.store.errors import StoreError

PAGE_SIZE = 50
STATUSES = (S.PENDING_PAYMENT, S.PAID, S.FULFILLED, S.CANCELLED, S.EXPIRED, S.REFUNDED, S.PAID_NEEDS_REFUND)
KEPT = (S.PAID, S.FULFILLED, S.REFUNDED)
_ORDER_NUMBER = re.compile(r"^#?(\d{1,12})$")


@dataclass(frozen=True)
class Dashboard:
    needs_review: int
    awaiting_fulfilment: int
    needs_refund: int
    pending_now: int
    paid_today: int
    paid_this_week: int


def dashboard(session: Session, now: datetime) -> Dashboard:
    by_status = dict(session.exec(select(Order.status, func.count()).group_by(Order.status)).all())
    review = session.exec(select(func.count()).select_from(Order).where(Order.needs_review)).one()

    def paid_since(start: datetime) -> int:
        # What the shop keeps: orders paid since then, less what was refunded; a payment that must go back
        # (paid_needs_refund) is not income.
        return session.exec(select(func.coalesce(func.sum(func.coalesce(Order.paid_amount, Order.total)
                                                           - Order.refunded_total), 0))
                            .where(col(Order.status).in_(KEPT), Order.paid_at >= start)).one()

    return Dashboard(review, by_status.get(S.PAID, 0), by_status.get(S.PAID_NEEDS_REFUND, 0),
                     by_status.get(S.PENDING_PAYMENT, 0), paid_since(santiago_day_start(santiago_today(now))),
                     paid_since(santiago_week_start(now)))


@dataclass(frozen=True)
class OrderFilter:
    """The order list's filter, as it travels in the URL. Build it with `parse` from untrusted input."""

    status: str = ""
    review: bool = False
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    page: int = 1

    @classmethod
    def parse(cls, raw: dict) -> OrderFilter:
        def text(name: str, limit: int) -> str:
            value = raw.get(name, "")
            return value.strip()[:limit] if isinstance(value, str) else ""

        status = text("status", 24)
        if status and status not in STATUSES:
            raise StoreError(Text("admin.no_status", status=repr(status)))
        page = text("page", 6)
        return cls(status=status, review=text("review", 5) in ("1", "true"), date_from=_date(text("from", 10)),
                   date_to=_date(text("to", 10)), query=text("q", 120),
                   page=int(page) if page.isdigit() and int(page) > 0 else 1)

    def params(self, **changes) -> dict[str, str]:
        """The URL query for this filter (with changes), leaving defaults out."""
        values = {"status": self.status, "review": "1" if self.review else "", "q": self.query,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "",
                  "page": str(self.page) if self.page > 1 else ""}
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value and value != "0"}


def _date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise StoreError(Text("admin.bad_date", raw=repr(raw))) from None


def _filtered(statement, wanted: OrderFilter):
    if wanted.status:
        statement = statement.where(Order.status == wanted.status)
    if wanted.review:
        statement = statement.where(Order.needs_review)
    if wanted.date_from:
        statement = statement.where(Order.created_at >= santiago_day_start(wanted.date_from))
    if wanted.date_to:
        statement = statement.where(Order.created_at < santiago_day_start(wanted.date_to + timedelta(days=1)))
    if wanted.query:
        number = _ORDER_NUMBER.match(wanted.query)
        if number:
            statement = statement.where(Order.id == int(number.group(1)))
        else:
            # The token exactly (indexed), or any part of the email: a scan, a few milliseconds at 10 000 orders.
            statement = statement.where(or_(Order.public_token == wanted.query,
                                            func.lower(Order.customer_email).contains(wanted.query.lower(),
                                                                                      autoescape=True)))
    return statement


def list_orders(session: Session, wanted: OrderFilter, page_size: int = PAGE_SIZE) -> tuple[list[Order], int]:
    """One page of orders, newest first, and how many match in all."""
    total = session.exec(_filtered(select(func.count()).select_from(Order), wanted)).one()
    rows = session.exec(_filtered(select(Order), wanted).order_by(col(Order.id).desc())
                        .offset((wanted.page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def all_matching(session: Session, wanted: OrderFilter, batch: int = 500):
    """Every order the filter matches, newest first, in batches (for the CSV export)."""
    last_id = None
    while True:
        statement = _filtered(select(Order), wanted).order_by(col(Order.id).desc()).limit(batch)
        if last_id is not None:
            statement = statement.where(Order.id < last_id)
        rows = session.exec(statement).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def items_of(session: Session, order_ids: list[int]) -> dict[int, list[OrderLine]]:
    found: dict[int, list[OrderLine]] = {order_id: [] for order_id in order_ids}
    if order_ids:
        for line in session.exec(select(OrderLine).where(col(OrderLine.order_id).in_(order_ids))
                                 .order_by(col(OrderLine.id))):
            found[line.order_id].append(line)
    return found


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str  # order event kind, webhook type or staff action
    who: str  # shopper, webhook, reconciler, a staff member's email
    detail: str = ""
    kind: str = "order"  # order | webhook | staff


def timeline(session: Session, order_id: int) -> list[TimelineEntry]:
    """The order's events (staff actions carry the member's email) and the webhooks Fintoc sent about it, by time."""
    events = session.exec(select(OrderEvent, Staff.email).join(Staff, col(Staff.id) == col(OrderEvent.staff_id),
                                                             isouter=True)
                          .where(OrderEvent.order_id == order_id))
    entries = [TimelineEntry(as_utc(e.created_at), e.kind, email or e.source, e.detail or "",
                             "staff" if email else "order") for e, email in events]
    entries += [TimelineEntry(as_utc(p.received_at), p.type, "Fintoc webhook", p.outcome, "webhook")
                for p in session.exec(select(PaymentEvent).where(PaymentEvent.order_id == order_id))]
    return sorted(entries, key=lambda entry: entry.at)
