"""POST /payments/webhook, driven by signed requests over real HTTP."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from pepestore.models import OrderEvent, OrderStatus as S, PaymentEvent
from tests.integration.store_server import (
    StoreServer, event, intent, place_order, reload, session_object, stock_of,
)


@pytest.fixture
def store(engine, monkeypatch):
    with StoreServer(monkeypatch) as server:
        yield server


def stored_events(engine) -> list[PaymentEvent]:
    with Session(engine) as session:
        return list(session.exec(select(PaymentEvent)))


def order_kinds(engine, order_id) -> list[str]:
    with Session(engine) as session:
        return [e.kind for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                             .order_by(OrderEvent.id))]


def test_a_succeeded_payment_marks_the_order_paid(store, engine):
    order = place_order(("wool-beanie", 2))
    response = store.post_event(event("payment_intent.succeeded", intent(order)))
    assert response.status_code == 200 and response.json()["outcome"] == "paid"
    assert reload(engine, order.id).status == S.PAID
    assert stock_of(engine, "wool-beanie") == 1
    [stored] = stored_events(engine)
    assert (stored.type, stored.order_id, stored.outcome) == ("payment_intent.succeeded", order.id, "paid")


def test_a_finished_session_with_a_succeeded_intent_confirms_too(store, engine):
    order = place_order(("wool-beanie", 1))
    response = store.post_event(event("checkout_session.finished", session_object(order, intent_data=intent(order))))
    assert response.json()["outcome"] == "paid"
    response = store.post_event(event("checkout_session.completed", session_object(order, intent_data=intent(order))))
    assert response.json()["outcome"] == "already paid"


def test_the_answer_does_not_wait_for_the_open_page_to_be_told(store, engine, monkeypatch):
    # Telling a page waits for its tab's state lock; Fintoc's delivery must not wait for a browser.
    import asyncio
    import threading

    from pepestore import api

    released, told = threading.Event(), []

    async def slow_page(order_id):
        await asyncio.to_thread(released.wait, 30)
        told.append(order_id)

    monkeypatch.setattr(api, "_order_listeners", [slow_page])
    order = place_order(("wool-beanie", 1))
    try:
        response = store.post_event(event("payment_intent.succeeded", intent(order)))
        assert response.status_code == 200 and response.json()["outcome"] == "paid"
        assert told == []  # answered while the page was still being told
    finally:
        released.set()
    deadline = time.monotonic() + 10
    while not told and time.monotonic() < deadline:
        time.sleep(0.05)
    assert told == [order.id]


def test_a_repeated_event_is_acknowledged_without_a_second_effect(store, engine):
    order = place_order(("wool-beanie", 1))
    payload = event("payment_intent.succeeded", intent(order), event_id="evt_repeat")
    assert store.post_event(payload).json()["outcome"] == "paid"
    second = store.post_event(payload)
    assert second.status_code == 200 and second.json() == {"received": True, "duplicate": True}
    assert len(stored_events(engine)) == 1
    assert order_kinds(engine, order.id).count("paid") == 1


@pytest.mark.parametrize(("mismatch", "status"), [({"amount": 1}, S.PAID_NEEDS_REFUND),
                                                  ({"currency": "USD"}, S.PENDING_PAYMENT)])
def test_amount_or_currency_mismatch_flags_and_answers_200(store, engine, mismatch, status):
    order = place_order(("wool-beanie", 1))
    response = store.post_event(event("payment_intent.succeeded", intent(order, **mismatch)))
    assert response.status_code == 200
    assert "flagged" in response.json()["outcome"] or "needs refund" in response.json()["outcome"]
    saved = reload(engine, order.id)
    assert saved.status == status and saved.needs_review
    assert order_kinds(engine, order.id)[-1] == "flagged"


def test_a_live_event_for_a_test_store_is_flagged(store, engine):
    order = place_order(("wool-beanie", 1))
    response = store.post_event(event("payment_intent.succeeded", intent(order), mode="live"))
    assert "flagged" in response.json()["outcome"]
    assert reload(engine, order.id).status == S.PENDING_PAYMENT


@pytest.mark.parametrize("kind", ["payment_intent.failed", "payment_intent.rejected"])
def test_a_failed_payment_cancels_and_releases_stock(store, engine, kind):
    order = place_order(("wool-beanie", 3))
    assert stock_of(engine, "wool-beanie") == 0
    response = store.post_event(event(kind, intent(order, status=kind.split(".")[1])))
    assert response.json()["outcome"] == "cancelled"
    assert reload(engine, order.id).status == S.CANCELLED
    assert stock_of(engine, "wool-beanie") == 3


def test_an_expired_session_expires_the_order_and_releases_stock(store, engine):
    order = place_order(("cast-iron-teapot", 2))
    response = store.post_event(event("checkout_session.expired", session_object(order, status="expired")))
    assert response.json()["outcome"] == "expired"
    assert reload(engine, order.id).status == S.EXPIRED
    assert stock_of(engine, "cast-iron-teapot") == 3


def test_out_of_order_events_never_move_an_order_backwards(store, engine):
    order = place_order(("wool-beanie", 1))
    store.post_event(event("payment_intent.succeeded", intent(order)))
    for late in (event("checkout_session.expired", session_object(order, status="expired")),
                 event("payment_intent.failed", intent(order, status="failed"))):
        assert store.post_event(late).status_code == 200
    assert reload(engine, order.id).status == S.PAID
    assert stock_of(engine, "wool-beanie") == 2


def test_payment_after_expiry_takes_stock_again(store, engine):
    order = place_order(("wool-beanie", 1))
    store.post_event(event("checkout_session.expired", session_object(order, status="expired")))
    response = store.post_event(event("payment_intent.succeeded", intent(order)))
    assert response.json()["outcome"] == "paid late; stock taken again"
    assert reload(engine, order.id).status == S.PAID and stock_of(engine, "wool-beanie") == 2


def test_payment_after_expiry_with_the_stock_gone_is_flagged_for_refund(store, engine):
    order = place_order(("cast-iron-teapot", 3))
    store.post_event(event("checkout_session.expired", session_object(order, status="expired")))
    place_order(("cast-iron-teapot", 3), email="otro@example.cl")
    response = store.post_event(event("payment_intent.succeeded", intent(order)))
    assert response.json()["outcome"] == "paid late without stock: needs refund"
    saved = reload(engine, order.id)
    assert saved.status == S.PAID_NEEDS_REFUND and saved.needs_review
    assert stock_of(engine, "cast-iron-teapot") == 0


def test_a_refund_marks_a_paid_order_refunded(store, engine):
    order = place_order(("wool-beanie", 1))
    store.post_event(event("payment_intent.succeeded", intent(order, intent_id="pi_refund_me")))
    refund = {"id": "re_1", "object": "refund", "amount": order.total, "currency": "CLP", "status": "succeeded",
              "resource_type": "payment_intent", "resource_id": "pi_refund_me"}
    assert store.post_event(event("refund.succeeded", refund)).json()["outcome"] == "refunded"
    assert reload(engine, order.id).status == S.REFUNDED


def paid_order(store) -> object:
    order = place_order(("wool-beanie", 1))
    assert store.post_event(event("payment_intent.succeeded", intent(order, intent_id="pi_refund_me"))).json()[
        "outcome"] == "paid"
    return order


def refund_of(refund_id: str, amount: int, **overrides) -> dict:
    data = {"id": refund_id, "object": "refund", "amount": amount, "currency": "CLP", "status": "succeeded",
            "resource_type": "payment_intent", "resource_id": "pi_refund_me", "mode": "test"}
    data.update(overrides)
    return data


def refund_event_details(engine, order_id) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(e.kind, e.detail) for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                                         .order_by(OrderEvent.id)) if "refund" in e.kind]


def test_a_partial_refund_never_marks_the_order_refunded(store, engine):
    order = paid_order(store)
    part = 5000
    answer = store.post_event(event("refund.succeeded", refund_of("re_part", part)))
    assert answer.json()["outcome"] == f"partially refunded: {part} of {order.total}"
    saved = reload(engine, order.id)
    assert (saved.status, saved.refunded_total, saved.needs_review) == (S.PAID, part, False)
    assert refund_event_details(engine, order.id) == [
        ("partially_refunded", "refund re_part of $5.000: $5.000 of $12.990 refunded")]
    rest = store.post_event(event("refund.succeeded", refund_of("re_rest", order.total - part)))
    assert rest.json()["outcome"] == "refunded"
    saved = reload(engine, order.id)
    assert (saved.status, saved.refunded_total) == (S.REFUNDED, order.total)


def test_one_refund_delivered_under_two_event_ids_counts_once(store, engine):
    order = paid_order(store)
    for event_id in ("evt_refund_a", "evt_refund_b"):
        store.post_event(event("refund.succeeded", refund_of("re_twice", 6000), event_id=event_id))
    assert [e.outcome for e in stored_events(engine)][-1] == "refund re_twice already counted"
    saved = reload(engine, order.id)
    assert (saved.status, saved.refunded_total) == (S.PAID, 6000)
    assert order_kinds(engine, order.id).count("partially_refunded") == 1


@pytest.mark.parametrize("wrong", [
    {"currency": "USD"}, {"currency": None}, {"mode": "live"}, {"envelope_mode": "live"}, {"amount": 12991},
    {"resource_id": "pi_someone_else", "metadata": "order_id"},
])
def test_a_refund_that_does_not_fit_the_order_is_flagged_and_changes_nothing(store, engine, wrong):
    order = paid_order(store)
    envelope_mode = wrong.pop("envelope_mode", "test")
    if wrong.get("metadata") == "order_id":  # found through the order id, though it names another payment
        wrong["metadata"] = {"order_id": str(order.id)}
    data = {**refund_of("re_odd", order.total), **wrong}
    answer = store.post_event(event("refund.succeeded", data, mode=envelope_mode))
    assert answer.status_code == 200 and "flagged" in answer.json()["outcome"]
    saved = reload(engine, order.id)
    assert (saved.status, saved.refunded_total, saved.needs_review) == (S.PAID, 0, True)
    assert order_kinds(engine, order.id)[-1] == "flagged"


def test_refunds_adding_up_to_more_than_was_paid_are_flagged(store, engine):
    order = paid_order(store)
    store.post_event(event("refund.succeeded", refund_of("re_most", order.total - 1)))
    answer = store.post_event(event("refund.succeeded", refund_of("re_too_much", 2)))
    assert "flagged" in answer.json()["outcome"]
    saved = reload(engine, order.id)
    assert (saved.status, saved.refunded_total, saved.needs_review) == (S.PAID, order.total - 1, True)


def test_a_refund_for_an_order_that_took_no_money_is_flagged(store, engine):
    order = place_order(("wool-beanie", 1))
    data = refund_of("re_nothing", order.total, metadata={"order_id": str(order.id)})
    assert "flagged" in store.post_event(event("refund.succeeded", data)).json()["outcome"]
    assert reload(engine, order.id).status == S.PENDING_PAYMENT


def test_unknown_types_and_unknown_orders_are_stored_with_no_effect(store, engine):
    order = place_order(("wool-beanie", 1))
    assert store.post_event(event("payout.created", {"id": "po_1"})).status_code == 200
    assert store.post_event(event("account.updated", {"metadata": {"order_id": str(order.id)}})).json()[
        "outcome"] == "no effect"
    ghost = store.post_event(event("payment_intent.succeeded", {"id": "pi_x", "amount": 1, "currency": "CLP",
                                                                "metadata": {"order_id": "999999"}}))
    assert ghost.status_code == 200
    assert len(stored_events(engine)) == 3
    assert reload(engine, order.id).status == S.PENDING_PAYMENT


def test_a_session_naming_the_order_id_with_another_orders_token_settles_nothing(store, engine):
    # An order id can come back (a database restored, a placement lost in a crash): the token tells them apart.
    order = place_order(("wool-beanie", 1))
    stranger = session_object(order, intent_data=intent(order), session_id="cs_of_a_lost_order")
    stranger["metadata"]["order_token"] = "token-of-an-order-that-is-gone"
    assert store.post_event(event("checkout_session.finished", stranger)).json()["outcome"] == (
        "no matching order: stored, no effect")
    assert reload(engine, order.id).status == S.PENDING_PAYMENT
    ours = session_object(order, intent_data=intent(order))
    ours["metadata"]["order_token"] = order.public_token
    assert store.post_event(event("checkout_session.finished", ours)).json()["outcome"] == "paid"


def test_an_event_for_no_order_is_stored_with_its_outcome_and_repeats_are_duplicates(store, engine):
    payload = event("payment_intent.succeeded", {"id": "pi_ghost", "amount": 1, "currency": "CLP",
                                                 "metadata": {"order_id": "999999"}}, event_id="evt_ghost")
    assert store.post_event(payload).json() == {"received": True, "outcome": "no matching order: stored, no effect"}
    assert store.post_event(payload).json() == {"received": True, "duplicate": True}
    [stored] = stored_events(engine)
    assert (stored.fintoc_event_id, stored.order_id, stored.outcome) == (
        "evt_ghost", None, "no matching order: stored, no effect")


def test_a_session_event_for_another_session_is_flagged(store, engine):
    order = place_order(("wool-beanie", 1))
    with Session(engine) as session:
        saved = reload(engine, order.id)
        saved.fintoc_session_id = "cs_ours"
        session.add(saved)
        session.commit()
    foreign = session_object(order, session_id="cs_theirs", intent_data=intent(order))
    assert "flagged" in store.post_event(event("checkout_session.finished", foreign)).json()["outcome"]
    assert reload(engine, order.id).status == S.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("header_kind", "expected"),
    [("missing", 400), ("garbage", 400), ("wrong-secret", 400), ("stale", 400), ("future", 400)],
)
def test_untrusted_requests_get_400_and_no_effect(store, engine, header_kind, expected):
    order = place_order(("wool-beanie", 1))
    payload = event("payment_intent.succeeded", intent(order))
    now = int(time.time())
    options = {
        "missing": {"header": ""},
        "garbage": {"header": "t=abc,v1=zz"},
        "wrong-secret": {"secret": "whsec_not_ours"},
        "stale": {"timestamp": now - 310},
        "future": {"timestamp": now + 310},
    }[header_kind]
    response = store.post_event(payload, **options)
    assert response.status_code == expected and "signature" in response.json()["error"]
    assert stored_events(engine) == [] and reload(engine, order.id).status == S.PENDING_PAYMENT


def test_a_tampered_body_is_refused(store, engine):
    order = place_order(("wool-beanie", 1))
    good = store.post_event(event("payment_intent.succeeded", intent(order)), raw=b'{"id":"evt_x"}').request
    tampered = httpx.post(f"{store.url}/payments/webhook", content=b'{"id":"evt_y"}',
                          headers={"Fintoc-Signature": good.headers["Fintoc-Signature"]})
    assert tampered.status_code == 400


def test_signed_garbage_is_a_400(store, engine):
    for raw in (b"not json", b"[]", b'{"type": "x"}'):
        response = store.post_event({}, raw=raw)
        assert response.status_code == 400 and "invalid event" in response.json()["error"]


def test_only_post_and_at_most_64_kb(store, engine):
    get = httpx.get(f"{store.url}/payments/webhook")
    assert get.status_code == 405 and get.json()["error"] == "use POST"
    assert httpx.put(f"{store.url}/payments/webhook", content=b"{}").status_code == 405
    big = store.post_event({}, raw=b"{" + b" " * (64 * 1024) + b"}")
    assert big.status_code == 413
    assert stored_events(engine) == []


def test_a_database_failure_answers_503_so_fintoc_retries(store, engine, monkeypatch):
    order = place_order(("wool-beanie", 1))

    def broken():
        raise OperationalError("INSERT", {}, Exception("database is down"))

    import pepestore.payments.webhook as webhook

    class Broken:
        def __enter__(self):
            broken()

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(webhook, "session_scope", Broken)
    payload = event("payment_intent.succeeded", intent(order), event_id="evt_retry_me")
    assert store.post_event(payload).status_code == 503
    monkeypatch.undo()
    assert store.post_event(payload).json()["outcome"] == "paid"


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def test_the_same_event_delivered_50_times_at_once_has_one_effect(any_engine, monkeypatch):
    with StoreServer(monkeypatch) as store:
        order = place_order(("cast-iron-teapot", 1))
        payload = event("payment_intent.succeeded", intent(order), event_id="evt_storm")
        with ThreadPoolExecutor(25) as pool:
            statuses = list(pool.map(lambda _: store.post_event(payload).status_code, range(50)))
    assert statuses == [200] * 50
    assert len(stored_events(any_engine)) == 1
    assert order_kinds(any_engine, order.id).count("paid") == 1
    assert reload(any_engine, order.id).status == S.PAID
    assert stock_of(any_engine, "cast-iron-teapot") == 2


def test_the_same_event_for_no_order_delivered_20_times_at_once_is_stored_once(any_engine, monkeypatch):
    with StoreServer(monkeypatch) as store:
        payload = event("payment_intent.succeeded", {"id": "pi_ghost", "metadata": {"order_id": "999999"}},
                        event_id="evt_ghost_storm")
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: store.post_event(payload).json(), range(20)))
    assert sum("outcome" in answer for answer in answers) == 1
    assert sum(answer.get("duplicate") is True for answer in answers) == 19
    assert len(stored_events(any_engine)) == 1


def test_a_database_failure_while_storing_an_event_for_no_order_answers_503(store, engine, monkeypatch):
    import pepestore.payments.webhook as webhook

    def broken(*_args):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(webhook, "_store_once", broken)
    payload = event("payment_intent.succeeded", {"id": "pi_ghost", "metadata": {"order_id": "999999"}},
                    event_id="evt_ghost_retry")
    assert store.post_event(payload).status_code == 503
    assert stored_events(engine) == []
    monkeypatch.undo()
    assert store.post_event(payload).json()["outcome"] == "no matching order: stored, no effect"
