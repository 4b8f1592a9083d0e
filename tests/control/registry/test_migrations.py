"""Migrations up and down, on SQLite and (in CI) PostgreSQL; the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from leonet.cli import main
from leonet.control.registry import Database, migrate
from leonet.control.registry.models import Base

TABLES = {"audit_head", "audit_log", "api_tokens", "sponsors", "accounts", "terminals",
          "funding_agreements", "whitelist_verifications", "transfers", "transfer_rules",
          "policy_versions", "policy_activations"}


def test_up_down_up(database_url):
    db = Database(database_url)
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert db.table_names() - {"alembic_version"} == TABLES
    migrate.downgrade(db, "base")
    assert migrate.current_revision(db) is None
    assert db.table_names() - {"alembic_version"} == set()
    migrate.upgrade(db)
    assert db.table_names() - {"alembic_version"} == TABLES
    db.dispose()


def test_models_describe_the_migrated_schema(db):
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_cli_migrate_down_and_up(database_url, capsys):
    assert main(["admin", "migrate", "--db", database_url]) == 0
    assert "empty -> 0001" in capsys.readouterr().out
    assert main(["admin", "migrate", "base", "--db", database_url]) == 0
    assert "0001 -> empty" in capsys.readouterr().out
    assert main(["admin", "migrate", "nope", "--db", database_url]) == 2
    assert "unknown revision 'nope'" in capsys.readouterr().err
