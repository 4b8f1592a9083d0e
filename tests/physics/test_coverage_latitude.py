"""The coverage-versus-latitude curve of the starlink-gen1 preset: its known shape, and its
agreement with the time-averaged expectation of uniformly filled circular shells."""

import itertools

import numpy as np
import pytest

from leonet.physics.coverage import coverage
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import latitude_band

MASK_DEG = 25.0
A_KM = 6378.137  # WGS84 equatorial radius: FCC shell altitudes are a - 6378 km
B_KM = 6356.752


def expected_in_view(lat_deg, shells):
    """Mean satellites above the mask at geodetic latitude ``lat_deg`` if each shell's
    satellites were spread uniformly in argument of latitude u and node (what a Walker shell
    averages to over time and longitude): N times the share of the orbit sphere within the
    ground range psi = acos(r_g cos(mask) / r_s) - mask of the point. For a satellite at u,
    the angle to a point at geocentric latitude phi is within psi for a share
    acos(c) / pi of the nodes, with c = (cos psi - sin phi sin u sin i) / (cos phi rho),
    rho = sqrt(cos^2 u + sin^2 u cos^2 i); then average over u."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))[:, None]
    u = ((np.arange(4000) + 0.5) * 2 * np.pi / 4000)[None, :]
    phi = np.arctan((B_KM / A_KM) ** 2 * np.tan(lat))
    r_g = np.hypot(A_KM * np.cos(lat), B_KM * np.sin(lat))
    mask = np.radians(MASK_DEG)
    out = np.zeros(lat.shape[0])
    for shell in shells:
        inc = np.radians(shell.inclination_deg)
        psi = np.arccos(r_g * np.cos(mask) / (A_KM + shell.altitude_km)) - mask
        rho = np.sqrt(np.cos(u) ** 2 + (np.sin(u) * np.cos(inc)) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = (np.cos(psi) - np.sin(phi) * np.sin(u) * np.sin(inc)) / (np.cos(phi) * rho)
        share = np.arccos(np.clip(np.nan_to_num(c, nan=1.0, posinf=1.0, neginf=-1.0),
                                  -1, 1)) / np.pi
        out += shell.n_sats * share.mean(axis=1)
    return out


@pytest.fixture(scope="module")
def curve():
    sats = Constellation.load("starlink-gen1")
    cells = latitude_band(-90, 90, 2)
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "4h", "10m")
    fig = coverage(cells.points(MASK_DEG), sats, grid)
    low = sats.filter(inclination_deg=(None, 60))  # the two 53° shells alone
    fig53 = coverage(cells.points(MASK_DEG), low, grid)
    edges = np.arange(-90, 91, 2.0)
    idx = np.digitize(cells.lat_deg, edges) - 1
    w = cells.area_km2

    def binned(values):
        return np.array([np.average(values[idx == b], weights=w[idx == b])
                         for b in range(len(edges) - 1)])

    return {"lat": (edges[:-1] + edges[1:]) / 2, "all": binned(fig.mean_in_view),
            "53": binned(fig53.mean_in_view), "pct": binned(fig.percent_covered),
            "expected": binned(expected_in_view(cells.lat_deg, sats.shells))}


def _at(curve, key, lat):
    return curve[key][np.argmin(np.abs(curve["lat"] - lat))]


def test_dense_near_53_in_both_hemispheres(curve):
    lat, m = curve["lat"], curve["all"]
    north = lat[lat > 0][np.argmax(m[lat > 0])]
    south = lat[lat < 0][np.argmax(m[lat < 0])]
    # The footprint (~8.5° of ground range at 25°) peaks a few degrees inside the turning
    # latitude, where satellites bunch up.
    assert 44 <= north <= 56 and -56 <= south <= -44
    assert m.max() >= 2.2 * _at(curve, "all", 1)


def test_falls_above_57_until_the_polar_shells_take_over(curve):
    peak = curve["all"].max()
    for sign in (1, -1):
        # Falling steadily from the peak to ~63°.
        band = [_at(curve, "all", sign * lat) for lat in range(51, 64, 2)]
        assert all(a > b for a, b in itertools.pairwise(band))
        assert _at(curve, "all", sign * 63) < 0.4 * peak
        # The 53° shells alone leave everything beyond ~62° uncovered ...
        assert _at(curve, "53", sign * 67) == 0 and _at(curve, "53", sign * 85) == 0
        # ... where the 70° shell holds a plateau and the 97.6° shells cover the poles.
        assert min(_at(curve, "all", sign * lat) for lat in range(65, 76, 2)) > 14
        assert min(_at(curve, "all", sign * lat) for lat in range(79, 90, 2)) > 9
        assert _at(curve, "pct", sign * 89) == pytest.approx(100.0)


def test_agrees_with_uniform_shell_expectation(curve):
    # Within 2.5 % over most of the globe; up to ~6 % where the curve is steepest (60°) and in
    # the few cells near the poles. Four hours of samples average the shells' pattern.
    np.testing.assert_allclose(curve["all"], curve["expected"], rtol=0.07)
