"""Alembic migrations shipped inside the package (``migrations/``), run from Python.

`upgrade` brings a database to a revision (``"head"`` by default); `downgrade` goes back
(``"base"`` empties it). Both run in one transaction on PostgreSQL and SQLite.

Alembic is imported inside the functions that run it: it takes about 0.1 s to import, and
every `leonet` command imports this module at start-up (the CLI registers `leonet admin`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leonet.control.registry.db import MIGRATIONS_DIR, Database

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def _config(connection=None) -> Config:
    from alembic.config import Config  # slow import: see the module docstring

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory  # slow import: see the module docstring

    return ScriptDirectory.from_config(_config())


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate ``db`` up to ``revision``."""
    from alembic import command  # slow import: see the module docstring

    with db.write_engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(db: Database, revision: str = "base") -> None:
    """Migrate ``db`` down to ``revision`` (``"base"``: no tables left)."""
    from alembic import command  # slow import: see the module docstring

    with db.write_engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext  # slow import: see the docstring

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of leonet ships."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def all_revisions() -> list[str]:
    """Every shipped revision, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]
