"""Mobility models against hand geometry: a haversine written here (not the project's), the
Natural Earth polygons through shapely for land and sea, scipy's KS test for the random
numbers, and the stated model ranges."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import stats

from leonet.control.boundaries import countries
from leonet.control.mobility import (
    LANES,
    MobilityParams,
    locate,
    terminal_keys,
    uniform,
)
from leonet.errors import InputError
from leonet.physics.terrain import ground_height

R_KM = 6371.0088
KYIV = (50.45, 30.52)
T0 = np.datetime64("2026-02-10T00:00:00", "ns").view(np.int64)
MINUTE_NS = 60 * 10**9
# GNSS noise is 5 m (1 sigma) per fix: two fixes differ by under 40 m (about 5.6 sigma).
NOISE_KM = 0.04


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R_KM * np.arcsin(np.sqrt(a))


def track(kind, n, days, step_min=1.0, seed=7, home=KYIV, **kw):
    """``n`` terminals × a dense grid: arrays shaped (n, n_times)."""
    keys = terminal_keys(seed, kind, n)
    t = T0 + np.arange(0, days * 1440, step_min).astype(np.int64) * MINUTE_NS
    k = np.repeat(keys, t.size)
    tt = np.tile(t, n)
    extra = {name: np.repeat(np.asarray(v), t.size) if np.ndim(v) else np.full(k.size, v)
             for name, v in kw.items() if name in ("dest_lat_deg", "dest_lon_deg", "lane")}
    params = kw.get("params")
    m = locate(kind, k, np.full(k.size, home[0]), np.full(k.size, home[1]), tt, params,
               **extra)
    shape = (n, t.size)
    return t, {f: getattr(m, f).reshape(shape) for f in
               ("lat_deg", "lon_deg", "alt_m", "speed_kmh", "heading_deg", "height_agl_m")}


def implied_kmh(m, step_min):
    d = haversine_km(m["lat_deg"][:, :-1], m["lon_deg"][:, :-1], m["lat_deg"][:, 1:],
                     m["lon_deg"][:, 1:])
    return d / (step_min / 60.0), d


def test_uniform_numbers_are_uniform_and_order_free():
    keys = terminal_keys(1, "g", 100_000)
    u = uniform(keys, 3, 5)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    # A value depends only on (key, epoch, draw): any subset, in any order, gives the same.
    idx = np.random.default_rng(0).permutation(100_000)[:999]
    assert np.array_equal(uniform(keys[idx], 3, 5), u[idx])
    assert not np.array_equal(uniform(keys, 3, 6), u)
    assert not np.array_equal(terminal_keys(2, "g", 10), keys[:10])


def test_static_terminals_stay_within_gnss_noise():
    _, m = track("static", 20, 1, step_min=10)
    d_m = haversine_km(KYIV[0], KYIV[1], m["lat_deg"], m["lon_deg"]) * 1000
    # 2-D error of a 5 m sigma per axis: Rayleigh, mean 5 * sqrt(pi/2) = 6.27 m.
    assert 5.5 < d_m.mean() < 7.0
    assert (m["speed_kmh"] == 0).all() and (m["height_agl_m"] == 0).all()
    # GNSS altitudes above sea level: the ground under Kyiv with 7.5 m of vertical noise
    # (1 sigma; 2,880 fixes: the mean within 0.5 m, the sigma within 10 %).
    ground = ground_height(m["lat_deg"], m["lon_deg"]).height_m
    dz = m["alt_m"] - ground
    assert abs(dz.mean()) < 0.5 and 6.75 < dz.std() < 8.25


def test_vehicles_drive_at_their_speed_and_are_home_at_night():
    _, m = track("vehicle", 40, 20, step_min=1.0)
    speed = m["speed_kmh"]
    assert speed.max() <= 110.0 and speed[speed > 0].min() >= 30.0
    assert (m["height_agl_m"] == 0).all()
    implied, _ = implied_kmh(m, 1.0)
    # Between two fixes of one constant-speed leg the distance is speed x time (great circle).
    steady = (speed[:, :-1] > 0) & (speed[:, :-1] == speed[:, 1:])
    err = np.abs(implied[steady] - speed[:, :-1][steady])
    assert err.max() < NOISE_KM * 60 + 1e-9
    # Never faster than the fastest car, even across a turn or a stop.
    assert implied.max() <= 110.0 + NOISE_KM * 60
    # Local midnight in Kyiv (UTC+2:02 mean solar): every car is at home.
    local_min = (np.arange(speed.shape[1]) + 122) % 1440
    night = (local_min < 5) | (local_min > 1430)
    d_home = haversine_km(KYIV[0], KYIV[1], m["lat_deg"][:, night], m["lon_deg"][:, night])
    assert d_home.max() < 0.05
    far = haversine_km(KYIV[0], KYIV[1], m["lat_deg"], m["lon_deg"])
    assert far.max() <= 120.0 + 0.05
    # About 60 % of days have a drive (40 cars x 20 days; binomial sigma ~ 2.4 %).
    days = (speed > 0).reshape(40, 20, 1440).any(axis=2)
    assert 0.52 < days.mean() < 0.68


def test_vehicles_stay_in_their_country_unless_told_otherwise():
    lviv = (49.84, 24.03)  # 60 km from the Polish border
    ua = countries().geometry[countries().index("UA")]
    _, m = track("vehicle", 60, 10, step_min=5.0, home=lviv)
    assert shapely.intersects_xy(ua, m["lon_deg"].ravel(), m["lat_deg"].ravel()).all()
    free = MobilityParams(vehicle_stay_in_country=False)
    _, m = track("vehicle", 60, 10, step_min=5.0, home=lviv, params=free)
    assert not shapely.intersects_xy(ua, m["lon_deg"].ravel(), m["lat_deg"].ravel()).all()


def test_drones_fly_out_and_back_within_their_envelope():
    p = MobilityParams(drone_bearing_deg=(200.0, 260.0))
    _, m = track("drone", 30, 6, step_min=1.0, params=p)
    flying = m["speed_kmh"] > 0
    assert flying.any()
    assert (m["height_agl_m"][~flying] == 0).all()
    agl = m["height_agl_m"][flying]
    assert agl.max() <= 2500.0 and agl.min() > 0.0
    # Their GNSS altitude is that height over the ground under them, with the noise.
    ground = ground_height(m["lat_deg"][flying], m["lon_deg"][flying]).height_m
    assert np.abs(m["alt_m"][flying] - ground - agl).max() < 7.5 * 6
    assert m["speed_kmh"][flying].min() >= 90.0 and m["speed_kmh"][flying].max() <= 190.0
    # Grounded means at base; outbound legs head within the bearing range given.
    d_base = haversine_km(KYIV[0], KYIV[1], m["lat_deg"][~flying], m["lon_deg"][~flying])
    assert d_base.max() < 0.05
    out = flying & (haversine_km(KYIV[0], KYIV[1], m["lat_deg"], m["lon_deg"]) > 1.0)
    heading = m["heading_deg"][out]
    outbound = (heading >= 199.0) & (heading <= 261.0)
    inbound = (heading >= 19.0) & (heading <= 81.0)
    assert (outbound | inbound).all() and outbound.any() and inbound.any()
    # The farthest point: half the sortie at the drone's speed, at most 190 km/h * 1.5 h.
    far = haversine_km(KYIV[0], KYIV[1], m["lat_deg"], m["lon_deg"])
    assert far.max() <= 190.0 * 1.5 + 0.05


def test_aircraft_fly_between_their_airports_at_cruise():
    london = (51.47, -0.45)
    _, m = track("aviation", 10, 3, step_min=1.0, dest_lat_deg=london[0],
                 dest_lon_deg=london[1])
    ground = m["speed_kmh"] == 0
    at_a = haversine_km(KYIV[0], KYIV[1], m["lat_deg"], m["lon_deg"]) < 0.05
    at_b = haversine_km(london[0], london[1], m["lat_deg"], m["lon_deg"]) < 0.05
    assert (at_a | at_b)[ground].all() and at_a.any() and at_b.any()
    # Flight levels are above sea level: 10-12 km with 7.5 m of GNSS noise (6 sigma).
    cruise = m["alt_m"] > 9_999.0
    assert cruise.any() and m["alt_m"].max() <= 12_000.0 + 45.0
    assert (m["height_agl_m"][ground] == 0).all()
    agl = m["height_agl_m"][cruise]
    assert (agl > 9_999.0 - 500.0).all() and (agl < 12_000.0).all()
    implied, _ = implied_kmh(m, 1.0)
    steady = (m["speed_kmh"][:, :-1] > 0) & (m["speed_kmh"][:, 1:] > 0)
    assert np.abs(implied[steady] - m["speed_kmh"][:, :-1][steady]).max() < NOISE_KM * 60
    assert m["speed_kmh"][~ground].min() >= 800.0


@pytest.mark.parametrize("lane", sorted(LANES))
def test_ships_stay_at_sea_on_their_lane(lane):
    pts = np.asarray(LANES[lane])
    _, m = track("maritime", 6, 4, step_min=5.0, lane=lane)
    lat, lon = m["lat_deg"].ravel(), m["lon_deg"].ravel()
    table = countries()
    land = shapely.union_all([g for g in table.geometry if shapely.intersects(
        g, shapely.box(pts[:, 1].min() - 1, pts[:, 0].min() - 1, pts[:, 1].max() + 1,
                       pts[:, 0].max() + 1))])
    underway = m["speed_kmh"].ravel() > 0
    # Underway and more than 3 km from either port, a ship is never on land.
    ends = np.minimum(haversine_km(pts[0, 0], pts[0, 1], lat, lon),
                      haversine_km(pts[-1, 0], pts[-1, 1], lat, lon))
    open_sea = underway & (ends > 3.0)
    assert open_sea.any()
    assert not shapely.intersects_xy(land, lon[open_sea], lat[open_sea]).any()
    # In port, at one end of the lane.
    assert (ends[~underway] < 0.05).all()
    implied, _ = implied_kmh(m, 5.0)
    assert implied.max() <= 37.0 * 1.02 + NOISE_KM * 12


def test_bad_input_is_refused_with_its_name():
    keys = terminal_keys(0, "g", 2)
    with pytest.raises(InputError, match="unknown mobility 'rocket'"):
        locate("rocket", keys, KYIV[0], KYIV[1], np.array([T0, T0]))
    with pytest.raises(InputError, match="unknown sea lane 'atlantis'"):
        locate("maritime", keys, 0, 0, np.array([T0, T0]), lane=np.array(["atlantis"] * 2))
    with pytest.raises(InputError, match="vehicle_speed_kmh"):
        MobilityParams.from_mapping({"vehicle_speed_kmh": [90, 30]}, "groups[0].motion")
    with pytest.raises(InputError, match="expected true or false"):
        MobilityParams.from_mapping({"vehicle_stay_in_country": 0}, "groups[0].motion")
    with pytest.raises(InputError, match="did you mean 'drone_alt_m'"):
        MobilityParams.from_mapping({"drone_alt": [1, 2]}, "groups[0].motion")
