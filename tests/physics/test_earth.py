import numpy as np
import pytest
from skyfield.api import load, wgs84
from skyfield.sgp4lib import theta_GMST1982

from leonet.physics import earth

ONE_MM_KM = 1e-6


def _grid_points(n=2000, seed=1):
    rng = np.random.default_rng(seed)
    lat = np.concatenate([rng.uniform(-90, 90, n), [90.0, -90.0, 0.0, 0.0, 45.0]])
    lon = np.concatenate([rng.uniform(-180, 180, n), [0.0, 123.0, 180.0, -180.0, 179.999]])
    alt = np.concatenate([rng.uniform(-0.5, 36000, n), [0.0, 550.0, 1.0, 0.0, 1200.0]])
    return lat, lon, alt


def test_geodetic_to_ecef_matches_skyfield():
    lat, lon, alt = _grid_points()
    ours = earth.geodetic_to_ecef_km(lat, lon, alt)
    ref = wgs84.latlon(lat, lon, elevation_m=alt * 1000).itrs_xyz.km.T
    assert np.max(np.abs(ours - ref)) < ONE_MM_KM


def test_ecef_to_geodetic_inverts_skyfield_forward():
    lat, lon, alt = _grid_points()
    xyz = wgs84.latlon(lat, lon, elevation_m=alt * 1000).itrs_xyz.km.T
    lat2, lon2, alt2 = earth.ecef_to_geodetic(xyz)
    assert np.max(np.abs(alt2 - alt)) < ONE_MM_KM
    assert np.max(np.abs(lat2 - lat)) < 1e-9
    # Longitude is undefined at the poles; elsewhere compare on the circle.
    off_pole = np.abs(lat) < 89.9999
    dlon = (lon2 - lon + 180) % 360 - 180
    assert np.max(np.abs(dlon[off_pole])) < 1e-9


def test_look_angles_match_skyfield_altaz():
    ts = load.timescale(builtin=True)
    t = ts.utc(2026, 8, 23)
    site = wgs84.latlon(50.45, 30.52, elevation_m=180)
    sat_xyz = np.array([[3000.0, 2500.0, 5800.0], [4000.0, 3000.0, 4500.0], [-100.0, 50.0, 6900.0]])
    from skyfield.framelib import itrs
    from skyfield.positionlib import build_position
    from skyfield.units import Distance

    for xyz in sat_xyz:
        # A geocentric position given in ITRS, turned to GCRS by skyfield.
        r_gcrs = itrs.rotation_at(t).T @ (Distance(km=xyz).au)
        sat = build_position(r_gcrs, center=399, t=t)
        topo = sat - site.at(t)
        alt, az, dist = topo.altaz()
        el, azimuth, rng = earth.look_angles(site.itrs_xyz.km, 50.45, 30.52, xyz)
        assert el == pytest.approx(alt.degrees, abs=1e-7)
        assert azimuth == pytest.approx(az.degrees, abs=1e-7)
        assert rng == pytest.approx(dist.km, abs=1e-6)


def test_gmst82_matches_skyfield():
    jd = np.full(5, 2461275.5)
    fr = np.linspace(0, 0.99, 5)
    theta, rate = earth.gmst82_rad(jd, fr)
    ref, ref_rate_per_day = theta_GMST1982(jd, fr)
    assert np.allclose(theta, ref, atol=1e-12)
    assert np.allclose(rate * 86400.0, ref_rate_per_day, rtol=1e-12)


def test_great_circle_hand_checked():
    # Quarter of a meridian on the mean sphere: pi/2 * R.
    assert earth.great_circle_km(0, 0, 90, 0) == pytest.approx(np.pi / 2 * 6371.0088)
    # Antipodes across the antimeridian.
    assert earth.great_circle_km(0, 179.5, 0, -0.5) == pytest.approx(np.pi * 6371.0088)
    assert earth.great_circle_km(10, 179.9, 10, -179.9) < 25.0
