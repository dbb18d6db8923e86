"""Emails (issue 10): what is owed is written beside its cause, exactly once; the sender delivers it over real SMTP
(aiosmtpd on a free port), retries with backoff while SMTP is down, gives up after a day where staff see it; the
sandbox keeps mail for its viewer; no address can smuggle a header."""

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import update
from sqlmodel import select
from starlette.testclient import TestClient

from pepestore.clock import santiago_long_label
from pepestore.db import session_scope
from pepestore.mail import sender
from pepestore.mail.message import build, render
from pepestore.models import (EmailOutbox, EmailStatus, Order, OrderEvent, OrderLine, OrderStatus as S, Product,
                              as_utc, utcnow)
from pepestore.payments import signature
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.webhook import handle_webhook
from pepestore.security_headers import SecurityHeaders
from pepestore.store import backoffice, cart, orders, outbox, staff, staff_actions
from pepestore.store.errors import StoreError
from pepestore.store.orders import PaymentFacts, RefundFacts, Source
from tests.browser.store_process import free_port
from tests.fakes.smtp_inbox import Inbox

EMAIL = "ana@example.cl"


# -- helpers ---------------------------------------------------------------------------------------------------

def place(slug="brass-table-lamp", quantity=2, email=EMAIL) -> Order:
    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
        token = cart.add_item(session, "", product_id, quantity).cart.token
        return orders.place_order(session, token, email, None, utcnow())


def confirm(order: Order, amount: int | None = None, intent: str = "pi_1", now=None) -> str:
    with session_scope() as session:
        return orders.confirm_payment(session, order.id, PaymentFacts(amount or order.total, "CLP", "test", intent),
                                      expected_mode="test", source=Source.WEBHOOK, now=now or utcnow())


def refund(order: Order, amount: int, refund_id: str) -> str:
    with session_scope() as session:
        return orders.record_refund(session, order.id, RefundFacts(refund_id, amount, "CLP", "test", None),
                                    expected_mode="test", source=Source.WEBHOOK, now=utcnow())


def rows(order_id: int | None = None) -> list[EmailOutbox]:
    with session_scope() as session:
        query = select(EmailOutbox).order_by(EmailOutbox.id)
        if order_id is not None:
            query = query.where(EmailOutbox.order_id == order_id)
        return list(session.exec(query))


def events(order_id: int) -> list[OrderEvent]:
    with session_scope() as session:
        return orders.history(session, order_id)


@pytest.fixture
def member(engine):
    with session_scope() as session:
        return staff.create_staff(session, "ana@pepestore.cl", "correct horse battery", "staff", utcnow())


@pytest.fixture
def inbox(engine, monkeypatch):
    box = Inbox(free_port())
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{box.port}")
    monkeypatch.setenv("MAIL_FROM", "Pepestore <hola@pepestore.cl>")
    monkeypatch.setenv("MAIL_REPLY_TO", "ayuda@pepestore.cl")
    monkeypatch.setenv("PUBLIC_URL", "https://shop.example.cl")
    from pepestore.settings import get_settings

    get_settings.cache_clear()
    yield box
    box.stop()
    get_settings.cache_clear()


# -- what is owed, once ----------------------------------------------------------------------------------------

def test_a_paid_order_owes_one_receipt_however_often_it_is_confirmed(engine):
    order = place()
    assert confirm(order) == "paid"
    assert confirm(order) == "already paid"
    assert confirm(order) == "already paid"
    owed = rows(order.id)
    assert [(row.key, row.kind, row.to_address, row.status) for row in owed] == \
        [(f"receipt:{order.id}", "receipt", EMAIL, EmailStatus.PENDING)]


def test_an_unpaid_or_cancelled_order_owes_nothing(engine):
    order = place()
    with session_scope() as session:
        orders.cancel_order(session, order.id, Source.SHOPPER, "changed my mind", utcnow())
    assert rows(order.id) == []


def test_a_late_payment_that_took_the_stock_again_owes_a_receipt(engine):
    order = place()
    with session_scope() as session:
        orders.expire_order(session, order.id, Source.RECONCILER, utcnow())
    assert confirm(order) == "paid late; stock taken again"
    assert [row.key for row in rows(order.id)] == [f"receipt:{order.id}"]


