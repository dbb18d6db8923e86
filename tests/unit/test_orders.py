"""The order lifecycle: placing at database prices, stock held and released, and every transition."""

from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import select

from pepestore.models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderStatus as S, Product, utcnow
from pepestore.store import cart, orders, placing
from pepestore.store.errors import StoreError
from pepestore.store.orders import ALLOWED_FROM, PaymentFacts, RefundFacts, Source

EMAIL = "ana@example.cl"


def product(session, slug) -> Product:
    return session.exec(select(Product).where(Product.slug == slug)).one()


def stock(session, slug) -> int:
    session.expire_all()
    return product(session, slug).stock


def cart_with(session, *items) -> str:
    token = ""
    for slug, quantity in items:
        token = cart.add_item(session, token, product(session, slug).id, quantity).cart.token
    session.commit()
    return token


def place(session, token, email=EMAIL):
    order = orders.place_order(session, token, email, "tab-1", utcnow())
    session.commit()
    return order


def kinds(session, order_id):
    return [(e.kind, e.source) for e in orders.history(session, order_id)]


def facts(order, **overrides):
    values = dict(amount=order.total, currency="CLP", mode="test", payment_intent_id="pi_1")
    values.update(overrides)
    return PaymentFacts(**values)


def refund(session, order_id, amount, refund_id="re_1", **overrides):
    values = dict(refund_id=refund_id, amount=amount, currency="CLP", mode="test", payment_intent_id=None)
    values.update(overrides)
    return orders.record_refund(session, order_id, RefundFacts(**values), expected_mode="test", source=Source.ADMIN,
                                now=utcnow())


def confirm(session, order, **overrides):
    outcome = orders.confirm_payment(session, order.id, facts(order, **overrides), expected_mode="test",
                                     source=Source.WEBHOOK, now=utcnow())
    session.commit()
    session.refresh(order)
    return outcome


# -- placing ---------------------------------------------------------------------------------------------------

def test_placing_prices_from_the_database_and_holds_stock(session):
    token = cart_with(session, ("wool-beanie", 2), ("linen-notebook-a5", 1))
    order = place(session, token)
    assert order.status == S.PENDING_PAYMENT
    assert order.total == 2 * 12990 + 10990
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert sorted((l.name, l.unit_price, l.quantity) for l in lines) == [
        ("Linen Notebook A5", 10990, 1), ("Merino Wool Beanie", 12990, 2)]
    assert stock(session, "wool-beanie") == 1 and stock(session, "linen-notebook-a5") == 44
    assert kinds(session, order.id) == [("placed", "shopper")]
    assert orders.is_well_formed_public_token(order.public_token)
    assert order.expires_at > order.created_at + timedelta(minutes=29)


def test_a_later_price_change_does_not_rewrite_the_order(session):
    order = place(session, cart_with(session, ("wool-beanie", 1)))
    product(session, "wool-beanie").price = 1
    session.commit()
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert line.unit_price == 12990 and order.total == 12990


def test_placing_the_same_cart_again_returns_the_same_order(session):
    token = cart_with(session, ("wool-beanie", 1))
    first = place(session, token)
    again = place(session, token)
    assert again.id == first.id
    assert len(session.exec(select(Order)).all()) == 1
    assert stock(session, "wool-beanie") == 2, "stock is held once"


def test_a_changed_cart_replaces_its_open_order_and_releases_its_stock(session):
    token = cart_with(session, ("wool-beanie", 1))
    first = place(session, token)
    cart.add_item(session, token, product(session, "wool-beanie").id, 1)
    session.commit()
    second = place(session, token)
    assert second.id != first.id and second.total == 2 * 12990
    session.refresh(first)
    assert first.status == S.CANCELLED
    assert stock(session, "wool-beanie") == 1


def test_checking_out_again_after_cancelling_makes_a_new_order(session):
    token = cart_with(session, ("wool-beanie", 1))
    first = place(session, token)
    orders.cancel_order(session, first.id, Source.SHOPPER, "closed the widget", utcnow())
    session.commit()
    second = place(session, token)
    assert second.id != first.id and second.status == S.PENDING_PAYMENT
    assert stock(session, "wool-beanie") == 2


@pytest.mark.parametrize("email", ["", "ana", "ana@", "@example.cl", "ana@example", "a b@example.cl", None, 42,
                                   ["ana@example.cl"], "x" * 250 + "@example.cl"])
def test_an_invalid_email_is_refused(session, email):
    token = cart_with(session, ("wool-beanie", 1))
    with pytest.raises(StoreError, match="correo válido"):
        orders.place_order(session, token, email, None, utcnow())


@pytest.mark.parametrize("token", ["", None, "x" * 43, 12])
def test_no_cart_no_order(session, token):
    with pytest.raises(StoreError, match="carrito está vacío"):
        orders.place_order(session, token, EMAIL, None, utcnow())


