from sqlmodel import select

from pepestore.models import Product
from pepestore.store import catalog
from pepestore.store.catalog import CatalogQuery
from pepestore.store.catalog_data import SEED_PRODUCTS
from pepestore.store.seed import seed_catalog
from tests.search_cases import check_paging, check_search


def names(products):
    return [p.name for p in products]


def test_seed_meets_the_catalog_brief(session):
    products = catalog.list_products(session, CatalogQuery())
    assert len(products) >= 24
    assert len(catalog.list_categories(session)) >= 6
    assert any(p.stock == 0 for p in products)
    assert sum(1 for p in products if 0 < p.stock <= 5) >= 3
    assert all(isinstance(p.price, int) and p.price > 0 for p in products)


def test_seed_is_idempotent_and_never_overwrites(session):
    mug = session.exec(select(Product).where(Product.slug == "ceramic-mug-terracotta")).one()
    mug.stock = 1
    session.commit()
    assert seed_catalog(session) == 0
    session.commit()
    assert session.exec(select(Product).where(Product.slug == "ceramic-mug-terracotta")).one().stock == 1
    assert len(session.exec(select(Product)).all()) == len(SEED_PRODUCTS)


def test_every_seed_image_is_shipped():
    from pepestore.settings import PROJECT_ROOT

    for item in SEED_PRODUCTS:
        assert (PROJECT_ROOT / "assets" / item.image.lstrip("/")).is_file(), item.image


def test_search_matches_name_and_description_case_insensitively(session):
    assert names(catalog.list_products(session, CatalogQuery(search="TEAPOT"))) == ["Cast Iron Teapot"]
    # "Chiloé" appears only in the cushion's description and name; "feria" only in the tote's description.
    assert names(catalog.list_products(session, CatalogQuery(search="feria"))) == ["Canvas Tote Bag"]


def test_search_treats_like_wildcards_as_text(session):
    assert catalog.list_products(session, CatalogQuery(search="%")) == []
    assert catalog.list_products(session, CatalogQuery(search="_")) == []


def test_category_filter_uses_the_data(session):
    plants = catalog.list_products(session, CatalogQuery(category="Plants"))
    assert plants and {p.category for p in plants} == {"Plants"}
    assert catalog.list_products(session, CatalogQuery(category="Weapons")) == []


def test_sorts(session):
    by_price = catalog.list_products(session, CatalogQuery(sort="price_asc"))
    assert [p.price for p in by_price] == sorted(p.price for p in by_price)
    by_price_desc = catalog.list_products(session, CatalogQuery(sort="price_desc"))
    assert [p.price for p in by_price_desc] == sorted((p.price for p in by_price), reverse=True)
    by_name = catalog.list_products(session, CatalogQuery(sort="name"))
    assert names(by_name) == sorted(names(by_name))
    featured = catalog.list_products(session, CatalogQuery())
    in_stock = [p.stock > 0 for p in featured]
    assert in_stock == sorted(in_stock, reverse=True), "sold-out products come last"


def test_inactive_products_are_hidden(session):
    mug = session.exec(select(Product).where(Product.slug == "ceramic-mug-terracotta")).one()
    mug.active = False
    session.commit()
    assert "Terracotta Ceramic Mug" not in names(catalog.list_products(session, CatalogQuery()))
    assert catalog.get_product_by_slug(session, "ceramic-mug-terracotta") is None


def test_query_round_trips_through_the_url():
    query = CatalogQuery(search="mug", category="Home", sort="price_desc")
    assert CatalogQuery.from_params(query.to_params()) == query
    assert CatalogQuery().to_params() == {}


def test_malformed_url_params_fall_back_to_the_default_view():
    query = CatalogQuery.from_params({"q": ["a", "b"], "category": 5, "sort": "drop table"})
    assert query == CatalogQuery()
    long = CatalogQuery.from_params({"q": "x" * 500, "category": "  Home  "})
    assert len(long.search) == catalog.MAX_SEARCH_LENGTH
    assert long.category == "Home"


def test_product_by_slug(session):
    assert catalog.get_product_by_slug(session, "cast-iron-teapot").name == "Cast Iron Teapot"
    for bad in ("no-such-thing", "", None, 42, "x" * 300):
        assert catalog.get_product_by_slug(session, bad) is None


def test_search_on_sqlite_uses_fts5_and_handles_special_characters(session):
    check_search(session)


def test_sqlite_search_reads_the_fts5_index(session):
    from sqlalchemy import text

    plan = session.connection().execute(text(
        "EXPLAIN QUERY PLAN SELECT rowid FROM product_search WHERE product_search MATCH '\"mug\"'")).all()
    assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan), plan


def test_pages_of_24_in_a_stable_order(session):
    check_paging(session)


def test_page_numbers_from_urls():
    parse = catalog.parse_page
    assert [parse(v) for v in (None, "", "1", "2", "0", "-1", "2.5", "x", "٣", ["2"], 3)] == [
        1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1]
    assert parse("9" * 50) == catalog.MAX_PAGE
    assert CatalogQuery.from_params({"page": "3", "q": " mug ", "sort": "name"}).to_params() == {
        "q": "mug", "sort": "name", "page": "3"}
    assert CatalogQuery.from_params({"page": "1"}).to_params() == {}


def test_pager_numbers():
    assert catalog.page_numbers(1, 1) == [1]
    assert catalog.page_numbers(1, 3) == [1, 2, 3]
    assert catalog.page_numbers(7, 20) == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert catalog.page_numbers(1, 20) == [1, 2, 3, None, 20]
    assert catalog.page_numbers(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]


def test_the_default_order_reads_its_index(session):
    from sqlmodel import select as sm_select

    statement = sm_select(Product.id).where(*catalog._filters(session, CatalogQuery())).order_by(
        *catalog._order("featured")).limit(24)
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    assert any("ix_product_featured" in row[-1] for row in plan), plan
    assert not any("TEMP B-TREE" in row[-1] for row in plan), plan


def test_categories_are_those_with_a_published_product(session):
    assert catalog.list_categories(session) == sorted({item.category for item in SEED_PRODUCTS})
    for plant in session.exec(select(Product).where(Product.category == "Plants")).all():
        plant.active = False
    session.commit()
    assert "Plants" not in catalog.list_categories(session)
    assert catalog.list_categories(session) == sorted(set(catalog.list_categories(session)))