def test_a_late_payment_without_stock_owes_an_apology_not_a_receipt(engine):
    order = place(slug="wool-beanie", quantity=2)
    with session_scope() as session:
        orders.cancel_order(session, order.id, Source.SHOPPER, "closed", utcnow())
    place(slug="wool-beanie", quantity=3)  # someone else buys all three
    assert confirm(order) == "paid late without stock: needs refund"
    assert confirm(order) == "already paid_needs_refund"
    assert [(row.key, row.kind) for row in rows(order.id)] == [(f"apology:{order.id}", "apology")]


def test_a_payment_of_the_wrong_amount_owes_an_apology(engine):
    order = place()
    assert confirm(order, amount=order.total - 1) == "payment does not match the order: needs refund"
    assert [row.kind for row in rows(order.id)] == ["apology"]


def test_shipping_owes_one_email_with_the_tracking_number(engine, member):
    order = place()
    confirm(order)
    with session_scope() as session:
        staff_actions.mark_shipped(session, order.id, "Starken", "ST-123456", member, utcnow())
    with pytest.raises(StoreError):  # shipped already: refused, and nothing more owed
        with session_scope() as session:
            staff_actions.mark_shipped(session, order.id, "Starken", "ST-123456", member, utcnow())
    assert [row.kind for row in rows(order.id)] == ["receipt", "shipped"]
    with session_scope() as session:
        shipped = rows(order.id)[1]
        _, rendered = build(session, shipped.id)
    assert "Starken" in rendered.text and "ST-123456" in rendered.text and "ST-123456" in rendered.html


def test_each_refund_owes_one_email_with_its_amount_and_a_repeat_owes_nothing(engine):
    order = place()
    confirm(order)
    assert refund(order, 1000, "re_part").startswith("partially refunded")
    assert refund(order, 1000, "re_part") == "refund re_part already counted"
    assert refund(order, order.total - 1000, "re_rest") == "refunded"
    owed = [row for row in rows(order.id) if row.kind == "refund"]
    with session_scope() as session:
        refund_ids = [r.id for r in session.exec(select(orders.OrderRefund).order_by(orders.OrderRefund.id))]
        texts = [build(session, row.id)[1].text for row in owed]
    assert [(row.key, row.amount) for row in owed] == [(f"refund:{refund_ids[0]}", 1000),
                                                      (f"refund:{refund_ids[1]}", order.total - 1000)]
    assert "Te reembolsamos $1.000" in texts[0] and "Hasta ahora se han reembolsado $1.000 de" in texts[0]
    assert "Ya se reembolsó todo lo que pagaste" in texts[1]


def test_resend_makes_a_new_email_per_click_recorded_with_the_staff_member(engine, member):
    order = place()
    confirm(order)
    with session_scope() as session:
        first = staff_actions.resend_receipt(session, order.id, member, utcnow())
    with session_scope() as session:
        second = staff_actions.resend_receipt(session, order.id, member, utcnow())
    assert (first, second) == (f"receipt:{order.id}:resend:1", f"receipt:{order.id}:resend:2")
    assert [row.key for row in rows(order.id)] == [f"receipt:{order.id}", first, second]
    resent = [e for e in events(order.id) if e.kind == "receipt_resent"]
    assert len(resent) == 2 and all(e.staff_id == member.id for e in resent)


@pytest.mark.parametrize("order_id", [0, -1, "1", None, 10**13])
def test_resend_refuses_orders_that_do_not_exist(engine, member, order_id):
    with pytest.raises(StoreError, match="no existe"):
        with session_scope() as session:
            staff_actions.resend_receipt(session, order_id, member, utcnow())


def test_resend_refuses_an_order_with_no_receipt(engine, member):
    order = place()
    with pytest.raises(StoreError, match="Solo un pedido pagado"):
        with session_scope() as session:
            staff_actions.resend_receipt(session, order.id, member, utcnow())
    assert rows(order.id) == []


# -- what an email says ----------------------------------------------------------------------------------------

