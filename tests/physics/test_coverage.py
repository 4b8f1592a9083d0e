"""Coverage figures of merit against an independent brute force at H3 cell centres: plain
numpy look angles from WGS84 written out here, and figures from run lengths in plain Python."""

import h3
import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.coverage import (
    CoverageAccumulator,
    coverage,
    coverage_from_ephemerides,
    figures_from_counts,
    holds_s,
)
from leonet.physics.ground import wgs84
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from tests.conftest import shared_file

# WGS84 (NIMA TR8350.2), written out again so the reference shares nothing with leonet.
A_KM = 6378.137
F = 1 / 298.257223563
E2 = F * (2 - F)


def _ecef_and_up(lat_deg, lon_deg):
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = A_KM / np.sqrt(1 - E2 * np.sin(lat) ** 2)
    r = np.stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                  n * (1 - E2) * np.sin(lat)], axis=-1)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    return r, up


def brute_force_counts(lat_deg, lon_deg, r_sat_km, mask_deg):
    """Satellites above the mask, ``(n_times, n_points)``: elevation = asin(d.up / |d|)."""
    r, up = _ecef_and_up(lat_deg, lon_deg)
    out = np.empty((r_sat_km.shape[0], r.shape[0]), np.int64)
    for t in range(r_sat_km.shape[0]):
        d = r_sat_km[t][None, :, :] - r[:, None, :]  # (point, sat, 3)
        el = np.degrees(np.arcsin(np.einsum("psk,pk->ps", d, up) / np.linalg.norm(d, axis=-1)))
        out[t] = np.sum(np.nan_to_num(el, nan=-90.0) >= mask_deg, axis=-1)
    return out


def reference_figures(counts, step_s, min_sats):
    """Figures of one point from its counts, by walking the samples (each stands for one
    step; the spell running at the end closes at the end of the last step)."""
    n = len(counts)
    covered = [c >= min_sats for c in counts]
    gaps, k = [], 0
    while k < n:
        if covered[k]:
            k += 1
            continue
        j = k
        while j < n and not covered[j]:
            j += 1
        gaps.append((j - k) * step_s)
        k = j
    waits = []
    for k in range(n):
        nxt = next((j for j in range(k, n) if covered[j]), n)
        waits.append((nxt - k) * step_s)
    first = next((k * step_s for k in range(n) if covered[k]), float("nan"))
    return {
        "mean_in_view": sum(counts) / n, "min_in_view": min(counts),
        "max_in_view": max(counts), "percent_covered": 100.0 * sum(covered) / n,
        "longest_gap_s": max(gaps, default=0.0), "n_gaps": len(gaps),
        "mean_gap_s": sum(gaps) / len(gaps) if gaps else 0.0,
        "time_to_first_s": first, "mean_response_s": sum(waits) / n,
    }


def _random_cells(n, res, seed):
    """Random cells over the sphere plus cells at both poles, on both sides of the
    antimeridian, in Fiji and in Ukraine."""
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
    fixed = [(90, 0), (-90, 0), (-17.7, 179.99), (-17.7, -179.99), (-16.8, 178.4),
             (50.45, 30.52), (46.5, 30.7), (65.0, 180.0), (0.0, 0.0)]
    cells = {h3.latlng_to_cell(a, o, res) for a, o in [*zip(lat, lon, strict=True), *fixed]}
    cells = sorted(cells)
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    return cells, centres[:, 0], centres[:, 1]


