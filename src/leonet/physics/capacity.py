"""Busy-hour capacity per ground cell: satellites' downlink shared out by a beam scheduler.

The model, each assumption configurable in `CapacityAssumptions` (sources there):

- every satellite has ``sat_capacity_gbps`` of user downlink, formed as ``beams_per_sat``
  beams of equal capacity; a cell is lit by at most one beam of a given satellite at a time,
  so one satellite gives one cell at most a beam's capacity (``sat / beams``); a satellite
  that serves more cells than it has beams time-shares them (beam hopping), which the
  per-satellite capacity limit already captures;
- a cell's demand is its terminals times the busy-hour rate per terminal;
- at each instant the **scheduler** water-fills by demand, in rounds: every cell splits its
  unmet demand equally over the satellites in view that still have capacity and beam room
  for it; every satellite grants the requests it receives up to a common level (max-min
  fair water-filling: requests under the level are granted in full, the rest get the level)
  chosen so its remaining capacity suffices; unmet demand is asked again of the satellites
  with capacity left, until nothing moves or ``max_rounds`` rounds;
- a cell's **offered** capacity at an instant is what it is granted plus its headroom: each
  satellite's capacity left over after the rounds, split equally among the cells it sees
  (each within its beam limit), i.e. what the cell could still get if it asked.

Over the time grid a cell gets the time-averaged and the worst offered capacity, the mean
served rate, the share of time its demand is not met, its oversubscription (demand over
mean offered capacity; NaN where not activated) and an availability class like the
operator's public map (`classify`).

>>> indptr = np.array([0, 1, 2, 4])          # cell 0 sees sat 0, cell 1 sat 0, cell 2 both
>>> sats = np.array([0, 0, 0, 1])
>>> a = schedule(indptr, sats, demand_gbps=np.array([1.0, 4.0, 2.0]),
...              sat_capacity_gbps=np.array([4.0, 1.0]), beam_capacity_gbps=np.array([3.0, 1.0]))
>>> a.served_gbps.round(3).tolist(), a.offered_gbps.round(3).tolist()
([1.0, 2.0, 2.0], [1.0, 2.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import numba
import numpy as np

from leonet.errors import InputError
from leonet.physics.coverage import (
    CoverageAccumulator,
    CoverageFigures,
    holds_s,
)
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import visible

AVAILABLE = "available"
LIMITED = "limited"  # sold out: the operator's map shows a waitlist
NOT_ACTIVATED = "not activated"
NOT_COVERED = "not covered"
CLASSES = (AVAILABLE, LIMITED, NOT_ACTIVATED, NOT_COVERED)

# A rate below this (Gbps, i.e. 1 bit/s) is zero: guards the water level against rounding.
_TOL_GBPS = 1e-9


@dataclass(frozen=True)
class CapacityAssumptions:
    """The capacity model's inputs. Every default has a source (see also docs/coverage.md)."""

    # User downlink per satellite. Starlink Gen1/v1.5: 2 GHz of Ku-band downlink in two
    # polarisations at 64-QAM 8/9 (5.11 b/s/Hz) = 20.2 Gbps (S. Pekhterev, "The bandwidth of
    # the StarLink constellation", SatMagazine, Nov. 2021, from SpaceX's FCC application
    # SAT-LOA-20161115-00118); del Portillo et al., Acta Astronautica 159 (2019) estimate
    # ~21 Gbps. V2 Mini satellites carry about four times that, ~96 Gbps (SpaceX to Ars
    # Technica, Feb. 2023): set 96 for a snapshot made mostly of V2 Minis.
    sat_capacity_gbps: float = 20.0
    # Ku-band user beams per satellite: 8 beams of 240 MHz per polarisation (Pekhterev 2021).
    beams_per_sat: int = 16
    # Busy-hour downstream rate per terminal: OpenVault's Q4 2023 average of 600.9 GB/month
    # downstream per broadband subscriber (Light Reading, 8 Feb 2024) is 1.83 Mbps over the
    # month; the busiest hour carries 1.72x the average hour (Cisco VNI Usage study, 2010).
    busy_hour_mbps: float = 3.1
    # Terminals per km² where no better figure is given: SpaceX reported over 6 million
    # customers in more than 100 countries in 2025, about 0.1 per km² of their ~60 M km² of
    # land. An order of magnitude only: set it, or give terminals per cell, for a study.
    terminals_per_km2: float = 0.1
    # Oversubscription (demand / mean offered capacity) above which a cell is "limited" (sold
    # out, the operator's waitlist): 1 means the busy-hour demand is not met on average.
    sold_out_above: float = 1.0
    # Below this percent of time with satellites in view a cell counts as "not covered"
    # (leonet's choice: a service that drops out more than ~1 hour a day is not offered).
    covered_percent_min: float = 95.0
    # Scheduler rounds per instant (each re-asks unmet demand of satellites with room).
    max_rounds: int = 8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"{f.name} must be a finite number >= 0, got {value!r}", f.name)
        for name in ("sat_capacity_gbps", "beams_per_sat", "max_rounds"):
            if getattr(self, name) <= 0:
                raise InputError(f"{name} must be > 0, got {getattr(self, name)!r}", name)
        if int(self.beams_per_sat) != self.beams_per_sat:
            raise InputError(f"beams_per_sat must be whole, got {self.beams_per_sat}",
                             "beams_per_sat")
        if self.covered_percent_min > 100:
            raise InputError(f"covered_percent_min must be <= 100, got "
                             f"{self.covered_percent_min}", "covered_percent_min")

    @property
    def beam_capacity_gbps(self) -> float:
        return self.sat_capacity_gbps / self.beams_per_sat

    def demand_gbps(self, terminals) -> np.ndarray:
        """Busy-hour demand of cells with ``terminals`` terminals each."""
        t = np.asarray(terminals, dtype=np.float64)
        if np.any(~np.isfinite(t)) or np.any(t < 0):
            raise InputError("terminal counts must be finite and >= 0")
        return t * self.busy_hour_mbps / 1000.0


