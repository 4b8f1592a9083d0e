"""Hand-checked points on both sides of borders, against the shipped boundary edition.

Coordinates are of named places (GeoNames / Wikipedia coordinates, checked by hand against a map);
each lies at least a few km from the border it tests, more than the stated accuracy of any
digitised line.
"""

import numpy as np
import pytest

from leonet.control.regions import buffer_km_geometry, resolve_region
from leonet.errors import InputError
from leonet.physics.earth import great_circle_km

# (name, lat, lon, regions that must hold it, regions that must not)
CASES = [
    # Crimea's isthmuses: Armiansk (Perekop isthmus, Crimean side) and Dzhankoi are in Crimea;
    # Kalanchak and Henichesk are in Kherson oblast, north of the line.
    ("Armiansk", 46.1092, 33.6921, ["crimea", "UA"], ["RU", "ua-occupied"]),
    ("Dzhankoi", 45.7131, 34.3927, ["crimea", "UA"], ["RU"]),
    ("Kalanchak", 46.2550, 33.2900, ["UA"], ["crimea"]),
    ("Henichesk", 46.1682, 34.8086, ["UA", "ua-occupied"], ["crimea"]),
    ("Sevastopol", 44.6054, 33.5221, ["crimea", "UA"], ["RU"]),
    ("Kerch", 45.3563, 36.4677, ["crimea"], ["RU"]),
    ("Temryuk (Russia, across the Kerch strait)", 45.2700, 37.3800, ["RU"], ["crimea", "UA"]),
    # Taiwan Strait: Kinmen (Jincheng) is Taiwan-administered, Xiamen island across is China.
    ("Kinmen, Jincheng", 24.4342, 118.3171, ["TW", "taiwan"], ["CN"]),
    ("Xiamen, Huli", 24.5100, 118.1400, ["CN"], ["TW"]),
    ("Taipei", 25.0330, 121.5654, ["TW"], ["CN"]),
    # Kaliningrad exclave.
    ("Kaliningrad", 54.7104, 20.5101, ["RU", "RUS", "Russia"], ["LT", "PL"]),
    ("Klaipeda", 55.7033, 21.1443, ["LT"], ["RU"]),
    ("Elblag", 54.1522, 19.4088, ["PL"], ["RU"]),
    # Enclaves: Lesotho in South Africa, the Vatican in Rome.
    ("Maseru", -29.3151, 27.4869, ["LS"], ["ZA"]),
    ("Ladybrand (ZA, 15 km from Maseru)", -29.1950, 27.4580, ["ZA"], ["LS"]),
    # NE 10m draws the Vatican as a 6-vertex outline of about 0.1 km² (the real state is
    # 0.49 km²), so the test point is the Cortile del Belvedere, well inside both.
    ("Vatican, Cortile del Belvedere", 41.9033, 12.4534, ["VA"], ["IT"]),
    ("Castel Sant'Angelo", 41.9031, 12.4663, ["IT"], ["VA"]),
    # Antimeridian islands.
    ("Taveuni, Fiji (west of 180)", -16.8500, -179.9700, ["FJ"], []),
    ("Labasa, Fiji (east of 180)", -16.4167, 179.3833, ["FJ"], []),
    ("Chukotka inland, west of 180", 65.5000, 176.0000, ["RU"], ["US"]),
    ("Chukotka east of 180 (Lorino)", 65.5000, -171.7000, ["RU"], ["US"]),
    ("St Lawrence Island, Alaska", 63.7800, -171.7300, ["US"], ["RU"]),
    # Coastlines: the Dover strait.
    ("Dover", 51.1295, 1.3089, ["GB"], ["FR"]),
    ("Calais", 50.9513, 1.8587, ["FR"], ["GB"]),
    # Open Channel, beyond 12 nmi of both coasts (St Catherine's Point, Isle of Wight, is
    # 47 km north; Barfleur, Normandy, 59 km south), so in neither even with waters; the
    # strait itself is all territorial sea (tests/control/test_waters.py).
    ("Mid-Channel", 50.2000, -1.0000, [], ["GB", "FR"]),
    # Other disputed areas the edition assigns to a country.
    ("Laayoune", 27.1418, -13.1880, ["EH", "western-sahara"], ["MA"]),
    ("Donetsk", 48.0159, 37.8028, ["ua-occupied", "UA"], ["RU", "crimea"]),
    ("Kramatorsk", 48.7311, 37.5678, ["UA"], ["ua-occupied"]),
    ("Melitopol", 46.8474, 35.3820, ["ua-occupied"], []),
    ("Zaporizhzhia", 47.8388, 35.1396, ["UA"], ["ua-occupied"]),
    # The occupied area by oblast.
    ("Luhansk", 48.5740, 39.3078, ["ua-occupied-luhansk"], ["ua-occupied-donetsk"]),
    ("Alchevsk", 48.4672, 38.7970, ["ua-occupied-luhansk"], ["ua-occupied-donetsk"]),
    ("Horlivka", 48.3040, 38.0510, ["ua-occupied-donetsk"], ["ua-occupied-luhansk"]),
    ("Mariupol", 47.0951, 37.5413, ["ua-occupied-donetsk"], ["ua-occupied-zaporizhzhia"]),
    ("Berdiansk", 46.7558, 36.7886, ["ua-occupied-zaporizhzhia"], ["ua-occupied-donetsk"]),
    ("Enerhodar", 47.4905, 34.6620, ["ua-occupied-zaporizhzhia"], ["ua-occupied-kherson"]),
    ("Nova Kakhovka", 46.7597, 33.3559, ["ua-occupied-kherson"], ["ua-occupied-zaporizhzhia"]),
    ("Srinagar", 34.0837, 74.7973, ["kashmir", "kashmir-india", "IN"], ["kashmir-pakistan"]),
    ("Gilgit", 35.9187, 74.3125, ["kashmir", "kashmir-pakistan", "PK"], ["kashmir-india"]),
    ("Lahore", 31.5204, 74.3587, ["PK"], ["kashmir"]),
    ("Tiraspol", 46.8428, 29.6284, ["transnistria", "MD"], []),
    ("Chisinau", 47.0105, 28.8638, ["MD"], ["transnistria"]),
    ("Kyrenia", 35.3363, 33.3173, ["northern-cyprus", "CY"], []),
    ("Limassol", 34.6786, 33.0413, ["CY"], ["northern-cyprus"]),
    ("Sukhumi", 43.0070, 40.9893, ["abkhazia", "GE"], []),
    ("Zugdidi", 42.5084, 41.8680, ["GE"], ["abkhazia"]),
    ("Hargeisa", 9.5600, 44.0650, ["somaliland", "SO"], []),
    ("Mogadishu", 2.0469, 45.3182, ["SO"], ["somaliland"]),
    ("Pristina", 42.6629, 21.1655, ["XK", "kosovo"], ["RS"]),
]


