"""The committed migrations, applied the way the start script applies them, produce exactly the models' schema."""

import os
import subprocess
import sys
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import pepestore.models  # noqa: F401 - registers the tables on SQLModel.metadata
from pepestore.search_index import SEARCH_INDEXES, SEARCH_OBJECT_PREFIX
from pepestore.settings import PROJECT_ROOT


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "REFLEX_USE_NPM": "1"}
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    result = subprocess.run(
        [reflex, "db", "migrate"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _not_search(name, type_, _parent_names) -> bool:
    """The search index's objects are made outside the metadata (pepestore/search_index.py): its FTS5 tables
    on SQLite, its trigram indexes on PostgreSQL."""
    return not (name and (name.startswith(SEARCH_OBJECT_PREFIX) or name in SEARCH_INDEXES))


def schema_differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _not_search})
            with warnings.catch_warnings():
                # SQLite's reflection cannot read ix_product_featured (an expression index): skipped, as wanted.
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
                return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_fresh_sqlite_file_reaches_the_models_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    assert schema_differences(url) == []
    migrate(url)  # a second start finds nothing to do
    assert schema_differences(url) == []


def test_fresh_postgres_database_reaches_the_models_schema(postgres_url):
    migrate(postgres_url)
    assert schema_differences(postgres_url) == []


def test_an_existing_sqlite_store_from_the_first_release_upgrades_with_its_data(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "8cb6e1c4816c")  # the first release: catalog and carts only
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO product (slug, name, description, category, price, stock, image, active) "
                          "VALUES ('old-mug', 'Old Mug', 'x', 'Home', 5990, 4, '/x.webp', 1)"))
        conn.execute(text("INSERT INTO cart (token, created_at, updated_at) VALUES ('t', '2026-01-01', '2026-01-01')"))
        conn.execute(text("INSERT INTO cart_line (cart_id, product_id, quantity, added_at) VALUES (1, 1, 2, '2026-01-01')"))
    engine.dispose()
    migrate(url)
    assert schema_differences(url) == []
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, stock FROM product")).all() == [("Old Mug", 4)]
        assert conn.execute(text("SELECT quantity FROM cart_line")).scalar_one() == 2
        assert conn.execute(text("SELECT revision FROM cart")).scalar_one() == 0
    engine.dispose()


def test_the_stock_ledger_opens_with_each_existing_products_stock(tmp_path):
    """Migration e973c3666ce0 backfills one opening row per product: the ledger adds up to the stock at once."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'before-ledger.db'}"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "c4e8a1f2b3d5")
    engine = create_engine(url)
    with engine.begin() as conn:
        for slug, stock in (("a", 4), ("b", 0)):
            conn.execute(text("INSERT INTO product (slug, name, description, category, price, stock, image, active) "
                              f"VALUES ('{slug}', 'P', 'x', 'Home', 5990, {stock}, '/x.webp', 1)"))
    engine.dispose()
    migrate(url)
    assert schema_differences(url) == []
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT p.slug, p.stock, p.version, SUM(m.delta) FROM product p JOIN stock_movement m "
                                 "ON m.product_id = p.id GROUP BY p.id ORDER BY p.slug")).all()
        assert rows == [("a", 4, 1, 4), ("b", 0, 1, 0)]
    engine.dispose()


def test_sqlite_search_survives_the_migration_that_rebuilds_product(tmp_path):
    """e973c3666ce0 rebuilds `product` in batch mode on SQLite, which drops its triggers: search must still follow
    renames afterwards and the featured-order index must still exist."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'search.db'}"
    migrate(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        names = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')"))}
        assert {"product_search_insert", "product_search_update", "product_search_delete",
                "ix_product_featured"} <= names
        conn.execute(text("INSERT INTO product (slug, name, description, category, price, stock, image, active, "
                          "version, updated_at) VALUES ('m', 'Old Mug', 'x', 'Home', 5990, 4, '/x.webp', 1, 1, "
                          "'2026-01-01')"))
        conn.execute(text("UPDATE product SET name = 'Blue Teapot' WHERE slug = 'm'"))
        found = conn.execute(text("SELECT rowid FROM product_search WHERE product_search MATCH '\"teapot\"'")).all()
        assert len(found) == 1
        assert conn.execute(text("SELECT count(*) FROM product_search WHERE product_search MATCH '\"old mug\"'")
                            ).scalar_one() == 0
    engine.dispose()