DEFAULT_ASSUMPTIONS = CapacityAssumptions()


@dataclass(frozen=True, eq=False)
class Allocation:
    """One instant's schedule: per cell ``(n_cells,)`` and per visible pair ``(n_pairs,)``."""

    served_gbps: np.ndarray
    offered_gbps: np.ndarray
    pair_gbps: np.ndarray


@numba.njit(cache=True)
def _schedule(indptr, sat, demand, cap, beam, max_rounds):  # pragma: no cover - compiled
    """Pairs are regrouped by satellite once, so every pass streams through them in order and
    only the small per-cell arrays are accessed at random (they stay in cache)."""
    n_cells = indptr.shape[0] - 1
    n_pairs = indptr[n_cells]
    n_sats = cap.shape[0]
    start = np.zeros(n_sats + 1, np.int64)
    for p in range(n_pairs):
        start[sat[p] + 1] += 1
    widest = 0
    for s in range(n_sats):
        widest = max(widest, start[s + 1])
        start[s + 1] += start[s]
    fill = start[:-1].copy()
    cell_q = np.empty(n_pairs, np.int64)  # cell of each pair, pairs in satellite order
    pair_q = np.empty(n_pairs, np.int64)  # the pair's index in the caller's (cell) order
    for c in range(n_cells):
        for p in range(indptr[c], indptr[c + 1]):
            s = sat[p]
            cell_q[fill[s]] = c
            pair_q[fill[s]] = p
            fill[s] += 1
    x = np.zeros(n_pairs)
    vals = np.empty(widest)
    unmet = demand.copy()
    rem = cap.copy()
    k = np.zeros(n_cells, np.int64)
    ask = np.zeros(n_cells)
    tol = 1e-9
    for _ in range(max_rounds):
        # Each cell splits its unmet demand equally over the satellites with room for it.
        k[:] = 0
        for s in range(n_sats):
            if rem[s] > tol:
                for q in range(start[s], start[s + 1]):
                    if beam[s] - x[q] > tol:
                        k[cell_q[q]] += 1
        for c in range(n_cells):
            ask[c] = unmet[c] / k[c] if k[c] > 0 and unmet[c] > tol else 0.0
        moved = 0.0
        for s in range(n_sats):
            a, b = start[s], start[s + 1]
            if a == b or rem[s] <= tol:
                continue
            total = 0.0
            m = 0
            for q in range(a, b):
                room = beam[s] - x[q]
                r = min(ask[cell_q[q]], room) if room > tol else 0.0
                vals[q - a] = r
                total += r
                if r > 0.0:
                    m += 1
            if total <= tol:
                continue
            level = np.inf
            if total > rem[s]:
                # Water level: requests below it are granted in full, the rest get it.
                srt = np.sort(vals[:b - a])
                left = rem[s]
                n = b - a
                for i in range(n):
                    if srt[i] * (n - i) <= left:
                        left -= srt[i]
                    else:
                        level = left / (n - i)
                        break
            for q in range(a, b):
                g = min(vals[q - a], level, rem[s])
                if g <= 0.0:
                    continue
                x[q] += g
                c = cell_q[q]
                unmet[c] = max(0.0, unmet[c] - g)
                rem[s] -= g
                moved += g
        if moved <= tol:
            break
    served = demand - unmet
    offered = served.copy()
    for s in range(n_sats):
        a, b = start[s], start[s + 1]
        if a == b or rem[s] <= tol:
            continue
        n_room = 0
        for q in range(a, b):
            if beam[s] - x[q] > tol:
                n_room += 1
        if n_room == 0:
            continue
        share = rem[s] / n_room
        for q in range(a, b):
            room = beam[s] - x[q]
            if room > tol:
                offered[cell_q[q]] += min(share, room)
    x_pairs = np.zeros(n_pairs)
    for q in range(n_pairs):
        x_pairs[pair_q[q]] = x[q]
    return served, offered, x_pairs


