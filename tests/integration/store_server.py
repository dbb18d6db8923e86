"""The store's own HTTP routes (webhook + sandbox) served over real HTTP, with helpers to set up orders."""

from __future__ import annotations

import json
import time

import httpx
from sqlmodel import Session, select

from pepestore.api import build_api
from pepestore.db import session_scope
from pepestore.models import Order, Product, utcnow
from pepestore.payments import signature
from pepestore.payments.config import get_fintoc_config
from pepestore.store import cart, orders
from tests.servers import ThreadedServer, free_port


class StoreServer:
    """Run inside a test whose fixture pointed the app at a fresh database; PUBLIC_URL is this server."""

    def __init__(self, monkeypatch):
        from tests.conftest import _clear_caches

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        monkeypatch.setenv("PUBLIC_URL", self.url)
        _clear_caches()
        self._server = ThreadedServer(build_api(), port)

    def __enter__(self) -> StoreServer:
        self._server.__enter__()
        self.config = get_fintoc_config()
        return self

    def __exit__(self, *exc) -> None:
        self._server.__exit__(*exc)

    # -- webhooks --------------------------------------------------------------------------------------------

    def post_event(self, event: dict, *, secret: str | None = None, timestamp: int | None = None,
                   header: str | None = None, raw: bytes | None = None) -> httpx.Response:
        body = raw if raw is not None else json.dumps(event, separators=(",", ":")).encode()
        sig = header if header is not None else signature.sign(body, secret or self.config.webhook_secret,
                                                               timestamp)
        return httpx.post(f"{self.url}/payments/webhook", content=body,
                          headers={"Fintoc-Signature": sig, "Content-Type": "application/json"}, timeout=30)


def place_order(*items: tuple[str, int], email: str = "ana@example.cl") -> Order:
    with session_scope() as session:
        token = ""
        for slug, quantity in items:
            product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
            token = cart.add_item(session, token, product_id, quantity).cart.token
    with session_scope() as session:
        return orders.place_order(session, token, email, None, utcnow())


def reload(engine, order_id: int) -> Order:
    with Session(engine) as session:
        return session.get(Order, order_id)


def stock_of(engine, slug: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Product.stock).where(Product.slug == slug)).one()


def intent(order: Order, *, status: str = "succeeded", amount: int | None = None, currency: str = "CLP",
           intent_id: str = "pi_test_1", with_order_id: bool = True) -> dict:
    data = {"id": intent_id, "object": "payment_intent", "amount": order.total if amount is None else amount,
            "currency": currency, "status": status}
    if with_order_id:
        data["metadata"] = {"order_id": str(order.id)}
    return data


def session_object(order: Order, *, status: str = "finished", intent_data: dict | None = None,
                   session_id: str | None = None) -> dict:
    return {"id": session_id or order.fintoc_session_id or "cs_test_1", "object": "checkout_session",
            "amount": order.total, "currency": "CLP", "status": status, "mode": "test",
            "metadata": {"order_id": str(order.id)}, "payment_resource": {"payment_intent": intent_data}}


def event(event_type: str, data: dict, *, event_id: str | None = None, mode: str = "test") -> dict:
    return {"id": event_id or f"evt_{time.monotonic_ns()}", "type": event_type, "object": "event", "data": data,
            "created_at": "2026-11-26T12:00:00Z", "mode": mode}
