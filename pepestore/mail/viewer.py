"""/sandbox/mail: the emails a sandbox store kept (or sent), for a developer to read without a mail server.

Mounted only with FINTOC_SANDBOX=1 (pepestore/api.py). Every value is escaped. An email's HTML is shown in an
<iframe sandbox="" srcdoc="..."> (escaped into the attribute): a document with an opaque origin and no script, so
nothing in an email can run in the store's origin. It has no URL of its own, so no proxy can serve it under the
store's own headers (nginx replaces the app's security headers with the store's).
"""

from __future__ import annotations

from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from pepestore.clock import santiago_label
from pepestore.db import session_scope
from pepestore.mail.message import BadMessage, build
from pepestore.models import EmailOutbox
from pepestore.store import outbox

_STYLE = ("body{font-family:system-ui,sans-serif;margin:24px;color:#1c1c1a;background:#fafaf9}"
          "table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:6px 10px;border-bottom:1px solid "
          "#e5e5e3;text-align:left;font-size:14px}pre{white-space:pre-wrap;background:#fff;padding:12px;"
          "border:1px solid #e5e5e3}iframe{width:100%;height:640px;border:1px solid #e5e5e3;background:#fff}"
          ".badge{padding:2px 8px;border-radius:8px;background:#eee;font-size:12px}")


def _page(title: str, body: str, *, refresh: bool = False) -> HTMLResponse:
    # The list refreshes itself: a receipt appears a few seconds after the payment, when the sender has run.
    again = "<meta http-equiv='refresh' content='5'>" if refresh else ""
    return HTMLResponse(f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{again}"
                        f"<title>{escape(title)}</title>"
                        f"<style>{_STYLE}</style></head><body>{body}</body></html>",
                        headers={"Cache-Control": "no-store"})


def _listing() -> list[tuple[int, str, str, str, str, str]]:
    with session_scope() as session:
        rows = []
        for row in outbox.recent(session):
            try:
                subject = build(session, row.id)[1].subject
            except BadMessage:
                subject = "(cannot be built)"
            rows.append((row.id, santiago_label(row.created_at), row.to_address, subject, row.status, row.kind))
        return rows


async def mail_list(request: Request) -> Response:
    rows = await run_in_threadpool(_listing)
    items = "".join(
        f"<tr class='mail-row'><td>{escape(when)}</td><td>{escape(to)}</td>"
        f"<td><a href='/sandbox/mail/{row_id}'>{escape(subject)}</a></td>"
        f"<td><span class='badge'>{escape(status)}</span></td></tr>"
        for row_id, when, to, subject, status, _ in rows)
    empty = "" if rows else "<p>No emails yet. Buy something and its receipt shows up here.</p>"
    return _page("Sandbox mail — Pepestore",
                 "<h1>Sandbox mail</h1><p>Emails this sandbox store would send. Nothing leaves this machine.</p>"
                 f"<p><a href='/'>← Back to the store</a></p>{empty}"
                 f"<table><tr><th>When</th><th>To</th><th>Subject</th><th>State</th></tr>{items}</table>",
                 refresh=True)


def _one(row_id: int):
    if row_id >= 10**12:
        return None
    with session_scope() as session:
        row = session.get(EmailOutbox, row_id)
        if row is None:
            return None
        try:
            message, rendered = build(session, row_id)
        except BadMessage as problem:
            return row, None, None, str(problem)
        return row, message, rendered, None


async def mail_detail(request: Request) -> Response:
    found = await run_in_threadpool(_one, request.path_params["row_id"])
    if found is None:
        return _page("No such email", "<h1>No such email</h1><p><a href='/sandbox/mail'>All emails</a></p>")
    row, message, rendered, problem = found
    if rendered is None:
        return _page("Email", f"<h1>Email {row.id}</h1><p>{escape(problem)}</p>")
    headers = "".join(f"<tr><th>{escape(name)}</th><td>{escape(str(message[name]))}</td></tr>"
                      for name in ("Subject", "From", "To", "Reply-To", "Message-ID", "Date") if message[name])
    return _page(rendered.subject,
                 f"<p><a href='/sandbox/mail'>← All emails</a></p><h1>{escape(rendered.subject)}</h1>"
                 f"<table id='mail-headers'>{headers}<tr><th>State</th><td>{escape(row.status)}</td></tr></table>"
                 f"<h2>HTML</h2><iframe sandbox='' title='HTML part' srcdoc='{escape(rendered.html, quote=True)}'>"
                 "</iframe>"
                 f"<h2>Plain text</h2><pre id='mail-text'>{escape(rendered.text)}</pre>")


async def mail_text(request: Request) -> Response:
    found = await run_in_threadpool(_one, request.path_params["row_id"])
    if found is None or found[2] is None:
        return PlainTextResponse("no such email", status_code=404)
    return PlainTextResponse(found[2].text, headers={"Cache-Control": "no-store"})


def build_mail_viewer() -> Router:
    return Router(routes=[
        Route("/", mail_list, methods=["GET"]),
        Route("/{row_id:int}", mail_detail, methods=["GET"]),
        Route("/{row_id:int}/text", mail_text, methods=["GET"]),
    ])
