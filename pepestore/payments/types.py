"""Fintoc's objects as typed, immutable Python values, parsed strictly where money is concerned."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pepestore.payments.errors import FintocAPIError

PAYMENT_SUCCEEDED = "succeeded"


def _require(data: dict, key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise FintocAPIError(f"Fintoc sent a {data.get('object', 'response')} without a valid {key!r}")
    return value


def _optional_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _string_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str
    reference_id: str | None = None
    transaction_date: str | None = None
    error_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == PAYMENT_SUCCEEDED

    @classmethod
    def from_json(cls, data: dict) -> PaymentIntent:
        return cls(
            id=_require(data, "id", str),
            status=_require(data, "status", str),
            amount=_require(data, "amount", int),
            currency=_require(data, "currency", str),
            reference_id=_optional_str(data, "reference_id"),
            transaction_date=_optional_str(data, "transaction_date"),
            error_reason=_optional_str(data, "error_reason"),
        )


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    status: str  # created | in_progress | finished | expired
    amount: int
    currency: str
    mode: str
    session_token: str | None = None
    redirect_url: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    customer_email: str | None = None
    success_url: str | None = None
    cancel_url: str | None = None
    created_at: str | None = None
    expires_at: str | None = None
    payment_intent: PaymentIntent | None = None

    @property
    def paid(self) -> bool:
        """A finished session is not necessarily paid: only a succeeded payment intent is."""
        return self.payment_intent is not None and self.payment_intent.succeeded

    @classmethod
    def from_json(cls, data: dict) -> CheckoutSession:
        resource = data.get("payment_resource")
        intent = resource.get("payment_intent") if isinstance(resource, dict) else None
        return cls(
            id=_require(data, "id", str),
            status=_require(data, "status", str),
            amount=_require(data, "amount", int),
            currency=_require(data, "currency", str),
            mode=_optional_str(data, "mode") or "test",
            session_token=_optional_str(data, "session_token"),
            redirect_url=_optional_str(data, "redirect_url"),
            metadata=_string_map(data.get("metadata")),
            customer_email=_optional_str(data, "customer_email"),
            success_url=_optional_str(data, "success_url"),
            cancel_url=_optional_str(data, "cancel_url"),
            created_at=_optional_str(data, "created_at"),
            expires_at=_optional_str(data, "expires_at"),
            payment_intent=PaymentIntent.from_json(intent) if isinstance(intent, dict) else None,
        )


@dataclass(frozen=True)
class Refund:
    id: str
    status: str  # created | in_progress | succeeded | failed | canceled
    amount: int
    currency: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Refund:
        return cls(
            id=_require(data, "id", str),
            status=_require(data, "status", str),
            amount=_require(data, "amount", int),
            currency=_optional_str(data, "currency"),
            resource_type=_optional_str(data, "resource_type"),
            resource_id=_optional_str(data, "resource_id"),
            metadata=_string_map(data.get("metadata")),
        )


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    mode: str
    data: dict
    created_at: str | None = None

    @classmethod
    def from_body(cls, body: bytes) -> WebhookEvent:
        """Parse a verified webhook body; raises ValueError when it is not an event envelope."""
        try:
            envelope = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError("the body is not JSON") from exc
        if not isinstance(envelope, dict):
            raise ValueError("the body is not a JSON object")
        event_id, event_type, data = envelope.get("id"), envelope.get("type"), envelope.get("data")
        if not isinstance(event_id, str) or not 0 < len(event_id) <= 255:
            raise ValueError("the event has no valid id")
        if not isinstance(event_type, str) or not event_type:
            raise ValueError("the event has no type")
        return cls(
            id=event_id,
            type=event_type,
            mode=envelope.get("mode") if isinstance(envelope.get("mode"), str) else "",
            data=data if isinstance(data, dict) else {},
            created_at=_optional_str(envelope, "created_at"),
        )
