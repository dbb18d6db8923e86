"""One set of assertions, run against the store's Fintoc sandbox over real HTTP and against a strict fake
written from fintoc-reference.md alone: the client honours Fintoc's contract, and the sandbox cannot drift."""

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from pepestore.payments.errors import (
    FintocAPIError,
    FintocAuthenticationError,
    FintocConnectionError,
    FintocInvalidRequestError,
)
from tests.integration.fintoc_backends import SandboxOverHTTP, fake_backend


@pytest.fixture(params=["sandbox", "fake"])
def fintoc(request):
    if request.param == "fake":
        yield fake_backend()
        return
    engine = request.getfixturevalue("engine")
    with SandboxOverHTTP(engine) as backend:
        yield backend


def session_params(**overrides):
    params = dict(amount=12990, currency="CLP", success_url="https://shop.example/order/abc?ok",
                  cancel_url="https://shop.example/order/abc?cancel", idempotency_key="order-1-1",
                  metadata={"order_id": "1"}, customer_email="ana@example.cl")
    params.update(overrides)
    return params


def counting(**options):
    """A `wrap` for Backend.client that records the CountingTransport it builds in holder[0]."""
    holder = []

    def wrap(inner):
        holder.append(CountingTransport(inner, **options))
        return holder[0]

    return wrap, holder


class CountingTransport(httpx.AsyncBaseTransport):
    """Answers the first `fail` requests itself with `status` (or a timeout after forwarding), then forwards."""

    def __init__(self, inner, *, fail: int = 0, status: int | None = None, timeout_after_forwarding: bool = False):
        self.inner, self.fail, self.status, self.timeout_after = inner, fail, status, timeout_after_forwarding
        self.calls: list[httpx.Request] = []

    async def handle_async_request(self, request):
        self.calls.append(request)
        if len(self.calls) <= self.fail:
            if self.timeout_after:
                response = await self.inner.handle_async_request(request)
                await response.aread()
                raise httpx.ReadTimeout("simulated: the answer never arrived", request=request)
            return httpx.Response(self.status, json={"error": {"type": "api_error", "message": "try later"}},
                                  headers={"Retry-After": "0"})
        return await self.inner.handle_async_request(request)


async def test_create_and_read_a_checkout_session(fintoc):
    async with fintoc.client() as client:
        expires = datetime.now(timezone.utc) + timedelta(minutes=30)
        created = await client.create_checkout_session(**session_params(expires_at=expires))
        assert created.id.startswith("cs_")
        assert (created.amount, created.currency, created.status, created.mode) == (12990, "CLP", "created", "test")
        assert created.session_token and created.redirect_url
        assert created.metadata == {"order_id": "1"}
        assert created.expires_at.startswith(expires.strftime("%Y-%m-%dT%H:%M"))
        assert not created.paid
        read = await client.get_checkout_session(created.id)
        assert (read.id, read.amount, read.status) == (created.id, 12990, "created")


async def test_a_paid_session_reads_as_paid(fintoc):
    async with fintoc.client() as client:
        created = await client.create_checkout_session(**session_params())
        fintoc.pay(created.id)
        read = await client.get_checkout_session(created.id)
        assert read.status == "finished" and read.paid
        assert read.payment_intent.amount == 12990 and read.payment_intent.id.startswith("pi_")


async def test_expire_an_unpaid_session(fintoc):
    async with fintoc.client() as client:
        created = await client.create_checkout_session(**session_params())
        expired = await client.expire_checkout_session(created.id, idempotency_key=f"expire-{created.id}")
        assert expired.status == "expired" and not expired.paid
        assert (await client.get_checkout_session(created.id)).status == "expired"


async def test_the_raw_secret_key_is_the_only_credential(fintoc):
    async with fintoc.client(secret_key="sk_test_wrong") as client:
        with pytest.raises(FintocAuthenticationError) as caught:
            await client.create_checkout_session(**session_params())
    assert caught.value.status == 401 and caught.value.type == "authentication_error"
    async with fintoc.client(secret_key=f"Bearer {fintoc.secret_key}") as client:
        with pytest.raises(FintocAuthenticationError):
            await client.get_checkout_session("cs_whatever")


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"amount": 7_000_000}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"metadata": {"order_id": {"nested": "no"}}}, "metadata"),
    ],
)
async def test_invalid_requests_come_back_as_typed_errors(fintoc, overrides, param):
    async with fintoc.client() as client:
        with pytest.raises(FintocInvalidRequestError) as caught:
            params = session_params(**overrides)
            if param == "metadata":
                # The client would stringify nested values; send the raw body to see the API's own refusal.
                await client._request("POST", "/v1/checkout_sessions", idempotency_key="raw-1", json={
                    k: v for k, v in params.items() if k != "idempotency_key"})
            else:
                await client.create_checkout_session(**params)
    assert caught.value.type == "invalid_request_error" and caught.value.status == 400
    assert caught.value.param == param


async def test_expiry_must_be_at_least_ten_minutes_ahead(fintoc):
    async with fintoc.client() as client:
        with pytest.raises(FintocInvalidRequestError) as caught:
            await client.create_checkout_session(
                **session_params(expires_at=datetime.now(timezone.utc) + timedelta(minutes=5)))
    assert caught.value.param == "expires_at"


