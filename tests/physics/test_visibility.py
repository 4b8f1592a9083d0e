"""Visibility against a brute-force per-pair elevation computation."""

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics import earth
from leonet.physics.ground import wgs84
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import count_visible, visible
from tests.conftest import shared_file


def _points(n, seed):
    rng = np.random.default_rng(seed)
    lat = np.concatenate([np.degrees(np.arcsin(rng.uniform(-1, 1, n))),
                          [90.0, -90.0, 89.99, -89.99, 0.0, 0.0, 10.0, -10.0, 53.0, 53.0]])
    lon = np.concatenate([rng.uniform(-180, 180, n),
                          [0.0, 0.0, 45.0, -135.0, 180.0, -179.999, 179.999, 180.0, 0.0, 180.0]])
    alt_m = np.concatenate([rng.uniform(0, 3000, n), np.zeros(10)])
    mask = rng.choice([0.0, 10.0, 25.0, 40.0], size=n + 10)
    return wgs84.point(lat, lon, alt_m, min_elevation_deg=mask)


def _brute_force(points, r_sat, max_range_km=None):
    el, _, rng = earth.look_angles(points.r_ecef_km[:, None, :], points.lat_deg[:, None],
                                   points.lon_deg[:, None], r_sat[None, :, :])
    seen = el >= points.min_elevation_deg[:, None]
    if max_range_km is not None:
        seen &= rng <= max_range_km
    return seen & np.isfinite(el)


def _textbook_look_angles(lat_deg, lon_deg, p_km, s_km):
    """Elevation, azimuth (from north, clockwise) and range in the local east-north-up
    frame of the geodetic vertical, written out from the definitions."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    east = np.stack([-np.sin(lon), np.cos(lon), 0 * lon], -1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], -1)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    d = s_km - p_km
    rng = np.linalg.norm(d, axis=-1)
    el = np.degrees(np.arcsin(np.einsum("ij,ij->i", d, up) / rng))
    az = np.degrees(np.arctan2(np.einsum("ij,ij->i", d, east), np.einsum("ij,ij->i", d, north)))
    return el, az % 360.0, rng


def _as_sets(vis):
    return [set(vis.satellites_of(i).tolist()) for i in range(len(vis.points))]


@pytest.mark.parametrize("source", ["starlink-gen1", "oneweb", "kuiper"])
def test_equals_brute_force_including_poles_and_antimeridian(source):
    c = Constellation.load(source)
    eph = c.propagate(TimeGrid.range("2026-08-23T00:00:00Z", "30m", "15m"))
    points = _points(1500, seed=len(source))
    for k in range(eph.n_times):
        r = eph.r_ecef_km[k]
        truth = _brute_force(points, r)
        vis = visible(points, r)
        assert _as_sets(vis) == [set(np.flatnonzero(row).tolist()) for row in truth]
        assert np.array_equal(count_visible(points, r), truth.sum(axis=1))
        # Look angles of the listed pairs agree with the brute force and clear the mask.
        assert np.all(vis.elevation_deg >= points.min_elevation_deg[vis.point])
        el, az, rng = _textbook_look_angles(points.lat_deg[vis.point],
                                            points.lon_deg[vis.point],
                                            points.r_ecef_km[vis.point], r[vis.sat])
        np.testing.assert_allclose(vis.elevation_deg, el, rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.cos(np.radians(vis.azimuth_deg - az)), 1.0, atol=1e-12)
        np.testing.assert_allclose(vis.range_km, rng, rtol=0, atol=1e-9)


def test_mixed_altitudes_of_the_real_snapshot():
    c = Constellation.load(shared_file("starlink-2026-08-22.tle"))
    r = c.propagate(TimeGrid.at("2026-08-23T06:00:00Z")).r_ecef_km[0]
    points = _points(800, seed=3)
    truth = _brute_force(points, r)
    assert np.array_equal(count_visible(points, r), truth.sum(axis=1))
    assert _as_sets(visible(points, r)) == [set(np.flatnonzero(t).tolist()) for t in truth]


def test_range_limit_and_mask_override():
    c = Constellation.load("starlink-gen1")
    r = c.propagate(TimeGrid.at("2026-08-23T00:00:00Z")).r_ecef_km[0]
    points = _points(1000, seed=7)
    truth = _brute_force(points.with_min_elevation(0.0), r, max_range_km=1089.686)
    got = count_visible(points, r, min_elevation_deg=0.0, max_range_km=1089.686)
    assert np.array_equal(got, truth.sum(axis=1))
    with pytest.raises(InputError, match="elevation mask"):
        count_visible(points, r, min_elevation_deg=95)
    with pytest.raises(InputError, match="max_range_km"):
        count_visible(points, r, max_range_km=-1)


def test_nan_satellites_are_never_visible():
    points = wgs84.point([0.0], [0.0])
    r = np.array([[6928.137, 0.0, 0.0], [np.nan, np.nan, np.nan]])
    assert visible(points, r).satellites_of(0).tolist() == [0]


def test_series_over_a_grid():
    c = Constellation.load("starlink-gen1")
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "2m", "1m")
    eph = c.propagate(grid)
    kyiv = wgs84.point(50.45, 30.52, name="Kyiv")
    series = eph.visible_from(kyiv)
    assert series.counts.shape == (3, 1)
    assert np.array_equal(series.counts, eph.count_visible(kyiv))
    assert np.all(series.counts > 5)  # Kyiv at 50°N sits under the dense 53° shells
    v = series[0]
    assert np.all((v.elevation_deg >= 25) & (v.azimuth_deg >= 0) & (v.azimuth_deg < 360))
