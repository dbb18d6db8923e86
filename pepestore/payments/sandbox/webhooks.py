"""Deliver the sandbox's events to the store's webhook the way Fintoc does: signed, over HTTP, retried with backoff.

Every worker may run a dispatcher; a delivery is claimed with a conditional update before it is sent, so
two workers never send the same attempt.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import update
from sqlmodel import col, select

from pepestore.db import session_scope
from pepestore.payments import signature
from pepestore.payments.sandbox.models import SandboxWebhook
from pepestore.payments.sandbox.service import Sandbox, account

log = logging.getLogger("pepestore.sandbox.webhooks")

MAX_ATTEMPTS = 17
FIRST_RETRY = timedelta(seconds=3)
CLAIM_LEASE = timedelta(seconds=30)
BATCH = 20


@dataclass
class Delivery:
    id: str
    body: str
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    """Fintoc's schedule: exponential from 3 s (3, 6, 12, ...), capped at a day."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), timedelta(days=1))


class WebhookDispatcher:
    def __init__(
        self,
        sandbox: Sandbox,
        target_url: str,
        secret: str,
        *,
        poll_seconds: float = 0.5,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.sandbox = sandbox
        self.target_url = target_url
        self.secret = secret
        self.poll_seconds = poll_seconds
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def run_forever(self) -> None:
        """Until cancelled (at shutdown); the HTTP client's pooled connections close on the way out."""
        try:
            while True:
                try:
                    await self.run_once()
                except Exception:  # noqa: BLE001 - a bad tick must not stop deliveries for good
                    log.exception("sandbox webhook tick failed")
                await asyncio.sleep(self.poll_seconds)
        finally:
            await self._http.aclose()

    async def run_once(self, now: datetime | None = None) -> int:
        """Advance the sandbox's clock, then send what is due. Returns the number of deliveries attempted."""
        moment = now or datetime.now(timezone.utc)
        await asyncio.to_thread(self._advance, moment)
        due = await asyncio.to_thread(self._claim_due, moment)
        for delivery in due:
            outcome = await self._send(delivery)
            await asyncio.to_thread(self._record, delivery, outcome, datetime.now(timezone.utc))
        return len(due)

    def _advance(self, now: datetime) -> None:
        with session_scope() as session:
            self.sandbox.advance(session, now)

    def _claim_due(self, now: datetime) -> list[Delivery]:
        claimed = []
        with session_scope() as session:
            if account(session).deliveries_paused:
                return claimed
            rows = session.exec(
                select(SandboxWebhook)
                .where(SandboxWebhook.status == "pending", SandboxWebhook.next_attempt_at <= now)
                .order_by(col(SandboxWebhook.created_at), col(SandboxWebhook.id))
                .limit(BATCH)
            ).all()
            for row in rows:
                taken = session.exec(
                    update(SandboxWebhook)
                    .where(col(SandboxWebhook.id) == row.id, col(SandboxWebhook.status) == "pending",
                           col(SandboxWebhook.next_attempt_at) == row.next_attempt_at)
                    .values(next_attempt_at=now + CLAIM_LEASE)
                ).rowcount
                if taken == 1:
                    claimed.append(Delivery(row.id, row.body, row.attempts))
        return claimed

    async def _send(self, delivery: Delivery) -> str | None:
        """None when the store acknowledged the event, else what went wrong."""
        body = delivery.body.encode()
        headers = {"Content-Type": "application/json", "Fintoc-Signature": signature.sign(body, self.secret),
                   "User-Agent": "Fintoc-Sandbox-Webhooks/1"}
        try:
            response = await self._http.post(self.target_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{exc.__class__.__name__}"
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    def _record(self, delivery: Delivery, error: str | None, now: datetime) -> None:
        attempts = delivery.attempts + 1
        with session_scope() as session:
            row = session.get(SandboxWebhook, delivery.id)
            if row is None:
                return
            row.attempts = attempts
            if error is None:
                row.status, row.delivered_at, row.last_error = "delivered", now, None
            else:
                row.last_error = error[:300]
                if attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                else:
                    row.next_attempt_at = now + retry_delay(attempts)
                log.warning("sandbox webhook %s (%s) attempt %d failed: %s", row.id, row.type, attempts, error)
            session.add(row)
