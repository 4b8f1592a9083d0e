"""Territorial waters: which land region's sea a point at sea belongs to, and how far out.

A coastal state's territory includes its territorial sea, the belt within 12 nautical miles of
its coast (UNCLOS art. 3; 1 nmi = 1.852 km exactly, so 22.224 km). The shipped boundary
edition is land only, so a point at sea, in a harbour or an estuary cut out of the 1:10m land
is given to the land unit whose coast is nearest, when that coast is within the distance.
Where two belts overlap (straits, bays shared by neighbours) the nearest coast decides: the
equidistance line of UNCLOS art. 15. Only points outside every land polygon are ever given
water, so land borders do not move and land in no polygon stays in none.

Land units are the labeller's partition (`leonet.control.labels`): each disputed area minus
the smaller ones inside it, then each country minus its disputed areas; so the harbour of
Sevastopol goes to ``crimea``, and Crimea's waters to Ukraine's region too (the edition puts
Crimea in Ukraine). Lakes are not cut out of the edition's polygons (the boundary through Lake
Geneva or Lake Constance is drawn in the water), so inland water enclosed by a country's land
is already inside its polygon; the edition's only holes are enclaves (Lesotho, San Marino).

Distances are exact to metres: candidate coast edges come from a 0.25° bucket grid, and each
candidate is measured in an azimuthal equidistant projection centred on the point (exact
distance to every vertex; edges are cut to <= 0.05° first, so the straight segment between
projected vertices is the coast to well under a metre).

>>> unit, km = nearest_coast([44.6167], [33.5254], TERRITORIAL_SEA_KM)
>>> str(unit_names()[unit[0]]), bool(km[0] < 5)
('crimea', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numba
import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.control.cache import digest, load_arrays, store_arrays
from leonet.control.gridindex import edge_cells, region_edges
from leonet.control.regions import disputed_ids, disputed_parents, disputed_region
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM

NMI_KM = 1.852  # international nautical mile (1929), exact
TERRITORIAL_SEA_KM = 12 * NMI_KM  # UNCLOS art. 3
# The largest distance a policy may give: the contiguous zone (24 nmi, UNCLOS art. 33), the
# farthest a coastal state controls anything short of the EEZ; it also bounds the search per
# point (a few grid cells around it).
MAX_WATERS_KM = 24 * NMI_KM
_RES_DEG = 0.25
_SEGMENT_DEG = 0.05


@dataclass(frozen=True, eq=False)
class CoastGrid:
    """Land units' coast edges (``edges``: x0, y0, x1, y1 in degrees; ``unit``: int32 each),
    bucketed by ``res_deg`` cell: ``cell_start`` is a CSR over ``cell_edge``, the numbers of
    the edges touching each cell. ``key`` names the edition and layout they came from."""

    res_deg: float
    ncols: int
    nrows: int
    cell_start: np.ndarray
    cell_edge: np.ndarray
    edges: np.ndarray
    unit: np.ndarray
    key: str


@cache
def _units() -> tuple[tuple[str, ...], tuple[str, ...], list[shapely.Geometry]]:
    """``(names, country code of each, disjoint geometries)`` in the labeller's order:
    disputed areas smallest first, then countries."""
    regions = sorted((disputed_region(i) for i in dict.fromkeys(disputed_ids().values())),
                     key=lambda r: r.geometry.area)
    table = countries()
    names = [r.ref for r in regions] + [str(c) for c in table.code]
    geoms = [r.geometry for r in regions] + list(table.geometry)
    disjoint = []
    for k, geom in enumerate(geoms):
        # Only the disputed areas before it can overlap it (countries do not overlap).
        earlier = [g for g in geoms[:min(k, len(regions))] if g.intersects(geom)]
        disjoint.append(shapely.difference(geom, shapely.union_all(earlier)) if earlier
                        else geom)
    parents = disputed_parents()
    code_of = {}
    for r in regions:
        top = r.ref
        while top in parents:
            top = parents[top]
        # A disputed area belongs to the country holding most of it in the edition.
        code_of[r.ref] = max(table.code, key=lambda c, g=r.geometry: shapely.area(
            shapely.intersection(g, table.geometry[table.index(c)]))
            if table.geometry[table.index(c)].intersects(g) else 0.0)
    codes = [code_of.get(n, n) for n in names]
    return tuple(names), tuple(str(c) for c in codes), disjoint


def unit_names() -> np.ndarray:
    """The land units' names (the labeller's region names), index = unit number."""
    return np.array(_units()[0], dtype=object)


def unit_countries() -> np.ndarray:
    """The country code holding each land unit (``crimea`` -> ``UA`` in this edition)."""
    return np.array(_units()[1], dtype=object)


@cache
def coast_grid() -> CoastGrid:
    """The bucket grid of every land unit's edges (built once, cached on disk by content)."""
    key = digest(*[shapely.get_coordinates(g) for g in _units()[2]], "".join(_units()[0]),
                 f"res={_RES_DEG} seg={_SEGMENT_DEG}", "coast edges, cell csr; no cut lines")
    arrays = load_arrays("coast", key)
    if arrays is None:
        edges, unit = _coast_edges()
        cells, edge_id = edge_cells(edges, _RES_DEG)
        order = np.argsort(cells, kind="stable")
        cells, edge_id = cells[order], edge_id[order]
        ncells = round(360.0 / _RES_DEG) * round(180.0 / _RES_DEG)
        arrays = {"cell_start": np.searchsorted(cells, np.arange(ncells + 1)).astype(np.int64),
                  "cell_edge": edge_id.astype(np.int32),
                  "edges": np.ascontiguousarray(edges), "unit": unit.astype(np.int32)}
        store_arrays("coast", key, arrays)
    return CoastGrid(_RES_DEG, round(360.0 / _RES_DEG), round(180.0 / _RES_DEG),
                     arrays["cell_start"], arrays["cell_edge"], arrays["edges"],
                     arrays["unit"], key)