def test_an_emptied_cart_cannot_be_placed(session):
    token = cart_with(session, ("wool-beanie", 1))
    cart.remove_item(session, token, product(session, "wool-beanie").id)
    session.commit()
    with pytest.raises(StoreError, match="carrito está vacío"):
        orders.place_order(session, token, EMAIL, None, utcnow())


def test_stock_that_fell_after_adding_blocks_the_order_and_writes_nothing(session):
    token = cart_with(session, ("wool-beanie", 1), ("cast-iron-teapot", 3))
    product(session, "cast-iron-teapot").stock = 2
    session.commit()
    with pytest.raises(StoreError, match="Solo quedan 2 de Cast Iron Teapot"):
        orders.place_order(session, token, EMAIL, None, utcnow())
    session.rollback()
    assert session.exec(select(Order)).all() == []
    assert stock(session, "wool-beanie") == 3


def test_the_guarded_stock_update_refuses_what_a_concurrent_buyer_took(session, monkeypatch):
    token = cart_with(session, ("wool-beanie", 2), ("cast-iron-teapot", 1))
    # Between the check and the reservation another order takes the teapots: simulate by hiding the check.
    original = placing._take_stock

    def racing(connection, wanted):
        connection.execute(orders.update(Product).where(Product.slug == "cast-iron-teapot").values(stock=0))
        return original(connection, wanted)

    monkeypatch.setattr(placing, "_take_stock", racing)
    with pytest.raises(StoreError, match="Cast Iron Teapot se acaba de agotar"):
        orders.place_order(session, token, EMAIL, None, utcnow())
    assert stock(session, "wool-beanie") == 3, "the first line's reservation was undone, before any rollback"
    session.rollback()
    assert stock(session, "wool-beanie") == 3
    assert session.exec(select(Order)).all() == []


def test_an_order_another_tab_placed_meanwhile_refuses_this_one_and_gives_the_stock_back(session, monkeypatch):
    token = cart_with(session, ("wool-beanie", 2))
    the_cart = session.exec(select(Cart).where(Cart.token == token)).one()
    original = placing._take_stock

    def other_tab_first(connection, wanted):
        # SQLite takes no row lock on the cart: the other tab's order for this revision lands after our reads.
        connection.execute(insert(Order).values(
            public_token="t" * 32, status=S.PENDING_PAYMENT, total=1, customer_email=EMAIL, cart_id=the_cart.id,
            cart_revision=the_cart.revision, expires_at=utcnow()))
        return original(connection, wanted)

    monkeypatch.setattr(placing, "_take_stock", other_tab_first)
    with pytest.raises(StoreError, match="otra pestaña"):
        orders.place_order(session, token, EMAIL, None, utcnow())
    assert stock(session, "wool-beanie") == 3, "the refused order's stock was given back"
    assert [o.public_token for o in session.exec(select(Order))] == ["t" * 32]


def test_orders_above_fintocs_limit_are_refused(session):
    token = cart_with(session, ("wool-beanie", 1))
    product(session, "wool-beanie").price = 7_000_000
    session.commit()
    with pytest.raises(StoreError, match="tienen un límite de"):
        orders.place_order(session, token, EMAIL, None, utcnow())


# -- paying ----------------------------------------------------------------------------------------------------

def test_confirmation_pays_once_and_empties_the_cart(session):
    token = cart_with(session, ("wool-beanie", 2))
    order = place(session, token)
    assert confirm(session, order) == "paid"
    assert order.status == S.PAID and order.paid_at is not None and order.payment_intent_id == "pi_1"
    assert cart.load_cart(session, token).lines == []
    assert confirm(session, order) == "already paid"
    assert [k for k, _ in kinds(session, order.id)] == ["placed", "paid"]
    assert stock(session, "wool-beanie") == 1, "paying does not take stock twice"


def test_confirmation_keeps_a_cart_the_shopper_changed_since(session):
    token = cart_with(session, ("wool-beanie", 1))
    order = place(session, token)
    cart.add_item(session, token, product(session, "linen-notebook-a5").id, 1)
    session.commit()
    confirm(session, order)
    assert len(cart.load_cart(session, token).lines) == 2


@pytest.mark.parametrize("mismatch", [{"currency": "MXN"}, {"mode": "live"}])
def test_a_payment_in_another_currency_or_mode_is_flagged_once_not_paid(session, mismatch):
    order = place(session, cart_with(session, ("wool-beanie", 1)))
    assert "flagged" in confirm(session, order, **mismatch)
    assert confirm(session, order, **mismatch) == "already flagged for review"  # a repeat adds nothing
    assert order.status == S.PENDING_PAYMENT and order.needs_review
    assert [kind for kind, _ in kinds(session, order.id)].count("flagged") == 1


