"""The audit chain: every change logged in its own transaction, tampering detected.

The hash is recomputed here with the standard library's json (not the module's orjson), from
the formula in the module docstring, as an independent reference.
"""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import text

from leonet.cli import main
from leonet.control.registry import accounts, audit, terminals, tokens
from leonet.control.registry.audit import GENESIS_HASH

from .conftest import ADMIN


def _populate(db, n_accounts: int = 6) -> None:
    with db.write() as s:
        tokens.bootstrap(s)
    for i in range(n_accounts):
        with db.write() as s:
            accounts.create(s, ADMIN, id=f"ACC-{i}", name=f"Customer {i}", home_country="UA",
                            plan="residential", reason=f"signup {i}")


def _reference_hash(prev: str, row) -> str:
    fields = [row.seq, row.at_utc, row.actor, row.role, row.action, row.entity, row.entity_id,
              row.detail, row.reason]
    payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()


def _raw(db, sql: str, **params) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text(sql), params)


def _unprotect(db) -> None:
    """What an attacker with database access does first: drop the append-only triggers."""
    if db.dialect == "postgresql":
        _raw(db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        _raw(db, "DROP TRIGGER audit_log_no_update")
        _raw(db, "DROP TRIGGER audit_log_no_delete")


def _verify_cli(db, capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", db.url])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_change_is_chained_with_the_documented_hash(db):
    _populate(db)
    with db.read() as s:
        rows = audit.entries_after(s, 0)
        seq, head_hash = audit.head(s)
    assert [r.seq for r in rows] == list(range(1, 8))
    prev = GENESIS_HASH
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == _reference_hash(prev, row)
        prev = row.hash
    assert (seq, head_hash) == (7, prev)
    assert rows[3].action == "account.create" and rows[3].reason == "signup 2"
    assert json.loads(rows[3].detail)["home_country"] == "UA"


def test_intact_chain_verifies(db, capsys):
    _populate(db)
    code, out = _verify_cli(db, capsys)
    assert code == 0
    assert "intact: 7 entries" in out


def test_failed_change_leaves_no_entry(db):
    _populate(db, 1)
    with pytest.raises(RuntimeError), db.write() as s:
        accounts.create(s, ADMIN, id="ACC-X", name="x", home_country="UA", plan="p")
        raise RuntimeError("crash after the change, before commit")
    with db.read() as s:
        assert audit.head_seq(s) == 2
        assert s.get(accounts.Account, "ACC-X") is None


def test_database_refuses_to_rewrite_history(db):
    _populate(db, 1)
    for sql in ("UPDATE audit_log SET reason = 'x' WHERE seq = 1",
                "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(Exception, match="append-only"):
            _raw(db, sql)


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "words"),
    [
        ("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 4", 4, "was edited"),
        ("UPDATE audit_log SET detail = '{}' WHERE seq = 3", 3, "was edited"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "is missing"),
        ("DELETE FROM audit_log WHERE seq = 7", 7, "newest entries were deleted"),
    ],
)
def test_tampering_is_detected_and_named(db, capsys, tamper, bad_seq, words):
    _populate(db)
    _unprotect(db)
    _raw(db, tamper)
    code, out = _verify_cli(db, capsys)
    assert code == 1
    assert f"BROKEN at entry seq {bad_seq}:" in out
    assert words in out


def test_reordering_is_detected(db, capsys):
    _populate(db)
    _unprotect(db)
    # Swap entries 3 and 5 by renumbering them through a free number.
    _raw(db, "UPDATE audit_log SET seq = 1000 WHERE seq = 3")
    _raw(db, "UPDATE audit_log SET seq = 3 WHERE seq = 5")
    _raw(db, "UPDATE audit_log SET seq = 5 WHERE seq = 1000")
    code, out = _verify_cli(db, capsys)
    assert code == 1
    assert "BROKEN at entry seq 3:" in out and "reordered" in out


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link(db, capsys):
    _populate(db)
    _unprotect(db)
    with db.read() as s:
        row = audit.entries_after(s, 3, limit=1)[0]
    row.reason = "forged"
    forged = _reference_hash(row.prev_hash, row)
    _raw(db, "UPDATE audit_log SET reason = 'forged', hash = :h WHERE seq = 4", h=forged)
    code, out = _verify_cli(db, capsys)
    assert code == 1
    assert "BROKEN at entry seq 5:" in out and "does not link to entry 4" in out


def test_anchor_catches_a_consistent_rewrite_of_the_tail(db, capsys):
    _populate(db)
    assert main(["audit", "head", "--db", db.url]) == 0
    anchor = capsys.readouterr().out.strip().splitlines()[-1]
    assert anchor.startswith("7:")
    assert main(["audit", "verify", "--db", db.url, "--anchor", anchor]) == 0
    assert main(["audit", "verify", "--db", db.url, "--anchor", "7:" + "ab" * 32]) == 1
    assert "differs from the published anchor" in capsys.readouterr().err


def test_concurrent_writers_keep_one_gapless_chain(db):
    _populate(db, 0)
    errors = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                with db.write() as s:
                    accounts.create(s, ADMIN, id=f"W{k}-{i}", name="w", home_country="PL",
                                    plan="p")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        result = audit.verify(s)
    assert result.ok, result.summary()
    assert result.entries == 1 + 4 * 15


def test_terminal_change_records_before_and_after(db):
    _populate(db, 1)
    with db.write() as s:
        terminals.create(s, ADMIN, id="UT-1", kit_serial="K1", dish_id="D1",
                         kit_type="standard", account_id="ACC-0")
    with db.write() as s:
        terminals.update(s, ADMIN, "UT-1", 1, status="active", reason="customer called")
    with db.read() as s:
        last = audit.entries_after(s, audit.head_seq(s) - 1)[0]
    assert (last.action, last.entity_id, last.reason) == ("terminal.update", "UT-1",
                                                          "customer called")
    detail = json.loads(last.detail)
    assert detail["version"] == 2
    assert detail["changes"]["status"] == ["ordered", "active"]
    assert detail["changes"]["activated_at"][0] is None  # first activation is stamped
    assert detail["changes"]["activated_at"][1].endswith("Z")
