"""Fixtures shared by every suite: throw-away databases, and the rule that CI never skips a service test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from pepestore import db
from pepestore.settings import get_settings
from pepestore.store.seed import seed_catalog

# The store refuses to start without a payments choice; every test runs against the built-in Fintoc sandbox
# unless it builds its own settings. Set before anything reads settings (the app, its subprocesses).
os.environ.setdefault("FINTOC_SANDBOX", "1")

# CI sets this so that a missing PostgreSQL or Redis fails the run instead of quietly skipping tests.
REQUIRE_SERVICES = os.environ.get("PEPESTORE_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "PEPESTORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def service_unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}; PEPESTORE_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


def _seeded_app_database(monkeypatch: pytest.MonkeyPatch, url: str) -> Iterator[Engine]:
    """Point the app's settings and engine at url for one test, with the tables made and the catalog seeded."""
    monkeypatch.setenv("DATABASE_URL", url)
    _clear_caches()
    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed_catalog(session)
        session.commit()
    yield engine
    engine.dispose()
    _clear_caches()


def _clear_caches() -> None:
    from pepestore.limits import get_limiter
    from pepestore.payments.config import get_fintoc_config

    get_limiter.cache_clear()
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    get_fintoc_config.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def engine(monkeypatch, sqlite_url) -> Iterator[Engine]:
    """The app's engine on a fresh SQLite file holding the seeded catalog."""
    yield from _seeded_app_database(monkeypatch, sqlite_url)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"pepestore_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        service_unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


REDIS_TEST_URL = os.environ.get("PEPESTORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis, answering (else a skip, or a failure in CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis is not answering at {REDIS_TEST_URL}: {exc.__class__.__name__}")
    finally:
        client.close()
    yield REDIS_TEST_URL


@pytest.fixture
def pg_engine(monkeypatch, postgres_url) -> Iterator[Engine]:
    """The app's engine on a fresh PostgreSQL database holding the seeded catalog."""
    yield from _seeded_app_database(monkeypatch, postgres_url)
