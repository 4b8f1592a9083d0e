"""Presets against their filings, measured by independent propagation with python-sgp4."""

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from tests.conftest import shared_file

ONE_KM = 1.0
HUNDRED_METRES_KM = 0.1
ONE_MM_KM = 1e-6
# 1e-4° of node or argument of latitude is ~12 m along a 550 km orbit.
SPACING_TOLERANCE_DEG = 1e-4
# (altitude km, inclination °, planes, satellites per plane, RAAN spread °) of every shell,
# written out from the filings cited in each preset's source: FCC 21-48 (Starlink Gen1),
# FCC 22-91 (Gen2, configuration A), FCC 20-102 (Kuiper), FCC 17-77 (OneWeb, a Walker star).
FILED = {
    "starlink-gen1": [(550, 53.0, 72, 22, 360), (540, 53.2, 72, 22, 360),
                      (570, 70.0, 36, 20, 360), (560, 97.6, 6, 58, 360),
                      (560, 97.6, 4, 43, 360)],
    "starlink-gen2a": [(525, 53.0, 28, 120, 360), (530, 43.0, 28, 120, 360),
                       (535, 33.0, 28, 120, 360)],
    "kuiper": [(630, 51.9, 34, 34, 360), (610, 42.0, 36, 36, 360), (590, 33.0, 28, 28, 360)],
    "oneweb": [(1200, 87.9, 18, 40, 180)],
}
# WGS72 constants used by SGP4 for TLEs (Vallado et al. 2006, table of gravity models).
J2_WGS72 = 0.001082616
RE_WGS72_KM = 6378.135
MU_WGS72 = 398600.8


def _osculating(sat, minutes):
    jd = np.full(minutes.shape, sat.jdsatepoch)
    fr = sat.jdsatepochF + minutes / 1440.0
    err, r, v = sat.sgp4_array(jd, fr)
    assert not err.any()
    h = np.cross(r, v)
    incl = np.degrees(np.arccos(h[:, 2] / np.linalg.norm(h, axis=1)))
    node = np.degrees(np.arctan2(h[:, 0], -h[:, 1])) % 360
    # Argument of latitude: angle from the ascending node to r in the orbit plane.
    n_hat = np.stack([np.cos(np.radians(node)), np.sin(np.radians(node)), 0 * node], axis=1)
    u = np.degrees(np.arctan2(np.einsum("ij,ij->i", np.cross(n_hat, r), h / np.linalg.norm(
        h, axis=1)[:, None]), np.einsum("ij,ij->i", n_hat, r))) % 360
    return r, incl, node, u


def _j2_mean_radius_km(a_km, inclination_deg):
    """Orbit-averaged radius of a circular SGP4 orbit of mean semi-major axis ``a_km``:
    Brouwer's short-period radius term -J2 Re² / (4 a) (3 cos² i - 1) (Vallado,
    Fundamentals of Astrodynamics, 4th ed., sec. 9.7), averaged with its 2u term dropped."""
    c2 = np.cos(np.radians(inclination_deg)) ** 2
    return a_km - 0.75 * J2_WGS72 * RE_WGS72_KM**2 / a_km * (3 * c2 - 1)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_altitude_and_inclination_match_filing(name):
    """Mean altitude is SGP4's mean semi-major axis less the equatorial radius (the
    convention of the operator's real shells: see test_real_shells_sit_at_their_filed_
    altitudes); python-sgp4 propagated over a day gives the orbit-averaged radius that
    J2's short-period term predicts from it, and the filed inclination."""
    c = Constellation.load(name)
    minutes = np.arange(0.0, 1440.0, 1.0)
    for k, shell in enumerate(c.shells):
        members = np.flatnonzero(c.shell_index == k)
        sat = c.satrecs[int(members[0])]
        assert abs(sat.a * sat.radiusearthkm - 6378.137 - shell.altitude_km) < ONE_MM_KM
        r, incl, _, _ = _osculating(sat, minutes)
        mean_r = np.mean(np.linalg.norm(r, axis=1))
        expected = _j2_mean_radius_km(sat.a * sat.radiusearthkm, shell.inclination_deg)
        assert abs(mean_r - expected) < HUNDRED_METRES_KM, shell.name
        assert abs(mean_r - 6378.137 - shell.altitude_km) < 6 * ONE_KM, shell.name
        assert abs(np.mean(incl) - shell.inclination_deg) < 0.01, shell.name
        # What leonet reports for every satellite of the shell.
        assert np.abs(c.altitude_km[members] - shell.altitude_km).max() < ONE_MM_KM
        assert np.abs(c.mean_radius_km[members] - mean_r).max() < HUNDRED_METRES_KM
    assert len(c) == PRESETS[name].n_sats
    for shell in c.shells:
        band = c.filter(alt_km=(shell.altitude_km - 0.5, shell.altitude_km + 0.5))
        assert len(band) >= shell.n_sats, shell.name


