"""The PostgreSQL pool hands out live connections without a round trip per transaction (no pre-ping).

A restart of the server, or a session it ends, closes every pooled connection at the server's end; the next
transaction must get a fresh connection instead of an error, and /health must say "ok" at once, as with the
pre-ping this replaced. A connection used a moment ago is trusted (its socket would show a closed connection);
one that sat idle is pinged first.
"""

import time

import pytest
from sqlalchemy import create_engine, text

from pepestore import db
from pepestore.health import health_report


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _end_sessions(url: str, pids: list[int]) -> None:
    """What a restart does to each pooled connection: the server ends it (FATAL 57P01) and closes the socket."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for pid in pids:
                assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            deadline = time.monotonic() + 10
            while connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                                     {"pids": pids}).scalar():
                assert time.monotonic() < deadline, "the server did not end the sessions"
                time.sleep(0.05)
    finally:
        admin.dispose()


def test_connections_the_server_ended_are_replaced_without_an_error(postgres_url):
    engine = db.make_engine(postgres_url)
    try:
        first, second = engine.connect(), engine.connect()  # two pooled connections
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in (first, second)]
        first.close(), second.close()
        _end_sessions(postgres_url, pids)
        first, second = engine.connect(), engine.connect()
        try:
            # Without a check on checkout each of these fails with "server closed the connection unexpectedly".
            fresh = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in (first, second)]
        finally:
            first.close(), second.close()
        assert not set(fresh) & set(pids)
    finally:
        engine.dispose()


def test_health_says_ok_at_once_after_the_server_ended_every_pooled_connection(pg_engine, postgres_url):
    assert health_report()["database"] == "ok"
    pid = _backend_pid(pg_engine)
    _end_sessions(postgres_url, [pid])
    assert health_report()["database"] == "ok"
    assert _backend_pid(pg_engine) != pid


def test_a_connection_used_a_moment_ago_is_not_pinged_and_an_idle_one_is(postgres_url, monkeypatch):
    engine = db.make_engine(postgres_url)
    counted_pings, ping = [], engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_connection: counted_pings.append(1) or
                        ping(dbapi_connection))
    try:
        pid = _backend_pid(engine)
        for _ in range(5):
            assert _backend_pid(engine) == pid
        assert counted_pings == [], "a round trip per transaction is what this pool exists to avoid"
        monkeypatch.setattr(db, "IDLE_PING_S", 0)
        assert _backend_pid(engine) == pid
        assert len(counted_pings) == 1
    finally:
        engine.dispose()


def test_an_idle_connection_that_does_not_answer_its_ping_is_replaced(postgres_url, monkeypatch):
    engine = db.make_engine(postgres_url)
    try:
        pid = _backend_pid(engine)

        def silent(_dbapi_connection):
            raise OSError("no answer")  # a server gone without a word (the socket shows nothing)

        monkeypatch.setattr(db, "IDLE_PING_S", 0)
        monkeypatch.setattr(engine.dialect, "do_ping", silent)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()
