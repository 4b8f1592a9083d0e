"""Telemetry batches in request bodies: columnar JSON, Arrow IPC stream, or a Parquet file.

* ``application/json``: ``{"columns": {"terminal_id": [...], "time": [...], "lat_deg": [...],
  "lon_deg": [...], "alt_m": [...], "speed_kmh": [...], "heading_deg": [...],
  "serving_sat": [...], "height_agl_m": [...]}}``; a column given as one value applies to
  every row. ``alt_m`` is the GNSS altitude above mean sea level; ``height_agl_m`` (optional)
  the height above the ground when the source measured it;
* ``application/vnd.apache.arrow.stream``: the same columns (``time`` a timestamp with a zone);
* ``application/vnd.apache.parquet``: a Parquet file (a block that cannot be read is reported
  with its rows, the rest is read).

The shape of the body (unknown or missing columns, lengths that differ, a body that is not
JSON/Arrow/Parquet) is refused whole (400/422/413). A bad *value* costs only its row: it is
reported with the reason, as every check of `telemetry_from_arrays` is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from leonet.control.telemetry.core import COLUMNS, OPTIONAL, REQUIRED, IssueLog
from leonet.control.telemetry.files import read_parquet
from leonet.errors import InputError
from leonet.server.body_guard import check_arrow_stream, check_parquet
from leonet.server.problems import Problem, check_columns, invalid

ARROW_STREAM = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
NUMERIC = ("lat_deg", "lon_deg", "alt_m", "speed_kmh", "heading_deg", "serving_sat",
           "height_agl_m")
_NUMBER = frozenset({int, float})


@dataclass
class Body:
    """Columns of the rows that reached the checks, their input row numbers, the issues so
    far, and how many rows the body had."""

    columns: dict[str, Any]
    rows: np.ndarray
    log: IssueLog
    n_input: int
    json: bool


def parse(body: bytes, content_type: str, max_rows: int, max_bytes: int) -> Body:
    """The body's columns; Arrow and Parquet declaring more than ``max_rows`` rows or
    ``max_bytes`` decompressed are refused before they are read (`leonet.server.body_guard`)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/json", ""):
        return _json(body, max_rows)
    if kind == ARROW_STREAM:
        check_arrow_stream(body, max_rows=max_rows, max_bytes=max_bytes)
        return _arrow(body, max_rows)
    if kind == PARQUET:
        check_parquet(body, max_rows=max_rows, max_bytes=max_bytes)
        return _parquet(body, max_rows)
    raise Problem(415, f"send application/json, {ARROW_STREAM} or {PARQUET}, not {kind}")


def _json(body: bytes, max_rows: int) -> Body:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"columns"}:
        raise invalid("/", 'expected {"columns": {"terminal_id": [...], "time": [...], ...}}')
    cols = doc["columns"]
    if not isinstance(cols, dict):
        raise invalid("/columns", "expected an object of columns")
    check_columns(cols, COLUMNS, REQUIRED, "/columns")
    lengths = {k: len(v) for k, v in cols.items() if isinstance(v, list)}
    if not lengths:
        raise invalid("/columns", "no column is a list: send one list per column")
    n = max(lengths.values())
    for name, length in lengths.items():
        if length != n:
            raise invalid(f"/columns/{name}", f"has {length} rows but other columns have {n}")
    if n == 0:
        raise invalid("/columns", "the batch has no rows")
    if n > max_rows:
        raise Problem(413, f"the batch has {n:,} rows; the limit is {max_rows:,} per request")
    log = IssueLog("body")
    refused = np.zeros(n, dtype=bool)
    out: dict[str, Any] = {}
    ids = _column(cols["terminal_id"], n)
    bad = [i for i, v in enumerate(ids) if v is not None and not isinstance(v, str)]
    _refuse(log, refused, bad, "terminal_id", [f"expected a terminal id (text), got "
                                               f"{_show(ids[i])}" for i in bad], ids)
    out["terminal_id"] = np.array([v if isinstance(v, str) else None for v in ids],
                                  dtype=object)
    times = _column(cols["time"], n)
    bad = [i for i, v in enumerate(times) if v is not None and not isinstance(v, str)]
    _refuse(log, refused, bad, "time", [f"expected an ISO 8601 time with a zone, got "
                                        f"{_show(times[i])}" for i in bad], ids)
    out["time"] = np.array([v if isinstance(v, str) else None for v in times], dtype=object)
    for name in NUMERIC:
        if name not in cols:
            continue
        values = _column(cols[name], n)
        if set(map(type, values)) <= _NUMBER:
            try:
                out[name] = np.array(values, dtype=np.float64)
                continue
            except OverflowError:
                pass
        arr = np.full(n, np.nan)
        bad = []
        for i, v in enumerate(values):
            if type(v) in _NUMBER and abs(v) < 1e300:
                arr[i] = v
            elif v is not None:
                bad.append(i)
        _refuse(log, refused, bad, name, [f"expected a number, got {_show(values[i])}"
                                          for i in bad], ids)
        out[name] = arr
    for name in ("alt_m", "speed_kmh"):
        out.setdefault(name, np.zeros(n))
    keep = np.flatnonzero(~refused)
    if refused.any():
        out = {k: v[keep] for k, v in out.items()}
    return Body(out, keep, log, n, True)


def _column(value, n: int) -> list:
    return value if isinstance(value, list) else [value] * n


def _show(value) -> str:
    return repr(value)[:60]


def _refuse(log: IssueLog, refused: np.ndarray, bad: list[int], name: str, reasons, ids):
    if not bad:
        return
    log.add(np.array(bad), name, reasons, True,
            terminal_ids=[ids[i] if isinstance(ids[i], str) else "" for i in bad])
    refused[bad] = True


def _arrow(body: bytes, max_rows: int) -> Body:
    try:
        table = pa.ipc.open_stream(body).read_all()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise Problem(400, f"the body is not an Arrow IPC stream: {exc}") from None
    return _table(table, max_rows, IssueLog("body"), None, table.num_rows)


def _parquet(body: bytes, max_rows: int) -> Body:
    log = IssueLog("body")
    try:
        table, rows, n_input = read_parquet(io.BytesIO(body), log, "body")
    except InputError as exc:
        raise invalid("/", exc.what) from None
    return _table(table, max_rows, log, rows, n_input)


def _table(table, max_rows: int, log: IssueLog, rows, n_input: int) -> Body:
    check_columns(table.column_names, COLUMNS, REQUIRED)
    names = set(table.column_names)
    if n_input == 0:
        raise invalid("/", "the batch has no rows")
    if n_input > max_rows:
        raise Problem(413, f"the batch has {n_input:,} rows; the limit is {max_rows:,}")
    out = {}
    for name in REQUIRED + OPTIONAL:
        if name not in names:
            continue
        col = table.column(name)
        kind = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        ok = {"terminal_id": pa.types.is_string(kind) or pa.types.is_large_string(kind),
              "time": pa.types.is_timestamp(kind) or pa.types.is_string(kind)}.get(
            name, pa.types.is_floating(kind) or pa.types.is_integer(kind)
            or pa.types.is_null(kind))
        if not ok:
            raise invalid(f"/{name}", f"wrong type {col.type}")
        if name == "time" and pa.types.is_timestamp(kind) and kind.tz is None:
            raise invalid("/time", "timestamps need a time zone (UTC)")
        out[name] = col
    return Body(out, np.arange(n_input) if rows is None else rows, log, n_input, False)
