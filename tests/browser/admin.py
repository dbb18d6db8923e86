"""What staff do in the back office, as small helpers the tests read like sentences."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from playwright.sync_api import Browser, BrowserContext, Page, expect

from pepestore.admin.routes import COOKIE
from pepestore.settings import PROJECT_ROOT
from tests.browser.shop import add_on_product_page, choose_language, start_payment

PASSWORD = "a long staff password 2026"


def create_staff(database_url: str, email: str, role: str, password: str = PASSWORD) -> None:
    """The real command line, in its own process, password on stdin, as an operator would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "pepestore.admin", "create-staff", email, "--role", role],
        input=password + "\n", cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DATABASE_URL": database_url, "FINTOC_SANDBOX": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert f"created {email} ({role})" in done.stdout


def new_context(browser: Browser, width: int = 1280, height: int = 900, **options) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(15_000)
    return context


def new_page(context: BrowserContext, store_url: str) -> Page:
    choose_language(context, store_url)  # these tests read the English texts
    page = context.new_page()
    page.store_url = store_url
    return page


def submit_login(page: Page, email: str, password: str):
    """Fill and post the plain login form; the HTTP response of POST /auth/login."""
    page.goto(page.store_url + "/admin/login")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/auth/login") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    response = submit_login(page, email, password)
    assert response.status == 303, response.status
    page.wait_for_url(re.compile(r"/admin/?$"))
    expect(page.locator("#admin-who")).to_have_text(email)


def session_cookie(context: BrowserContext) -> str | None:
    return next((cookie["value"] for cookie in context.cookies() if cookie["name"] == COOKIE), None)


def count(page: Page, card_id: str) -> int:
    """A number from the dashboard's cards (the page must be /admin, loaded)."""
    heading = page.locator(f"#{card_id} .rt-Heading")
    expect(heading).to_have_text(re.compile(r"^\d+$"))
    return int(heading.inner_text())


def open_dashboard(page: Page) -> None:
    page.goto(page.store_url + "/admin")
    expect(page.locator("#count-to-ship .rt-Heading")).to_be_visible()


def search_orders(page: Page, query: str) -> None:
    page.goto(page.store_url + "/admin/orders")
    page.locator("#order-search").fill(query)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"/admin/orders\?.*q="))
    expect(page.locator("#order-table, #no-orders")).to_be_visible()


def order_rows(page: Page):
    return page.locator(".order-row")


def open_order(page: Page, number: int) -> None:
    page.locator(f'.order-row[data-number="{number}"]').get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/admin/orders/{number}$"))
    expect(page.locator("#detail-status")).to_be_visible()


def timeline(page: Page):
    return page.locator("#timeline .timeline-entry")


def mark_shipped(page: Page, carrier: str, tracking: str) -> None:
    card = page.locator("#ship-card")
    card.locator("#ship-carrier").click()
    page.get_by_role("option", name=carrier, exact=True).click()
    card.locator("#ship-tracking").fill(tracking)
    card.get_by_role("button", name="Mark shipped").click()


def pay_with(dialog, bank: str = "BCI") -> None:
    dialog.get_by_role("button", name=bank).click()
    dialog.get_by_role("button", name="Approve payment").click()


def open_widget(browser: Browser, store_url: str, email: str, *slugs: str) -> tuple[BrowserContext, Page, object]:
    """A shopper in their own browser: the slugs in the cart, the email entered, the sandbox widget open (the
    order is placed and waiting for payment). Close the context when done."""
    context = new_context(browser)
    page = new_page(context, store_url)
    for slug in slugs:
        add_on_product_page(page, slug, 1)
    dialog = start_payment(page, email)
    expect(dialog).to_be_visible()
    return context, page, dialog


def buy(browser: Browser, store_url: str, email: str, *slugs: str) -> str:
    """A shopper buys the slugs in the sandbox and sees the order paid; the order's public token."""
    context, page, dialog = open_widget(browser, store_url, email, *slugs)
    try:
        pay_with(dialog)
        page.wait_for_url(re.compile(r"/order/[\w-]+$"))
        expect(page.locator("#order-status")).to_have_attribute("data-status", "paid", timeout=20_000)
        return page.url.rstrip("/").rsplit("/", 1)[-1]
    finally:
        context.close()
