"""Issue 17 F: signed checkpoints catch what the chain alone cannot (a recomputed chain, a
cut tail with a rewritten head, an emptied log), and anchors are parsed strictly."""

from __future__ import annotations

import json

import pytest

from leonet.cli import main
from leonet.control.registry import audit
from leonet.control.registry.audit import GENESIS_HASH

from .test_audit import _populate, _raw, _reference_hash, _unprotect


@pytest.fixture
def signed(db, tmp_path, capsys):
    """A populated log (7 entries), a key and a checkpoint of its head."""
    _populate(db)
    key = tmp_path / "audit.key"
    assert main(["audit", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.split("public key: ")[1].strip()
    assert main(["audit", "head", "--db", db.url, "--key", str(key)]) == 0
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(capsys.readouterr().out)
    assert json.loads(checkpoint.read_text())["seq"] == 7
    return db, public, checkpoint


def _verify(db, public, checkpoint, capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", db.url, "--checkpoint", str(checkpoint),
                 "--public-key", public])
    out = capsys.readouterr()
    return code, out.out + out.err


def _rechain(db, from_seq: int = 1) -> None:
    """What an attacker with the database does: recompute every hash and the head."""
    with db.read() as s:
        rows = audit.entries_after(s, 0)
    prev = GENESIS_HASH
    for row in rows:
        digest = _reference_hash(prev, row)
        _raw(db, "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s", p=prev,
             h=digest, s=row.seq)
        prev = digest
    last = rows[-1].seq if rows else 0
    _raw(db, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", s=last, h=prev)


def test_checkpoint_passes_on_an_untouched_log(signed, capsys):
    db, public, checkpoint = signed
    code, out = _verify(db, public, checkpoint, capsys)
    assert code == 0 and "signed checkpoint seq 7" in out


def test_recomputed_chain_is_caught_only_with_the_checkpoint(signed, capsys):
    db, public, checkpoint = signed
    _unprotect(db)
    _raw(db, "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3")
    _rechain(db)
    assert main(["audit", "verify", "--db", db.url]) == 0  # the chain alone is fooled
    capsys.readouterr()
    code, out = _verify(db, public, checkpoint, capsys)
    assert code == 1 and "differs from the published anchor" in out


def test_cut_tail_with_rewritten_head_is_caught(signed, capsys):
    db, public, checkpoint = signed
    _unprotect(db)
    _raw(db, "DELETE FROM audit_log WHERE seq > 5")
    _rechain(db)
    assert main(["audit", "verify", "--db", db.url]) == 0
    capsys.readouterr()
    code, out = _verify(db, public, checkpoint, capsys)
    assert code == 1 and "past the log's end" in out


def test_emptied_log_is_caught(signed, capsys):
    db, public, checkpoint = signed
    _unprotect(db)
    _raw(db, "DELETE FROM audit_log")
    _rechain(db)
    # The chain alone is "intact" (empty); the tables betray it (the token has no entry).
    assert main(["audit", "verify", "--db", db.url]) == 1
    assert "api_tokens 1: no audit entry created it" in capsys.readouterr().err
    code, out = _verify(db, public, checkpoint, capsys)
    assert code == 1 and "past the log's end" in out


def test_forged_or_edited_checkpoint_is_refused(signed, tmp_path, capsys):
    db, public, checkpoint = signed
    other = tmp_path / "other.key"
    assert main(["audit", "keygen", "--out", str(other)]) == 0
    other_public = capsys.readouterr().out.split("public key: ")[1].strip()
    code, out = _verify(db, other_public, checkpoint, capsys)
    assert code == 1 and "not the trusted key" in out
    data = json.loads(checkpoint.read_text())
    data["seq"] = 6
    checkpoint.write_text(json.dumps(data))
    code, out = _verify(db, public, checkpoint, capsys)
    assert code == 1 and "signature is not valid" in out
    # Upper-case hex is the same key; a key that is not hex is a usage error.
    assert _verify(db, public.upper(), checkpoint, capsys)[0] == 1
    assert _verify(db, "xyz", checkpoint, capsys)[0] == 2
    # Without a trusted key there is nothing to check the signature against.
    assert main(["audit", "verify", "--db", db.url, "--checkpoint", str(checkpoint)]) == 2
    assert "needs the trusted public key" in capsys.readouterr().err
    assert main(["audit", "keygen", "--out", str(other)]) == 2  # never overwrites a key


def test_anchor_parsing(db, capsys):
    _populate(db)
    with db.read() as s:
        seq, digest = audit.head(s)
    assert main(["audit", "verify", "--db", db.url, "--anchor", f"{seq}:{digest.upper()}"]) == 0
    for bad in ("0:" + digest, "0:anything", "7:xyz", "-1:" + digest, "seven:" + digest,
                "٧:" + digest):
        assert main(["audit", "verify", "--db", db.url, "--anchor", bad]) == 2, bad
        assert "--anchor" in capsys.readouterr().err
