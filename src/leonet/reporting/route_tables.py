"""Route and path tables as Arrow, written to Parquet (paths as list columns) or to CSV.

Writing 9,900 paths per 100 ms step one Python string at a time cost ten times the routing
itself (issue 16 §3). Here every column is built by Arrow's vectorised kernels: numbers are
formatted from scaled integers, paths joined by ``binary_join`` over list columns, and a
CSV step is one buffer written at once. Files are written beside their final name and
renamed into place when complete, so a failed run never leaves half a file over a good one.

>>> fixed_decimals(np.array([1.5, 0.0004, np.nan, 12345.6789]), 3).to_pylist()
['1.500', '0.000', None, '12345.679']
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from leonet.errors import InputError
from leonet.physics.hypatia import HypatiaInputs
from leonet.physics.route_series import DST, REASONS, SRC, RouteSeries
from leonet.physics.routing import SpaceRoutes
from leonet.physics.timegrid import TimeGrid, iso_utc

FORMATS = (".parquet", ".csv")

PATHS_SCHEMA = pa.schema([
    ("t_offset_s", pa.float64()),
    ("src_gs", pa.int32()),
    ("dst_gs", pa.int32()),
    ("length_m", pa.float64()),
    ("one_way_ms", pa.float64()),
    ("hops", pa.int32()),
    ("path", pa.list_(pa.int32())),
])
"""Hypatia's node ids: satellites ``0 .. n_sats-1``, ground station ``g`` is ``n_sats + g``.
A pair with no route at an instant has nulls from ``length_m`` on."""

SERIES_SCHEMA = pa.schema([
    ("time", pa.timestamp("ns", tz="UTC")),
    ("source", pa.string()),
    ("destination", pa.string()),
    ("one_way_ms", pa.float64()),
    ("rtt_ms", pa.float64()),
    ("hops", pa.int32()),
    ("path", pa.list_(pa.string())),
    ("no_service", pa.string()),
])
"""One row per instant and pair; ``no_service`` names the cause where there is no route."""

# Decimals of the CSV columns, as the earlier per-row writers printed them: a millimetre of
# path length and a nanosecond of delay for paths, 0.1 microsecond for route series.
_PATHS_CSV_DECIMALS = {"length_m": 3, "one_way_ms": 6}
_SERIES_CSV_DECIMALS = {"one_way_ms": 4, "rtt_ms": 4}
# Instants per task of a paths run on a cluster: an instant of Hypatia's reference workload
# (1,584 satellites, 9,900 pairs) is tens of milliseconds; the first of each window builds
# its trees from scratch (benchmarks/bench_dask_routes.py).
PATHS_TASK_INSTANTS = 20


def check_table_path(path: Path, *, option: str = "--out") -> Path:
    """``path`` if its suffix names a format written here, else a one-line `InputError`."""
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{option} must name a .parquet or .csv file, got {path.name!r}")
    return path


def fixed_decimals(values: np.ndarray, decimals: int) -> pa.StringArray:
    """``values`` as text with exactly ``decimals`` digits after the point, as ``%.Nf``
    would print them (null where not finite). Rounds the scaled value half to even, so a
    value exactly half-way in binary may differ from ``%.Nf`` in the last digit."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    scaled = np.rint(np.abs(np.where(finite, values, 0.0)) * 10.0 ** decimals).astype(np.int64)
    digits = pc.utf8_lpad(pc.cast(pa.array(scaled), pa.string()), decimals + 1, "0")
    text = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(digits, 0, -decimals),
        pc.utf8_slice_codeunits(digits, -decimals, np.iinfo(np.int64).max), ".")
    negative = (values < 0) & (scaled > 0)
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    return pc.if_else(pa.array(finite), text, pa.scalar(None, pa.string()))


def paths_table(routes: SpaceRoutes, t_offset_s: float, src: np.ndarray,
                dst: np.ndarray) -> pa.Table:
    """The routes of ground-station pairs ``(src[i], dst[i])`` at one instant."""
    indptr, nodes = routes.paths
    n = routes.n_sats
    k = np.asarray(src, np.int64) * routes.n_points + np.asarray(dst, np.int64)
    length_m = routes.length_km[src, dst] * 1000.0
    connected = np.isfinite(length_m)
    every_path = pa.ListArray.from_arrays(pa.array(indptr.astype(np.int32)),
                                          pa.array(nodes.astype(np.int32)))
    path = pc.if_else(pa.array(connected), every_path.take(pa.array(k)),
                      pa.scalar(None, PATHS_SCHEMA.field("path").type))
    return pa.table({
        "t_offset_s": np.full(k.size, float(t_offset_s)),
        "src_gs": (n + np.asarray(src)).astype(np.int32),
        "dst_gs": (n + np.asarray(dst)).astype(np.int32),
        "length_m": pa.array(length_m, mask=~connected),
        "one_way_ms": pa.array(routes.one_way_ms[src, dst], mask=~connected),
        "hops": pa.array(routes.hops[src, dst].astype(np.int32), mask=~connected),
        "path": path,
    }, schema=PATHS_SCHEMA)