@pytest.mark.parametrize("name,lat,lon,inside,outside", CASES, ids=[c[0] for c in CASES])
def test_hand_checked_points(name, lat, lon, inside, outside):
    for ref in inside:
        assert resolve_region(ref).contains(lat, lon), f"{name} should be in {ref}"
    for ref in outside:
        assert not resolve_region(ref).contains(lat, lon), f"{name} should not be in {ref}"


def test_unknown_region_suggests():
    with pytest.raises(InputError, match=r"unknown region 'Ukrain'.*'ukraine' \(UA\)"):
        resolve_region("Ukrain")
    with pytest.raises(InputError, match="did you mean 'crimea'"):
        resolve_region("crimia")


def test_buffer_is_in_ground_km():
    point = resolve_region("VA").geometry.centroid
    ring = buffer_km_geometry(point, 20.0)
    # Points due north/east/south-west at 19.8 and 20.2 km (great-circle distance checked).
    for bearing_deg in (0.0, 90.0, 225.0):
        for dist_km, expected in ((19.8, True), (20.2, False)):
            b = np.deg2rad(bearing_deg)
            d = dist_km / 6371.0088
            lat1 = np.deg2rad(point.y)
            lat2 = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(b))
            lon2 = np.deg2rad(point.x) + np.arctan2(np.sin(b) * np.sin(d) * np.cos(lat1),
                                                    np.cos(d) - np.sin(lat1) * np.sin(lat2))
            lat2, lon2 = np.rad2deg(lat2), np.rad2deg(lon2)
            assert abs(great_circle_km(point.y, point.x, lat2, lon2) - dist_km) < 0.15
            import shapely

            assert bool(shapely.intersects_xy(ring, lon2, lat2)) is expected


def test_h3_region_is_exact_h3_membership():
    import h3

    cell = h3.latlng_to_cell(50.45, 30.52, 7)
    region = resolve_region("h3:" + cell)
    neighbour = next(c for c in h3.grid_ring(cell, 1))
    lat, lon = h3.cell_to_latlng(neighbour)
    assert region.contains(50.45, 30.52)
    assert not region.contains(lat, lon)
