"""Receipts over real SMTP and in the sandbox's mail viewer (issue 10).

One store of its own, told SMTP_URL of an aiosmtpd server in this process: a browser purchase produces exactly one
receipt there, with the order's total and link, and staff resend it from the back office (a second, distinct
email). The session's store (no SMTP_URL) keeps its mail: the sandbox banner links to /sandbox/mail, which shows
the receipt of the purchase just made (docs/receipt.png is this test's test-artifacts/receipt.png).
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from pepestore.models import EmailOutbox, Order, utcnow
from pepestore.store import staff
from tests.browser.shop import add_on_product_page, choose_language, order_token_from, start_payment
from tests.browser.store_process import ARTIFACTS, free_port, running_store
from tests.fakes.smtp_inbox import Inbox

OWNER, PASSWORD = "mail.owner@pepestore.cl", "correct horse battery"


@pytest.fixture(scope="module")
def inbox():
    box = Inbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def mail_store(tmp_path_factory, inbox):
    url = f"sqlite:///{tmp_path_factory.mktemp('mail-db') / 'store.db'}"
    env = {"SMTP_URL": f"smtp://127.0.0.1:{inbox.port}", "MAIL_FROM": "Pepestore <hola@pepestore.cl>"}
    with running_store(url, name="mail", extra_env=env, web_dir=ARTIFACTS / "web-mail") as base:
        engine = create_engine(url)
        with Session(engine) as session:
            staff.create_staff(session, OWNER, PASSWORD, "owner", utcnow())
            session.commit()
        yield base, engine
        engine.dispose()


def buy(page, email: str, slug: str = "brass-table-lamp") -> str:
    add_on_product_page(page, slug, 1)
    dialog = start_payment(page, email)
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator("#order-status")).to_have_attribute("data-status", "paid", timeout=20_000)
    return order_token_from(page)


def test_a_purchase_sends_one_receipt_over_smtp_and_staff_can_resend_it(browser, inbox, mail_store):
    base, engine = mail_store
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    choose_language(context, base)
    try:
        page = context.new_page()
        page.store_url = base
        token = buy(page, "receipt.me@example.cl")

        (recipients, receipt), = inbox.wait_for(1, timeout=30)
        assert recipients == ["receipt.me@example.cl"]
        with Session(engine) as session:
            order = session.exec(select(Order).where(Order.public_token == token)).one()
        assert receipt["Subject"] == f"Tu comprobante de Pepestore del pedido #{order.id}"
        assert receipt["From"] == "Pepestore <hola@pepestore.cl>"
        text = receipt.get_body(("plain",)).get_content()
        html = receipt.get_body(("html",)).get_content()
        assert "$49.990" in text and "$49.990" in html
        assert f"{base}/order/{token}" in text and f"{base}/order/{token}" in html

        # Staff see the email as sent and ask for a copy.
        admin = context.new_page()
        admin.goto(base + "/admin/login")
        admin.locator("#login-email").fill(OWNER)
        admin.locator("#login-password").fill(PASSWORD)
        admin.get_by_role("button", name="Sign in").click()
        admin.wait_for_url(re.compile(r"/admin/?$"))
        admin.goto(f"{base}/admin/orders/{order.id}")
        expect(admin.locator(".email-row")).to_have_count(1)
        expect(admin.locator(".email-row").first).to_have_attribute("data-status", "sent")
        admin.locator("#resend-receipt").click()
        expect(admin.locator(".email-row")).to_have_count(2, timeout=20_000)
        expect(admin.locator("#timeline")).to_contain_text(OWNER)
        expect(admin.locator("#timeline")).to_contain_text("receipt resent")

        messages = inbox.wait_for(2, timeout=30)
        assert len(messages) == 2
        copy = messages[1][1]
        assert copy["Subject"] == receipt["Subject"] and copy["Message-ID"] != receipt["Message-ID"]
    finally:
        context.close()
    with Session(engine) as session:
        keys = session.exec(select(EmailOutbox.key).where(EmailOutbox.order_id == order.id)
                            .order_by(EmailOutbox.id)).all()
    assert keys == [f"receipt:{order.id}", f"receipt:{order.id}:resend:1"]


def test_the_sandbox_keeps_the_receipt_for_its_mail_viewer(page, store_url):
    # A product no other test on the session's store counts.
    token = buy(page, "viewer.me@example.cl", "stoneware-bowl-set")
    page.locator("#sandbox-mail-link").click()
    page.wait_for_url(re.compile(r"/sandbox/mail/?$"))
    row = page.locator(".mail-row").filter(has_text="viewer.me@example.cl")
    expect(row).to_have_count(1, timeout=20_000)
    expect(row).to_contain_text("kept", timeout=30_000)  # the list reloads itself; the sender runs every 5 s
    row.get_by_role("link").click()
    expect(page.locator("#mail-text")).to_contain_text("$24.990")
    expect(page.locator("#mail-text")).to_contain_text(f"{store_url}/order/{token}")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#total")).to_have_text("$24.990")
    page.set_viewport_size({"width": 900, "height": 1100})
    page.screenshot(path=str(ARTIFACTS / "receipt.png"), full_page=True)
