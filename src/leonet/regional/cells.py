"""H3 cell sets for coverage and capacity: from regions, polygons, latitude bands, cell lists.

A cell belongs to an area when its centre (``h3.cell_to_latlng``) lies in the area, as in H3's
own ``polygon_to_cells``; the area is a lon/lat geometry, so its edges are straight in lon/lat,
as in both shapely and H3. Regions that cross the antimeridian arrive cut at ±180° into parts
(`leonet.control.geojson`), polar caps are ordinary lon/lat boxes touching ±90°: neither needs a
special case, because candidates come from small lon/lat tiles (never wider than 30°, which H3
fills exactly) and the final word is shapely's exact point-in-polygon test of each centre.

Region names (`region_cells`): an ISO 3166 code or country name (``UA``, ``TWN``, ``Fiji``),
a disputed area (``crimea``, see ``leonet policy regions``), ``file:area.geojson`` or a path
ending in ``.geojson``, ``h3:<cell>[,<cell>…]``, ``cells:<file>`` (one H3 cell per line, or a
CSV/Parquet file with an ``h3_cell`` column), ``band:<lat_min>:<lat_max>``, ``globe`` and
``land`` (every country of the shipped boundary edition, Antarctica included).

>>> tw = region_cells("TW", 5)
>>> len(tw), tw.res, round(tw.total_area_km2 / 1000)
(158, 5, 36)
>>> cap = region_cells("band:80:90", 2)
>>> bool(h3.latlng_to_cell(90.0, 0.0, 2) in cap.ids)         # the pole's own cell
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import h3
import h3.api.numpy_int as h3n
import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from leonet.control.boundaries import EDITION, countries
from leonet.control.geojson import keep_polygonal, read_geojson_file
from leonet.control.regions import geodesic_area_km2, resolve_region
from leonet.errors import InputError
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, GroundPoints, wgs84

# Beyond this many cells a run takes minutes per instant or more memory than it is worth:
# ask for a coarser resolution (all of Earth at resolution 5 is 2,016,842 cells).
MAX_CELLS = 2_100_000
# Candidate tiles are about this many cells across, and never wider than _MAX_TILE_DEG (H3
# fills lon/lat boxes exactly only while no edge spans 180° of longitude; 30° keeps far off).
_CELLS_PER_TILE = 64
_MAX_TILE_DEG = 30.0
# Cell edges are great circles: lon/lat outlines get intermediate points where a straight
# chord would stray by more than this (~100 m), i.e. for big cells and near the poles.
_BULGE_DEG = 0.001
# Tiles are grown by this much (degrees, ~0.1 mm) so that centres on a tile edge are not lost.
_EPS_DEG = 1e-9
SPECIAL_REGIONS = "globe, land, band:<lat_min>:<lat_max>, h3:<cell>,…, cells:<file>, file:<geojson>"


def check_resolution(res, where: str = "res") -> int:
    """An H3 resolution as an int, or a clear error outside 0..15."""
    try:
        value = int(res)
    except (TypeError, ValueError):
        raise InputError(f"H3 resolution must be a whole number 0..15, got {res!r}",
                         where) from None
    if value != res or not 0 <= value <= 15:
        raise InputError(f"H3 resolution must be a whole number 0..15, got {res!r}", where)
    return value


@dataclass(frozen=True, eq=False)
class CellSet:
    """H3 cells at one resolution as arrays: ``cells`` (uint64, unique, and sorted when made by
    the functions of this module), their centres,
    areas (``h3.cell_area``) and, optionally, a label per cell (the country of `land` cells)
    and the lon/lat geometry the cells were taken from."""

    cells: np.ndarray
    res: int
    name: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
    labels: np.ndarray | None = field(default=None)
    geometry: shapely.Geometry | None = field(default=None)

    def __post_init__(self) -> None:
        cells = np.asarray(self.cells, dtype=np.uint64).reshape(-1)
        cells.flags.writeable = False
        object.__setattr__(self, "cells", cells)

    def __len__(self) -> int:
        return self.cells.shape[0]

    @cached_property
    def ids(self) -> np.ndarray:
        """Cells as H3's hexadecimal strings (``'85283473fffffff'``)."""
        return np.array([h3.int_to_str(int(c)) for c in self.cells], dtype=object)

    @cached_property
    def _centres(self) -> np.ndarray:
        out = np.empty((len(self), 2))
        for i, c in enumerate(self.cells.tolist()):
            out[i] = h3n.cell_to_latlng(c)
        return out

    @property
    def lat_deg(self) -> np.ndarray:
        return self._centres[:, 0]

    @property
    def lon_deg(self) -> np.ndarray:
        return self._centres[:, 1]

    @cached_property
    def area_km2(self) -> np.ndarray:
        """Exact spherical area of every cell (H3's ``cell_area``, authalic radius)."""
        return np.array([h3n.cell_area(c, "km^2") for c in self.cells.tolist()])

    @property
    def total_area_km2(self) -> float:
        return float(self.area_km2.sum())

    def points(self, min_elevation_deg=DEFAULT_MIN_ELEVATION_DEG) -> GroundPoints:
        """The cell centres as ground points at sea level (names are the cell ids)."""
        return wgs84.point(self.lat_deg, self.lon_deg, min_elevation_deg=min_elevation_deg,
                           name=self.ids, kind="cell")

    def subset(self, mask) -> CellSet:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        labels = None if self.labels is None else self.labels[idx]
        out = CellSet(self.cells[idx], self.res, self.name, self.source, self.notes, labels,
                      self.geometry)
        for key in ("_centres", "area_km2", "ids"):
            if key in self.__dict__:
                object.__setattr__(out, key, self.__dict__[key][idx])
        return out

    def polygons(self) -> np.ndarray:
        """Each cell as a shapely (Multi)Polygon in lon/lat, cut at ±180° (see
        `cell_polygon`)."""
        return np.array([cell_polygon(c) for c in self.cells.tolist()], dtype=object)

    def __repr__(self) -> str:
        return f"CellSet({self.name!r}, res={self.res}, n={len(self)})"


