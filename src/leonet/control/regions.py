"""Service regions: countries, disputed and occupied areas, GeoJSON, H3 cell sets, buffers.

A region is an area on the ground, as a valid shapely geometry in lon/lat degrees (longitudes in
-180..180, antimeridian crossings cut into parts) or as a set of H3 cells (membership is H3's
own cell lookup, exact). Names a policy can use:

- ``"UA"``, ``"UKR"``, ``"Ukraine"``: a country by ISO 3166 alpha-2, alpha-3 or English name,
  from the shipped boundary edition (`leonet.control.boundaries`);
- ``"crimea"``, ``"ua-occupied"``, ``"kashmir"``, ``"taiwan"``, ``"western-sahara"`` …: disputed
  and occupied areas, named whatever country the edition assigns them to (`DISPUTED`);
- ``"file:zones/front.geojson"``: a GeoJSON file, relative to the policy file;
- ``"h3:871e5b0a3ffffff"``: one H3 cell (a list of such names is a cell set);
- ``"area:<id>"``: an area defined inside the policy document (`resolve_area`), with inline
  GeoJSON, a file, H3 cells, unions, differences and a buffer in km.

>>> crimea = resolve_region("crimea")
>>> crimea.kind, crimea.approximate, round(crimea.area_km2 / 1000)
('disputed', True, 27)
>>> bool(crimea.contains(44.95, 34.10)), bool(resolve_region("RU").contains(44.95, 34.10))
(True, False)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import h3
import numpy as np
import shapely

from leonet.control.boundaries import EDITION, countries
from leonet.control.geojson import (
    keep_polygonal,
    read_geojson_file,
    split_antimeridian,
)
from leonet.errors import InputError, did_you_mean
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM

# Edges are densified to this step (degrees) before projecting for a buffer, so a straight
# lon/lat edge keeps its shape; 0.05° is ~5 km, far below any buffer's curvature scale.
_DENSIFY_DEG = 0.05
# Parts wider than this are buffered tile by tile (a buffer of a union is the union of the
# buffers), keeping every point within ~1100 km of its projection centre, where the spherical
# azimuthal equidistant projection distorts transverse distances by under 0.5 %.
_TILE_DEG = 20.0

ALIASES = {"taiwan": "TW", "western-sahara": "EH", "kosovo": "XK", "palestine": "PS"}


@dataclass(frozen=True, eq=False)
class Region:
    """A named area. ``geometry`` is None for a pure H3 cell set (``h3_cells`` at ``h3_res``)."""

    ref: str
    name: str
    kind: str  # country | disputed | geojson | h3 | area
    geometry: shapely.Geometry | None
    source: str
    approximate: bool = False
    h3_cells: frozenset[int] = frozenset()
    h3_res: int = -1
    notes: tuple[str, ...] = field(default=())
    # How far to trust an approximate line (shown with the region, not as a policy warning:
    # a correct document naming a shipped region must check clean).
    accuracy: str = ""

    @property
    def area_km2(self) -> float:
        return geodesic_area_km2(self.as_geometry())

    def as_geometry(self) -> shapely.Geometry:
        """The region as a lon/lat geometry (H3 cells become their cell polygons)."""
        if self.geometry is not None:
            return self.geometry
        return h3_cells_geometry(self.h3_cells)

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        """Whether each point is in the region (a slow, obviously-correct test: shapely for
        polygons, ``h3.latlng_to_cell`` for cell sets). Points on a boundary line count as in."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = wrap_lon(np.asarray(lon_deg, dtype=np.float64))
        if self.geometry is None:
            cells = [h3.str_to_int(h3.latlng_to_cell(float(a), float(o), self.h3_res))
                     for a, o in zip(lat.ravel(), lon.ravel(), strict=True)]
            return np.isin(np.array(cells, dtype=np.uint64),
                           np.fromiter(self.h3_cells, np.uint64)).reshape(lat.shape)
        return shapely.intersects_xy(self.geometry, lon, lat)