CONTEXT = {"number": 42, "lines": [{"name": "Brass lamp <b>", "quantity": 2, "total": "$25.980"}],
           "total": "$25.980", "link": "https://shop.example.cl/order/tok", "paid_at": "27-11-2026 10:00",
           "carrier": "Chilexpress", "tracking": "CX1", "amount": "$5.000", "refunded": "$5.000",
           "fully_refunded": False, "paid": "$12.990"}


@pytest.mark.parametrize("kind", outbox.KINDS)
def test_every_kind_renders_text_and_escaped_html_with_the_order_number_and_link(kind):
    rendered = render(kind, CONTEXT)
    assert "#42" in rendered.subject and "\n" not in rendered.subject
    for part in (rendered.text, rendered.html):
        assert "https://shop.example.cl/order/tok" in part and "$25.980" in part
    assert "Brass lamp <b>" in rendered.text
    assert "Brass lamp &lt;b&gt;" in rendered.html and "Brass lamp <b>" not in rendered.html


def test_a_receipt_is_a_two_part_message_with_a_fixed_message_id(inbox):
    order = place()
    confirm(order)
    with session_scope() as session:
        session.exec(update(OrderLine).where(OrderLine.order_id == order.id).values(name="Lamp <script>x</script>"))
    row = rows(order.id)[0]
    with session_scope() as session:
        message, _ = build(session, row.id)
        again, _ = build(session, row.id)
    assert message["Message-ID"] == again["Message-ID"] == f"<outbox-{row.id}@shop.example.cl>"
    assert message["Subject"] == f"Tu comprobante de Pepestore del pedido #{order.id}"
    assert (message["From"], message["To"], message["Reply-To"]) == \
        ("Pepestore <hola@pepestore.cl>", EMAIL, "ayuda@pepestore.cl")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    with session_scope() as session:
        total = session.get(Order, order.id).total
    expected_total = f"${total:,}".replace(",", ".")
    assert expected_total in text and expected_total in html
    assert f"https://shop.example.cl/order/{order.public_token}" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    with session_scope() as session:
        paid_at = santiago_long_label(session.get(Order, order.id).paid_at)
    # When it was paid, in Santiago time and the Chilean way: "el 27 de noviembre de 2026, 14:05".
    assert re.fullmatch(r"\d{1,2} de [a-z]+ de \d{4}, \d{2}:\d{2}", paid_at) and f"el {paid_at}." in text
    assert '<html lang="es-CL">' in html


# -- addresses -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["ana@example.cl\r\nBcc: victim@example.cl", "ana@example.cl\nBcc: x@y.cl",
                                   "ana@example.cl\rX: y", "ana@example.cl%0d%0aBcc:x@y.cl",
                                   "Ana <ana@example.cl>", "ana@example.cl, x@y.cl", "ana@example.cl\x00",
                                   "\"ana\\\r\n\"@example.cl"])
def test_header_injection_addresses_are_refused_at_checkout(engine, email):
    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == "wool-beanie")).one()
        token = cart.add_item(session, "", product_id, 1).cart.token
    with pytest.raises(StoreError, match="correo válido"):
        with session_scope() as session:
            orders.place_order(session, token, email, None, utcnow())


async def test_a_row_with_a_header_trick_is_refused_again_when_sent_and_flagged(inbox):
    inbox.start()
    order = place()
    confirm(order)
    with session_scope() as session:
        session.exec(update(EmailOutbox).values(to_address="ana@example.cl\r\nBcc: victim@example.cl"))
    outcomes = await sender.send_due()
    assert list(outcomes.values()) == [EmailStatus.FAILED]
    assert inbox.messages == []
    assert [e.kind for e in events(order.id)][-1] == "email_failed"


# -- sending ---------------------------------------------------------------------------------------------------

async def test_the_receipt_reaches_a_real_smtp_server_once(inbox):
    inbox.start()
    order = place()
    confirm(order)
    assert list((await sender.send_due()).values()) == ["sent"]
    assert await sender.send_due() == {}  # sent is sent
    (recipients, message), = inbox.messages
    assert recipients == [EMAIL] and message["Subject"].endswith(f"#{order.id}")
    assert rows(order.id)[0].status == EmailStatus.SENT


