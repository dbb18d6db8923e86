"""One websocket message per handler step: a state delta and the browser events that follow it travel together.

Reflex sends what a handler changed (the delta) and what it returned for the browser (a toast, a redirect, a
script) as two Socket.IO messages, one right after the other: every add to cart cost two JSON encodings, two
packets, two websocket writes and two wake-ups of the tab's writer. The browser already applies a message
carrying both in the same order (delta first, then its events: reflex's state.js), so the delta is held back until
the end of the current turn of the event loop: the events that follow it in the same step join it, and anything
else for that tab (or the turn ending) sends it first, alone, as before. Nothing is reordered or delayed past
the current loop turn.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from reflex.state import StateUpdate

log = logging.getLogger("pepestore.updates")


def install_one_update(app: rx.App) -> None:
    namespace = app.event_namespace
    if namespace is None:  # an app without state has no event websocket
        return
    send = namespace.emit_update
    held: dict[str, StateUpdate] = {}  # a tab's delta waiting for the events of the same step
    sending: set[asyncio.Task] = set()  # the loop keeps only weak references to tasks

    async def send_alone(token: str, update: StateUpdate) -> None:
        # Taken out only now, when it is sent: an update for the tab emitted in between sends it first.
        if held.get(token) is update:
            del held[token]
            await send(update, token)

    def flush_later(token: str, update: StateUpdate) -> None:
        # Still held when the loop turn ended: no events followed it, so it goes alone.
        if held.get(token) is update:
            task = asyncio.ensure_future(send_alone(token, update))
            sending.add(task)
            task.add_done_callback(sending.discard)
            task.add_done_callback(_log_failure)

    async def emit_update(update: StateUpdate, token: str) -> None:
        waiting = held.pop(token, None)
        if waiting is not None:
            if update.events and not update.delta and not waiting.events:
                await send(StateUpdate(delta=waiting.delta, events=list(update.events)), token)
                return
            await send(waiting, token)
        if update.delta and not update.events:
            held[token] = update
            asyncio.get_running_loop().call_soon(flush_later, token, update)
            return
        await send(update, token)

    # python-socketio and Reflex's event processor look emit_update up on the namespace instance.
    namespace.emit_update = emit_update


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("sending a held state update failed", exc_info=task.exception())
