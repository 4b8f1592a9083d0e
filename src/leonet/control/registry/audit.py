"""The append-only, hash-chained audit log.

Every change to the registry appends one entry (who, when, what, why) in the same transaction
as the change. Entry ``n`` stores ``hash_n = SHA-256(hash_{n-1} + "\\n" + canonical JSON of
its fields)``, starting from 64 zeros, and the ``audit_head`` row stores the last ``(seq,
hash)``. Editing an entry breaks its hash; deleting or reordering entries breaks the sequence
or the links; deleting the newest entries disagrees with the head. `verify` walks the chain
and names the first bad entry.

What it cannot catch on its own: someone with write access to the database who rewrites the
tail *and* the head consistently. Publish `head()` somewhere else from time to time and pass
it back as an anchor to `verify` to close that gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leonet.control.registry.db import AUDIT_HEAD_KEY, SqlWrite
from leonet.control.registry.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
# An entry's fields that its hash covers, in chain order.
_CHAINED = ("seq", "at_utc", "actor", "role", "action", "entity", "entity_id", "detail",
            "reason")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a token's subject, role and principal (or the command line,
    which has no principal)."""

    subject: str
    role: str
    sponsor_id: str | None = None
    token_id: int | None = None
    principal_id: int | None = None


def utc_now() -> dt.datetime:
    """The current instant, aware UTC, microsecond precision."""
    return dt.datetime.now(dt.UTC)


def format_utc(instant: dt.datetime) -> str:
    """``2026-02-03T10:00:00.000000Z``: one fixed form, so hashes are reproducible."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(detail: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, datetimes in UTC with ``Z``: the same text for the same data."""
    return orjson.dumps(
        detail, option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
    ).decode()


def _chain(prev_hash: str, fields: list) -> str:
    payload = prev_hash.encode() + b"\n" + orjson.dumps(fields)
    return hashlib.sha256(payload).hexdigest()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The SHA-256 chaining ``entry`` to the entry before it."""
    return _chain(prev_hash, [getattr(entry, name) for name in _CHAINED])


def append(
    tx: Session | SqlWrite,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str | int,
    detail: Mapping[str, Any],
    reason: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Append one entry in the current write transaction: a `Database.write` session, or a
    `Database.write_sql` transaction (the hot path: the same entry, the same hash, no ORM).
    Returns the entry's sequence number."""
    if isinstance(tx, SqlWrite):
        seq, prev_hash = tx.head
    elif AUDIT_HEAD_KEY in tx.info:
        seq, prev_hash = tx.info[AUDIT_HEAD_KEY]
    else:
        raise RuntimeError("audit.append outside Database.write(): the head lock is not held")
    fields = [seq + 1, format_utc(at or utc_now()), actor.subject, actor.role, action, entity,
              str(entity_id), canonical_json(detail), reason]
    digest = _chain(prev_hash, fields)
    if isinstance(tx, SqlWrite):
        tx.execute("INSERT INTO audit_log (seq, at_utc, actor, role, action, entity, "
                   "entity_id, detail, reason, prev_hash, hash) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*fields, prev_hash, digest))
        tx.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, digest))
        tx.head = (seq + 1, digest)
    else:
        tx.add(AuditEntry(**dict(zip(_CHAINED, fields, strict=True)), prev_hash=prev_hash,
                          hash=digest))
        tx.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq + 1, hash=digest))
        tx.info[AUDIT_HEAD_KEY] = (seq + 1, digest)
    return seq + 1


def head(session: Session) -> tuple[int, str]:
    """``(seq, hash)`` of the newest entry, as recorded in the head row."""
    row = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    return int(row.seq), str(row.hash)


def head_seq(session: Session) -> int:
    """Sequence number of the newest entry: bumps on every change to the registry."""
    return int(session.execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar_one())


def entries_after(session: Session, seq: int, limit: int | None = None) -> list[AuditEntry]:
    """Entries with sequence numbers above ``seq``, oldest first."""
    query = select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class Verification:
    """What `verify` found. ``first_bad_seq`` is None when the chain is intact."""

    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return (f"audit chain intact: {self.entries} entries, head seq {self.head_seq} "
                    f"hash {self.head_hash}")
        return f"audit chain BROKEN at entry seq {self.first_bad_seq}: {self.problem}"


def walk(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry, oldest first, read in batches."""
    last = 0
    while True:
        rows = entries_after(session, last, limit=batch)
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session, anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain; report the first entry that was edited, moved or is missing.

    ``anchor`` is a ``(seq, hash)`` published earlier: the chain must still pass through it.
    """
    recorded_seq, recorded_hash = head(session)
    expected_seq, prev = 1, GENESIS_HASH
    count = 0

    def broken(seq: int, problem: str) -> Verification:
        return Verification(count, recorded_seq, recorded_hash, seq, problem)

    for entry in walk(session):
        if entry.seq != expected_seq:
            return broken(
                expected_seq,
                f"entry {expected_seq} is missing: the log jumps from seq {expected_seq - 1} "
                f"to seq {entry.seq} (entries were deleted or renumbered)",
            )
        if entry.prev_hash != prev:
            return broken(
                entry.seq,
                f"entry {entry.seq} does not link to entry {entry.seq - 1} (its prev_hash "
                f"{entry.prev_hash[:12]}… differs from {prev[:12]}…): entries were reordered, "
                "or the entry before it was rewritten",
            )
        actual = entry_hash(prev, entry)
        if actual != entry.hash:
            return broken(
                entry.seq,
                f"entry {entry.seq} ({entry.action} {entry.entity} {entry.entity_id}) was "
                "edited: its content no longer matches its stored hash",
            )
        if anchor is not None and entry.seq == anchor[0] and entry.hash != anchor[1]:
            return broken(entry.seq, f"entry {entry.seq} differs from the published anchor")
        prev = entry.hash
        count += 1
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != recorded_seq or prev != recorded_hash:
        return broken(
            last_seq + 1,
            f"the head records seq {recorded_seq} but the log ends at seq {last_seq}: the "
            "newest entries were deleted, or the head was rewritten",
        )
    if anchor is not None and anchor[0] > last_seq:
        return broken(anchor[0], f"the published anchor seq {anchor[0]} is past the log's end")
    return Verification(count, recorded_seq, recorded_hash)
