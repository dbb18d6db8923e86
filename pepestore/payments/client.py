"""An async Fintoc API client: short timeouts, bounded retries that reuse the caller's idempotency key."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import httpx

from pepestore.payments.errors import (
    FintocAPIError,
    FintocConnectionError,
    FintocError,
    FintocInvalidRequestError,
    error_from_response,
)
from pepestore.payments.types import CheckoutSession, Refund

API_VERSION = "2026-02-01"
MAX_IDEMPOTENCY_KEY_LENGTH = 255
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A shopper waits on these calls: a slow Fintoc must fail fast rather than hang the page.
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class FintocClient:
    """One client per process; share it. Every POST needs an idempotency key derived from the caller's record."""

    def __init__(
        self,
        secret_key: str,
        *,
        base_url: str = "https://api.fintoc.com",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff_seconds: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if not secret_key:
            raise ValueError("a Fintoc secret key is required")
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={
                # Fintoc takes the raw key, with no "Bearer" prefix.
                "Authorization": secret_key,
                "Fintoc-Version": API_VERSION,
                "Accept": "application/json",
                "User-Agent": "pepestore-fintoc/1",
            },
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> FintocClient:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.aclose()

    # -- checkout sessions -------------------------------------------------------------------------------

    async def create_checkout_session(
        self,
        *,
        amount: int,
        currency: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        customer_email: str | None = None,
        metadata: Mapping[str, str] | None = None,
        expires_at: datetime | None = None,
    ) -> CheckoutSession:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise FintocInvalidRequestError("amount must be a positive integer", code="invalid_amount",
                                            param="amount")
        body: dict[str, Any] = {
            "amount": amount,
            "currency": currency,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            body["customer_email"] = customer_email
        if metadata:
            body["metadata"] = {str(k): str(v) for k, v in metadata.items()}
        if expires_at is not None:
            body["expires_at"] = _iso_utc(expires_at)
        data = await self._request("POST", "/v1/checkout_sessions", json=body, idempotency_key=idempotency_key)
        return CheckoutSession.from_json(data)

    async def get_checkout_session(self, session_id: str) -> CheckoutSession:
        data = await self._request("GET", f"/v1/checkout_sessions/{_path_id(session_id)}")
        return CheckoutSession.from_json(data)

    async def expire_checkout_session(self, session_id: str, *, idempotency_key: str) -> CheckoutSession:
        data = await self._request(
            "POST", f"/v1/checkout_sessions/{_path_id(session_id)}/expire", idempotency_key=idempotency_key
        )
        return CheckoutSession.from_json(data)

    # -- refunds -----------------------------------------------------------------------------------------

    async def create_refund(
        self,
        *,
        payment_intent_id: str,
        idempotency_key: str,
        amount: int | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Refund:
        body: dict[str, Any] = {"resource_type": "payment_intent", "resource_id": payment_intent_id}
        if amount is not None:
            body["amount"] = amount
        if metadata:
            body["metadata"] = {str(k): str(v) for k, v in metadata.items()}
        data = await self._request("POST", "/v1/refunds", json=body, idempotency_key=idempotency_key)
        return Refund.from_json(data)

    async def get_refund(self, refund_id: str) -> Refund:
        return Refund.from_json(await self._request("GET", f"/v1/refunds/{_path_id(refund_id)}"))

    # -- transport ---------------------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, *, json: dict | None = None, idempotency_key: str | None = None
    ) -> dict:
        headers = {}
        if method == "POST":
            if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
                raise ValueError("every POST to Fintoc needs an idempotency key of 1 to 255 characters")
            headers["Idempotency-Key"] = idempotency_key
        attempt = 0
        while True:
            try:
                response = await self._http.request(method, path, json=json, headers=headers)
            except httpx.TransportError as exc:
                # The request may have reached Fintoc: retrying with the same key replays, never duplicates.
                error: FintocError = FintocConnectionError(f"could not reach Fintoc: {exc.__class__.__name__}")
                retry_after = None
            else:
                if response.status_code < 400:
                    return _json_object(response)
                error = error_from_response(response.status_code, _json_or_none(response))
                retry_after = _retry_after(response)
                if response.status_code not in RETRY_STATUSES:
                    raise error
            if attempt >= self._max_retries:
                raise error
            attempt += 1
            await asyncio.sleep(retry_after if retry_after is not None else self._delay(attempt))

    def _delay(self, attempt: int) -> float:
        return self._backoff * (2 ** (attempt - 1)) * (0.5 + random.random())


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _path_id(value: str) -> str:
    if not isinstance(value, str) or not value or not all(c.isalnum() or c in "_-" for c in value):
        raise FintocInvalidRequestError("malformed Fintoc object id", code="invalid_id")
    return value


def _json_or_none(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _json_object(response: httpx.Response) -> dict:
    body = _json_or_none(response)
    if not isinstance(body, dict):
        raise FintocAPIError("Fintoc answered with something that is not a JSON object", status=response.status_code)
    return body


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return min(max(float(value), 0.0), 2.0) if value is not None else None
    except ValueError:
        return None