@pytest.mark.parametrize(("mask_deg", "min_sats"), [(25.0, 1), (40.0, 4), (60.0, 1)])
def test_figures_equal_brute_force_at_cell_centres(mask_deg, min_sats):
    _, lat, lon = _random_cells(50, 5, seed=int(mask_deg))
    sats = Constellation.load("starlink-gen1")
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "90m", "60s")
    r_sat = sats.propagate(grid).r_ecef_km
    truth = brute_force_counts(lat, lon, r_sat, mask_deg)
    # Split into small chunks so the streaming path carries state from chunk to chunk.
    fig = coverage(wgs84.point(lat, lon, min_elevation_deg=mask_deg), sats, grid,
                   min_sats=min_sats, max_bytes=2_000_000)
    gaps_seen = 0
    for i in range(len(lat)):
        ref = reference_figures(truth[:, i].tolist(), 60.0, min_sats)
        gaps_seen += ref["n_gaps"]
        for name, value in ref.items():
            got = getattr(fig, name)[i]
            assert got == pytest.approx(value, rel=1e-12, abs=1e-9, nan_ok=True), (name, i)
    if mask_deg == 60.0:
        assert gaps_seen > 20  # the comparison exercised gaps, revisits and response times


def test_real_snapshot_cells_equal_brute_force():
    sats = Constellation.load(shared_file("starlink-2026-08-22.tle"))
    _, lat, lon = _random_cells(12, 5, seed=7)
    grid = TimeGrid.range("2026-08-23T06:00:00Z", "20m", "60s")
    truth = brute_force_counts(lat, lon, sats.propagate(grid).r_ecef_km, 25.0)
    fig = coverage(wgs84.point(lat, lon), sats, grid)
    assert np.array_equal(fig.min_in_view, truth.min(axis=0))
    assert np.array_equal(fig.max_in_view, truth.max(axis=0))
    np.testing.assert_allclose(fig.mean_in_view, truth.mean(axis=0), rtol=1e-12)


def test_never_and_always_covered():
    counts = np.array([[0, 5], [0, 5], [0, 5]])
    fig = figures_from_counts(counts, [0.0, 30.0, 60.0])
    assert fig.percent_covered.tolist() == [0.0, 100.0]
    assert fig.longest_gap_s.tolist() == [90.0, 0.0]  # three samples of 30 s each
    assert fig.n_gaps.tolist() == [1, 0] and fig.mean_gap_s.tolist() == [90.0, 0.0]
    assert np.isnan(fig.time_to_first_s[0]) and fig.time_to_first_s[1] == 0.0
    assert fig.mean_response_s.tolist() == [60.0, 0.0]  # waits 90, 60, 30 s to the end
    assert fig.simple_coverage.tolist() == [0, 1]


def test_uneven_instants_weigh_by_their_spacing():
    # Covered at t=0 (standing for 10 s), not at t=10 (standing for 50 s), covered at 60.
    fig = figures_from_counts(np.array([[1], [0], [1]]), [0.0, 10.0, 60.0])
    assert fig.longest_gap_s[0] == 50.0
    assert fig.percent_covered[0] == pytest.approx(100 * 60 / 110)


def test_one_instant():
    fig = figures_from_counts(np.array([[2, 0]]), [0.0])
    assert fig.percent_covered.tolist() == [100.0, 0.0]
    assert fig.mean_in_view.tolist() == [2.0, 0.0]


def test_bad_input():
    with pytest.raises(InputError, match="strictly increasing"):
        holds_s([0.0, 0.0, 1.0])
    with pytest.raises(InputError, match="min_sats"):
        CoverageAccumulator(3, min_sats=0)
    acc = CoverageAccumulator(2)
    with pytest.raises(InputError, match="expected 2 counts"):
        acc.add(np.array([1, 2, 3]), 0.0, 1.0)
    with pytest.raises(InputError, match="empty"):
        acc.result()
    with pytest.raises(InputError, match="no ground points"):
        coverage(wgs84.point([], []), Constellation.load("kuiper"),
                 TimeGrid.at("2026-08-23T00:00:00Z"))
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "2m", "60s")
    eph = Constellation.load("kuiper")[:5].propagate(grid[:2])
    with pytest.raises(InputError, match="2 instants, the time grid 3"):
        coverage_from_ephemerides(wgs84.point(0, 0), [eph], grid)
