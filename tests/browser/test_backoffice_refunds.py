"""An owner refunds a paid sandbox order through Fintoc's refunds API, part then the rest, and watches the order
turn refunded on the open page, without a reload."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from pepestore.models import Order, OrderRefund, utcnow
from pepestore.staff_models import Staff
from pepestore.store import staff
from tests.browser.shop import add_on_product_page, order_token_from, start_payment

OWNER, PASSWORD = "refunds.owner@pepestore.cl", "correct horse battery"


@pytest.fixture
def store_engine(store_database_url):
    engine = create_engine(store_database_url)
    with Session(engine) as session:
        if not session.exec(select(Staff).where(Staff.email == OWNER)).first():
            staff.create_staff(session, OWNER, PASSWORD, "owner", utcnow())
            session.commit()
    yield engine
    engine.dispose()


def sign_in(page, email=OWNER, password=PASSWORD):
    page.goto(page.store_url + "/admin/login")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/?$"))


def test_an_owner_refunds_part_then_the_rest_and_sees_it_without_a_reload(browser, page, store_url, store_engine):
    # A shopper buys in the sandbox.
    add_on_product_page(page, "brass-table-lamp", 1)
    dialog = start_payment(page, "refund.me@example.cl")
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator("#order-status")).to_have_attribute("data-status", "paid", timeout=20_000)
    with Session(store_engine) as session:
        order = session.exec(select(Order).where(Order.public_token == order_token_from(page))).one()

    owner = browser.new_context(viewport={"width": 1280, "height": 900})
    owner.set_default_timeout(15_000)
    admin = owner.new_page()
    admin.store_url = store_url
    try:
        sign_in(admin)
        admin.goto(f"{store_url}/admin/orders?q=refund.me")
        admin.locator(".order-row").filter(has_text="refund.me@example.cl").get_by_role("link").click()
        expect(admin.locator("#detail-status")).to_have_attribute("data-status", "paid")
        expect(admin.locator("#left-to-refund")).to_have_text("$49.990")
        admin.evaluate("window.__sameDocument = true")

        admin.locator("#refund-amount").fill("10.000")
        admin.get_by_role("button", name="Refund").click()
        expect(admin.locator("#partly-refunded")).to_be_visible(timeout=20_000)
        expect(admin.locator("#refunded-total")).to_contain_text("$10.000 refunded of $49.990")
        expect(admin.locator("#left-to-refund")).to_have_text("$39.990")

        admin.locator("#refund-amount").fill("39990")
        admin.get_by_role("button", name="Refund").click()
        expect(admin.locator("#detail-status")).to_have_attribute("data-status", "refunded", timeout=20_000)
        expect(admin.locator("#refund-card")).to_have_count(0)
        assert admin.evaluate("window.__sameDocument === true"), "the page must not have reloaded"
        expect(admin.locator("#timeline")).to_contain_text(OWNER)
    finally:
        owner.close()
    with Session(store_engine) as session:
        done = session.get(Order, order.id)
        rows = session.exec(select(OrderRefund).where(OrderRefund.order_id == order.id)).all()
    assert done.status == "refunded" and done.refunded_total == 49_990
    assert sorted((row.amount, row.status) for row in rows) == [(10_000, "succeeded"), (39_990, "succeeded")]
    assert all(row.fintoc_refund_id and row.fintoc_refund_id.startswith("re_") for row in rows)