def _coast_edges() -> tuple[np.ndarray, np.ndarray]:
    """Edges of the land units that face the sea, cut to at most `_SEGMENT_DEG`.

    An edge two units share (a land border, drawn once in each direction) can never be the
    nearest land to a point at sea before a coast edge is, so it is left out; so are the
    edges along the South Pole and the antimeridian, where the edition cuts and closes
    polygons (Antarctica, Chukotka, Fiji): lines over land from coast to coast, never nearer
    to a point at sea than the coast they join, they only made the cells along them look
    coastal."""
    edges, unit = region_edges(_units()[2])
    fwd = np.ascontiguousarray(edges).view([("a", "f8", 4)]).ravel()
    rev = np.ascontiguousarray(edges[:, [2, 3, 0, 1]]).view([("a", "f8", 4)]).ravel()
    pole = (np.abs(edges[:, 1]) > 89.99) & (np.abs(edges[:, 3]) > 89.99)
    cut = (np.abs(edges[:, 0]) > 179.99999) & (edges[:, 0] == edges[:, 2])
    coast = ~np.isin(fwd, rev) & ~pole & ~cut
    edges, unit = edges[coast], unit[coast]
    span = np.maximum(np.abs(edges[:, 2] - edges[:, 0]), np.abs(edges[:, 3] - edges[:, 1]))
    parts = np.maximum(np.ceil(span / _SEGMENT_DEG), 1).astype(np.int64)
    owner = np.repeat(np.arange(edges.shape[0]), parts)
    step = np.arange(owner.size) - np.repeat(np.cumsum(parts) - parts, parts)
    t0, t1 = step / parts[owner], (step + 1) / parts[owner]
    e = edges[owner]
    out = np.column_stack([e[:, 0] + t0 * (e[:, 2] - e[:, 0]), e[:, 1] + t0 * (e[:, 3] - e[:, 1]),
                           e[:, 0] + t1 * (e[:, 2] - e[:, 0]), e[:, 1] + t1 * (e[:, 3] - e[:, 1])])
    return out, unit[owner]


