"""Shared by the coverage benchmarks (not a test module): the brute-force reference and the
timed run."""

from __future__ import annotations

import resource
import time

import numpy as np

from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import count_visible


def brute_force_counts(points, r_sat: np.ndarray, mask_deg: float) -> np.ndarray:
    """Satellites above the mask per point at one instant: every pair, with numpy matrix
    products in chunks of points (d = s - p; d.up >= 0 and (d.up)^2 >= |d|^2 sin^2 mask)."""
    s = r_sat[np.isfinite(r_sat).all(axis=1)]
    p = points.r_ecef_km
    up = points.enu[2]
    s2 = np.einsum("ij,ij->i", s, s)
    sin2 = np.sin(np.radians(mask_deg)) ** 2
    out = np.empty(len(p), np.int64)
    step = 1024
    for a in range(0, len(p), step):
        pc, uc = p[a:a + step], up[a:a + step]
        dot = uc @ s.T - np.einsum("ij,ij->i", uc, pc)[:, None]
        d2 = s2[None, :] - 2.0 * (pc @ s.T) + np.einsum("ij,ij->i", pc, pc)[:, None]
        out[a:a + step] = np.count_nonzero((dot >= 0) & (dot * dot >= d2 * sin2), axis=1)
    return out


def brute_force_per_instant(points, sats, grid: TimeGrid, mask_deg: float,
                            n_sample: int) -> tuple[float, float]:
    """Seconds per instant of the brute force (propagation excluded), over ``n_sample``
    instants spread over the grid, and the share of (point, instant) counts on which it
    agrees with leonet's kernel (pairs within ~1e-12 of the mask may round either way)."""
    picks = np.unique(np.linspace(0, len(grid) - 1, n_sample).round().astype(int))
    r = sats.propagate(grid[picks]).r_ecef_km
    t0 = time.perf_counter()
    truths = [brute_force_counts(points, r[j], mask_deg) for j in range(len(picks))]
    per_instant = (time.perf_counter() - t0) / len(picks)
    agree = sum(int(np.sum(t == count_visible(points, r[j], min_elevation_deg=mask_deg)))
                for j, t in enumerate(truths))
    return per_instant, agree / (len(picks) * len(points))


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
