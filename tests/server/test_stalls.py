"""Issue 17 E (stalls): what a serving process sets up so that no request waits for
housekeeping: WAL checkpoints on their own thread, never inside a commit, and the objects
loaded at start-up kept out of the cyclic collector's full collections."""

from __future__ import annotations

import gc

import pytest


def test_server_commits_never_checkpoint_and_a_thread_does(app, client, settings):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("WAL checkpoints are SQLite's")
    db = app.state.leonet.db
    assert db.checkpointer is not None and db.checkpointer.alive
    ((read,),) = db.quick(("PRAGMA wal_autocheckpoint", ()))[0]
    with db.write_sql() as tx:
        ((write,),) = tx.rows("PRAGMA wal_autocheckpoint")
    assert (read, write) == (0, 0)
    assert db.checkpointer.ran.wait(timeout=60), "no checkpoint within a minute"


def test_start_up_objects_are_frozen(client):
    # warm_up froze what was loaded; a permanent generation this small would mean it did not.
    assert gc.get_freeze_count() > 10_000
