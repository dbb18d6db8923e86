import pytest
from sqlmodel import select

from pepestore.models import Cart, CartLine, Product
from pepestore.store import cart
from pepestore.store.errors import StoreError


def product(session, slug) -> Product:
    return session.exec(select(Product).where(Product.slug == slug)).one()


def lines(session):
    return session.exec(select(CartLine)).all()


def test_first_add_creates_a_cart_with_an_opaque_token(session):
    mug = product(session, "ceramic-mug-terracotta")
    change = cart.add_item(session, "", mug.id, 2)
    session.commit()
    assert cart.is_well_formed_token(change.cart.token)
    assert change.notice is None
    assert change.product_name == mug.name
    assert [(line.product_id, line.quantity) for line in change.cart.lines] == [(mug.id, 2)]
    assert change.cart.subtotal == 2 * mug.price
    assert change.cart.item_count == 2


def test_adding_again_accumulates_on_one_line(session):
    mug = product(session, "ceramic-mug-terracotta")
    token = cart.add_item(session, "", mug.id, 1).cart.token
    view = cart.add_item(session, token, mug.id, 3).cart
    assert [line.quantity for line in view.lines] == [4]
    assert len(lines(session)) == 1


def test_prices_always_come_from_the_catalog(session):
    mug = product(session, "ceramic-mug-terracotta")
    token = cart.add_item(session, "", mug.id, 2).cart.token
    mug.price = 9990
    session.commit()
    view = cart.load_cart(session, token)
    assert view.lines[0].unit_price == 9990
    assert view.subtotal == 19980


def test_quantity_is_clamped_to_stock_with_a_reason(session):
    teapot = product(session, "cast-iron-teapot")  # 3 in stock
    change = cart.add_item(session, "", teapot.id, 5)
    assert change.cart.lines[0].quantity == 3
    assert change.notice.say("en") == "Only 3 of Cast Iron Teapot in stock, so your cart has 3."


def test_adding_past_stock_when_already_at_stock_is_refused(session):
    teapot = product(session, "cast-iron-teapot")
    token = cart.add_item(session, "", teapot.id, 3).cart.token
    with pytest.raises(StoreError, match="ya tiene 3"):
        cart.add_item(session, token, teapot.id, 1)


def test_quantity_is_clamped_to_the_per_line_limit(session):
    tee = product(session, "organic-cotton-tee")  # 50 in stock, limit 20
    token = cart.add_item(session, "", tee.id, 15).cart.token
    change = cart.add_item(session, token, tee.id, 15)
    assert change.cart.lines[0].quantity == 20
    assert "up to 20" in change.notice.say("en") and "hasta 20" in str(change.notice)


def test_sold_out_products_cannot_be_added(session):
    dripper = product(session, "pour-over-dripper")
    with pytest.raises(StoreError, match="agotado"):
        cart.add_item(session, "", dripper.id, 1)
    assert session.exec(select(Cart)).all() == []


@pytest.mark.parametrize("bad_id", [999999, 0, -1, "abc", None, 1.5, [1], True])
def test_unknown_products_are_refused(session, bad_id):
    with pytest.raises(StoreError, match="Ese producto no existe"):
        cart.add_item(session, "", bad_id, 1)


@pytest.mark.parametrize("bad_quantity", [0, -1, 21, 10**30, 1.5, "two", None, [], True])
def test_bad_quantities_are_refused(session, bad_quantity):
    mug = product(session, "ceramic-mug-terracotta")
    with pytest.raises(StoreError, match="La cantidad debe ser"):
        cart.add_item(session, "", mug.id, bad_quantity)
    assert lines(session) == []


def test_inactive_products_are_refused(session):
    mug = product(session, "ceramic-mug-terracotta")
    mug.active = False
    session.commit()
    with pytest.raises(StoreError, match="no existe"):
        cart.add_item(session, "", mug.id, 1)


def test_set_quantity_and_remove(session):
    mug = product(session, "ceramic-mug-terracotta")
    pen = product(session, "brass-fountain-pen")  # 7 in stock
    token = cart.add_item(session, "", mug.id, 1).cart.token
    cart.add_item(session, token, pen.id, 1)
    change = cart.set_quantity(session, token, pen.id, 9)
    assert {l.product_id: l.quantity for l in change.cart.lines} == {mug.id: 1, pen.id: 7}
    assert "Only 7" in change.notice.say("en")
    view = cart.remove_item(session, token, mug.id).cart
    assert [l.product_id for l in view.lines] == [pen.id]


def test_changes_to_lines_not_in_the_cart_are_refused(session):
    mug = product(session, "ceramic-mug-terracotta")
    pen = product(session, "brass-fountain-pen")
    token = cart.add_item(session, "", mug.id, 1).cart.token
    with pytest.raises(StoreError, match="ya no está en tu carrito"):
        cart.set_quantity(session, token, pen.id, 2)
    with pytest.raises(StoreError, match="ya no está en tu carrito"):
        cart.remove_item(session, token, pen.id)
    with pytest.raises(StoreError, match="La cantidad debe ser"):
        cart.set_quantity(session, token, mug.id, 0)


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "!", None, 12, "A" * 43])
def test_unknown_or_malformed_tokens_read_as_an_empty_cart(session, token):
    view = cart.load_cart(session, token)
    assert view.token == "" and view.lines == []


def test_a_tampered_token_never_reaches_another_cart(session):
    mug = product(session, "ceramic-mug-terracotta")
    token = cart.add_item(session, "", mug.id, 1).cart.token
    session.commit()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(StoreError, match="ya no está en tu carrito"):
        cart.remove_item(session, tampered, mug.id)
    # Adding with a tampered token starts a separate cart and leaves the real one alone.
    other = cart.add_item(session, tampered, mug.id, 2).cart
    assert other.token not in (token, tampered)
    assert cart.load_cart(session, token).lines[0].quantity == 1


def test_lines_whose_stock_fell_explain_the_problem(session):
    teapot = product(session, "cast-iron-teapot")
    token = cart.add_item(session, "", teapot.id, 3).cart.token
    teapot.stock = 1
    session.commit()
    assert cart.load_cart(session, token).lines[0].problem.say("en") == "Only 1 left — lower the quantity."
    teapot.stock = 0
    session.commit()
    assert "Sold out" in cart.load_cart(session, token).lines[0].problem.say("en")
