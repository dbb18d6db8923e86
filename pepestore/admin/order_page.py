"""/admin/orders/<number>: the order, its lines and totals, Fintoc ids, one timeline, and what staff can do."""

from __future__ import annotations

import dataclasses

import reflex as rx

from pepestore.admin.guard import AdminState, keep_fresh, sign_in_again
from pepestore.admin.layout import admin_page
from pepestore.admin.orders_page import STATUS_COLORS, STATUS_LABELS
from pepestore.clock import santiago_label
from pepestore.db import in_db_thread
from pepestore.models import Order, OrderStatus as S, utcnow
from pepestore.money import format_clp
from pepestore.models import EmailStatus, RefundStatus
from pepestore.payments.refunds import refund_order
from pepestore.store import backoffice, orders, outbox, refunds, staff_actions
from pepestore.store.errors import StoreError
from pepestore.i18n import say
from pepestore.state.language import language_of, t, t_of

WATCH_SECONDS = 3
WATCH_ROUNDS = 4800  # at most the 12 hours a session lives; it ends sooner when the session idles out


@dataclasses.dataclass
class LineRow:
    line_id: int
    name: str
    quantity: int
    unit_price: str
    line_total: str
    restockable: int  # units not yet put back on sale


@dataclasses.dataclass
class RefundRow:
    amount: str
    status: str
    color: str
    when: str
    detail: str


@dataclasses.dataclass
class EmailRow:
    what: str
    address: str
    status: str
    color: str
    when: str
    detail: str


@dataclasses.dataclass
class TimelineRow:
    at: str
    what: str
    who: str
    detail: str
    kind: str


@dataclasses.dataclass
class OrderView:
    number: int = 0
    status: str = ""
    status_label: str = ""
    color: str = "gray"
    reason: str = ""
    review: bool = False
    total: str = ""
    email: str = ""
    placed_at: str = ""
    paid_at: str = ""
    token: str = ""
    session_id: str = ""
    payment_intent_id: str = ""
    carrier: str = ""
    tracking: str = ""
    refunded: str = ""
    partly_refunded: bool = False
    left_to_refund: int = 0
    left_label: str = ""


EMAIL_COLORS = {EmailStatus.PENDING: "gray", EmailStatus.SENDING: "blue", EmailStatus.SENT: "green",
                EmailStatus.KEPT: "amber", EmailStatus.FAILED: "red"}
EMAIL_LABELS = {"receipt": "Receipt", "shipped": "Shipped", "refund": "Refund issued",
                "apology": "Apology (refund due)"}


def _email_rows(session, order_id: int) -> list[EmailRow]:
    shown = []
    for row in outbox.emails_of(session, order_id):
        label = EMAIL_LABELS.get(row.kind, row.kind) + (" (resent)" if ":resend:" in row.key else "")
        if row.status in (EmailStatus.SENT, EmailStatus.KEPT):
            when = santiago_label(row.sent_at)
        else:
            when = f"next try {santiago_label(row.next_attempt_at)}" if row.status == EmailStatus.PENDING else ""
        detail = (f"{row.attempts} tries; " if row.attempts > 1 else "") + (row.last_error or "")
        shown.append(EmailRow(label, row.to_address, row.status, EMAIL_COLORS.get(row.status, "gray"), when,
                              detail if row.status != EmailStatus.SENT else ""))
    return shown


REFUND_COLORS = {RefundStatus.REQUESTED: "gray", RefundStatus.IN_PROGRESS: "blue", RefundStatus.SUCCEEDED: "green",
                 RefundStatus.FAILED: "red", RefundStatus.REVIEW: "orange"}


