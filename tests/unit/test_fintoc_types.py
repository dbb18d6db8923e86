import pytest

from pepestore.payments.errors import (
    FintocAPIError,
    FintocAuthenticationError,
    FintocInvalidRequestError,
    FintocRateLimitError,
    error_from_response,
)
from pepestore.payments.types import CheckoutSession, Refund, WebhookEvent

SESSION = {
    "id": "cs_1", "object": "checkout_session", "amount": 12990, "currency": "CLP", "status": "finished",
    "mode": "test", "session_token": "tok", "redirect_url": "https://pay", "metadata": {"order_id": "7"},
    "payment_resource": {"payment_intent": {"id": "pi_1", "status": "succeeded", "amount": 12990, "currency": "CLP"}},
}


def test_a_finished_session_with_a_succeeded_intent_is_paid():
    session = CheckoutSession.from_json(SESSION)
    assert session.paid and session.payment_intent.id == "pi_1" and session.metadata == {"order_id": "7"}


@pytest.mark.parametrize("intent_status", ["failed", "rejected", "pending", "in_progress", "expired"])
def test_finished_is_not_paid(intent_status):
    data = {**SESSION, "payment_resource": {"payment_intent": {**SESSION["payment_resource"]["payment_intent"],
                                                                 "status": intent_status}}}
    assert not CheckoutSession.from_json(data).paid


@pytest.mark.parametrize("resource", [None, {}, {"payment_intent": None}])
def test_sessions_without_an_intent_are_not_paid(resource):
    assert not CheckoutSession.from_json({**SESSION, "payment_resource": resource}).paid


@pytest.mark.parametrize("field,value", [("amount", "12990"), ("amount", 12990.0), ("amount", True), ("id", None),
                                         ("status", 3)])
def test_malformed_money_fields_are_refused(field, value):
    with pytest.raises(FintocAPIError):
        CheckoutSession.from_json({**SESSION, field: value})


def test_refund_parses():
    refund = Refund.from_json({"id": "re_1", "status": "in_progress", "amount": 500, "resource_id": "pi_1"})
    assert (refund.id, refund.status, refund.amount, refund.resource_id) == ("re_1", "in_progress", 500, "pi_1")


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"error": {"type": "authentication_error", "message": "bad key"}}, FintocAuthenticationError),
        (400, {"error": {"type": "invalid_request_error", "code": "x", "param": "amount"}}, FintocInvalidRequestError),
        (404, {"error": {"type": "invalid_request_error"}}, FintocInvalidRequestError),
        (429, {"error": {"type": "api_error"}}, FintocRateLimitError),
        (503, None, FintocAPIError),
        (500, "<html>", FintocAPIError),
    ],
)
def test_error_shape_becomes_typed_errors(status, body, kind):
    error = error_from_response(status, body)
    assert isinstance(error, kind)
    assert error.status == status and error.message


def test_error_carries_fintocs_fields():
    error = error_from_response(400, {"error": {"type": "invalid_request_error", "code": "invalid_amount",
                                                "message": "amount too big", "param": "amount"}})
    assert (error.type, error.code, error.message, error.param) == (
        "invalid_request_error", "invalid_amount", "amount too big", "amount")
    assert not error.retryable


def test_webhook_envelope_parsing():
    event = WebhookEvent.from_body(b'{"id":"evt_1","type":"x.y","data":{"a":1},"mode":"test"}')
    assert (event.id, event.type, event.mode, event.data) == ("evt_1", "x.y", "test", {"a": 1})
    for bad in (b"", b"[]", b"not json", b'{"type":"x"}', b'{"id":"evt","type":""}', b"\xff\xfe"):
        with pytest.raises(ValueError):
            WebhookEvent.from_body(bad)