def schedule(indptr, sat, demand_gbps, sat_capacity_gbps, beam_capacity_gbps, *,
             max_rounds: int = 8) -> Allocation:
    """One instant of the water-filling scheduler (module docstring) over the visible pairs
    in compressed rows: cell ``c`` sees satellites ``sat[indptr[c]:indptr[c+1]]``."""
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    sat = np.ascontiguousarray(sat, dtype=np.int64)
    demand = np.ascontiguousarray(demand_gbps, dtype=np.float64)
    cap = np.ascontiguousarray(sat_capacity_gbps, dtype=np.float64)
    beam = np.ascontiguousarray(np.broadcast_to(beam_capacity_gbps, cap.shape), np.float64)
    if demand.shape != (indptr.shape[0] - 1,):
        raise InputError(f"{demand.shape[0]} demands for {indptr.shape[0] - 1} cells")
    if sat.shape != (indptr[-1],):
        raise InputError(f"{sat.shape[0]} satellite indices for {indptr[-1]} pairs")
    if sat.size and (sat.min() < 0 or sat.max() >= cap.shape[0]):
        raise InputError(f"satellite index outside 0..{cap.shape[0] - 1}")
    if np.any(demand < 0) or np.any(cap < 0) or np.any(beam < 0):
        raise InputError("demands and capacities must be >= 0")
    served, offered, x = _schedule(indptr, sat, demand, cap, beam, int(max_rounds))
    return Allocation(served, offered, x)


@dataclass(frozen=True, eq=False)
class CapacityFigures:
    """Per-cell busy-hour capacity over a time grid, arrays of shape ``(n_cells,)``."""

    demand_gbps: np.ndarray
    activated: np.ndarray
    served_mean_gbps: np.ndarray
    offered_mean_gbps: np.ndarray
    offered_min_gbps: np.ndarray
    percent_time_short: np.ndarray
    oversubscription: np.ndarray
    availability: np.ndarray

    def __len__(self) -> int:
        return self.demand_gbps.shape[0]

    def columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __getitem__(self, index) -> CapacityFigures:
        idx = np.atleast_1d(np.arange(len(self))[index])
        return CapacityFigures(**{k: v[idx] for k, v in self.columns().items()})


def classify(percent_covered, oversubscription, activated,
             assumptions: CapacityAssumptions) -> np.ndarray:
    """Availability like the operator's public map: "not activated" (no licence or policy),
    else "not covered" (satellites in view less than ``covered_percent_min`` of the time),
    else "limited" (sold out: oversubscribed beyond ``sold_out_above``), else "available"."""
    pct = np.asarray(percent_covered, dtype=np.float64)
    over = np.asarray(oversubscription, dtype=np.float64)
    act = np.asarray(activated, dtype=bool)
    out = np.full(pct.shape, AVAILABLE, dtype=object)
    # A cell served exactly its demand is at capacity, not over it: allow for rounding.
    out[over > assumptions.sold_out_above * (1.0 + 1e-9)] = LIMITED
    out[pct < assumptions.covered_percent_min] = NOT_COVERED
    out[~act] = NOT_ACTIVATED
    return out


