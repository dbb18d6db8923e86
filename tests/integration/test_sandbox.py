"""The sandbox's own promises beyond the REST contract: webhooks, expiry, refunds settling, persistence."""

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.payments import signature
from pepestore.payments.config import SANDBOX_PATH
from pepestore.payments.sandbox.__main__ import main as sandbox_cli
from pepestore.payments.sandbox.models import SandboxWebhook
from pepestore.payments.sandbox.service import Sandbox
from pepestore.payments.sandbox.webhooks import WebhookDispatcher, retry_delay
from tests.integration.fintoc_backends import SandboxOverHTTP

PARAMS = dict(amount=15990, currency="CLP", success_url="http://shop.test/ok", cancel_url="http://shop.test/no",
              metadata={"order_id": "9"})


def dispatcher_for(server: SandboxOverHTTP) -> WebhookDispatcher:
    return WebhookDispatcher(Sandbox(server.url + SANDBOX_PATH), server.url + "/payments/webhook", server.keys[2])


def events(server: SandboxOverHTTP) -> list[dict]:
    """Verify each received webhook exactly as the store must, then parse it."""
    parsed = []
    for headers, body in server.received:
        signature.verify(body, headers["fintoc-signature"], server.keys[2])
        parsed.append(json.loads(body))
    return parsed


def widget(server, token, action, **body):
    return httpx.post(f"{server.url}{SANDBOX_PATH}/widget/sessions/{token}/{action}",
                      json={"public_key": server.keys[1], **body})


@pytest.fixture
def sandbox(engine):
    server = SandboxOverHTTP(engine)
    with server as backend:
        server.backend = backend
        yield server


async def test_approving_sends_signed_finished_and_succeeded_events(sandbox):
    async with sandbox.backend.client() as client:
        session = await client.create_checkout_session(**PARAMS, idempotency_key="o9")
    assert widget(sandbox, session.session_token, "approve", bank="BCI").json()["payment_status"] == "succeeded"
    assert await dispatcher_for(sandbox).run_once() == 2
    received = events(sandbox)
    # Fintoc promises no order between events; the store must not rely on one either.
    received.sort(key=lambda e: e["type"])
    assert [e["type"] for e in received] == ["checkout_session.finished", "payment_intent.succeeded"]
    finished, succeeded = received
    assert finished["object"] == "event" and finished["mode"] == "test" and finished["id"].startswith("evt_")
    assert finished["data"]["id"] == session.id and finished["data"]["metadata"] == {"order_id": "9"}
    assert finished["data"]["payment_resource"]["payment_intent"]["status"] == "succeeded"
    assert succeeded["data"]["amount"] == 15990 and succeeded["data"]["currency"] == "CLP"
    # Delivered events are not sent again.
    assert await dispatcher_for(sandbox).run_once() == 0


async def test_rejecting_sends_a_failed_payment(sandbox):
    async with sandbox.backend.client() as client:
        session = await client.create_checkout_session(**PARAMS, idempotency_key="o10")
        assert widget(sandbox, session.session_token, "reject", bank="Scotiabank").json()["payment_status"] == "failed"
        await dispatcher_for(sandbox).run_once()
        assert sorted(e["type"] for e in events(sandbox)) == ["checkout_session.finished", "payment_intent.failed"]
        read = await client.get_checkout_session(session.id)
    assert read.status == "finished" and not read.paid and read.payment_intent.status == "failed"


async def test_a_finished_session_cannot_be_paid_twice_or_with_a_made_up_bank(sandbox):
    async with sandbox.backend.client() as client:
        session = await client.create_checkout_session(**PARAMS, idempotency_key="o11")
    assert widget(sandbox, session.session_token, "approve", bank="Bank of Nowhere").status_code == 400
    assert widget(sandbox, session.session_token, "approve", bank="BCI").status_code == 200
    again = widget(sandbox, session.session_token, "approve", bank="BCI")
    assert again.status_code == 400 and again.json()["error"]["code"] == "session_finished"
    wrong_key = httpx.post(f"{sandbox.url}{SANDBOX_PATH}/widget/sessions/{session.session_token}/approve",
                           json={"public_key": "pk_test_wrong", "bank": "BCI"})
    assert wrong_key.status_code == 401


async def test_sessions_expire_at_their_time_and_say_so(sandbox):
    async with sandbox.backend.client() as client:
        expires = datetime.now(timezone.utc) + timedelta(minutes=11)
        session = await client.create_checkout_session(**PARAMS, idempotency_key="o12", expires_at=expires)
        await dispatcher_for(sandbox).run_once(now=expires + timedelta(seconds=1))
        assert (await client.get_checkout_session(session.id)).status == "expired"
    assert [e["type"] for e in events(sandbox)] == ["checkout_session.expired"]
    late = widget(sandbox, session.session_token, "approve", bank="BCI")
    assert late.status_code == 400 and late.json()["error"]["code"] == "session_expired"