def test_real_shells_sit_at_their_filed_altitudes():
    """The convention, checked on the operator's own satellites: in the real snapshot the
    shells filed at 570 km / 70° and 540 km / 53.2° (FCC 21-48) have median mean altitudes
    of 570 and 540 km, and the gen1 preset's 70° shell, propagated, averages the same
    radius as the real one."""
    real = Constellation.load(shared_file("starlink-2026-08-22.tle"))
    for inc, alt in ((70.0, 570.0), (53.16, 540.0)):
        shell = real.filter(inclination_deg=(inc - 0.2, inc + 0.2), alt_km=(alt - 5, alt + 5))
        assert len(shell) > 100
        assert np.median(shell.altitude_km) == pytest.approx(alt, abs=0.3)
    minutes = np.arange(0.0, 1440.0, 1.0)
    real70 = real.filter(inclination_deg=(69.8, 70.2), alt_km=(565, 575))
    preset70 = Constellation.load("starlink-gen1").filter(inclination_deg=(69.9, 70.1))
    radius = [np.mean(np.linalg.norm(_osculating(c.satrecs[0], minutes)[0], axis=1))
              for c in (real70, preset70)]
    assert radius[0] == pytest.approx(radius[1], abs=0.5)


def _wrap_deg(x):
    return (x + 180.0) % 360.0 - 180.0


@pytest.mark.parametrize("name", sorted(FILED))
def test_every_shell_has_the_filed_planes_spacing_and_phasing(name):
    """Differences of osculating node and argument of latitude between neighbours,
    averaged over one orbit (J2 short-period terms cancel): RAAN spread / planes between
    planes, 360 / S within a plane, and Walker's F * 360 / T between the same slot of
    neighbouring planes (F = 1, as the presets assume where filings are silent)."""
    c = Constellation.load(name)
    assert [(s.altitude_km, s.inclination_deg, s.planes, s.sats_per_plane, s.raan_spread_deg)
            for s in c.shells] == FILED[name]
    for k, shell in enumerate(c.shells):
        members = np.flatnonzero(c.shell_index == k)
        planes, per_plane = shell.planes, shell.sats_per_plane
        assert np.array_equal(np.bincount(c.plane[members]), np.full(planes, per_plane))
        period_min = 1440.0 / c.mean_motion_rev_per_day[members[0]]
        t = np.linspace(0.0, period_min, 360, endpoint=False)

        def at(plane: int, slot: int, members=members, per_plane=per_plane, t=t):
            return _osculating(c.satrecs[int(members[plane * per_plane + slot])], t)[2:]

        for p in range(planes - 1):
            (n0, u0), (n1, u1) = at(p, 0), at(p + 1, 0)
            assert np.mean(_wrap_deg(n1 - n0)) == pytest.approx(
                shell.raan_spread_deg / planes, abs=SPACING_TOLERANCE_DEG), (shell.name, p)
            assert np.mean(_wrap_deg(u1 - u0)) == pytest.approx(
                shell.phasing * 360.0 / shell.n_sats, abs=SPACING_TOLERANCE_DEG), shell.name
        for j in range(per_plane - 1):
            (_, u0), (_, u1) = at(0, j), at(0, j + 1)
            assert np.mean(_wrap_deg(u1 - u0)) == pytest.approx(
                360.0 / per_plane, abs=SPACING_TOLERANCE_DEG), (shell.name, j)


