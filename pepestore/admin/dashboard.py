"""/admin: what needs a human today, and what came in."""

import reflex as rx

from pepestore.state.language import language_of

from pepestore.admin.guard import AdminState, keep_fresh, sign_in_again
from pepestore.admin.layout import admin_page, stat_card
from pepestore.db import in_db_thread
from pepestore.state.language import t
from pepestore.models import OrderStatus as S, utcnow
from pepestore.money import format_clp
from pepestore.store import backoffice


WATCH_SECONDS = 5
WATCH_ROUNDS = 8640  # at most the 12 hours a session lives; it ends sooner when the session idles out


class DashboardState(AdminState):
    needs_review: int = 0
    awaiting_fulfilment: int = 0
    needs_refund: int = 0
    pending_now: int = 0
    paid_today: str = ""
    paid_this_week: str = ""
    loaded: bool = False
    _watching: bool = False
    _watch_rounds: int = 0

    async def _refresh(self) -> None:
        board = await in_db_thread(backoffice.dashboard, utcnow())
        self.needs_review, self.awaiting_fulfilment = board.needs_review, board.awaiting_fulfilment
        self.needs_refund, self.pending_now = board.needs_refund, board.pending_now
        self.paid_today, self.paid_this_week = format_clp(board.paid_today), format_clp(board.paid_this_week)
        self.loaded = True

    @rx.event
    async def load(self):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        await self._refresh()
        self._watch_rounds = WATCH_ROUNDS
        return None if self._watching else DashboardState.watch

    @rx.event(background=True)
    async def watch(self):
        await keep_fresh(self, "/admin", WATCH_SECONDS)


def dashboard_page() -> rx.Component:
    return admin_page(
        rx.heading(t("admin.today"), size="6", margin_bottom="16px"),
        rx.cond(
            DashboardState.loaded,
            rx.vstack(
                rx.grid(
                    stat_card(t("admin.needs_review"), DashboardState.needs_review, "/admin/orders?review=1", "red",
                              "count-review"),
                    stat_card(t("admin.to_ship"), DashboardState.awaiting_fulfilment, f"/admin/orders?status={S.PAID}",
                              "green", "count-to-ship"),
                    stat_card(t("admin.needs_refund"), DashboardState.needs_refund,
                              f"/admin/orders?status={S.PAID_NEEDS_REFUND}", "orange", "count-needs-refund"),
                    stat_card(t("admin.waiting"), DashboardState.pending_now,
                              f"/admin/orders?status={S.PENDING_PAYMENT}", "blue", "count-pending"),
                    columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4", width="100%",
                ),
                rx.grid(
                    stat_card(t("admin.paid_today"), DashboardState.paid_today, "/admin/orders", "gray", "paid-today"),
                    stat_card(t("admin.paid_week"), DashboardState.paid_this_week, "/admin/orders", "gray",
                              "paid-week"),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
                ),
                spacing="4", width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
    )
