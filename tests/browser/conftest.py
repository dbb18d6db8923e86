"""Start the real store (production build, fresh SQLite file, seeded catalog) and drive it with headless Chromium.

Run on their own: `pytest tests/browser -p no:asyncio` (Playwright's sync API and pytest-asyncio do not mix).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.shop import choose_language
from tests.browser.store_process import ARTIFACTS, running_store
from tests.conftest import service_unavailable

CHROMIUM = os.environ.get("PEPESTORE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def store_database_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'store.db'}"


@pytest.fixture(scope="session")
def store_url(store_database_url) -> Iterator[str]:
    # Reconcile quickly so a lost-webhook test takes seconds, not minutes.
    with running_store(store_database_url, extra_env={"RECONCILE_AFTER_SECONDS": "10",
                                                      "RECONCILE_INTERVAL_SECONDS": "1"}) as base:
        yield base


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
def context(browser, request, store_url):
    """A fresh browser profile per test: its own localStorage, so its own cart.

    The store speaks Spanish unless told otherwise. Tests written in English words run as a shopper who chose
    English (the language switch's cookie); `@pytest.mark.language("es-CL")` runs a test as a first-time visitor."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    marker = request.node.get_closest_marker("language")
    language = marker.args[0] if marker else "en"
    if language != "es-CL":
        choose_language(context, store_url, language)
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
