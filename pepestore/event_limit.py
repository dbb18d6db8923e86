"""Events per connection per second, enforced where Reflex receives them, before any state is loaded or locked.

A script flooding the event websocket would otherwise make the worker fetch, lock and process a state per message.
Over the limit an event is dropped, and the tab is told (at most once every few seconds) with a toast.
"""

from __future__ import annotations

import logging
import time

import reflex as rx
from reflex.state import StateUpdate
from reflex_base.event import Event

from pepestore.limits import TokenBucket
from pepestore.settings import get_settings

log = logging.getLogger("pepestore.limits")
SLOW_DOWN = "You're clicking faster than the store can keep up. Some of those clicks were ignored — please try again."
NOTICE_EVERY_SECONDS = 5.0


def install_event_limit(app: rx.App, rate: float | None = None, clock=time.monotonic) -> None:
    namespace = app.event_namespace
    if namespace is None:  # an app without state has no event websocket
        return
    per_second = rate or get_settings().events_per_second
    buckets: dict[str, TokenBucket] = {}
    last_notice: dict[str, float] = {}
    receive, disconnect = namespace.on_event, namespace.on_disconnect

    async def on_event(sid: str, data):
        now = clock()
        bucket = buckets.get(sid)
        if bucket is None:
            bucket = buckets[sid] = TokenBucket(per_second, now)
        if bucket.take(now):
            return await receive(sid, data)
        if now - last_notice.get(sid, float("-inf")) >= NOTICE_EVERY_SECONDS:
            last_notice[sid] = now
            token = namespace.sid_to_token.get(sid)
            log.warning("connection %s over %s events/s: dropping events", sid, per_second)
            if token:
                await namespace.emit_update(StateUpdate(events=Event.from_event_type(rx.toast.warning(SLOW_DOWN))),
                                            token)
        return None

    def on_disconnect(sid: str, *_reason):
        buckets.pop(sid, None)
        last_notice.pop(sid, None)
        return disconnect(sid)

    # python-socketio looks handlers up by name on the namespace instance, so instance attributes take precedence.
    namespace.on_event = on_event
    namespace.on_disconnect = on_disconnect