@cache
def near_coast_cells(distance_km: float) -> np.ndarray:
    """Per grid cell (numpy packbits order): whether any coast lies within ``distance_km`` of
    it. A point whose cell is not flagged is deep inland or out on the high seas either way."""
    g = coast_grid()
    has = (np.diff(g.cell_start) > 0).reshape(g.nrows, g.ncols)
    dlat = check_waters_km(distance_km) / (np.pi / 180.0 * EARTH_MEAN_RADIUS_KM)
    near = has.copy()
    rows = int(np.ceil(dlat / g.res_deg))
    for dr in range(1, rows + 1):  # shifted along the meridians, not around the poles
        near[dr:] |= has[:-dr]
        near[:-dr] |= has[dr:]
    out = near.copy()
    lat_top = np.minimum(np.abs(-90.0 + (np.arange(g.nrows) + 0.5) * g.res_deg) + g.res_deg
                         + dlat, 90.0)
    span = np.where(lat_top > 89.0, g.ncols,
                    np.ceil(dlat / np.cos(np.deg2rad(np.minimum(lat_top, 89.0))) / g.res_deg))
    for dc in range(1, int(span.max()) + 1):
        if dc > g.ncols // 2:
            out[span >= dc] = True
            break
        rowmask = (span >= dc)[:, None]
        out |= rowmask & (np.roll(near, dc, axis=1) | np.roll(near, -dc, axis=1))
    return np.packbits(out.ravel())


def region_units(kind: str, ref: str) -> np.ndarray:
    """The land units whose waters a built-in region takes: a country's units (its disputed
    areas' included), a disputed area's own units and those of the areas within it. Other
    regions (GeoJSON, H3, policy areas) are taken as drawn and take no waters."""
    names, codes, _ = _units()
    if kind == "country":
        return np.array([k for k, c in enumerate(codes) if c == ref], dtype=np.int32)
    if kind != "disputed":
        return np.zeros(0, dtype=np.int32)
    parents = disputed_parents()

    def within(name: str) -> bool:
        while name != ref and name in parents:
            name = parents[name]
        return name == ref

    return np.array([k for k, n in enumerate(names) if within(n)], dtype=np.int32)


def check_waters_km(distance_km: float) -> float:
    """``distance_km`` if it is a usable territorial-sea width (0 = land only)."""
    if not 0.0 <= distance_km <= MAX_WATERS_KM:
        raise ValueError(f"waters distance must be between 0 and {MAX_WATERS_KM:g} km "
                         f"(24 nmi), got {distance_km!r}")
    return distance_km


