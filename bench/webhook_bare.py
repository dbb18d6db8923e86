"""The yardstick for bench/webhook.py: a bare Starlette app that does only what the webhook must do.

Cap the body at 64 KB, verify Fintoc's signature over the raw body, parse the event, insert it into
`payment_event` once (a repeat is acknowledged), 503 if the database fails. No Reflex, no middlewares, no order
lookup. Served like the store: Granian, ASGI, one worker.

    DATABASE_URL=... FINTOC_SANDBOX=1 python bench/webhook_bare.py --port 8811
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.exc import IntegrityError, SQLAlchemyError  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from pepestore.db import get_engine  # noqa: E402
from pepestore.models import PaymentEvent, utcnow  # noqa: E402
from pepestore.payments import signature  # noqa: E402
from pepestore.payments.config import get_fintoc_config  # noqa: E402
from pepestore.payments.types import WebhookEvent  # noqa: E402

LIMIT = 64 * 1024


def _store(body: bytes, header: str | None) -> JSONResponse:
    now = utcnow()
    try:
        signature.verify(body, header, get_fintoc_config().webhook_secret, now=now.timestamp())
        event = WebhookEvent.from_body(body)
    except (signature.SignatureError, ValueError) as refusal:
        return JSONResponse({"error": str(refusal)}, status_code=400)
    try:
        with get_engine().begin() as connection:
            connection.execute(insert(PaymentEvent).values(
                fintoc_event_id=event.id, type=event.type, mode=event.mode, raw_body=body.decode("utf-8", "replace"),
                outcome="received", received_at=now))
    except IntegrityError:
        return JSONResponse({"received": True, "duplicate": True})
    except SQLAlchemyError:
        return JSONResponse({"error": "retry later"}, status_code=503)
    return JSONResponse({"received": True})


async def webhook(request: Request) -> JSONResponse:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > LIMIT):
        return JSONResponse({"error": "too large"}, status_code=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > LIMIT:
            return JSONResponse({"error": "too large"}, status_code=413)
        chunks.append(chunk)
    return await run_in_threadpool(_store, b"".join(chunks), request.headers.get("fintoc-signature"))


app = Starlette(routes=[Route("/payments/webhook", webhook, methods=["POST"])])


if __name__ == "__main__":
    from granian.constants import Interfaces
    from granian.server import Server

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8811)
    port = parser.parse_args().port
    Server(target="webhook_bare:app", address="127.0.0.1", port=port, interface=Interfaces.ASGI, workers=1,
           working_dir=Path(__file__).resolve().parent).serve()
