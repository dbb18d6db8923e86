"""Reflex's disk state manager (its default without Redis), without the directory scan after every write.

`StateManagerDisk` keeps every tab's state in memory and writes the substates an event touched to `.states/` about
2 s later (debounced), so a restarted worker finds its tabs' states again. Its write loop, though, wakes at each
queued state's deadline (with shoppers adding to carts, dozens of times a second), and after every pass it lists
`.states/` and stats every file in it to delete those older than the token expiration (an hour): one file per
touched substate of every tab of the last hour. With 200 shoppers that was ~2 000 files scanned ~40 times a second,
most of the server's CPU per add to cart (13 ms per add at 44 adds/s, against ~4 ms without it), and it grew with
the hour's visitors.

`SteadyDiskStateManager` keeps the same guarantees (the same files, written after the same debounce; expired files
still deleted, expired tabs still dropped from memory) but writes in batches, one pass per WRITE_EVERY_SECONDS, and
scans the directory for expired files at most once per PURGE_EVERY_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import time

import reflex as rx
from reflex.istate.manager.disk import StateManagerDisk

WRITE_EVERY_SECONDS = 0.5  # a state is written between debounce and debounce + this after its last change
PURGE_EVERY_SECONDS = 60.0  # files live an hour (the token expiration): a minute late to delete them is harmless


@dataclasses.dataclass
class SteadyDiskStateManager(StateManagerDisk):
    _last_purge: float = dataclasses.field(default=float("-inf"), init=False)

    def _purge_expired_states(self):
        # Called after every pass of the write loop (and once at start, which runs): scan at most once a minute.
        now = time.monotonic()
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        # Reflex's own scan, with os.scandir: no Path object per file, which with thousands of files held the GIL
        # (and so the event loop) for milliseconds.
        oldest = time.time() - self.token_expiration
        with os.scandir(self.states_directory) as entries:
            for entry in entries:
                if entry.name.endswith(".pkl"):
                    with contextlib.suppress(FileNotFoundError):  # gone meanwhile
                        if entry.stat().st_mtime < oldest:
                            os.unlink(entry.path)

    async def _process_write_queue_delay(self):
        if self._write_queue and self._write_debounce_seconds > 0:
            # Reflex sleeps only until the oldest queued state is due, so under steady traffic the loop (and its
            # bookkeeping over every known tab) ran once per change. Wait at least a batch's time instead.
            now = time.time()
            due_in = min(self._write_debounce_seconds - (now - item.timestamp) for item in self._write_queue.values())
            await asyncio.sleep(max(WRITE_EVERY_SECONDS, due_in))
            return
        await super()._process_write_queue_delay()


def install_steady_disk_state_manager(app: rx.App) -> None:
    """Swap Reflex's disk state manager for the batched one; a Redis or memory manager is left as configured."""
    current = app._state_manager
    if type(current) is StateManagerDisk:
        app._state_manager = SteadyDiskStateManager(token_expiration=current.token_expiration)