class CapacityAccumulator:
    """Running capacity state of the instants fed so far: the coverage state and the
    hold-weighted sums of served, offered and short time, and the worst offered capacity.

    A later time window's state (``lead_is_gap=False``) is appended with `absorb`; the sums
    then add in a different order than in one pass, so the means agree to a few ulps and the
    counts, the coverage figures and the worst offered capacity exactly.
    """

    def __init__(self, demand_gbps: np.ndarray, activated: np.ndarray,
                 assumptions: CapacityAssumptions, *, min_sats: int = 1,
                 sat_capacity_gbps=None, lead_is_gap: bool = True) -> None:
        n = demand_gbps.shape[0]
        self.demand = demand_gbps
        self.act = activated
        self.asked = np.where(activated, demand_gbps, 0.0)
        self.assumptions = assumptions
        self.sat_capacity_gbps = sat_capacity_gbps
        self.cov = CoverageAccumulator(n, min_sats=min_sats, lead_is_gap=lead_is_gap)
        self.served_w = np.zeros(n)
        self.offered_w = np.zeros(n)
        self.short_w = np.zeros(n)
        self.offered_min = np.full(n, np.inf)
        self._cap = self._beam = None

    def add(self, points: GroundPoints, r_ecef_km: np.ndarray, t_s: float, hold_s: float,
            min_elevation_deg=None) -> None:
        """Schedule one instant's satellites (positions ``(n_sats, 3)``) over the points."""
        if self._cap is None:
            n_sats = r_ecef_km.shape[0]
            self._cap = (np.full(n_sats, self.assumptions.sat_capacity_gbps)
                         if self.sat_capacity_gbps is None
                         else np.broadcast_to(np.asarray(self.sat_capacity_gbps, np.float64),
                                              (n_sats,)).copy())
            self._beam = self._cap / self.assumptions.beams_per_sat
        vis = visible(points, r_ecef_km, min_elevation_deg=min_elevation_deg)
        self.cov.add(vis.counts, t_s, hold_s)
        served, offered, _ = _schedule(vis.indptr, vis.sat.astype(np.int64), self.asked,
                                       self._cap, self._beam, int(self.assumptions.max_rounds))
        w = hold_s if hold_s > 0 else 1.0
        self.served_w += w * served
        self.offered_w += w * offered
        self.short_w += w * (served < self.asked - _TOL_GBPS)
        np.minimum(self.offered_min, offered, out=self.offered_min)

    def absorb(self, later: CapacityAccumulator) -> None:
        """Append the state of the window that starts where this one ends."""
        self.cov.absorb(later.cov)
        self.served_w += later.served_w
        self.offered_w += later.offered_w
        self.short_w += later.short_w
        np.minimum(self.offered_min, later.offered_min, out=self.offered_min)

    def result(self, grid: TimeGrid) -> tuple[CoverageFigures, CapacityFigures]:
        if self.cov.n_times != len(grid):
            raise InputError(f"the ephemerides hold {self.cov.n_times} instants, the time grid "
                             f"{len(grid)}")
        coverage = self.cov.result()
        h = holds_s(grid.offsets_s)
        total_w = float(h.sum()) if h.sum() > 0 else float(len(grid))
        offered_mean = self.offered_w / total_w
        with np.errstate(divide="ignore", invalid="ignore"):
            over = np.where(self.demand > 0, self.demand / offered_mean, 0.0)
        over[~self.act] = np.nan  # a cell that is not served has no subscribers to oversubscribe
        figures = CapacityFigures(
            demand_gbps=self.demand, activated=self.act,
            served_mean_gbps=self.served_w / total_w, offered_mean_gbps=offered_mean,
            offered_min_gbps=self.offered_min,
            percent_time_short=100.0 * self.short_w / total_w, oversubscription=over,
            availability=classify(coverage.percent_covered, over, self.act, self.assumptions))
        return coverage, figures


def capacity_accumulator(n: int, demand_gbps, assumptions: CapacityAssumptions, *,
                         activated=None, min_sats: int = 1, sat_capacity_gbps=None,
                         lead_is_gap: bool = True) -> CapacityAccumulator:
    """A `CapacityAccumulator` for ``n`` points, with the demands and activations checked."""
    demand = np.broadcast_to(np.asarray(demand_gbps, dtype=np.float64), (n,)).copy()
    if np.any(~np.isfinite(demand)) or np.any(demand < 0):
        raise InputError("demands must be finite and >= 0 Gbps")
    act = (np.ones(n, dtype=bool) if activated is None
           else np.broadcast_to(np.asarray(activated, dtype=bool), (n,)).copy())
    return CapacityAccumulator(demand, act, assumptions, min_sats=min_sats,
                               sat_capacity_gbps=sat_capacity_gbps, lead_is_gap=lead_is_gap)


