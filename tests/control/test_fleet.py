"""Synthetic fleets: placement checked with shapely on the shipped boundaries and a haversine
written here, funding and whitelisting exact at their boundary instants, adversary moves on
the great circle at convoy speed, and the same seed giving the same fleet."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from leonet.control.boundaries import countries
from leonet.control.fleet import ALWAYS, NEVER, Fleet, GroupSpec, Placement, Sponsorship
from leonet.control.regions import resolve_region
from leonet.errors import InputError

from .test_mobility import haversine_km


def ns(text: str) -> int:
    return int(np.datetime64(text.rstrip("Z"), "ns").view(np.int64))


def land_of(code: str):
    return countries().geometry[countries().index(code)]


def test_mobility_shares_are_exact_and_cities_are_on_land():
    g = GroupSpec("towns", 1001, Placement("cities", countries=("UA",)),
                  mobility=(("static", 0.7), ("vehicle", 0.2), ("drone", 0.1)))
    fleet = Fleet.build([g], seed=3)
    kinds, counts = np.unique(fleet.kind.astype(str), return_counts=True)
    assert dict(zip(kinds.tolist(), counts.tolist(), strict=True)) == {
        "static": 701, "vehicle": 200, "drone": 100}
    # Coastal towns (Odesa, Mariupol) do not leave terminals in the sea.
    on_land = shapely.intersects_xy(shapely.union_all(countries().geometry),
                                    fleet.home_lon_deg, fleet.home_lat_deg)
    assert on_land.all()
    assert set(fleet.placed_country.tolist()) <= {"UA", "MD", "PL", "RO", "SK", "HU", "BY",
                                                   "RU"}
    assert (fleet.placed_country == "UA").mean() > 0.97


def test_region_and_disc_placements():
    crimea = resolve_region("crimea")
    g1 = GroupSpec("c", 400, Placement("region", region="crimea"))
    g2 = GroupSpec("o", 300, Placement("near", lat_deg=46.48, lon_deg=30.73, radius_km=20.0))
    fleet = Fleet.build([g1, g2], seed=1)
    in_c = fleet.group == 0
    assert shapely.intersects_xy(crimea.geometry, fleet.home_lon_deg[in_c],
                                 fleet.home_lat_deg[in_c]).all()
    # Odesa's disc is half sea: every terminal is on land, and within 20 km.
    d = haversine_km(46.48, 30.73, fleet.home_lat_deg[~in_c], fleet.home_lon_deg[~in_c])
    assert d.max() <= 20.0 + 1e-6
    assert shapely.intersects_xy(land_of("UA"), fleet.home_lon_deg[~in_c],
                                 fleet.home_lat_deg[~in_c]).all()
    # Uniform in area: the inner half of the disc's area (r < 14.1 km) holds about half.
    assert 0.4 < (d < 20.0 / np.sqrt(2)).mean() < 0.62


def test_funding_switches_exactly_at_the_agreement_boundaries():
    g = GroupSpec("donated", 2000, Placement("cities", countries=("UA",)))
    until = ns("2022-11-01T00:00:00Z")
    fleet = Fleet.build([g], [Sponsorship("spacex", ("donated",), 0.5, ALWAYS, until)],
                        seed=5)
    covered = fleet.sponsor_of[:, 0]
    assert 0.45 < covered.mean() < 0.55
    term = np.arange(len(fleet))
    before = fleet.funded(term, np.full(term.size, until - 1))
    after = fleet.funded(term, np.full(term.size, until))
    assert before.all()
    assert np.array_equal(after, ~covered)  # the others pay for themselves


def test_whitelisting_starts_at_its_instant_and_only_in_its_regions():
    start = ns("2026-01-26T00:00:00Z")
    g = GroupSpec("r", 1000, Placement("cities", countries=("UA",)), whitelisted_share=0.8,
                  whitelisted_from_ns=start, whitelist_regions=("UA",))
    fleet = Fleet.build([g], seed=9)
    verified = fleet.whitelisted_from_ns != NEVER
    assert 0.75 < verified.mean() < 0.85
    term = np.arange(len(fleet))
    lat, lon = fleet.home_lat_deg, fleet.home_lon_deg
    assert not fleet.whitelisted_at(term, np.full(term.size, start - 1), lat, lon).any()
    now = fleet.whitelisted_at(term, np.full(term.size, start), lat, lon)
    in_ua = shapely.intersects_xy(resolve_region("UA").geometry, lon, lat)
    assert np.array_equal(now, verified & in_ua)
    # The same terminals in Warsaw are not verified there.
    away = fleet.whitelisted_at(term, np.full(term.size, start), np.full(term.size, 52.23),
                                np.full(term.size, 21.01))
    assert not away.any()
    facts = fleet.facts(start)
    assert len(facts.wl_terminal) == int(verified.sum())
    assert set(facts.wl_region.tolist()) == {"UA"}


def test_adversaries_move_in_convoy_into_their_zone():
    move = ns("2024-01-20T06:00:00Z")
    origin = Placement("near", lat_deg=47.23, lon_deg=39.72, radius_km=0.0)
    zone = Placement("near", lat_deg=47.26, lon_deg=35.71, radius_km=0.0)
    g = GroupSpec("occ", 5, origin, move_to=zone, move_at_ns=move, convoy_speed_kmh=50.0,
                  switch_on_ns=ns("2024-01-19T00:00:00Z"))
    fleet = Fleet.build([g], seed=0)
    trip_km = haversine_km(47.23, 39.72, 47.26, 35.71)
    hour = 3600 * 10**9
    t = np.array([move - hour, move + 2 * hour, move + int((trip_km / 50.0 + 1) * hour)])
    s = fleet.at(t)
    k = s.instant
    assert (haversine_km(47.23, 39.72, s.lat_deg[k == 0], s.lon_deg[k == 0]) < 0.05).all()
    # Two hours in: 100 km along the great circle towards the zone, at 50 km/h, heading west.
    d0 = haversine_km(47.23, 39.72, s.lat_deg[k == 1], s.lon_deg[k == 1])
    d1 = haversine_km(47.26, 35.71, s.lat_deg[k == 1], s.lon_deg[k == 1])
    assert np.allclose(d0, 100.0, atol=0.3) and np.allclose(d0 + d1, trip_km, atol=0.3)
    assert (s.speed_kmh[k == 1] == 50.0).all()
    assert ((s.heading_deg[k == 1] > 260) & (s.heading_deg[k == 1] < 280)).all()
    assert (haversine_km(47.26, 35.71, s.lat_deg[k == 2], s.lon_deg[k == 2]) < 0.05).all()


def test_switch_on_and_its_spread():
    on = ns("2022-02-28T00:00:00Z")
    g = GroupSpec("d", 500, Placement("cities", countries=("UA",)), active_from_ns=on,
                  switch_on_spread_s=14 * 86400.0)
    fleet = Fleet.build([g], seed=2)
    assert len(fleet.at(np.array([on - 1]))) == 0
    week = len(fleet.at(np.array([on + 7 * 86400 * 10**9])))
    assert 0.4 * 500 < week < 0.6 * 500
    assert len(fleet.at(np.array([on + 14 * 86400 * 10**9]))) == 500


def test_same_seed_same_fleet_and_state():
    groups = [GroupSpec("a", 300, Placement("cities", countries=("PL",)),
                        mobility=(("static", 0.5), ("vehicle", 0.5)))]
    t = np.array([ns("2026-02-10T12:00:00Z"), ns("2026-02-11T15:30:00Z")])
    a, b, c = (Fleet.build(groups, seed=s) for s in (4, 4, 5))
    sa, sb, sc = a.at(t), b.at(t), c.at(t)
    assert np.array_equal(sa.lat_deg, sb.lat_deg) and np.array_equal(sa.speed_kmh, sb.speed_kmh)
    assert not np.array_equal(sa.lat_deg, sc.lat_deg)
    # Asking for one terminal alone gives the same state as asking for all.
    one = a.at(t, terminals=np.array([17]))
    assert np.array_equal(one.lat_deg, sa.lat_deg[sa.terminal == 17])


def test_bad_groups_are_refused():
    p = Placement("cities", countries=("UA",))
    with pytest.raises(InputError, match="add up to 1"):
        Fleet.build([GroupSpec("a", 10, p, mobility=(("static", 0.5),))])
    with pytest.raises(InputError, match="unknown group 'b'"):
        Fleet.build([GroupSpec("a", 10, p)], [Sponsorship("s", ("b",))])
    with pytest.raises(InputError, match="defined twice"):
        Fleet.build([GroupSpec("a", 10, p), GroupSpec("a", 5, p)])
    with pytest.raises(InputError, match="unknown sea lane"):
        Fleet.build([GroupSpec("a", 3, Placement("lanes", lanes=("nowhere",)),
                               mobility=(("maritime", 1.0),))])
    with pytest.raises(InputError, match="too little land"):
        Fleet.build([GroupSpec("a", 3, Placement("near", lat_deg=0.0, lon_deg=-30.0,
                                                 radius_km=5.0))])