def _great_circle_ring(cell: int) -> np.ndarray:
    """A cell's boundary as ``(n, 2)`` (lon, lat), with points added along each great-circle
    edge wherever a straight lon/lat chord would stray from it by more than _BULGE_DEG."""
    latlng = np.array(h3n.cell_to_boundary(int(cell)))
    lat = np.radians(latlng[:, 0])
    lon = np.radians(latlng[:, 1])
    v = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    w = np.roll(v, -1, axis=0)
    mid = v + w
    mid_lat = np.arcsin(np.clip(mid[:, 2] / np.linalg.norm(mid, axis=1), -1, 1))
    # Straying of the lon/lat chord at each edge's midpoint, in degrees of latitude (what
    # matters near the poles, where the chord follows a parallel and the great circle not).
    bulge = np.abs(np.degrees(mid_lat - (lat + np.roll(lat, -1)) / 2))
    if not np.any(bulge > _BULGE_DEG):
        return latlng[:, ::-1]
    parts = []
    for i in range(len(v)):
        n = int(min(64, np.ceil(np.sqrt(bulge[i] / _BULGE_DEG)))) if bulge[i] > _BULGE_DEG else 1
        omega = np.arccos(np.clip(v[i] @ w[i], -1, 1))
        f = np.arange(n)[:, None] / n
        parts.append((np.sin((1 - f) * omega) * v[i] + np.sin(f * omega) * w[i])
                     / np.sin(omega) if n > 1 and omega > 0 else v[i][None, :])
    p = np.vstack(parts)
    return np.column_stack([np.degrees(np.arctan2(p[:, 1], p[:, 0])),
                            np.degrees(np.arcsin(np.clip(p[:, 2], -1, 1)))])


def cell_columns(cells: CellSet) -> dict[str, np.ndarray]:
    """The columns every per-cell table starts with: ``h3_cell, lat_deg, lon_deg, area_km2``,
    and ``country`` where the cells carry labels."""
    cols = {"h3_cell": cells.ids, "lat_deg": cells.lat_deg, "lon_deg": cells.lon_deg,
            "area_km2": cells.area_km2}
    if cells.labels is not None:
        cols["country"] = cells.labels
    return cols


