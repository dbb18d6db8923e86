"""The Fintoc sandbox as a shopper meets it: the hosted payment page and its widget, in headless Chromium."""

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine

from pepestore.payments.sandbox.service import account


@pytest.fixture(scope="module")
def sandbox_keys(store_url, store_database_url):
    engine = create_engine(store_database_url)
    with Session(engine) as session:
        keys = account(session)
        session.commit()
        secret = keys.secret_key
    engine.dispose()
    return secret


def new_session(store_url: str, secret: str, key: str) -> dict:
    response = httpx.post(
        f"{store_url}/sandbox/fintoc/v1/checkout_sessions",
        headers={"Authorization": secret, "Idempotency-Key": key},
        json={"amount": 12990, "currency": "CLP", "success_url": f"{store_url}/?paid={key}",
              "cancel_url": f"{store_url}/cart?cancelled={key}", "metadata": {"order_id": key}},
    )
    assert response.status_code == 200, response.text
    return response.json()


def read_session(store_url: str, secret: str, session_id: str) -> dict:
    return httpx.get(f"{store_url}/sandbox/fintoc/v1/checkout_sessions/{session_id}",
                     headers={"Authorization": secret}).json()


def test_every_page_says_payments_are_simulated(page):
    for path in ("/", "/cart", "/product/wool-beanie", "/nowhere"):
        page.goto(page.store_url + path)
        expect(page.locator("#sandbox-banner")).to_contain_text("Sandbox payments — no real money moves")
        expect(page.locator("#sandbox-mail-link")).to_have_attribute("href", "/sandbox/mail/")


def test_approving_in_the_hosted_page_returns_to_the_store_paid(page, sandbox_keys):
    session = new_session(page.store_url, sandbox_keys, "browser-approve")
    page.goto(session["redirect_url"])
    dialog = page.get_by_role("dialog", name="Fintoc sandbox payment")
    expect(dialog).to_contain_text("SANDBOX — no real money moves")
    expect(dialog).to_contain_text("$12.990")
    approve = dialog.get_by_role("button", name="Approve payment")
    expect(approve).to_be_disabled()
    dialog.get_by_role("button", name="Banco de Chile").click()
    approve.click()
    expect(dialog).to_contain_text("Payment approved")
    page.wait_for_url(re.compile(r"/\?paid=browser-approve$"))
    read = read_session(page.store_url, sandbox_keys, session["id"])
    assert read["status"] == "finished"
    assert read["payment_resource"]["payment_intent"]["status"] == "succeeded"


def test_rejecting_shows_the_bank_said_no_then_returns_to_cancel(page, sandbox_keys):
    session = new_session(page.store_url, sandbox_keys, "browser-reject")
    page.goto(session["redirect_url"])
    dialog = page.get_by_role("dialog", name="Fintoc sandbox payment")
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog).to_contain_text("The bank rejected the payment")
    dialog.get_by_role("button", name="Close", exact=True).last.click()
    page.wait_for_url(re.compile(r"/cart/?\?cancelled=browser-reject$"))
    assert read_session(page.store_url, sandbox_keys, session["id"])["payment_resource"]["payment_intent"][
        "status"] == "failed"


def test_closing_the_widget_is_an_exit(page, sandbox_keys):
    session = new_session(page.store_url, sandbox_keys, "browser-exit")
    page.goto(session["redirect_url"])
    page.get_by_role("dialog", name="Fintoc sandbox payment").get_by_label("Close").click()
    page.wait_for_url(re.compile(r"/cart/?\?cancelled=browser-exit$"))
    assert read_session(page.store_url, sandbox_keys, session["id"])["status"] in ("created", "in_progress")
