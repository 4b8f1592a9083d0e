"""Coverage figures of merit per ground point (H3 cell centres, cities, terminals).

Per point, over a time grid, from the number of satellites above the point's elevation mask
at each instant (the exact kernel of `leonet.physics.visibility`):

- ``min_in_view`` / ``mean_in_view`` / ``max_in_view``: satellites in view (STK's *N Asset
  Coverage* with its minimum / average / maximum compute options);
- ``simple_coverage``: covered at least once (STK's *Simple Coverage*);
- ``percent_covered``: share of time with at least ``min_sats`` satellites in view (STK's
  *Percent Coverage* with ``min_sats`` as its minimum number of assets);
- ``longest_gap_s``, ``mean_gap_s`` (mean revisit), ``n_gaps``: durations of the spells
  without coverage (STK's *Revisit Time*, maximum and average: "the average of the gap
  durations based on the number of gaps");
- ``time_to_first_s``: from the start of the grid to the first covered instant (NaN if
  never covered), and ``mean_response_s``: the time-averaged wait until coverage (STK's
  *Response Time*, average; 0 while covered).

Time is sampled: each instant stands for the interval until the next instant, the last one
for the step before it (for a range grid every instant weighs one step, so percentages are
fractions of samples and a gap of k uncovered samples lasts k steps). A gap cut by the end of
the grid ends there, as in STK's "optimistic" treatment of gaps at the coverage-interval bounds.

>>> counts = np.array([[3, 0], [0, 0], [0, 1], [2, 1]])      # (n_times, n_points)
>>> fig = figures_from_counts(counts, offsets_s=[0, 60, 120, 180])
>>> fig.percent_covered.tolist(), fig.longest_gap_s.tolist(), fig.time_to_first_s.tolist()
([50.0, 50.0], [120.0, 120.0], [0.0, 120.0])
>>> fig.mean_in_view.tolist(), fig.min_in_view.tolist(), fig.max_in_view.tolist()
([1.25, 0.5], [0, 0], [3, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numba
import numpy as np

from leonet.errors import InputError
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import count_visible

# Positions of a chunk of instants: 10,700 satellites x 500 instants x 49 bytes (positions,
# velocities, error codes) is about 260 MB; double that leaves room for the geodetic arrays.
DEFAULT_MAX_BYTES = 512 * 1024**2


# Columns of `CoverageFigures.columns`, in output order, with their meaning.
COLUMNS = {
    "mean_in_view": "time-averaged number of satellites above the mask",
    "min_in_view": "fewest satellites above the mask at any instant",
    "max_in_view": "most satellites above the mask at any instant",
    "percent_covered": "percent of time with at least min_sats satellites above the mask",
    "simple_coverage": "1 if covered at least once, else 0",
    "longest_gap_s": "longest spell without coverage (s)",
    "mean_gap_s": "mean revisit time: mean duration of the spells without coverage (s)",
    "n_gaps": "number of spells without coverage",
    "time_to_first_s": "time from the start to the first coverage (s; empty if never)",
    "mean_response_s": "time-averaged wait until coverage (s; 0 while covered)",
}


@dataclass(frozen=True, eq=False)
class CoverageFigures:
    """Figures of merit, each an array of shape ``(n_points,)`` (see the module docstring)."""

    min_in_view: np.ndarray
    max_in_view: np.ndarray
    mean_in_view: np.ndarray
    percent_covered: np.ndarray
    longest_gap_s: np.ndarray
    mean_gap_s: np.ndarray
    n_gaps: np.ndarray
    time_to_first_s: np.ndarray
    mean_response_s: np.ndarray
    min_sats: int
    n_times: int
    duration_s: float

    def __len__(self) -> int:
        return self.mean_in_view.shape[0]

    @property
    def simple_coverage(self) -> np.ndarray:
        return (self.max_in_view >= self.min_sats).astype(np.int8)

    def columns(self) -> dict[str, np.ndarray]:
        """The figures as named columns, in the order of `COLUMNS`."""
        return {name: getattr(self, name) for name in COLUMNS}

    def __getitem__(self, index) -> CoverageFigures:
        idx = np.atleast_1d(np.arange(len(self))[index])
        arrays = {name: getattr(self, name)[idx] for name in (
            "min_in_view", "max_in_view", "mean_in_view", "percent_covered", "longest_gap_s",
            "mean_gap_s", "n_gaps", "time_to_first_s", "mean_response_s")}
        return CoverageFigures(**arrays, min_sats=self.min_sats, n_times=self.n_times,
                               duration_s=self.duration_s)


def holds_s(offsets_s: np.ndarray) -> np.ndarray:
    """Seconds each instant stands for: until the next instant; the last, one more step."""
    t = np.asarray(offsets_s, dtype=np.float64)
    if t.size == 0:
        return t.copy()
    if np.any(np.diff(t) <= 0):
        raise InputError("time grid instants must be strictly increasing for coverage figures")
    h = np.empty_like(t)
    h[:-1] = np.diff(t)
    h[-1] = h[-2] if t.size > 1 else 0.0
    return h


@numba.njit(cache=True)
def _accumulate(counts, t, h, min_sats, n_min, n_max, sum_n, sum_wn, cov_w, n_cov, first,
                run_start, longest, gap_sum, n_gaps, run_w, run_wt, resp, lead_is_gap,
                lead_w, lead_wt):  # pragma: no cover
    """Fold one instant's counts into the running state of every point."""
    for i in range(counts.shape[0]):
        n = counts[i]
        if n < n_min[i]:
            n_min[i] = n
        if n > n_max[i]:
            n_max[i] = n
        sum_n[i] += n
        sum_wn[i] += h * n
        if n >= min_sats:
            cov_w[i] += h
            n_cov[i] += 1
            lead = np.isnan(first[i])
            if lead:
                first[i] = t
            if not np.isnan(run_start[i]) and lead and not lead_is_gap:
                # A later window's leading spell may continue the previous window's gap:
                # keep it apart for `CoverageAccumulator.absorb`.
                lead_w[i] = run_w[i]
                lead_wt[i] = run_wt[i]
                run_start[i] = np.nan
                run_w[i] = 0.0
                run_wt[i] = 0.0
            elif not np.isnan(run_start[i]):
                gap = t - run_start[i]
                if gap > longest[i]:
                    longest[i] = gap
                gap_sum[i] += gap
                n_gaps[i] += 1
                # Each uncovered instant k of the spell waits t - t_k, weighted by its hold.
                resp[i] += t * run_w[i] - run_wt[i]
                run_start[i] = np.nan
                run_w[i] = 0.0
                run_wt[i] = 0.0
        else:
            if np.isnan(run_start[i]):
                run_start[i] = t
            run_w[i] += h
            run_wt[i] += h * t


