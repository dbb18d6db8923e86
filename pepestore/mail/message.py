"""One outbox row as an email: subject, plain text and HTML from the templates, headers that cannot be forged.

The order is read when the email is built, so its lines and totals are the database's. Addresses were checked at
checkout; they are checked again here, so a row written any other way still cannot add a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import func
from sqlmodel import Session, col, select

from pepestore.clock import santiago_long_label, utcnow
from pepestore.i18n import DEFAULT, say
from pepestore.models import EmailOutbox, Order, OrderRefund, RefundStatus
from pepestore.money import format_clp
from pepestore.settings import Settings, get_settings
from pepestore.store import orders
from pepestore.store.errors import StoreError

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                         undefined=StrictUndefined, keep_trailing_newline=True)


class BadMessage(Exception):
    """This row can never become a valid email (its address, its order): retrying will not help."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def subject_for(kind: str, number: int, amount: str = "", language: str = DEFAULT) -> str:
    if kind not in ("receipt", "shipped", "refund", "apology"):
        raise KeyError(kind)
    return say(language, f"mail.subject.{kind}", number=number, amount=amount)


def render(kind: str, context: dict, language: str = DEFAULT) -> Rendered:
    """In the store's default language (es-CL): an order does not record the language its shopper read."""
    subject = subject_for(kind, context["number"], context.get("amount", ""), language)
    # t(...) in the templates: the texts live in pepestore/i18n with every other text.
    full = {**context, "subject": subject, "lang": language, "t": partial(say, language)}
    return Rendered(subject, _TEMPLATES.get_template(f"{kind}.txt").render(full),
                    _TEMPLATES.get_template(f"{kind}.html").render(full))


def order_context(session: Session, row: EmailOutbox, settings: Settings) -> dict:
    order = session.get(Order, row.order_id)
    if order is None:
        raise BadMessage(f"order {row.order_id} does not exist")
    refunded = order.refunded_total
    if row.kind == "refund" and row.key.removeprefix("refund:").isdigit():
        # As it stood when this refund was counted, not when the email goes out (a later refund may be counted).
        refunded = session.exec(select(func.coalesce(func.sum(OrderRefund.amount), 0)).where(
            OrderRefund.order_id == order.id, OrderRefund.status == RefundStatus.SUCCEEDED,
            col(OrderRefund.id) <= int(row.key.removeprefix("refund:")))).one()
    lines = [{"name": line.name, "quantity": line.quantity, "total": format_clp(line.unit_price * line.quantity)}
             for line in orders.order_lines(session, order.id)]
    return {
        "number": order.id,
        "lines": lines,
        "total": format_clp(order.total),
        "link": f"{settings.public_url}/order/{order.public_token}",
        "paid_at": santiago_long_label(order.paid_at),  # "27 de noviembre de 2026, 14:05", Santiago time
        "carrier": order.carrier or "",
        "tracking": order.tracking_number or "",
        "amount": format_clp(row.amount or 0),
        "refunded": format_clp(refunded),
        # Refunds are measured against what the payment brought in, which differs from the total when a shopper
        # paid another amount.
        "paid": format_clp(order.paid_amount or order.total),
        "fully_refunded": refunded >= (order.paid_amount or order.total),
    }


def checked_recipient(raw: str) -> str:
    if any(ch in raw for ch in "\r\n\0,;<>\"") or raw != raw.strip():
        raise BadMessage(f"refused address {raw!r}")
    try:
        return orders.valid_email(raw)
    except StoreError:
        raise BadMessage(f"refused address {raw!r}") from None


def message_id(row_id: int, settings: Settings) -> str:
    return f"<outbox-{row_id}@{urlsplit(settings.public_url).hostname}>"


def build(session: Session, row_id: int, settings: Settings | None = None) -> tuple[EmailMessage, Rendered]:
    settings = settings or get_settings()
    row = session.get(EmailOutbox, row_id)
    if row is None:
        raise BadMessage(f"outbox row {row_id} does not exist")
    to = checked_recipient(row.to_address)
    rendered = render(row.kind, order_context(session, row, settings))
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = settings.mail_sender
    message["To"] = to
    if settings.mail_reply_to:
        message["Reply-To"] = settings.mail_reply_to
    # Fixed per row: a retry after a send whose answer was lost carries the same id, so mail clients show one.
    message["Message-ID"] = message_id(row.id, settings)
    message["Date"] = format_datetime(utcnow())
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message, rendered
