"""The sandbox's HTTP face: Fintoc's REST endpoints, the widget's own calls, the widget script, a hosted page."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, Router

from pepestore.db import session_scope
from pepestore.i18n import LANGUAGES, normalise, say
from pepestore.payments.sandbox import service
from pepestore.payments.sandbox.service import Sandbox, SandboxError, invalid

MAX_BODY_BYTES = 64 * 1024
_HERE = Path(__file__).parent
# The widget's texts come from pepestore/i18n like every other text (the sandbox.* keys), both languages at once.
WIDGET_JS = (_HERE / "widget.js").read_text().replace("__TEXTS__", json.dumps({
    language: {key.removeprefix("sandbox."): value for key, value in texts.items() if key.startswith("sandbox.")}
    for language, texts in LANGUAGES.items()}).replace("<", "\\u003c"))
PAY_HTML = (_HERE / "pay.html").read_text()


def _error(exc: SandboxError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _json_body(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise invalid("Request body too large.", code="body_too_large", status=413)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("The request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.", code="invalid_json")
    return body


def build_sandbox_api(base_url: str) -> Router:
    """Routes relative to the sandbox's mount point; base_url is that mount point's public address."""
    sandbox = Sandbox(base_url)

    def authenticate(request: Request) -> None:
        given = request.headers.get("authorization", "")
        with session_scope() as session:
            expected = service.account(session).secret_key
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise SandboxError(401, "authentication_error", "Invalid API key provided.", "invalid_api_key")

    def check_public_key(given: object) -> None:
        with session_scope() as session:
            expected = service.account(session).public_key
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
            raise SandboxError(401, "authentication_error", "Invalid public key.", "invalid_public_key")

    def api(method: str, operation: Callable[..., dict], *, idempotent: bool = False):
        """Wrap an operation(session, params, path_params, now) -> (status, json) with auth and idempotency."""

        async def endpoint(request: Request) -> Response:
            try:
                await run_in_threadpool(authenticate, request)
                params = await _json_body(request) if method == "POST" else {}
                key = request.headers.get("idempotency-key") if idempotent else None
                if key is not None and not 0 < len(key) <= 255:
                    raise invalid("Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key",
                                  param="Idempotency-Key")
                status, body = await run_in_threadpool(
                    _run, operation, params, dict(request.path_params), key,
                    service.fingerprint(method, request.url.path, params),
                )
            except SandboxError as exc:
                return _error(exc)
            return Response(body, status_code=status, media_type="application/json")

        return endpoint

    def _run(operation, params, path_params, key, request_fingerprint) -> tuple[int, str]:
        for _attempt in range(2):
            try:
                with session_scope() as session:
                    if key:
                        replayed = service.replay(session, key, request_fingerprint)
                        if replayed:
                            return replayed
                    try:
                        with session.begin_nested():
                            status, payload = 200, operation(session, params, path_params, _now())
                    except SandboxError as exc:
                        status, payload = exc.status, exc.body()
                    body = json.dumps(payload, separators=(",", ":"))
                    if key:
                        service.remember(session, key, request_fingerprint, status, body)
                return status, body
            except IntegrityError:
                continue  # the same key raced in from another request: replay its answer
        raise SandboxError(409, "invalid_request_error", "A request with this Idempotency-Key is in progress.",
                           "idempotency_conflict")

    def create_session(session, params, _path, now):
        return sandbox.session_json(sandbox.create_checkout_session(session, params, now))

    def read_session(session, _params, path, now):
        return sandbox.session_json(sandbox.find_session(session, path["session_id"], now))

    def expire_session(session, _params, path, now):
        return sandbox.session_json(sandbox.expire_session(session, path["session_id"], now))

    def create_refund(session, params, _path, now):
        return service.refund_json(sandbox.create_refund(session, params, now))

    def read_refund(session, _params, path, _now):
        return service.refund_json(sandbox.find_refund(session, path["refund_id"]))

    def widget_action(action: str):
        async def endpoint(request: Request) -> Response:
            try:
                body = await _json_body(request)
                await run_in_threadpool(check_public_key, body.get("public_key"))
                token = request.path_params["token"]

                def act() -> dict:
                    with session_scope() as session:
                        if action == "start":
                            row = sandbox.mark_in_progress(session, token, _now())
                        elif action == "approve":
                            row = sandbox.approve(session, token, body.get("bank"), _now())
                        else:
                            row = sandbox.reject(session, token, body.get("bank"), _now())
                        return _widget_view(row)

                return JSONResponse(await run_in_threadpool(act))
            except SandboxError as exc:
                return _error(exc)

        return endpoint

    async def widget_session(request: Request) -> Response:
        try:
            await run_in_threadpool(check_public_key, request.query_params.get("public_key"))

            def read() -> dict:
                with session_scope() as session:
                    return _widget_view(sandbox.session_by_token(session, request.path_params["token"],
                                                                          _now()))

            return JSONResponse(await run_in_threadpool(read))
        except SandboxError as exc:
            return _error(exc)

    async def widget_script(_request: Request) -> Response:
        return Response(WIDGET_JS, media_type="application/javascript",
                        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})

    async def hosted_page(request: Request) -> Response:
        def read() -> tuple[dict, str]:
            with session_scope() as session:
                row = sandbox.session_by_token(session, request.path_params["token"], _now())
                return sandbox.session_json(row), service.account(session).public_key

        try:
            data, public_key = await run_in_threadpool(read)
        except SandboxError as exc:
            return HTMLResponse(f"<h1>Fintoc sandbox</h1><p>{exc.message}</p>", status_code=exc.status)
        language = normalise(request.cookies.get("pepestore_lang"))  # the store's language switch
        page = (PAY_HTML.replace("{{LANG}}", language).replace("{{TITLE}}", say(language, "sandbox.page_title"))
                .replace("{{WIDGET_URL}}", base_url + "/widget.js")
                .replace("{{CONFIG}}", json.dumps({
                    "publicKey": public_key, "sessionToken": data["session_token"],
                    "successUrl": data["success_url"], "cancelUrl": data["cancel_url"]}).replace("<", "\\u003c")))
        return HTMLResponse(page)

    return Router(routes=[
        Route("/v1/checkout_sessions", api("POST", create_session, idempotent=True), methods=["POST"]),
        Route("/v1/checkout_sessions/{session_id}", api("GET", read_session), methods=["GET"]),
        Route("/v1/checkout_sessions/{session_id}/expire", api("POST", expire_session, idempotent=True),
              methods=["POST"]),
        Route("/v1/refunds", api("POST", create_refund, idempotent=True), methods=["POST"]),
        Route("/v1/refunds/{refund_id}", api("GET", read_refund), methods=["GET"]),
        Route("/widget.js", widget_script, methods=["GET"]),
        Route("/widget/sessions/{token}", widget_session, methods=["GET"]),
        Route("/widget/sessions/{token}/start", widget_action("start"), methods=["POST"]),
        Route("/widget/sessions/{token}/approve", widget_action("approve"), methods=["POST"]),
        Route("/widget/sessions/{token}/reject", widget_action("reject"), methods=["POST"]),
        Route("/pay/{token}", hosted_page, methods=["GET"]),
    ])


def _widget_view(row) -> dict:
    """What the widget may know of a session: no ids beyond its own token, no URLs, no customer data."""
    return {
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "payment_status": row.payment_status,
        "reference_id": row.reference_id,
        "banks": list(service.TEST_BANKS),
    }
