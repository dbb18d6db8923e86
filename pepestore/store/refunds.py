"""Refunds staff ask for: the arithmetic that keeps them within what was paid, putting returned goods back on
sale, and each step Fintoc reports (in progress, failed). Counting a succeeded refund is `orders.record_refund`.

Two staff refunding at once cannot refund more than was paid: the order row is locked while the amount left is
read and the refund row written, and every refund not failed counts against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from pepestore.models import Order, OrderLine, OrderRefund, Product, RefundStatus
from pepestore.models import OrderStatus as S
from pepestore.catalog_models import StockReason
from pepestore.money import format_clp
from pepestore.i18n import text
from pepestore.store import stock
from pepestore.store.errors import StoreError
from pepestore.store.orders import record
from pepestore.store.staff import StaffMember
from pepestore.store.staff_actions import record_staff

REFUNDABLE = frozenset({S.PAID, S.FULFILLED, S.PAID_NEEDS_REFUND})
HOLDS_STOCK = frozenset({S.PAID, S.FULFILLED})  # a paid_needs_refund order's units are already back on sale


def paid_of(order: Order) -> int:
    """What the order's payment brought in: the ceiling for its refunds."""
    return order.paid_amount or order.total


@dataclass(frozen=True)
class RefundToSend:
    """What the flow sends to Fintoc for one refund row. The row id makes the Idempotency-Key."""

    refund_id: int
    order_id: int
    payment_intent_id: str
    amount: int

    @property
    def idempotency_key(self) -> str:
        return f"refund-{self.refund_id}"


def held_by_refunds(session: Session, order_id: int) -> int:
    return session.exec(select(func.coalesce(func.sum(OrderRefund.amount), 0))
                        .where(OrderRefund.order_id == order_id,
                               col(OrderRefund.status).in_(RefundStatus.HOLDING))).one()


def _locked(session: Session, order_id: object) -> Order:
    if not isinstance(order_id, int) or isinstance(order_id, bool) or not 0 < order_id < 10**12:
        raise StoreError(text("admin.no_order"))
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()
                         .execution_options(populate_existing=True)).first()
    if order is None:
        raise StoreError(text("admin.no_order"))
    return order


def _restock_plan(session: Session, order_id: int, raw: object) -> list[tuple[OrderLine, int]]:
    """{order line id: units coming back}, checked against what was bought and already put back."""
    if raw in (None, {}):
        return []
    if not isinstance(raw, dict) or len(raw) > 100:
        raise StoreError(text("admin.restock_choose"))
    lines = {line.id: line for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id))}
    plan = []
    for key, units in raw.items():
        line = lines.get(int(key)) if str(key).isdigit() else None
        if line is None:
            raise StoreError(text("admin.restock_other_line"))
        if not isinstance(units, int) or isinstance(units, bool) or not 0 <= units <= line.quantity - line.restocked:
            raise StoreError(text("admin.restock_range", name=line.name,
                                       most=line.quantity - line.restocked))
        if units:
            plan.append((line, units))
    return plan


