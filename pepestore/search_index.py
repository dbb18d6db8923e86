"""The database objects that make catalog search an index lookup (why these: see pepestore/store/catalog.py), and
the index that serves the catalog's default order, so the first page costs the same at 28 or 100 000 products.

They live outside SQLModel's metadata (a virtual table, expression indexes with operator classes), so they are
created here: after `product` by create_all (tests, scratch databases) and by migration d1a7c3e9f2b4. The
migration keeps its own copy of this SQL, as migrations must not change when this module does.

SQLite: the FTS5 table is kept in step by triggers on `product`. A later migration that rebuilds `product` (alembic
batch mode on SQLite copies it to a new table and drops the old one) drops those triggers with it: such a migration
must call `op.execute` on SQLITE_SEARCH_DDL's triggers again and rebuild the index.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import Table

# The "featured" order (in stock first, then by id), written exactly as the query writes it (constants inline, not
# bound), since SQLite only uses an expression index for the identical expression.
FEATURED_ORDER_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_product_featured ON product ((CASE WHEN stock > 0 THEN 0 ELSE 1 END), id)")

SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5("
    "name, description, content='product', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS product_search_insert AFTER INSERT ON product BEGIN "
    "INSERT INTO product_search(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS product_search_delete AFTER DELETE ON product BEGIN "
    "INSERT INTO product_search(product_search, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); END",
    # Only name and description: stock and price changes (every sale) leave the index alone.
    "CREATE TRIGGER IF NOT EXISTS product_search_update AFTER UPDATE OF name, description ON product BEGIN "
    "INSERT INTO product_search(product_search, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); "
    "INSERT INTO product_search(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
    FEATURED_ORDER_DDL,
)

POSTGRES_SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_product_name_trgm ON product USING gin (lower(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_product_description_trgm ON product USING gin (lower(description) gin_trgm_ops)",
    FEATURED_ORDER_DDL,
)

# Names schema comparisons skip: they are not in SQLModel's metadata.
SEARCH_OBJECT_PREFIX = "product_search"
SEARCH_INDEXES = ("ix_product_name_trgm", "ix_product_description_trgm", "ix_product_featured")


def create_search_index(connection: Connection) -> None:
    statements = {"sqlite": SQLITE_SEARCH_DDL, "postgresql": POSTGRES_SEARCH_DDL}.get(connection.dialect.name, ())
    for statement in statements:
        connection.execute(text(statement))


def attach(product_table: Table) -> None:
    @event.listens_for(product_table, "after_create")
    def _after_create(_table, connection, **_kw):
        create_search_index(connection)
