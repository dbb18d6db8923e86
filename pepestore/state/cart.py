from __future__ import annotations

import dataclasses
import functools
import logging

import reflex as rx

from pepestore import routes
from pepestore.db import in_db_thread
from pepestore.i18n import say
from pepestore.money import format_clp
from pepestore.state.language import language_of
from pepestore.state.page_load import page_load
from pepestore.store import cart as cart_service
from pepestore.store.errors import StoreError

log = logging.getLogger("pepestore.cart")

CART_UNAVAILABLE = "cart.unavailable"


@functools.lru_cache(maxsize=512)
def _toast(level: str, message: str):
    """rx.toast compiles its call to JavaScript each time, about a tenth of an add's event-loop time: the same
    words give the same event, so build each once (the messages come from the catalog's names, a bounded set)."""
    return getattr(rx.toast, level)(message)


@dataclasses.dataclass
class CartRow:
    product_id: int
    name: str
    image: str
    href: str
    quantity: int
    unit_price: str
    line_total: str
    problem: str  # "", or the key of the problem's text (cart.line_sold_out, cart.line_short)
    stock: int = 0


# The localStorage key of the browser's cart token (the cart page's first paint reads it too).
CART_TOKEN_KEY = "pepestore_cart"


class CartState(rx.State):
    # The browser's key to its cart. localStorage (not the per-tab client token) so the cart
    # survives closed tabs and is shared by every tab; sync pushes a new token to open tabs.
    token: str = rx.LocalStorage("", name=CART_TOKEN_KEY, sync=True)
    rows: list[CartRow] = []
    item_count: int = 0
    subtotal: str = format_clp(0)
    loaded: bool = False
    load_failed: bool = False
    # A plain var set with the rows, not a computed one: Reflex recomputed it (walking every row through its
    # change-tracking proxy) for each delta of this tab, whatever the event.
    has_problems: bool = False

    def _set(self, **values) -> None:
        """Assign only what changed: every assignment, even of the same value, goes into the delta sent to the tab."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _show(self, view: cart_service.CartView) -> None:
        rows = [
            CartRow(
                product_id=line.product_id,
                name=line.name,
                image=line.image,
                href=routes.product(line.slug),
                quantity=line.quantity,
                unit_price=format_clp(line.unit_price),
                line_total=format_clp(line.line_total),
                problem=line.problem.key if line.problem else "",
                stock=line.stock,
            )
            for line in view.lines
        ]
        self._set(token=view.token or self.token, item_count=view.item_count, subtotal=format_clp(view.subtotal),
                  has_problems=any(row.problem for row in rows), loaded=True)
        self.rows = rows

    async def refresh_view(self) -> None:
        """Re-read the cart (after checkout changed stock, or a payment emptied it)."""
        self._show(await in_db_thread(cart_service.load_cart, self.token))

    @rx.event
    @page_load
    async def load(self):
        view = await in_db_thread(cart_service.load_cart, self.token)
        if self.token and not view.token:
            # A token we never issued (edited by hand, or its cart was purged): start afresh, say so once.
            self.token = ""
            self._show(view)
            return rx.toast.info(say(await language_of(self), "cart.fresh"))
        self._show(view)

    async def _apply(self, change_fn, *args, success: str = ""):
        """Run a cart change off the event loop and show its result; the toast to answer with, in the reader's
        language: the refusal, the partial fill, or `success` (a text key) when the change was made in full."""
        lang = await language_of(self)
        try:
            change = await in_db_thread(change_fn, self.token, *args)
        except StoreError as refusal:
            return None, _toast("error", refusal.say(lang))
        except Exception:  # noqa: BLE001 - a database that is down or slow: say so, keep the cart as shown
            log.exception("cart change %s failed", change_fn.__name__)
            return None, _toast("error", say(lang, CART_UNAVAILABLE))
        self._show(change.cart)
        if change.notice:
            return change, _toast("warning", change.notice.say(lang))
        return change, (_toast("success", say(lang, success, name=change.product_name)) if success else None)

    @rx.event
    async def add_to_cart(self, product_id: int, quantity: int = 1):
        _, toast = await self._apply(cart_service.add_item, product_id, quantity, success="cart.added")
        return toast

    @rx.event
    async def add_from_form(self, form_data: dict):
        if not isinstance(form_data, dict):
            return rx.toast.error(say(await language_of(self), "cart.not_understood"))
        return await self.add_to_cart(form_data.get("product_id"), form_data.get("quantity"))

    @rx.event
    async def set_quantity(self, product_id: int, quantity: int):
        _, toast = await self._apply(cart_service.set_quantity, product_id, quantity)
        return toast

    @rx.event
    async def remove(self, product_id: int):
        _, toast = await self._apply(cart_service.remove_item, product_id)
        return toast
