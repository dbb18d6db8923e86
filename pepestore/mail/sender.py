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
import uuid
from datetime import datetime
from email.message import EmailMessage

import aiosmtplib

from pepestore.db import in_db_thread
from pepestore.mail.message import BadMessage, build
from pepestore.models import utcnow
from pepestore.settings import SmtpTransport, get_settings
from pepestore.store import outbox

log = logging.getLogger("pepestore.mail")
POLL_SECONDS = 5
SMTP_TIMEOUT_SECONDS = 20


async def deliver(message: EmailMessage, transport: SmtpTransport) -> None:
    await aiosmtplib.send(message, hostname=transport.host, port=transport.port, username=transport.username,
                          password=transport.password, use_tls=transport.tls == "implicit",
                          start_tls=True if transport.tls == "starttls" else False,
                          timeout=SMTP_TIMEOUT_SECONDS)


async def send_due(now: datetime | None = None, most: int = 20) -> dict[int, str]:
    """One pass: up to `most` due rows, each claimed just before it is sent (so no lease runs out while earlier rows
    are sent), then sent or kept, or rescheduled. `now` is a fake clock in tests."""
    settings = get_settings()
    outcomes: dict[int, str] = {}
    for _ in range(most):
        moment = now or utcnow()
        token = uuid.uuid4().hex
        claimed = await in_db_thread(outbox.claim_due, moment, 1, token)
        if not claimed:
            break
        outcomes[claimed[0]] = await _send_one(claimed[0], token, settings.mail_mode, settings.smtp, now)
    return outcomes


async def _send_one(row_id: int, token: str, mode: str, transport: SmtpTransport | None,
                    now: datetime | None) -> str:
    """Never raises: whatever goes wrong with one email is that email's failed try, never the whole pass's."""

    def failed(error: str, *, final: bool = False):
        return in_db_thread(outbox.mark_failed_try, row_id, error, now or utcnow(), final=final,
                                 token=token)

    try:
        message, _ = await in_db_thread(build, row_id)
    except (BadMessage, ValueError) as problem:  # a message that can never be built: no point trying again
        return await failed(f"{problem.__class__.__name__}: {problem}", final=True)
    except Exception as problem:  # noqa: BLE001 - the database away, say: try again later
        log.exception("email %s not built", row_id)
        return await failed(f"{problem.__class__.__name__}: {problem}")
    if mode == "keep" or transport is None:
        await in_db_thread(outbox.mark_sent, row_id, now or utcnow(), kept=True, token=token)
        return "kept"
    try:
        await deliver(message, transport)
    except Exception as exc:  # noqa: BLE001 - SMTP refusals, network errors, timeouts alike: retried later
        log.warning("email %s not sent: %s", row_id, exc)
        return await failed(f"{exc.__class__.__name__}: {exc}")
    await in_db_thread(outbox.mark_sent, row_id, now or utcnow(), token=token)
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
