"""Cart rules that depend on the database engine, proven on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import CartLine, Product
from pepestore.store import cart
from pepestore.store.errors import StoreError


def test_cart_round_trip_on_postgres(pg_engine):
    with session_scope() as session:
        pen = session.exec(select(Product).where(Product.slug == "brass-fountain-pen")).one()
        token = cart.add_item(session, "", pen.id, 2).cart.token
    with session_scope() as session:
        view = cart.load_cart(session, token)
    assert [(line.name, line.quantity, line.unit_price) for line in view.lines] == [("Brass Fountain Pen", 2, 27990)]


def test_two_tabs_adding_the_same_product_at_once_share_one_line(pg_engine):
    with session_scope() as session:
        tee = session.exec(select(Product).where(Product.slug == "organic-cotton-tee")).one()
        token = cart.add_item(session, "", session.get(Product, 1).id, 1).cart.token
    barrier = Barrier(6)

    def add_one_tee():
        barrier.wait()
        try:
            with session_scope() as session:
                cart.add_item(session, token, tee.id, 1)
            return "ok"
        except StoreError as refusal:
            return refusal.message

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _: add_one_tee(), range(6)))
    assert outcomes == ["ok"] * 6
    with Session(pg_engine) as session:
        tee_lines = session.exec(select(CartLine).where(CartLine.product_id == tee.id)).all()
    assert len(tee_lines) == 1
    assert tee_lines[0].quantity == 6, "the cart row lock must keep every increment"