async def test_refunds_settle_and_announce_themselves(sandbox):
    async with sandbox.backend.client() as client:
        session = await client.create_checkout_session(**PARAMS, idempotency_key="o13")
        widget(sandbox, session.session_token, "approve", bank="BCI")
        intent = (await client.get_checkout_session(session.id)).payment_intent
        refund = await client.create_refund(payment_intent_id=intent.id, idempotency_key="refund-o13")
        assert (refund.status, refund.amount) == ("in_progress", 15990)
        await dispatcher_for(sandbox).run_once(now=datetime.now(timezone.utc) + timedelta(seconds=5))
        assert (await client.get_refund(refund.id)).status == "succeeded"
    assert events(sandbox)[-1]["type"] == "refund.succeeded"


async def test_failed_deliveries_are_retried_with_fintocs_backoff(engine):
    answers = iter([500, 503, 200])
    server = SandboxOverHTTP(engine, status=lambda: next(answers))
    with server as backend:
        server.backend = backend
        async with backend.client() as client:
            session = await client.create_checkout_session(**PARAMS, idempotency_key="o14")
        widget(server, session.session_token, "approve", bank="BCI")
        dispatcher = dispatcher_for(server)
        start = datetime.now(timezone.utc)
        await dispatcher.run_once(now=start)  # 500 for the first event, 503 for the second
        with Session(engine) as db:
            pending = db.exec(select(SandboxWebhook)).all()
        assert {(row.status, row.attempts) for row in pending} == {("pending", 1)}
        assert all(row.last_error in ("HTTP 500", "HTTP 503") for row in pending)
        assert await dispatcher.run_once(now=start + timedelta(seconds=1)) == 0, "not due before 3 s"
        await dispatcher.run_once(now=start + timedelta(minutes=1))
        with Session(engine) as db:
            statuses = {row.id: row.status for row in db.exec(select(SandboxWebhook))}
        assert sorted(statuses.values()) == ["delivered", "pending"]
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [3, 6, 12, 24]


def test_records_and_keys_survive_a_restart(engine):
    with session_scope() as session:
        sandbox = Sandbox("http://localhost:3000/sandbox/fintoc")
        row = sandbox.create_checkout_session(session, {**PARAMS}, datetime.now(timezone.utc))
        session_id, token = row.id, row.session_token
        from pepestore.payments.sandbox.service import account
        keys = account(session).secret_key
    engine.dispose()  # what a restart leaves: only the database
    with session_scope() as session:
        from pepestore.payments.sandbox.service import account
        assert account(session).secret_key == keys
        again = Sandbox("http://localhost:3000/sandbox/fintoc").find_session(session, session_id,
                                                                             datetime.now(timezone.utc))
        assert again.session_token == token


def test_the_sandbox_api_refuses_bodies_that_are_not_json_objects_or_too_big(sandbox):
    base = sandbox.url + SANDBOX_PATH
    headers = {"Authorization": sandbox.keys[0], "Content-Type": "application/json"}
    for body, status in ((b"[1,2]", 400), (b"{nope", 400), (b"{" + b" " * 70_000 + b"}", 413)):
        response = httpx.post(f"{base}/v1/checkout_sessions", content=body, headers=headers)
        assert response.status_code == status
        assert response.json()["error"]["type"] == "invalid_request_error"


def test_widget_script_and_hosted_page_are_served(sandbox):
    script = httpx.get(f"{sandbox.url}{SANDBOX_PATH}/widget.js")
    assert script.status_code == 200 and "window.Fintoc" in script.text
    assert script.headers["content-type"].startswith("application/javascript")
    with session_scope() as session:
        row = Sandbox(sandbox.url + SANDBOX_PATH).create_checkout_session(session, dict(PARAMS),
                                                                          datetime.now(timezone.utc))
        token = row.session_token
    page = httpx.get(f"{sandbox.url}{SANDBOX_PATH}/pay/{token}")
    assert page.status_code == 200 and sandbox.keys[1] in page.text and sandbox.keys[0] not in page.text
    assert httpx.get(f"{sandbox.url}{SANDBOX_PATH}/pay/cs_tok_nope").status_code == 404


def test_cli_resends_and_forges_events(engine, capsys):
    with session_scope() as session:
        row = Sandbox("http://localhost:3000/sandbox/fintoc").create_checkout_session(
            session, dict(PARAMS), datetime.now(timezone.utc))
        session_id = row.id
    assert sandbox_cli(["forge", "payment_intent.succeeded", session_id]) == 0
    event_id = capsys.readouterr().out.split()[0]
    with session_scope() as session:
        forged = session.get(SandboxWebhook, event_id)
        assert json.loads(forged.body)["type"] == "payment_intent.succeeded"
        forged.status = "delivered"
    assert sandbox_cli(["resend", event_id]) == 0
    with session_scope() as session:
        assert session.get(SandboxWebhook, event_id).status == "pending"
    assert sandbox_cli(["resend", "evt_missing"]) == 1
    assert sandbox_cli(["events"]) == 0
    assert event_id in capsys.readouterr().out
