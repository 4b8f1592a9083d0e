"""The telemetry store: batches in, the same rows out by window or by terminal, tampering
and orphans found."""

from __future__ import annotations

import numpy as np

from leonet.control.telemetry import telemetry_from_arrays
from leonet.control.telemetry.store import TelemetryStore, table_to_telemetry

T0 = np.datetime64("2026-03-01T00:00:00", "ns")


def _batch(k: int, n_terminals=30, per=50):
    ids = np.repeat(np.array([f"T{i:03d}" for i in range(n_terminals)], dtype=object), per)
    t = T0 + (k * per + np.tile(np.arange(per), n_terminals)) * np.timedelta64(60, "s")
    rng = np.random.default_rng(k)
    tel, issues = telemetry_from_arrays(ids, t, rng.uniform(45, 52, ids.size),
                                        rng.uniform(22, 40, ids.size), np.zeros(ids.size),
                                        rng.uniform(0, 90, ids.size), now="2027-01-01T00:00:00Z")
    assert not len(issues)
    return tel


def test_batches_round_trip_by_window_and_by_terminal(tmp_path):
    store = TelemetryStore(tmp_path)
    batches = [_batch(k) for k in range(3)]
    names = []
    for k, tel in enumerate(batches, start=1):
        prepared = store.prepare(tel)
        store.commit(prepared, k)
        names.append(store.file_name(k))
    assert not list(store.dir.glob("*.tmp"))
    everything = table_to_telemetry(store.read(names))
    assert len(everything) == sum(len(b) for b in batches)
    # A window [start, end) and two terminals: the same rows as selecting by hand.
    lo, hi = T0 + np.timedelta64(40 * 60, "s"), T0 + np.timedelta64(120 * 60, "s")
    want = (np.isin(everything.terminal_id, ["T003", "T017"]) & (everything.time >= lo)
            & (everything.time < hi))
    got = table_to_telemetry(store.read(names, terminal_ids=["T003", "T017"],
                                        start_ns=int(lo.view(np.int64)),
                                        end_ns=int(hi.view(np.int64))))
    assert len(got) == int(want.sum()) == 160
    for col in ("terminal_id", "time", "lat_deg", "lon_deg", "speed_kmh"):
        assert np.array_equal(getattr(got, col), getattr(everything, col)[want]), col
    window = table_to_telemetry(store.read(names, start_ns=int(lo.view(np.int64)),
                                           end_ns=int(hi.view(np.int64))))
    assert len(window) == int(((everything.time >= lo) & (everything.time < hi)).sum())


def test_verify_finds_missing_changed_and_orphan_files(tmp_path):
    store = TelemetryStore(tmp_path)
    digests = {}
    for k in (1, 2, 3):
        prepared = store.prepare(_batch(k))
        store.commit(prepared, k)
        digests[store.file_name(k)] = prepared.sha256
    assert store.verify(digests) == []
    (store.dir / store.file_name(1)).unlink()
    path = store.dir / store.file_name(2)
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    store.discard(store.prepare(_batch(9)))  # a discarded batch leaves nothing behind
    store.commit(store.prepare(_batch(4)), 4)  # a batch the registry never recorded
    assert store.verify(digests) == [
        "0000000001.parquet: missing (the registry records it)",
        "0000000002.parquet: changed since it was stored (SHA-256 differs)",
        "0000000004.parquet: not in the registry (an orphan of a batch that never committed, "
        "or added by hand)"]
