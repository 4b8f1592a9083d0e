"""The telemetry store: accepted batches as Parquet files in one folder.

Why Parquet files and not the SQL registry: measured in ``benchmarks/bench_telemetry_store.py``
and argued in docs/telemetry.md — writing is several times faster, a report takes a third of
the bytes, and reading a window of millions of reports into arrays (what the detectors do) is
several times faster; the registry keeps one row per batch (who sent it, when, its SHA-256,
its time span), and the audit log the same digest, so a batch file that is edited, removed
or added by hand is found by `TelemetryStore.verify`.

Files are written to a temporary name, flushed to disk and renamed (atomic on POSIX), so a
crash never leaves half a batch under a real name; a file whose batch never committed is an
orphan that no read uses. Batches are never rewritten: nothing stored is lost by a later bad
batch.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url

from leonet.control.telemetry.checks import telemetry_from_arrays
from leonet.control.telemetry.core import COLUMNS, Telemetry
from leonet.errors import InputError

# Row groups of ~64 k reports: batches are sorted by terminal, so the row-group statistics
# let a track query skip most of a file.
ROW_GROUP = 1 << 16


@dataclass(frozen=True)
class PreparedBatch:
    """A batch written under a temporary name, not yet part of the store."""

    tmp: Path
    sha256: str
    rows: int
    terminals: int
    min_time_ns: int
    max_time_ns: int


class TelemetryStore:
    """Batches under ``root/batches/`` (``0000000042.parquet``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.dir = self.root / "batches"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the telemetry store: {exc}", str(self.root)) from None

    @staticmethod
    def file_name(batch_id: int) -> str:
        return f"{batch_id:010d}.parquet"

    def prepare(self, tel: Telemetry) -> PreparedBatch:
        """Write ``tel`` to a temporary file (flushed to disk) and hash it."""
        fd, name = _mkstemp(self.dir)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                pq.write_table(tel.to_table(), fh, compression="zstd", write_page_checksum=True,
                               row_group_size=ROW_GROUP)
                fh.flush()
                os.fsync(fh.fileno())
            digest = _sha256(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        t = tel.time_ns
        return PreparedBatch(tmp=tmp, sha256=digest, rows=len(tel), terminals=tel.n_terminals,
                             min_time_ns=int(t.min()), max_time_ns=int(t.max()))

    def commit(self, prepared: PreparedBatch, batch_id: int) -> Path:
        """Give the prepared file its batch's name (atomic), and make the rename durable."""
        final = self.dir / self.file_name(batch_id)
        if final.exists():
            raise InputError(f"batch file {final.name} exists already", str(self.dir))
        os.replace(prepared.tmp, final)
        _fsync_dir(self.dir)
        return final

    def discard(self, prepared: PreparedBatch) -> None:
        prepared.tmp.unlink(missing_ok=True)

    def remove(self, batch_id: int) -> None:
        """Undo a `commit` whose batch record did not commit."""
        (self.dir / self.file_name(batch_id)).unlink(missing_ok=True)

    def read(self, names: list[str], *, terminal_ids=None, start_ns: int | None = None,
             end_ns: int | None = None):
        """The rows of the named batch files (a `pyarrow.Table`), optionally only some
        terminals and ``start_ns <= time < end_ns``. Whole windows are read by Arrow's
        dataset reader; some terminals' tracks by DuckDB, which skips the row groups that
        cannot hold them (about 10x faster than Arrow's filter on a terminal, measured in
        ``benchmarks/bench_telemetry_store.py``)."""
        import pyarrow.dataset as ds  # ~50 ms to import: not at CLI start-up

        paths = [str(self.dir / n) for n in names]
        missing = [n for n, p in zip(names, paths, strict=True) if not os.path.exists(p)]
        if missing:
            raise InputError(f"telemetry batch file(s) missing: {', '.join(missing[:5])}; run "
                             "the store check (the registry lists them)", str(self.dir))
        schema = _schema()
        if not paths:
            return schema.empty_table()
        if terminal_ids is not None:
            return _read_tracks(paths, list(terminal_ids), start_ns, end_ns)
        dataset = ds.dataset(paths, format="parquet", schema=schema)
        flt = None
        utc = pa.timestamp("ns", tz="UTC")
        if terminal_ids is not None:
            flt = ds.field("terminal_id").isin(pa.array(list(terminal_ids), type=pa.string()))
        if start_ns is not None:
            f = ds.field("time") >= pa.scalar(int(start_ns), type=utc)
            flt = f if flt is None else flt & f
        if end_ns is not None:
            f = ds.field("time") < pa.scalar(int(end_ns), type=utc)
            flt = f if flt is None else flt & f
        return dataset.to_table(filter=flt)

    def verify(self, expected: dict[str, str]) -> list[str]:
        """Problems with the files against ``{file name: sha256}`` from the registry: missing,
        changed (digest differs) or unknown files (orphans of a batch that never committed,
        or added by hand)."""
        problems = []
        present = {p.name for p in self.dir.glob("*.parquet")}
        for name, digest in sorted(expected.items()):
            if name not in present:
                problems.append(f"{name}: missing (the registry records it)")
            elif _sha256(self.dir / name) != digest:
                problems.append(f"{name}: changed since it was stored (SHA-256 differs)")
        for name in sorted(present - set(expected)):
            problems.append(f"{name}: not in the registry (an orphan of a batch that never "
                            "committed, or added by hand)")
        return problems


def _read_tracks(paths: list[str], terminal_ids: list[str], start_ns, end_ns):
    import duckdb  # ~60 ms to import: only track queries pay it, not CLI start-up

    lo = np.iinfo(np.int64).min if start_ns is None else int(start_ns)
    hi = np.iinfo(np.int64).max if end_ns is None else int(end_ns)
    with duckdb.connect() as con:
        return con.sql(
            "SELECT * FROM read_parquet($paths) WHERE terminal_id IN (SELECT unnest($ids)) "
            "AND epoch_ns(time) >= $lo AND epoch_ns(time) < $hi",
            params={"paths": paths, "ids": terminal_ids, "lo": lo, "hi": hi}).to_arrow_table()


def default_store_dir(database_url: str) -> Path:
    """Where a service keeps its telemetry when not told: beside a SQLite database
    (``leonet.db`` → ``leonet-telemetry/``), else ``./leonet-telemetry``."""
    url = make_url(database_url)
    db = url.database if url.get_backend_name() == "sqlite" else None
    if db and db != ":memory:":
        return Path(db).with_name(Path(db).stem + "-telemetry")
    return Path("leonet-telemetry")


def _schema():
    return pa.schema([
        ("terminal_id", pa.dictionary(pa.int32(), pa.string())),
        ("time", pa.timestamp("ns", tz="UTC")), ("lat_deg", pa.float64()),
        ("lon_deg", pa.float64()), ("alt_m", pa.float64()), ("speed_kmh", pa.float64()),
        ("heading_deg", pa.float64()), ("serving_sat", pa.int64()),
        ("height_agl_m", pa.float64())])


def table_to_telemetry(table) -> Telemetry:
    """Stored rows (already checked when accepted) back to `Telemetry`, sorted."""
    cols = {c: table.column(c) for c in COLUMNS}
    tel, _ = telemetry_from_arrays(*(cols[c] for c in COLUMNS), now=np.datetime64(
        "2262-01-01T00:00:00", "ns"), source="telemetry store")
    return tel


def _mkstemp(folder: Path):
    return tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
