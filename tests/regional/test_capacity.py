"""Region runs: context demand, terminals files, activation, exports and map geometry."""

import json

import h3
import numpy as np
import pyarrow.csv as pacsv
import pytest
import shapely

from leonet.control.regions import resolve_region
from leonet.errors import InputError
from leonet.physics.earth import great_circle_km
from leonet.physics.ground import world_cities
from leonet.regional.capacity import activation, city_terminals, context_cells, read_terminals
from leonet.regional.cells import region_cells
from leonet.reporting.exports import cells_geojson, write_table
from leonet.reporting.maps import cell_rings, centre_lon


def test_context_is_land_near_the_region_outside_it():
    tw = region_cells("TW", 4)
    ctx, why = context_cells(tw, 500.0)
    assert why is None and len(ctx) > 0
    assert not set(ctx.ids) & set(tw.ids)
    assert set(ctx.labels) <= {"CN", "HK", "MO", "PH", "JP"} and "CN" in set(ctx.labels)
    # Every context centre is within 500 km of Taiwan's outline (its islands included) ...
    outline = shapely.get_coordinates(shapely.segmentize(resolve_region("TW").geometry, 0.05))
    d = great_circle_km(ctx.lat_deg[:, None], ctx.lon_deg[:, None], outline[None, :, 1],
                        outline[None, :, 0]).min(axis=1)
    assert d.max() < 500 * 1.005
    # ... and none is at sea.
    assert not np.any(resolve_region("TW").contains(ctx.lat_deg, ctx.lon_deg))
    assert context_cells(tw, 0.0) == (None, None)


def test_terminals_file(tmp_path):
    tw = region_cells("TW", 4)
    path = tmp_path / "t.csv"
    path.write_text(f"h3_cell,terminals\n{tw.ids[0]},5\n{tw.ids[0]},2\n{tw.ids[3]},1.5\n")
    got = read_terminals(path, tw)
    assert got[0] == 7 and got[3] == 1.5 and np.isnan(got[1])
    coarse = tmp_path / "coarse.csv"
    coarse.write_text(f"h3_cell,terminals\n{h3.cell_to_parent(tw.ids[0], 3)},5\n")
    with pytest.raises(InputError, match="resolution 3; the run uses resolution 4"):
        read_terminals(coarse, tw)
    negative = tmp_path / "neg.csv"
    negative.write_text(f"h3_cell,terminals\n{tw.ids[0]},-1\n")
    with pytest.raises(InputError, match="row 2"):
        read_terminals(negative, tw)


def test_activation_by_region():
    taipei = h3.latlng_to_cell(25.03, 121.56, 5)
    tw = region_cells("TW", 5)
    kinmen = tw.ids[np.argmin(tw.lon_deg)]  # the westernmost cell of Taiwan, off Xiamen
    xiamen = h3.latlng_to_cell(24.48, 118.09, 5)
    cells = region_cells(f"h3:{taipei},{kinmen},{xiamen}", 5)
    by_cell = dict(zip(cells.ids, activation(cells, not_activated=["taiwan"]), strict=True))
    assert not by_cell[taipei] and not by_cell[kinmen] and by_cell[xiamen]
    assert activation(cells).all()


def test_city_terminals():
    from leonet.physics.ground import find_city

    ua = region_cells("UA", 5)
    kyiv = find_city("Kyiv")
    got = city_terminals(ua, 0.01)
    i = int(np.flatnonzero(ua.ids == h3.latlng_to_cell(kyiv.lat_deg, kyiv.lon_deg, 5))[0])
    assert got[i] >= 0.01 * kyiv.population  # Kyiv, and any town sharing its cell
    cells = set(ua.ids)  # towns of any country whose position falls in a Ukrainian cell
    assert got.sum() == pytest.approx(0.01 * sum(
        c.population for c in map(world_cities().city, range(len(world_cities())))
        if h3.latlng_to_cell(c.lat_deg, c.lon_deg, 5) in cells))
    with pytest.raises(InputError, match="share in"):
        city_terminals(ua, 2.0)


def test_exports_write_nulls(tmp_path):
    cols = {"h3_cell": np.array(["a", "b"], dtype=object), "x": np.array([1.5, np.nan]),
            "n": np.array([1, 2]), "ok": np.array([True, False])}
    out = write_table(tmp_path / "t.csv", cols)
    assert out.read_text().splitlines()[2] == '"b",,2,false'
    assert pacsv.read_csv(out).column("x").null_count == 1
    fiji = region_cells("FJ", 5)
    doc = cells_geojson(fiji, {"v": np.full(len(fiji), np.nan)})
    json.dumps(doc, allow_nan=False)  # strict JSON: NaN became null
    kinds = {f["geometry"]["type"] for f in doc["features"]}
    assert doc["features"][0]["properties"]["v"] is None and kinds <= {"Polygon", "MultiPolygon"}
    for f in doc["features"]:
        for ring in (f["geometry"]["coordinates"] if f["geometry"]["type"] == "Polygon"
                     else [r for poly in f["geometry"]["coordinates"] for r in poly]):
            assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)


def test_map_rings_stay_whole_across_the_antimeridian():
    fiji = region_cells("FJ", 5)
    lon0 = centre_lon(fiji.lon_deg)
    assert abs(abs(lon0) - 180) < 3
    rings, owner = cell_rings(fiji, lon0)
    assert len(rings) == len(fiji) and np.array_equal(owner, np.arange(len(fiji)))
    for ring in rings:
        assert np.ptp(ring[:, 0]) < 1.0  # a res-5 cell, not a band across the map
        assert np.all(np.abs(ring[:, 0] - lon0) <= 180)
    pole = region_cells("band:85:90", 2)
    rings, owner = cell_rings(pole, 0.0)
    assert set(owner.tolist()) == set(range(len(pole)))
    assert any(ring[:, 1].max() == 90.0 for ring in rings)  # the pole cell closes on the pole


def test_context_of_a_latitude_band_is_the_wider_band():
    band = region_cells("band:60:90", 3)
    ctx, why = context_cells(band, 1000.0)
    assert why is None and not set(ctx.ids) & set(band.ids)
    # 1,000 km along a meridian is 8.99° on the mean sphere.
    assert ctx.lat_deg.min() >= 60 - 8.99 and ctx.lat_deg.max() < 60
    assert set(ctx.labels) >= {"RU", "CA", "NO"}
    assert context_cells(region_cells("land", 2), 1000.0) == (None, None)