class CoverageAccumulator:
    """Running figures of merit, fed one instant at a time (bounded memory: a few arrays of
    ``n_points``). `result` closes the open gaps at the end of the grid.

    An accumulator of a later time window (``lead_is_gap=False``) keeps the spell before its
    first coverage apart, and `absorb` appends it to the accumulator of the instants before,
    so that a grid cut into windows gives the figures of the whole grid (bit-identical when
    the offsets and holds are whole seconds: then every sum is of integers below 2**53).
    """

    def __init__(self, n_points: int, *, min_sats: int = 1, lead_is_gap: bool = True) -> None:
        if int(min_sats) != min_sats or min_sats < 1:
            raise InputError(f"min_sats must be a whole number >= 1, got {min_sats}")
        self.min_sats = int(min_sats)
        n = int(n_points)
        self.n_min = np.full(n, np.iinfo(np.int32).max, np.int64)
        self.n_max = np.zeros(n, np.int64)
        self.sum_n = np.zeros(n, np.int64)
        self.sum_wn = np.zeros(n)
        self.cov_w = np.zeros(n)
        self.n_cov = np.zeros(n, np.int64)
        self.first = np.full(n, np.nan)
        self.run_start = np.full(n, np.nan)
        self.longest = np.zeros(n)
        self.gap_sum = np.zeros(n)
        self.n_gaps = np.zeros(n, np.int64)
        self.run_w = np.zeros(n)
        self.run_wt = np.zeros(n)
        self.resp = np.zeros(n)
        self.lead_is_gap = bool(lead_is_gap)
        self.lead_w = np.zeros(n)
        self.lead_wt = np.zeros(n)
        self.n_times = 0
        self.start_s = 0.0
        self.total_w = 0.0
        self.end_s = 0.0

    def add(self, counts: np.ndarray, t_s: float, hold_s: float) -> None:
        """Counts of satellites in view ``(n_points,)`` at ``t_s`` seconds after the start,
        standing for ``hold_s`` seconds."""
        c = np.ascontiguousarray(counts, dtype=np.int64)
        if c.shape != self.n_min.shape:
            raise InputError(f"expected {self.n_min.shape[0]} counts, got shape {c.shape}")
        if self.n_times and t_s < self.end_s:
            raise InputError(f"instants must come in time order: {t_s} s after {self.end_s} s")
        _accumulate(c, float(t_s), float(hold_s), self.min_sats, self.n_min, self.n_max,
                    self.sum_n, self.sum_wn, self.cov_w, self.n_cov, self.first,
                    self.run_start, self.longest, self.gap_sum, self.n_gaps, self.run_w,
                    self.run_wt, self.resp, self.lead_is_gap, self.lead_w, self.lead_wt)
        if self.n_times == 0:
            self.start_s = float(t_s)
        self.n_times += 1
        self.total_w += float(hold_s)
        self.end_s = float(t_s) + float(hold_s)

    def absorb(self, later: CoverageAccumulator) -> None:
        """Append the running state of the window that starts where this one ends (built
        with ``lead_is_gap=False``): a gap open at the boundary continues into ``later``."""
        if later.lead_is_gap or later.min_sats != self.min_sats:
            raise InputError("absorb takes a later window's accumulator (lead_is_gap=False) "
                             "with the same min_sats")
        if later.n_times == 0 or self.n_times == 0:
            raise InputError("absorb needs instants on both sides of the boundary")
        if later.start_s != self.end_s:
            raise InputError(f"the later window starts at {later.start_s} s, not where this "
                             f"one ends ({self.end_s} s)")
        a_open = ~np.isnan(self.run_start)
        b_first = later.first
        b_cov = ~np.isnan(b_first)
        # The spell across the boundary: open at the end of this window, or starting with the
        # later window when its first instant is uncovered.
        spell_start = np.where(a_open, self.run_start, later.start_s)
        a_w = np.where(a_open, self.run_w, 0.0)
        a_wt = np.where(a_open, self.run_wt, 0.0)
        closes = b_cov & (a_open | (b_first > later.start_s))
        gap = np.where(closes, b_first - spell_start, 0.0)
        self.longest = np.maximum(np.maximum(self.longest, later.longest), gap)
        self.gap_sum = self.gap_sum + later.gap_sum + gap
        self.n_gaps = self.n_gaps + later.n_gaps + closes
        self.resp = self.resp + later.resp + np.where(
            closes, b_first * (a_w + later.lead_w) - (a_wt + later.lead_wt), 0.0)
        # Still open after the boundary: the later window's trailing spell, or (never covered
        # there) the spell that began before it and runs on.
        never = ~b_cov
        self.run_start = np.where(never, spell_start, later.run_start)
        self.run_w = np.where(never, a_w + later.run_w, later.run_w)
        self.run_wt = np.where(never, a_wt + later.run_wt, later.run_wt)
        self.first = np.where(np.isnan(self.first), b_first, self.first)
        self.n_min = np.minimum(self.n_min, later.n_min)
        self.n_max = np.maximum(self.n_max, later.n_max)
        for name in ("sum_n", "sum_wn", "cov_w", "n_cov"):
            setattr(self, name, getattr(self, name) + getattr(later, name))
        self.n_times += later.n_times
        self.total_w += later.total_w
        self.end_s = later.end_s

    def result(self) -> CoverageFigures:
        if self.n_times == 0:
            raise InputError("no instants were added: the time grid is empty")
        open_run = ~np.isnan(self.run_start)
        end = self.end_s
        gap_open = np.where(open_run, end - np.nan_to_num(self.run_start), 0.0)
        longest = np.maximum(self.longest, gap_open)
        gap_sum = self.gap_sum + gap_open
        n_gaps = self.n_gaps + open_run
        resp = self.resp + np.where(open_run, end * self.run_w - self.run_wt, 0.0)
        if self.total_w > 0:
            mean = self.sum_wn / self.total_w
            percent = 100.0 * self.cov_w / self.total_w
            response = resp / self.total_w
        else:  # one instant: no duration, so shares of samples
            mean = self.sum_n / self.n_times
            percent = 100.0 * self.n_cov / self.n_times
            response = np.zeros_like(resp)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_gap = np.where(n_gaps > 0, gap_sum / np.maximum(n_gaps, 1), 0.0)
        return CoverageFigures(
            min_in_view=self.n_min.astype(np.int32), max_in_view=self.n_max.astype(np.int32),
            mean_in_view=mean, percent_covered=percent, longest_gap_s=longest,
            mean_gap_s=mean_gap, n_gaps=n_gaps.astype(np.int64),
            time_to_first_s=self.first.copy(), mean_response_s=response,
            min_sats=self.min_sats, n_times=self.n_times, duration_s=self.total_w)


