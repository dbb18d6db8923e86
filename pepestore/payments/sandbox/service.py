"""The sandbox's behaviour as plain functions over a database session: what Fintoc does, minus the banks."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pepestore.clock import as_utc
from pepestore.payments.sandbox.models import (
    SandboxAccount,
    SandboxCheckoutSession,
    SandboxIdempotentRequest,
    SandboxRefund,
    SandboxWebhook,
)

CURRENCIES = {"CLP", "MXN"}
MAX_AMOUNT = {"CLP": 7_000_000, "MXN": 10_000_000}
MIN_EXPIRY = timedelta(minutes=10)
DEFAULT_EXPIRY = timedelta(hours=24)
MAX_EXPIRY = timedelta(days=7)
REFUND_SETTLE_DELAY = timedelta(seconds=1)
TEST_BANKS = ("Banco Estado", "Banco de Chile", "Banco Santander", "BCI", "Scotiabank", "Banco Falabella")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
OPEN_STATUSES = ("created", "in_progress")


class SandboxError(Exception):
    """An answer in Fintoc's error shape."""

    def __init__(self, status: int, type: str, message: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.type, self.message, self.code, self.param = status, type, message, code, param

    def body(self) -> dict:
        return {"error": {"type": self.type, "code": self.code, "message": self.message, "param": self.param,
                          "doc_url": "https://docs.fintoc.com/reference/errors"}}


def invalid(message: str, *, code: str, param: str | None = None, status: int = 400) -> SandboxError:
    return SandboxError(status, "invalid_request_error", message, code, param)


def iso(moment: datetime | None) -> str | None:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


# -- account -------------------------------------------------------------------------------------------------

def account(session: Session) -> SandboxAccount:
    """The sandbox's keys, made on first use; concurrent first uses agree on one row."""
    found = session.get(SandboxAccount, 1)
    if found:
        return found
    try:
        with session.begin_nested():
            session.add(SandboxAccount(
                id=1,
                secret_key=f"sk_test_{secrets.token_urlsafe(24)}",
                public_key=f"pk_test_{secrets.token_urlsafe(24)}",
                webhook_secret=f"whsec_{secrets.token_urlsafe(32)}",
            ))
    except IntegrityError:
        pass
    return session.get(SandboxAccount, 1, populate_existing=True)


# -- idempotency ---------------------------------------------------------------------------------------------

def fingerprint(method: str, path: str, body: object) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(session: Session, key: str, request_fingerprint: str) -> tuple[int, str] | None:
    stored = session.get(SandboxIdempotentRequest, key)
    if stored is None:
        return None
    if stored.request_fingerprint != request_fingerprint:
        raise invalid("This Idempotency-Key was already used with different parameters.",
                      code="idempotency_key_reused", param="Idempotency-Key")
    return stored.status_code, stored.response_body


def remember(session: Session, key: str, request_fingerprint: str, status: int, body: str) -> None:
    session.add(SandboxIdempotentRequest(key=key, request_fingerprint=request_fingerprint, status_code=status,
                                         response_body=body))


# -- JSON shapes ---------------------------------------------------------------------------------------------

def payment_intent_json(row: SandboxCheckoutSession) -> dict | None:
    if not row.payment_intent_id:
        return None
    return {
        "id": row.payment_intent_id,
        "object": "payment_intent",
        "amount": row.amount,
        "currency": row.currency,
        "status": row.payment_status,
        "reference_id": row.reference_id,
        "transaction_date": iso(row.transaction_date),
        "error_reason": row.error_reason,
        "sender_account": {"institution_id": row.bank} if row.bank else None,
        "metadata": json.loads(row.metadata_json),
        "mode": "test",
    }


def session_json(row: SandboxCheckoutSession, base_url: str) -> dict:
    """base_url is the sandbox's public address, used for the hosted payment page (redirect_url)."""
    return {
        "id": row.id,
        "object": "checkout_session",
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "mode": "test",
        "redirect_url": f"{base_url}/pay/{row.session_token}",
        "session_token": row.session_token,
        "metadata": json.loads(row.metadata_json),
        "customer_email": row.customer_email,
        "created_at": iso(row.created_at),
        "expires_at": iso(row.expires_at),
        "success_url": row.success_url,
        "cancel_url": row.cancel_url,
        "payment_resource": {"payment_intent": payment_intent_json(row)},
    }


def refund_json(row: SandboxRefund) -> dict:
    return {
        "id": row.id,
        "object": "refund",
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "resource_type": "payment_intent",
        "resource_id": row.payment_intent_id,
        "metadata": json.loads(row.metadata_json),
        "created_at": iso(row.created_at),
        "mode": "test",
    }


# -- events --------------------------------------------------------------------------------------------------

def enqueue_event(session: Session, event_type: str, data: dict, now: datetime) -> SandboxWebhook:
    event_id = _new_id("evt")
    envelope = {"id": event_id, "type": event_type, "object": "event", "data": data,
                "created_at": iso(now), "mode": "test"}
    event = SandboxWebhook(id=event_id, type=event_type, body=json.dumps(envelope, separators=(",", ":")),
                           next_attempt_at=now, created_at=now)
    session.add(event)
    return event


# -- validation ----------------------------------------------------------------------------------------------

def _url(params: dict, name: str) -> str:
    value = params.get(name)
    if value is None:
        raise invalid(f"Missing required param: {name}.", code="missing_parameter", param=name)
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000:
        raise invalid(f"{name} must be an http(s) URL.", code="invalid_url", param=name)
    return value


def _metadata(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 50:
        raise invalid("metadata must be an object of at most 50 string keys.", code="invalid_metadata",
                      param="metadata")
    for key, item in value.items():
        if not isinstance(key, str) or not 0 < len(key) <= 40 or not isinstance(item, str) or len(item) > 500:
            raise invalid("metadata keys (≤40 chars) and values (≤500 chars) must be strings.",
                          code="invalid_metadata", param="metadata")
    return value


def _expires_at(value: object, now: datetime) -> datetime:
    if value is None:
        return now + DEFAULT_EXPIRY
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid("expires_at must be an ISO-8601 UTC timestamp.", code="invalid_expires_at",
                      param="expires_at")
    if moment < now + MIN_EXPIRY or moment > now + MAX_EXPIRY:
        raise invalid("expires_at must be at least 10 minutes and at most 7 days ahead.",
                      code="invalid_expires_at", param="expires_at")
    return moment.astimezone(timezone.utc)


def _amount(value: object, currency: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid("amount must be an integer in the currency's smallest unit.", code="invalid_amount",
                      param="amount")
    if not 0 < value < MAX_AMOUNT[currency]:
        raise invalid(f"amount must be above 0 and below {MAX_AMOUNT[currency]} {currency}.",
                      code="invalid_amount", param="amount")
    return value


class Sandbox:
    """Fintoc's behaviour; base_url is where shoppers and the store reach this sandbox."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def session_json(self, row: SandboxCheckoutSession) -> dict:
        return session_json(row, self.base_url)

    # -- checkout sessions ---------------------------------------------------------------------------------------

    def create_checkout_session(self, session: Session, params: dict, now: datetime) -> SandboxCheckoutSession:
        if "amount" not in params:
            raise invalid("Missing required param: amount.", code="missing_parameter", param="amount")
        currency = params.get("currency")
        if currency is None:
            raise invalid("Missing required param: currency.", code="missing_parameter", param="currency")
        if currency not in CURRENCIES:
            raise invalid("currency must be CLP or MXN.", code="invalid_currency", param="currency")
        amount = _amount(params["amount"], currency)
        success_url, cancel_url = _url(params, "success_url"), _url(params, "cancel_url")
        email = params.get("customer_email")
        if email is not None and (not isinstance(email, str) or not _EMAIL.match(email) or len(email) > 320):
            raise invalid("customer_email is not a valid email address.", code="invalid_email", param="customer_email")
        row = SandboxCheckoutSession(
            id=_new_id("cs"),
            session_token=f"cs_tok_{secrets.token_urlsafe(24)}",
            amount=amount,
            currency=currency,
            status="created",
            success_url=success_url,
            cancel_url=cancel_url,
            customer_email=email,
            metadata_json=json.dumps(_metadata(params.get("metadata"))),
            created_at=now,
            expires_at=_expires_at(params.get("expires_at"), now),
        )
        session.add(row)
        session.flush()
        return row


    def _expire_if_due(self, session: Session, row: SandboxCheckoutSession, now: datetime) -> None:
        if row.status in OPEN_STATUSES and now >= as_utc(row.expires_at):
            self.expire(session, row, now)


    def expire(self, session: Session, row: SandboxCheckoutSession, now: datetime) -> None:
        row.status = "expired"
        if row.payment_intent_id and row.payment_status not in ("succeeded", "failed", "rejected"):
            row.payment_status = "expired"
        session.add(row)
        enqueue_event(session, "checkout_session.expired", self.session_json(row), now)


    def find_session(self, session: Session, session_id: str, now: datetime, *, lock: bool = False) -> SandboxCheckoutSession:
        statement = select(SandboxCheckoutSession).where(SandboxCheckoutSession.id == session_id)
        row = session.exec(statement.with_for_update() if lock else statement).first()
        if row is None:
            raise invalid(f"No such checkout_session: {session_id}", code="resource_missing", param="id", status=404)
        self._expire_if_due(session, row, now)
        return row


    def session_by_token(self, session: Session, token: str, now: datetime) -> SandboxCheckoutSession:
        row = session.exec(
            select(SandboxCheckoutSession).where(SandboxCheckoutSession.session_token == token).with_for_update()
        ).first()
        if row is None:
            raise invalid("This payment link is not valid.", code="resource_missing", status=404)
        self._expire_if_due(session, row, now)
        return row


    def expire_session(self, session: Session, session_id: str, now: datetime) -> SandboxCheckoutSession:
        row = self.find_session(session, session_id, now, lock=True)
        if row.status == "expired":
            return row
        if row.status not in OPEN_STATUSES:
            raise invalid("Only an unpaid, open checkout session can be expired.", code="session_not_expirable")
        self.expire(session, row, now)
        return row


    def _finish(self, session: Session, token: str, bank: object, now: datetime) -> SandboxCheckoutSession:
        if bank not in TEST_BANKS:
            raise invalid("Choose one of the sandbox's test banks.", code="invalid_bank", param="bank")
        row = self.session_by_token(session, token, now)
        if row.status == "expired":
            raise invalid("This payment session has expired.", code="session_expired")
        if row.status not in OPEN_STATUSES:
            raise invalid("This payment session is already finished.", code="session_finished")
        row.status = "finished"
        row.bank = bank
        row.payment_intent_id = _new_id("pi")
        row.transaction_date = now
        return row


    def approve(self, session: Session, token: str, bank: object, now: datetime) -> SandboxCheckoutSession:
        row = self._finish(session, token, bank, now)
        row.payment_status = "succeeded"
        row.reference_id = str(secrets.randbelow(10**9)).zfill(9)
        session.add(row)
        enqueue_event(session, "checkout_session.finished", self.session_json(row), now)
        enqueue_event(session, "payment_intent.succeeded", payment_intent_json(row), now)
        return row


    def reject(self, session: Session, token: str, bank: object, now: datetime) -> SandboxCheckoutSession:
        row = self._finish(session, token, bank, now)
        row.payment_status = "failed"
        row.error_reason = "rejected_by_bank"
        session.add(row)
        enqueue_event(session, "checkout_session.finished", self.session_json(row), now)
        enqueue_event(session, "payment_intent.failed", payment_intent_json(row), now)
        return row


    def mark_in_progress(self, session: Session, token: str, now: datetime) -> SandboxCheckoutSession:
        row = self.session_by_token(session, token, now)
        if row.status == "created":
            row.status = "in_progress"
            session.add(row)
        return row


    # -- refunds -------------------------------------------------------------------------------------------------

    def create_refund(self, session: Session, params: dict, now: datetime) -> SandboxRefund:
        if params.get("resource_type") != "payment_intent":
            raise invalid("resource_type must be payment_intent.", code="invalid_resource_type", param="resource_type")
        intent_id = params.get("resource_id")
        paid = session.exec(
            select(SandboxCheckoutSession)
            .where(SandboxCheckoutSession.payment_intent_id == intent_id)
            .with_for_update()
        ).first() if isinstance(intent_id, str) else None
        if paid is None:
            raise invalid(f"No such payment_intent: {intent_id}", code="resource_missing", param="resource_id",
                          status=404)
        if paid.payment_status != "succeeded":
            raise invalid("Only a succeeded payment can be refunded.", code="payment_not_refundable",
                          param="resource_id")
        refunded = sum(
            r.amount for r in session.exec(select(SandboxRefund).where(SandboxRefund.payment_intent_id == intent_id))
            if r.status not in ("failed", "canceled")
        )
        remaining = paid.amount - refunded
        amount = params.get("amount", remaining)
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= remaining:
            raise invalid(f"amount must be an integer from 1 to {remaining}, what is left to refund.",
                          code="invalid_amount", param="amount")
        row = SandboxRefund(id=_new_id("re"), payment_intent_id=intent_id, amount=amount, currency=paid.currency,
                            status="in_progress", metadata_json=json.dumps(_metadata(params.get("metadata"))),
                            created_at=now)
        session.add(row)
        session.flush()
        # Fintoc tells the merchant a refund is under way, then how it ended (refund.succeeded, from advance()).
        enqueue_event(session, "refund.in_progress", refund_json(row), now)
        return row


    def find_refund(self, session: Session, refund_id: str) -> SandboxRefund:
        row = session.get(SandboxRefund, refund_id)
        if row is None:
            raise invalid(f"No such refund: {refund_id}", code="resource_missing", param="id", status=404)
        return row


    # -- the clock -----------------------------------------------------------------------------------------------

    def advance(self, session: Session, now: datetime) -> int:
        """What time alone does: expire overdue sessions, settle refunds. Returns how many records changed."""
        changed = 0
        overdue = session.exec(
            select(SandboxCheckoutSession)
            .where(col(SandboxCheckoutSession.status).in_(OPEN_STATUSES), SandboxCheckoutSession.expires_at <= now)
            .with_for_update(skip_locked=True)
        ).all()
        for row in overdue:
            self.expire(session, row, now)
            changed += 1
        settling = session.exec(
            select(SandboxRefund)
            .where(SandboxRefund.status == "in_progress", SandboxRefund.created_at <= now - REFUND_SETTLE_DELAY)
            .with_for_update(skip_locked=True)
        ).all()
        for refund in settling:
            refund.status = "succeeded"
            session.add(refund)
            enqueue_event(session, "refund.succeeded", refund_json(refund), now)
            changed += 1
        return changed
