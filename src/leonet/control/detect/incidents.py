"""`Incidents`: what the detectors found, one row per incident, in plain words."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from leonet.control.detect.config import KINDS
from leonet.errors import InputError
from leonet.notebook.display import html_columns, to_pandas
from leonet.physics.timegrid import NS_PER_S, iso_utc

CSV_COLUMNS = ("terminal_id", "kind", "start", "end", "evidence")


@dataclass(frozen=True, eq=False)
class Incidents:
    """Incidents sorted by ``(terminal_id, start, kind, end)``.

    ``evidence`` says in plain words what was seen; ``rule`` is the policy rule that was
    broken (empty when the finding needs no policy); ``n_reports`` how many reports show it;
    ``lat_deg``/``lon_deg`` where it began. ``notes`` says what the run could not check
    (kinds skipped for want of a policy, terminals without facts, ...).
    """

    terminal_id: np.ndarray  # object
    kind: np.ndarray  # object
    start: np.ndarray  # datetime64[ns]
    end: np.ndarray  # datetime64[ns]
    evidence: np.ndarray  # object
    rule: np.ndarray  # object
    n_reports: np.ndarray  # int64
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.terminal_id.size)

    def columns(self) -> dict[str, np.ndarray]:
        """One row per incident, every field."""
        return {"terminal_id": self.terminal_id, "kind": self.kind, "start": self.start,
                "end": self.end, "evidence": self.evidence, "rule": self.rule,
                "n_reports": self.n_reports, "lat_deg": self.lat_deg, "lon_deg": self.lon_deg}

    def to_pandas(self):
        """`columns` as a pandas DataFrame."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`to_table`: the columns as an Arrow table."""
        return self.to_table()

    def _repr_html_(self) -> str:
        return html_columns(repr(self), self.columns())

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts_by_kind().items() if v)
        return f"Incidents({len(self)}: {counts or 'none'})"

    def counts_by_kind(self) -> dict[str, int]:
        """Incidents per kind, every kind listed (in `KINDS` order)."""
        return {k: int((self.kind == k).sum()) for k in KINDS}

    def of_kind(self, kind: str) -> Incidents:
        return self.take(self.kind == kind)

    @staticmethod
    def concat(parts: list[Incidents | None]) -> Incidents:
        """Incidents of several runs as one, in the order given (notes once each)."""
        kept = [p for p in parts if p is not None]
        if not kept:
            return IncidentLog().freeze()
        notes = tuple(dict.fromkeys(n for p in kept for n in p.notes))
        return Incidents(**{a: np.concatenate([getattr(p, a) for p in kept]) for a in _ARRAYS},
                         notes=notes)

    def take(self, rows) -> Incidents:
        rows = np.asarray(rows)
        return Incidents(**{name: getattr(self, name)[rows] for name in _ARRAYS},
                         notes=self.notes)

    def describe(self, i: int) -> str:
        return (f"{self.terminal_id[i]} {self.kind[i]} {_iso(self.start[i])} .. "
                f"{_iso(self.end[i])}: {self.evidence[i]}")

    def to_table(self, all_columns: bool = True):
        """A `pyarrow.Table`: the five CSV columns, then (``all_columns``) the others."""
        cols = {
            "terminal_id": pa.array(self.terminal_id.tolist(), type=pa.string()),
            "kind": pa.array(self.kind.tolist(), type=pa.string()),
            "start": pa.array(self.start, type=pa.timestamp("ns", tz="UTC")),
            "end": pa.array(self.end, type=pa.timestamp("ns", tz="UTC")),
            "evidence": pa.array(self.evidence.tolist(), type=pa.string()),
        }
        if all_columns:
            cols.update({
                "rule": pa.array(self.rule.tolist(), type=pa.string()),
                "n_reports": pa.array(self.n_reports, type=pa.int64()),
                "lat_deg": pa.array(self.lat_deg, type=pa.float64()),
                "lon_deg": pa.array(self.lon_deg, type=pa.float64()),
            })
        return pa.table(cols)

    def write_csv(self, path: str | Path, all_columns: bool = False) -> None:
        """CSV with ``terminal_id,kind,start,end,evidence`` (times ISO 8601 with Z);
        ``all_columns`` adds ``rule,n_reports,lat_deg,lon_deg``. Same incidents, same bytes."""
        path = Path(path)
        header = list(CSV_COLUMNS) + (["rule", "n_reports", "lat_deg", "lon_deg"]
                                      if all_columns else [])
        try:
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                for i in range(len(self)):
                    row = [self.terminal_id[i], self.kind[i], _iso(self.start[i]),
                           _iso(self.end[i]), self.evidence[i]]
                    if all_columns:
                        row += [self.rule[i], int(self.n_reports[i]),
                                f"{self.lat_deg[i]:.6f}", f"{self.lon_deg[i]:.6f}"]
                    w.writerow(row)
        except OSError as exc:
            raise InputError(f"cannot write: {exc}", str(path)) from None

    def write(self, path: str | Path) -> None:
        """CSV (the five columns) or Parquet (every column), by extension."""
        path = Path(path)
        if path.suffix.lower() in (".parquet", ".pq"):
            try:
                pq.write_table(self.to_table(), path, compression="zstd")
            except OSError as exc:
                raise InputError(f"cannot write: {exc}", str(path)) from None
        elif path.suffix.lower() == ".csv":
            self.write_csv(path)
        else:
            raise InputError("incidents are written as .csv or .parquet", str(path))

    def to_records(self) -> list[dict]:
        """One dict per incident (JSON-able)."""
        return [{"terminal_id": str(self.terminal_id[i]), "kind": str(self.kind[i]),
                 "start": _iso(self.start[i]), "end": _iso(self.end[i]),
                 "evidence": str(self.evidence[i]), "rule": str(self.rule[i]),
                 "n_reports": int(self.n_reports[i]),
                 "lat_deg": round(float(self.lat_deg[i]), 6),
                 "lon_deg": round(float(self.lon_deg[i]), 6)} for i in range(len(self))]


