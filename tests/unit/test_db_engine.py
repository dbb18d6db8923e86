"""The SQLite engine waits a few seconds at most, and never keeps serving a database file that is gone."""

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pepestore import db
from pepestore.settings import load_settings

SANDBOX = {"FINTOC_SANDBOX": "1"}


def test_timeouts_come_from_settings_with_short_defaults():
    settings = load_settings(SANDBOX)
    assert (settings.db_statement_timeout_seconds, settings.db_lock_timeout_seconds) == (10, 5)
    tuned = load_settings({**SANDBOX, "DB_STATEMENT_TIMEOUT_SECONDS": "30", "DB_LOCK_TIMEOUT_SECONDS": "2"})
    assert (tuned.db_statement_timeout_seconds, tuned.db_lock_timeout_seconds) == (30, 2)
    with pytest.raises(ValueError, match="DB_LOCK_TIMEOUT_SECONDS"):
        load_settings({**SANDBOX, "DB_LOCK_TIMEOUT_SECONDS": "0"})


def test_the_app_engine_has_a_short_busy_timeout_and_a_pool_timeout(engine):
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert engine.pool.timeout() == db.POOL_TIMEOUT_S


def test_a_locked_sqlite_database_fails_after_the_busy_timeout(tmp_path):
    path = tmp_path / "locked.db"
    engine = db.make_engine(f"sqlite:///{path}", lock_timeout_s=1)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long transaction in another process would
    try:
        with pytest.raises(OperationalError, match="database is locked"), engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()


def test_a_database_file_that_vanishes_is_an_error_not_a_ghost(tmp_path):
    path = tmp_path / "store.db"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    away = tmp_path / "elsewhere.db"
    path.rename(away)  # the pool still holds a connection whose file descriptor reaches the moved file
    try:
        with pytest.raises(OperationalError, match="unable to open database file"), engine.connect() as connection:
            connection.execute(text("SELECT x FROM t"))
        assert not path.exists(), "the engine must not create an empty database in its place"
    finally:
        away.rename(path)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalar() == 1
    engine.dispose()