def _read(session, order_id: int) -> (tuple[OrderView, list[LineRow], list[TimelineRow], list[RefundRow],
                                            list[EmailRow]] | None):
    order = session.get(Order, order_id)
    if order is None:
        return None
    left = (refunds.paid_of(order) - refunds.held_by_refunds(session, order.id)
            if order.status in refunds.REFUNDABLE else 0)
    can_restock = order.status in refunds.HOLDS_STOCK
    view = OrderView(order.id, order.status, STATUS_LABELS.get(order.status, order.status),
                     STATUS_COLORS.get(order.status, "gray"), order.status_reason or "", order.needs_review,
                     format_clp(order.total), order.customer_email, santiago_label(order.created_at),
                     santiago_label(order.paid_at), order.public_token, order.fintoc_session_id or "",
                     order.payment_intent_id or "", order.carrier or "", order.tracking_number or "",
                     format_clp(order.refunded_total), 0 < order.refunded_total < refunds.paid_of(order),
                     max(left, 0), format_clp(max(left, 0)))
    lines = [LineRow(line.id, line.name, line.quantity, format_clp(line.unit_price),
                     format_clp(line.unit_price * line.quantity),
                     line.quantity - line.restocked if can_restock else 0)
             for line in orders.order_lines(session, order.id)]
    # Fintoc's event names stay as Fintoc writes them; the store's own read as words.
    events = [TimelineRow(santiago_label(entry.at),
                          entry.what if entry.kind == "webhook" else entry.what.replace("_", " "), entry.who,
                          entry.detail, entry.kind) for entry in backoffice.timeline(session, order.id)]
    refund_rows = [RefundRow(format_clp(row.amount), row.status.replace("_", " "),
                             REFUND_COLORS.get(row.status, "gray"),
                             santiago_label(row.requested_at or row.recorded_at),
                             row.failure_reason or (row.fintoc_refund_id or ""))
                   for row in refunds.refunds_of(session, order.id)]
    return view, lines, events, refund_rows, _email_rows(session, order.id)


def parse_pesos(raw: object) -> int | None:
    """'12.990', '$12.990' or '12990' as typed by staff; None for anything else."""
    text = raw.replace("$", "").replace(".", "").strip() if isinstance(raw, str) else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def parse_units(raw: object) -> int | None:
    text = raw.strip() if isinstance(raw, str) else ""
    return int(text) if text.isdigit() and len(text) < 6 else None


