"""Alembic migrations shipped inside the package (``migrations/``), run from Python.

`upgrade` brings a database to a revision (``"head"`` by default); `downgrade` goes back
(``"base"`` empties it). Both run in one transaction on PostgreSQL and SQLite.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from leonet.control.registry.db import MIGRATIONS_DIR, Database


def _config(db: Database, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate ``db`` up to ``revision``."""
    with db.write_engine.begin() as connection:
        command.upgrade(_config(db, connection), revision)


def downgrade(db: Database, revision: str = "base") -> None:
    """Migrate ``db`` down to ``revision`` (``"base"``: no tables left)."""
    with db.write_engine.begin() as connection:
        command.downgrade(_config(db, connection), revision)


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of leonet ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def all_revisions() -> list[str]:
    """Every shipped revision, oldest first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]
