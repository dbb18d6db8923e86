"""Open catalog and product pages follow price, stock and publishing changes without a reload.

Reflex cannot broadcast to every tab, so each open tab runs one background loop (started by the page's on_load)
that wakes every POLL_SECONDS and compares the catalog's signal (pepestore/store/live.py) with what it last saw.
The signal is read from the database at most once per POLL_SECONDS per worker process, whatever the number of
tabs (`_shared_signal`): a tab's round is a sleep and a comparison in memory, and only when something changed does
it read the few products it shows. The loop stops when the tab leaves the page or after MAX_ROUNDS (10 minutes; the
next page load or navigation starts it again). Reflex 0.10.1 does not cancel a closed tab's background task, so
MAX_ROUNDS is also what bounds the loop of a tab that was closed: it ends within 10 minutes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import reflex as rx

from pepestore.db import session_scope
from pepestore.money import format_clp
from pepestore.state.catalog import CatalogState
from pepestore.state.product import ProductState
from pepestore.state.product_view import NO_PRODUCT, ProductCard, ProductView, stock_label
from pepestore.store import live

POLL_SECONDS = 4.0
MAX_ROUNDS = 150  # 10 minutes of an untouched tab (see above)
CHECK_EVERY = 8  # rounds between looks at which page the tab shows, when nothing changed
_signal: tuple[float, tuple[int, str] | None] = (0.0, None)
_signal_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}  # one per event loop (a worker has one)


def _read_signal() -> tuple[int, str]:
    with session_scope() as session:
        return live.catalog_signal(session)


async def _shared_signal() -> tuple[int, str] | None:
    global _signal
    lock = _signal_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        read_at, value = _signal
        if time.monotonic() - read_at >= POLL_SECONDS * 0.9:
            try:
                value = await asyncio.to_thread(_read_signal)
            except Exception:  # noqa: BLE001 - a database hiccup skips a round; the page keeps what it shows
                value = None
            _signal = (time.monotonic(), value)
        return value


def _read_fresh(ids: list[int]) -> dict[int, live.Fresh]:
    with session_scope() as session:
        return live.fresh(session, ids)


def updated(view: ProductView | ProductCard, now: live.Fresh) -> ProductView | ProductCard:
    label, tone = stock_label(now.stock)
    return dataclasses.replace(view, price=format_clp(now.price), stock=now.stock, stock_label=label,
                               stock_tone=tone, image=now.image)


def updated_catalog(views: list[ProductCard], now: dict[int, live.Fresh]) -> list[ProductCard]:
    """Unpublished products leave the page; the others show their current price, stock and picture."""
    return [updated(view, now[view.id]) for view in views if view.id in now and now[view.id].active]


def updated_product(view: ProductView, now: dict[int, live.Fresh]) -> ProductView | None:
    """The product as it is now, or None once it is unpublished (the page then shows its not-found state)."""
    current = now.get(view.id)
    return updated(view, current) if current is not None and current.active else None


def _on_live_page(path: str) -> str:
    path = path.rstrip("/") or "/"
    return "catalog" if path == "/" else "product" if path.startswith("/product/") else ""


class LiveCatalogState(rx.State):
    _watching: bool = False
    _rounds: int = 0

    @rx.event(background=True)
    async def watch(self):
        async with self:
            self._rounds = MAX_ROUNDS
            if self._watching:
                return
            self._watching = True
        seen: tuple[int, str] | None = None
        since_check = CHECK_EVERY  # look at the page on the first round
        page = ""
        try:
            while True:
                signal = await _shared_signal()
                changed = signal is not None and seen is not None and signal != seen
                if signal is not None:
                    seen = signal
                # Entering the state takes its lock (and with Redis a round trip): with hundreds of open tabs that
                # is only worth it when the catalog changed, or now and then to notice the tab left the page.
                if changed or since_check >= CHECK_EVERY:
                    async with self:
                        self._rounds -= since_check
                        page = _on_live_page(self.router.url.path)
                        if self._rounds <= 0 or not page:
                            return
                    since_check = 0
                if changed:
                    await self._refresh(page)
                since_check += 1
                await asyncio.sleep(POLL_SECONDS)
        finally:
            async with self:
                self._watching = False

    async def _refresh(self, page: str) -> None:
        async with self:
            if page == "catalog":
                ids = [view.id for view in (await self.get_state(CatalogState)).products]
            else:
                ids = [(await self.get_state(ProductState)).product.id]
        now = await asyncio.to_thread(_read_fresh, ids)
        async with self:
            if page == "catalog":
                catalog = await self.get_state(CatalogState)
                catalog.products = updated_catalog(catalog.products, now)
            else:
                product = await self.get_state(ProductState)
                if product.product.id:
                    current = updated_product(product.product, now)
                    product.product, product.not_found = (current, False) if current else (NO_PRODUCT, True)
