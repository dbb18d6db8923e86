"""Open shop pages follow the catalog: the signal they poll moves with every stock movement and product edit, and a
changed product is shown with its new price and stock, or leaves the page once unpublished."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pepestore.models import Product, utcnow
from pepestore.state import live as live_state
from pepestore.state.product_view import product_view
from pepestore.store import cart, live, orders, products_admin, staff, stock


@pytest.fixture
def member(session):
    created = staff.create_staff(session, "ana@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    return created


def edit(session, member, product, **changes):
    data = {"name": product.name, "slug": product.slug, "description": product.description,
            "category": product.category, "price": product.price, "published": product.active, **changes}
    products_admin.update_product(session, product.id, product.version, data, member, utcnow())
    session.commit()


def test_the_signal_moves_with_orders_adjustments_and_edits(session, member):
    beanie = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    seen = [live.catalog_signal(session)]
    token = cart.add_item(session, "", beanie.id, 1).cart.token
    orders.place_order(session, token, "ana@example.cl", None, utcnow())
    session.commit()
    seen.append(live.catalog_signal(session))
    stock.adjust(session, beanie.id, 3, "received", "", member, utcnow())
    session.commit()
    seen.append(live.catalog_signal(session))
    edit(session, member, beanie, price=9990)
    seen.append(live.catalog_signal(session))
    assert len(set(seen)) == 4
    assert live.catalog_signal(session) == seen[-1]  # and stays put while nothing changes


def test_views_take_the_new_price_and_stock_and_unpublished_products_leave(session, member):
    products = list(session.exec(select(Product).order_by(Product.id).limit(3)))
    views = [product_view(p) for p in products]
    edit(session, member, products[0], price=1234)
    stock.adjust(session, products[1].id, -products[1].stock, "damaged", "", member, utcnow())
    edit(session, member, products[2], published=False)
    session.commit()
    now = live.fresh(session, [v.id for v in views])
    shown = live_state.updated_catalog(views, now)
    assert [v.id for v in shown] == [products[0].id, products[1].id]
    assert shown[0].price == "$1.234" and shown[1].stock == 0 and shown[1].stock_label == "Out of stock"
    assert views[0].price != "$1.234"  # the old views are not mutated in place: Reflex sees new values
    assert live_state.updated_product(views[2], now) is None
    assert live_state.updated_product(views[0], now).price == "$1.234"
    assert live.fresh(session, ["x", None]) == {}


async def test_tabs_share_one_database_read_per_interval(monkeypatch):
    reads = []
    monkeypatch.setattr(live_state, "_read_signal", lambda: reads.append(1) or (len(reads), "t"))
    monkeypatch.setattr(live_state, "_signal", (0.0, None))
    answers = [await live_state._shared_signal() for _ in range(50)]
    assert reads == [1] and set(answers) == {(1, "t")}
