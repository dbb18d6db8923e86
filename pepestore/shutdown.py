"""A worker's exit is certain once it is asked to stop: within GRACE_SECONDS of SIGTERM or Ctrl-C, at once on a
second Ctrl-C.

Why this exists: `reflex run --env prod` builds its Granian server with no `workers_kill_timeout` (dev mode sets
2 s), and neither Reflex nor Granian's `Server` reads one from the environment or rxconfig (only Granian's own CLI
maps GRANIAN_WORKERS_KILL_TIMEOUT). The supervisor then waits for its workers forever, and one worker stuck in
lifespan shutdown (a task that ignores cancellation, a thread blocked in a database call that the interpreter joins
at exit) holds the whole store. So each worker watches itself instead: the first stop signal arms a watchdog that
dumps every thread's stack (what is stuck, for the operator) and ends the process GRACE_SECONDS later; a second
Ctrl-C ends it at once. The supervisor, waiting on its workers, follows them out.

Granian stops a worker through a handler it registered with the event loop (`loop.add_signal_handler`). That
handler lives in asyncio's table and is woken through the loop's wakeup file descriptor, which the interpreter
writes for every caught signal; `signal.signal` below only replaces the interpreter-level function asyncio had set
to a no-op, so Granian's graceful stop still runs alongside the watchdog.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator

from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("pepestore.shutdown")

# Everything gone within 10 s of SIGTERM: 8 s for the graceful path, the rest for the supervisor to follow.
GRACE_SECONDS = 8.0
# What the graceful path gives an in-flight webhook to be answered before lifespan tasks are cancelled.
DRAIN_SECONDS = 5.0


class _StopSignals:
    """Counts stop signals in this process; the first arms the watchdog, a second Ctrl-C exits immediately."""

    def __init__(self, grace_seconds: float):
        self.grace_seconds = grace_seconds
        self.interrupts = 0
        self.armed = False

    def handle(self, signum: int, _frame=None) -> None:
        if signum == signal.SIGINT:
            self.interrupts += 1
            if self.interrupts > 1:
                os.write(2, b"pepestore: second Ctrl-C, exiting now\n")
                os._exit(130)
        self.arm()

    def arm(self) -> None:
        if not self.armed:
            self.armed = True
            # A C-level timer thread: it fires even if the main thread is stuck in C code holding the GIL.
            faulthandler.dump_traceback_later(self.grace_seconds, exit=True)

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.handle)


class InFlight:
    """Requests that must be answered before the worker lets its lifespan end (today: webhooks).

    Granian 2.8 already lets in-flight requests finish before it starts lifespan shutdown (tests/browser/
    test_shutdown.py shows a webhook waiting on the database still answered); this keeps the promise, bounded, under
    a server that does not (uvicorn, gunicorn) or a future Granian.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle: asyncio.Event | None = None

    @contextlib.contextmanager
    def track(self):
        self._count += 1
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0 and self._idle is not None:
                self._idle.set()

    async def drained(self, timeout: float) -> bool:
        """Wait until nothing is in flight; False if something still was after timeout seconds."""
        if self._count == 0:
            return True
        self._idle = asyncio.Event()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._idle = None

    @property
    def count(self) -> int:
        return self._count


webhooks_in_flight = InFlight()


class _Tracked:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with webhooks_in_flight.track():  # until the response has been sent, not merely built
            await self.app(scope, receive, send)


def answered_before_exit(endpoint) -> ASGIApp:
    """A Starlette request handler as an ASGI app that shutdown waits for (up to DRAIN_SECONDS)."""
    return _Tracked(request_response(endpoint))


@contextlib.asynccontextmanager
async def certain_exit() -> AsyncIterator[None]:
    """Lifespan task, registered after Reflex's own event processor so that it is left first at shutdown."""
    stop = None
    if threading.current_thread() is threading.main_thread():
        stop = _StopSignals(GRACE_SECONDS)
        stop.install()
    else:  # signal handlers can only be set from the main thread (an embedded or test server)
        log.debug("not on the main thread: no stop-signal watchdog")
    try:
        yield
    finally:
        if stop is not None:
            stop.arm()  # however shutdown began, it ends within the grace period
        if not await webhooks_in_flight.drained(DRAIN_SECONDS):
            log.warning("%d webhook(s) still in flight after %.0f s of shutdown", webhooks_in_flight.count,
                        DRAIN_SECONDS)
