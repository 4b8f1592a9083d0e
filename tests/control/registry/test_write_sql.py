"""The raw-SQL write path (`Database.write_sql`, `terminals.update_sql`) against the ORM one:
the same rules, the same stored rows, the same audit entries, all or nothing."""

from __future__ import annotations

import re

import pytest

from leonet.control.registry import audit, terminals
from leonet.control.registry.audit import Actor
from leonet.control.registry.cache import RegistryCache
from leonet.control.registry.errors import (
    NotFoundError,
    RuleViolationError,
    VersionConflictError,
)
from leonet.control.registry.models import AuditEntry
from leonet.errors import InputError

from .conftest import ADMIN
from .test_registry import _world

COLUMNS = ("id", *terminals.FIELDS, "updated_at", "version")
SPONSOR_2 = Actor(subject="gov-2-staff", role="sponsor", sponsor_id="gov-2")


def _orm(db, actor, terminal_id, version, **values):
    with db.write() as s:
        row = terminals.update(s, actor, terminal_id, version, **values)
        return {name: getattr(row, name) for name in COLUMNS}


def _sql(db, actor, terminal_id, version, **values):
    with db.write_sql() as tx:
        return terminals.update_sql(tx, actor, terminal_id, version, **values)


PATHS = {"orm": _orm, "sql": _sql}


def _stored(db, terminal_id):
    with db.read() as s:
        row = terminals.get(s, ADMIN, terminal_id)
        return {name: getattr(row, name) for name in COLUMNS}


def _entries(db):
    with db.read() as s:
        return audit.entries_after(s, 0)


@pytest.mark.parametrize("path", PATHS)
def test_both_paths_store_and_log_the_same(db, path):
    _world(db)
    update = PATHS[path]
    before = len(_entries(db))
    returned = update(db, ADMIN, "UT-2", 1, status="active", account_id="ACC-B",
                      kit_type="mini-2", reason="customer called")
    assert returned == _stored(db, "UT-2")
    assert (returned["status"], returned["account_id"], returned["version"]) == \
        ("active", "ACC-B", 2)
    assert returned["activated_at"] == returned["updated_at"]  # activated by this change
    (entry,) = _entries(db)[before:]
    assert (entry.action, entry.entity_id, entry.actor, entry.reason) == \
        ("terminal.update", "UT-2", "alice", "customer called")
    detail = audit.canonical_json({"changes": {
        "account_id": [None, "ACC-B"], "activated_at": [None, returned["activated_at"]],
        "kit_type": ["mini", "mini-2"], "status": ["ordered", "active"]}, "version": 2})
    assert entry.detail == detail
    with db.read() as s:
        assert audit.verify(s).ok


def test_paths_interleave_in_one_chain(db):
    _world(db)
    version = 1
    for k in range(6):
        update = (_orm, _sql)[k % 2]
        version = update(db, ADMIN, "UT-1", version, kit_type=f"k{k}")["version"]
    assert version == 7
    with db.read() as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("terminal_id", "actor", "values", "error", "match"), [
    ("UT-1", ADMIN, {"status": "ordered"}, RuleViolationError, "cannot go from active"),
    ("UT-1", ADMIN, {"account_id": "ACC-B"}, RuleViolationError, "is a transfer"),
    ("UT-2", ADMIN, {"account_id": "NOPE"}, NotFoundError, "account 'NOPE'"),
    ("UT-1", ADMIN, {"sponsor_id": "NOPE"}, NotFoundError, "sponsor 'NOPE'"),
    ("UT-1", ADMIN, {"kit_type": "bad type"}, InputError, "not a valid identifier"),
    ("UT-1", ADMIN, {"status": "lost"}, InputError, "unknown status"),
    ("UT-1", ADMIN, {"dish_id": "D9"}, InputError, "cannot change"),
    ("UT-9", ADMIN, {"kit_type": "mini"}, NotFoundError, "terminal 'UT-9'"),
    ("UT-1", SPONSOR_2, {"kit_type": "mini"}, NotFoundError, "terminal 'UT-1'"),
])
def test_both_paths_refuse_the_same(db, path, terminal_id, actor, values, error, match):
    _world(db)
    head = len(_entries(db))
    with pytest.raises(error, match=match):
        PATHS[path](db, actor, terminal_id, 1, **values)
    assert len(_entries(db)) == head
    assert _stored(db, "UT-1")["version"] == 1


@pytest.mark.parametrize("path", PATHS)
def test_stale_version_and_no_change(db, path):
    _world(db)
    update = PATHS[path]
    with pytest.raises(VersionConflictError, match="at version 1, not 4"):
        update(db, ADMIN, "UT-1", 4, kit_type="mini")
    head = len(_entries(db))
    unchanged = update(db, ADMIN, "UT-1", 1, kit_type="standard", status="active")
    assert unchanged["version"] == 1  # nothing changed: no new version, no audit entry
    assert len(_entries(db)) == head
    assert update(db, SPONSOR_2, "UT-2", 1, kit_type="mini-2")["version"] == 2


def test_write_sql_is_all_or_nothing(db):
    _world(db)
    head = len(_entries(db))
    with pytest.raises(RuntimeError, match="after the change"), db.write_sql() as tx:
        terminals.update_sql(tx, ADMIN, "UT-1", 1, status="suspended", reason="emergency")
        raise RuntimeError("after the change")
    assert _stored(db, "UT-1")["status"] == "active"
    assert len(_entries(db)) == head
    assert _sql(db, ADMIN, "UT-1", 1, status="suspended", reason="emergency")["version"] == 2


def test_times_are_stored_as_the_orm_stores_them(db):
    _world(db)
    _orm(db, ADMIN, "UT-1", 1, kit_type="a")
    _sql(db, ADMIN, "UT-2", 1, status="active")
    ((orm_text, sql_text, activated),) = db.quick((
        "SELECT a.updated_at, b.updated_at, b.activated_at FROM terminals a, terminals b "
        "WHERE a.id = 'UT-1' AND b.id = 'UT-2'", ()))[0]
    if db.dialect == "sqlite":  # text that sorts in time order: always with microseconds
        form = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
        assert form.match(orm_text) and form.match(sql_text) and form.match(activated)
    assert _stored(db, "UT-2")["activated_at"].tzinfo is not None


def test_cache_follows_changes_made_by_either_path(db):
    _world(db)
    cache = RegistryCache(db)
    assert cache.facts(["UT-1"], cache.sync())["UT-1"].status == "active"
    _sql(db, ADMIN, "UT-1", 1, status="suspended", reason="emergency")
    assert cache.facts(["UT-1"], cache.sync())["UT-1"].status == "suspended"
    _orm(db, ADMIN, "UT-1", 2, status="active")
    assert cache.facts(["UT-1"], cache.sync())["UT-1"].status == "active"
    with db.read() as s:
        assert s.get(AuditEntry, audit.head(s)[0]).action == "terminal.update"
