"""Flagged reports → incidents: consecutive flags of one terminal with the same cause, no
more than a gap apart, form one incident."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Runs:
    """Runs over flagged rows: ``first``/``last`` row (telemetry indices), ``n`` flagged
    reports, ``cause`` of each run, and ``lo``/``hi``: the run is ``rows[lo:hi]`` of the
    flagged rows it was made from."""

    first: np.ndarray
    last: np.ndarray
    n: np.ndarray
    cause: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def __len__(self) -> int:
        return int(self.first.size)

    def keep(self, mask: np.ndarray) -> Runs:
        return Runs(self.first[mask], self.last[mask], self.n[mask], self.cause[mask],
                    self.lo[mask], self.hi[mask])


def runs(rows: np.ndarray, codes: np.ndarray, t_ns: np.ndarray, cause: np.ndarray,
         gap_s: float, min_reports: int = 1) -> Runs:
    """``rows``: ascending flagged telemetry rows; ``cause`` per flagged row (an int)."""
    if not rows.size:
        z = np.zeros(0, dtype=np.int64)
        return Runs(z, z, z, z, z, z)
    c = codes[rows]
    t = t_ns[rows]
    brk = np.ones(rows.size, dtype=bool)
    brk[1:] = ((c[1:] != c[:-1]) | (cause[1:] != cause[:-1])
               | (t[1:] - t[:-1] > int(gap_s * 1e9)))
    first = np.flatnonzero(brk)
    last = np.concatenate([first[1:], [rows.size]]) - 1
    n = last - first + 1
    out = Runs(rows[first], rows[last], n.astype(np.int64), np.asarray(cause)[first],
               first, last + 1)
    return out.keep(n >= min_reports)
