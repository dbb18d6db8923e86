"""catalog search index: FTS5 trigram table on SQLite, pg_trgm GIN indexes on PostgreSQL; featured-order index

No SQLModel table changes (autogenerate finds nothing): these objects are dialect-specific and live outside the
metadata; pepestore/search_index.py creates the same for create_all. Why these indexes: pepestore/store/catalog.py.

Revision ID: d1a7c3e9f2b4
Revises: c4e8a1f2b3d5
Create Date: 2026-11-27 10:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd1a7c3e9f2b4'
down_revision: Union[str, Sequence[str], None] = 'c4e8a1f2b3d5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The catalog's default order, as pepestore/store/catalog.py writes it (constants inline: SQLite matches the
# expression exactly).
FEATURED = "CREATE INDEX IF NOT EXISTS ix_product_featured ON product ((CASE WHEN stock > 0 THEN 0 ELSE 1 END), id)"
SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5("
    "name, description, content='product', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS product_search_insert AFTER INSERT ON product BEGIN "
    "INSERT INTO product_search(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS product_search_delete AFTER DELETE ON product BEGIN "
    "INSERT INTO product_search(product_search, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS product_search_update AFTER UPDATE OF name, description ON product BEGIN "
    "INSERT INTO product_search(product_search, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); "
    "INSERT INTO product_search(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    # Index the products already there.
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
    FEATURED,
)
POSTGRES = (
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_product_name_trgm ON product USING gin (lower(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_product_description_trgm ON product USING gin (lower(description) gin_trgm_ops)",
    FEATURED,
)


def upgrade() -> None:
    """Upgrade schema."""
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    dialect = op.get_bind().dialect.name
    op.execute("DROP INDEX IF EXISTS ix_product_featured")
    if dialect == "sqlite":
        for trigger in ("product_search_insert", "product_search_delete", "product_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS product_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_product_description_trgm")
        op.execute("DROP INDEX IF EXISTS ix_product_name_trgm")