def concat_cells(parts: list[CellSet], name: str = "") -> CellSet:
    """The cells of ``parts`` one after the other (same resolution, not re-sorted), keeping
    the centres and areas already computed."""
    if len({p.res for p in parts}) != 1:
        raise InputError("cell sets of different resolutions cannot be joined")
    out = CellSet(np.concatenate([p.cells for p in parts]), parts[0].res, name)
    for key in ("_centres", "area_km2", "ids"):
        if all(key in p.__dict__ for p in parts):
            object.__setattr__(out, key, np.concatenate([p.__dict__[key] for p in parts]))
    return out


def cell_polygon(cell: int) -> shapely.Geometry:
    """One cell's boundary as a lon/lat polygon: a cell straddling the antimeridian becomes a
    MultiPolygon cut at ±180° (RFC 7946 §3.1.9), and a cell around a pole is closed along
    the pole, so that lon/lat geometry (areas, point-in-polygon, maps) sees the cell itself.
    Great-circle edges are followed by intermediate points where they bend in lon/lat."""
    ring = _great_circle_ring(cell)
    step = np.diff(np.concatenate([ring[:, 0], ring[:1, 0]]))
    wrapped = step - 360.0 * np.round(step / 360.0)
    lon = ring[0, 0] + np.concatenate([[0.0], np.cumsum(wrapped[:-1])])
    turn = float(wrapped.sum())
    xy = np.column_stack([lon, ring[:, 1]])
    if abs(turn) > 180.0:  # the ring winds around a pole: close it along the pole
        pole = 90.0 if ring[:, 1].mean() > 0 else -90.0
        last = xy[-1, 0] + wrapped[-1]
        xy = np.vstack([xy, [[last, ring[0, 1]], [last, pole], [xy[0, 0], pole]]])
    poly = shapely.Polygon(xy)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    minx, _, maxx, _ = poly.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return poly
    parts = []
    for k in (-1, 0, 1):
        piece = shapely.intersection(poly, shapely.box(-180 + 360 * k, -90, 180 + 360 * k, 90))
        if not piece.is_empty and piece.area > 0:
            parts.append(shapely.affinity.translate(piece, xoff=-360.0 * k))
    return shapely.union_all(parts)


# -- cells from geometry --------------------------------------------------------------------

def estimate_cells(geom: shapely.Geometry, res: int) -> float:
    return geodesic_area_km2(geom) / h3.average_hexagon_area(res, unit="km^2")


def cells_in_geometry(geom: shapely.Geometry, res: int, *, name: str = "", source: str = "",
                      notes: tuple[str, ...] = (), max_cells: int = MAX_CELLS,
                      allow_empty: bool = False) -> CellSet:
    """The cells whose centre lies in ``geom`` (lon/lat degrees, inside -180..180; boundary
    points count as inside). Raises when there are none unless ``allow_empty``; the error
    names the finest resolution worth trying."""
    res = check_resolution(res)
    label = name or "the region"
    if geom is None or geom.is_empty:
        raise InputError(f"{label} has no area")
    estimate = estimate_cells(geom, res)
    if estimate > max_cells:
        coarser = next((r for r in range(res, -1, -1)
                        if estimate_cells(geom, r) <= max_cells), 0)
        raise InputError(f"{label} would need about {estimate:,.0f} cells at resolution {res} "
                         f"(limit {max_cells:,}); use resolution {coarser} or coarser", "res")
    cells = cells_by_tiles(geom, res)
    if cells.size == 0 and not allow_empty:
        raise InputError(_no_cells_message(geom, res, label))
    return CellSet(cells, res, name, source, notes, geometry=geom)


