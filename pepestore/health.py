"""What a load balancer or an operator asks: which version is this, and do its database and Redis answer?

Anyone may learn whether the store is up; only the operator, presenting HEALTH_TOKEN, learns which commit and
which library versions run (what an attacker would look up in a vulnerability list). Behind nginx every caller
comes from loopback, so the token, not the address, is what tells the operator apart.
"""

from __future__ import annotations

import hmac
import subprocess
from functools import cache
from importlib.metadata import version

from sqlalchemy import text

from pepestore.db import get_engine
from pepestore.settings import PROJECT_ROOT, get_settings


@cache
def app_version() -> str:
    """The commit the instance runs (what tells two instances apart during a deploy), else 'unknown'."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=2).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return commit or "unknown"


def _database() -> str:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "not answering", reported by class name
        return f"error: {exc.__class__.__name__}"


def _redis(url: str | None) -> str:
    if not url:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def is_operator(authorization: str | None) -> bool:
    """Whether an `Authorization: Bearer <HEALTH_TOKEN>` header matches; always False while no token is set."""
    expected = get_settings().health_token
    if not expected or not authorization:
        return False
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Constant time: the comparison must not reveal how many leading characters were right.
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def health_report(*, detailed: bool = False) -> dict:
    settings = get_settings()
    database, redis_status = _database(), _redis(settings.redis_url)
    report = {
        "ok": database == "ok" and redis_status in ("ok", "not configured"),
        "database": database,
        "redis": redis_status,
    }
    if detailed:
        report |= {"version": app_version(), "reflex": version("reflex")}
    return report