def _feed(acc: CapacityAccumulator, points: GroundPoints, ephemerides: Iterable[Ephemeris],
          offsets_s: np.ndarray, holds: np.ndarray, min_elevation_deg,
          progress: Callable[[int], None] | None) -> CapacityAccumulator:
    k = 0
    for eph in ephemerides:
        for j in range(eph.n_times):
            if k >= offsets_s.shape[0]:
                raise InputError("the ephemerides hold more instants than the time grid")
            acc.add(points, eph.r_ecef_km[j], offsets_s[k], holds[k], min_elevation_deg)
            k += 1
            if progress is not None:
                progress(1)
    return acc


def capacity_from_ephemerides(points: GroundPoints, demand_gbps, ephemerides: Iterable[Ephemeris],
                              grid: TimeGrid, *,
                              assumptions: CapacityAssumptions = DEFAULT_ASSUMPTIONS,
                              activated=None, min_sats: int = 1, min_elevation_deg=None,
                              sat_capacity_gbps=None,
                              progress: Callable[[int], None] | None = None,
                              ) -> tuple[CoverageFigures, CapacityFigures]:
    """Coverage and capacity figures of ``points`` from ephemeris chunks covering ``grid``.

    ``demand_gbps`` is each point's busy-hour demand; cells not ``activated`` ask for nothing
    (their offered capacity is still reported: what they would get). ``sat_capacity_gbps``
    overrides the assumption per satellite (an array ``(n_sats,)``)."""
    acc = capacity_accumulator(len(points), demand_gbps, assumptions, activated=activated,
                               min_sats=min_sats, sat_capacity_gbps=sat_capacity_gbps)
    offsets = grid.offsets_s
    return _feed(acc, points, ephemerides, offsets, holds_s(offsets), min_elevation_deg,
                 progress).result(grid)


def capacity_window(points: GroundPoints, demand_gbps, constellation, grid: TimeGrid,
                    start: int, stop: int, *,
                    assumptions: CapacityAssumptions = DEFAULT_ASSUMPTIONS, activated=None,
                    min_sats: int = 1, min_elevation_deg=None,
                    max_bytes: int = 512 * 1024**2) -> CapacityAccumulator:
    """Running capacity state of ``grid[start:stop]`` alone, propagated from the elements for
    that window only: the task of a capacity sweep split by time (fold the windows in time
    order with `CapacityAccumulator.absorb`, then take `CapacityAccumulator.result`)."""
    if not 0 <= start < stop <= len(grid):
        raise InputError(f"window [{start}, {stop}) is not inside a grid of {len(grid)} instants")
    acc = capacity_accumulator(len(points), demand_gbps, assumptions, activated=activated,
                               min_sats=min_sats, lead_is_gap=start == 0)
    offsets = grid.offsets_s
    chunks = constellation.iter_propagate(grid[start:stop], max_bytes=max_bytes)
    _feed(acc, points, chunks, offsets[start:stop], holds_s(offsets)[start:stop],
          min_elevation_deg, None)
    if acc.cov.n_times != stop - start:
        raise InputError(f"the ephemerides hold {acc.cov.n_times} instants, the window "
                         f"{stop - start}")
    return acc


def capacity(points: GroundPoints, demand_gbps, constellation, grid: TimeGrid, *,
             assumptions: CapacityAssumptions = DEFAULT_ASSUMPTIONS, activated=None,
             min_sats: int = 1, min_elevation_deg=None, max_bytes: int = 512 * 1024**2,
             workers: int | None = None, progress: Callable[[int], None] | None = None,
             ) -> tuple[CoverageFigures, CapacityFigures]:
    """Coverage and busy-hour capacity of ``points`` (see `capacity_from_ephemerides`); the
    ephemeris streams in chunks of at most ``max_bytes``."""
    if len(points) == 0:
        raise InputError("no ground points")
    chunks = constellation.iter_propagate(grid, max_bytes=max_bytes, workers=workers)
    return capacity_from_ephemerides(points, demand_gbps, chunks, grid, assumptions=assumptions,
                                     activated=activated, min_sats=min_sats,
                                     min_elevation_deg=min_elevation_deg, progress=progress)