async def test_smtp_down_is_retried_with_backoff_and_delivered_when_it_returns(inbox):
    order = place()
    confirm(order)
    start = utcnow()
    assert list((await sender.send_due(start)).values()) == [EmailStatus.PENDING]  # nothing listens yet
    row = rows(order.id)[0]
    assert row.attempts == 1 and row.last_error
    assert await sender.send_due(start + timedelta(seconds=59)) == {}  # not due before a minute
    assert list((await sender.send_due(start + timedelta(seconds=61))).values()) == [EmailStatus.PENDING]
    assert await sender.send_due(start + timedelta(seconds=61 + 119)) == {}  # then two minutes
    inbox.start()
    assert list((await sender.send_due(start + timedelta(seconds=61 + 121))).values()) == ["sent"]
    assert len(inbox.messages) == 1 and rows(order.id)[0].status == EmailStatus.SENT


def test_backoff_doubles_from_a_minute_and_gives_up_after_a_day_on_the_timeline(engine):
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    order = place()
    confirm(order)
    row_id = rows(order.id)[0].id
    moment, statuses = as_utc(rows(order.id)[0].created_at), []
    for _ in range(20):
        with session_scope() as session:
            statuses.append(outbox.mark_failed_try(session, row_id, "connection refused", moment))
        moment = as_utc(rows(order.id)[0].next_attempt_at)
        if statuses[-1] == EmailStatus.FAILED:
            break
    assert statuses[-1] == EmailStatus.FAILED and statuses.count(EmailStatus.FAILED) == 1
    # Tries at 0, 1, 3, 7 ... 1023 minutes, then the last one at exactly 24 hours: a day of outage is survived.
    assert len(statuses) == 12
    assert moment - as_utc(rows(order.id)[0].created_at) == outbox.GIVE_UP_AFTER
    assert reload_order(order.id).needs_review  # and staff see it on the dashboard
    with session_scope() as session:
        flagged = [entry for entry in backoffice.timeline(session, order.id) if entry.what == "email_failed"]
    assert len(flagged) == 1 and "connection refused" in flagged[0].detail


async def test_the_sandbox_without_smtp_keeps_mail_for_its_viewer(engine):
    order = place()
    confirm(order)
    assert list((await sender.send_due()).values()) == ["kept"]
    assert rows(order.id)[0].status == EmailStatus.KEPT


def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(engine):
    order = place()
    confirm(order)
    now = utcnow()
    with session_scope() as session:
        first = outbox.claim_due(session, now)
    with session_scope() as session:
        second = outbox.claim_due(session, now)
    with session_scope() as session:
        after_lease = outbox.claim_due(session, now + outbox.LEASE + timedelta(seconds=1))
    assert len(first) == 1 and second == [] and after_lease == first


async def test_the_sender_ends_at_once_when_cancelled_even_mid_send(inbox, monkeypatch):
    order = place()
    confirm(order)
    started = asyncio.Event()

    async def stuck(*_args, **_kwargs):
        started.set()
        await asyncio.sleep(3600)  # an SMTP server that never answers

    monkeypatch.setattr(sender.aiosmtplib, "send", stuck)
    task = asyncio.create_task(sender.run_mail_sender())
    await asyncio.wait_for(started.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)


# -- the sandbox mail viewer -----------------------------------------------------------------------------------

async def test_the_viewer_lists_and_previews_everything_escaped_in_a_sandboxed_frame(engine):
    from pepestore.api import build_api

    order = place()
    confirm(order)
    with session_scope() as session:
        session.exec(update(OrderLine).where(OrderLine.order_id == order.id).values(name="<img src=x onerror=1>"))
    await sender.send_due()
    row = rows(order.id)[0]
    client = TestClient(SecurityHeaders(build_api()))
    listing = client.get("/sandbox/mail/")
    assert listing.status_code == 200 and f"pedido #{order.id}" in listing.text
    assert "frame-ancestors 'none'" in listing.headers["content-security-policy"]
    detail = client.get(f"/sandbox/mail/{row.id}")
    assert "<iframe sandbox='' title='HTML part' srcdoc='&lt;!doctype html&gt;" in detail.text
    assert "<img src=x" not in detail.text  # escaped in the headers, the text and (twice) in the srcdoc
    assert "&amp;lt;img src=x onerror=1&amp;gt;" in detail.text and "&lt;img src=x onerror=1&gt;" in detail.text
    text = client.get(f"/sandbox/mail/{row.id}/text")
    assert text.headers["content-type"].startswith("text/plain") and "<img src=x onerror=1>" in text.text
    assert f"pedido #{order.id}" in client.get("/sandbox/mail", follow_redirects=False).text  # the banner's link
    assert client.get("/sandbox/mail/999999").status_code == 200
    assert client.get(f"/sandbox/mail/{10**15}/text").status_code == 404


