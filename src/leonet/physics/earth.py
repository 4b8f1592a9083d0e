"""WGS84 geometry: geodetic <-> ECEF, local frames, look angles, great circles on the mean
sphere (distance, bearing, destination, interpolation), sidereal angle and polar motion.

Every function broadcasts over arrays; vectors sit on the last axis, in km.

>>> r = geodetic_to_ecef_km(50.45, 30.52, 0.0)
>>> [round(float(x), 3) for x in ecef_to_geodetic(r)]
[50.45, 30.52, 0.0]
>>> round(float(great_circle_km(50.45, 30.52, 51.507, -0.128)), 0)  # Kyiv - London
2133.0
>>> lat, lon = destination_deg(0.0, 0.0, 90.0, EARTH_MEAN_RADIUS_KM * np.pi / 2)
>>> round(float(lat), 9), round(float(lon), 9)  # a quarter of the equator eastwards
(0.0, 90.0)
>>> [float(initial_bearing_deg(0.0, 0.0, lat, lon)) for lat, lon in ((10, 0), (0, -10))]
[0.0, 270.0]
>>> [round(float(x), 9) for x in along_great_circle_deg(0.0, 0.0, 0.0, 90.0, 1 / 3)]
[0.0, 30.0]
"""

from __future__ import annotations

import numba
import numpy as np

# WGS84 defining parameters: NIMA TR8350.2, 3rd ed. (2000), table 3.1.
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
# IUGG mean Earth radius R1 = (2a + b) / 3 (Moritz, Geodetic Reference System 1980).
EARTH_MEAN_RADIUS_KM = 6371.0088
# Largest angle between the geodetic normal and the geocentric radial (at 45° latitude):
# f (1 + f/2) radians to first order; 0.1924° for WGS84. Used as a safe margin.
MAX_GEODETIC_DEFLECTION_RAD = np.deg2rad(0.1925)
# Speed of light in vacuum, exact by definition of the metre (SI, 1983).
C_KM_S = 299_792.458

ARCSEC_RAD = np.pi / (180.0 * 3600.0)


def geodetic_to_ecef_km(lat_deg, lon_deg, alt_km=0.0) -> np.ndarray:
    """Earth-fixed position ``(..., 3)`` in km of geodetic latitude, longitude and height."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=np.float64))
    lon = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    alt = np.asarray(alt_km, dtype=np.float64)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    x = (n + alt) * cos_lat * np.cos(lon)
    y = (n + alt) * cos_lat * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + alt) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(r_ecef_km) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodetic ``(lat_deg, lon_deg, alt_km)`` of Earth-fixed positions ``(..., 3)``.

    Bowring's iteration (Bowring 1976, Survey Review 23:181) from the parametric latitude;
    three iterations reach below a micrometre for anything from the surface to GEO. NaN in,
    NaN out. Compiled, in parallel and without temporaries: ephemerides hold millions of
    positions.
    """
    r = np.asarray(r_ecef_km)
    if r.dtype not in (np.float32, np.float64):
        r = r.astype(np.float64)
    flat = np.ascontiguousarray(r.reshape(-1, 3))
    lat = np.empty(flat.shape[0])
    lon = np.empty(flat.shape[0])
    alt = np.empty(flat.shape[0])
    _geodetic(flat, lat, lon, alt)
    shape = r.shape[:-1]
    return lat.reshape(shape), lon.reshape(shape), alt.reshape(shape)


@numba.njit(cache=True, parallel=True)
def _geodetic(r, lat_out, lon_out, alt_out):  # pragma: no cover - compiled
    a, b, f, e2 = WGS84_A_KM, WGS84_B_KM, WGS84_F, WGS84_E2
    ep2 = e2 / (1.0 - e2)
    for i in numba.prange(r.shape[0]):
        x, y, z = float(r[i, 0]), float(r[i, 1]), float(r[i, 2])
        p = np.hypot(x, y)
        beta = np.arctan2(z, (1.0 - f) * p)
        lat = 0.0
        for _ in range(3):
            sb, cb = np.sin(beta), np.cos(beta)
            lat = np.arctan2(z + ep2 * b * sb * sb * sb, p - e2 * a * cb * cb * cb)
            beta = np.arctan2((1.0 - f) * np.sin(lat), np.cos(lat))
        sin_lat, cos_lat = np.sin(lat), np.cos(lat)
        # Height valid at every latitude, poles included (no division by cos(lat)).
        alt_out[i] = p * cos_lat + z * sin_lat - a * np.sqrt(1.0 - e2 * sin_lat * sin_lat)
        lat_out[i] = np.rad2deg(lat)
        lon_out[i] = np.rad2deg(np.arctan2(y, x))


