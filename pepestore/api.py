"""The store's HTTP routes beside Reflex's own, as one Starlette app handed to `rx.App(api_transformer=...)`.

Routes stay thin: read the request, call a service, answer JSON. Anything that must reach open pages
(a payment confirmed by webhook) goes through the listeners the app registers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from pepestore.admin import routes as admin_routes
from pepestore.health import health_report, is_operator
from pepestore.media import product_photo
from pepestore.models import utcnow
from pepestore.payments.config import SANDBOX_PATH
from pepestore.payments.webhook import MAX_BODY_BYTES, handle_webhook
from pepestore.settings import get_settings
from pepestore.shutdown import answered_before_exit

log = logging.getLogger("pepestore.api")
MAIL_VIEWER_PATH = "/sandbox/mail"
OrderListener = Callable[[int], Awaitable[None]]
_order_listeners: list[OrderListener] = []


def on_order_changed(listener: OrderListener) -> None:
    """Refresh open order pages after a webhook (also a repeated one: a refresh is harmless twice).

    Not the hook for reacting to an order's transitions: that is pepestore/store/order_events.py, which fires once
    per transition after commit, from every path (webhook, reconciler, order page, back office)."""
    _order_listeners.append(listener)


_pushing: set[asyncio.Task] = set()  # the loop keeps only weak references to tasks


async def notify_order_changed(order_id: int) -> None:
    for listener in _order_listeners:
        try:
            await listener(order_id)
        except Exception:  # noqa: BLE001 - a page that cannot be told must not fail the webhook
            log.exception("could not push order %s to its page", order_id)


def notify_order_changed_soon(order_id: int) -> None:
    """Tell open pages after the answer: a push waits for the tab's state lock (held while that tab handles an
    event), and Fintoc's delivery must not wait for a browser (the pages also re-read the order on their own)."""
    task = asyncio.ensure_future(notify_order_changed(order_id))
    _pushing.add(task)
    task.add_done_callback(_pushing.discard)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The raw body, or None as soon as it is larger than limit (never buffer an unbounded body)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def payments_webhook(request: Request) -> JSONResponse:
    if request.method != "POST":
        return JSONResponse({"error": "use POST"}, status_code=405, headers={"Allow": "POST"})
    body = await _read_capped(request, MAX_BODY_BYTES)
    if body is None:
        return JSONResponse({"error": "body larger than 64 KB"}, status_code=413)
    answer = await run_in_threadpool(handle_webhook, body, request.headers.get("fintoc-signature"), utcnow())
    if answer.order_id is not None:
        notify_order_changed_soon(answer.order_id)
    return JSONResponse(answer.body, status_code=answer.status)


async def health(request: Request) -> JSONResponse:
    detailed = is_operator(request.headers.get("authorization"))
    report = await run_in_threadpool(lambda: health_report(detailed=detailed))
    # Never cached: a proxy must not hand the operator's detailed answer to the next caller.
    return JSONResponse(report, status_code=200 if report["ok"] else 503, headers={"Cache-Control": "no-store"})


def build_api() -> Starlette:
    settings = get_settings()
    routes = [
        # A webhook being handled when the worker is told to stop is still answered (see pepestore/shutdown.py).
        Route("/payments/webhook", answered_before_exit(payments_webhook),
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/health", health, methods=["GET"]),
        Route("/auth/login", admin_routes.login, methods=["POST"]),
        Route("/auth/logout", admin_routes.logout, methods=["POST"]),
        Route("/admin/export/orders.csv", admin_routes.export_orders, methods=["GET"]),
        Route("/media/products/{name}", product_photo, methods=["GET", "HEAD"]),
    ]
    if settings.fintoc_sandbox:
        # Only a store started with FINTOC_SANDBOX=1 serves the sandbox: a live store never exposes a fake Fintoc.
        from pepestore.mail.viewer import build_mail_viewer, mail_list
        from pepestore.payments.sandbox.api import build_sandbox_api

        # The emails this store kept instead of sending (no SMTP_URL): a local mail viewer.
        routes.append(Route(MAIL_VIEWER_PATH, mail_list, methods=["GET"]))
        routes.append(Mount(MAIL_VIEWER_PATH, app=build_mail_viewer()))
        routes.append(Mount(SANDBOX_PATH, app=build_sandbox_api(settings.public_url + SANDBOX_PATH)))
    return Starlette(routes=routes)


async def run_sandbox_webhooks() -> None:
    """Lifespan task: deliver the sandbox's events to this store's webhook route."""
    from pepestore.payments.config import get_fintoc_config
    from pepestore.payments.sandbox.service import Sandbox
    from pepestore.payments.sandbox.webhooks import WebhookDispatcher

    config = get_fintoc_config()
    dispatcher = WebhookDispatcher(Sandbox(config.api_url), config.webhook_url, config.webhook_secret)
    await dispatcher.run_forever()
