"""The disk state manager without its per-write directory scan: same files, same persistence, far fewer scans."""

from __future__ import annotations

import asyncio
import os
import time

import reflex as rx
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken

from pepestore import state_manager
from pepestore.state.cart import CartState
from pepestore.state_manager import SteadyDiskStateManager, install_steady_disk_state_manager


class _App:
    def __init__(self, manager):
        self._state_manager = manager


def _manager(tmp_path, monkeypatch, **fields) -> SteadyDiskStateManager:
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path))
    return SteadyDiskStateManager(**fields)


def _old_file(tmp_path, name: str):
    path = tmp_path / f"{name}.pkl"
    path.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(path, (two_hours_ago, two_hours_ago))
    return path


def test_only_reflexs_disk_manager_is_swapped(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path))
    disk = StateManagerDisk(token_expiration=1234)
    app = _App(disk)
    install_steady_disk_state_manager(app)
    assert type(app._state_manager) is SteadyDiskStateManager
    assert app._state_manager.token_expiration == 1234
    memory = StateManagerMemory()
    app = _App(memory)
    install_steady_disk_state_manager(app)
    assert app._state_manager is memory


def test_the_real_app_uses_it():
    from pepestore.pepestore import app

    assert type(app.state_manager) is SteadyDiskStateManager  # the tests run without REDIS_URL


def test_expired_files_are_still_deleted_but_the_directory_is_scanned_at_most_once_a_minute(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(state_manager.time, "monotonic", lambda: clock[0])
    first = _old_file(tmp_path, "first")
    manager = _manager(tmp_path, monkeypatch)  # a start scans at once
    assert not first.exists()
    fresh = tmp_path / "fresh.pkl"
    fresh.write_bytes(b"x")
    second = _old_file(tmp_path, "second")
    clock[0] += state_manager.PURGE_EVERY_SECONDS - 1
    manager._purge_expired_states()
    assert second.exists()  # too soon: no scan
    clock[0] += 1
    manager._purge_expired_states()
    assert not second.exists() and fresh.exists()


async def test_under_steady_changes_the_write_loop_waits_a_batch_not_one_change(tmp_path, monkeypatch):
    manager = _manager(tmp_path, monkeypatch)
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(state_manager.asyncio, "sleep", fake_sleep)
    token = BaseStateToken(ident="tab", cls=CartState)
    root = await manager.get_state(token)
    # A change that is already due (Reflex would loop again at once) and one due in 1 s.
    manager._write_queue[token] = type("Item", (), {"timestamp": time.time() - 10, "state": root, "token": token})()
    await manager._process_write_queue_delay()
    assert slept == [state_manager.WRITE_EVERY_SECONDS]
    manager._write_queue[token].timestamp = time.time() - manager._write_debounce_seconds + 1
    await manager._process_write_queue_delay()
    assert state_manager.WRITE_EVERY_SECONDS < slept[1] <= 1


async def test_a_tab_state_is_written_and_a_restarted_worker_reads_it_back(tmp_path, monkeypatch):
    manager = _manager(tmp_path, monkeypatch, _write_debounce_seconds=0.05)
    token = BaseStateToken(ident="tab-1", cls=CartState)
    async with manager.modify_state(token) as root:
        (await root.get_state(CartState)).item_count = 7
    written = manager.token_path(token.with_cls(CartState))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if not manager._write_queue and written.exists():
            break
    assert written.exists()
    await asyncio.sleep(0.1)  # the write runs in a thread: let it finish
    await manager.close()
    restarted = _manager(tmp_path, monkeypatch)
    root = await restarted.get_state(token)
    assert (await root.get_state(CartState)).item_count == 7
    await restarted.close()
    assert isinstance(root, rx.State)
