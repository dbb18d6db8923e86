"""The back office's HTTP routes: signing in and out (plain form posts, so no script is needed to log in).

A login sets the session cookie the websocket then carries: every admin page and handler checks it server-side.
Both routes refuse a request whose Origin is not the store's own (403): another site cannot sign staff in or out.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from pepestore.db import session_scope
from pepestore.limits import get_limiter
from pepestore.models import utcnow
from pepestore.settings import get_settings
from pepestore.store import staff

COOKIE = "pepestore_staff"
MAX_FORM_BYTES = 4096


def client_ip(request: Request) -> str | None:
    """The caller's address; behind TRUSTED_PROXY_HOPS proxies, the one the outermost trusted proxy saw."""
    hops = get_settings().trusted_proxy_hops
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops][:64]
    return request.client.host if request.client else None


def from_own_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and origin.lower() in get_settings().allowed_origins


def _refusal(request: Request, status: int, message: str) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        page = (f"<!doctype html><html lang='en'><meta charset='utf-8'><meta name='viewport' "
                f"content='width=device-width'><title>Sign in — Pepestore</title><body style='font-family:system-ui;"
                f"max-width:420px;margin:15vh auto;padding:0 16px'><h1 style='font-size:1.4rem'>Could not sign in"
                f"</h1><p>{html.escape(message)}</p><p><a href='/admin/login'>Back to sign in</a></p></body></html>")
        return HTMLResponse(page, status_code=status)
    return JSONResponse({"error": message}, status_code=status)


async def _form(request: Request) -> dict[str, str] | None:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in fields.items()}


def _login(email: str, password: str, ip: str | None, user_agent: str | None):
    with session_scope() as session:
        try:
            return staff.login(session, email, password, utcnow(), get_limiter(), ip=ip, user_agent=user_agent)
        except staff.LoginRefused as refusal:
            session.commit()  # the failed attempt stays in the audit log
            raise refusal


async def login(request: Request) -> Response:
    if not from_own_origin(request):
        return JSONResponse({"error": "sign in from the store's own login page"}, status_code=403)
    form = await _form(request)
    if form is None:
        return JSONResponse({"error": "the form is malformed or too large"}, status_code=400)
    try:
        token, _member = await run_in_threadpool(_login, form.get("email", ""), form.get("password", ""),
                                                 client_ip(request), request.headers.get("user-agent"))
    except staff.LoginRefused as refusal:
        return _refusal(request, refusal.status, refusal.message)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(staff.ABSOLUTE_TIMEOUT.total_seconds()), path="/",
                        httponly=True, samesite="strict", secure=urlsplit(get_settings().public_url).scheme == "https")
    return response


def _logout(token: str | None, ip: str | None) -> None:
    with session_scope() as session:
        staff.logout(session, token, utcnow(), ip=ip)


async def logout(request: Request) -> Response:
    if not from_own_origin(request):
        return JSONResponse({"error": "sign out from the store's own pages"}, status_code=403)
    await run_in_threadpool(_logout, request.cookies.get(COOKIE), client_ip(request))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# -- CSV export ----------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("order_number", "placed_at", "status", "email", "total_clp", "items", "payment_intent_id")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: anything that could start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export_rows(params: dict) -> list[list[str]]:
    from pepestore.clock import in_santiago
    from pepestore.store import backoffice

    wanted = backoffice.OrderFilter.parse(params)
    rows = []
    with session_scope() as session:
        batch: list = []
        for order in backoffice.all_matching(session, wanted):
            batch.append(order)
        items = backoffice.items_of(session, [order.id for order in batch])
        for order in batch:
            described = "; ".join(f"{line.quantity} x {line.name}" for line in items[order.id])
            rows.append([csv_cell(value) for value in (
                order.id, in_santiago(order.created_at).isoformat(timespec="seconds"), order.status,
                order.customer_email, order.total, described, order.payment_intent_id or "")])
    return rows


def _audit_export(member, request: Request, count: int) -> None:
    with session_scope() as session:
        staff.audit(session, "orders_exported", member.email, utcnow(), staff_id=member.id, ip=client_ip(request),
                    detail=f"{count} orders; filter: {request.url.query or 'none'}")


def _signed_in_from(request: Request):
    with session_scope() as session:
        return staff.signed_in(session, request.cookies.get(COOKIE), utcnow())


async def export_orders(request: Request) -> Response:
    import csv
    import io

    from pepestore.store.errors import StoreError

    member = await run_in_threadpool(_signed_in_from, request)
    if member is None:
        return JSONResponse({"error": "sign in to the back office first"}, status_code=401)
    try:
        rows = await run_in_threadpool(_export_rows, dict(request.query_params))
    except StoreError as refusal:
        return JSONResponse({"error": refusal.message}, status_code=400)
    # Customers' emails leave the store here: who took which, and how many, is on the record.
    await run_in_threadpool(_audit_export, member, request, len(rows))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="pepestore-orders.csv"', "Cache-Control": "no-store"})
