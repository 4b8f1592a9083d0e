"""A lon/lat cell grid over many polygons, exact at borders (numba kernels, cache=True).

Each grid cell lists, for every region that touches it, either "the whole cell is inside" (a
fast answer) or the region's edges that touch the cell together with whether the cell centre is
inside. A point in such a boundary cell is then decided exactly: walk from the centre to the
point (first along the centre's latitude, then along the point's longitude) and flip the
centre's status at every edge crossed. Crossings use the same half-open rules as the scanline
that classified the centres, so the answer is the polygon's own for every point not lying on a
boundary line itself (to float64 rounding, a few nanometres); the grid never has the final
word in a boundary cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import shapely

from leonet.control.cache import digest, load_arrays, store_arrays

DEFAULT_RES_DEG = 0.25
_EPS = 1e-9  # cells an edge merely grazes are included (conservative rasterisation)


@dataclass(frozen=True, eq=False)
class GridIndex:
    """Cells of ``res_deg`` from (-180, -90); ``cell_start`` is a CSR over entries."""

    res_deg: float
    ncols: int
    nrows: int
    n_regions: int
    cell_start: np.ndarray  # int32 (ncols * nrows + 1,)
    e_region: np.ndarray  # int32 per entry
    e_state: np.ndarray  # int8: 0 cell inside, 1 boundary (centre out), 2 boundary (centre in)
    e_start: np.ndarray  # int32 first edge of a boundary entry
    e_end: np.ndarray  # int32 one past its last edge
    ex0: np.ndarray
    ey0: np.ndarray
    ex1: np.ndarray
    ey1: np.ndarray

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in ("cell_start", "e_region", "e_state",
                   "e_start", "e_end", "ex0", "ey0", "ex1", "ey1"))


def region_edges(geoms: list[shapely.Geometry]) -> tuple[np.ndarray, np.ndarray]:
    """All ring edges of polygonal ``geoms``: ``(edges (m, 4) x0 y0 x1 y1, region (m,))``."""
    out_e, out_r = [], []
    for k, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        rings = shapely.get_rings(shapely.get_parts(geom))
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same = ring_of[1:] == ring_of[:-1]
        e = np.column_stack([coords[:-1], coords[1:]])[same]
        out_e.append(e)
        out_r.append(np.full(e.shape[0], k, dtype=np.int32))
    if not out_e:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int32)
    return np.concatenate(out_e), np.concatenate(out_r)


def build_index(geoms: list[shapely.Geometry], res_deg: float = DEFAULT_RES_DEG,
                use_cache: bool = True) -> GridIndex:
    """The grid index of ``geoms`` (region ``k`` is ``geoms[k]``), from the user cache when
    the same edges were indexed before."""
    edges, reg = region_edges(geoms)
    n_regions = len(geoms)
    key = digest(edges, reg, str(res_deg), str(n_regions), "grid")
    if use_cache:
        cached = load_arrays("grid", key)
        if cached is not None:
            return _from_arrays(cached, res_deg, n_regions)
    arrays = _build(edges, reg, n_regions, res_deg)
    if use_cache:
        store_arrays("grid", key, arrays)
    return _from_arrays(arrays, res_deg, n_regions)


def _from_arrays(a: dict[str, np.ndarray], res_deg: float, n_regions: int) -> GridIndex:
    ncols = round(360.0 / res_deg)
    nrows = round(180.0 / res_deg)
    return GridIndex(res_deg, ncols, nrows, n_regions, a["cell_start"], a["e_region"],
                     a["e_state"], a["e_start"], a["e_end"], a["ex0"], a["ey0"], a["ex1"],
                     a["ey1"])


def _build(edges: np.ndarray, reg: np.ndarray, n_regions: int, res: float
           ) -> dict[str, np.ndarray]:
    ncols = round(360.0 / res)
    nrows = round(180.0 / res)
    x0, y0, x1, y1 = (np.ascontiguousarray(edges[:, i]) for i in range(4))
    nreg = np.int64(max(n_regions, 1))
    # Boundary entries: (cell, region, edge) for every cell an edge touches.
    cnt = _raster_count(x0, y0, x1, y1, res, ncols, nrows)
    cells = np.empty(int(cnt.sum()), dtype=np.int64)
    edge_id = np.empty_like(cells)
    _raster_fill(x0, y0, x1, y1, res, ncols, nrows, np.concatenate([[0], np.cumsum(cnt)]),
                 cells, edge_id)
    bkey = cells * nreg + reg[edge_id]
    order = np.argsort(bkey, kind="stable")
    bkey, edge_id = bkey[order], edge_id[order]
    ukey, first = np.unique(bkey, return_index=True)
    last = np.append(first[1:], bkey.size)
    # Cell centres inside each region, by scanline along every row's centre latitude.
    ncross = _cross_count(y0, y1, res, nrows)
    c_reg = np.empty(int(ncross.sum()), dtype=np.int64)
    c_row = np.empty_like(c_reg)
    c_x = np.empty(c_reg.size, dtype=np.float64)
    _cross_fill(x0, y0, x1, y1, reg, res, nrows, np.concatenate([[0], np.cumsum(ncross)]),
                c_reg, c_row, c_x)
    order = np.lexsort((c_x, c_row, c_reg))
    c_reg, c_row, c_x = c_reg[order], c_row[order], c_x[order]
    inside_key = _centre_keys(c_reg, c_row, c_x, res, ncols, nreg)
    inside_key = np.unique(inside_key)
    # Boundary entries know their centre status; interior cells are the other inside centres.
    centre_in = np.isin(ukey, inside_key, assume_unique=True)
    interior = np.setdiff1d(inside_key, ukey, assume_unique=True)
    all_key = np.concatenate([ukey, interior])
    state = np.concatenate([np.where(centre_in, 2, 1), np.zeros(interior.size)]).astype(np.int8)
    e_start = np.concatenate([first, np.zeros(interior.size, np.int64)]).astype(np.int32)
    e_end = np.concatenate([last, np.zeros(interior.size, np.int64)]).astype(np.int32)
    order = np.argsort(all_key, kind="stable")
    all_key, state, e_start, e_end = all_key[order], state[order], e_start[order], e_end[order]
    cell_of = all_key // nreg
    cell_start = np.searchsorted(cell_of, np.arange(ncols * nrows + 1)).astype(np.int32)
    return {
        "cell_start": cell_start, "e_region": (all_key % nreg).astype(np.int32),
        "e_state": state, "e_start": e_start, "e_end": e_end,
        "ex0": x0[edge_id], "ey0": y0[edge_id], "ex1": x1[edge_id], "ey1": y1[edge_id],
    }


@numba.njit(cache=True, inline="always")
def centre_lon(ix, res):
    return -180.0 + (ix + 0.5) * res


@numba.njit(cache=True, inline="always")
def centre_lat(iy, res):
    return -90.0 + (iy + 0.5) * res


@numba.njit(cache=True)
def _col_range(xa, xb, res, ncols):
    c0 = int(np.floor((xa + 180.0) / res - _EPS))
    c1 = int(np.floor((xb + 180.0) / res + _EPS))
    return max(c0, 0), min(c1, ncols - 1)


@numba.njit(cache=True)
def _edge_cells(x0, y0, x1, y1, res, ncols, nrows, out_cells, k, write):
    """Visit every cell the (closed) edge touches; return the count (writing when asked)."""
    n = 0
    c0, c1 = _col_range(min(x0, x1), max(x0, x1), res, ncols)
    for c in range(c0, c1 + 1):
        if x1 == x0:
            ya, yb = min(y0, y1), max(y0, y1)
        else:
            xs0 = -180.0 + c * res
            xs1 = xs0 + res
            ta = (xs0 - x0) / (x1 - x0)
            tb = (xs1 - x0) / (x1 - x0)
            ta, tb = min(max(min(ta, tb), 0.0), 1.0), min(max(max(ta, tb), 0.0), 1.0)
            ya, yb = y0 + ta * (y1 - y0), y0 + tb * (y1 - y0)
            ya, yb = min(ya, yb), max(ya, yb)
        r0 = max(int(np.floor((ya + 90.0) / res - _EPS)), 0)
        r1 = min(int(np.floor((yb + 90.0) / res + _EPS)), nrows - 1)
        for r in range(r0, r1 + 1):
            if write:
                out_cells[k + n] = np.int64(r) * ncols + c
            n += 1
    return n


@numba.njit(cache=True)
def _raster_count(x0, y0, x1, y1, res, ncols, nrows):
    out = np.empty(x0.size, dtype=np.int64)
    dummy = np.empty(0, dtype=np.int64)
    for i in range(x0.size):
        out[i] = _edge_cells(x0[i], y0[i], x1[i], y1[i], res, ncols, nrows, dummy, 0, False)
    return out


@numba.njit(cache=True)
def _raster_fill(x0, y0, x1, y1, res, ncols, nrows, start, cells, edge_id):
    for i in range(x0.size):
        n = _edge_cells(x0[i], y0[i], x1[i], y1[i], res, ncols, nrows, cells, start[i], True)
        for j in range(n):
            edge_id[start[i] + j] = i


@numba.njit(cache=True)
def _row_span(ya, yb, res, nrows):
    r0 = max(int(np.floor((min(ya, yb) + 90.0) / res - 0.5)) - 1, 0)
    r1 = min(int(np.floor((max(ya, yb) + 90.0) / res - 0.5)) + 1, nrows - 1)
    return r0, r1


@numba.njit(cache=True)
def _cross_count(y0, y1, res, nrows):
    out = np.zeros(y0.size, dtype=np.int64)
    for i in range(y0.size):
        r0, r1 = _row_span(y0[i], y1[i], res, nrows)
        for r in range(r0, r1 + 1):
            cy = centre_lat(r, res)
            if (y0[i] > cy) != (y1[i] > cy):
                out[i] += 1
    return out


@numba.njit(cache=True)
def _cross_fill(x0, y0, x1, y1, reg, res, nrows, start, c_reg, c_row, c_x):
    for i in range(y0.size):
        k = start[i]
        r0, r1 = _row_span(y0[i], y1[i], res, nrows)
        for r in range(r0, r1 + 1):
            cy = centre_lat(r, res)
            if (y0[i] > cy) != (y1[i] > cy):
                c_reg[k] = reg[i]
                c_row[k] = r
                c_x[k] = x0[i] + (cy - y0[i]) * (x1[i] - x0[i]) / (y1[i] - y0[i])
                k += 1


@numba.njit(cache=True)
def _centre_keys(c_reg, c_row, c_x, res, ncols, nreg):
    """Keys (cell * nreg + region) of cell centres with an odd number of crossings west of
    them, i.e. centres cx with x[2k] < cx <= x[2k+1] within one (region, row) run."""
    out = np.empty(0, dtype=np.int64)
    total = 0
    # First pass counts, second fills (keeps memory to the answer's size).
    for fill in (False, True):
        if fill:
            out = np.empty(total, dtype=np.int64)
        n = 0
        i = 0
        m = c_reg.size
        while i < m:
            j = i
            while j < m and c_reg[j] == c_reg[i] and c_row[j] == c_row[i]:
                j += 1
            for a in range(i, j - 1, 2):
                xa, xb = c_x[a], c_x[a + 1]
                c = max(int(np.floor((xa + 180.0) / res - 0.5)) - 1, 0)
                while c < ncols and centre_lon(c, res) <= xa:
                    c += 1
                while c < ncols and centre_lon(c, res) <= xb:
                    if fill:
                        out[n] = (np.int64(c_row[i]) * ncols + c) * nreg + c_reg[i]
                    n += 1
                    c += 1
            i = j
        total = n
    return out


@numba.njit(cache=True, inline="always")
def point_in_entry(px, py, ix, iy, res, state, s, e, ex0, ey0, ex1, ey1):
    """Whether (px, py) in cell (ix, iy) is inside the entry's region (see module docstring)."""
    if state == 0:
        return True
    cx = centre_lon(ix, res)
    cy = centre_lat(iy, res)
    inside = state == 2
    for k in range(s, e):
        x0, y0, x1, y1 = ex0[k], ey0[k], ex1[k], ey1[k]
        if (y0 > cy) != (y1 > cy):
            xc = x0 + (cy - y0) * (x1 - x0) / (y1 - y0)
            if (xc < px) != (xc < cx):
                inside = not inside
        if (x0 > px) != (x1 > px):
            yc = y0 + (px - x0) * (y1 - y0) / (x1 - x0)
            if (yc < py) != (yc < cy):
                inside = not inside
    return inside


