"""On PostgreSQL a slow statement or a long wait for a row lock fails in seconds, enforced by the server."""

import threading

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pepestore import db


def test_the_app_engine_sets_statement_and_lock_timeouts(pg_engine):
    with pg_engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "10s"
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
        client = connection.connection.dbapi_connection.info.get_parameters()
    assert client["connect_timeout"] == str(db.CONNECT_TIMEOUT_S)
    assert int(client["tcp_user_timeout"]) > 0  # a server that goes silent mid-query is given up on, too
    assert pg_engine.pool.timeout() == db.POOL_TIMEOUT_S


def test_a_statement_over_the_timeout_is_cancelled(postgres_url):
    engine = db.make_engine(postgres_url, statement_timeout_s=1)
    try:
        with pytest.raises(OperationalError) as raised, engine.connect() as connection:
            # Without the timeout this returns normally after 30 s, and the test fails.
            connection.execute(text("SELECT pg_sleep(30)"))
        assert isinstance(raised.value.orig, psycopg.errors.QueryCanceled)
    finally:
        engine.dispose()


def test_a_wait_for_a_locked_row_gives_up_after_the_lock_timeout(postgres_url):
    engine = db.make_engine(postgres_url, statement_timeout_s=60, lock_timeout_s=1)
    holder = engine.connect()
    holder.execute(text("CREATE TABLE item (id int PRIMARY KEY, stock int)"))
    holder.execute(text("INSERT INTO item VALUES (1, 5)"))
    holder.commit()
    holder.execute(text("SELECT stock FROM item WHERE id = 1 FOR UPDATE"))  # a transaction that never finishes
    # Safety net so a missing lock timeout fails this test instead of hanging it: the holder lets go after 20 s.
    release = threading.Timer(20, holder.connection.dbapi_connection.rollback)
    release.start()
    try:
        with pytest.raises(OperationalError) as raised, engine.begin() as connection:
            connection.execute(text("UPDATE item SET stock = stock - 1 WHERE id = 1"))
        assert isinstance(raised.value.orig, psycopg.errors.LockNotAvailable)
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
        engine.dispose()