class OrderDetailState(AdminState):
    order: OrderView = OrderView()
    lines: list[LineRow] = []
    events: list[TimelineRow] = []
    refund_rows: list[RefundRow] = []
    emails: list[EmailRow] = []
    loaded: bool = False
    not_found: bool = False
    working: bool = False
    _order_id: int = 0
    _watch_rounds: int = 0
    _watching: bool = False

    @rx.var
    def can_ship(self) -> bool:
        return self.order.status == S.PAID

    @rx.var
    def can_refund(self) -> bool:
        return self.order.left_to_refund > 0

    @rx.var
    def can_resend(self) -> bool:
        return self.order.status in (S.PAID, S.FULFILLED)

    @rx.var
    def can_cancel(self) -> bool:
        return self.order.status == S.PENDING_PAYMENT

    @rx.var
    def carriers(self) -> list[str]:
        return list(staff_actions.CARRIERS)

    def _number_from_url(self) -> int:
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() and len(raw) < 12 else 0

    async def _refresh(self) -> None:
        found = await in_db_thread(_read, self._order_id) if self._order_id else None
        self.loaded = True
        self.not_found = found is None
        if found is not None:
            self.order, self.lines, self.events, self.refund_rows, self.emails = found

    @rx.event
    async def load(self):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        self._order_id = self._number_from_url()
        await self._refresh()
        self._watch_rounds = WATCH_ROUNDS
        return None if self._watching else OrderDetailState.watch

    @rx.event(background=True)
    async def watch(self):
        await keep_fresh(self, "/admin/orders/", WATCH_SECONDS, exact=False)

    async def _perform(self, action, *args) -> tuple[object, list | None]:
        """One staff action on this order: the signed-in check, the service, a fresh view. (result, refusal)."""
        member = await self._staff()
        if member is None:
            return None, sign_in_again(await language_of(self))
        try:
            result = await in_db_thread(action, self._order_id, *args, member, utcnow(),
                                             self._client_ip())
        except StoreError as refusal:
            await self._refresh()
            return None, [rx.toast.error(refusal.say(await language_of(self)))]
        await self._refresh()
        return result, None

    @rx.event
    async def ship(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        _, refusal = await self._perform(staff_actions.mark_shipped, data.get("carrier"), data.get("tracking"))
        return refusal or rx.toast.success(say(await language_of(self), "admin.toast_shipped"))

    @rx.event
    async def cancel(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        session_id, refusal = await self._perform(staff_actions.cancel_unpaid, data.get("reason"))
        if refusal:
            return refusal
        if session_id:
            # Closed at Fintoc too, so the shopper can no longer pay the cancelled order.
            from pepestore.payments.checkout import expire_at_fintoc

            await expire_at_fintoc(self._order_id, session_id)
        return rx.toast.success(say(await language_of(self), "admin.toast_cancelled"))

    @rx.event
    async def refund(self, form_data: dict):
        """Refund part or all of what is left, optionally putting returned units back on sale."""
        member = await self._staff()
        if member is None:
            return sign_in_again(await language_of(self))
        data = form_data if isinstance(form_data, dict) else {}
        amount = parse_pesos(data.get("amount"))
        restock = {key.removeprefix("restock_"): parse_units(value) for key, value in data.items()
                   if isinstance(key, str) and key.startswith("restock_") and value not in ("", None)}
        try:
            problem = await refund_order(self._order_id, amount, restock, member, self._client_ip())
        except StoreError as refusal:
            await self._refresh()
            return rx.toast.error(refusal.say(await language_of(self)))
        await self._refresh()
        if problem:
            return rx.toast.warning(problem)
        return rx.toast.success(say(await language_of(self), "admin.toast_refund_sent"))

    @rx.event
    async def resend_receipt(self):
        """A copy of the receipt: a new email per click, on the timeline with who asked."""
        _, refusal = await self._perform(staff_actions.resend_receipt)
        return refusal or rx.toast.success(say(await language_of(self), "admin.toast_receipt"))

    @rx.event
    async def resolve_review(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        _, refusal = await self._perform(staff_actions.resolve_review, data.get("note"))
        return refusal or rx.toast.success(say(await language_of(self), "admin.toast_resolved"))

    @rx.event
    async def add_note(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        _, refusal = await self._perform(staff_actions.add_note, data.get("note"))
        return refusal or rx.toast.success(say(await language_of(self), "admin.toast_note"))


# -- page --------------------------------------------------------------------------------------------------------

def _fact(label: str | rx.Var, value, value_id: str = "") -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color=rx.color("gray", 10)),
                     rx.text(value, size="2", weight="medium", id=value_id, word_break="break-all"),
                     spacing="0", align="start")


def _facts() -> rx.Component:
    o = OrderDetailState.order
    return rx.card(
        rx.grid(
            _fact(t("admin.col_total"), o.total, "detail-total"), _fact(t("admin.email"), o.email),
            _fact(t("admin.placed"), o.placed_at),
            _fact(t("status.paid"), rx.cond(o.paid_at != "", o.paid_at, "—")),
            _fact(t("admin.fintoc_session"), rx.cond(o.session_id != "", o.session_id, "—")),
            _fact(t("admin.payment_intent"), rx.cond(o.payment_intent_id != "", o.payment_intent_id, "—"),
                  "detail-intent"),
            _fact(t("admin.shipped_with"), rx.cond(o.carrier != "", o.carrier + " " + o.tracking, "—")),
            _fact(t("admin.status_page"), rx.link(t("admin.open_shopper_page"), href="/order/" + o.token,
                                                  is_external=True)),
            columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4", width="100%",
        ),
        width="100%",
    )


def _lines() -> rx.Component:
    return rx.card(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in
                                           ("admin.item", "admin.qty", "admin.unit_price", "admin.line_total")])),
            rx.table.body(rx.foreach(OrderDetailState.lines, lambda line: rx.table.row(
                rx.table.cell(line.name), rx.table.cell(line.quantity), rx.table.cell(line.unit_price),
                rx.table.cell(line.line_total)))),
            size="1", width="100%",
        ),
        width="100%", overflow_x="auto",
    )


