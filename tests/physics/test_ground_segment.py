"""Shipped gateway/PoP tables and custom CSV/GeoJSON sites."""

import csv
import json

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.earth import great_circle_km
from leonet.physics.ground import wgs84
from leonet.physics.ground_segment import (
    assign_pops,
    parse_geojson_sites,
    parse_sites,
    read_sites,
    starlink_gateways,
    starlink_pops,
)
from tests.conftest import shared_file


def test_shipped_tables_have_sources_and_plausible_sites():
    gw, pops = starlink_gateways(), starlink_pops()
    assert len(gw) >= 200 and len(pops) >= 20
    for sites in (gw, pops):
        assert all(sites.source) and all(len(c) == 2 for c in sites.country)
    assert np.all(gw.points.min_elevation_deg == 25.0)
    # Gateways sit on land near the sea level ellipsoid: heights are zero as shipped.
    assert np.all(gw.points.alt_km == 0.0)


def test_shipped_gateways_are_the_public_sites():
    """Every public site (../shared/data/starlink_gateways_starperf.csv, 222 unique) is in
    the shipped table within 150 m (coordinates are rounded to 0.001°)."""
    rows = list(csv.DictReader(shared_file("starlink_gateways_starperf.csv")
                               .open(encoding="utf-8")))
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    gw = starlink_gateways()
    d = great_circle_km(lat[:, None], lon[:, None], gw.points.lat_deg[None, :],
                        gw.points.lon_deg[None, :])
    assert d.min(axis=1).max() < 0.15
    assert len(gw) == len({(round(a, 3), round(b, 3)) for a, b in zip(lat, lon, strict=True)})


def test_csv_and_geojson_sites(tmp_path):
    text = "name,latitude,lng,alt_m,country,pop\nA,10.5,20.25,100,de,Frankfurt\nB,-5,170,,,\n"
    sites = parse_sites(text, "terminal", where="t.csv")
    assert sites.names.tolist() == ["A", "B"]
    assert sites.points.alt_km.tolist() == [0.1, 0.0]
    assert sites.country.tolist() == ["DE", ""] and sites.pop.tolist() == ["Frankfurt", ""]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [20.25, 10.5]},
         "properties": {"name": "A", "min_elevation_deg": 40}}]}
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps(doc))
    g = read_sites(path, "gateway")
    assert g.names.tolist() == ["A"] and g.points.min_elevation_deg.tolist() == [40.0]
    assert g.points.lat_deg.tolist() == [10.5] and g.kind == "gateway"


@pytest.mark.parametrize("text,message,where", [
    ("name,lat,lon\nA,95,10\n", "impossible coordinates", "g.csv:2"),
    ("name,lat,lon\nA,10,10\nB,1,500\n", "impossible coordinates", "g.csv:3"),
    ("name,lat,lon\nA,ten,10\n", "'lat' must be a number", "g.csv:2"),
    ("name,x,y\nA,1,2\n", "needs a latitude column", "g.csv:1"),
    ("name,lat,lon\nA,1\n", "2 fields, header has 3", "g.csv:2"),
    ("name,lat,lon\n", "no gateway rows", "g.csv"),
    ("name,lat,lon,alt_m\nA,1,2,20000\n", "not a ground site", "g.csv:2"),
])
def test_bad_csv_rows(text, message, where):
    with pytest.raises(InputError, match=message) as exc:
        parse_sites(text, "gateway", where="g.csv")
    assert exc.value.where == where


def test_bad_geojson():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 91]}}]}
    with pytest.raises(InputError, match="impossible") as exc:
        parse_geojson_sites(json.dumps(doc), "pop", where="p.geojson")
    assert "$.features[0].geometry.coordinates" in str(exc.value)
    with pytest.raises(InputError, match="Point"):
        parse_geojson_sites('{"type": "FeatureCollection", "features": [{"geometry": '
                            '{"type": "Polygon"}}]}', "pop")


def test_pop_assignment():
    pops = starlink_pops()
    pts = wgs84.point([50.45, 25.03, 40.4], [30.52, 121.56, -3.7], name=["Kyiv", "Taipei",
                                                                          "Madrid"])
    idx = assign_pops(pts, pops)
    d = great_circle_km(pts.lat_deg[:, None], pts.lon_deg[:, None],
                        pops.points.lat_deg[None, :], pops.points.lon_deg[None, :])
    assert np.array_equal(idx, np.argmin(d, axis=1))
    by = assign_pops(pts, pops, country=np.array(["UA", "TW", "ES"]),
                     by_country={"ua": "London"})
    assert pops.names[by].tolist() == ["London", pops.names[idx[1]], "Madrid"]
    with pytest.raises(InputError, match="no pop named 'Atlantis'"):
        assign_pops(pts, pops, country=np.array(["UA", "", ""]), by_country={"UA": "Atlantis"})
