"""/admin/orders: newest first, filtered by status, review flag, dates and a search; the filter lives in the URL."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import reflex as rx

from pepestore.admin.guard import AdminState, keep_fresh, sign_in_again
from pepestore.admin.layout import admin_page
from pepestore.clock import santiago_label
from pepestore.db import in_db_thread
from pepestore.money import format_clp
from pepestore.store import backoffice
from pepestore.store.backoffice import OrderFilter
from pepestore.store.errors import StoreError
from pepestore.state.language import language_of, t, t_of

STATUS_LABELS = {
    "pending_payment": "Waiting for payment", "paid": "Paid", "fulfilled": "Shipped", "cancelled": "Cancelled",
    "expired": "Expired", "refunded": "Refunded", "paid_needs_refund": "Paid, needs refund",
    "partially_refunded": "Partly refunded",
}
STATUS_COLORS = {"pending_payment": "blue", "paid": "green", "fulfilled": "teal", "cancelled": "gray",
                 "expired": "gray", "refunded": "purple", "paid_needs_refund": "orange"}


@dataclasses.dataclass
class OrderRow:
    number: int
    href: str
    placed_at: str
    status: str
    status_label: str
    color: str
    total: str
    email: str
    review: bool
    partly_refunded: bool


def order_row(order) -> OrderRow:
    return OrderRow(order.id, f"/admin/orders/{order.id}", santiago_label(order.created_at), order.status,
                    STATUS_LABELS.get(order.status, order.status), STATUS_COLORS.get(order.status, "gray"),
                    format_clp(order.total), order.customer_email, order.needs_review,
                    0 < order.refunded_total < (order.paid_amount or order.total))


WATCH_SECONDS = 5
WATCH_ROUNDS = 8640  # at most the 12 hours a session lives; it ends sooner when the session idles out


def _read(session, wanted: OrderFilter) -> tuple[list[OrderRow], int]:
    orders, total = backoffice.list_orders(session, wanted)
    return [order_row(order) for order in orders], total


def orders_url(params: dict[str, str]) -> str:
    return "/admin/orders" + (f"?{urlencode(params)}" if params else "")


class OrderListState(AdminState):
    rows: list[OrderRow] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    status: str = ""
    review: bool = False
    date_from: str = ""
    date_to: str = ""
    query: str = ""
    loaded: bool = False
    error: str = ""
    prev_href: str = ""
    next_href: str = ""
    export_href: str = "/admin/export/orders.csv"
    _wanted: OrderFilter = OrderFilter()
    _watching: bool = False
    _watch_rounds: int = 0

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [["all", "Every status"], *[[key, STATUS_LABELS[key]] for key in backoffice.STATUSES]]

    @rx.event
    async def load(self):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        try:
            wanted = OrderFilter.parse(self.router.url.query_parameters)
        except StoreError as refusal:
            self.error, self.rows, self.loaded = refusal.say(await language_of(self)), [], True
            return None
        self._wanted = wanted
        await self._refresh()
        self.page, self.pages = wanted.page, max(1, -(-self.total // backoffice.PAGE_SIZE))
        self.status, self.review, self.query = wanted.status, wanted.review, wanted.query
        self.date_from = wanted.date_from.isoformat() if wanted.date_from else ""
        self.date_to = wanted.date_to.isoformat() if wanted.date_to else ""
        self.prev_href = orders_url(wanted.params(page=wanted.page - 1)) if wanted.page > 1 else ""
        self.next_href = orders_url(wanted.params(page=wanted.page + 1)) if wanted.page < self.pages else ""
        export = wanted.params(page=0)
        self.export_href = "/admin/export/orders.csv" + (f"?{urlencode(export)}" if export else "")
        self.loaded = True
        self._watch_rounds = WATCH_ROUNDS
        return None if self._watching else OrderListState.watch

    async def _refresh(self) -> None:
        self.rows, self.total = await in_db_thread(_read, self._wanted)
        self.error = ""

    @rx.event(background=True)
    async def watch(self):
        await keep_fresh(self, "/admin/orders", WATCH_SECONDS)

    @rx.event
    async def apply_filter(self, form_data: dict):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        data = form_data if isinstance(form_data, dict) else {}
        raw = {"status": data.get("status", ""), "review": "1" if data.get("review") in ("on", True, "1") else "",
               "from": data.get("from", ""), "to": data.get("to", ""), "q": data.get("q", "")}
        if raw["status"] == "all":
            raw["status"] = ""
        try:
            wanted = OrderFilter.parse(raw)
        except StoreError as refusal:
            return rx.toast.error(refusal.say(await language_of(self)))
        return rx.redirect(orders_url(wanted.params()))


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(name="q", placeholder=t("admin.search_orders"), default_value=OrderListState.query,
                     id="order-search", width=["100%", "260px"]),
            rx.select.root(
                rx.select.trigger(placeholder=t("status.all"), id="status-filter"),
                rx.select.content(rx.foreach(OrderListState.status_options,
                                             lambda option: rx.select.item(t_of("status", option[0]), value=option[0]))),
                name="status", default_value=rx.cond(OrderListState.status == "", "all", OrderListState.status),
            ),
            rx.input(name="from", type="date", default_value=OrderListState.date_from, aria_label=t("admin.placed_from")),
            rx.input(name="to", type="date", default_value=OrderListState.date_to, aria_label=t("admin.placed_until")),
            rx.text(rx.checkbox(name="review", default_checked=OrderListState.review, id="review-filter"),
                    " ", t("admin.needs_review"), as_="label", size="2", display="flex", align_items="center", gap="6px"),
            rx.button(t("admin.filter"), type="submit"),
            rx.link(rx.button(t("admin.export_csv"), variant="soft", type="button"), href=OrderListState.export_href,
                    is_external=True, id="export-csv"),
            wrap="wrap", spacing="3", align="center",
        ),
        on_submit=OrderListState.apply_filter,
        key=OrderListState.query + OrderListState.status + OrderListState.date_from + OrderListState.date_to,
    )


def _row(row: OrderRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(f"#", row.number, href=row.href, weight="bold")),
        rx.table.cell(row.placed_at, display=["none", "table-cell"]),
        rx.table.cell(rx.badge(t_of("status", row.status), color_scheme=row.color),
                      rx.cond(row.partly_refunded, rx.badge(t("status.partially_refunded"), color_scheme="purple",
                                                            margin_left="6px")),
                      rx.cond(row.review, rx.badge(t("admin.review"), color_scheme="red", margin_left="6px"))),
        rx.table.cell(row.total, text_align="right"),
        rx.table.cell(row.email, max_width="260px", overflow="hidden", text_overflow="ellipsis"),
        class_name="order-row", data_number=row.number,
    )


def orders_page() -> rx.Component:
    return admin_page(
        rx.hstack(rx.heading(t("admin.nav_orders"), size="6"),
                  rx.text(rx.cond(OrderListState.total == 1, t("admin.one_order"), t("admin.n_orders", count=OrderListState.total)),
                          color=rx.color("gray", 10), id="order-count"),
                  align="baseline", spacing="3", margin_bottom="16px"),
        _filters(),
        rx.cond(OrderListState.error != "", rx.callout(OrderListState.error, color_scheme="red", margin_top="16px")),
        rx.cond(
            OrderListState.loaded,
            rx.cond(
                OrderListState.rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(
                            rx.table.column_header_cell(t("admin.col_order")),
                            # On a phone the email matters more than the time: the time is on the order's page.
                            rx.table.column_header_cell(t("admin.col_placed"), display=["none", "table-cell"]),
                            *[rx.table.column_header_cell(t(key)) for key in ("admin.col_status", "admin.col_total", "admin.email")])),
                        rx.table.body(rx.foreach(OrderListState.rows, _row)),
                        variant="surface", size="2", width="100%",
                    ),
                    overflow_x="auto", margin_top="16px", id="order-table",
                ),
                rx.center(rx.text(t("admin.no_orders"), color=rx.color("gray", 11)), padding="48px",
                          id="no-orders"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
        rx.hstack(
            rx.cond(OrderListState.prev_href != "", rx.link(t("admin.newer"), href=OrderListState.prev_href)),
            rx.text(t("admin.page_of", page=OrderListState.page, pages=OrderListState.pages), size="2", color=rx.color("gray", 10)),
            rx.cond(OrderListState.next_href != "", rx.link(t("admin.older"), href=OrderListState.next_href)),
            spacing="4", justify="center", margin_top="16px", width="100%",
        ),
    )
