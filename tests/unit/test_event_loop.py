"""No handler runs SQL on the event loop: while one tab's query is stuck, another tab's add-to-cart completes.

Every statement a chosen tab sends is held (a SQLAlchemy hook that waits until the test lets it go). Were that
tab's handler to query on the event loop, the loop itself would wait there and the other tab's add could only
finish after the stuck handler; off the loop, the add completes while the stuck handler is still waiting.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from pepestore.admin.dashboard import DashboardState
from pepestore.admin.guard import AdminState
from pepestore.admin.order_page import OrderDetailState
from pepestore.admin.orders_page import OrderListState
from pepestore.admin.routes import COOKIE
from pepestore.admin.staff_page import StaffState
from pepestore.limits import get_limiter
from pepestore.models import Product, utcnow
from pepestore.state.cart import CartState
from pepestore.state.catalog import CatalogState
from pepestore.state.order import OrderState
from pepestore.state.product import ProductState
from pepestore.store import staff
from tests.integration.store_server import place_order
from tests.unit.reflex_helpers import new_state, visit

# Set inside the stuck tab's task only; asyncio.to_thread copies it into that tab's database thread.
_stuck_tab = contextvars.ContextVar("stuck_tab", default=False)
HOLD_SECONDS = 5


class HeldQueries:
    """Holds every statement of the stuck tab until released (or HOLD_SECONDS, so a failing test cannot hang)."""

    def __init__(self, engine):
        self.entered, self.released = threading.Event(), threading.Event()
        self.held = 0
        event.listen(engine, "before_cursor_execute", self._hold)

    def _hold(self, *_args):
        if _stuck_tab.get():
            self.held += 1
            self.entered.set()
            if not self.released.wait(HOLD_SECONDS):
                self.released.set()  # held on the event loop: let the rest through, the test has failed


def product_id(engine, slug: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Product.id).where(Product.slug == slug)).one()


async def signed_in(state, engine, role: str = "owner"):
    """An admin state whose tab carries a valid back-office session cookie."""
    with Session(engine, expire_on_commit=False) as session:
        staff.create_staff(session, f"{role}@pepestore.cl", "correct horse battery", role, utcnow())
        token, _ = staff.login(session, f"{role}@pepestore.cl", "correct horse battery", utcnow(), get_limiter())
        session.commit()
    from reflex.istate.data import RouterData

    root = state._get_root_state()
    path = root.router.url.path or "/admin"
    root.router = RouterData.from_router_data({"headers": {"origin": "http://localhost:3000",
                                                           "cookie": f"{COOKIE}={token}"},
                                               "pathname": path, "asPath": path, "query": {}})
    return state


async def cart_with_mug(engine):
    cart = await new_state(CartState)
    await cart.add_to_cart(product_id(engine, "ceramic-mug-terracotta"), 1)
    return cart


async def order_page(engine):
    order = place_order(("wool-beanie", 1))
    page = await new_state(OrderState)
    visit(page, f"/order/{order.public_token}")
    return page, page.load


async def admin_page(engine, cls, url):
    page = await new_state(cls)
    visit(page, url)
    await signed_in(page, engine)
    return page, page.load


async def cart_page(engine):
    cart = await cart_with_mug(engine)
    return cart, cart.load


async def catalog_page(engine):
    page = await new_state(CatalogState)
    visit(page, "/?q=mug")
    return page, page.load


async def product_page(engine):
    page = await new_state(ProductState)
    visit(page, "/product/cast-iron-teapot")
    return page, page.load


async def adding(engine):
    cart = await cart_with_mug(engine)
    pid = product_id(engine, "wool-beanie")
    return cart, lambda: cart.add_to_cart(pid, 1)


async def changing_quantity(engine):
    cart = await cart_with_mug(engine)
    pid = product_id(engine, "ceramic-mug-terracotta")
    return cart, lambda: cart.set_quantity(pid, 3)


async def removing(engine):
    cart = await cart_with_mug(engine)
    pid = product_id(engine, "ceramic-mug-terracotta")
    return cart, lambda: cart.remove(pid)


async def admin_order(engine):
    order = place_order(("wool-beanie", 1))
    return await admin_page(engine, OrderDetailState, f"/admin/orders/{order.id}")


STUCK = {
    "cart load": cart_page,
    "catalog load": catalog_page,
    "product load": product_page,
    "order load": order_page,
    "add to cart": adding,
    "set quantity": changing_quantity,
    "remove": removing,
    "admin dashboard load": lambda engine: admin_page(engine, DashboardState, "/admin"),
    "admin order list load": lambda engine: admin_page(engine, OrderListState, "/admin/orders"),
    "admin order load": admin_order,
    "admin staff load": lambda engine: admin_page(engine, StaffState, "/admin/staff"),
}


@pytest.mark.parametrize("stuck", STUCK.keys())
async def test_another_tabs_add_to_cart_finishes_while_this_tabs_query_is_stuck(engine, stuck):
    make = STUCK[stuck]
    mug = product_id(engine, "ceramic-mug-terracotta")
    shopper = await new_state(CartState)
    held = HeldQueries(engine)

    async def stuck_tab():
        _state, handler = await make(engine)  # the set-up's own queries run unheld
        _stuck_tab.set(True)  # this task's context only, and the threads it hands database work to
        result = handler()
        return await result if inspect.isawaitable(result) else result

    task = asyncio.create_task(stuck_tab())
    try:
        entered = await asyncio.to_thread(held.entered.wait, HOLD_SECONDS)
        assert entered, f"{stuck} never queried the database"
        # The other tab: a whole add-to-cart through its handler, on the same event loop.
        await asyncio.wait_for(shopper.add_to_cart(mug, 1), HOLD_SECONDS)
        assert shopper.item_count == 1
        assert not task.done(), f"{stuck} held the event loop: the other tab's add had to wait for it"
        assert held.held >= 1 and not held.released.is_set()
    finally:
        held.released.set()
    await asyncio.wait_for(task, HOLD_SECONDS)
