"""The store's SQLite file vanishes under a running store: pages say so with Retry, and recover when it is back.

"Vanishes" is a rename of the database file while the store runs (a lost volume, an operator's mistake). SQLite
connections the store already holds keep reading the moved file through their open descriptors, so a store that
only reused them would look perfectly healthy here: this passes only because the store checks, for every
connection it hands out, that the file at its configured path is still the one it opened, and reopens by path
(which fails while the file is gone, without creating an empty one).

The store runs on its own database file, in its own process (with its own frontend build, since a build bakes in
the port), so taking its database away cannot disturb the other browser tests.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.shop import add_on_product_page, open_cart, open_catalog, toast
from tests.browser.store_process import ARTIFACTS, running_store

ERROR_WITHIN_MS = 10_000


class DatabaseFile:
    def __init__(self, path: Path):
        self.path = path
        self.away = path.with_name("moved-away.db")

    def vanish(self) -> None:
        self.path.rename(self.away)

    def come_back(self) -> None:
        if self.away.exists():
            self.away.rename(self.path)


@pytest.fixture(scope="module")
def lonely_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("database-loss") / "store.db"
    with running_store(f"sqlite:///{path}", name="database-loss",
                       web_dir=ARTIFACTS / "web-database-loss") as base:
        yield base, DatabaseFile(path)


@pytest.fixture
def store(lonely_store, context):
    base, database = lonely_store
    page = context.new_page()
    page.store_url = base
    yield page, database
    database.come_back()


def test_pages_show_retry_while_the_database_is_gone_and_the_catalog_returns_with_it(store):
    page, database = store
    add_on_product_page(page, "wool-beanie")  # a cart to read: an empty one needs no database
    open_catalog(page)
    expect(page.locator(".product-card")).to_have_count(24)

    database.vanish()
    started = time.monotonic()
    page.reload()
    error = page.locator("#load-error")
    expect(error).to_be_visible(timeout=ERROR_WITHIN_MS)
    assert time.monotonic() - started < ERROR_WITHIN_MS / 1000
    expect(error).to_contain_text("We couldn't load the products")
    expect(page.locator(".product-card")).to_have_count(0)

    for path, message in (("/product/cast-iron-teapot", "We couldn't load this product"),
                          ("/cart", "We couldn't load your cart"),
                          ("/order/" + "t" * 32, "We couldn't load your order")):
        page.goto(page.store_url + path)
        expect(page.locator("#load-error")).to_contain_text(message, timeout=ERROR_WITHIN_MS)

    page.goto(page.store_url + "/")
    expect(error).to_be_visible(timeout=ERROR_WITHIN_MS)
    database.come_back()
    error.get_by_role("button", name="Retry").click()
    expect(page.locator(".product-card")).to_have_count(24)
    expect(error).to_have_count(0)


def test_pay_stops_spinning_and_says_why_when_the_database_is_gone(store):
    page, database = store
    add_on_product_page(page, "wool-beanie")
    open_cart(page)
    page.locator("#checkout-email").fill("ana@example.cl")
    database.vanish()
    pay = page.get_by_role("button", name="Pay with Fintoc")
    pay.click()
    expect(toast(page, "checkout could not start")).to_be_visible(timeout=ERROR_WITHIN_MS)
    expect(pay).to_be_enabled()
    expect(page.get_by_role("dialog", name="Fintoc sandbox payment")).to_have_count(0)
    database.come_back()
    pay.click()
    expect(page.get_by_role("dialog", name="Fintoc sandbox payment")).to_be_visible()