def cells_by_tiles(geom: shapely.Geometry, res: int) -> np.ndarray:
    edge_deg = h3.average_hexagon_edge_length(res, unit="km") / 111.2
    tile = float(np.clip(edge_deg * _CELLS_PER_TILE, 0.25, _MAX_TILE_DEG))
    minx, miny, maxx, maxy = geom.bounds
    x0 = max(-180.0, np.floor(minx / tile) * tile)
    y0 = max(-90.0, np.floor(miny / tile) * tile)
    xs = np.arange(x0, maxx + tile, tile)
    ys = np.arange(y0, maxy + tile, tile)
    bx0, by0 = np.meshgrid(xs, ys, indexing="ij")
    boxes = shapely.box(bx0.ravel(), by0.ravel(), np.minimum(bx0.ravel() + tile, 180.0),
                        np.minimum(by0.ravel() + tile, 90.0))
    parts = shapely.get_parts(geom)
    tree = shapely.STRtree(parts)
    hit = np.unique(tree.query(boxes, predicate="intersects")[0])
    candidates = []
    for b in hit:
        ax0, ay0, ax1, ay1 = shapely.bounds(boxes[b])
        lo_lat, hi_lat = max(-90.0, ay0 - _EPS_DEG), min(90.0, ay1 + _EPS_DEG)
        lo_lon, hi_lon = ax0 - _EPS_DEG, ax1 + _EPS_DEG
        poly = h3.LatLngPoly([(lo_lat, lo_lon), (lo_lat, hi_lon), (hi_lat, hi_lon),
                              (hi_lat, lo_lon)])
        candidates.append(np.asarray(h3n.polygon_to_cells(poly, res), dtype=np.uint64))
    if not candidates:
        return np.zeros(0, np.uint64)
    cand = np.unique(np.concatenate(candidates))
    ll = np.array([h3n.cell_to_latlng(c) for c in cand.tolist()]).reshape(-1, 2)
    shapely.prepare(geom)
    inside = shapely.intersects_xy(geom, ll[:, 1], ll[:, 0])
    return cand[inside]


def _no_cells_message(geom: shapely.Geometry, res: int, label: str) -> str:
    area = geodesic_area_km2(geom)
    finer = next((r for r in range(res + 1, 16) if cells_by_tiles(geom, r).size), None)
    cell = h3.average_hexagon_area(res, unit="km^2")
    hint = (f"; use resolution {finer} or finer" if finer is not None
            else "; it is smaller than any H3 cell centre spacing")
    return (f"{label} ({area:,.2f} km²) holds no H3 cell centre at resolution {res} "
            f"(cells there average {cell:,.1f} km²){hint}")


def latitude_band(lat_min_deg: float, lat_max_deg: float, res: int, *,
                  max_cells: int = MAX_CELLS) -> CellSet:
    """Every cell whose centre latitude lies in ``[lat_min_deg, lat_max_deg]``."""
    lo, hi = float(lat_min_deg), float(lat_max_deg)
    if not (-90.0 <= lo < hi <= 90.0):
        raise InputError(f"a latitude band needs -90 <= min < max <= 90, got {lo}..{hi}",
                         "band")
    name = "globe" if (lo, hi) == (-90.0, 90.0) else f"band:{lo:g}:{hi:g}"
    return cells_in_geometry(shapely.box(-180.0, lo, 180.0, hi), res, name=name,
                             source="latitude band", max_cells=max_cells)


def land_cells(res: int, *, max_cells: int = MAX_CELLS) -> CellSet:
    """Cells whose centre lies in any country of the shipped boundary edition, labelled with
    the country code (Antarctica is ``AQ``)."""
    res = check_resolution(res)
    table = countries()
    cells, labels = [], []
    for code, geom in zip(table.code, table.geometry, strict=True):
        part = cells_by_tiles(geom, res) if not geom.is_empty else np.zeros(0, np.uint64)
        cells.append(part)
        labels.append(np.full(part.size, code, dtype=object))
        if sum(c.size for c in cells) > max_cells:
            raise InputError(f"all land would need more than {max_cells:,} cells at resolution "
                             f"{res}; use a coarser resolution", "res")
    allc = np.concatenate(cells)
    alll = np.concatenate(labels)
    order = np.argsort(allc, kind="stable")
    allc, alll = allc[order], alll[order]
    first = np.ones(allc.size, dtype=bool)
    first[1:] = allc[1:] != allc[:-1]
    return CellSet(allc[first], res, "land", EDITION, (), alll[first])


# -- cells given by id ------------------------------------------------------------------------

