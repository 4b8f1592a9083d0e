"""Telemetry batches in the registry: accept a batch (checked row by row), read a window
back for detection, check the store against the records.

A batch is checked like a file (`telemetry_from_arrays`), plus against the registry (rows of
terminals it does not know are dropped) and against what is already stored (a row identical
to a stored one is dropped as already stored; a row earlier than a stored report of its
terminal is kept with a note). Accepting is one write transaction: the batch record, its
audit entry (with the file's SHA-256) and the file's final name commit together; a failure
removes the file, and earlier batches are never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.db import Database
from leonet.control.registry.models import TelemetryBatch, Terminal
from leonet.control.telemetry import RowIssues, Telemetry, telemetry_from_arrays
from leonet.control.telemetry.core import IssueLog
from leonet.control.telemetry.store import TelemetryStore, table_to_telemetry
from leonet.errors import InputError
from leonet.physics.timegrid import iso_utc

_CHUNK = 2000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Ingested:
    """What happened to a batch: the record (None when nothing was stored) and every row
    refused or noted."""

    batch: TelemetryBatch | None
    rows_received: int
    rows_stored: int
    issues: RowIssues


def to_datetime(ns: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=int(ns) // 1000)


def to_ns(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(microseconds=1) * 1000


def known_terminals(session: Session, ids) -> set[str]:
    ids = list(ids)
    out: set[str] = set()
    for k in range(0, len(ids), _CHUNK):
        rows = session.execute(select(Terminal.id).where(Terminal.id.in_(ids[k:k + _CHUNK])))
        out.update(r[0] for r in rows)
    return out


def ingest(db: Database, store: TelemetryStore, actor: Actor, columns: dict, *,
           now=None, source: str = "batch", issues: IssueLog | None = None,
           rows=None, n_input: int | None = None) -> Ingested:
    """Check and store one batch given as columns (see `telemetry_from_arrays`)."""
    log = issues or IssueLog(source)
    n = n_input if n_input is not None else len(columns["lat_deg"])
    ids = _distinct_ids(columns["terminal_id"])
    with db.read() as session:
        known = known_terminals(session, ids)
    tel, _ = telemetry_from_arrays(
        columns["terminal_id"], columns["time"], columns["lat_deg"], columns["lon_deg"],
        columns["alt_m"], columns["speed_kmh"], columns.get("heading_deg"),
        columns.get("serving_sat"), columns.get("height_agl_m"), now=now,
        known_terminals=known, source=source,
        _issues=log, _rows=rows)
    if not len(tel):
        return Ingested(None, n, 0, log.freeze(n))
    with db.write() as session:
        tel = _against_stored(session, store, tel, log)
        if not len(tel):
            return Ingested(None, n, 0, log.freeze(n))
        prepared = store.prepare(tel)
        try:
            existing = session.execute(select(TelemetryBatch).where(
                TelemetryBatch.sha256 == prepared.sha256)).scalar_one_or_none()
            if existing is not None:  # the very same rows again: nothing new to store
                store.discard(prepared)
                return Ingested(existing, n, 0, log.freeze(n))
            now_dt = audit.utc_now()
            row = TelemetryBatch(file="", sha256=prepared.sha256, rows=prepared.rows,
                                 rows_dropped=0, terminals=prepared.terminals,
                                 min_time=to_datetime(prepared.min_time_ns),
                                 max_time=to_datetime(prepared.max_time_ns + 999),
                                 received_at=now_dt, received_by=actor.subject)
            session.add(row)
            session.flush()
            frozen = log.freeze(n)
            row.file = store.file_name(row.id)
            row.rows_dropped = frozen.n_dropped
            store.commit(prepared, row.id)
        except BaseException:
            store.discard(prepared)
            raise
        try:
            audit.append(session, actor, "telemetry.ingest", "telemetry_batch", row.id, {
                "file": row.file, "sha256": row.sha256, "rows": row.rows,
                "rows_dropped": row.rows_dropped, "terminals": row.terminals,
                "min_time": row.min_time, "max_time": row.max_time, "source": source},
                at=now_dt)
            session.flush()
        except BaseException:
            store.remove(row.id)
            raise
    return Ingested(row, n, prepared.rows, frozen)


def _distinct_ids(values) -> list[str]:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        arr = values.cast(pa.string()) if not pa.types.is_dictionary(values.type) else \
            values.cast(values.type.value_type)
        uniq = arr.unique()
        return [v for v in uniq.to_pylist() if isinstance(v, str)]
    return sorted({v for v in np.asarray(values, dtype=object).tolist() if isinstance(v, str)})


def _overlapping(session: Session, start_ns: int, end_ns: int) -> list[TelemetryBatch]:
    """Batches whose time span overlaps ``[start_ns, end_ns]``."""
    return list(session.execute(select(TelemetryBatch).where(
        TelemetryBatch.max_time >= to_datetime(start_ns),
        TelemetryBatch.min_time <= to_datetime(end_ns + 1000)).order_by(
        TelemetryBatch.id)).scalars())


def _against_stored(session: Session, store: TelemetryStore, tel: Telemetry,
                    log: IssueLog) -> Telemetry:
    """Drop rows already stored; note rows earlier than a stored report of their terminal.

    Stored batches that end after this batch begins are the only ones that can hold a
    duplicate or a later report; of those, only this batch's terminals' tracks from its
    first instant on are read (DuckDB skips the other row groups). Live ingestion touches
    the last batch or two; a backfill of old data reads its terminals' later tracks."""
    t = tel.time_ns
    batches = _overlapping(session, int(t.min()), 2**62)
    if not batches:
        return tel
    table = store.read([b.file for b in batches], terminal_ids=tel.terminals.tolist(),
                       start_ns=int(t.min()))
    if not table.num_rows:
        return tel
    stored = table_to_telemetry(table)
    # Map stored terminals onto this batch's terminal codes.
    code = np.searchsorted(tel.terminals, stored.terminals)
    s_codes = code[stored.codes]
    # Rows identical to a stored row (terminal, time, position) are duplicates.
    key_new = np.rec.fromarrays([tel.codes.astype(np.int64), t, tel.lat_deg, tel.lon_deg])
    key_old = np.rec.fromarrays([s_codes.astype(np.int64), stored.time_ns, stored.lat_deg,
                                 stored.lon_deg])
    dup = np.isin(key_new, key_old)
    input_row = tel.__dict__.get("input_rows", np.arange(len(tel)))
    if dup.any():
        k = np.flatnonzero(dup)
        log.add(input_row[k], "time", "already stored (an identical report is in the store)",
                True, terminal_ids=tel.terminal_id[k])
    # Out of order: earlier than the latest stored report of the terminal.
    latest = np.full(tel.n_terminals, np.iinfo(np.int64).min)
    np.maximum.at(latest, s_codes, stored.time_ns)
    late = np.flatnonzero(~dup & (t < latest[tel.codes]))
    if late.size:
        log.add(input_row[late], "time", [
            "arrived out of order: earlier than a report already stored for this terminal "
            f"({iso_utc(latest[tel.codes[i]], 's')})"
            for i in late], False, terminal_ids=tel.terminal_id[late])
    return tel.take(~dup) if dup.any() else tel


