"""The sandbox's own records, kept in the store's database so they survive restarts and are shared by workers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from pepestore.clock import utcnow


class SandboxAccount(SQLModel, table=True):
    """The keys the sandbox made for itself on first use (one row)."""

    __tablename__ = "sandbox_account"

    id: int = Field(default=1, primary_key=True)
    secret_key: str = Field(max_length=80)
    public_key: str = Field(max_length=80)
    webhook_secret: str = Field(max_length=80)
    # A developer's switch (python -m pepestore.payments.sandbox pause|resume) to hold webhooks back, e.g. to
    # watch an order page wait for the bank, or to play a lost webhook that only reconciliation can settle.
    deliveries_paused: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)


class SandboxCheckoutSession(SQLModel, table=True):
    __tablename__ = "sandbox_checkout_session"

    id: str = Field(primary_key=True, max_length=40)
    session_token: str = Field(max_length=80, unique=True, index=True)
    amount: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=20, index=True)
    success_url: str = Field(max_length=2000)
    cancel_url: str = Field(max_length=2000)
    customer_email: str | None = Field(default=None, max_length=320)
    metadata_json: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    payment_intent_id: str | None = Field(default=None, max_length=40, index=True)
    payment_status: str | None = Field(default=None, max_length=20)
    bank: str | None = Field(default=None, max_length=80)
    reference_id: str | None = Field(default=None, max_length=40)
    error_reason: str | None = Field(default=None, max_length=80)
    transaction_date: datetime | None = None


class SandboxRefund(SQLModel, table=True):
    __tablename__ = "sandbox_refund"

    id: str = Field(primary_key=True, max_length=40)
    payment_intent_id: str = Field(max_length=40, index=True)
    amount: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=20, index=True)
    metadata_json: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)


class SandboxIdempotentRequest(SQLModel, table=True):
    """The first answer given for an Idempotency-Key, replayed for every later request with that key."""

    __tablename__ = "sandbox_idempotent_request"

    key: str = Field(primary_key=True, max_length=300)
    request_fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str
    created_at: datetime = Field(default_factory=utcnow)


class SandboxWebhook(SQLModel, table=True):
    """An event the sandbox owes the store, delivered with retries like Fintoc's."""

    __tablename__ = "sandbox_webhook"

    id: str = Field(primary_key=True, max_length=40)
    type: str = Field(max_length=60)
    body: str
    status: str = Field(default="pending", max_length=20, index=True)  # pending | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