def cells_from_ids(ids, res: int | None = None, *, name: str = "",
                   where: str = "cells") -> CellSet:
    """Cells given by id (hex strings or integers). With ``res``, coarser cells are replaced
    by their children and finer ones by their parents at ``res``."""
    ints = []
    for i, cell in enumerate(ids):
        text = str(cell).strip().lower()
        if isinstance(cell, int | np.integer):
            text = h3.int_to_str(int(cell)) if int(cell) > 0 else text
        if not h3.is_valid_cell(text):
            raise InputError(f"{cell!r} is not a valid H3 cell index (hexadecimal, e.g. "
                             "'85283473fffffff')", f"{where}[{i}]")
        ints.append(h3.str_to_int(text))
    if not ints:
        raise InputError("no H3 cells given", where)
    arr = np.unique(np.array(ints, dtype=np.uint64))
    resolutions = np.array([h3n.get_resolution(int(c)) for c in arr.tolist()])
    notes = []
    target = int(resolutions.max()) if res is None else check_resolution(res)
    if res is None and np.unique(resolutions).size > 1:
        notes.append(f"cells of resolutions {sorted(set(resolutions.tolist()))} were expanded "
                     f"to their children at resolution {target}")
    out = []
    for c, r in zip(arr.tolist(), resolutions.tolist(), strict=True):
        if r == target:
            out.append(np.array([c], dtype=np.uint64))
        elif r < target:
            out.append(np.asarray(h3n.cell_to_children(c, target), dtype=np.uint64))
        else:
            out.append(np.array([h3n.cell_to_parent(c, target)], dtype=np.uint64))
    if res is not None and np.any(resolutions != target):
        notes.append(f"cells given at other resolutions were converted to resolution {target}")
    cells = np.unique(np.concatenate(out))
    label = name or (f"h3:{h3.int_to_str(int(arr[0]))}" if arr.size == 1
                     else f"{arr.size} H3 cells")
    return CellSet(cells, target, label, "H3 cells", tuple(notes))


def read_cell_file(path: Path) -> list[str]:
    """H3 cell ids from a text file (one per line, ``#`` comments) or a CSV/Parquet file with
    an ``h3_cell`` column."""
    if not path.exists():
        raise InputError(f"cell file {path} does not exist", str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        try:
            table = pq.read_table(path) if suffix == ".parquet" else pacsv.read_csv(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise InputError(f"cannot read {path.name}: {exc}", str(path)) from None
        if "h3_cell" not in table.column_names:
            raise InputError(f"no 'h3_cell' column (columns: {', '.join(table.column_names)})",
                             str(path))
        return [str(v) for v in table.column("h3_cell").to_pylist()]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]


# -- names ----------------------------------------------------------------------------------

def region_cells(spec: str, res: int, *, base_dir: Path | None = None,
                 max_cells: int = MAX_CELLS) -> CellSet:
    """The cells of a region given by name (see the module docstring for the forms)."""
    res = check_resolution(res)
    text = str(spec).strip()
    if not text:
        raise InputError("region must not be empty", "region")
    prefix, _, rest = text.partition(":")
    key = prefix.lower()
    base = Path.cwd() if base_dir is None else base_dir
    if key in ("globe", "world") and not rest:
        return latitude_band(-90.0, 90.0, res, max_cells=max_cells)
    if key == "land" and not rest:
        return land_cells(res, max_cells=max_cells)
    if key in ("band", "lat") and rest:
        return _band(rest, res, max_cells)
    if key == "h3" and rest:
        return cells_from_ids([c for c in rest.split(",") if c.strip()], res, where="region")
    if key == "cells" and rest:
        path = (base / rest).resolve()
        return cells_from_ids(read_cell_file(path), res, name=path.name, where=str(path))
    if (key == "file" and rest) or text.lower().endswith((".geojson", ".json")):
        return _geojson_cells(rest if key == "file" else text, res, base, max_cells)

    try:
        region = resolve_region(text, where="region")
    except InputError as exc:
        raise InputError(f"{exc.what}; other region forms: {SPECIAL_REGIONS}", "region") from None
    return cells_in_geometry(region.as_geometry(), res, name=region.ref, source=region.source,
                             notes=region.notes, max_cells=max_cells)


def _band(rest: str, res: int, max_cells: int) -> CellSet:
    parts = rest.replace("..", ":").split(":")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"cannot read latitude band {rest!r}; expected band:<lat_min>:<lat_max>"
                         ", e.g. band:-60:60", "region") from None
    return latitude_band(lo, hi, res, max_cells=max_cells)


def _geojson_cells(rel: str, res: int, base: Path, max_cells: int) -> CellSet:
    path = (base / rel).resolve()
    parsed = read_geojson_file(path)
    geom = keep_polygonal(parsed.geometry)
    return cells_in_geometry(geom, res, name=path.name, source=str(path), notes=parsed.notes,
                             max_cells=max_cells)
