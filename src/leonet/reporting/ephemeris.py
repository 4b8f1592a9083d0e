"""The ephemeris as a table, one row per instant and satellite (time-major): one CSV or Parquet
file from one process, or on a Dask cluster a partitioned Parquet dataset, one file per time
window written by the worker that propagated it (no ephemeris travels back), with the same rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leonet.errors import InputError
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.propagate import DEFAULT_MAX_BYTES, iter_propagate
from leonet.physics.timegrid import TimeGrid

# A third of the memory budget for the ephemeris: the Arrow table of a chunk (13 columns)
# takes about as much again, and writing may copy it once more.
_EPHEMERIS_SHARE = 3
# Instants per window of a dataset: 60 instants of 10,744 satellites are ~650,000 rows (about
# 40 MB of zstd Parquet), seconds of work against Dask's ~1 ms per task.
DATASET_TASK_INSTANTS = 60


def ephemeris_table(eph: Ephemeris, norad_id: np.ndarray, names: pa.Array,
                    fmt: str) -> pa.Table:
    """Rows of ``eph`` (time-major); times as ISO text for CSV, UTC timestamps for Parquet."""
    n_t, n_s = eph.n_times, eph.n_sats
    t_idx = np.repeat(np.arange(n_t), n_s)
    s_idx = np.tile(np.arange(n_s), n_t)
    if fmt == "csv":
        time_col = pa.array(eph.grid.iso.astype(str)).take(pa.array(t_idx))
    else:
        time_col = pa.array(eph.grid.utc[t_idx], type=pa.timestamp("ns", tz="UTC"))
    r = eph.r_ecef_km.reshape(-1, 3)
    v = eph.v_ecef_km_s.reshape(-1, 3)
    cols = {
        "time": time_col,
        "norad_id": pa.array(norad_id[s_idx]),
        "name": names.take(pa.array(s_idx)),
        "x_km": r[:, 0], "y_km": r[:, 1], "z_km": r[:, 2],
        "vx_km_s": v[:, 0], "vy_km_s": v[:, 1], "vz_km_s": v[:, 2],
        "lat_deg": eph.lat_deg.reshape(-1), "lon_deg": eph.lon_deg.reshape(-1),
        "alt_km": eph.alt_km.reshape(-1),
        "error": eph.error.reshape(-1),
    }
    return pa.table({k: pa.array(v) if isinstance(v, np.ndarray) else v for k, v in cols.items()})


def write_ephemeris(constellation: Constellation, grid: TimeGrid, out: Path, *,
                    dtype=np.float64, max_bytes: int = DEFAULT_MAX_BYTES, client=None,
                    task_instants: int = DATASET_TASK_INSTANTS,
                    progress: Callable[[int], None] | None = None) -> int:
    """Write the ephemeris of ``constellation`` over ``grid`` to ``out``; return the rows.

    Without ``client``, ``out`` is one ``.csv`` or ``.parquet`` file. With ``client`` (a
    `distributed.Client`), ``out`` is a new folder ending in ``.parquet``: a partitioned
    dataset with one file per window of ``task_instants`` instants, named in time order
    (``window-000000.parquet``, ...), whose rows read in file order are the single-process
    file's. ``progress`` gets the satellite-instants done; ``max_bytes`` bounds each process.
    """
    fmt = check_out(out, dataset=client is not None)
    if max_bytes <= 0:
        raise InputError(f"memory budget must be > 0 bytes, got {max_bytes}")
    if client is None:
        out.parent.mkdir(parents=True, exist_ok=True)
        return _write_file(constellation, grid, out, fmt, dtype, max_bytes, progress)
    # Dask is an optional extra: its module is imported only when a client is given.
    from leonet.distributed.windows import in_time_order

    out.mkdir(parents=True, exist_ok=True)
    n_sats = len(constellation)
    rows = 0
    for _, _, n in in_time_order(
            client, _write_window, {"constellation": constellation, "grid": grid,
                                    "folder": str(out.resolve())}, len(grid),
            task_instants=task_instants,
            progress=None if progress is None else (lambda n_t: progress(n_t * n_sats)),
            dtype=dtype, max_bytes=max_bytes):
        rows += n
    return rows


def check_out(out: Path, *, dataset: bool) -> str:
    """'csv' or 'parquet' for a file; for a dataset, a new (or empty) folder ending in
    .parquet, so that nothing already there is overwritten."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"output must end in .csv or .parquet, got {out.name!r}", "--out")
    if dataset and suffix != ".parquet":
        raise InputError(f"a cluster writes a Parquet dataset: name a folder ending in "
                         f".parquet, got {out.name!r}", "--out")
    if dataset and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("exists and is not an empty folder; choose a new name", str(out))
    return suffix[1:]


def _write_file(constellation: Constellation, grid: TimeGrid, out: Path, fmt: str, dtype,
                max_bytes: int, progress: Callable[[int], None] | None) -> int:
    names = pa.array(constellation.names.astype(str))
    writer = None
    rows = 0
    try:
        for eph in iter_propagate(constellation, grid, max_bytes=max_bytes // _EPHEMERIS_SHARE,
                                  dtype=dtype, progress=progress):
            table = ephemeris_table(eph, constellation.norad_id, names, fmt)
            if writer is None:
                writer = (pacsv.CSVWriter(str(out), table.schema) if fmt == "csv" else
                          pq.ParquetWriter(str(out), table.schema, compression="zstd"))
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def _write_window(constellation: Constellation, grid: TimeGrid, folder: str, start: int,
                  stop: int, *, dtype, max_bytes: int) -> int:
    """One window's file of a dataset, on a worker: written beside its final name and renamed,
    so a window that Dask runs again after a worker died never leaves half a file."""
    final = Path(folder) / f"window-{start:06d}.parquet"
    partial = final.with_name(f".{final.name}.{os.getpid()}.partial")
    rows = _write_file(constellation, grid[start:stop], partial, "parquet", dtype, max_bytes,
                       None)
    os.replace(partial, final)
    return rows
