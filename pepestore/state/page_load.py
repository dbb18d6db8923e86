"""Page loads that fail say so, with a Retry, instead of leaving a skeleton on screen forever."""

from __future__ import annotations

import functools
import inspect
import logging

import reflex as rx

log = logging.getLogger("pepestore.pages")


def page_load(handler):
    """Wrap an on_load handler of a state that has a `load_failed: bool` var.

    Any exception (a missing or stalled database, a bug) is logged with its traceback and sets `load_failed`, which
    the page shows as a plain message with a Retry button (pepestore/components/load_error.py).
    """

    def failed(state, _exc: BaseException) -> None:
        log.exception("%s.%s failed", type(state).__name__, handler.__name__)
        state.load_failed = True

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def load_async(state, *args, **kwargs):
            state.load_failed = False
            try:
                return await handler(state, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - whatever went wrong, the shopper gets Retry, the log the cause
                return failed(state, exc)

        return load_async

    @functools.wraps(handler)
    def load(state, *args, **kwargs):
        state.load_failed = False
        try:
            return handler(state, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            return failed(state, exc)

    return load


class RetryState(rx.State):
    """Whether a Retry is on its way, so its button spins while the page's load runs again."""

    busy: bool = False

    @rx.event
    def start(self):
        self.busy = True

    @rx.event
    def finish(self):
        self.busy = False
