"""Buying for real in headless Chromium: the store, the sandbox widget, webhooks and reconciliation."""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from pepestore.payments.sandbox.models import SandboxCheckoutSession
from tests.browser.shop import (
    add_on_product_page, cart_count, cart_line, open_cart, order_token_from, start_payment, toast,
)
from tests.browser.store_db import StoreDB

STATUS = "#order-status"


@pytest.fixture
def db(store_url, store_database_url):
    store_db = StoreDB(store_database_url)
    yield store_db
    store_db.set_webhooks_paused(False)
    store_db.close()


def pay_with(dialog, bank: str = "BCI", action: str = "Approve payment") -> None:
    dialog.get_by_role("button", name=bank).click()
    dialog.get_by_role("button", name=action).click()


def test_a_shopper_buys_and_watches_the_order_turn_paid(page, db):
    add_on_product_page(page, "brass-table-lamp", 1)
    dialog = start_payment(page)
    expect(dialog).to_contain_text("$49.990")
    pay_with(dialog, "Banco de Chile")
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
    expect(page.locator(STATUS)).to_contain_text("Payment received")
    expect(page.locator("#order-total")).to_have_text("$49.990")
    expect(cart_count(page)).to_have_count(0)
    order = db.order(order_token_from(page))
    assert order.status == "paid" and order.total == 49990
    assert [kind for kind, _ in db.history(order.id)] == ["placed", "session_created", "paid"]
    assert ("payment_intent.succeeded", "already paid") in db.payment_events(order.id) or (
        "checkout_session.finished", "already paid") in db.payment_events(order.id)
    assert db.stock("brass-table-lamp") == 3
    page.goto(page.store_url + "/product/brass-table-lamp")
    expect(page.get_by_text("Only 3 left")).to_be_visible()
    open_cart(page)
    expect(page.locator("#empty-cart")).to_be_visible()


def test_the_page_waits_for_a_late_webhook_and_updates_without_reload(page, db):
    db.set_webhooks_paused(True)
    add_on_product_page(page, "trail-backpack-20l", 1)
    pay_with(start_payment(page))
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator(STATUS)).to_contain_text("Waiting for the bank's confirmation")
    page.evaluate("window.__sameDocument = true")
    time.sleep(1)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "pending_payment")
    db.set_webhooks_paused(False)
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
    assert page.evaluate("window.__sameDocument === true"), "the page must not have reloaded"
    expect(cart_count(page)).to_have_count(0)
    order = db.order(order_token_from(page))
    assert any(outcome in ("paid", "already paid") for _, outcome in db.payment_events(order.id))


