"""Read decision requests into arrays, and write the answers back, fast.

Three request forms (one route):

* one row, JSON: ``{"terminal_id": "UT-1", "time": "2026-02-03T10:00:00Z", "lat_deg": 50.4,
  "lon_deg": 30.5, "alt_m": 0, "speed_kmh": 0}``;
* a batch, columnar JSON: ``{"columns": {"terminal_id": [...], "time": [...] | "...",
  "lat_deg": [...], ...}}``: a column given as one value applies to every row;
* a batch, Apache Arrow IPC stream (``application/vnd.apache.arrow.stream``) with the same
  columns (``time`` a timestamp with a time zone); the answer is Arrow too.

Parsing never builds one Python object per row beyond what orjson returns: lists become
numpy arrays in one call, ISO times are parsed by Arrow's vectorised ISO 8601 reader, and
terminal ids are dictionary-encoded so the registry is consulted once per distinct terminal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from leonet.errors import InputError
from leonet.physics.timegrid import OFFSET_BEYOND_RE, parse_utc, units_to_ns
from leonet.server.body_guard import check_arrow_stream
from leonet.server.problems import Problem, check_columns, invalid

ARROW_STREAM = "application/vnd.apache.arrow.stream"
REQUIRED = ("terminal_id", "time", "lat_deg", "lon_deg")
NUMERIC = {
    # column: (default, low, high) — physical bounds, so nonsense is refused, not decided.
    "lat_deg": (None, -90.0, 90.0),
    "lon_deg": (None, -180.0, 180.0),
    "alt_m": (0.0, -500.0, 100_000.0),
    "speed_kmh": (0.0, 0.0, 30_000.0),
    "roaming_days": (0.0, 0.0, 100_000.0),
}
COLUMNS = (*REQUIRED, "alt_m", "speed_kmh", "roaming_days")
_NUMBER_TYPES = frozenset({int, float})


@dataclass(frozen=True)
class Batch:
    """Parsed request: distinct terminal ids, per-row codes into them, and the columns."""

    single: bool
    arrow: bool
    terminal_ids: list[str]
    codes: np.ndarray
    time_ns: np.ndarray
    columns: dict[str, np.ndarray]

    @property
    def n_rows(self) -> int:
        return len(self.codes)


def _first_bad(values: list, ok) -> int:
    return next(i for i, v in enumerate(values) if not ok(v))


def _numbers(name: str, value: Any, n: int | None, path: str) -> np.ndarray:
    if isinstance(value, list):
        # One pass over the element types (numpy would quietly turn true into 1.0).
        if not set(map(type, value)) <= _NUMBER_TYPES:
            i = _first_bad(value, lambda v: type(v) in _NUMBER_TYPES)
            raise invalid(f"{path}/{i}", f"expected a number, got {value[i]!r}")
        try:
            array = np.array(value, dtype=np.float64)
        except OverflowError:
            raise invalid(path, "a number is too large") from None
    elif type(value) in _NUMBER_TYPES:
        array = np.full(1 if n is None else n, float(value))
    else:
        raise invalid(path, f"expected a number or a list of numbers, got {value!r}"[:200])
    _, low, high = NUMERIC[name]
    bad = ~((array >= low) & (array <= high))  # also catches NaN
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"{path}/{i}" if isinstance(value, list) else path,
                      f"{float(array[i])!r} is outside [{low:g}, {high:g}]")
    return array


def _one_time(text: str, path: str) -> int:
    """Nanoseconds since the epoch of one ISO 8601 time with a zone (no Arrow round trip)."""
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise invalid(path, f"cannot read {text!r} as a time: expected ISO 8601 with a zone, "
                            "e.g. 2026-02-03T10:00:00Z")
    try:  # the range and the offset
        return int(parse_utc(parsed, what="time").view(np.int64))
    except InputError as exc:
        raise invalid(path, exc.what) from None


def _times(value: Any, n: int, path: str) -> np.ndarray:
    if isinstance(value, str):
        return np.full(n, _one_time(value, path), dtype=np.int64)
    many = isinstance(value, list)
    if many and not all(isinstance(v, str) for v in value):
        i = _first_bad(value, lambda v: isinstance(v, str))
        raise invalid(f"{path}/{i}", f"expected an ISO 8601 time with a zone, got {value[i]!r}")
    if not many:
        raise invalid(path, f"expected an ISO 8601 time with a zone, got {value!r}"[:200])
    strings = pa.array(value, type=pa.string())
    try:
        # Arrow's vectorised reader refuses a time past 2262 (it does not wrap) but takes any
        # offset below 24 h; what it cannot read or should not is explained by `_one_time`.
        if not pc.any(pc.match_substring_regex(strings, OFFSET_BEYOND_RE)).as_py():
            return strings.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()).to_numpy(
                zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    return np.array([_one_time(text, f"{path}/{i}") for i, text in enumerate(value)],
                    dtype=np.int64)


def _ids(value: Any, n: int, path: str) -> tuple[list[str], np.ndarray]:
    if isinstance(value, str):
        return [value], np.zeros(n, dtype=np.int64)
    if not isinstance(value, list):
        raise invalid(path, "expected a terminal id or a list of them")
    try:
        ids = pa.array(value, type=pa.string())  # refuses anything but strings (and null)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        ids = None
    if ids is None or ids.null_count:
        i = _first_bad(value, lambda v: type(v) is str)
        raise invalid(f"{path}/{i}", f"expected a terminal id (string), got {value[i]!r}"[:200])
    return _encode(ids)


def _encode(ids: pa.Array) -> tuple[list[str], np.ndarray]:
    encoded = ids.dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary.to_pylist(), codes


def _length(columns: dict[str, Any], path: str, max_rows: int) -> int:
    lengths = {k: len(v) for k, v in columns.items() if isinstance(v, list)}
    if not lengths:
        return 1
    n = max(lengths.values())
    for name, length in lengths.items():
        if length != n:
            raise invalid(f"{path}/{name}", f"has {length} rows but other columns have {n}")
    if n == 0:
        raise invalid(path, "the batch has no rows")
    if n > max_rows:
        raise Problem(413, f"the batch has {n} rows; the limit is {max_rows} per request")
    return n


def _from_columns(columns: Any, path: str, single: bool, max_rows: int) -> Batch:
    if not isinstance(columns, dict):
        raise invalid(path or "/", "expected an object of columns")
    check_columns(columns, COLUMNS, REQUIRED, path)
    if single and any(isinstance(v, list) for v in columns.values()):
        name = next(k for k, v in columns.items() if isinstance(v, list))
        raise invalid(f"{path}/{name}", "one row takes single values; send a batch as "
                                        '{"columns": {...}}')
    n = _length(columns, path, max_rows)
    ids, codes = _ids(columns["terminal_id"], n, f"{path}/terminal_id")
    arrays = {}
    for name, (default, _, _) in NUMERIC.items():
        value = columns.get(name, default)
        arrays[name] = _numbers(name, value, n, f"{path}/{name}")
    time_ns = _times(columns["time"], n, f"{path}/time")
    return Batch(single, False, ids, codes, time_ns, arrays)


def parse_json(body: bytes, max_rows: int) -> Batch:
    """One row or a columnar batch from a JSON body."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise invalid("/", "expected a JSON object: one row, or {\"columns\": {...}}")
    if "columns" in document:
        extra = sorted(set(document) - {"columns"})
        if extra:
            raise invalid(f"/{extra[0]}", "a batch object has only \"columns\"")
        return _from_columns(document["columns"], "/columns", False, max_rows)
    return _from_columns(document, "", True, max_rows)