def series_table(s: RouteSeries) -> pa.Table:
    """Every instant and pair of a route series, paths as node labels."""
    pair = np.tile(np.arange(s.n_pairs), s.n_times)
    available = s.available.ravel()
    n_s, n_g, n_p = len(s.sat_names), len(s.gateway_names), len(s.pop_names)
    src_names = [str(v or "source") for v in s.src.names]
    dst_names = [str(v or "destination") for v in s.dst.names]
    labels = pa.array([*map(str, s.sat_names), *(f"gateway {g}" for g in s.gateway_names),
                       *(f"PoP {p}" for p in s.pop_names), *src_names, *dst_names],
                      pa.string())
    # Each node id as an index into ``labels``: the two ends depend on the pair.
    node_pair = np.repeat(pair, np.diff(s.path_indptr))
    nodes = s.path_nodes.astype(np.int64)
    end = n_s + n_g + n_p
    index = np.where(nodes == SRC, end + node_pair,
                     np.where(nodes == DST, end + s.n_pairs + node_pair, nodes))
    path = pa.ListArray.from_arrays(pa.array(s.path_indptr.astype(np.int32)),
                                    labels.take(pa.array(index)))
    one_way = s.one_way_ms.ravel()
    reasons = pa.array(REASONS, pa.string()).take(pa.array(s.reason.ravel().astype(np.int64)))
    time_ns = np.repeat(s.grid.utc.view(np.int64), s.n_pairs)
    return pa.table({
        "time": pa.array(time_ns, pa.timestamp("ns", tz="UTC")),
        "source": pa.array(src_names, pa.string()).take(pa.array(pair)),
        "destination": pa.array(dst_names, pa.string()).take(pa.array(pair)),
        "one_way_ms": pa.array(one_way, mask=~available),
        "rtt_ms": pa.array(2.0 * one_way, mask=~available),
        "hops": pa.array(s.hops.ravel().astype(np.int32), mask=~available),
        "path": pc.if_else(pa.array(available), path,
                           pa.scalar(None, SERIES_SCHEMA.field("path").type)),
        "no_service": pc.if_else(pa.array(available), pa.scalar(None, pa.string()), reasons),
    }, schema=SERIES_SCHEMA)


def _quoted(text: pa.Array) -> pa.Array:
    """CSV quoting (RFC 4180): inside double quotes, a quote doubled."""
    doubled = pc.replace_substring(text, '"', '""')
    return pc.binary_join_element_wise('"', doubled, '"', "")


def _csv_lines(columns: list[pa.Array]) -> bytes:
    """Comma-joined columns (null: empty field), one line per row, as one buffer."""
    line = pc.binary_join_element_wise(*columns, ",", null_handling="replace",
                                       null_replacement="")
    line = pc.binary_join_element_wise(line, "\n", "")
    if len(line) == 0:
        return b""
    offsets = np.frombuffer(line.buffers()[1], np.int32)[line.offset:line.offset + len(line) + 1]
    return bytes(memoryview(line.buffers()[2])[offsets[0]:offsets[-1]])


def paths_csv_lines(table: pa.Table) -> bytes:
    """The rows of a `paths_table` as CSV lines (header excluded), Hypatia-style paths
    ``a-b-c``."""
    t = table.column("t_offset_s").combine_chunks()
    columns = [
        pc.cast(t, pa.string()) if t.null_count else _repeat_text(t),
        pc.cast(table.column("src_gs").combine_chunks(), pa.string()),
        pc.cast(table.column("dst_gs").combine_chunks(), pa.string()),
        *(fixed_decimals(table.column(name).to_numpy(zero_copy_only=False), d)
          for name, d in _PATHS_CSV_DECIMALS.items()),
        pc.cast(table.column("hops").combine_chunks(), pa.string()),
        pc.binary_join(pc.cast(table.column("path").combine_chunks(),
                               pa.list_(pa.string())), "-"),
    ]
    return _csv_lines(columns)


def _repeat_text(t: pa.Array) -> pa.Array:
    """Instants as ``%.9g`` text: few distinct values per table, formatted once each."""
    values, inverse = np.unique(t.to_numpy(), return_inverse=True)
    return pa.array([f"{v:.9g}" for v in values], pa.string()).take(pa.array(inverse))