def test_a_webhook_that_lands_before_the_shopper_returns(page, db):
    """The widget cannot load, so the shopper pays on Fintoc's hosted page; the webhook is in first."""
    add_on_product_page(page, "steel-water-bottle", 1)
    blocked = {"count": 0}

    def block_first_widget_load(route):
        blocked["count"] += 1
        route.abort() if blocked["count"] == 1 else route.continue_()

    page.route("**/sandbox/fintoc/widget.js", block_first_widget_load)
    start_payment(page)
    expect(page.locator("#widget-error")).to_contain_text("could not be loaded")
    link = page.locator("#hosted-payment-link")
    expect(link).to_have_attribute("href", re.compile(r"/sandbox/fintoc/pay/"))
    tokens = {}

    def hold_until_paid(route):
        token = route.request.url.rstrip("/").rsplit("/", 1)[-1]
        tokens["order"] = token
        db.wait_for_status(token, "paid")
        route.continue_()

    page.route(re.compile(r".*/order/[\w-]+/?$"), hold_until_paid)
    link.click()
    pay_with(page.get_by_role("dialog", name="Fintoc sandbox payment"), "Scotiabank")
    page.wait_for_url(re.compile(r"/order/[\w-]+/?$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid")
    assert db.order(tokens["order"]).status == "paid"


def test_a_rejected_payment_brings_the_shopper_back_with_the_cart_intact(page, db):
    add_on_product_page(page, "copper-watering-can", 2)
    assert db.stock("copper-watering-can") == 8
    dialog = start_payment(page)
    expect(dialog).to_be_visible()
    assert db.stock("copper-watering-can") == 6, "stock is held while the shopper pays"
    pay_with(dialog, "BCI", "Reject")
    expect(dialog).to_contain_text("The bank rejected the payment")
    dialog.get_by_role("button", name="Close", exact=True).last.click()
    expect(toast(page, "The bank rejected the payment. Your cart is just as you left it")).to_be_visible()
    expect(cart_line(page, "Copper Watering Can").locator(".qty-value")).to_have_text("2")
    expect(cart_count(page)).to_have_text("2")
    assert db.stock("copper-watering-can") == 8



def test_coming_back_from_fintocs_cancel_page_takes_the_same_path_as_closing_the_widget(page, db):
    add_on_product_page(page, "canvas-tote-bag", 2)
    stock = db.stock("canvas-tote-bag")
    expect(start_payment(page)).to_be_visible()
    order = db.latest_order()
    assert db.stock("canvas-tote-bag") == stock - 2
    page.goto(f"{page.store_url}/order/{order.public_token}?cancelled=1")  # Fintoc's cancel_url
    expect(toast(page, "Payment cancelled. Your cart is just as you left it.")).to_be_visible()
    expect(cart_line(page, "Canvas Tote Bag").locator(".qty-value")).to_have_text("2")
    cancelled = db.order(order.public_token)
    assert (cancelled.status, cancelled.status_reason) == ("cancelled", "the shopper cancelled on Fintoc's page")
    with Session(db.engine) as session:
        assert session.get(SandboxCheckoutSession, cancelled.fintoc_session_id).status == "expired", \
            "the session was closed at Fintoc, so it can no longer be paid"
    assert db.stock("canvas-tote-bag") == stock

def test_closing_the_widget_cancels_and_releases_the_stock(page, db):
    add_on_product_page(page, "mini-cactus-trio", 3)
    dialog = start_payment(page)
    expect(dialog).to_contain_text("$35.970")
    assert db.stock("mini-cactus-trio") == 11
    dialog.get_by_label("Close").click()
    expect(toast(page, "Payment cancelled. Your cart is just as you left it.")).to_be_visible()
    expect(cart_line(page, "Mini Cactus Trio").locator(".qty-value")).to_have_text("3")
    assert db.stock("mini-cactus-trio") == 14
    # And the shopper can simply try again.
    dialog = start_payment(page)
    pay_with(dialog)
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator(STATUS)).to_have_attribute("data-status", "paid", timeout=20_000)
    assert db.stock("mini-cactus-trio") == 11


def test_a_lost_webhook_is_settled_by_reconciliation(page, db, context):
    db.set_webhooks_paused(True)
    add_on_product_page(page, "organic-cotton-tee", 2)
    dialog = start_payment(page)
    pay_with(dialog)
    expect(dialog).to_contain_text("Payment approved")
    page.close()  # the shopper leaves before the store has heard anything
    order = db.latest_order()
    assert order.total == 2 * 15990 and order.status == "pending_payment"
    assert db.lose_pending_webhooks() == 2
    db.set_webhooks_paused(False)
    order = db.wait_for_status(order.public_token, "paid", timeout=30)
    assert order.status == "paid", "the reconciler should have confirmed the payment"
    assert ("paid", "reconciler") in db.history(order.id)
    assert db.payment_events(order.id) == [], "no webhook ever arrived"
    later = context.new_page()
    later.store_url = page.store_url
    later.goto(f"{later.store_url}/order/{order.public_token}")
    expect(later.locator(STATUS)).to_have_attribute("data-status", "paid")


def test_unknown_order_links_are_friendly(page):
    page.goto(page.store_url + "/order/not-a-real-order-token")
    expect(page.locator("#order-not-found")).to_contain_text("We couldn't find that order")