def figures_from_counts(counts, offsets_s, *, min_sats: int = 1) -> CoverageFigures:
    """Figures of merit from a full ``(n_times, n_points)`` matrix of satellites in view at
    instants ``offsets_s`` seconds after the start."""
    c = np.asarray(counts)
    if c.ndim != 2:
        raise InputError(f"counts must be (n_times, n_points), got shape {c.shape}")
    t = np.asarray(offsets_s, dtype=np.float64)
    if t.shape != (c.shape[0],):
        raise InputError(f"{t.shape[0] if t.ndim else 1} instants for {c.shape[0]} rows")
    h = holds_s(t)
    acc = CoverageAccumulator(c.shape[1], min_sats=min_sats)
    for k in range(c.shape[0]):
        acc.add(c[k], t[k], h[k])
    return acc.result()


def _feed(acc: CoverageAccumulator, points: GroundPoints, ephemerides: Iterable[Ephemeris],
          offsets_s: np.ndarray, holds: np.ndarray, min_elevation_deg, max_range_km,
          progress: Callable[[int], None] | None) -> CoverageAccumulator:
    """Count satellites in view instant by instant and fold them into ``acc``."""
    k = 0
    for eph in ephemerides:
        for j in range(eph.n_times):
            if k >= offsets_s.shape[0]:
                raise InputError("the ephemerides hold more instants than the time grid")
            counts = count_visible(points, eph.r_ecef_km[j],
                                   min_elevation_deg=min_elevation_deg,
                                   max_range_km=max_range_km)
            acc.add(counts, offsets_s[k], holds[k])
            k += 1
            if progress is not None:
                progress(1)
    if k != offsets_s.shape[0]:
        raise InputError(f"the ephemerides hold {k} instants, the time grid {offsets_s.shape[0]}")
    return acc