def wrap_lon(lon_deg: np.ndarray) -> np.ndarray:
    """Longitudes into -180..180 (180 itself stays 180)."""
    lon = np.asarray(lon_deg, dtype=np.float64)
    out = (lon + 180.0) % 360.0 - 180.0
    return np.where((lon == 180.0), 180.0, out)


# -- catalogue -------------------------------------------------------------------------------

@cache
def _disputed_doc() -> dict:
    text = resources.files("leonet.data.regions").joinpath("disputed.geojson").read_text("utf-8")
    return json.loads(text)


@cache
def disputed_ids() -> dict[str, str]:
    """Every name of a shipped disputed area (ids and aliases, lower case) -> its id."""
    out = {}
    for feat in _disputed_doc()["features"]:
        p = feat["properties"]
        out[p["id"]] = p["id"]
        for alias in p["aliases"]:
            out[alias.lower()] = p["id"]
    return out


def disputed_parents() -> dict[str, str]:
    """Shipped disputed areas that are a part of another (an occupied oblast's share of
    ``ua-occupied``): their id -> the id of the area they lie within."""
    return {f["properties"]["id"]: f["properties"]["within"]
            for f in _disputed_doc()["features"] if f["properties"].get("within")}


@cache
def _name_index() -> dict[str, str]:
    table = countries()
    index: dict[str, str] = {}
    for code, a3, name in zip(table.code, table.alpha3, table.name, strict=True):
        index[code.lower()] = code
        index[a3.lower()] = code
        index[name.lower()] = code
    return index


def catalogue() -> list[tuple[str, str, str]]:
    """``(name, kind, description)`` of every built-in region name."""
    table = countries()
    rows = [(str(c), "country", f"{n} ({a3})") for c, a3, n in
            zip(table.code, table.alpha3, table.name, strict=True)]
    for feat in _disputed_doc()["features"]:
        p = feat["properties"]
        rows.append((p["id"], "disputed", p["name"] + " — approximate, " + p["note"]))
    rows += [(alias, "alias", f"= {code}") for alias, code in ALIASES.items()]
    return rows


def suggest(name: str) -> str:
    """A "did you mean" tail for an unknown region name (the accepted forms when nothing is
    close)."""
    keys = list(_name_index()) + list(disputed_ids()) + list(ALIASES)

    def shown(key: str) -> str:  # a name with its code, unless it is the code
        code = _name_index().get(key) or disputed_ids().get(key) or ALIASES.get(key)
        return f"{key!r}" if key == (code or "").lower() else f"{key!r} ({code})"

    return did_you_mean(name.lower(), keys, n=4, show=shown, otherwise=(
        "; use an ISO 3166 alpha-2/alpha-3 code, a disputed-area name "
        "(leonet policy regions lists them), file:, h3: or area:"))


# -- resolving names -------------------------------------------------------------------------

def resolve_region(ref: str, *, base_dir: Path | None = None, areas=None,
                   where: str = "regions") -> Region:
    """The region a policy name refers to (see the module docstring for the forms)."""
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(f"region name must be a non-empty string, got {ref!r}", where)
    text = ref.strip()
    prefix, _, rest = text.partition(":")
    prefix = prefix.lower()
    if rest and prefix == "file":
        return file_region(rest, base_dir=base_dir, where=where)
    if rest and prefix == "h3":
        return h3_region([rest], where=where)
    if rest and prefix == "area":
        if areas is None or rest not in areas:
            known = ", ".join(sorted(areas or {})) or "none defined"
            hint = did_you_mean(rest, areas or {}, n=3, show=lambda c: repr("area:" + c))
            raise InputError(f"unknown area {rest!r} (areas in this document: {known}){hint}",
                             where)
        return areas[rest]
    key = text.lower()
    if key in ALIASES:
        key = ALIASES[key].lower()
    if key in disputed_ids():
        return disputed_region(disputed_ids()[key])
    code = _name_index().get(key)
    if code is None:
        raise InputError(f"unknown region {text!r}{suggest(text)}", where)
    return country_region(code)


