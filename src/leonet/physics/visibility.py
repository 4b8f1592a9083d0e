"""Ground-to-satellite visibility at an instant, exact, for many points and satellites.

Satellites are bucketed by geocentric latitude band and longitude cell, sorted so that
each band is one run in memory. A point looks only at the satellites within the largest
central angle at which any satellite could clear its elevation mask (from the highest
satellite at that instant, with a margin for the geodetic vertical): one contiguous run of
longitudes per band (two across the antimeridian, the whole band around a pole). It then
applies the exact test with its geodetic up vector:

    (s - p) . up >= |s - p| sin(mask)      and, optionally,   |s - p| <= max_range

so the bucket grid only prunes work; it never decides. Mixed shell altitudes and per-point
masks are handled because the pruning radius is conservative for both.

>>> from leonet.physics.ground import wgs84
>>> pts = wgs84.point([0.0, 89.0], [0.0, 0.0])
>>> sats = np.array([[6928.137, 0.0, 0.0], [0.0, 0.0, -6928.137]])
>>> vis = visible(pts, sats)
>>> vis.counts.tolist(), sorted(vis.satellites_of(0).tolist())
([1, 0], [0])
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from leonet.errors import InputError
from leonet.physics.earth import MAX_GEODETIC_DEFLECTION_RAD, look_angles
from leonet.physics.ground import GroundPoints, check_min_elevation_deg
from leonet.physics.timegrid import TimeGrid

# Below this many points the scans run on one thread (see `_threads_for`).
PARALLEL_MIN_POINTS = 20_000
_MAX_BANDS = 512  # bounds the bucket table to < 2 M entries
_MAX_CELLS = 4096


@numba.njit(cache=True)
def _bucket(r, n_bands, n_cells):  # pragma: no cover - compiled
    """Counting sort of satellites (NaN rows dropped) by latitude band, then longitude
    cell, of their geocentric direction; returns the start of every (band, cell) bucket,
    the original index of each sorted satellite and the sorted positions ``(3, n)``."""
    n = r.shape[0]
    key = np.empty(n, np.int64)
    counts = np.zeros(n_bands * n_cells + 1, np.int64)
    for i in range(n):
        x, y, z = r[i, 0], r[i, 1], r[i, 2]
        norm = np.sqrt(x * x + y * y + z * z)
        if not (norm > 0.0):  # NaN (SGP4 failure) or the origin
            key[i] = -1
            continue
        band = min(n_bands - 1, int((np.arcsin(z / norm) + np.pi / 2) / np.pi * n_bands))
        cell = min(n_cells - 1, int((np.arctan2(y, x) + np.pi) / (2 * np.pi) * n_cells))
        k = band * n_cells + cell
        key[i] = k
        counts[k + 1] += 1
    for k in range(n_bands * n_cells):
        counts[k + 1] += counts[k]
    fill = counts[:-1].copy()
    order = np.empty(counts[-1], np.int32)
    s_sorted = np.empty((3, counts[-1]))
    for i in range(n):
        k = key[i]
        if k >= 0:
            b = fill[k]
            order[b] = i
            s_sorted[0, b] = r[i, 0]
            s_sorted[1, b] = r[i, 1]
            s_sorted[2, b] = r[i, 2]
            fill[k] += 1
    return counts, order, s_sorted


@numba.njit(cache=True, inline="always")
def _scan_run(a0, a1, px, py, pz, ux, uy, uz, sm2, rr2, s_sorted, order, out, w, n,
              mode):  # pragma: no cover - compiled
    """Satellites ``a0:a1`` from one point. ``mode`` 0 counts the visible ones; 1 also
    writes them, branch-free so that it vectorises (every candidate is written at the next
    slot of ``out`` from ``w`` and the slot advances only when it is visible, so one slot
    past the row's last visible satellite is overwritten); 2 counts candidates, untested."""
    if mode == 2:
        return n + a1 - a0
    for b in range(a0, a1):
        dx = s_sorted[0, b] - px
        dy = s_sorted[1, b] - py
        dz = s_sorted[2, b] - pz
        dot = dx * ux + dy * uy + dz * uz
        d2 = dx * dx + dy * dy + dz * dz
        if mode == 1:
            out[w + n] = order[b]
        n += (dot >= 0.0) & (dot * dot >= d2 * sm2) & (d2 <= rr2)
    return n


@numba.njit(cache=True, inline="always")
def _scan_row(i, p_r, p_ll, up, sin2_mask, range2, psi, starts, order, s_sorted, n_bands,
              n_cells, out, w, mode):  # pragma: no cover - compiled
    """Satellites of point ``i`` (see `_scan_run` for ``mode``)."""
    px, py, pz = p_r[i, 0], p_r[i, 1], p_r[i, 2]
    ux, uy, uz = up[i, 0], up[i, 1], up[i, 2]
    lat, lon, ps = p_ll[i, 0], p_ll[i, 1], psi[i]
    sm2 = sin2_mask[i]
    rr2 = range2[i]
    band_h = np.pi / n_bands
    cell_w = 2.0 * np.pi / n_cells
    b0 = max(0, int((lat - ps + np.pi / 2) / band_h))
    b1 = min(n_bands - 1, int((lat + ps + np.pi / 2) / band_h))
    # Widest longitude half-span of a spherical cap of radius psi centred at latitude lat.
    whole = abs(lat) + ps >= np.pi / 2
    half = np.pi if whole else np.arcsin(min(1.0, np.sin(ps) / np.cos(lat)))
    whole = whole or half >= np.pi - cell_w
    c0 = int(np.floor((lon - half + np.pi) / cell_w))
    c1 = int(np.floor((lon + half + np.pi) / cell_w))
    n = 0
    for band in range(b0, b1 + 1):
        base = band * n_cells
        if whole:
            n = _scan_run(starts[base], starts[base + n_cells], px, py, pz, ux, uy, uz, sm2,
                          rr2, s_sorted, order, out, w, n, mode)
            continue
        lo, hi = max(c0, 0), min(c1, n_cells - 1)
        n = _scan_run(starts[base + lo], starts[base + hi + 1], px, py, pz, ux, uy, uz, sm2,
                      rr2, s_sorted, order, out, w, n, mode)
        if c0 < 0:  # the window wraps across the antimeridian
            n = _scan_run(starts[base + c0 + n_cells], starts[base + n_cells], px, py, pz, ux,
                          uy, uz, sm2, rr2, s_sorted, order, out, w, n, mode)
        elif c1 > n_cells - 1:
            n = _scan_run(starts[base], starts[base + c1 - n_cells + 1], px, py, pz, ux, uy,
                          uz, sm2, rr2, s_sorted, order, out, w, n, mode)
    return n


@numba.njit(cache=True, parallel=True)
def _scan_count(p_r, p_ll, up, sin2_mask, range2, psi, starts, order, s_sorted, n_bands,
                n_cells):  # pragma: no cover - compiled
    """Visible satellites per point."""
    counts = np.zeros(p_r.shape[0], np.int64)
    dummy = np.zeros(1, np.int32)
    for i in numba.prange(p_r.shape[0]):
        counts[i] = _scan_row(i, p_r, p_ll, up, sin2_mask, range2, psi, starts, order,
                              s_sorted, n_bands, n_cells, dummy, 0, 0)
    return counts


@numba.njit(cache=True, parallel=True)
def _scan_candidates(p_r, p_ll, up, sin2_mask, range2, psi, starts, order, s_sorted, n_bands,
                     n_cells):  # pragma: no cover - compiled
    """Candidate satellites per point (an upper bound on the visible ones), untested."""
    counts = np.zeros(p_r.shape[0], np.int64)
    dummy = np.zeros(1, np.int32)
    for i in numba.prange(p_r.shape[0]):
        counts[i] = _scan_row(i, p_r, p_ll, up, sin2_mask, range2, psi, starts, order,
                              s_sorted, n_bands, n_cells, dummy, 0, 2)
    return counts


@numba.njit(cache=True, parallel=True)
def _scan_fill(p_r, p_ll, up, sin2_mask, range2, psi, starts, order, s_sorted, n_bands,
               n_cells, slots, scratch):  # pragma: no cover - compiled
    """Write each point's visible satellites into ``scratch`` from ``slots[i]`` (each row
    has room for all its candidates plus one, so rows never overlap); return the counts."""
    counts = np.zeros(p_r.shape[0], np.int64)
    for i in numba.prange(p_r.shape[0]):
        counts[i] = _scan_row(i, p_r, p_ll, up, sin2_mask, range2, psi, starts, order,
                              s_sorted, n_bands, n_cells, scratch, slots[i], 1)
    return counts


@numba.njit(cache=True, parallel=True)
def _compact(scratch, slots, indptr, sat):  # pragma: no cover - compiled
    for i in numba.prange(indptr.shape[0] - 1):
        a = slots[i]
        for k in range(indptr[i + 1] - indptr[i]):
            sat[indptr[i] + k] = scratch[a + k]


@contextmanager
def _threads_for(n_points: int) -> Iterator[None]:
    """One thread for small point sets: waking a second thread costs more than it saves,
    badly so when other jobs hold the cores (measured with 10,744 satellites under a load
    of 5: 2,467 points took 4 ms per instant on one thread and 16 ms on two; 81,395 points
    69 ms either way). The setting is numba's, per calling thread, and is restored."""
    before = numba.get_num_threads()
    if n_points < PARALLEL_MIN_POINTS:
        numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@numba.njit(cache=True)
def _sort_rows(indptr, sat):  # pragma: no cover - compiled
    """Insertion sort of each row (rows hold tens of entries, mostly in runs)."""
    for i in range(indptr.shape[0] - 1):
        for j in range(indptr[i] + 1, indptr[i + 1]):
            v = sat[j]
            k = j - 1
            while k >= indptr[i] and sat[k] > v:
                sat[k + 1] = sat[k]
                k -= 1
            sat[k + 1] = v


@dataclass(frozen=True, eq=False)
class Visibility:
    """Which satellites each ground point sees at one instant, in compressed sparse rows:
    the satellites of point ``i`` are ``sat[indptr[i]:indptr[i+1]]``, in a deterministic
    order that follows the bucket grid (sort a row if you need ascending indices)."""

    points: GroundPoints
    r_sat_ecef_km: np.ndarray
    indptr: np.ndarray
    sat: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Satellites in view per point, ``(n_points,)``."""
        return np.diff(self.indptr)

    @property
    def n_pairs(self) -> int:
        return int(self.indptr[-1])

    def satellites_of(self, i: int) -> np.ndarray:
        return self.sat[self.indptr[i]:self.indptr[i + 1]]

    @cached_property
    def point(self) -> np.ndarray:
        """Point index of every (point, satellite) pair, aligned with ``sat``."""
        return np.repeat(np.arange(len(self.points)), self.counts)

    @cached_property
    def _angles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = self.point
        return look_angles(self.points.r_ecef_km[p], self.points.lat_deg[p],
                           self.points.lon_deg[p], self.r_sat_ecef_km[self.sat])

    @property
    def elevation_deg(self) -> np.ndarray:
        """Elevation of every pair (computed on first use)."""
        return self._angles[0]

    @property
    def azimuth_deg(self) -> np.ndarray:
        return self._angles[1]

    @property
    def range_km(self) -> np.ndarray:
        return self._angles[2]


@dataclass(frozen=True, eq=False)
class VisibilitySeries:
    """`Visibility` at every instant of a grid."""

    grid: TimeGrid
    points: GroundPoints
    instants: tuple[Visibility, ...]

    def __len__(self) -> int:
        return len(self.instants)

    def __getitem__(self, k: int) -> Visibility:
        return self.instants[k]

    @cached_property
    def counts(self) -> np.ndarray:
        """Satellites in view, ``(n_times, n_points)``."""
        if not self.instants:
            return np.zeros((0, len(self.points)), np.int64)
        return np.stack([v.counts for v in self.instants])


def _prepare(points: GroundPoints, r_sat_ecef_km: np.ndarray, min_elevation_deg,
             max_range_km: float | None):
    s_r = np.ascontiguousarray(r_sat_ecef_km, dtype=np.float64)
    if s_r.ndim != 2 or s_r.shape[1] != 3:
        raise InputError(f"satellite positions must be (n_sats, 3), got {s_r.shape}")
    if min_elevation_deg is None:
        mask = points.min_elevation_deg
    else:
        mask = np.broadcast_to(check_min_elevation_deg(min_elevation_deg), (len(points),))
    if max_range_km is not None and not max_range_km > 0:
        raise InputError(f"max_range_km must be > 0, got {max_range_km}")
    s_norm = np.sqrt(np.einsum("ij,ij->i", s_r, s_r))
    valid = np.isfinite(s_norm) & (s_norm > 0)
    rs_max = float(s_norm[valid].max()) if valid.any() else 1.0
    rs_min = float(s_norm[valid].min()) if valid.any() else 1.0
    p_r, p_norm, p_ll, up = _point_geometry(points)
    mask_rad = np.deg2rad(mask)
    # Largest central angle at which a satellite at radius rs_max clears elevation
    # (mask - deflection) over a sphere of the point's radius: psi = acos(rp cos e / rs) - e.
    e = mask_rad - MAX_GEODETIC_DEFLECTION_RAD
    psi = np.arccos(np.clip(p_norm * np.cos(e) / rs_max, -1.0, 1.0)) - e
    if max_range_km is not None:
        # |s - p|^2 = rs^2 + rp^2 - 2 rs rp cos(psi) <= R^2; take the loosest rs in range.
        r2 = max_range_km**2
        cand = np.stack([np.full_like(p_norm, rs_min), np.full_like(p_norm, rs_max),
                         np.clip(np.sqrt(np.maximum(p_norm**2 - r2, 0.0)), rs_min, rs_max)])
        cos_min = np.min((cand**2 + p_norm**2 - r2) / (2 * cand * p_norm), axis=0)
        psi = np.minimum(psi, np.arccos(np.clip(cos_min, -1.0, 1.0)))
    psi = np.clip(psi + 1e-9, 0.0, np.pi)
    # Bands as tall as the typical search radius, cells a quarter of that: fewest
    # candidates in long runs (measured).
    typical = float(np.median(psi)) if psi.size else np.pi
    n_bands = int(min(_MAX_BANDS, max(1, np.ceil(np.pi / max(typical, 1e-6)))))
    n_cells = int(min(_MAX_CELLS, max(1, np.ceil(8.0 * np.pi / max(typical, 1e-6)))))
    starts, order, s_sorted = _bucket(s_r, n_bands, n_cells)
    sin2 = np.sin(mask_rad) ** 2
    range2 = np.full(len(points), np.inf if max_range_km is None else max_range_km**2)
    return (p_r, p_ll, up, sin2, range2, psi, starts, order, s_sorted, n_bands, n_cells)


def _point_geometry(points: GroundPoints) -> tuple[np.ndarray, ...]:
    """Positions, radii, geocentric latitude and longitude (rad) and geodetic up vectors of
    the points (cached on the points: they do not change from one instant to the next)."""
    cached = points.__dict__.get("_visibility_geometry")
    if cached is None:
        p_r = np.ascontiguousarray(points.r_ecef_km)
        p_norm = np.sqrt(np.einsum("ij,ij->i", p_r, p_r))
        p_ll = np.stack([np.arcsin(p_r[:, 2] / p_norm), np.arctan2(p_r[:, 1], p_r[:, 0])],
                        axis=1)
        cached = (p_r, p_norm, p_ll, np.ascontiguousarray(points.enu[2]))
        object.__setattr__(points, "_visibility_geometry", cached)
    return cached


def count_visible(points: GroundPoints, r_sat_ecef_km: np.ndarray, *, min_elevation_deg=None,
                  max_range_km: float | None = None) -> np.ndarray:
    """Satellites in view of each point, ``(n_points,)``. ``min_elevation_deg`` overrides
    the points' own masks (scalar or per point); ``max_range_km`` adds a slant-range limit."""
    args = _prepare(points, r_sat_ecef_km, min_elevation_deg, max_range_km)
    with _threads_for(len(points)):
        return _scan_count(*args)


def visible(points: GroundPoints, r_sat_ecef_km: np.ndarray, *, min_elevation_deg=None,
            max_range_km: float | None = None, ascending: bool = False) -> Visibility:
    """The satellites each point sees at one instant (positions ``(n_sats, 3)`` in km,
    Earth-fixed; NaN rows are never visible). ``ascending`` sorts each point's satellites
    by index (for results that must not depend on the bucket order)."""
    args = _prepare(points, r_sat_ecef_km, min_elevation_deg, max_range_km)
    with _threads_for(len(points)):
        # One exact pass: each point writes into a scratch row sized by its candidates
        # (cheap to count), then the rows are packed.
        candidates = _scan_candidates(*args)
        slots = np.zeros(len(points) + 1, np.int64)
        np.cumsum(candidates + 1, out=slots[1:])
        scratch = np.empty(int(slots[-1]), np.int32)
        counts = _scan_fill(*args, slots, scratch)
        indptr = np.zeros(len(points) + 1, np.int64)
        np.cumsum(counts, out=indptr[1:])
        sat = np.empty(int(indptr[-1]), np.int32)
        _compact(scratch, slots, indptr, sat)
        if ascending:
            _sort_rows(indptr, sat)
    return Visibility(points, np.asarray(r_sat_ecef_km), indptr, sat)
