"""ASGI middleware in front of Reflex's upload endpoint (/_upload), which would otherwise spool any body of any size
to disk before a handler could look at it.

Only the back office uploads (product photos), so a request there must carry a valid staff session cookie (checked
before the body is read) and at most MAX_BODY bytes: a larger declared Content-Length is refused with 413 at once,
and a body that grows past the limit while streaming (no or a false Content-Length) is cut off. The handler still
checks each file (pepestore/store/photos.py); this keeps a 50 MB upload from being read at all.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pepestore.store.photos import MAX_BYTES

UPLOAD_PATH = "/_upload"
MAX_FILES = 4
MAX_BODY = MAX_FILES * MAX_BYTES // 2 + 256 * 1024  # a few photos per request, each still checked at 10 MB


def _is_staff(token: str | None) -> bool:
    from pepestore.db import session_scope
    from pepestore.models import utcnow
    from pepestore.store import staff

    with session_scope() as session:
        return staff.signed_in(session, token, utcnow()) is not None


class UploadGate:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(UPLOAD_PATH):
            await self.app(scope, receive, send)
            return
        from pepestore.admin.routes import COOKIE

        request = Request(scope)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await JSONResponse({"error": "upload too large: photos are at most 10 MB each"}, status_code=413)(
                scope, receive, send)
            return
        if request.method == "POST" and not await run_in_threadpool(_is_staff, request.cookies.get(COOKIE)):
            await JSONResponse({"error": "sign in to the back office to upload"}, status_code=401)(
                scope, receive, send)
            return
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    # Tell the app the client went away: it stops reading and nothing is processed.
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, capped_receive, send)
