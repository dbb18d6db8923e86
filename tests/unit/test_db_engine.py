"""The SQLite engine waits a few seconds at most, and never keeps serving a database file that is gone."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, text
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



def test_sqlite_writers_in_one_process_take_turns_and_reads_do_not_wait(tmp_path):
    """A second writer waits for the first's COMMIT before its INSERT reaches SQLite (rather than retrying in SQLite's
    sleeping busy handler), a reader never waits, and a transaction that ends without a commit gives its turn back."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    reached: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _note(_connection, _cursor, statement, parameters, *_rest):
        if statement.startswith("INSERT"):
            reached.append(f"insert {parameters[0] if parameters else 'literal'}")

    first = engine.connect()
    first.execute(text("INSERT INTO t VALUES (:x)"), {"x": 1})  # holds the turn until it commits
    second = threading.Thread(target=lambda: _insert(engine, 2))
    second.start()
    try:
        time.sleep(0.3)
        assert reached == ["insert 1"], "the second writer reached SQLite while the first held the write lock"
        with engine.connect() as reader:  # a read takes no turn
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        reached.append("commit 1")
        first.commit()
        second.join(5)
        assert reached == ["insert 1", "commit 1", "insert 2"]
    finally:
        first.close()
        second.join(5)
    with engine.connect() as abandoned:  # closed without a commit: rolled back, and the turn goes with it
        abandoned.execute(text("INSERT INTO t VALUES (3)"))
    with pytest.raises(ValueError), engine.begin() as failed:
        failed.execute(text("INSERT INTO t VALUES (4)"))
        raise ValueError("a refused change")
    started = time.monotonic()
    _insert(engine, 5)
    assert time.monotonic() - started < 1
    with engine.connect() as reader:
        assert sorted(reader.execute(text("SELECT x FROM t")).scalars()) == [1, 2, 5]
    engine.dispose()


def _insert(engine, x: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})
