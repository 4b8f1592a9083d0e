"""H3 cell sets of regions against H3's own functions and brute-force enumerations: countries,
antimeridian regions (Fiji, Chukotka), polar caps, the globe."""

import json

import h3
import numpy as np
import pytest
import shapely

from leonet.control.regions import geodesic_area_km2, resolve_region
from leonet.errors import InputError
from leonet.regional.cells import (
    CellSet,
    cell_polygon,
    cells_from_ids,
    cells_in_geometry,
    check_resolution,
    latitude_band,
    region_cells,
)

AUTHALIC_KM = 6371.007180918475  # H3's sphere (h3lib constants.h, EARTH_RADIUS_KM)


def all_cells(res):
    return [c for base in h3.get_res0_cells() for c in h3.cell_to_children(base, res)]


def brute_centres_in(cells, predicate):
    """The cells among ``cells`` whose centre satisfies ``predicate(lat, lon)``."""
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    keep = predicate(ll[:, 0], ll[:, 1])
    return {c for c, k in zip(cells, keep, strict=True) if k}


def test_country_equals_h3_polygon_to_cells():
    ua = resolve_region("UA").geometry
    got = region_cells("UA", 5)
    # H3's own polygon fill (centre containment) of the same geometry.
    expected = set(h3.h3shape_to_cells(h3.geo_to_h3shape(ua.__geo_interface__), 5))
    assert set(got.ids) == expected
    assert len(got) == len(expected) > 2000
    np.testing.assert_allclose(got.area_km2, [h3.cell_area(c, "km^2") for c in got.ids])
    # The cells' area is the country's within the boundary noise of ~250 km² cells.
    assert got.total_area_km2 == pytest.approx(geodesic_area_km2(ua), rel=0.01)


def test_fiji_on_both_sides_of_the_antimeridian():
    fiji = region_cells("FJ", 5)
    assert (fiji.lon_deg > 178).any() and (fiji.lon_deg < -178).any()
    geom = resolve_region("FJ").geometry
    # Brute force: every res-5 cell within reach of Fiji, tested centre by centre.
    seeds = set(h3.polygon_to_cells(h3.LatLngPoly(
        [(-25, 172), (-25, 180), (-9, 180), (-9, 172)]), 2)) | set(h3.polygon_to_cells(
        h3.LatLngPoly([(-25, -180), (-25, -172), (-9, -172), (-9, -180)]), 2))
    near = {c for seed in seeds
            for c in h3.cell_to_children(seed, 5)}
    expected = brute_centres_in(sorted(near), lambda la, lo: shapely.intersects_xy(geom, lo, la))
    assert set(fiji.ids) == expected
    # Each part on its own through H3's own fill gives the same cells.
    by_parts = set()
    for part in shapely.get_parts(geom):
        by_parts |= set(h3.h3shape_to_cells(h3.geo_to_h3shape(part.__geo_interface__), 5))
    assert set(fiji.ids) == by_parts


def test_chukotka_geojson_across_the_antimeridian(tmp_path):
    # A box over Chukotka written the GeoJSON way: longitudes jump from 179 to -170.
    ring = [[165.0, 62.0], [-170.0, 62.0], [-170.0, 70.0], [165.0, 70.0], [165.0, 62.0]]
    path = tmp_path / "chukotka.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    got = region_cells(f"file:{path}", 4)
    assert any("antimeridian" in n for n in got.notes)
    # Brute force in an unwrapped frame (0..360°), independent of any cut at ±180°.
    expected = brute_centres_in(all_cells(4), lambda la, lo: (la >= 62) & (la <= 70)
                                & (lo % 360 >= 165) & (lo % 360 <= 190))
    assert set(got.ids) == expected
    assert (got.lon_deg > 170).any() and (got.lon_deg < -175).any()
    box_km2 = AUTHALIC_KM**2 * np.radians(25) * (np.sin(np.radians(70)) - np.sin(np.radians(62)))
    assert got.total_area_km2 == pytest.approx(box_km2, rel=0.02)


@pytest.mark.parametrize(("lo", "hi", "pole"), [(80, 90, 90), (-90, -75, -90)])
def test_polar_caps(lo, hi, pole):
    cap = latitude_band(lo, hi, 3)
    expected = brute_centres_in(all_cells(3), lambda la, _: (la >= lo) & (la <= hi))
    assert set(cap.ids) == expected
    assert h3.latlng_to_cell(pole, 0.0, 3) in cap.ids
    # Spherical cap area 2 pi R^2 (1 - sin |edge|), to within the ragged edge of the cells.
    edge = lo if pole > 0 else hi
    analytic = 2 * np.pi * AUTHALIC_KM**2 * (1 - np.sin(np.radians(abs(edge))))
    assert cap.total_area_km2 == pytest.approx(analytic, rel=0.015)


def test_antarctica_holds_the_south_pole():
    aq = region_cells("AQ", 3)
    assert h3.latlng_to_cell(-90.0, 0.0, 3) in aq.ids
    geom = resolve_region("AQ").geometry
    below = [c for c in all_cells(3) if h3.cell_to_latlng(c)[0] < -55]
    assert set(aq.ids) == brute_centres_in(
        below, lambda la, lo: shapely.intersects_xy(geom, lo, la))


