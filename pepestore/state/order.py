from __future__ import annotations

import asyncio
import dataclasses
import logging
from urllib.parse import unquote

import reflex as rx

from pepestore import routes
from pepestore.db import in_db_thread
from pepestore.clock import santiago_label
from pepestore.models import Order, OrderStatus
from pepestore.money import format_clp
from pepestore.payments.checkout import CANCELLED_ON_FINTOC, abandon_order
from pepestore.payments.reconcile import check_for_shopper
from pepestore.state.cart import CartState
from pepestore.state.page_load import page_load
from pepestore.store import orders

log = logging.getLogger("pepestore.order")

CANCEL_FAILED = ("We couldn't cancel this order just now. Nothing more will be charged; if you don't pay, it expires "
                 "by itself and the items go back on sale.")
WATCH_SECONDS = 2
WATCH_ROUNDS = 150  # five minutes; after that a reload still shows the truth from the database
# Rounds at which the page asks Fintoc itself (after 10 s and 60 s). Rarely: Fintoc allows 5 requests a second
# per account, every open page would spend them, and the reconciler asks for every pending order anyway.
CHECK_FINTOC_AT = frozenset({5, 30})


@dataclasses.dataclass
class OrderLineRow:
    name: str
    image: str
    quantity: int
    unit_price: str
    line_total: str


def _read_order(session, order_id: int) -> tuple[Order | None, list]:
    order = session.get(Order, order_id)
    return order, (orders.order_lines(session, order.id) if order else [])


def _open_order(session, token: str, client_token: str | None) -> tuple[Order | None, list]:
    order = orders.find_by_public_token(session, token)
    if order is None:
        return None, []
    # This tab now shows the order: it is the one a confirming webhook should update live.
    order.client_token = client_token or order.client_token
    session.add(order)
    return order, orders.order_lines(session, order.id)


class OrderState(rx.State):
    status: str = ""
    reason: str = ""
    total: str = ""
    email: str = ""
    placed_at: str = ""
    lines: list[OrderLineRow] = []
    not_found: bool = False
    loading: bool = True
    load_failed: bool = False
    _order_id: int = 0
    _watching: bool = False

    @rx.var
    def pending(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT

    @rx.var
    def paid(self) -> bool:
        return self.status in (OrderStatus.PAID, OrderStatus.FULFILLED)

    def _token_from_url(self) -> str:
        return unquote(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])

    def _show(self, order: Order | None, lines) -> None:
        self.loading = False
        self.not_found = order is None
        if order is None:
            self._order_id, self.status, self.lines = 0, "", []
            return
        self._order_id = order.id
        self.status = order.status
        self.reason = order.status_reason or ""
        self.total = format_clp(order.total)
        self.email = order.customer_email
        self.placed_at = santiago_label(order.created_at)  # as shoppers in Chile read it; stored in UTC
        self.lines = [OrderLineRow(line.name, line.image, line.quantity, format_clp(line.unit_price),
                                   format_clp(line.unit_price * line.quantity)) for line in lines]

    async def refresh(self) -> None:
        if not self._order_id:
            self._show(None, [])
            return
        self._show(*await in_db_thread(_read_order, self._order_id))

    @rx.event
    @page_load
    async def load(self):
        token = self._token_from_url()
        cancel_requested = "cancelled" in self.router.url.query_parameters
        self._show(*await in_db_thread(_open_order, token, self.router.session.client_token))
        if cancel_requested and self.pending:
            return OrderState.cancel_payment
        if self.pending and not self._watching:
            return OrderState.watch
        return None

    @rx.event(background=True)
    async def cancel_payment(self):
        """Back from Fintoc's cancel_url: the same path as leaving the widget (settle, close at Fintoc, cancel)."""
        async with self:
            order_id = self._order_id
        if not order_id:
            return None
        try:
            await abandon_order(order_id, CANCELLED_ON_FINTOC)
        except Exception:  # noqa: BLE001 - the database or Fintoc away: say so; the order page keeps watching
            log.exception("cancelling order %s on return from Fintoc failed", order_id)
            return [rx.toast.error(CANCEL_FAILED), OrderState.watch]
        async with self:
            await self.refresh()
            cancelled, pending = self.status == OrderStatus.CANCELLED, self.pending
            if cancelled:
                await (await self.get_state(CartState)).refresh_view()
        if cancelled:
            return [rx.redirect(routes.CART), rx.toast.info("Payment cancelled. Your cart is just as you left it.")]
        return OrderState.watch if pending else None

    @rx.event(background=True)
    async def watch(self):
        """Until the order settles: re-read it, and now and then ask Fintoc (a webhook may be late or lost)."""
        async with self:
            if self._watching:
                return
            self._watching = True
        try:
            for round_number in range(1, WATCH_ROUNDS + 1):
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    order_id = self._order_id
                if not order_id:
                    return
                try:
                    if round_number in CHECK_FINTOC_AT:
                        await check_for_shopper(order_id)
                    async with self:
                        await self.refresh()
                        if not self.pending:
                            await (await self.get_state(CartState)).refresh_view()
                            return
                except Exception:  # noqa: BLE001 - a database hiccup must not end the watch: the next round retries
                    log.exception("watching order %s failed", order_id)
        finally:
            async with self:
                self._watching = False


def _client_token_of(session, order_id: int) -> str | None:
    order = session.get(Order, order_id)
    return order.client_token if order is not None else None


async def push_order_update(app: rx.App, order_id: int) -> None:
    """Show a changed order on the page that is displaying it, without a reload."""

    token = await in_db_thread(_client_token_of, order_id)
    if not token:
        return
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=OrderState)) as root:
        page = await root.get_state(OrderState)
        if page._order_id == order_id:
            await page.refresh()
            await (await root.get_state(CartState)).refresh_view()
