"""The one place that reads configuration: the environment, with `.env` loaded first if present.

Everything else asks `get_settings()`; nothing else touches `os.environ`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "pepestore.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    public_url: str
    cart_max_line_quantity: int
    order_ttl_minutes: int = 30
    reconcile_interval_seconds: int = 30
    reconcile_after_seconds: int = 60
    # Bounds on database waits (see pepestore/db.py); the lock timeout is also SQLite's busy timeout.
    db_statement_timeout_seconds: int = 10
    db_lock_timeout_seconds: int = 5
    # Fintoc. With no secret key the store runs against its built-in sandbox (see pepestore/payments/config.py).
    fintoc_secret_key: str | None = None
    fintoc_public_key: str | None = None
    fintoc_webhook_secret: str | None = None
    fintoc_api_url: str = "https://api.fintoc.com"
    fintoc_widget_url: str = "https://js.fintoc.com/v1/"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def fintoc_sandbox(self) -> bool:
        """No secret key means payments go to the built-in Fintoc sandbox."""
        return not self.fintoc_secret_key


def _normalise_database_url(url: str) -> str:
    # Hosting providers hand out postgres:// URLs; SQLAlchemy needs a driver name, and we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _order_ttl(settings: Settings) -> Settings:
    # Fintoc refuses a checkout session that expires less than 10 minutes ahead; leave room for the round trip.
    if settings.order_ttl_minutes < 15:
        raise ValueError("ORDER_TTL_MINUTES must be at least 15 (Fintoc needs sessions 10+ minutes long)")
    return settings


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from a mapping (tests) or from the process environment plus `.env`."""
    if env is None:
        load_dotenv(PROJECT_ROOT / ".env", override=False)
        env = dict(os.environ)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    return _order_ttl(Settings(
        database_url=_normalise_database_url(database_url),
        redis_url=env.get("REDIS_URL") or None,
        public_url=(env.get("PUBLIC_URL") or "http://localhost:3000").rstrip("/"),
        cart_max_line_quantity=_positive_int(
            "CART_MAX_LINE_QUANTITY", env.get("CART_MAX_LINE_QUANTITY", "20")
        ),
        order_ttl_minutes=_positive_int("ORDER_TTL_MINUTES", env.get("ORDER_TTL_MINUTES", "30")),
        reconcile_interval_seconds=_positive_int(
            "RECONCILE_INTERVAL_SECONDS", env.get("RECONCILE_INTERVAL_SECONDS", "30")
        ),
        reconcile_after_seconds=_positive_int("RECONCILE_AFTER_SECONDS", env.get("RECONCILE_AFTER_SECONDS", "60")),
        db_statement_timeout_seconds=_positive_int(
            "DB_STATEMENT_TIMEOUT_SECONDS", env.get("DB_STATEMENT_TIMEOUT_SECONDS", "10")
        ),
        db_lock_timeout_seconds=_positive_int("DB_LOCK_TIMEOUT_SECONDS", env.get("DB_LOCK_TIMEOUT_SECONDS", "5")),
        fintoc_secret_key=env.get("FINTOC_SECRET_KEY") or None,
        fintoc_public_key=env.get("FINTOC_PUBLIC_KEY") or None,
        fintoc_webhook_secret=env.get("FINTOC_WEBHOOK_SECRET") or None,
        fintoc_api_url=(env.get("FINTOC_API_URL") or "https://api.fintoc.com").rstrip("/"),
        fintoc_widget_url=env.get("FINTOC_WIDGET_URL") or "https://js.fintoc.com/v1/",
    ))


@functools.cache
def get_settings() -> Settings:
    return load_settings()
