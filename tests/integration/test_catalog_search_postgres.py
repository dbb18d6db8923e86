"""Catalog search and paging on PostgreSQL: the same answers as on SQLite, served by the trigram indexes."""

from sqlalchemy import text
from sqlmodel import Session, select

from pepestore.models import Product
from pepestore.store import catalog
from pepestore.store.catalog import CatalogQuery
from tests.search_cases import check_paging, check_search


def test_search_on_postgres_handles_special_characters(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        check_search(session)


def test_pages_of_24_in_a_stable_order(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        check_paging(session)


def test_search_and_the_default_order_use_their_indexes(pg_engine):
    with pg_engine.begin() as conn:
        # A catalog large enough that the planner picks the index on its own (no enable_seqscan tricks).
        # Building 100 000 rows and their trigram entries can outlast the app's 10 s statement timeout on a busy
        # 2-core machine; the timeout guards the shop's requests, not this fixture.
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        conn.execute(text(
            "INSERT INTO product (slug, name, description, category, price, stock, image, active, version, updated_at) "
            "SELECT 'copy-' || n, 'Hand-glazed stoneware mug ' || n, "
            "'Stoneware mug, 350 ml, with a wide handle that stays cool. Dishwasher safe. ' || n, "
            "'Home', 1000, 1, '/x.webp', true, 1, now() FROM generate_series(1, 100000) AS n"))
        conn.execute(text("ANALYZE product"))
    with Session(pg_engine) as session:
        query = select(Product.id).where(*catalog._filters(session, CatalogQuery(search="teapot")))
        compiled = query.compile(pg_engine, compile_kwargs={"literal_binds": True})
        # The app's own statement, its pattern inlined as psycopg would send it.
        plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "ix_product_name_trgm" in plan and "ix_product_description_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
    with Session(pg_engine) as session:
        first_page = select(Product.id).where(*catalog._filters(session, CatalogQuery())).order_by(
            *catalog._order("featured")).limit(24)
        compiled = first_page.compile(pg_engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "ix_product_featured" in plan and "Sort" not in plan, plan