def nearest_coast(lat_deg, lon_deg, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the land unit whose coast is nearest within ``max_km`` (-1 if none)
    and the distance to it in km (inf if none). Meant for points outside all land: for a
    point on land it measures the distance to its nearest boundary line."""
    check_waters_km(max_km)
    lat = np.ascontiguousarray(np.asarray(lat_deg, dtype=np.float64).ravel())
    lon = np.ascontiguousarray(np.asarray(lon_deg, dtype=np.float64).ravel())
    unit = np.full(lat.size, -1, dtype=np.int32)
    dist = np.full(lat.size, np.inf)
    if max_km > 0 and lat.size:
        g = coast_grid()
        _nearest_kernel(lat, lon, max_km, g.res_deg, g.ncols, g.nrows, g.cell_start,
                        g.cell_edge, g.edges, g.unit, unit, dist)
    return unit, dist


@numba.njit(cache=True, error_model="numpy", inline="always")
def aeqd_km(lat0, coslat0, sinlat0, lon0, lat, lon):
    """Spherical azimuthal equidistant x, y (km) of (lat, lon) about (lat0, lon0): the same
    projection as `leonet.control.regions` buffers in, one point at a time."""
    p = np.deg2rad(lat)
    lam = np.deg2rad(lon - lon0)
    sp, cp, cl = np.sin(p), np.cos(p), np.cos(lam)
    cos_c = min(max(sinlat0 * sp + coslat0 * cp * cl, -1.0), 1.0)
    c = np.arccos(cos_c)
    k = c / np.sin(c) if c > 1e-12 else 1.0
    r = EARTH_MEAN_RADIUS_KM * k
    return r * cp * np.sin(lam), r * (coslat0 * sp - sinlat0 * cp * cl)


@numba.njit(cache=True, error_model="numpy", inline="always")
def origin_segment_km(ax, ay, bx, by):
    """Distance from the origin to the segment a-b in the plane."""
    dx, dy = bx - ax, by - ay
    ll = dx * dx + dy * dy
    t = 0.0 if ll == 0.0 else min(max(-(ax * dx + ay * dy) / ll, 0.0), 1.0)
    x, y = ax + t * dx, ay + t * dy
    return np.sqrt(x * x + y * y)


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _nearest_kernel(lat, lon, max_km, res, ncols, nrows, cell_start, cell_edge, edges, unit_of,
                    unit, dist):
    for i in range(lat.size):
        if np.isfinite(lat[i]) and np.isfinite(lon[i]):
            u, d = nearest_one(lat[i], lon[i], max_km, res, ncols, nrows, cell_start,
                               cell_edge, edges, unit_of, False)
            if u >= 0:
                unit[i] = u
                dist[i] = d


@numba.njit(cache=True, error_model="numpy", nogil=True)
def nearest_one(la, lo, max_km, res, ncols, nrows, cell_start, cell_edge, edges, unit_of,
                first_hit):
    """`nearest_coast` for one (finite) point over `CoastGrid` arrays: ``(unit, km)``,
    ``(-1, max_km)`` when no coast is nearer than ``max_km``. With ``first_hit``, the first
    coast found within ``max_km`` is returned, nearest or not (for a caller who knows only
    one unit can be within it)."""
    km_deg = np.pi / 180.0 * EARTH_MEAN_RADIUS_KM
    dlat = max_km / km_deg
    lo = (lo + 180.0) % 360.0 - 180.0
    top = min(abs(la) + dlat, 90.0)
    r0 = max(int(np.floor((la - dlat + 90.0) / res)), 0)
    r1 = min(int(np.floor((la + dlat + 90.0) / res)), nrows - 1)
    # Near a pole every longitude is close.
    ncol_span = (ncols if top > 89.0
                 else int(np.ceil(dlat / np.cos(np.deg2rad(top)) / res)) * 2 + 3)
    c_mid = int(np.floor((lo + 180.0) / res))
    p0 = np.deg2rad(la)
    s0, c0 = np.sin(p0), np.cos(p0)
    best = max_km
    best_u = -1
    # Cheap screen: equirectangular distance about the point. Its east-west scale is the
    # point's, off by a relative |dlat| tan(lat) at a vertex dlat away, so within the
    # search radius it errs by under ``slack`` (twice that, plus 0.5 %).
    kx = km_deg * c0
    slack = 1.005 + 2.0 * np.deg2rad(dlat) * np.tan(np.deg2rad(min(top, 89.0)))
    # The point's own cell first, so that a near coast tightens ``best`` at once and
    # the cells around it are mostly skipped by their distance alone.
    r_own = min(max(int(np.floor((la + 90.0) / res)), 0), nrows - 1)
    for step in range(r1 - r0 + 2):
        r = r_own if step == 0 else r0 + step - 1
        if step > 0 and r == r_own:
            continue
        # Least distance from the point to the row's band of latitudes.
        band_lo = -90.0 + r * res
        dy = max(band_lo - la, la - band_lo - res, 0.0) * km_deg
        if top <= 89.0 and dy > best * slack + 0.01:
            continue
        for q in range(min(ncol_span, ncols)):
            c = (c_mid - ncol_span // 2 + q) % ncols if ncol_span < ncols else q
            cell = r * ncols + c
            if cell_start[cell] == cell_start[cell + 1]:
                continue
            if top <= 89.0:
                cx = -180.0 + c * res
                ddx = (cx - lo + 540.0) % 360.0 - 180.0  # west edge relative to the point
                gap = max(ddx, -ddx - res, 0.0) * kx
                if np.sqrt(gap * gap + dy * dy) > best * slack + 0.01:
                    continue
            for k in range(cell_start[cell], cell_start[cell + 1]):
                e = cell_edge[k]
                x0, y0, x1, y1 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
                ax = ((x0 - lo + 540.0) % 360.0 - 180.0) * kx
                bx = ((x1 - lo + 540.0) % 360.0 - 180.0) * kx
                d = origin_segment_km(ax, (y0 - la) * km_deg, bx, (y1 - la) * km_deg)
                if top <= 89.0 and d > best * slack + 0.01:
                    continue
                px, py = aeqd_km(la, c0, s0, lo, y0, x0)
                qx, qy = aeqd_km(la, c0, s0, lo, y1, x1)
                d = origin_segment_km(px, py, qx, qy)
                if d < best or (d == best and best_u >= 0 and unit_of[e] < best_u):
                    best = d
                    best_u = unit_of[e]
                    if first_hit:
                        return best_u, best
    return best_u, best
