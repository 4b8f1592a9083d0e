"""The grid index against shapely (the authority for point-in-polygon), and its cache."""

import os

import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.control.cache import MAX_ENTRIES_PER_KIND, load_arrays, store_arrays
from leonet.control.gridindex import build_index, first_region, membership


def shapely_membership(geoms, lat, lon):
    out = np.zeros((lat.size, len(geoms)), dtype=bool)
    pi, gi = shapely.STRtree(geoms).query(shapely.points(lon, lat), predicate="intersects")
    out[pi, gi] = True
    return out


def test_every_country_random_and_near_vertex_points():
    geoms = list(countries().geometry)
    index = build_index(geoms)
    rng = np.random.default_rng(11)
    lat = np.rad2deg(np.arcsin(rng.uniform(-1, 1, 20_000)))
    lon = rng.uniform(-180, 180, 20_000)
    assert np.array_equal(membership(index, lat, lon), shapely_membership(geoms, lat, lon))
    # Points within ~10 m of boundary vertices: where a raster would be wrong.
    coords = shapely.get_coordinates(np.array(geoms, dtype=object))
    near = coords[rng.integers(0, coords.shape[0], 20_000)] + rng.normal(0, 1e-4, (20_000, 2))
    near[:, 0] = (near[:, 0] + 180) % 360 - 180
    near[:, 1] = np.clip(near[:, 1], -90, 90)
    got = membership(index, near[:, 1], near[:, 0])
    want = shapely_membership(geoms, near[:, 1], near[:, 0])
    # Only a point on a boundary line itself (within 1e-9°, 0.1 mm) may go either way.
    for i, k in zip(*np.nonzero(got != want), strict=True):
        point = shapely.Point(near[i])
        assert geoms[k].boundary.distance(point) < 1e-9, (near[i], countries().code[k])


def test_first_region_is_the_lowest_region_shapely_finds():
    """Overlapping regions (a box over Ukraine, listed first, then every country): the label is
    the lowest-numbered region holding the point, as shapely says, -1 at sea."""
    geoms = [shapely.box(30.0, 46.0, 36.0, 50.0), *countries().geometry]
    index = build_index(geoms)
    rng = np.random.default_rng(5)
    lat = np.concatenate([rng.uniform(44, 52, 10_000),
                          np.rad2deg(np.arcsin(rng.uniform(-1, 1, 10_000)))])
    lon = np.concatenate([rng.uniform(22, 40, 10_000), rng.uniform(-180, 180, 10_000)])
    want = shapely_membership(geoms, lat, lon)
    expected = np.where(want.any(axis=1), want.argmax(axis=1), -1)
    got = first_region(index, lat, lon)
    assert (got == 0).sum() > 1000 and (got == -1).sum() > 1000
    assert np.array_equal(got, expected)


def test_cache_is_keyed_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("LEONET_CACHE_DIR", str(tmp_path))
    a = shapely.box(10, 10, 11, 11)
    b = shapely.box(10, 10, 10.5, 11)  # same place, different shape
    first = membership(build_index([a]), np.array([10.5]), np.array([10.75]))
    second = membership(build_index([b]), np.array([10.5]), np.array([10.75]))
    assert first[0, 0] and not second[0, 0]
    assert len(list((tmp_path / "grid").glob("*.npz"))) == 2
    # A damaged entry is ignored and rebuilt, never trusted.
    for f in (tmp_path / "grid").glob("*.npz"):
        f.write_bytes(b"not an npz")
    assert membership(build_index([a]), np.array([10.5]), np.array([10.75]))[0, 0]


def test_cache_keeps_the_most_recently_used_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("LEONET_CACHE_DIR", str(tmp_path))
    arrays = {"x": np.arange(3)}
    for i in range(MAX_ENTRIES_PER_KIND):
        store_arrays("k", f"e{i}", arrays)
        os.utime(tmp_path / "k" / f"e{i}.npz", ns=(i * 10**9, i * 10**9))
    assert load_arrays("k", "e0") is not None  # e0 is now the most recently used
    store_arrays("k", "new", arrays)
    kept = {p.stem for p in (tmp_path / "k").glob("*.npz")}
    assert kept == {"e0", "new", *(f"e{i}" for i in range(2, MAX_ENTRIES_PER_KIND))}