# -- PostgreSQL: exactly once under concurrency ----------------------------------------------------------------

def test_the_same_payment_webhook_fifty_times_at_once_makes_one_receipt(pg_engine):
    secret = get_fintoc_config().webhook_secret
    order = place()
    start = Barrier(50)

    def webhook(n: int) -> int:
        # Half the deliveries repeat one event id (a redelivery), half carry their own (the same payment reported
        # again): each path into confirm_payment at once.
        body = json.dumps({
            "id": "evt_same" if n % 2 else f"evt_{n}", "type": "payment_intent.succeeded", "object": "event",
            "mode": "test",
            "data": {"id": "pi_once", "object": "payment_intent", "amount": order.total, "currency": "CLP",
                     "status": "succeeded", "metadata": {"order_id": str(order.id)}},
        }).encode()
        start.wait()
        return handle_webhook(body, signature.sign(body, secret), utcnow()).status

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(webhook, range(50)))
    assert statuses == [200] * 50
    owed = rows(order.id)
    assert [(row.key, row.kind) for row in owed] == [(f"receipt:{order.id}", "receipt")]
    with session_scope() as session:
        assert session.get(Order, order.id).status == S.PAID


def test_senders_on_postgres_never_claim_the_same_row_twice(pg_engine):
    for _ in range(30):
        confirm(place(slug="wool-beanie", quantity=1), intent=f"pi_{_}")
        with session_scope() as session:  # stock back, so the next order can take it
            session.exec(update(Product).where(Product.slug == "wool-beanie").values(stock=3))
    now = utcnow()
    start = Barrier(6)

    def claim(_n: int) -> list[int]:
        start.wait()
        with session_scope() as session:
            return outbox.claim_due(session, now, limit=10)

    with ThreadPoolExecutor(6) as pool:
        claimed = [row_id for batch in pool.map(claim, range(6)) for row_id in batch]
    assert len(claimed) == len(set(claimed)) == 30


def reload_order(order_id):
    from pepestore.models import Order

    with session_scope() as session:
        return session.get(Order, order_id)


async def test_one_email_that_cannot_be_built_never_holds_the_others_back(engine, monkeypatch):
    from pepestore.mail import sender

    first, second = place(), place()
    confirm(first)
    confirm(second)
    real_build = sender.build

    def build(session, row_id):
        if row_id == rows(first.id)[0].id:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return real_build(session, row_id)

    monkeypatch.setattr(sender, "build", build)
    outcomes = await sender.send_due()
    assert sorted(outcomes.values()) == sorted([EmailStatus.FAILED, "kept"])
    assert rows(second.id)[0].status == EmailStatus.KEPT and rows(first.id)[0].status == EmailStatus.FAILED


def test_a_sender_whose_lease_ran_out_cannot_undo_the_next_senders_work(engine):
    order = place()
    confirm(order)
    row_id = rows(order.id)[0].id
    now = utcnow()
    with session_scope() as session:
        assert outbox.claim_due(session, now, 1, "slow-sender") == [row_id]
    later = now + outbox.LEASE + timedelta(seconds=1)
    with session_scope() as session:
        assert outbox.claim_due(session, later, 1, "next-sender") == [row_id]
    with session_scope() as session:
        outbox.mark_sent(session, row_id, later, token="next-sender")
    with session_scope() as session:  # the slow one finally fails, and must change nothing
        assert outbox.mark_failed_try(session, row_id, "timeout", later, token="slow-sender") == "not ours any more"
    assert rows(order.id)[0].status == EmailStatus.SENT
