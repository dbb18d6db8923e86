"""Start the real store (production build, fresh SQLite file, seeded catalog) and drive it with headless Chromium.

Run on their own: `pytest tests/browser -p no:asyncio` (Playwright's sync API and pytest-asyncio do not mix).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pepestore.settings import PROJECT_ROOT
from tests.conftest import service_unavailable

CHROMIUM = os.environ.get("PEPESTORE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
START_TIMEOUT_S = 600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@pytest.fixture(scope="session")
def store_database_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'store.db'}"


STOP_BOUND_S = 10  # the promise: every process of the store gone within 10 s of SIGTERM


def store_env(database_url: str, base: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "PUBLIC_URL": base, "REFLEX_USE_NPM": "1",
            "FINTOC_SANDBOX": "1",
            # Reconcile quickly so a lost-webhook test takes seconds, not minutes.
            "RECONCILE_AFTER_SECONDS": "10", "RECONCILE_INTERVAL_SECONDS": "1",
            # Every test browser comes from 127.0.0.1: per-address limits would count the whole suite as one shopper.
            "LIMIT_ORDERS_PER_IP": "1000", "LIMIT_PENDING_ORDERS_PER_IP": "1000"}


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


class Store:
    """`reflex run --env prod --single-port` on a fresh, seeded database, leading its own process group."""

    def __init__(self, database_url: str, log_name: str):
        port = _free_port()
        self.url = f"http://localhost:{port}"
        self.env = store_env(database_url, self.url)
        for command in ([_tool("reflex"), "db", "migrate"], [sys.executable, "-m", "pepestore.store.seed"]):
            subprocess.run(command, cwd=PROJECT_ROOT, env=self.env, check=True, capture_output=True, timeout=300)
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / log_name
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [_tool("reflex"), "run", "--env", "prod", "--single-port",
             "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=PROJECT_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.pgid = self.process.pid

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (_answers(f"{self.url}/ping") and _answers(f"{self.url}/")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the store did not start; see {self.log_path}", pytrace=False)
            time.sleep(1)

    def terminate(self, signum: int = signal.SIGTERM) -> float | None:
        """Signal the whole group; seconds until none of its processes is left, or None if some outlived 10 s."""
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signum)
        while time.monotonic() - started < STOP_BOUND_S:
            self.process.poll()  # reap the leader, which is our child
            if not group_members(self.pgid):
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        """SIGTERM, as an operator would. Needing SIGKILL breaks the store's promise: a test failure, not a fallback."""
        try:
            if self.process.poll() is None or group_members(self.pgid):
                if self.terminate() is None:
                    survivors = group_members(self.pgid)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.pgid, signal.SIGKILL)
                    self.process.wait(timeout=10)
                    pytest.fail(f"processes {survivors} of the store were still running {STOP_BOUND_S} s after "
                                f"SIGTERM and had to be killed; see {self.log_path}", pytrace=False)
        finally:
            self._log.close()


@pytest.fixture(scope="session")
def store_url(store_database_url) -> Iterator[str]:
    store = Store(store_database_url, "browser-server.log")
    try:
        store.wait_until_serving()
        yield store.url
    finally:
        store.stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        service_unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, request):
    """A fresh browser profile per test: its own localStorage, so its own cart."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    if getattr(request.node, "failed", False):
        for index, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(context, store_url):
    page = context.new_page()
    page.store_url = store_url
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed = True
    return report