def test_gen1_counts_planes_and_phasing_as_filed():
    c = Constellation.load("starlink-gen1")
    filed = [(550, 53.0, 72, 22), (540, 53.2, 72, 22), (570, 70.0, 36, 20), (560, 97.6, 6, 58),
             (560, 97.6, 4, 43)]
    assert [(s.altitude_km, s.inclination_deg, s.planes, s.sats_per_plane)
            for s in c.shells] == filed
    assert len(c) == 4408
    # Shell 1: plane p, slot j at epoch. RAAN spacing 360/72; in-plane spacing 360/22;
    # Walker phase offset F * 360 / 1584 between adjacent planes (F = 1).
    m = np.flatnonzero(c.shell_index == 0)
    t0 = np.array([0.0])
    nodes, lats = [], []
    for i in m[[0, 1, 22, 23, 44]]:
        _, _, node, u = _osculating(c.satrecs[i], t0)
        nodes.append(node[0])
        lats.append(u[0])
    # Osculating nodes carry J2 short-period terms of ~0.0002°; filed spacing is exact.
    assert (nodes[2] - nodes[0]) % 360 == pytest.approx(360 / 72, abs=2e-3)
    assert (nodes[4] - nodes[2]) % 360 == pytest.approx(360 / 72, abs=2e-3)
    assert (lats[1] - lats[0]) % 360 == pytest.approx(360 / 22, abs=5e-3)
    assert (lats[2] - lats[0]) % 360 == pytest.approx(360 / 1584, abs=5e-3)
    assert (lats[3] - lats[2]) % 360 == pytest.approx(360 / 22, abs=5e-3)


def test_oneweb_is_a_star_pattern_over_180_degrees():
    c = Constellation.load("oneweb")
    planes = np.unique(np.round(c.raan_deg, 6))
    assert len(planes) == 18
    assert np.allclose(np.diff(planes), 10.0)


def test_nodal_regression_of_53deg_550km_matches_j2_formula():
    c = Constellation.load("starlink-gen1")
    sat = c.satrecs[0]
    period_min = 1440.0 / c.mean_motion_rev_per_day[0]
    # Average the node over one orbit at the start and one day later: removes short periods.
    start = np.linspace(0.0, period_min, 200, endpoint=False)
    _, _, n0, _ = _osculating(sat, start)
    _, _, n1, _ = _osculating(sat, start + 1440.0)
    measured = np.degrees(np.angle(np.mean(np.exp(1j * np.radians(n1)))
                                   / np.mean(np.exp(1j * np.radians(n0)))))
    a = c.semi_major_axis_km[0]
    n_rad_day = np.sqrt(MU_WGS72 / a**3) * 86400.0
    expected = np.degrees(-1.5 * n_rad_day * J2_WGS72 * (RE_WGS72_KM / a) ** 2
                          * np.cos(np.radians(53.0)))
    assert expected == pytest.approx(-4.5, abs=0.3)  # the textbook ~4.5°/day westward
    assert measured == pytest.approx(expected, rel=0.01)


def test_custom_walker_shell_and_bad_shells():
    shell = Shell(altitude_km=700, inclination_deg=60, planes=5, sats_per_plane=4, phasing=2)
    c = Constellation.walker(shell, epoch="2026-08-23T00:00:00Z")
    assert len(c) == 20 and set(c.plane) == set(range(5))
    assert str(c.epoch[0]) == "2026-08-23T00:00:00.000000000"
    with pytest.raises(InputError, match="phasing"):
        Shell(550, 53, 10, 10, phasing=10)
    with pytest.raises(InputError, match="altitude"):
        Shell(-5, 53, 10, 10)
    with pytest.raises(InputError, match="no such file or preset"):
        Constellation.load("starlink-gen9")