_ARRAYS = ("terminal_id", "kind", "start", "end", "evidence", "rule", "n_reports", "lat_deg",
           "lon_deg")


def _iso(t: np.datetime64) -> str:
    ns = int(np.datetime64(t, "ns").view(np.int64))
    return iso_utc(ns, "s" if ns % NS_PER_S == 0 else "ns")


class IncidentLog:
    """Collects incidents from the detectors (arrays per batch), then sorts them once.

    Notes that count something (`tally`) add up across logs (`absorb`), so a run split into
    terminal shards says what one run says; notes come out sorted, whatever the split.
    """

    def __init__(self) -> None:
        self._parts: list[dict] = []
        self.notes: list[str] = []
        self._tallies: dict[str, dict[str, int]] = {}

    def add(self, *, terminal_id, kind: str, start, end, evidence, rule="", n_reports,
            lat_deg, lon_deg) -> None:
        terminal_id = np.asarray(terminal_id, dtype=object)
        k = terminal_id.size
        if not k:
            return

        def full(v, dtype):
            arr = np.asarray(v, dtype=dtype)
            return np.full(k, arr.item(), dtype=dtype) if arr.ndim == 0 else arr

        self._parts.append({
            "terminal_id": terminal_id, "kind": np.full(k, kind, dtype=object),
            "start": np.asarray(start, dtype="datetime64[ns]"),
            "end": np.asarray(end, dtype="datetime64[ns]"),
            "evidence": full(evidence, object), "rule": full(rule, object),
            "n_reports": full(n_reports, np.int64), "lat_deg": full(lat_deg, np.float64),
            "lon_deg": full(lon_deg, np.float64)})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def tally(self, template: str, **counts: int) -> None:
        """A note whose ``counts`` (`str.format` fields of ``template``) add up over the
        logs of one run's shards; shown when its first count, summed, is not zero."""
        sums = self._tallies.setdefault(template, dict.fromkeys(counts, 0))
        for name, n in counts.items():
            sums[name] += int(n)

    def absorb(self, other: IncidentLog, *, notes: bool = True) -> None:
        """Add the incidents (and ``notes``) of ``other``, the log of another shard."""
        self._parts += other._parts
        if not notes:
            return
        for text in other.notes:
            self.note(text)
        for template, counts in other._tallies.items():
            self.tally(template, **counts)

    def freeze(self) -> Incidents:
        if self._parts:
            cols = {name: np.concatenate([p[name] for p in self._parts]) for name in _ARRAYS}
        else:
            cols = {"terminal_id": np.zeros(0, object), "kind": np.zeros(0, object),
                    "start": np.zeros(0, "datetime64[ns]"), "end": np.zeros(0, "datetime64[ns]"),
                    "evidence": np.zeros(0, object), "rule": np.zeros(0, object),
                    "n_reports": np.zeros(0, np.int64), "lat_deg": np.zeros(0),
                    "lon_deg": np.zeros(0)}
        kind_rank = np.array([KINDS.index(k) for k in cols["kind"].tolist()], dtype=np.int64)
        # A total order (ties broken by the evidence text), so equal inputs give equal files.
        order = sorted(range(cols["kind"].size), key=lambda i: (
            cols["terminal_id"][i], int(cols["start"][i].view(np.int64)), int(kind_rank[i]),
            int(cols["end"][i].view(np.int64)), cols["evidence"][i]))
        order = np.array(order, dtype=np.int64)
        return Incidents(**{name: cols[name][order] if order.size else cols[name]
                            for name in _ARRAYS},
                         notes=self._all_notes())

    def _all_notes(self) -> tuple[str, ...]:
        """Plain notes and shown tallies, sorted: the same whatever the shards' order."""
        tallied = (template.format(**counts) for template, counts in self._tallies.items()
                   if next(iter(counts.values())))
        return tuple(sorted({*self.notes, *tallied}))