def _timeline() -> rx.Component:
    def entry(row: TimelineRow) -> rx.Component:
        tone = rx.match(row.kind, ("staff", "violet"), ("webhook", "blue"), "gray")
        return rx.hstack(
            rx.box(width="10px", height="10px", border_radius="50%", bg=rx.color(tone, 9), margin_top="6px",
                   flex_shrink="0"),
            rx.vstack(
                rx.hstack(rx.text(row.what, weight="bold", size="2"), rx.badge(row.who, color_scheme=tone),
                          rx.text(row.at, size="1", color=rx.color("gray", 10)), wrap="wrap", spacing="2",
                          align="center"),
                rx.cond(row.detail != "", rx.text(row.detail, size="2", color=rx.color("gray", 11))),
                spacing="1", align="start",
            ),
            spacing="3", align="start", class_name="timeline-entry",
        )

    return rx.card(rx.vstack(rx.heading(t("admin.timeline"), size="4"), rx.foreach(OrderDetailState.events, entry),
                             spacing="3", width="100%"), width="100%", id="timeline")


def _refunds() -> rx.Component:
    def row(refund: RefundRow) -> rx.Component:
        return rx.table.row(rx.table.cell(refund.amount), rx.table.cell(rx.badge(refund.status,
                                                                                color_scheme=refund.color)),
                            rx.table.cell(refund.when), rx.table.cell(refund.detail, color=rx.color("gray", 10)),
                            class_name="refund-row")

    return rx.cond(OrderDetailState.refund_rows.length() > 0, rx.card(rx.vstack(
        rx.hstack(rx.heading(t("admin.refunds"), size="4"),
                  rx.text(t("admin.refunded_of", refunded=OrderDetailState.order.refunded,
                            total=OrderDetailState.order.total), size="2",
                          color=rx.color("gray", 11), id="refunded-total"), align="baseline", spacing="3"),
        rx.table.root(rx.table.body(rx.foreach(OrderDetailState.refund_rows, row)), size="1", width="100%"),
        spacing="2", width="100%"), width="100%", id="refunds"))


def _emails() -> rx.Component:
    def row(email: EmailRow) -> rx.Component:
        return rx.table.row(rx.table.cell(email.what), rx.table.cell(email.address, word_break="break-all"),
                            rx.table.cell(rx.badge(email.status, color_scheme=email.color)),
                            rx.table.cell(email.when), rx.table.cell(email.detail, color=rx.color("gray", 10)),
                            class_name="email-row", data_status=email.status)

    return rx.cond(OrderDetailState.emails.length() > 0, rx.card(rx.vstack(
        rx.hstack(rx.heading(t("admin.emails"), size="4"), rx.spacer(),
                  # A copy of the receipt, beside the emails it adds to (a new row per click).
                  rx.cond(OrderDetailState.can_resend,
                          rx.button(t("admin.resend_receipt"), on_click=OrderDetailState.resend_receipt, variant="soft",
                                    size="1", id="resend-receipt")),
                  align="center", width="100%"),
        rx.table.root(rx.table.body(rx.foreach(OrderDetailState.emails, row)), size="1", width="100%"),
        spacing="2", width="100%"), width="100%", id="emails", overflow_x="auto"))


def _action_card(title: str | rx.Var, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="3"), *children, spacing="2", width="100%"), width="100%",
                   **props)


