"""Point -> region labels against hand-checked places and shapely (the authority for
point-in-polygon on the shipped Natural Earth edition).

Places are named cities and towns (Wikipedia coordinates), each at least 1 km from the
nearest border or coast line of the edition and from the edges of its disputed area (measured
with shapely in the test below).
"""

import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.control.labels import country_index, country_labels, region_labels
from leonet.control.policy import Policy
from leonet.control.regions import disputed_ids, disputed_region

# (place, lat, lon, region label, rolled up, country code)
PLACES = [
    ("Kyiv", 50.4501, 30.5234, "UA", "UA", "UA"),
    # Disputed and occupied areas: the most specific area, in the country the edition gives.
    ("Simferopol", 44.9521, 34.1024, "crimea", "crimea", "UA"),
    ("Donetsk", 48.0159, 37.8028, "ua-occupied-donetsk", "ua-occupied", "UA"),
    ("Melitopol", 46.8474, 35.3820, "ua-occupied-zaporizhzhia", "ua-occupied", "UA"),
    ("Kramatorsk", 48.7311, 37.5678, "UA", "UA", "UA"),
    ("Srinagar", 34.0837, 74.7973, "kashmir-india", "kashmir-india", "IN"),
    ("Muzaffarabad", 34.3700, 73.4711, "kashmir-pakistan", "kashmir-pakistan", "PK"),
    ("Tiraspol", 46.8403, 29.6433, "transnistria", "transnistria", "MD"),
    ("Chisinau", 47.0105, 28.8638, "MD", "MD", "MD"),
    ("Sukhumi", 43.0015, 41.0234, "abkhazia", "abkhazia", "GE"),
    # Sea: mid-Atlantic, and the Black Sea between Crimea and Turkey.
    ("Mid-Atlantic", 0.0, -30.0, "(sea)", "(sea)", ""),
    ("Black Sea", 43.5, 34.0, "(sea)", "(sea)", ""),
    # Border pairs: towns facing each other across a border.
    ("Strasbourg", 48.5734, 7.7521, "FR", "FR", "FR"),
    ("Kehl", 48.5725, 7.8150, "DE", "DE", "DE"),
    ("Ciudad Juarez", 31.6904, -106.4245, "MX", "MX", "MX"),
    ("El Paso, north-east", 31.8000, -106.4300, "US", "US", "US"),
    ("Kharkiv", 49.9935, 36.2304, "UA", "UA", "UA"),
    ("Belgorod", 50.5997, 36.5983, "RU", "RU", "RU"),
]


def _columns():
    return (np.array([p[1] for p in PLACES]), np.array([p[2] for p in PLACES]))


def test_hand_checked_places():
    lat, lon = _columns()
    assert region_labels(lat, lon).tolist() == [p[3] for p in PLACES]
    assert region_labels(lat, lon, roll_up=True).tolist() == [p[4] for p in PLACES]
    assert country_labels(lat, lon).tolist() == [p[5] for p in PLACES]


def test_places_are_off_the_lines_and_agree_with_shapely():
    """The test's own premise: by shapely, each place is in its country's polygon (in none at
    sea) and in its disputed area, and at least 1 km (0.009°) from their lines and any other
    country's."""
    table = countries()
    areas = set(disputed_ids().values())
    lat, lon = _columns()
    for (name, _, _, label, _, code), y, x in zip(PLACES, lat, lon, strict=True):
        point = shapely.Point(x, y)
        holders = [str(c) for c, g in zip(table.code, table.geometry, strict=True)
                   if g.intersects(point)]
        assert holders == ([code] if code else []), name
        geoms = [g for g in table.geometry if g.distance(point) < 0.1]
        if label in areas:
            assert disputed_region(label).contains(y, x), name
            geoms.append(disputed_region(label).geometry)
        assert min((g.boundary.distance(point) for g in geoms), default=1.0) > 0.009, name


def test_random_points_equal_shapely_first_country():
    """Away from the border lines the label is the first country of the table whose polygon
    holds the point, as shapely says (the edition's countries do not overlap); land only, as
    the waters have their own tests (test_waters.py)."""
    table = countries()
    rng = np.random.default_rng(3)
    lat = np.rad2deg(np.arcsin(rng.uniform(-1, 1, 20_000)))
    lon = rng.uniform(-180, 180, 20_000)
    pi, gi = shapely.STRtree(list(table.geometry)).query(shapely.points(lon, lat),
                                                          predicate="intersects")
    want = np.full(lat.size, -1)
    for p, g in sorted(zip(pi.tolist(), gi.tolist(), strict=True), reverse=True):
        want[p] = g  # the lowest row wins
    assert np.array_equal(country_index(lat, lon, waters_km=0), want)
    codes = np.array([*table.code.tolist(), ""], dtype=object)
    assert country_labels(lat, lon, waters_km=0).tolist() == codes[want].tolist()


def test_the_most_specific_disputed_area_wins():
    """Points scattered over occupied Ukraine: the label is the smallest disputed area that
    holds the point by shapely, else the country (on land: the waters follow the same
    partition, test_waters.py)."""
    rng = np.random.default_rng(4)
    lat = rng.uniform(44.3, 49.0, 3000)
    lon = rng.uniform(32.5, 40.2, 3000)
    areas = sorted((disputed_region(i) for i in set(disputed_ids().values())),
                   key=lambda r: r.geometry.area)
    want = country_labels(lat, lon, waters_km=0).astype(object)
    want[want == ""] = "(sea)"
    for area in reversed(areas):  # the smallest is written last
        want[area.contains(lat, lon)] = area.ref
    assert region_labels(lat, lon, waters_km=0).tolist() == want.tolist()
    assert {"crimea", "ua-occupied-donetsk", "ua-occupied-luhansk", "RU", "UA",
            "(sea)"} <= set(want.tolist())


def test_a_point_on_a_shared_border_gets_one_side_as_the_engine_decides():
    """On a border line itself shapely puts a point in both countries; the label is one of
    them, the one the policy engine also finds (the same index and input, so a terminal
    decided by a country's rule is labelled with that country)."""
    table = countries()
    ua, ru = (table.geometry[table.index(c)] for c in ("UA", "RU"))
    shared = shapely.get_coordinates(shapely.intersection(ua.boundary, ru.boundary))[:200]
    lat, lon = shared[:, 1], shared[:, 0]
    assert lat.size == 200
    assert ua.intersects(shapely.points(lon, lat)).all()
    assert ru.intersects(shapely.points(lon, lat)).all()
    got = country_labels(lat, lon)
    assert set(got.tolist()) <= {"UA", "RU"}
    codes = [str(c) for c in table.code]
    policy = Policy.from_dict({"version": "countries", "default": "deny", "rules": [
        {"id": c, "effect": "allow", "regions": [c]} for c in codes]})
    decided = policy.decide(lat_deg=lat, lon_deg=lon, time="2026-01-01T00:00:00Z").rule
    assert got.tolist() == decided.tolist()


def test_longitudes_wrap_and_shapes_flatten():
    kyiv = region_labels(np.array([[50.4501]]), np.array([[30.5234 + 360.0]]))
    assert kyiv.tolist() == ["UA"]
    assert country_labels(50.4501, 30.5234 - 360.0).tolist() == ["UA"]
    assert country_labels([], []).tolist() == []