def request_refund(session: Session, raw_order_id: object, raw_amount: object, restock: object,
                   member: StaffMember, now: datetime, ip: str | None = None) -> RefundToSend:
    order = _locked(session, raw_order_id)
    if order.status not in REFUNDABLE or not order.payment_intent_id:
        raise StoreError(text("admin.refund_only_paid", status=text("status." + order.status)))
    left = paid_of(order) - held_by_refunds(session, order.id)
    if left <= 0:
        raise StoreError(text("admin.refunded_already"))
    if not isinstance(raw_amount, int) or isinstance(raw_amount, bool) or not 0 < raw_amount <= left:
        raise StoreError(text("admin.refund_range", left=format_clp(left)))
    plan = _restock_plan(session, order.id, restock)
    if plan and order.status not in HOLDS_STOCK:
        raise StoreError(text("admin.restock_done"))
    refund = OrderRefund(order_id=order.id, amount=raw_amount, status=RefundStatus.REQUESTED, staff_id=member.id,
                         requested_at=now, recorded_at=now)
    session.add(refund)
    session.flush()
    # Products in id order, the store's one lock order.
    for line, units in sorted(plan, key=lambda item: item[0].product_id):
        session.exec(update(Product).where(col(Product.id) == line.product_id).values(stock=Product.stock + units))
        stock.log(session, line.product_id, units, StockReason.RESTOCKED, now, order_id=order.id, staff_id=member.id)
        session.exec(update(OrderLine).where(col(OrderLine.id) == line.id)
                     .values(restocked=OrderLine.restocked + units))
    back = ", ".join(f"{units} x {line.name}" for line, units in plan)
    record_staff(session, order.id, "refund_requested", member,
                 f"{format_clp(raw_amount)} of {format_clp(paid_of(order))}" + (f"; back on sale: {back}" if back else ""),
                 now, ip)
    return RefundToSend(refund.id, order.id, order.payment_intent_id, raw_amount)


def fintoc_accepted(session: Session, refund_id: int, fintoc_refund_id: str, now: datetime) -> None:
    """Fintoc took the refund (created, pending or in progress): remember its id; its outcome comes later."""
    session.exec(update(OrderRefund)
                 .where(col(OrderRefund.id) == refund_id, col(OrderRefund.status) == RefundStatus.REQUESTED)
                 .values(status=RefundStatus.IN_PROGRESS, fintoc_refund_id=fintoc_refund_id, recorded_at=now))


def refund_failed(session: Session, refund_id: int, reason: str, source: str, now: datetime) -> bool:
    """A refund that will not happen: it stops counting against what is left, and the order asks for a person."""
    row = session.get(OrderRefund, refund_id)
    if row is None:
        return False
    changed = session.exec(update(OrderRefund)
                           .where(col(OrderRefund.id) == refund_id,
                                  col(OrderRefund.status).in_((RefundStatus.REQUESTED, RefundStatus.IN_PROGRESS)))
                           .values(status=RefundStatus.FAILED, failure_reason=reason[:200], recorded_at=now)).rowcount
    if changed:
        session.exec(update(Order).where(col(Order.id) == row.order_id).values(needs_review=True, updated_at=now))
        record(session, row.order_id, "refund_failed", source, f"refund of {format_clp(row.amount)}: {reason}", now)
    return bool(changed)


def find_refund(session: Session, fintoc_refund_id: str | None, our_refund_id: int | None) -> OrderRefund | None:
    row = None
    if fintoc_refund_id:
        row = session.exec(select(OrderRefund).where(OrderRefund.fintoc_refund_id == fintoc_refund_id)).first()
    if row is None and our_refund_id is not None:
        row = session.get(OrderRefund, our_refund_id)
    return row


def unsettled(session: Session, older_than: datetime, limit: int = 100) -> list[OrderRefund]:
    """Refunds still open a while after they last changed: Fintoc never took them, or has not said how it ended."""
    return list(session.exec(select(OrderRefund)
                             .where(col(OrderRefund.status).in_((RefundStatus.REQUESTED, RefundStatus.IN_PROGRESS)),
                                    OrderRefund.recorded_at <= older_than)
                             .order_by(col(OrderRefund.id)).limit(limit)))


def refunds_of(session: Session, order_id: int) -> list[OrderRefund]:
    return list(session.exec(select(OrderRefund).where(OrderRefund.order_id == order_id)
                             .order_by(col(OrderRefund.id))))


def sending_payload(session: Session, refund_id: int) -> RefundToSend | None:
    row = session.get(OrderRefund, refund_id)
    order = session.get(Order, row.order_id) if row is not None else None
    if row is None or order is None or row.status != RefundStatus.REQUESTED or not order.payment_intent_id:
        return None
    return RefundToSend(row.id, order.id, order.payment_intent_id, row.amount)


RETRY_AFTER = timedelta(seconds=60)
