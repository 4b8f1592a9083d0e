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


# About a micrometre on the ground, in degrees: the sphere helpers against vector geometry.
MICROMETRE_DEG = 1e-11


def _unit(lat_deg, lon_deg):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _lat_lon(v):
    return np.degrees(np.arcsin(np.clip(v[..., 2], -1, 1))), np.degrees(np.arctan2(v[..., 1],
                                                                                    v[..., 0]))


def _north_east(lat_deg, lon_deg):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    north = np.stack([-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)], axis=-1)
    east = np.stack([-np.sin(lo), np.cos(lo), np.zeros_like(lo)], axis=-1)
    return north, east


def _lon_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def test_sphere_helpers_match_vector_geometry():
    """Destination, initial bearing and interpolation against the same moves written as
    rotations of unit vectors (start, tangent direction, Rodrigues' formula)."""
    rng = np.random.default_rng(3)
    n = 500
    lat = rng.uniform(-85, 85, n)
    lon = rng.uniform(-180, 180, n)
    bearing = rng.uniform(0, 360, n)
    dist_km = rng.uniform(1.0, 15_000.0, n)
    p = _unit(lat, lon)
    north, east = _north_east(lat, lon)
    tangent = np.cos(np.radians(bearing))[:, None] * north + np.sin(
        np.radians(bearing))[:, None] * east
    angle = dist_km / 6371.0088
    q = np.cos(angle)[:, None] * p + np.sin(angle)[:, None] * tangent
    ref_lat, ref_lon = _lat_lon(q)

    d_lat, d_lon = earth.destination_deg(lat, lon, bearing, dist_km)
    assert np.max(np.abs(d_lat - ref_lat)) < MICROMETRE_DEG
    assert np.max(_lon_diff(d_lon, ref_lon) * np.cos(np.radians(ref_lat))) < MICROMETRE_DEG
    assert ((d_lon >= -180.0) & (d_lon < 180.0)).all()

    b = earth.initial_bearing_deg(lat, lon, ref_lat, ref_lon)
    assert np.max(_lon_diff(b, bearing)) < 1e-7
    assert ((b >= 0.0) & (b < 360.0)).all()

    f = rng.uniform(0, 1, n)
    axis = np.cross(p, q)
    axis /= np.linalg.norm(axis, axis=1)[:, None]
    omega = np.arccos(np.clip(np.sum(p * q, axis=1), -1, 1))
    v = (np.cos(f * omega)[:, None] * p + np.sin(f * omega)[:, None] * np.cross(axis, p))
    v_lat, v_lon = _lat_lon(v)
    a_lat, a_lon = earth.along_great_circle_deg(lat, lon, ref_lat, ref_lon, f)
    assert np.max(np.abs(a_lat - v_lat)) < MICROMETRE_DEG
    assert np.max(_lon_diff(a_lon, v_lon) * np.cos(np.radians(v_lat))) < MICROMETRE_DEG


def test_along_great_circle_broadcasts_and_stays_put_for_one_point():
    lat, lon = earth.along_great_circle_deg(50.45, 30.52, 50.45, 30.52, np.linspace(0, 1, 4))
    assert lat.shape == (4,) and np.allclose(lat, 50.45) and np.allclose(lon, 30.52)
    # One pair of ends, many fractions: the ends themselves at 0 and 1.
    lat, lon = earth.along_great_circle_deg(0.0, 0.0, 0.0, 90.0, np.array([0.0, 0.5, 1.0]))
    assert np.allclose(lat, 0.0) and np.allclose(lon, [0.0, 45.0, 90.0])
