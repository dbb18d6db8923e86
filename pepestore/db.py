"""The engine and sessions the services use, built from settings once per process.

Every wait on the database has a bound, so a stalled or missing database turns into an error the page can show
within seconds instead of a request (and a worker thread) hanging for minutes.
"""

from __future__ import annotations

import asyncio
import functools
import os
import select
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError
from sqlmodel import Session, create_engine

from pepestore.settings import get_settings

CONNECT_TIMEOUT_S = 5
# How long a request waits for a free pooled connection before it gives up.
POOL_TIMEOUT_S = 10
# A pooled PostgreSQL connection that sat unused this long is pinged before it is handed out (see _postgres_alive).
IDLE_PING_S = 10


def make_engine(url: str, *, statement_timeout_s: int = 10, lock_timeout_s: int = 5) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, lock_timeout_s)
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            # Enforced by the server: a slow query or a wait for a row lock is cancelled, not waited out.
            "options": f"-c statement_timeout={statement_timeout_s * 1000} -c lock_timeout={lock_timeout_s * 1000}",
            # A server that vanishes mid-query sends no error at all: without these the socket waits for minutes.
            "tcp_user_timeout": (statement_timeout_s + CONNECT_TIMEOUT_S) * 1000,
            "keepalives_idle": CONNECT_TIMEOUT_S,
            "keepalives_interval": 2,
            "keepalives_count": 3,
        },
    )
    _check_postgres_connections(engine)
    return engine


def _check_postgres_connections(engine: Engine) -> None:
    """Hand out only live connections, without a round trip per transaction (what pool_pre_ping costs).

    A server that restarts, or ends a session (pg_terminate_backend, idle timeouts), sends the client a FATAL
    message and closes the socket; TCP keepalives (above) turn a server that vanished silently into a socket error
    within seconds. Either way the idle socket of a pooled connection becomes readable, which a healthy idle
    connection never is (this store uses no LISTEN/NOTIFY): one poll() with no timeout, no round trip. Such a
    connection is dropped and, since every other one is then suspect too, the whole pool is recycled, as a failed
    pre-ping would; the caller gets a fresh connection (or the connect error if the database is really down).
    A connection that sat unused for IDLE_PING_S is still pinged, as before, for what a socket cannot show.
    """

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _postgres_alive(dbapi_connection, record, _proxy):
        if dbapi_connection.closed:
            raise InvalidatePoolError("the connection to PostgreSQL is closed")
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        if poller.poll(0):
            raise InvalidatePoolError("PostgreSQL closed the connection (or sent something while it was idle)")
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since >= IDLE_PING_S:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:  # noqa: BLE001 - any failure of a bare ping means this connection is gone
                raise InvalidatePoolError(f"the idle connection did not answer a ping: {exc!r}") from exc


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _WriterTurns:
    """One writing transaction at a time per process and database, in the order they ask.

    SQLite has one writer. Left to itself, a transaction that finds the write lock taken sleeps in SQLite's busy
    handler (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms…) and checks again, so with a few database threads
    adding to carts at once a write that needed 2 ms waited tens of milliseconds (the add-to-cart p95 under load).
    Here they queue on a lock and the next one starts the moment the previous one commits. The turn is taken just
    before the transaction's first write (or its BEGIN IMMEDIATE), so reads never wait, and given back after its
    COMMIT or ROLLBACK. Bounded like every other wait: after the busy timeout the transaction goes on without a
    turn and SQLite's own lock decides, as before. Other processes on the same file still meet SQLite's lock.
    """

    def __init__(self, timeout_s: float):
        self._lock = threading.Lock()
        self._timeout_s = timeout_s

    def take(self, info: dict) -> None:
        if not info.get("writer_turn") and self._lock.acquire(timeout=self._timeout_s):
            info["writer_turn"] = True

    def give_back(self, info: dict) -> None:
        if info.pop("writer_turn", False):
            self._lock.release()


def _sqlite_engine(url: str, busy_timeout_s: int) -> Engine:
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        path = None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s})
    else:
        path = str(Path(path).resolve())
        # The file is created once, when the process builds its engine. After that a missing file is an error: a
        # connection that quietly made a new, empty file would serve nothing (or adopt a stray WAL) and look alive.
        sqlite3.connect(path).close()
        uri = Path(path).as_uri() + "?mode=rw"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, timeout=busy_timeout_s, check_same_thread=False)

        engine = create_engine(url, creator=connect, pool_timeout=POOL_TIMEOUT_S)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, record):
        # Foreign keys are off by default in SQLite; WAL lets readers run while a cart is written.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        record.info["file_id"] = _file_id(path) if path else None

    @event.listens_for(engine, "checkout")
    def _same_file_as_when_opened(_dbapi_connection, record, _proxy):
        # An open connection keeps reading a file that was moved or deleted, through its file descriptor, and
        # writes to a deleted one are lost. Drop it: the pool reconnects by path, which fails if the file is gone.
        if path and _file_id(path) != record.info.get("file_id"):
            raise DisconnectionError(f"the database file {path} was moved or deleted")

    turns = _WriterTurns(busy_timeout_s)

    @event.listens_for(engine, "savepoint")
    def _sqlite_begin_before_savepoint(connection, _name):
        # pysqlite opens a transaction only before a write, so a SAVEPOINT taken first became the transaction
        # itself and its RELEASE committed it: an order refused after its stock was taken kept the stock
        # taken. Open the real transaction first (IMMEDIATE: the writes follow, wait for the lock now).
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            turns.take(connection.connection.info)
            dbapi_connection.execute("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _wait_for_writer_turn(connection, _cursor, statement, _parameters, _context, _executemany):
        # Where pysqlite would open its transaction: the first write outside one.
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            if not connection.connection.dbapi_connection.in_transaction:
                turns.take(connection.connection.info)

    commit, rollback = engine.dialect.do_commit, engine.dialect.do_rollback

    def info_of(pooled_connection) -> dict:
        try:
            return pooled_connection.info
        except NotImplementedError:  # the bare connection the dialect initialises on first connect: never a turn
            return {}

    def do_commit(pooled_connection):
        try:
            commit(pooled_connection)
        finally:
            turns.give_back(info_of(pooled_connection))

    def do_rollback(pooled_connection):
        try:
            rollback(pooled_connection)
        finally:
            turns.give_back(info_of(pooled_connection))

    # After the DBAPI's COMMIT/ROLLBACK has returned (the connection events fire before it), on this engine's
    # dialect only; the pool's reset on return goes through do_rollback too, so a turn never outlives its session.
    engine.dialect.do_commit, engine.dialect.do_rollback = do_commit, do_rollback

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "invalidate")
    def _give_back_on_close(_dbapi_connection, record, *_exception):
        turns.give_back(record.info)

    return engine


@functools.cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, statement_timeout_s=settings.db_statement_timeout_seconds,
                       lock_timeout_s=settings.db_lock_timeout_seconds)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error, so no partial write survives."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_in_session(fn, *args, **kwargs):
    """fn(session, *args) in a transaction of its own: committed when it returns, rolled back when it raises."""
    with session_scope() as session:
        return fn(session, *args, **kwargs)


async def in_db_thread(fn, *args, **kwargs):
    """run_in_session in a worker thread: an event handler or background task never waits on the database."""
    return await asyncio.to_thread(run_in_session, fn, *args, **kwargs)