@cache
def country_region(code: str) -> Region:
    table = countries()
    i = table.index(code)
    return Region(ref=code, name=str(table.name[i]), kind="country",
                  geometry=table.geometry[i], source=EDITION)


@cache
def disputed_region(region_id: str) -> Region:
    feat = next(f for f in _disputed_doc()["features"] if f["properties"]["id"] == region_id)
    p = feat["properties"]
    mask = shapely.geometry.shape(feat["geometry"])
    # The mask only has to be right where it cuts a clip country; coasts and other borders come
    # from the boundary edition. An empty clip list keeps the mask itself (minus "minus").
    geom = mask
    if p["clip"]:
        clip = shapely.union_all([country_region(c).geometry for c in p["clip"]])
        geom = keep_polygonal(shapely.intersection(clip, mask))
    for code in p["minus"]:
        geom = keep_polygonal(shapely.difference(geom, country_region(code).geometry))
    if region_id == "ua-occupied":  # Crimea is its own region
        geom = keep_polygonal(shapely.difference(geom, disputed_region("crimea").geometry))
    if p.get("within"):  # a part of another area (an oblast's share of the occupied area)
        geom = keep_polygonal(shapely.intersection(geom, disputed_region(p["within"]).geometry))
    return Region(ref=region_id, name=p["name"], kind="disputed", geometry=geom,
                  source=f"{p['source']} Digitised {p['digitised']}; clipped to {EDITION}.",
                  approximate=bool(p["approximate"]), accuracy=p["note"])


def file_region(rel: str, *, base_dir: Path | None, where: str) -> Region:
    if base_dir is None:
        raise InputError(
            f"'file:{rel}' needs a policy loaded from a file; in an uploaded document define "
            "the area inline under [areas.<id>] with a geojson table and use 'area:<id>'", where)
    path = (base_dir / rel).resolve()
    parsed = read_geojson_file(path, where=f"{where}: file:{rel}")
    geom = keep_polygonal(parsed.geometry)
    return Region(ref=f"file:{rel}", name=path.name, kind="geojson", geometry=geom,
                  source=str(path), notes=parsed.notes)


def h3_region(cells: list[str], *, where: str) -> Region:
    ints = set()
    res = set()
    for i, cell in enumerate(cells):
        text = str(cell).strip().lower()
        if not h3.is_valid_cell(text):
            raise InputError(f"{cell!r} is not a valid H3 cell index (hexadecimal, e.g. "
                             "'871e5b0a3ffffff')", f"{where}[{i}]" if len(cells) > 1 else where)
        ints.add(h3.str_to_int(text))
        res.add(h3.get_resolution(text))
    if len(res) > 1:
        # Mixed resolutions: membership is tested at the finest one, coarser cells expanded.
        finest = max(res)
        expanded = set()
        for c in ints:
            if h3.get_resolution(h3.int_to_str(c)) == finest:
                expanded.add(c)
            else:
                expanded.update(h3.str_to_int(x)
                                for x in h3.cell_to_children(h3.int_to_str(c), finest))
        ints, res = expanded, {finest}
    name = "h3:" + cells[0] if len(cells) == 1 else f"{len(cells)} H3 cells"
    return Region(ref="h3:" + ",".join(sorted(str(c).lower() for c in cells)), name=name,
                  kind="h3", geometry=None, source="H3 cells (exact H3 membership)",
                  h3_cells=frozenset(ints), h3_res=res.pop())


def h3_cells_geometry(cells) -> shapely.Geometry:
    polys = []
    for c in cells:
        ring = np.array(h3.cell_to_boundary(h3.int_to_str(int(c))))[:, ::-1]
        ring = _unwrap_ring(ring)
        polys.append(split_antimeridian(shapely.Polygon(ring)))
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _unwrap_ring(ring: np.ndarray) -> np.ndarray:
    step = np.diff(ring[:, 0])
    out = ring.copy()
    out[1:, 0] = ring[0, 0] + np.cumsum(step - 360.0 * np.round(step / 360.0))
    return out


# -- operations ------------------------------------------------------------------------------

