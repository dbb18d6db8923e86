"""Every back-office event handler, called over the websocket without a session cookie, as any script could:
it answers with a redirect to the login page, sends no admin data, and changes nothing."""

from __future__ import annotations

import inspect
import json

import pytest
from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from pepestore.admin.guard import AdminState
from pepestore.catalog_models import ProductPhoto, StockMovement
from pepestore.models import EmailOutbox, Order, OrderEvent, Product
from pepestore.staff_models import AuditEntry, Staff, StaffSession
from tests.browser.reflex_socket import ReflexSocket

HOSTILE = {
    "form_data": {"status": "paid", "note": "pwned", "reason": "pwned", "email": "mallory@example.cl",
                  "password": "a long enough password", "role": "owner", "carrier": "Starken", "tracking": "X1",
                  "name": "Pwned", "slug": "pwned", "category": "Pwned", "price": "1", "published": "on",
                  "description": "pwned", "delta": "-1"},
    "email": "owner@example.cl",
    "active": False,
}
# Read-only, or only re-read what a signed-in load already showed.
ADMIN_DATA = ("rows", "members", "order", "lines", "events", "emails", "refund_rows", "needs_review", "paid_today",
              "form", "photos", "movements", "stock", "held", "categories", "version")


def _subclasses(cls) -> list[type]:
    import pepestore.pepestore  # noqa: F401 - registers every page's state

    out = [cls]
    for sub in cls.__subclasses__():
        out += _subclasses(sub)
    return out


def _snapshot(url: str) -> tuple:
    engine = create_engine(url)
    with Session(engine) as session:
        counts = tuple(session.exec(select(func.count()).select_from(table)).one()
                       for table in (OrderEvent, Staff, StaffSession, EmailOutbox))
        statuses = tuple(session.exec(select(Order.id, Order.status, Order.needs_review).order_by(Order.id)).all())
        audit = session.exec(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action != "login_failed")).one()
        products = tuple(session.exec(select(Product.id, Product.price, Product.stock, Product.active, Product.image,
                                             Product.version).order_by(Product.id)).all())
        catalog = tuple(session.exec(select(func.count()).select_from(table)).one()
                        for table in (StockMovement, ProductPhoto))
    engine.dispose()
    return counts, statuses, audit, products, catalog


def _targets(url: str) -> int:
    """Something for each handler to harm if it could: two owners, a flagged unpaid order. Its number."""
    from pepestore.models import Product, utcnow
    from pepestore.store import cart, orders, staff

    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        for email in ("owner@example.cl", "second.owner@example.cl"):
            if not session.exec(select(Staff).where(Staff.email == email)).first():
                staff.create_staff(session, email, "correct horse battery", "owner", utcnow())
        product_id = session.exec(select(Product.id).where(Product.stock > 5)).first()
        token = cart.add_item(session, "", product_id, 1).cart.token
        order = orders.place_order(session, token, "victim@example.cl", None, utcnow())
        order.needs_review = True
        session.add(order)
        session.commit()
    engine.dispose()
    return order.id


def test_every_admin_handler_without_a_session_does_nothing(store_url, store_database_url):
    handlers = _subclasses(AdminState)
    number = _targets(store_database_url)
    # Our handlers (Reflex's own setvar only sets display vars, which no admin handler trusts).
    calls = [(cls, name, [p for p in inspect.signature(h.fn).parameters if p != "self"])
             for cls in handlers for name, h in cls.event_handlers.items()
             if h.fn.__module__.startswith("pepestore.") and h.fn.__qualname__.startswith(cls.__name__ + ".")]
    assert len(calls) >= 10, calls  # the test must really be calling the back office
    before = _snapshot(store_database_url)
    socket = ReflexSocket(store_url)
    try:
        for cls, name, params in calls:
            payload = {param: HOSTILE.get(param, 1) for param in params}
            socket.emit(f"{cls.get_full_name()}.{name}", payload, f"/admin/orders/{number}")
            updates = socket.updates(1.5)
            text = json.dumps(updates)
            for update in updates:
                for substate, values in (update.get("delta") or {}).items():
                    for key, value in values.items():
                        if key.split("_rx_state_")[0] in ADMIN_DATA:
                            assert value in ([], {}, "", 0, None, False) or (
                                isinstance(value, dict) and not any(value.values())), (name, key, value)
            # The login page's own load is for people without a session; a watcher only ever stops quietly.
            if (cls.__name__, name) != ("LoginState", "load") and name != "watch":
                assert "/admin/login" in text, f"{cls.__name__}.{name} did not send the tab to the login page"
    finally:
        socket.close()
    assert _snapshot(store_database_url) == before
