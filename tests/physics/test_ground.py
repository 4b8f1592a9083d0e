import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.ground import find_city, wgs84


def test_points_validate_latitude_and_mask():
    with pytest.raises(InputError, match=r"latitude must be in \[-90, 90\]"):
        wgs84.point([10.0, 91.0], [0.0, 0.0])
    with pytest.raises(InputError, match=r"elevation mask must be in \[0, 90\)"):
        wgs84.point(0.0, 0.0, min_elevation_deg=90.0)
    with pytest.raises(InputError, match=r"elevation mask"):
        wgs84.point(0.0, 0.0, min_elevation_deg=-1.0)


def test_longitudes_wrap_to_plus_minus_180():
    pts = wgs84.point([0.0, 0.0], [190.0, -180.0])
    assert np.allclose(pts.lon_deg, [-170.0, -180.0])


def test_city_lookup_by_name_alias_and_country():
    assert find_city("Kyiv").country == "UA"
    assert find_city("Kiev").name == "Kyiv"  # GeoNames alternate name
    assert find_city("London").country == "GB"  # 8.9 M beats London, Ontario (0.4 M)
    assert find_city("London, CA").country == "CA"
    assert find_city("sao paulo").name == "São Paulo"


def test_ambiguous_and_unknown_cities_list_candidates():
    with pytest.raises(InputError, match=r"ambiguous: Portland, US-OR.*Portland, US-ME"):
        find_city("Portland")
    assert find_city("Portland, US-ME").lat_deg == pytest.approx(43.66, abs=0.05)
    with pytest.raises(InputError, match="unknown city 'Qwertzuiop'"):
        find_city("Qwertzuiop")
