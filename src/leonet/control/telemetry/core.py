"""`Telemetry` (terminal reports as arrays) and `RowIssues` (what was refused or noted).

A telemetry row is one report of one terminal: where it was (``lat_deg``, ``lon_deg`` on
WGS84, ``alt_m`` above mean sea level as a GNSS receiver reports it), how fast it moved
(``speed_kmh``), and optionally its heading, the satellite serving it and its height above the
ground (``height_agl_m``, when the source knows it: a radar altimeter, an autopilot). Height
above ground is otherwise estimated from ``alt_m`` and the terrain
(`leonet.physics.terrain`), with that estimate's error. Rows are kept sorted by
``(terminal_id, time)`` so that every detector reads each terminal's track as one contiguous
segment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from leonet.errors import InputError
from leonet.physics.timegrid import iso_utc

REQUIRED = ("terminal_id", "time", "lat_deg", "lon_deg", "alt_m", "speed_kmh")
OPTIONAL = ("heading_deg", "serving_sat", "height_agl_m")
COLUMNS = REQUIRED + OPTIONAL


@dataclass(frozen=True, eq=False)
class Telemetry:
    """Terminal reports, one row each, sorted by ``(terminal_id, time)``.

    Build with `telemetry_from_arrays` or `read_telemetry` (which check every row and sort);
    constructing directly requires sorted, valid arrays. ``heading_deg`` and ``height_agl_m``
    are NaN and ``serving_sat`` is -1 where a report did not carry them.
    """

    terminal_id: np.ndarray  # str (object)
    time: np.ndarray  # datetime64[ns], UTC
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray  # above mean sea level (the EGM geoid, as GNSS reports), metres
    speed_kmh: np.ndarray
    heading_deg: np.ndarray  # degrees clockwise from north, NaN when absent
    serving_sat: np.ndarray  # int64 satellite index or NORAD id, -1 when absent
    # Above the ground, as the source measured it; NaN when absent (None: absent everywhere).
    height_agl_m: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.terminal_id)
        if self.height_agl_m is None:
            object.__setattr__(self, "height_agl_m", np.full(n, np.nan))
        for name in COLUMNS:
            if len(getattr(self, name)) != n:
                raise InputError(f"column {name} has {len(getattr(self, name))} rows, "
                                 f"terminal_id has {n}", "Telemetry")
        if self.time.dtype != np.dtype("datetime64[ns]"):
            raise InputError(f"time must be datetime64[ns], got {self.time.dtype}", "Telemetry")

    def __len__(self) -> int:
        return len(self.terminal_id)

    def __repr__(self) -> str:
        if not len(self):
            return "Telemetry(0 rows)"
        return (f"Telemetry({len(self):,} rows, {self.n_terminals:,} terminals, "
                f"{iso_utc(self.time.min(), 's')} .. {iso_utc(self.time.max(), 's')})")

    # -- segments: one per terminal ---------------------------------------------------------

    @cached_property
    def terminals(self) -> np.ndarray:
        """The distinct terminal ids, sorted (object array)."""
        return self.terminal_id[self.starts[:-1]] if len(self) else np.array([], dtype=object)

    @cached_property
    def starts(self) -> np.ndarray:
        """Row offsets of each terminal's segment, ``len(terminals) + 1`` values (int64)."""
        ids = self.terminal_id
        if not len(ids):
            return np.zeros(1, dtype=np.int64)
        change = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        starts = np.concatenate([[0], change, [len(ids)]]).astype(np.int64)
        firsts = ids[starts[:-1]]
        if not all(a < b for a, b in itertools.pairwise(firsts)):
            raise InputError("rows are not sorted by terminal_id; build Telemetry with "
                             "telemetry_from_arrays, which sorts them", "Telemetry")
        t = self.time.view(np.int64)
        step_back = np.flatnonzero(t[1:] < t[:-1]) + 1
        if np.isin(step_back, starts, invert=True).any():
            raise InputError("rows of a terminal are not sorted by time; build Telemetry with "
                             "telemetry_from_arrays, which sorts them", "Telemetry")
        return starts

    @cached_property
    def codes(self) -> np.ndarray:
        """Per row, the index of its terminal in `terminals` (int32)."""
        lengths = np.diff(self.starts)
        return np.repeat(np.arange(lengths.size, dtype=np.int32), lengths)

    @property
    def n_terminals(self) -> int:
        return int(self.starts.size - 1)

    @property
    def time_ns(self) -> np.ndarray:
        return self.time.view(np.int64)

    # -- selections and output --------------------------------------------------------------

    def take(self, rows: np.ndarray) -> Telemetry:
        """The given rows (a boolean mask or ascending indices keep the sort order)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        out = Telemetry(**{name: getattr(self, name)[rows] for name in COLUMNS})
        return out

    def columns(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in COLUMNS}

    def to_table(self):
        """A `pyarrow.Table` (time as ``timestamp[ns, UTC]``; ids dictionary-encoded)."""
        ids = pa.DictionaryArray.from_arrays(
            pa.array(self.codes, type=pa.int32()), pa.array(self.terminals, type=pa.string()))
        return pa.table({
            "terminal_id": ids,
            "time": pa.array(self.time, type=pa.timestamp("ns", tz="UTC")),
            "lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "alt_m": self.alt_m,
            "speed_kmh": self.speed_kmh, "heading_deg": self.heading_deg,
            "serving_sat": self.serving_sat, "height_agl_m": self.height_agl_m,
        })


def empty_telemetry() -> Telemetry:
    f = np.zeros(0)
    return Telemetry(terminal_id=np.array([], dtype=object),
                     time=np.array([], dtype="datetime64[ns]"), lat_deg=f, lon_deg=f.copy(),
                     alt_m=f.copy(), speed_kmh=f.copy(), heading_deg=f.copy(),
                     serving_sat=np.zeros(0, dtype=np.int64), height_agl_m=f.copy())


@dataclass(frozen=True, eq=False)
class RowIssues:
    """Problems found in input rows: one entry each, in input order.

    ``row`` is the 0-based index of the data row in the input (-1 for a CSV line that could not
    be split into fields), ``line`` the line in a CSV file (-1 otherwise), ``n_rows`` how many
    consecutive rows the entry covers (more than 1 only for an unreadable block of a Parquet
    file), ``dropped`` whether the rows were left out (True) or kept (False: out of order,
    a second report at the same instant, a heading cleared).
    """

    source: str
    row: np.ndarray
    line: np.ndarray
    n_rows: np.ndarray
    terminal_id: np.ndarray
    field: np.ndarray
    reason: np.ndarray
    dropped: np.ndarray
    n_input: int = field(default=0)

    def __len__(self) -> int:
        return int(self.row.size)

    @property
    def n_dropped(self) -> int:
        """How many input rows were left out."""
        return int(self.n_rows[self.dropped].sum())

    def where(self, i: int) -> str:
        """Where entry ``i`` points: ``file.csv:12`` or ``file.parquet row 10``."""
        if self.line[i] >= 0:
            return f"{self.source}:{int(self.line[i])}"
        if self.n_rows[i] > 1:
            return f"{self.source} rows {int(self.row[i])}-{int(self.row[i] + self.n_rows[i] - 1)}"
        return f"{self.source} row {int(self.row[i])}"

    def describe(self, i: int) -> str:
        """Entry ``i`` in one line of plain words."""
        what = f"{self.field[i]}: " if self.field[i] else ""
        who = f" (terminal {self.terminal_id[i]})" if self.terminal_id[i] else ""
        verdict = "dropped" if self.dropped[i] else "kept"
        return f"{self.where(i)}{who}: {what}{self.reason[i]}; {verdict}"

    def summary(self, limit: int = 10) -> str:
        """A few lines for people: counts, then the first ``limit`` entries."""
        if not len(self):
            return f"{self.source}: all {self.n_input:,} rows accepted"
        kept = int((~self.dropped).sum())
        lines = [f"{self.source}: {self.n_dropped:,} of {self.n_input:,} rows dropped, "
                 f"{kept:,} kept with a note"]
        lines += ["  " + self.describe(i) for i in range(min(limit, len(self)))]
        if len(self) > limit:
            lines.append(f"  ... and {len(self) - limit:,} more")
        return "\n".join(lines)

    def to_table(self):
        return pa.table({
            "row": pa.array(self.row, type=pa.int64()),
            "line": pa.array(self.line, type=pa.int64()),
            "n_rows": pa.array(self.n_rows, type=pa.int64()),
            "terminal_id": pa.array(self.terminal_id.tolist(), type=pa.string()),
            "field": pa.array(self.field.tolist(), type=pa.string()),
            "reason": pa.array(self.reason.tolist(), type=pa.string()),
            "dropped": pa.array(self.dropped, type=pa.bool_()),
        })

    def write_csv(self, path: str | Path) -> None:
        pacsv.write_csv(self.to_table(), Path(path))

    def counts_by_reason(self) -> dict[str, int]:
        """Entries per kind of problem (the reason's words before any number)."""
        out: dict[str, int] = {}
        for f, d in zip(self.field.tolist(), self.dropped.tolist(), strict=True):
            key = f"{f or 'row'} ({'dropped' if d else 'kept'})"
            out[key] = out.get(key, 0) + 1
        return out


class IssueLog:
    """Collects issues while checking rows, then freezes into `RowIssues`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._parts: list[tuple] = []

    def add(self, rows, field_name: str, reasons, dropped: bool, terminal_ids=None,
            lines=None, n_rows=None) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if not rows.size:
            return
        k = rows.size
        reasons = np.asarray(reasons, dtype=object)
        if reasons.ndim == 0:
            reasons = np.full(k, reasons.item(), dtype=object)
        ids = (np.full(k, "", dtype=object) if terminal_ids is None
               else np.asarray(terminal_ids, dtype=object))
        self._parts.append((rows,
                            np.full(k, -1, np.int64) if lines is None else np.asarray(lines),
                            np.ones(k, np.int64) if n_rows is None else np.asarray(n_rows),
                            ids, np.full(k, field_name, dtype=object), reasons,
                            np.full(k, dropped)))

    def freeze(self, n_input: int, line_of=None) -> RowIssues:
        if self._parts:
            cols = [np.concatenate([p[j] for p in self._parts]) for j in range(7)]
        else:
            cols = [np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                    np.zeros(0, object), np.zeros(0, object), np.zeros(0, object),
                    np.zeros(0, bool)]
        row, line, n_rows, ids, fields, reasons, dropped = cols
        if line_of is not None:
            have_row = (row >= 0) & (line < 0)
            line = line.copy()
            line[have_row] = line_of(row[have_row])
        # Input order: by line for CSV (unsplittable lines have no row), else by row.
        order = np.lexsort((row, line if line_of is not None else row))
        return RowIssues(source=self.source, row=row[order], line=line[order],
                         n_rows=n_rows[order], terminal_id=ids[order], field=fields[order],
                         reason=reasons[order], dropped=dropped[order], n_input=n_input)
