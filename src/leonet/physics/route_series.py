"""Routes of ground-point pairs over a time grid, as arrays: delays, paths, changes, summary.

Paths are node ids in compressed sparse rows over (instant, pair) in row-major order:
satellites ``0 .. n_sats-1``, gateways ``n_sats + g``, PoPs ``n_sats + n_gateways + p``,
and the pair's own ends ``SRC`` (-1) and ``DST`` (-2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from leonet.errors import InputError
from leonet.notebook.display import html_columns, to_arrow, to_pandas
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid

SRC, DST = -1, -2
OK, NO_SATELLITE, NO_DESTINATION_SATELLITE, NO_GATEWAY_ROUTE, SERVING_NO_GATEWAY = range(5)
REASONS = (
    "ok",
    "no satellite above the terminal's elevation mask",
    "no satellite above the destination's elevation mask",
    "no laser route from the satellite to a gateway or the destination",
    "no satellite in view sees a gateway (bent pipe)",
)



class RouteMode(StrEnum):
    """How routes are built (see `leonet.physics.network`); compares equal to its name."""

    OPERATOR = "operator"
    SPACE = "space"
    BENTPIPE = "bentpipe"
    FIBRE = "fibre"

    @classmethod
    def parse(cls, value: str | RouteMode) -> RouteMode:
        """The mode named ``value``; an unknown name is an `InputError`."""
        try:
            return cls(value)
        except ValueError:
            raise InputError(f"unknown mode {value!r}; expected one of "
                             f"{', '.join(m.value for m in cls)}") from None

    @property
    def scheduled(self) -> bool:
        """Whether a terminal is served by one scheduled satellite per slot."""
        return self in (RouteMode.OPERATOR, RouteMode.BENTPIPE)


@dataclass(frozen=True, eq=False)
class RouteSeries:
    """Routes of ``n_pairs`` pairs at ``n_times`` instants.

    ``one_way_ms`` ``(n_times, n_pairs)`` is NaN where a pair has no service, with the
    cause in ``reason`` (an index into `REASONS`). ``fibre_km`` is the fibre part of each
    route (route factor included). ``serving`` is the scheduled satellite (modes with a
    terminal), and ``schedule`` the full slot schedule.
    """

    grid: TimeGrid
    mode: RouteMode
    src: GroundPoints
    dst: GroundPoints
    one_way_ms: np.ndarray
    reason: np.ndarray
    fibre_km: np.ndarray
    path_indptr: np.ndarray
    path_nodes: np.ndarray
    sat_names: np.ndarray
    gateway_names: np.ndarray
    pop_names: np.ndarray
    pop_index: np.ndarray
    serving: np.ndarray | None = None
    schedule: Any = None

    @property
    def n_times(self) -> int:
        return self.one_way_ms.shape[0]

    @classmethod
    def concat(cls, parts: Sequence[RouteSeries]) -> RouteSeries:
        """Consecutive windows of one run (`Network.routes_window`) joined in time: the
        series of the whole grid, so path changes at a window's first instant are found
        once, against the previous window's last path."""
        if not parts:
            raise InputError("no route windows to join")
        first = parts[0]
        nodes = [p.path_nodes for p in parts]
        shift = np.cumsum([0, *(n.size for n in nodes[:-1])])
        indptr = np.concatenate([[0], *(p.path_indptr[1:] + k
                                        for p, k in zip(parts, shift, strict=True))])
        return replace(
            first, grid=TimeGrid(np.concatenate([p.grid.utc for p in parts])),
            one_way_ms=np.concatenate([p.one_way_ms for p in parts]),
            reason=np.concatenate([p.reason for p in parts]),
            fibre_km=np.concatenate([p.fibre_km for p in parts]),
            path_indptr=indptr, path_nodes=np.concatenate(nodes),
            serving=None if first.serving is None else np.concatenate(
                [p.serving for p in parts]))

    def columns(self) -> dict[str, np.ndarray]:
        """One row per instant and pair (time-major): time, source, destination, one-way and
        round-trip delay (NaN: no service), hops and the reason for no service ("" with)."""
        k, i = np.divmod(np.arange(self.one_way_ms.size), self.n_pairs)
        reasons = np.array(REASONS, dtype=object)[self.reason.ravel()]
        return {"time": self.grid.utc[k],
                "source": np.asarray(self.src.names, dtype=object)[i],
                "destination": np.asarray(self.dst.names, dtype=object)[i],
                "one_way_ms": self.one_way_ms.ravel(), "rtt_ms": self.rtt_ms.ravel(),
                "hops": self.hops.ravel(),
                "no_service": np.where(self.available.ravel(), "", reasons)}

    def to_pandas(self):
        """`columns` as a pandas DataFrame."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`columns` as an Arrow table."""
        return to_arrow(self.columns())

    def _repr_html_(self) -> str:
        return html_columns(f"RouteSeries ({self.mode.value}): {self.n_pairs:,} pairs at "
                            f"{self.n_times:,} instants", self.columns())

    @property
    def n_pairs(self) -> int:
        return self.one_way_ms.shape[1]

    @property
    def rtt_ms(self) -> np.ndarray:
        """Round trip over the same route both ways (NaN: no service)."""
        return 2.0 * self.one_way_ms

    @property
    def available(self) -> np.ndarray:
        return np.isfinite(self.one_way_ms)

    @property
    def hops(self) -> np.ndarray:
        """Links on each route, ``(n_times, n_pairs)`` (-1: no service)."""
        n = np.diff(self.path_indptr).reshape(self.n_times, self.n_pairs) - 1
        return np.where(self.available, n, -1)

    def path_ids(self, k: int, i: int) -> np.ndarray:
        j = k * self.n_pairs + i
        return self.path_nodes[self.path_indptr[j]:self.path_indptr[j + 1]]

    def node_label(self, node: int, pair: int) -> str:
        n_s, n_g = len(self.sat_names), len(self.gateway_names)
        if node == SRC:
            return str(self.src.names[pair] or "source")
        if node == DST:
            return str(self.dst.names[pair] or "destination")
        if node < n_s:
            return str(self.sat_names[node])
        if node < n_s + n_g:
            return f"gateway {self.gateway_names[node - n_s]}"
        return f"PoP {self.pop_names[node - n_s - n_g]}"

    def path(self, k: int, i: int) -> list[str]:
        """The route of pair ``i`` at instant ``k`` as node labels (empty: no service)."""
        return [self.node_label(int(v), i) for v in self.path_ids(k, i)]

    @cached_property
    def _path_key(self) -> np.ndarray:
        """A 64-bit fingerprint of every path (equal paths, equal keys)."""
        n = self.path_indptr.shape[0] - 1
        lengths = np.diff(self.path_indptr)
        seg = np.repeat(np.arange(n), lengths)
        pos = np.arange(self.path_nodes.shape[0]) - self.path_indptr[seg]
        # Position-weighted sum of mixed node ids, wrapping in uint64 (collisions are
        # astronomically unlikely for the few thousand distinct paths of a run).
        with np.errstate(over="ignore"):
            mixed = (self.path_nodes.astype(np.uint64) + np.uint64(3)) * np.uint64(
                0x9E3779B97F4A7C15)
            mixed ^= mixed >> np.uint64(29)
            mixed *= (pos.astype(np.uint64) * np.uint64(2) + np.uint64(1))
            key = np.zeros(n, np.uint64)
            np.add.at(key, seg, mixed)
            key += lengths.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
        return key.reshape(self.n_times, self.n_pairs)

    def path_changes(self) -> tuple[np.ndarray, np.ndarray]:
        """Path-change events ``(instant, pair)``: instants whose path differs from the
        previous instant's (losing or regaining service counts as a change)."""
        key = self._path_key
        k, i = np.nonzero(key[1:] != key[:-1])
        return k + 1, i

    def summary(self, pair: int = 0) -> dict[str, Any]:
        """Figures over the grid for one pair: availability, RTT statistics (ms, over the
        instants with service), hops, path changes and handovers per hour."""
        rtt = self.rtt_ms[:, pair]
        ok = np.isfinite(rtt)
        hours = (float(self.grid.offsets_s[-1]) / 3600.0) if self.n_times > 1 else 0.0
        changes = int(np.sum(self.path_changes()[1] == pair))
        out: dict[str, Any] = {
            "source": str(self.src.names[pair]), "destination": str(self.dst.names[pair]),
            "mode": self.mode.value, "instants": self.n_times,
            "availability": float(ok.mean()),
            "path_changes": changes,
            "path_changes_per_hour": changes / hours if hours else None,
        }
        if ok.any():
            r = rtt[ok]
            out.update({
                "rtt_ms_min": float(r.min()), "rtt_ms_p05": float(np.percentile(r, 5)),
                "rtt_ms_median": float(np.median(r)), "rtt_ms_mean": float(r.mean()),
                "rtt_ms_p95": float(np.percentile(r, 95)), "rtt_ms_max": float(r.max()),
                "hops_median": float(np.median(self.hops[ok, pair])),
            })
        if self.mode.scheduled:
            out["pop"] = str(self.pop_names[self.pop_index[pair]])
        if self.schedule is not None:
            out["handovers_per_hour"] = float(self.schedule.handovers_per_hour()[pair])
        if not ok.all():
            codes, counts = np.unique(self.reason[~ok, pair], return_counts=True)
            out["no_service"] = {REASONS[c]: int(n) for c, n in zip(codes, counts,
                                                                      strict=True)}
        return out

    def cdf(self, pair: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Empirical CDF of the RTT over instants with service: ``(rtt_ms, share)``."""
        r = np.sort(self.rtt_ms[:, pair][np.isfinite(self.rtt_ms[:, pair])])
        return r, np.arange(1, r.size + 1) / max(r.size, 1)
