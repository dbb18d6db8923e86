"""Stopping the production server: every process of the store gone within 10 s of SIGTERM or Ctrl-C, a webhook
being handled still answered, a second Ctrl-C at once. Each test starts its own store (it is stopped for good)."""

import json
import os
import re
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from pepestore.payments import signature
from pepestore.payments.sandbox.models import SandboxAccount
from tests.browser.store_process import ARTIFACTS, STOP_BOUND_S, Store, group_members
from tests.browser.shop import add_on_product_page, choose_language, start_payment


@pytest.fixture
def own_store(tmp_path):
    database = tmp_path / "store.db"
    # Its own frontend build: it runs beside the session's store, on another port.
    # A lock wait longer than the shutdown window, so a webhook held on the database is still in flight when the
    # signal comes (with the default 5 s it would give up with a 503 first).
    store = Store(f"sqlite:///{database}", f"shutdown-{tmp_path.name}.log", web_dir=ARTIFACTS / "web-shutdown",
                  extra_env={"DB_LOCK_TIMEOUT_SECONDS": "30"})
    store.database = database
    try:
        store.wait_until_serving()
        yield store
    finally:
        store.stop()  # a no-op once the test stopped it; fails the test if SIGKILL was needed


def buy_something(browser, store: Store):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    choose_language(context, store.url)
    page = context.new_page()
    page.store_url = store.url
    add_on_product_page(page, "wool-beanie", 1)
    dialog = start_payment(page)
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator("#order-status")).to_have_attribute("data-status", "paid", timeout=20_000)
    return context  # left open: a shopper's websocket is connected when the store is stopped


class DatabaseLock:
    """Hold SQLite's write lock from outside the store, so a webhook the store is handling waits inside it."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()

    def __enter__(self):
        self.connection.execute("BEGIN EXCLUSIVE")
        return self

    def release(self) -> None:
        with self._lock:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")

    def __exit__(self, *_exc):
        self.release()
        self.connection.close()


def send_webhook_in_background(pool, store: Store):
    engine = create_engine(f"sqlite:///{store.database}")
    with Session(engine) as session:
        secret = session.exec(select(SandboxAccount.webhook_secret)).one()
    engine.dispose()
    body = json.dumps({"id": f"evt_shutdown_{time.monotonic_ns()}", "type": "account.updated", "object": "event",
                       "data": {"id": "acc_1"}, "created_at": "2026-11-27T08:00:00Z", "mode": "test"}).encode()
    return pool.submit(httpx.post, f"{store.url}/payments/webhook", content=body, timeout=30,
                       headers={"Fintoc-Signature": signature.sign(body, secret), "Content-Type": "application/json"})


def test_after_a_purchase_sigterm_answers_the_webhook_in_flight_and_everything_exits(browser, own_store):
    context = buy_something(browser, own_store)
    try:
        assert len(group_members(own_store.pgid)) >= 2, "the supervisor and its worker"
        with ThreadPoolExecutor(1) as pool, DatabaseLock(own_store.database) as lock:
            in_flight = send_webhook_in_background(pool, own_store)
            time.sleep(1)  # the store has the webhook and waits for the database inside it
            assert not in_flight.done()
            releaser = threading.Timer(2, lock.release)  # the database answers again 2 s into the shutdown
            releaser.start()
            elapsed = own_store.terminate()
            releaser.join()
            answer = in_flight.result(timeout=15)
        assert elapsed is not None, f"still running {STOP_BOUND_S} s after SIGTERM: {group_members(own_store.pgid)}"
        assert answer.status_code == 200 and answer.json()["received"] is True
    finally:
        context.close()


def test_ctrl_c_stops_every_process_within_ten_seconds(browser, own_store):
    context = buy_something(browser, own_store)
    try:
        elapsed = own_store.terminate(signal.SIGINT)
        assert elapsed is not None, f"still running {STOP_BOUND_S} s after Ctrl-C: {group_members(own_store.pgid)}"
    finally:
        context.close()


def test_a_second_ctrl_c_exits_at_once_even_while_shutdown_waits(own_store):
    with ThreadPoolExecutor(1) as pool, DatabaseLock(own_store.database):
        in_flight = send_webhook_in_background(pool, own_store)
        time.sleep(1)
        os.killpg(own_store.pgid, signal.SIGINT)  # shutdown now waits for the webhook, which waits for the lock
        time.sleep(0.5)
        elapsed = own_store.terminate(signal.SIGINT)
        assert elapsed is not None and elapsed < 2, f"a second Ctrl-C took {elapsed} s"
        with pytest.raises(httpx.HTTPError):
            in_flight.result(timeout=15)


def test_a_webhook_stuck_on_a_stalled_database_does_not_hold_the_store_past_ten_seconds(own_store):
    """The database never answers during the shutdown: the webhook cannot be answered (Fintoc will retry it),
    but the store still exits in time instead of waiting for the database."""
    with ThreadPoolExecutor(1) as pool, DatabaseLock(own_store.database):
        in_flight = send_webhook_in_background(pool, own_store)
        time.sleep(1)
        elapsed = own_store.terminate()
        assert elapsed is not None, f"still running {STOP_BOUND_S} s after SIGTERM: {group_members(own_store.pgid)}"
        with pytest.raises(httpx.HTTPError):
            in_flight.result(timeout=15)