def _actions() -> rx.Component:
    return rx.vstack(
        rx.cond(OrderDetailState.can_ship, _action_card(
            t("admin.mark_as_shipped"),
            rx.form(rx.vstack(
                rx.select.root(rx.select.trigger(placeholder=t("admin.carrier"), width="100%", id="ship-carrier"),
                               rx.select.content(rx.foreach(OrderDetailState.carriers,
                                                            lambda name: rx.select.item(name, value=name))),
                               name="carrier", required=True),
                rx.input(name="tracking", placeholder=t("admin.tracking"), required=True, id="ship-tracking",
                         width="100%"),
                rx.button(t("admin.mark_shipped"), type="submit", width="100%"),
                width="100%"), on_submit=OrderDetailState.ship, reset_on_submit=True),
            id="ship-card")),
        rx.cond(OrderDetailState.can_refund, _action_card(
            t("admin.refund_title"),
            rx.text(t("admin.left_to_refund"), " ",
                    rx.text.strong(OrderDetailState.order.left_label, id="left-to-refund"),
                    size="2"),
            rx.form(rx.vstack(
                rx.input(name="amount", placeholder=t("admin.amount_placeholder"), required=True,
                         input_mode="numeric", id="refund-amount", width="100%"),
                rx.text(t("admin.restock"), size="1", color=rx.color("gray", 10)),
                rx.foreach(OrderDetailState.lines, lambda line: rx.cond(
                    line.restockable > 0,
                    rx.hstack(rx.input(name="restock_" + line.line_id.to_string(), type="number", min=0,
                                       max=line.restockable, placeholder="0", width="72px",
                                       aria_label=t("admin.restock_units", name=line.name)),
                              rx.text(line.name, size="2"), align="center", spacing="2"))),
                rx.button(t("admin.refund"), type="submit", color_scheme="orange", variant="soft", width="100%",
                          id="refund-submit"),
                width="100%"), on_submit=OrderDetailState.refund, reset_on_submit=True),
            id="refund-card")),
        rx.cond(OrderDetailState.can_cancel, _action_card(
            t("admin.cancel_title"),
            rx.form(rx.vstack(
                rx.input(name="reason", placeholder=t("admin.cancel_why"), required=True,
                         width="100%"),
                rx.button(t("admin.cancel_order"), type="submit", color_scheme="red", variant="soft", width="100%"),
                width="100%"), on_submit=OrderDetailState.cancel, reset_on_submit=True),
            id="cancel-card")),
        rx.cond(OrderDetailState.order.review, _action_card(
            t("admin.needs_review"),
            rx.text(t("admin.review_body"),
                    size="2", color=rx.color("gray", 11)),
            rx.form(rx.vstack(
                rx.text_area(name="note", placeholder=t("admin.review_note"), required=True,
                             width="100%"),
                rx.button(t("admin.resolve_review"), type="submit", width="100%"),
                width="100%"), on_submit=OrderDetailState.resolve_review, reset_on_submit=True),
            id="review-card")),
        _action_card(
            t("admin.internal_note"),
            rx.form(rx.vstack(
                rx.text_area(name="note", placeholder=t("admin.note_placeholder"), required=True, width="100%",
                             id="note-text"),
                rx.button(t("admin.add_note"), type="submit", variant="surface", color_scheme="gray", width="100%"),
                width="100%"), on_submit=OrderDetailState.add_note, reset_on_submit=True)),
        spacing="3", width="100%",
    )


def order_detail_page() -> rx.Component:
    o = OrderDetailState.order
    return admin_page(
        rx.cond(
            OrderDetailState.loaded,
            rx.cond(
                OrderDetailState.not_found,
                rx.center(rx.vstack(rx.heading(t("admin.no_such_order"), size="5"),
                                    rx.link(t("admin.back_to_orders"), href="/admin/orders"), align="center"),
                          padding="48px"),
                rx.vstack(
                    rx.hstack(
                        rx.link(t("admin.back_arrow"), href="/admin/orders", size="2"),
                        rx.heading(t("admin.order_number", number=o.number), size="6"),
                        rx.badge(t_of("status", o.status), color_scheme=o.color, size="2", id="detail-status",
                                 data_status=o.status),
                        rx.cond(o.partly_refunded, rx.badge(t("status.partially_refunded"), color_scheme="purple",
                                                            size="2",
                                                            id="partly-refunded")),
                        rx.cond(o.review, rx.badge(t("admin.needs_review"), color_scheme="red", size="2")),
                        align="center", spacing="3", wrap="wrap",
                    ),
                    rx.cond(o.reason != "", rx.text(o.reason, size="2", color=rx.color("gray", 11))),
                    _facts(),
                    rx.grid(
                        rx.vstack(_lines(), _refunds(), _emails(), _timeline(), spacing="4", width="100%"),
                        _actions(),
                        columns=rx.breakpoints(initial="1", md="2fr 1fr"), spacing="4", width="100%",
                    ),
                    spacing="4", width="100%",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
    )