def enu_basis(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors ``(east, north, up)``, each ``(..., 3)``, of the local geodetic frame."""
    lat = np.deg2rad(np.asarray(lat_deg, dtype=np.float64))
    lon = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    east = np.stack(np.broadcast_arrays(-so, co, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), axis=-1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), axis=-1)
    return east, north, up


def look_angles(
    r_point_ecef_km, lat_deg, lon_deg, r_sat_ecef_km
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elevation (deg), azimuth (deg, from north through east, in [0, 360)) and range (km)
    from ground points to satellites. Shapes broadcast on all but the last (xyz) axis."""
    east, north, up = enu_basis(lat_deg, lon_deg)
    d = np.asarray(r_sat_ecef_km, dtype=np.float64) - np.asarray(r_point_ecef_km)
    rng = np.linalg.norm(d, axis=-1)
    de = np.sum(d * east, axis=-1)
    dn = np.sum(d * north, axis=-1)
    du = np.sum(d * up, axis=-1)
    elevation = np.rad2deg(np.arctan2(du, np.hypot(de, dn)))
    azimuth = np.mod(np.rad2deg(np.arctan2(de, dn)), 360.0)
    return elevation, azimuth, rng


def central_angle_rad(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Angle at Earth's centre between two points on a sphere (haversine form, stable for
    small and antipodal separations)."""
    p1, p2 = np.deg2rad(lat1_deg), np.deg2rad(lat2_deg)
    dp = p2 - p1
    dl = np.deg2rad(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance on the IUGG mean sphere (error below 0.5 % against the
    ellipsoid; fibre routes are modelled as great circles times a route factor anyway)."""
    return EARTH_MEAN_RADIUS_KM * central_angle_rad(lat1_deg, lon1_deg, lat2_deg, lon2_deg)


def destination_deg(lat_deg, lon_deg, bearing_deg, distance_km) -> tuple[np.ndarray, np.ndarray]:
    """``(lat_deg, lon_deg)`` of the point ``distance_km`` from a start along an initial
    bearing (degrees clockwise from north), on the IUGG mean sphere; longitudes in
    [-180, 180)."""
    lat1, lon1 = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    b, d = np.deg2rad(bearing_deg), np.asarray(distance_km) / EARTH_MEAN_RADIUS_KM
    lat2 = np.arcsin(np.clip(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(b),
                             -1.0, 1.0))
    lon2 = lon1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(lat1),
                             np.cos(d) - np.sin(lat1) * np.sin(lat2))
    return np.rad2deg(lat2), (np.rad2deg(lon2) + 180.0) % 360.0 - 180.0


def initial_bearing_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north in
    [0, 360)."""
    p1, p2 = np.deg2rad(lat1_deg), np.deg2rad(lat2_deg)
    dl = np.deg2rad(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.rad2deg(np.arctan2(y, x)) % 360.0


def along_great_circle_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg, fraction
                           ) -> tuple[np.ndarray, np.ndarray]:
    """``(lat_deg, lon_deg)`` of the points a ``fraction`` of the way along the great circles
    from 1 to 2 (spherical linear interpolation; 0 gives point 1, 1 gives point 2). All
    arguments broadcast."""
    def xyz(lat, lon):
        la, lo = np.deg2rad(lat), np.deg2rad(lon)
        return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])

    lat1, lon1, lat2, lon2, f = np.broadcast_arrays(
        lat1_deg, lon1_deg, lat2_deg, lon2_deg, np.asarray(fraction, dtype=np.float64))
    a, b = xyz(lat1, lon1), xyz(lat2, lon2)
    omega = np.arccos(np.clip((a * b).sum(axis=0), -1.0, 1.0))
    small = omega < 1e-12
    s = np.where(small, 1.0, np.sin(omega))
    wa = np.where(small, 1.0 - f, np.sin((1.0 - f) * omega) / s)
    wb = np.where(small, f, np.sin(f * omega) / s)
    p = wa * a + wb * b
    lat = np.rad2deg(np.arctan2(p[2], np.hypot(p[0], p[1])))
    lon = np.rad2deg(np.arctan2(p[1], p[0]))
    return lat, lon


def gmst82_rad(jd_ut1, fr_ut1=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Greenwich mean sidereal angle (IAU 1982) and its rate in rad/s.

    The angle between TEME and the pseudo-Earth-fixed frame: Vallado et al., "Revisiting
    Spacetrack Report #3", AIAA 2006-6753, appendix C. ``jd_ut1 + fr_ut1`` is the UT1
    Julian date, split to keep precision.
    """
    jd = np.asarray(jd_ut1, dtype=np.float64)
    fr = np.asarray(fr_ut1, dtype=np.float64)
    t = (jd - 2451545.0 + fr) / 36525.0
    g = 67310.54841 + (8640184.812866 + (0.093104 + (-6.2e-6) * t) * t) * t
    dg = 8640184.812866 + (0.093104 * 2.0 + (-6.2e-6 * 3.0) * t) * t
    theta = np.mod(np.mod(jd, 1.0) + fr + np.mod(g / 86400.0, 1.0), 1.0) * (2.0 * np.pi)
    theta_dot = (1.0 + dg / (86400.0 * 36525.0)) * (2.0 * np.pi) / 86400.0
    return theta, theta_dot


def polar_motion_matrix(xp_arcsec, yp_arcsec, tdb_centuries=0.0) -> np.ndarray:
    """Matrices ``(..., 3, 3)`` taking pseudo-Earth-fixed to ITRS for pole coordinates
    ``xp, yp`` (arcsec, IERS Bulletin A), with the TIO locator s' = -47 µas/century (IERS
    Conventions 2010, eq. 5.13)."""
    x = np.asarray(xp_arcsec, dtype=np.float64) * ARCSEC_RAD
    y = np.asarray(yp_arcsec, dtype=np.float64) * ARCSEC_RAD
    sp = -47.0e-6 * np.asarray(tdb_centuries, dtype=np.float64) * ARCSEC_RAD
    x, y, sp = np.broadcast_arrays(x, y, sp)
    return _rot_x(y) @ _rot_y(x) @ _rot_z(-sp)


def _rot_x(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([o, z, z, z, c, -s, z, s, c], axis=-1).reshape((*a.shape, 3, 3))


def _rot_y(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([c, z, s, z, o, z, -s, z, c], axis=-1).reshape((*a.shape, 3, 3))


def _rot_z(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([c, -s, z, s, c, z, z, z, o], axis=-1).reshape((*a.shape, 3, 3))
