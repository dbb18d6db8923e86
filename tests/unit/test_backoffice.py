"""What the back office reads and does: counts, the filtered order list, the timeline, staff actions, CSV cells."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from pepestore.admin.routes import csv_cell
from pepestore.clock import santiago_day_start, santiago_label
from pepestore.models import Order, OrderStatus as S, Product, utcnow
from pepestore.store import backoffice, cart, orders, staff, staff_actions
from pepestore.store.backoffice import OrderFilter
from pepestore.store.errors import StoreError
from pepestore.store.orders import PaymentFacts


@pytest.fixture
def member(session):
    created = staff.create_staff(session, "ana@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    return created


def place(session, slug="brass-table-lamp", quantity=1, email="cliente@example.cl") -> Order:
    product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
    token = cart.add_item(session, "", product_id, quantity).cart.token
    order = orders.place_order(session, token, email, None, utcnow())
    session.commit()
    return order


def pay(session, order: Order, amount: int | None = None) -> None:
    orders.confirm_payment(session, order.id, PaymentFacts(amount or order.total, "CLP", "test", f"pi_{order.id}"),
                           expected_mode="test", source="webhook", now=utcnow())
    session.commit()


def test_dashboard_counts_what_needs_a_human(session):
    paid, odd, _pending = place(session), place(session, "trail-backpack-20l"), place(session, "soy-candle-maqui")
    pay(session, paid)
    pay(session, odd, amount=odd.total + 1)  # the wrong amount: a payment to refund, flagged
    board = backoffice.dashboard(session, utcnow())
    assert (board.needs_review, board.awaiting_fulfilment, board.needs_refund, board.pending_now) == (1, 1, 1, 1)
    assert board.paid_today == board.paid_this_week == paid.total  # money to give back is not income


def test_paid_today_follows_santiago_midnight_not_utc():
    # 02:00 UTC on 27 November is still the 26th in Santiago (UTC-3 in summer).
    assert santiago_day_start(date(2026, 11, 27)) == datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
    # and in winter Santiago is UTC-4
    assert santiago_day_start(date(2026, 7, 1)) == datetime(2026, 7, 1, 4, 0, tzinfo=timezone.utc)
    assert santiago_label(datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)) == "26-11-2026 23:00"


def test_the_list_filters_by_status_review_search_and_dates(session):
    first = place(session, email="Ana.Perez@Example.cl")
    second = place(session, "trail-backpack-20l", email="bruno@example.cl")
    pay(session, first)
    pay(session, second, amount=1)  # flagged for review, paid_needs_refund

    def numbers(**raw):
        rows, total = backoffice.list_orders(session, OrderFilter.parse(raw))
        assert total == len(rows)
        return [order.id for order in rows]

    assert numbers() == [second.id, first.id]
    assert numbers(status=S.PAID) == [first.id]
    assert numbers(review="1") == [second.id]
    assert numbers(q="ana.perez") == [first.id]  # any part of the email, any case
    assert numbers(q=f"#{second.id}") == [second.id]
    assert numbers(q=first.public_token) == [first.id]
    assert numbers(q="100%_") == []  # LIKE wildcards are text
    today = utcnow().date()
    assert numbers(**{"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()})
    assert numbers(**{"to": (today - timedelta(days=2)).isoformat()}) == []


@pytest.mark.parametrize("raw", [{"status": "stolen"}, {"from": "yesterday"}, {"to": "2026-13-45"}])
def test_a_bad_filter_is_refused_in_words(raw):
    with pytest.raises(StoreError):
        OrderFilter.parse(raw)


def test_hostile_filter_values_are_ignored_or_trimmed():
    wanted = OrderFilter.parse({"page": "-3", "q": ["list"], "review": {"x": 1}, "status": 7})
    assert (wanted.page, wanted.query, wanted.review, wanted.status) == (1, "", False, "")
    assert OrderFilter.parse({"q": "x" * 500}).query == "x" * 120


def test_the_list_pages_fifty_at_a_time(session):
    for _ in range(3):
        place(session, "soy-candle-maqui")
    rows, total = backoffice.list_orders(session, OrderFilter(page=2), page_size=2)
    assert total == 3 and len(rows) == 1


def test_shipping_needs_a_paid_order_a_carrier_and_a_tracking_number(session, member):
    order = place(session)
    with pytest.raises(StoreError, match="Solo un pedido pagado"):
        staff_actions.mark_shipped(session, order.id, "Starken", "ABC123", member, utcnow())
    pay(session, order)
    with pytest.raises(StoreError, match="transportista"):
        staff_actions.mark_shipped(session, order.id, "DHL", "ABC123", member, utcnow())
    with pytest.raises(StoreError, match="seguimiento"):
        staff_actions.mark_shipped(session, order.id, "Starken", "<script>", member, utcnow())
    staff_actions.mark_shipped(session, order.id, "Blue Express", "BX-99812", member, utcnow())
    session.commit()
    shipped = session.get(Order, order.id)
    session.refresh(shipped)
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == (S.FULFILLED, "Blue Express", "BX-99812")
    with pytest.raises(StoreError, match="este está: Despachado"):
        staff_actions.mark_shipped(session, order.id, "Starken", "X1", member, utcnow())
    entry = backoffice.timeline(session, order.id)[-1]
    assert (entry.what, entry.who, entry.detail, entry.kind) == ("shipped", "ana@pepestore.cl", "Blue Express BX-99812",
                                                                 "staff")


def test_cancelling_releases_stock_and_needs_a_reason(session, member):
    stock = session.exec(select(Product.stock).where(Product.slug == "trail-backpack-20l")).one()
    order = place(session, "trail-backpack-20l", 2)
    with pytest.raises(StoreError, match="nota"):
        staff_actions.cancel_unpaid(session, order.id, "", member, utcnow())
    staff_actions.cancel_unpaid(session, order.id, "shopper asked by phone", member, utcnow())
    session.commit()
    session.expire_all()
    assert session.exec(select(Product.stock).where(Product.slug == "trail-backpack-20l")).one() == stock
    with pytest.raises(StoreError, match="espera pago"):
        staff_actions.cancel_unpaid(session, order.id, "again", member, utcnow())


def test_resolving_a_review_needs_a_note_and_happens_once(session, member):
    order = place(session)
    pay(session, order, amount=1)
    with pytest.raises(StoreError, match="nota"):
        staff_actions.resolve_review(session, order.id, "  ", member, utcnow())
    staff_actions.resolve_review(session, order.id, "called the bank, wrong amount typed", member, utcnow())
    session.commit()
    with pytest.raises(StoreError, match="no está marcado"):
        staff_actions.resolve_review(session, order.id, "twice", member, utcnow())


@pytest.mark.parametrize("order_id", [0, -1, 10**13, "1", 1.0, True, None, [1]])
def test_actions_refuse_orders_that_do_not_exist(session, member, order_id):
    with pytest.raises(StoreError, match="no existe"):
        staff_actions.add_note(session, order_id, "hello there", member, utcnow())


def test_the_timeline_merges_order_events_webhooks_and_staff(session, member):
    from pepestore.models import PaymentEvent

    order = place(session)
    session.add(PaymentEvent(fintoc_event_id="evt_1", type="payment_intent.succeeded", raw_body="{}",
                             order_id=order.id, outcome="paid", received_at=utcnow() + timedelta(seconds=1)))
    staff_actions.add_note(session, order.id, "gift wrap please", member, utcnow() + timedelta(seconds=2))
    session.commit()
    entries = backoffice.timeline(session, order.id)
    assert [(e.what, e.kind) for e in entries] == [("placed", "order"), ("payment_intent.succeeded", "webhook"),
                                                   ("note", "staff")]


@pytest.mark.parametrize(("raw", "cell"), [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"),
                                           ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
                                           ("ana@example.cl", "ana@example.cl"), (12990, "12990"), (None, "")])
def test_csv_cells_cannot_start_a_formula(raw, cell):
    assert csv_cell(raw) == cell