@numba.njit(cache=True, inline="always")
def cell_of(lon, lat, res, ncols, nrows):
    ix = min(max(int(np.floor((lon + 180.0) / res)), 0), ncols - 1)
    iy = min(max(int(np.floor((lat + 90.0) / res)), 0), nrows - 1)
    return ix, iy


@numba.njit(cache=True, nogil=True)
def membership_kernel(lat, lon, res, ncols, nrows, cell_start, e_region, e_state, e_start,
                      e_end, ex0, ey0, ex1, ey1, out):
    """``out[i, r]`` = point i is in region r (out zeroed by the caller)."""
    for i in range(lat.size):
        ix, iy = cell_of(lon[i], lat[i], res, ncols, nrows)
        cell = iy * ncols + ix
        for k in range(cell_start[cell], cell_start[cell + 1]):
            if point_in_entry(lon[i], lat[i], ix, iy, res, e_state[k], e_start[k], e_end[k],
                              ex0, ey0, ex1, ey1):
                out[i, e_region[k]] = True


def membership(index: GridIndex, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """``(n, n_regions)`` booleans: which regions hold each point (lon in -180..180)."""
    lat = np.ascontiguousarray(lat_deg, dtype=np.float64).ravel()
    lon = np.ascontiguousarray(lon_deg, dtype=np.float64).ravel()
    out = np.zeros((lat.size, index.n_regions), dtype=np.bool_)
    membership_kernel(lat, lon, index.res_deg, index.ncols, index.nrows, index.cell_start,
                      index.e_region, index.e_state, index.e_start, index.e_end, index.ex0,
                      index.ey0, index.ex1, index.ey1, out)
    return out