def series_csv_lines(table: pa.Table) -> bytes:
    """The rows of a `series_table` as CSV lines (header excluded), paths ``a|b|c``."""
    ns = table.column("time").combine_chunks().cast(pa.int64()).to_numpy()
    values, inverse = np.unique(ns, return_inverse=True)
    columns = [
        pa.array(iso_utc(values).astype(str), pa.string()).take(pa.array(inverse)),
        _quoted(table.column("source").combine_chunks()),
        _quoted(table.column("destination").combine_chunks()),
        *(fixed_decimals(table.column(name).to_numpy(zero_copy_only=False), d)
          for name, d in _SERIES_CSV_DECIMALS.items()),
        pc.cast(table.column("hops").combine_chunks(), pa.string()),
        _quoted(pc.binary_join(table.column("path").combine_chunks(), "|")),
        table.column("no_service").combine_chunks(),
    ]
    return _csv_lines(columns)


class TableWriter:
    """Tables of one schema appended to a ``.parquet`` or ``.csv`` file, which appears
    under its name only once closed without error.

    ``csv_lines`` turns a table into CSV lines; ``header`` is the CSV header line."""

    def __init__(self, path: Path, schema: pa.Schema, csv_lines, header: str) -> None:
        self.path = check_table_path(Path(path))
        self.rows = 0
        self._schema, self._csv_lines = schema, csv_lines
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._part = self.path.with_name(f".{self.path.name}.part")
        if self.path.suffix.lower() == ".parquet":
            self._parquet = pq.ParquetWriter(self._part, schema, compression="zstd")
            self._csv = None
        else:
            self._parquet = None
            self._csv = self._part.open("wb")
            self._csv.write(f"{header}\n".encode())

    def write(self, table: pa.Table) -> int:
        """Append ``table``; the number of rows written."""
        if self._parquet is not None:
            self._parquet.write_table(table)
        else:
            self._csv.write(self._csv_lines(table))
        self.rows += table.num_rows
        return table.num_rows

    def close(self, *, keep: bool = True) -> None:
        """Finish the file and move it into place (``keep=False``: discard it)."""
        if self._parquet is not None:
            self._parquet.close()
        else:
            self._csv.close()
        if keep:
            os.replace(self._part, self.path)
        else:
            self._part.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(keep=kind is None)


def paths_writer(path: Path) -> TableWriter:
    """A writer of `paths_table` steps (the header is Hypatia-style CSV's)."""
    return TableWriter(path, PATHS_SCHEMA, paths_csv_lines, ",".join(PATHS_SCHEMA.names))


def write_series(s: RouteSeries, path: Path) -> int:
    """Write a route series to ``path`` (.parquet or .csv); the number of rows."""
    with TableWriter(path, SERIES_SCHEMA, series_csv_lines,
                     ",".join(SERIES_SCHEMA.names)) as w:
        return w.write(series_table(s))


def write_paths(inputs: HypatiaInputs, grid: TimeGrid, t0_s: float, out: Path, *,
                client=None, task_instants: int = PATHS_TASK_INSTANTS,
                progress: Callable[[int], None] | None = None) -> int:
    """Every ordered ground-station pair's path at every instant of ``grid`` (``t0_s`` after
    the TLE epoch) to ``out`` (.parquet or .csv); the number of rows.

    With ``client`` (a `distributed.Client`) the instants are routed in windows of
    ``task_instants`` on the cluster and written in time order, one table per instant as
    on one machine: the same file. ``progress`` gets the instants done."""
    offsets = t0_s + grid.offsets_s
    with paths_writer(out) as writer:
        if client is None:
            for k, routes in enumerate(inputs.iter_routes(grid)):
                writer.write(_pairs_table(inputs, routes, offsets[k]))
                if progress is not None:
                    progress(1)
            return writer.rows
        # Dask is an optional extra: its module is imported only when a client is given.
        from leonet.distributed.windows import in_time_order

        for _, _, tables in in_time_order(client, _paths_window,
                                          {"inputs": inputs, "grid": grid, "t0_s": t0_s},
                                          len(grid), task_instants=task_instants,
                                          progress=progress):
            for table in tables:
                writer.write(table)
        return writer.rows


def _pairs_table(inputs: HypatiaInputs, routes: SpaceRoutes, t_offset_s: float) -> pa.Table:
    """`paths_table` of every ordered pair of distinct ground stations."""
    n_g = len(inputs.stations)
    src, dst = np.divmod(np.arange(n_g * n_g), n_g)
    pairs = src != dst
    return paths_table(routes, t_offset_s, src[pairs], dst[pairs])


def _paths_window(inputs: HypatiaInputs, grid: TimeGrid, t0_s: float, start: int,
                  stop: int) -> list[pa.Table]:
    """One window's tables, one per instant, on a worker."""
    offsets = t0_s + grid.offsets_s[start:stop]
    return [_pairs_table(inputs, routes, offsets[k])
            for k, routes in enumerate(inputs.iter_routes(grid[start:stop]))]
