"""Migrations up and down, on SQLite and (in CI) PostgreSQL; the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from leonet.cli import main
from leonet.control.registry import Database, migrate
from leonet.control.registry.models import ApiToken, Base, PolicyVersion, Principal

TABLES = {"audit_head", "audit_log", "api_tokens", "sponsors", "accounts", "terminals",
          "funding_agreements", "whitelist_verifications", "transfers", "transfer_rules",
          "policy_versions", "policy_activations", "telemetry_batches", "detection_runs",
          "incidents", "suspension_requests", "principals"}
DETECTION_TABLES = {"telemetry_batches", "detection_runs", "incidents", "suspension_requests"}


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
    migrate.downgrade(db, "0001")
    assert db.table_names() - {"alembic_version"} == TABLES - DETECTION_TABLES - {"principals"}
    migrate.upgrade(db)
    assert db.table_names() - {"alembic_version"} == TABLES
    db.dispose()


def test_models_describe_the_migrated_schema(db):
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_cli_migrate_down_and_up(database_url, capsys):
    assert main(["admin", "migrate", "--db", database_url]) == 0
    assert "empty -> 0003" in capsys.readouterr().out
    assert main(["admin", "migrate", "base", "--db", database_url]) == 0
    assert "0003 -> empty" in capsys.readouterr().out
    assert main(["admin", "migrate", "nope", "--db", database_url]) == 2
    assert "unknown revision 'nope'" in capsys.readouterr().err


def test_0003_turns_each_subject_into_one_principal(database_url):
    """Tokens issued before principals existed: each subject becomes a principal, names that
    differ only in case or width are one principal, and policy authors are linked."""
    db = Database(database_url)
    migrate.upgrade(db, "0002")
    now = "2026-01-01 00:00:00.000000"
    with db.write_engine.begin() as conn:
        for i, subject in enumerate(("Author-1", "author-1", "ＡＵＴＨＯＲ-1", "approver"), 1):
            conn.execute(text("INSERT INTO api_tokens (id, secret_sha256, subject, role, "
                              "created_at) VALUES (:i, :h, :s, 'policy_author', :t)"),
                         {"i": i, "h": "0" * 64, "s": subject, "t": now})
        conn.execute(text("INSERT INTO policy_versions (label, format, document, sha256, "
                          "author, comment, uploaded_at) VALUES ('p1', 'toml', '', :h, "
                          "'author-1', '', :t)"), {"h": "0" * 64, "t": now})
    migrate.upgrade(db)
    with db.read() as s:
        people = {p.name_key: p for p in s.query(Principal)}
        owners = [t.principal_id for t in s.query(ApiToken).order_by(ApiToken.id)]
        author = s.query(PolicyVersion).one().author_principal_id
    assert sorted(people) == ["approver", "author-1"]
    assert owners == [people["author-1"].id] * 3 + [people["approver"].id]
    assert author == people["author-1"].id
    assert all(p.created_by == "migration 0003" for p in people.values())
    db.dispose()


def test_cli_principals_and_tokens(database_url, capsys):
    assert main(["admin", "bootstrap", "--db", database_url, "--subject", "root"]) == 0
    assert main(["admin", "create-principal", "ci-robot", "--kind", "service",
                 "--db", database_url]) == 0
    assert "principal 2: 'ci-robot' (service)" in capsys.readouterr().out
    assert main(["admin", "create-principal", "CI-Robot", "--db", database_url]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["admin", "create-principal", "x", "--kind", "robot", "--db",
                 database_url]) == 2
    assert "kind" in capsys.readouterr().err
    assert main(["admin", "create-token", "--role", "support", "--principal-id", "2",
                 "--db", database_url]) == 0
    assert "for 'ci-robot'" in capsys.readouterr().out
