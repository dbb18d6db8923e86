"""What a load balancer or an operator asks: which version is this, and do its database and Redis answer?"""

from __future__ import annotations

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


def health_report() -> dict:
    settings = get_settings()
    database, redis_status = _database(), _redis(settings.redis_url)
    return {
        "ok": database == "ok" and redis_status in ("ok", "not configured"),
        "version": app_version(),
        "reflex": version("reflex"),
        "database": database,
        "redis": redis_status,
    }
