"""GeoJSON reading: every malformed input is refused with what and where."""

import pytest
import shapely

from leonet.control.geojson import parse_geojson
from leonet.errors import InputError


def poly(*rings):
    return {"type": "Polygon", "coordinates": [list(map(list, r)) for r in rings]}


SQUARE = [(30, 50), (31, 50), (31, 51), (30, 51), (30, 50)]


def test_unclosed_ring_is_refused_with_its_path():
    with pytest.raises(InputError, match=r"zone\.geojson at coordinates\[0\]: ring is not closed"):
        parse_geojson(poly(SQUARE[:-1]), where="zone.geojson")


def test_self_intersection_is_refused_with_its_location():
    bowtie = [(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)]
    with pytest.raises(InputError, match=r"intersects itself at lon/lat 1 1"):
        parse_geojson(poly(bowtie), where="f")


def test_swapped_lat_lon_is_recognised():
    # Kyiv written as [lat, lon] pairs with a longitude beyond 90 on the wrong axis.
    swapped = [(50.4, 130.5), (50.5, 130.5), (50.5, 130.6), (50.4, 130.5)]
    with pytest.raises(InputError, match=r"look like \[lat, lon\] pairs"):
        parse_geojson(poly(swapped), where="f")


def test_clockwise_exterior_is_read_and_noted():
    parsed = parse_geojson(poly(SQUARE[::-1]), where="f")
    assert shapely.intersects_xy(parsed.geometry, 30.5, 50.5)
    assert any("clockwise" in n for n in parsed.notes)


def test_hole_outside_shell_is_refused():
    hole = [(40, 40), (41, 40), (41, 41), (40, 41), (40, 40)]
    with pytest.raises(InputError, match="hole"):
        parse_geojson(poly(SQUARE, hole), where="f")


def test_holes_are_holes():
    hole = [(30.4, 50.4), (30.6, 50.4), (30.6, 50.6), (30.4, 50.6), (30.4, 50.4)]
    g = parse_geojson(poly(SQUARE, hole), where="f").geometry
    assert not shapely.intersects_xy(g, 30.5, 50.5)
    assert shapely.intersects_xy(g, 30.2, 50.2)


def test_antimeridian_crossing_by_jump_and_by_overflow():
    jump = poly([(179, -17), (-179, -17), (-179, -16), (179, -16), (179, -17)])
    over = poly([(179, -17), (181, -17), (181, -16), (179, -16), (179, -17)])
    for doc in (jump, over):
        g = parse_geojson(doc, where="f").geometry
        assert shapely.intersects_xy(g, 179.5, -16.5)
        assert shapely.intersects_xy(g, -179.5, -16.5)
        assert not shapely.intersects_xy(g, 0.0, -16.5)
        assert g.bounds[0] >= -180 and g.bounds[2] <= 180


def test_line_needs_a_buffer():
    with pytest.raises(InputError, match="has no area"):
        parse_geojson({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, where="f")


def test_feature_collection_paths_name_the_feature():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": poly(SQUARE), "properties": {}},
        {"type": "Feature", "geometry": poly(SQUARE[:-1]), "properties": {}}]}
    with pytest.raises(InputError, match=r"features\[1\]\.geometry\.coordinates\[0\]"):
        parse_geojson(doc, where="f")


def test_overlapping_multipolygon_parts_are_refused():
    other = [(30.5, 50.5), (31.5, 50.5), (31.5, 51.5), (30.5, 51.5), (30.5, 50.5)]
    doc = {"type": "MultiPolygon", "coordinates": [[list(map(list, SQUARE))],
                                                   [list(map(list, other))]]}
    with pytest.raises(InputError, match="overlap"):
        parse_geojson(doc, where="f")