def batches_between(session: Session, start: dt.datetime | None, end: dt.datetime | None
                    ) -> list[TelemetryBatch]:
    query = select(TelemetryBatch).order_by(TelemetryBatch.id)
    if start is not None:
        query = query.where(TelemetryBatch.max_time >= start)
    if end is not None:
        query = query.where(TelemetryBatch.min_time < end)
    return list(session.execute(query).scalars())


def load(db: Database, store: TelemetryStore, *, start: dt.datetime | None = None,
         end: dt.datetime | None = None, terminal_ids=None, max_rows: int | None = None
         ) -> Telemetry:
    """Stored reports with ``start <= time < end`` (of some terminals), sorted."""
    with db.read() as session:
        batches = batches_between(session, start, end)
    held = sum(b.rows for b in batches)
    if max_rows is not None and terminal_ids is None and held > max_rows:
        # Checked before reading: the batches overlapping the window hold this many.
        raise InputError(f"the window overlaps batches of {held:,} reports, more than "
                         f"{max_rows:,} at once; narrow it", "start/end")
    table = store.read([b.file for b in batches], terminal_ids=terminal_ids,
                       start_ns=None if start is None else to_ns(start),
                       end_ns=None if end is None else to_ns(end))
    if max_rows is not None and table.num_rows > max_rows:
        raise InputError(f"the window holds {table.num_rows:,} reports, more than "
                         f"{max_rows:,}; narrow it", "start/end")
    return table_to_telemetry(table)


def verify_store(db: Database, store: TelemetryStore) -> list[str]:
    with db.read() as session:
        expected = {b.file: b.sha256 for b in batches_between(session, None, None)}
    return store.verify(expected)