def coverage_from_ephemerides(points: GroundPoints, ephemerides: Iterable[Ephemeris],
                              grid: TimeGrid, *, min_sats: int = 1, min_elevation_deg=None,
                              max_range_km: float | None = None,
                              progress: Callable[[int], None] | None = None) -> CoverageFigures:
    """Figures of merit from ephemeris chunks covering ``grid`` in order (e.g. from
    `Constellation.iter_propagate`). ``progress`` is called with the instants done."""
    acc = CoverageAccumulator(len(points), min_sats=min_sats)
    return _feed(acc, points, ephemerides, grid.offsets_s, holds_s(grid.offsets_s),
                 min_elevation_deg, max_range_km, progress).result()


def window_accumulator(points: GroundPoints, constellation, grid: TimeGrid, start: int,
                       stop: int, *, min_sats: int = 1, min_elevation_deg=None,
                       max_range_km: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                       dtype=np.float64) -> CoverageAccumulator:
    """Running coverage state of the instants ``grid[start:stop]`` alone, propagated from the
    elements for that window only: the task of a sweep split by time. Offsets and holds are
    those of the whole grid; fold the windows in time order with `CoverageAccumulator.absorb`.
    """
    if not 0 <= start < stop <= len(grid):
        raise InputError(f"window [{start}, {stop}) is not inside a grid of {len(grid)} instants")
    if len(points) == 0:
        raise InputError("no ground points to cover")
    offsets = grid.offsets_s
    holds = holds_s(offsets)
    acc = CoverageAccumulator(len(points), min_sats=min_sats, lead_is_gap=start == 0)
    chunks = constellation.iter_propagate(grid[start:stop], max_bytes=max_bytes, dtype=dtype)
    return _feed(acc, points, chunks, offsets[start:stop], holds[start:stop], min_elevation_deg,
                 max_range_km, None)


def coverage(points: GroundPoints, constellation, grid: TimeGrid, *, min_sats: int = 1,
             min_elevation_deg=None, max_range_km: float | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, dtype=np.float64, workers: int | None = None,
             progress: Callable[[int], None] | None = None) -> CoverageFigures:
    """Coverage figures of merit of ``points`` by ``constellation`` over ``grid``.

    The ephemeris streams in time chunks of at most ``max_bytes`` and the satellites in view
    are counted instant by instant, so memory stays bounded whatever the grid's length.
    ``min_elevation_deg`` overrides the points' own masks; ``min_sats`` is the number of
    satellites that counts as covered.

    >>> from leonet.physics.ground import wgs84
    >>> from leonet.physics.orbits.constellation import Constellation
    >>> grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "60s")
    >>> fig = coverage(wgs84.point([50.45, 0.0, 89.0], [30.52, 0.0, 0.0]),
    ...                Constellation.load("starlink-gen1"), grid)
    >>> fig.percent_covered.round(1).tolist()
    [100.0, 100.0, 100.0]
    """
    if len(points) == 0:
        raise InputError("no ground points to cover")
    chunks = constellation.iter_propagate(grid, max_bytes=max_bytes, dtype=dtype,
                                          workers=workers)
    return coverage_from_ephemerides(points, chunks, grid, min_sats=min_sats,
                                     min_elevation_deg=min_elevation_deg,
                                     max_range_km=max_range_km, progress=progress)
