"""Fintoc as ../shared/fintoc-reference.md describes it, and nothing more: a strict in-memory fake.

It is written from the reference alone, never from the sandbox's code, so the contract tests that run
against both catch the sandbox drifting from Fintoc.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta, timezone

import httpx

MAX_CLP = 7_000_000


class StrictFakeFintoc:
    def __init__(self, secret_key: str = "sk_test_fake_contract"):
        self.secret_key = secret_key
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._idempotent: dict[str, tuple[str, int, dict]] = {}
        self.requests: list[httpx.Request] = []

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- helpers tests use ------------------------------------------------------------------------------------

    def pay(self, session_id: str) -> None:
        session = self.sessions[session_id]
        session["status"] = "finished"
        session["payment_resource"] = {"payment_intent": {
            "id": f"pi_{secrets.token_hex(8)}", "object": "payment_intent", "amount": session["amount"],
            "currency": session["currency"], "status": "succeeded", "reference_id": "123456789",
        }}

    # -- the contract -----------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != self.secret_key:
            return self._error(401, "authentication_error", "invalid_api_key", "Invalid API key")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", request.headers.get("fintoc-version", "")), "pin Fintoc-Version"
        body: dict = {}
        if request.method == "POST":
            if request.content:
                assert request.headers.get("content-type", "").startswith("application/json")
                body = json.loads(request.content)
            key = request.headers.get("idempotency-key")
            if key is not None:
                if len(key) > 255:
                    return self._error(400, "invalid_request_error", "invalid_idempotency_key", "too long")
                signature = json.dumps([request.url.path, body], sort_keys=True)
                if key in self._idempotent:
                    stored_signature, status, payload = self._idempotent[key]
                    if stored_signature != signature:
                        return self._error(400, "invalid_request_error", "idempotency_key_reused",
                                           "same key, different parameters")
                    return httpx.Response(status, json=payload)
                response = self._route(request, body)
                self._idempotent[key] = (signature, response.status_code, response.json())
                return response
        return self._route(request, body)

    def _route(self, request: httpx.Request, body: dict) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/v1/checkout_sessions" and method == "POST":
            return self._create_session(body)
        match = re.fullmatch(r"/v1/checkout_sessions/([\w-]+)(/expire)?", path)
        if match:
            session = self.sessions.get(match.group(1))
            if session is None:
                return self._error(404, "invalid_request_error", "resource_missing", "No such checkout_session")
            if match.group(2) and method == "POST":
                if session["status"] in ("created", "in_progress"):
                    session["status"] = "expired"
                return httpx.Response(200, json=session)
            if not match.group(2) and method == "GET":
                return httpx.Response(200, json=session)
        if path == "/v1/refunds" and method == "POST":
            return self._create_refund(body)
        match = re.fullmatch(r"/v1/refunds/([\w-]+)", path)
        if match and method == "GET":
            refund = self.refunds.get(match.group(1))
            if refund is None:
                return self._error(404, "invalid_request_error", "resource_missing", "No such refund")
            return httpx.Response(200, json=refund)
        return self._error(404, "invalid_request_error", "resource_missing", "Unknown endpoint")

    def _create_session(self, body: dict) -> httpx.Response:
        amount = body.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < MAX_CLP:
            return self._error(400, "invalid_request_error", "invalid_amount", "bad amount", "amount")
        if body.get("currency") != "CLP":
            return self._error(400, "invalid_request_error", "invalid_currency", "bad currency", "currency")
        for name in ("success_url", "cancel_url"):
            if not isinstance(body.get(name), str):
                return self._error(400, "invalid_request_error", "missing_parameter", f"{name} missing", name)
        metadata = body.get("metadata", {})
        if not isinstance(metadata, dict) or len(metadata) > 50 or not all(
                isinstance(v, str) for v in metadata.values()):
            return self._error(400, "invalid_request_error", "invalid_metadata", "flat string map", "metadata")
        now = datetime.now(timezone.utc)
        expires_at = body.get("expires_at")
        if expires_at is not None:
            moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
            if moment < now + timedelta(minutes=10):
                return self._error(400, "invalid_request_error", "invalid_expires_at", "too soon", "expires_at")
        else:
            expires_at = (now + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
        session_id = f"cs_{secrets.token_hex(8)}"
        session = {
            "id": session_id, "object": "checkout_session", "amount": amount, "currency": "CLP",
            "status": "created", "mode": "test", "redirect_url": f"https://pay.fintoc.com/{session_id}",
            "session_token": f"tok_{secrets.token_hex(8)}", "metadata": metadata,
            "customer_email": body.get("customer_email"), "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_at": expires_at, "success_url": body["success_url"], "cancel_url": body["cancel_url"],
            "payment_resource": None,
        }
        self.sessions[session_id] = session
        return httpx.Response(201, json=session)

    def _create_refund(self, body: dict) -> httpx.Response:
        intents = {s["payment_resource"]["payment_intent"]["id"]: s["payment_resource"]["payment_intent"]
                   for s in self.sessions.values() if s.get("payment_resource")}
        intent = intents.get(body.get("resource_id"))
        if body.get("resource_type") != "payment_intent" or intent is None:
            return self._error(404, "invalid_request_error", "resource_missing", "No such payment_intent",
                               "resource_id")
        # A refund that failed or was cancelled gave nothing back: it does not count against the payment.
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["resource_id"] == intent["id"] and r["status"] not in ("failed", "canceled"))
        amount = body.get("amount", intent["amount"] - refunded)
        if not isinstance(amount, int) or not 0 < amount <= intent["amount"] - refunded:
            return self._error(400, "invalid_request_error", "invalid_amount", "bad refund amount", "amount")
        refund_id = f"re_{secrets.token_hex(8)}"
        refund = {"id": refund_id, "object": "refund", "amount": amount, "currency": "CLP", "status": "created",
                  "resource_type": "payment_intent", "resource_id": intent["id"], "metadata": body.get("metadata", {})}
        self.refunds[refund_id] = refund
        return httpx.Response(201, json=refund)

    @staticmethod
    def _error(status: int, kind: str, code: str, message: str, param: str | None = None) -> httpx.Response:
        return httpx.Response(status, json={"error": {"type": kind, "code": code, "message": message,
                                                      "param": param, "doc_url": None}})