def parse_arrow(body: bytes, max_rows: int, max_bytes: int) -> Batch:
    """A batch from an Arrow IPC stream, refused before reading if it declares more than
    ``max_rows`` rows or ``max_bytes`` decompressed (`check_arrow_stream`)."""
    check_arrow_stream(body, max_rows=max_rows, max_bytes=max_bytes)
    try:
        table = pa.ipc.open_stream(body).read_all()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError) as exc:
        raise Problem(400, f"the body is not an Arrow IPC stream: {exc}") from None
    check_columns(table.column_names, COLUMNS, REQUIRED)
    names = set(table.column_names)
    n = table.num_rows
    if n == 0:
        raise invalid("/", "the batch has no rows")
    if n > max_rows:
        raise Problem(413, f"the batch has {n} rows; the limit is {max_rows} per request")
    ids = table.column("terminal_id")
    if pa.types.is_dictionary(ids.type):
        ids = ids.cast(ids.type.value_type)
    if not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        raise invalid("/terminal_id", f"expected strings, got {ids.type}")
    if ids.null_count:
        raise invalid("/terminal_id", "has nulls")
    terminal_ids, codes = _encode(ids.cast(pa.string()))
    time = table.column("time")
    if not pa.types.is_timestamp(time.type) or time.type.tz is None:
        raise invalid("/time", f"expected a timestamp with a time zone, got {time.type}")
    if time.null_count:
        raise invalid("/time", "has nulls")
    try:
        time_ns = units_to_ns(time.cast(pa.int64()).to_numpy(), time.type.unit, what="time")
    except InputError as exc:
        raise invalid("/time", exc.what) from None
    arrays = {}
    for name, (default, _, _) in NUMERIC.items():
        if name in names:
            column = table.column(name)
            if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
                raise invalid(f"/{name}", f"expected numbers, got {column.type}")
            if column.null_count:
                raise invalid(f"/{name}", "has nulls")
            # Unsafe: an integer past 2^53 becomes the nearest float, refused by the range
            # check below, where a safe cast raises.
            arrays[name] = column.cast(pa.float64(), safe=False).to_numpy()
        else:
            arrays[name] = np.full(n, default)
        low, high = NUMERIC[name][1:]
        bad = ~((arrays[name] >= low) & (arrays[name] <= high))
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(f"/{name}/{i}",
                          f"{float(arrays[name][i])!r} is outside [{low:g}, {high:g}]")
    return Batch(False, True, terminal_ids, codes, time_ns, arrays)


def arrow_answer(allowed: np.ndarray, rule_index: np.ndarray, labels: tuple[str, ...],
                 metadata: dict[str, str]) -> bytes:
    """The answer as an Arrow IPC stream: ``allowed`` (bool), ``rule`` (dictionary string)."""
    rule_array = pa.DictionaryArray.from_arrays(pa.array(rule_index, type=pa.int32()),
                                                pa.array(labels, type=pa.string()))
    table = pa.table({"allowed": pa.array(allowed, type=pa.bool_()), "rule": rule_array},
                     metadata=metadata)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
