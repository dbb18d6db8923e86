"""The two Fintocs the contract tests run against: the store's sandbox over real HTTP, and the strict fake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from sqlmodel import Session, select

from pepestore.payments.client import FintocClient
from pepestore.payments.config import SANDBOX_PATH
from pepestore.payments.sandbox.api import build_sandbox_api
from pepestore.payments.sandbox.models import SandboxCheckoutSession
from pepestore.payments.sandbox.service import account
from tests.fakes.fintoc_fake import StrictFakeFintoc
from tests.servers import ThreadedServer, free_port


@dataclass
class Backend:
    name: str
    secret_key: str
    base_url: str
    inner_transport: Callable[[], httpx.AsyncBaseTransport]
    pay: Callable[[str], None]
    session_count: Callable[[], int]
    received_webhooks: list = field(default_factory=list)

    def client(self, *, wrap=None, secret_key: str | None = None, **options) -> FintocClient:
        transport = self.inner_transport()
        if wrap is not None:
            transport = wrap(transport)
        return FintocClient(secret_key or self.secret_key, base_url=self.base_url, transport=transport,
                            backoff_seconds=0.01, **options)


def store_app_with_receiver(base_url: str, received: list, status: Callable[[], int]) -> Starlette:
    """The sandbox mounted as the store mounts it, plus a stand-in webhook route that records what arrives."""

    async def receive(request: Request):
        received.append((dict(request.headers), await request.body()))
        return JSONResponse({"received": True}, status_code=status())

    return Starlette(routes=[
        Mount(SANDBOX_PATH, app=build_sandbox_api(base_url + SANDBOX_PATH)),
        Route("/payments/webhook", receive, methods=["POST"]),
    ])


class SandboxOverHTTP:
    def __init__(self, engine, status: Callable[[], int] = lambda: 200):
        self.engine = engine
        self.received: list = []
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._server = ThreadedServer(store_app_with_receiver(self.url, self.received, status), port)

    def __enter__(self) -> Backend:
        self._server.__enter__()
        with Session(self.engine) as session:
            keys = account(session)
            session.commit()
            self.keys = (keys.secret_key, keys.public_key, keys.webhook_secret)
        base = self._server.url + SANDBOX_PATH

        def pay(session_id: str) -> None:
            with Session(self.engine) as session:
                token = session.exec(select(SandboxCheckoutSession.session_token)
                                     .where(SandboxCheckoutSession.id == session_id)).one()
            response = httpx.post(f"{base}/widget/sessions/{token}/approve",
                                  json={"public_key": self.keys[1], "bank": "Banco Estado"})
            assert response.status_code == 200, response.text

        def session_count() -> int:
            with Session(self.engine) as session:
                return len(session.exec(select(SandboxCheckoutSession)).all())

        return Backend("sandbox", self.keys[0], base, httpx.AsyncHTTPTransport, pay, session_count, self.received)

    def __exit__(self, *exc) -> None:
        self._server.__exit__(*exc)


def fake_backend() -> Backend:
    fake = StrictFakeFintoc()
    return Backend("fake", fake.secret_key, "https://api.fintoc.com", lambda: fake.transport, fake.pay,
                   lambda: len(fake.sessions))
