"""Issue 17 E (stalls): with ``background_checkpoints`` no commit checkpoints the SQLite WAL;
a thread of its own does, with PASSIVE checkpoints that nobody waits for."""

from __future__ import annotations

import pytest

from leonet.control.registry import Database, migrate, terminals
from leonet.control.registry.db import WalCheckpointer, checkpoint

from .conftest import ADMIN
from .test_registry import _world

# SQLite's documented default (SQLite docs, "PRAGMA wal_autocheckpoint").
SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000


def _sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("WAL checkpoints are SQLite's; PostgreSQL has none to move")


def _autocheckpoint(db: Database) -> tuple[int, int, int]:
    """``PRAGMA wal_autocheckpoint`` on the read path, the raw write path and the ORM one."""
    ((read,),) = db.quick(("PRAGMA wal_autocheckpoint", ()))[0]
    with db.write_sql() as tx:
        ((write_sql,),) = tx.rows("PRAGMA wal_autocheckpoint")
    with db.write() as session:
        write = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    return read, write_sql, write


def test_commands_keep_sqlite_automatic_checkpoints(database_url):
    _sqlite_only(database_url)
    db = Database(database_url)
    migrate.upgrade(db)
    try:
        assert _autocheckpoint(db) == (SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES,) * 3
        assert db.checkpointer is None
    finally:
        db.dispose()


def test_background_checkpoints_take_checkpoints_off_every_commit(database_url):
    _sqlite_only(database_url)
    db = Database(database_url, background_checkpoints=True)
    migrate.upgrade(db)
    try:
        assert _autocheckpoint(db) == (0, 0, 0)
        _world(db)
        for version in range(1, 6):
            with db.write_sql() as tx:
                terminals.update_sql(tx, ADMIN, "UT-1", version, kit_type=f"k{version}")
        # Nothing has copied the log back yet: every committed page is still in the WAL.
        connection = db._detached_connection()
        try:
            pending = checkpoint(connection)
        finally:
            connection.close()
        assert not pending.busy
        assert pending.log_frames > 0
        assert pending.checkpointed_frames == pending.log_frames
    finally:
        db.dispose()


def test_checkpoint_thread_runs_and_stops(database_url):
    _sqlite_only(database_url)
    db = Database(database_url, background_checkpoints=True)
    migrate.upgrade(db)
    checkpointer = db.checkpointer
    db.start_checkpoints()
    try:
        assert checkpointer.alive
        _world(db)
        assert checkpointer.ran.wait(timeout=60), "no checkpoint within a minute"
        assert checkpointer.runs >= 1
    finally:
        db.dispose()
    assert not checkpointer.alive
    assert db.checkpointer is not checkpointer  # a fresh one, for a later start


def test_checkpoints_do_nothing_on_postgresql(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    db = Database(database_url, background_checkpoints=True)
    db.start_checkpoints()
    assert db.checkpointer is None
    db.dispose()


def test_a_wal_the_checkpoints_cannot_keep_short_gets_a_restart_checkpoint(database_url):
    # A bound of 0 pages stands in for a disk slower than the writes.
    _sqlite_only(database_url)
    db = Database(database_url, background_checkpoints=True)
    migrate.upgrade(db)
    checkpointer = WalCheckpointer(db._detached_connection, interval_s=0.01,
                                   writer_lock=db._writer_lock, restart_frames=0)
    _world(db)
    checkpointer.start()
    try:
        assert checkpointer.ran.wait(timeout=60), "no checkpoint within a minute"
        assert checkpointer.restarts >= 1
    finally:
        checkpointer.stop()
        db.dispose()
