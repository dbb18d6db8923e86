"""Staff managing products: create and edit with every field checked, unique slugs, price bounds, and the version
check that refuses the second of two saves made from the same read."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pepestore.models import Product, utcnow
from pepestore.staff_models import AuditEntry
from pepestore.store import cart, catalog, orders, products_admin, staff, stock
from pepestore.store.errors import StoreError
from pepestore.store.products_admin import STALE, slugify

FORM = {"name": "Poncho de Chiloé", "slug": "", "description": "Hand-woven wool.", "category": "Clothing",
        "price": "59.990", "published": "on"}


@pytest.fixture
def member(session):
    created = staff.create_staff(session, "ana@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    return created


def create(session, member, **changes):
    product = products_admin.create_product(session, {**FORM, **changes}, member, utcnow())
    session.commit()
    return product


def test_slugs_are_made_from_the_name_in_plain_ascii():
    assert slugify("Poncho de Chiloé") == "poncho-de-chiloe"
    assert slugify("  Té   Boldo -- Ñuble!! ") == "te-boldo-nuble"
    assert len(slugify("x" * 200)) == 80


def test_a_created_product_is_in_the_shop_with_no_stock_and_the_placeholder(session, member):
    product = create(session, member)
    assert (product.slug, product.price, product.stock, product.active, product.version) == \
        ("poncho-de-chiloe", 59990, 0, True, 1)
    assert product.image == products_admin.PLACEHOLDER_IMAGE
    assert catalog.get_product_by_slug(session, "poncho-de-chiloe") is not None
    assert stock.ledger_total(session, product.id) == 0
    assert session.exec(select(AuditEntry.action).where(AuditEntry.action == "product_created")).one()


@pytest.mark.parametrize("price, expected", [("1", 1), ("7000000", 7_000_000), ("$12.990", 12990), (4990, 4990)])
def test_prices_from_one_peso_to_seven_million(session, member, price, expected):
    assert create(session, member, price=price).price == expected


@pytest.mark.parametrize("changes", [
    {"price": "0"}, {"price": "7000001"}, {"price": "12,5"}, {"price": 12.5}, {"price": True}, {"price": "-5"},
    {"price": ""}, {"name": "x"}, {"name": "n" * 121}, {"category": ""}, {"slug": "Bad Slug"}, {"slug": "a--b"},
    {"slug": "-a"}, {"description": "d" * 2001}, {"published": "maybe"}, {"name": ["list"]},
])
def test_bad_fields_are_refused_and_nothing_is_written(session, member, changes):
    before = session.exec(select(Product.id)).all()
    with pytest.raises(StoreError):
        products_admin.create_product(session, {**FORM, **changes}, member, utcnow())
    session.rollback()
    assert session.exec(select(Product.id)).all() == before


def test_a_form_that_is_not_a_dict_is_refused(session, member):
    with pytest.raises(StoreError):
        products_admin.create_product(session, "name=x", member, utcnow())


def test_slugs_are_unique_on_create_and_on_edit(session, member):
    with pytest.raises(StoreError, match="ya usa la dirección /product/wool-beanie") as taken:
        products_admin.create_product(session, {**FORM, "slug": "wool-beanie"}, member, utcnow())
    assert taken.value.say("en") == \
        "Another product already uses the address /product/wool-beanie: choose another slug."
    session.rollback()
    product = create(session, member)
    with pytest.raises(StoreError, match="ya usa la dirección"):
        products_admin.update_product(session, product.id, 1, {**FORM, "slug": "wool-beanie"}, member, utcnow())


def test_an_edit_saves_bumps_the_version_and_is_audited(session, member):
    product = create(session, member)
    version = products_admin.update_product(session, product.id, 1, {**FORM, "price": "64990", "published": ""},
                                            member, utcnow())
    session.commit()
    fresh = session.exec(select(Product).where(Product.id == product.id)
                         .execution_options(populate_existing=True)).one()
    assert (version, fresh.version, fresh.price, fresh.active) == (2, 2, 64990, False)
    detail = session.exec(select(AuditEntry.detail).where(AuditEntry.action == "product_updated")).one()
    assert "price 59990 -> 64990" in detail and "published True -> False" in detail


def test_the_second_of_two_edits_from_the_same_version_is_refused(session, member):
    product = create(session, member)
    products_admin.update_product(session, product.id, 1, {**FORM, "name": "Poncho rojo"}, member, utcnow())
    session.commit()
    with pytest.raises(StoreError) as refused:
        products_admin.update_product(session, product.id, 1, {**FORM, "name": "Poncho azul"}, member, utcnow())
    assert refused.value.text.key == STALE and "changed by someone else" in refused.value.say("en")
    assert refused.value.message.startswith("Alguien más cambió este producto") and "recarga" in refused.value.message
    session.rollback()
    assert session.get(Product, product.id).name == "Poncho rojo"


def test_unpublished_products_leave_the_shop_but_not_past_orders(session, member):
    beanie = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    token = cart.add_item(session, "", beanie.id, 1).cart.token
    order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
    token2 = cart.add_item(session, "", beanie.id, 1).cart.token
    session.commit()
    products_admin.update_product(session, beanie.id, beanie.version,
                                  {"name": beanie.name, "slug": beanie.slug, "description": beanie.description,
                                   "category": beanie.category, "price": beanie.price, "published": False},
                                  member, utcnow())
    session.commit()
    assert catalog.get_product_by_slug(session, "wool-beanie") is None
    assert all(p.slug != "wool-beanie" for p in catalog.list_products(session, catalog.CatalogQuery(search="beanie")))
    assert [line.name for line in orders._lines(session, order.id)] == [beanie.name]  # past order still reads
    line = cart.load_cart(session, token2).lines[0]
    assert line.problem.say("en").startswith("No longer available")
    with pytest.raises(StoreError, match="ya no está disponible"):
        orders.place_order(session, token2, "ana@example.cl", None, utcnow())
    with pytest.raises(StoreError):
        cart.add_item(session, "", beanie.id, 1)
