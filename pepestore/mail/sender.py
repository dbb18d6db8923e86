"""The sender: a lifespan task that claims due outbox rows, sends them over SMTP and marks them sent (or keeps
them for /sandbox/mail when the sandbox runs without SMTP_URL). A failed send is retried with backoff by the
outbox's rules. Nothing here runs inside a payment: the webhook and checkout only insert rows.

Safe with several workers and instances: each row is claimed by one sender (pepestore/store/outbox.py).
Shutdown: the task is cancelled at its sleep or mid-send; aiosmtplib's connection is per send and closes as the
cancellation unwinds, so nothing holds the worker. A row cancelled mid-send is claimed again once its lease ends.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from email.message import EmailMessage

import aiosmtplib

from pepestore.db import session_scope
from pepestore.mail.message import BadMessage, build
from pepestore.models import utcnow
from pepestore.settings import SmtpTransport, get_settings
from pepestore.store import outbox

log = logging.getLogger("pepestore.mail")
POLL_SECONDS = 5
SMTP_TIMEOUT_SECONDS = 20


def _in_session(fn, *args, **kwargs):
    with session_scope() as session:
        return fn(session, *args, **kwargs)


async def deliver(message: EmailMessage, transport: SmtpTransport) -> None:
    await aiosmtplib.send(message, hostname=transport.host, port=transport.port, username=transport.username,
                          password=transport.password, use_tls=transport.tls == "implicit",
                          start_tls=True if transport.tls == "starttls" else False,
                          timeout=SMTP_TIMEOUT_SECONDS)


async def send_due(now: datetime | None = None) -> dict[int, str]:
    """One pass: every row due at `now` (a fake clock in tests) claimed, sent or kept, or rescheduled."""
    settings = get_settings()
    moment = now or utcnow()
    claimed = await asyncio.to_thread(_in_session, outbox.claim_due, moment)
    outcomes: dict[int, str] = {}
    for row_id in claimed:
        outcomes[row_id] = await _send_one(row_id, settings.mail_mode, settings.smtp, moment)
    return outcomes


async def _send_one(row_id: int, mode: str, transport: SmtpTransport | None, moment: datetime) -> str:
    try:
        message, _ = await asyncio.to_thread(_in_session, build, row_id)
    except BadMessage as problem:
        return await asyncio.to_thread(_in_session, outbox.mark_failed_try, row_id, str(problem), moment,
                                       final=True)
    if mode == "keep" or transport is None:
        await asyncio.to_thread(_in_session, outbox.mark_sent, row_id, moment, kept=True)
        return "kept"
    try:
        await deliver(message, transport)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("email %s not sent: %s", row_id, exc)
        return await asyncio.to_thread(_in_session, outbox.mark_failed_try, row_id,
                                       f"{exc.__class__.__name__}: {exc}", moment)
    await asyncio.to_thread(_in_session, outbox.mark_sent, row_id, moment)
    return "sent"


async def run_mail_sender() -> None:
    """Lifespan task. Every worker may run it: rows are claimed, so each is sent by one."""
    if get_settings().mail_mode == "off":
        return
    while True:
        try:
            outcomes = await send_due()
            if outcomes:
                log.info("emails: %s", outcomes)
        except Exception:  # noqa: BLE001 - one bad pass must not end sending for good
            log.exception("email pass failed")
        await asyncio.sleep(POLL_SECONDS)