def buffer_km_geometry(geom: shapely.Geometry, distance_km: float) -> shapely.Geometry:
    """``geom`` grown by ``distance_km`` on the ground (negative shrinks polygons).

    Each part (tile of at most 20°) is projected with a spherical azimuthal equidistant
    projection centred on it, buffered there and projected back: distances within 0.5 % of
    the geodesic ones.
    """
    if distance_km == 0 or geom.is_empty:
        return geom
    pieces = []
    for part in shapely.get_parts(geom):
        minx, miny, maxx, maxy = part.bounds
        nx = max(1, int(np.ceil((maxx - minx) / _TILE_DEG)))
        ny = max(1, int(np.ceil((maxy - miny) / _TILE_DEG)))
        if nx * ny > 1 and distance_km > 0:
            xs = np.linspace(minx, maxx, nx + 1)
            ys = np.linspace(miny, maxy, ny + 1)
            tiles = [shapely.intersection(part, shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
                     for i in range(nx) for j in range(ny)]
        else:
            tiles = [part]
        for tile in tiles:
            if not tile.is_empty:
                pieces.append(_buffer_local(tile, distance_km))
    return keep_polygonal(split_antimeridian(shapely.union_all(pieces)))


def _buffer_local(geom: shapely.Geometry, distance_km: float) -> shapely.Geometry:
    c = geom.centroid if not geom.is_empty else shapely.Point(0, 0)
    lon0, lat0 = float(c.x), float(c.y)
    dense = shapely.segmentize(geom, _DENSIFY_DEG)
    proj = shapely.transform(dense, lambda xy: _aeqd_forward(xy, lon0, lat0))
    grown = shapely.buffer(proj, distance_km, quad_segs=16)
    grown = shapely.segmentize(grown, 5.0)
    return shapely.transform(grown, lambda xy: _aeqd_inverse(xy, lon0, lat0))


def _aeqd_forward(lonlat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    lam = np.deg2rad(lonlat[:, 0] - lon0)
    phi = np.deg2rad(lonlat[:, 1])
    p0 = np.deg2rad(lat0)
    cos_c = np.clip(np.sin(p0) * np.sin(phi) + np.cos(p0) * np.cos(phi) * np.cos(lam), -1, 1)
    c = np.arccos(cos_c)
    k = np.where(c > 1e-12, c / np.maximum(np.sin(c), 1e-300), 1.0)
    x = k * np.cos(phi) * np.sin(lam)
    y = k * (np.cos(p0) * np.sin(phi) - np.sin(p0) * np.cos(phi) * np.cos(lam))
    return np.column_stack([x, y]) * EARTH_MEAN_RADIUS_KM


def _aeqd_inverse(xy: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    x, y = xy[:, 0] / EARTH_MEAN_RADIUS_KM, xy[:, 1] / EARTH_MEAN_RADIUS_KM
    p0 = np.deg2rad(lat0)
    c = np.hypot(x, y)
    sc, cc = np.sin(c), np.cos(c)
    safe = np.where(c > 1e-12, c, 1.0)
    phi = np.arcsin(np.clip(cc * np.sin(p0) + np.where(c > 1e-12, y * sc * np.cos(p0) / safe, 0),
                            -1, 1))
    lam = np.arctan2(x * sc, c * np.cos(p0) * cc - y * np.sin(p0) * sc)
    lon = lon0 + np.rad2deg(lam)
    return np.column_stack([lon, np.rad2deg(phi)])


def geodesic_area_km2(geom: shapely.Geometry) -> float:
    """Area in km² on the sphere of mean radius: edges densified to 0.1°, then projected to
    Lambert's cylindrical equal-area projection (x = λ, y = sin φ, area = R² Δλ Δsin φ)."""
    if geom.is_empty:
        return 0.0
    lambert = shapely.transform(
        shapely.segmentize(geom, 0.1),
        lambda xy: np.column_stack([np.deg2rad(xy[:, 0]), np.sin(np.deg2rad(xy[:, 1]))]))
    return float(lambert.area) * EARTH_MEAN_RADIUS_KM**2
