"""The committed migrations, applied the way the start script applies them, produce exactly the models' schema."""

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import pepestore.models  # noqa: F401 - registers the tables on SQLModel.metadata
from pepestore.settings import PROJECT_ROOT


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "REFLEX_USE_NPM": "1"}
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    result = subprocess.run(
        [reflex, "db", "migrate"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def schema_differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
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
