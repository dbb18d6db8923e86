"""Start the real store (production build, fresh SQLite file, seeded catalog) and drive it with headless Chromium.

Run on their own: `pytest tests/browser -p no:asyncio` (Playwright's sync API and pytest-asyncio do not mix).
"""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def store_url(store_database_url) -> Iterator[str]:
    port = _free_port()
    base = f"http://localhost:{port}"
    env = {**os.environ, "DATABASE_URL": store_database_url, "PUBLIC_URL": base, "REFLEX_USE_NPM": "1",
           # Reconcile quickly so a lost-webhook test takes seconds, not minutes.
           "RECONCILE_AFTER_SECONDS": "10", "RECONCILE_INTERVAL_SECONDS": "1",
           # Every test browser comes from 127.0.0.1: per-address limits would count the whole suite as one shopper.
           "LIMIT_ORDERS_PER_IP": "1000", "LIMIT_PENDING_ORDERS_PER_IP": "1000"}
    for command in ([_tool("reflex"), "db", "migrate"], [sys.executable, "-m", "pepestore.store.seed"]):
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=300)
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "browser-server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [_tool("reflex"), "run", "--env", "prod", "--single-port",
         "--frontend-port", str(port), "--backend-port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (_answers(f"{base}/ping") and _answers(f"{base}/")):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the store did not start; see {ARTIFACTS / 'browser-server.log'}", pytrace=False)
            time.sleep(1)
        yield base
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()


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