@pytest.mark.parametrize("res", [0, 1, 2, 3])
def test_globe_is_every_cell(res):
    globe = region_cells("globe", res)
    assert len(globe) == h3.get_num_cells(res)
    assert set(globe.ids) == set(all_cells(res))
    assert globe.total_area_km2 == pytest.approx(4 * np.pi * AUTHALIC_KM**2, rel=1e-9)


def test_cell_polygons_match_h3_areas():
    pole = h3.latlng_to_cell(90.0, 0.0, 2)
    seam = h3.latlng_to_cell(-17.0, 180.0, 3)
    for cell in (pole, seam, h3.latlng_to_cell(50.4, 30.5, 5)):
        geom = cell_polygon(h3.str_to_int(cell))
        assert geom.is_valid
        assert shapely.intersects_xy(geom, *h3.cell_to_latlng(cell)[::-1])
        # Edges are great circles, followed in lon/lat by intermediate points.
        assert geodesic_area_km2(geom) == pytest.approx(h3.cell_area(cell, "km^2"), rel=0.005)
    assert cell_polygon(h3.str_to_int(seam)).geom_type == "MultiPolygon"


def test_cells_from_ids():
    kyiv = h3.latlng_to_cell(50.45, 30.52, 5)
    got = cells_from_ids([kyiv, kyiv.upper()])
    assert list(got.ids) == [kyiv] and got.res == 5
    children = cells_from_ids([kyiv], res=6)
    assert set(children.ids) == set(h3.cell_to_children(kyiv, 6))
    parent = cells_from_ids([kyiv], res=3)
    assert list(parent.ids) == [h3.cell_to_parent(kyiv, 3)]
    mixed = cells_from_ids([kyiv, h3.latlng_to_cell(0, 0, 4)])
    assert mixed.res == 5 and len(mixed) == 8 and mixed.notes
    assert list(region_cells(f"h3:{kyiv}", 5).ids) == [kyiv]


def test_cell_file(tmp_path):
    a, b = h3.latlng_to_cell(50, 30, 4), h3.latlng_to_cell(51, 31, 4)
    txt = tmp_path / "cells.txt"
    txt.write_text(f"# two cells\n{a}\n\n{b}  # second\n")
    assert set(region_cells(f"cells:{txt}", 4).ids) == {a, b}
    csv = tmp_path / "cells.csv"
    csv.write_text(f"h3_cell,x\n{a},1\n")
    assert list(region_cells(f"cells:{csv}", 4).ids) == [a]
    bad = tmp_path / "bad.csv"
    bad.write_text("cell\nabc\n")
    with pytest.raises(InputError, match="no 'h3_cell' column"):
        region_cells(f"cells:{bad}", 4)


@pytest.mark.parametrize("res", [-1, 16, 2.5, "x", None])
def test_resolution_outside_range(res):
    with pytest.raises(InputError, match=r"0\.\.15"):
        check_resolution(res)
    with pytest.raises(InputError, match=r"0\.\.15"):
        region_cells("UA", res)


def test_unknown_iso_code_suggests():
    with pytest.raises(InputError, match=r"unknown region 'UKR2'.*did you mean.*ukr") as exc:
        region_cells("UKR2", 5)
    assert "band:" in str(exc.value)  # and the other forms a region can take


def test_region_without_cells_suggests_a_finer_resolution():
    with pytest.raises(InputError, match=r"use resolution (\d+) or finer") as exc:
        region_cells("VA", 5)
    finer = int(exc.value.what.rsplit("resolution ", 1)[1].split()[0])
    assert len(region_cells("VA", finer)) >= 1
    with pytest.raises(InputError, match="holds no H3 cell centre"):
        region_cells("VA", finer - 1)


def test_invalid_polygon_names_where(tmp_path):
    bowtie = [[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {},
                                "geometry": {"type": "Polygon", "coordinates": [bowtie]}}))
    with pytest.raises(InputError, match=r"intersects itself at lon/lat 5 5") as exc:
        region_cells(str(path), 4)
    assert "bowtie.geojson at geometry.coordinates" in str(exc.value)


def test_bad_bands_and_limits():
    with pytest.raises(InputError, match="-90 <= min < max <= 90"):
        region_cells("band:60:50", 3)
    with pytest.raises(InputError, match="cannot read latitude band"):
        region_cells("band:north", 3)
    with pytest.raises(InputError, match="use resolution 5 or coarser"):
        region_cells("globe", 7)
    with pytest.raises(InputError, match="no area"):
        cells_in_geometry(shapely.Polygon(), 3)


def test_subset_keeps_arrays():
    tw = region_cells("TW", 4)
    north = tw.subset(tw.lat_deg > 24)
    assert isinstance(north, CellSet) and 0 < len(north) < len(tw)
    assert np.all(north.lat_deg > 24)
    assert north.points().names.tolist() == list(north.ids)
