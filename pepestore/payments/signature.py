"""Fintoc-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.

Stricter than Fintoc's Python SDK on purpose: timestamps are rejected when too old *or* too far in the
future, spaces after commas are tolerated, and any one of several v1 values may match (secret rotation).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 2048


class SignatureError(Exception):
    """The request cannot be trusted; the message says why (for logs and the 400 answer)."""


def compute(payload: bytes, secret: str, timestamp: int) -> str:
    message = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header Fintoc would send for payload (used by the sandbox and by tests)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute(payload, secret, t)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature header")
        key, value = key.strip(), value.strip()
        if key == "t":
            if timestamp is not None or not value.isdigit() or len(value) > 12:
                raise SignatureError("malformed timestamp")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value.lower())
    if timestamp is None:
        raise SignatureError("no timestamp in signature header")
    if not signatures:
        raise SignatureError("no v1 signature in signature header")
    return timestamp, signatures


def verify(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check header against the raw body bytes as received; return the signed timestamp or raise."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    if not header:
        raise SignatureError("missing Fintoc-Signature header")
    if len(header) > MAX_HEADER_LENGTH or not header.isascii():
        raise SignatureError("malformed signature header")
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance window")
    expected = compute(payload, secret, timestamp)
    # Compare against every candidate without stopping early, so timing reveals nothing about which matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("signature does not match")
    return timestamp
