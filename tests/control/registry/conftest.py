"""A fresh registry database per test: a SQLite file, or, when LEONET_TEST_DATABASE_URL
names a PostgreSQL database (as `.ci/run` does), a fresh schema in it."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from leonet.control.registry import Database, migrate
from leonet.control.registry.audit import Actor

ENV_TEST_DATABASE = "LEONET_TEST_DATABASE_URL"
ADMIN = Actor(subject="alice", role="admin")


def _postgres_url(base: str) -> tuple[str, callable]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1)
                          if base.startswith("postgresql://") else base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


@pytest.fixture
def database_url(tmp_path) -> str:
    """URL of an empty database (not yet migrated)."""
    base = os.environ.get(ENV_TEST_DATABASE)
    if not base:
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    url, drop = _postgres_url(base)
    yield url
    drop()


@pytest.fixture
def db(database_url) -> Database:
    """A migrated, empty registry."""
    database = Database(database_url)
    migrate.upgrade(database)
    yield database
    database.dispose()