def test_money_of_the_wrong_amount_becomes_a_refund_to_make_and_frees_the_stock(session):
    order = place(session, cart_with(session, ("wool-beanie", 1)))
    held = stock(session, "wool-beanie")
    assert confirm(session, order, amount=1) == "payment does not match the order: needs refund"
    assert order.status == S.PAID_NEEDS_REFUND and order.needs_review
    assert stock(session, "wool-beanie") == held + 1
    assert confirm(session, order, amount=1) == "already paid_needs_refund"  # settles once, however often told
    assert stock(session, "wool-beanie") == held + 1


def test_a_second_payment_for_a_paid_order_is_flagged_for_a_refund(session):
    order = place(session, cart_with(session, ("wool-beanie", 1)))
    assert confirm(session, order) == "paid"
    assert confirm(session, order) == "already paid"
    assert confirm(session, order, payment_intent_id="pi_other") == "flagged for review"
    assert order.status == S.PAID and order.needs_review
    assert confirm(session, order, payment_intent_id="pi_other") == "already flagged for review"


def test_cancel_and_expire_release_stock_once(session):
    first = place(session, cart_with(session, ("wool-beanie", 1)))
    second = place(session, cart_with(session, ("wool-beanie", 2)))
    assert stock(session, "wool-beanie") == 0
    assert orders.cancel_order(session, first.id, Source.SHOPPER, "closed", utcnow())
    assert not orders.cancel_order(session, first.id, Source.WEBHOOK, "again", utcnow())
    assert orders.expire_order(session, second.id, Source.RECONCILER, utcnow())
    assert not orders.expire_order(session, second.id, Source.RECONCILER, utcnow())
    session.commit()
    assert stock(session, "wool-beanie") == 3


def test_a_late_payment_takes_the_stock_again_when_it_can(session):
    order = place(session, cart_with(session, ("wool-beanie", 2)))
    orders.expire_order(session, order.id, Source.RECONCILER, utcnow())
    session.commit()
    assert stock(session, "wool-beanie") == 3
    assert confirm(session, order) == "paid late; stock taken again"
    assert order.status == S.PAID
    assert stock(session, "wool-beanie") == 1


def test_a_late_payment_without_stock_is_flagged_for_refund(session):
    order = place(session, cart_with(session, ("wool-beanie", 2)))
    orders.cancel_order(session, order.id, Source.SHOPPER, "closed", utcnow())
    place(session, cart_with(session, ("wool-beanie", 3)))  # someone else buys all three
    assert confirm(session, order) == "paid late without stock: needs refund"
    assert order.status == S.PAID_NEEDS_REFUND and order.needs_review
    assert stock(session, "wool-beanie") == 0
    assert "refund needed" in orders.history(session, order.id)[-1].detail


# -- the transition table --------------------------------------------------------------------------------------

ALL = [S.PENDING_PAYMENT, S.PAID, S.FULFILLED, S.CANCELLED, S.EXPIRED, S.REFUNDED, S.PAID_NEEDS_REFUND]
MOVES = {
    S.CANCELLED: lambda db, oid: orders.cancel_order(db, oid, Source.ADMIN, "test", utcnow()),
    S.EXPIRED: lambda db, oid: orders.expire_order(db, oid, Source.ADMIN, utcnow()),
    S.FULFILLED: lambda db, oid: orders.mark_fulfilled(db, oid, Source.ADMIN, utcnow()),
    S.REFUNDED: lambda db, oid: refund(db, oid, db.get(Order, oid).total) == "refunded",
}


@pytest.mark.parametrize("target", sorted(MOVES))
@pytest.mark.parametrize("start", ALL)
def test_every_transition_is_allowed_or_refused_by_the_table(session, start, target):
    order = place(session, cart_with(session, ("linen-notebook-a5", 1)))
    session.exec(orders.update(Order).where(Order.id == order.id).values(status=start))
    session.commit()
    moved = MOVES[target](session, order.id)
    session.commit()
    session.refresh(order)
    assert moved == (start in ALLOWED_FROM[target])
    assert order.status == (target if moved else start)


@pytest.mark.parametrize("start", ALL)
def test_only_confirmation_reaches_paid(session, start):
    order = place(session, cart_with(session, ("linen-notebook-a5", 1)))
    session.exec(orders.update(Order).where(Order.id == order.id).values(status=start))
    session.commit()
    confirm(session, order)
    expected = {S.PENDING_PAYMENT: S.PAID, S.CANCELLED: S.PAID, S.EXPIRED: S.PAID}.get(start, start)
    assert order.status == expected


def test_every_change_is_in_the_history(session):
    order = place(session, cart_with(session, ("linen-notebook-a5", 1)))
    confirm(session, order)
    orders.mark_fulfilled(session, order.id, Source.ADMIN, utcnow())
    refund(session, order.id, order.total)
    session.commit()
    assert kinds(session, order.id) == [("placed", "shopper"), ("paid", "webhook"), ("fulfilled", "admin"),
                                        ("refunded", "admin")]
    assert len(session.exec(select(OrderEvent)).all()) == 4