async def test_the_client_refuses_non_positive_or_fractional_amounts_before_sending(fintoc):
    wrap, made = counting()
    async with fintoc.client(wrap=wrap) as client:
        for amount in (0, -1, 12.5, True):
            with pytest.raises(FintocInvalidRequestError):
                await client.create_checkout_session(**session_params(amount=amount))
    assert made[0].calls == []


async def test_unknown_session_is_a_404(fintoc):
    async with fintoc.client() as client:
        with pytest.raises(FintocInvalidRequestError) as caught:
            await client.get_checkout_session("cs_doesnotexist")
    assert caught.value.status == 404


async def test_same_idempotency_key_twice_gives_one_session(fintoc):
    async with fintoc.client() as client:
        first = await client.create_checkout_session(**session_params(idempotency_key="order-42-1"))
        second = await client.create_checkout_session(**session_params(idempotency_key="order-42-1"))
    assert first.id == second.id
    assert fintoc.session_count() == 1


async def test_same_key_with_other_parameters_is_an_error(fintoc):
    async with fintoc.client() as client:
        await client.create_checkout_session(**session_params(idempotency_key="order-43-1"))
        with pytest.raises(FintocInvalidRequestError):
            await client.create_checkout_session(**session_params(idempotency_key="order-43-1", amount=1))
    assert fintoc.session_count() == 1


async def test_an_error_answer_is_replayed_for_its_key_too(fintoc):
    async with fintoc.client() as client:
        for _ in range(2):
            with pytest.raises(FintocInvalidRequestError):
                await client.create_checkout_session(**session_params(idempotency_key="bad-1", currency="USD"))
    assert fintoc.session_count() == 0


async def test_a_retry_after_a_timeout_reuses_the_key_and_makes_one_session(fintoc):
    wrap, made = counting(fail=1, timeout_after_forwarding=True)
    async with fintoc.client(wrap=wrap) as client:
        session = await client.create_checkout_session(**session_params(idempotency_key="order-44-1"))
    assert len(made[0].calls) == 2
    assert {call.headers["idempotency-key"] for call in made[0].calls} == {"order-44-1"}
    assert fintoc.session_count() == 1
    assert session.amount == 12990


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_retryable_statuses_are_retried_then_succeed(fintoc, status):
    wrap, made = counting(fail=2, status=status)
    async with fintoc.client(wrap=wrap) as client:
        session = await client.create_checkout_session(**session_params(idempotency_key=f"order-45-{status}"))
    assert len(made[0].calls) == 3 and session.id.startswith("cs_")


async def test_retries_are_bounded(fintoc):
    wrap, made = counting(fail=100, status=503)
    async with fintoc.client(wrap=wrap, max_retries=2) as client:
        with pytest.raises(FintocAPIError):
            await client.create_checkout_session(**session_params())
    assert len(made[0].calls) == 3


async def test_client_errors_are_not_retried(fintoc):
    wrap, made = counting()
    async with fintoc.client(wrap=wrap) as client:
        with pytest.raises(FintocInvalidRequestError):
            await client.create_checkout_session(**session_params(currency="USD"))
    assert len(made[0].calls) == 1


async def test_an_unreachable_fintoc_fails_fast_with_a_connection_error():
    from pepestore.payments.client import FintocClient
    from tests.servers import free_port

    async with FintocClient("sk_test_x", base_url=f"http://127.0.0.1:{free_port()}", max_retries=1,
                            backoff_seconds=0.01) as client:
        started = datetime.now()
        with pytest.raises(FintocConnectionError):
            await client.get_checkout_session("cs_1")
    assert (datetime.now() - started).total_seconds() < 5


async def test_refunds(fintoc):
    async with fintoc.client() as client:
        session = await client.create_checkout_session(**session_params())
        fintoc.pay(session.id)
        intent = (await client.get_checkout_session(session.id)).payment_intent
        refund = await client.create_refund(payment_intent_id=intent.id, amount=2990,
                                            idempotency_key=f"refund-{session.id}-1")
        assert refund.id.startswith("re_") and refund.amount == 2990
        assert refund.status in ("created", "in_progress", "succeeded")
        again = await client.create_refund(payment_intent_id=intent.id, amount=2990,
                                           idempotency_key=f"refund-{session.id}-1")
        assert again.id == refund.id
        assert (await client.get_refund(refund.id)).id == refund.id
        with pytest.raises(FintocInvalidRequestError):
            await client.create_refund(payment_intent_id=intent.id, amount=10001,
                                       idempotency_key=f"refund-{session.id}-2")
        with pytest.raises(FintocInvalidRequestError):
            await client.create_refund(payment_intent_id="pi_unknown", idempotency_key="refund-x")


async def test_every_post_needs_an_idempotency_key(fintoc):
    async with fintoc.client() as client:
        for key in ("", "k" * 256):
            with pytest.raises(ValueError):
                await client.create_checkout_session(**session_params(idempotency_key=key))
