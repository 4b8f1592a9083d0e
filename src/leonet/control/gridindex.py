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
FINE = 8  # sub-cells per side of a refined cell (0.03125°, about 3.5 km)
REFINE_EDGES = 8
REFINED = np.int64(1) << np.int64(62)
_EPS = 1e-9  # cells an edge merely grazes are included (conservative rasterisation)


@dataclass(frozen=True, eq=False)
class GridIndex:
    """Cells of ``res_deg`` from (-180, -90); ``cell_start`` is a CSR over ``entries``.

    Arrays are packed for the memory system, as random points touch them at random: one entry
    is one int32 row ``(region, state, first edge, end edge)`` with state 0 = the cell is
    inside, 1 = boundary cell with its centre outside, 2 = boundary cell with its centre inside;
    a boundary entry's edges are consecutive rows ``(x0, y0, x1, y1)`` of ``edges``. A bit per
    cell (``occupied``, cache-resident) spares the open ocean any other memory access, and
    ``cell_code`` answers the commonest land case, a cell wholly inside exactly one region, in
    one read: ``-(region + 2)``; ``-1`` is an empty cell; otherwise it is ``first entry << 16 |
    entry count``. A cell crossed by more than `REFINE_EDGES` edges is split into `FINE` x
    `FINE` sub-cells (``cell_code = REFINED | block``, sub-cell codes in ``fine_code``), so an
    exact test near a crinkly coast walks a handful of edges rather than dozens.
    """

    res_deg: float
    ncols: int
    nrows: int
    n_regions: int
    fine: int  # sub-cells per side of a refined cell (FINE when built)
    cell_code: np.ndarray  # int64 (ncols * nrows,)
    fine_code: np.ndarray  # int64 (blocks * FINE * FINE,)
    occupied: np.ndarray  # uint8 bit per cell (numpy packbits order)
    entries: np.ndarray  # int32 (m, 4)
    edges: np.ndarray  # float64 (k, 4)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.cell_code, self.fine_code, self.occupied,
                                      self.entries, self.edges))


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


def edge_cells(edges: np.ndarray, res_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(cell, edge)`` pair of a conservative rasterisation of ``edges`` (m, 4) onto
    the ``res_deg`` grid: cell numbers ``row * ncols + col``."""
    ncols, nrows = round(360.0 / res_deg), round(180.0 / res_deg)
    x0, y0, x1, y1 = (np.ascontiguousarray(edges[:, i]) for i in range(4))
    cnt = _raster_count(x0, y0, x1, y1, res_deg, ncols, nrows)
    cells = np.empty(int(cnt.sum()), dtype=np.int64)
    edge_id = np.empty_like(cells)
    _raster_fill(x0, y0, x1, y1, res_deg, ncols, nrows, np.concatenate([[0], np.cumsum(cnt)]),
                 cells, edge_id)
    return cells, edge_id


def build_index(geoms: list[shapely.Geometry], res_deg: float = DEFAULT_RES_DEG,
                use_cache: bool = True) -> GridIndex:
    """The grid index of ``geoms`` (region ``k`` is ``geoms[k]``), from the user cache when
    the same edges were indexed before."""
    edges, reg = region_edges(geoms)
    n_regions = len(geoms)
    # Every constant that shapes the index is part of the key, so no stale layout is read.
    key = digest(edges, reg, f"res={res_deg} fine={FINE} refine={REFINE_EDGES} eps={_EPS}",
                 str(n_regions), "grid")
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
    return GridIndex(res_deg, ncols, nrows, n_regions, FINE, a["cell_code"], a["fine_code"],
                     np.packbits(a["cell_code"] != -1), a["entries"], a["edges"])


def _codes(start: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """Cell codes (see `GridIndex`) of CSR ``start`` over ``entries``."""
    start = start.astype(np.int64)
    count = np.diff(start)
    if count.max(initial=0) >= 1 << 16:
        raise ValueError("more than 65535 regions meet in one grid cell")
    code = (start[:-1] << 16) | count
    if entries.shape[0]:
        first = entries[np.minimum(start[:-1], entries.shape[0] - 1)]
        single = (count == 1) & (first[:, 1] == 0)
        code[single] = -(first[single, 0].astype(np.int64) + 2)
    code[count == 0] = -1
    return code


def refine_cells(cells: np.ndarray, first: np.ndarray, end: np.ndarray, entries: np.ndarray,
                 edges: np.ndarray, res_deg: float, ncols: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`FINE` x `FINE` sub-cell entries of ``cells`` whose coarse entries are rows
    ``first[b]:end[b]`` of ``entries`` (edges in ``edges``): ``(sub-cell entries, their edges,
    CSR start per sub-cell)``, sub-cell ``(b * FINE + sy) * FINE + sx`` of block b. The
    entries' edge numbers count from the start of the returned edges."""
    counts = np.zeros((cells.size * FINE * FINE, 2), dtype=np.int64)
    _refine(cells, first, end, entries, edges, res_deg, ncols, counts,
            np.zeros((0, 4), np.int32), np.zeros((0, 4)), np.zeros(counts.shape[0], np.int64),
            False)
    tot = counts.sum(axis=0)
    f_entries = np.zeros((int(tot[0]), 4), dtype=np.int32)
    f_edges = np.zeros((int(tot[1]), 4), dtype=np.float64)
    f_start = np.zeros(counts.shape[0], dtype=np.int64)
    _refine(cells, first, end, entries, edges, res_deg, ncols, counts, f_entries, f_edges,
            f_start, True)
    return f_entries, f_edges, np.append(f_start, f_entries.shape[0])


def _build(edges: np.ndarray, reg: np.ndarray, n_regions: int, res: float
           ) -> dict[str, np.ndarray]:
    ncols = round(360.0 / res)
    nrows = round(180.0 / res)
    x0, y0, x1, y1 = (np.ascontiguousarray(edges[:, i]) for i in range(4))
    nreg = np.int64(max(n_regions, 1))
    # Boundary entries: (cell, region, edge) for every cell an edge touches.
    cells, edge_id = edge_cells(edges, res)
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
    entries = np.ascontiguousarray(
        np.column_stack([all_key % nreg, state, e_start, e_end]).astype(np.int32))
    edges = np.ascontiguousarray(
        np.column_stack([x0[edge_id], y0[edge_id], x1[edge_id], y1[edge_id]]))
    code = _codes(cell_start, entries)
    # Refine crinkly cells: count the edges each cell's boundary entries hold.
    n_edges = np.where(entries[:, 1] > 0, entries[:, 3] - entries[:, 2], 0).astype(np.int64)
    csum = np.concatenate([[0], np.cumsum(n_edges)])
    per_cell = csum[cell_start[1:]] - csum[cell_start[:-1]]
    cells = np.flatnonzero(per_cell > REFINE_EDGES)
    f_entries, f_edges, f_csr = refine_cells(cells, cell_start[cells], cell_start[cells + 1],
                                             entries, edges, res, ncols)
    f_entries[:, 2:] += edges.shape[0]  # fine edges follow the coarse ones
    fine_code = _codes(f_csr + entries.shape[0], np.concatenate([entries, f_entries]))
    code[cells] = REFINED | np.arange(cells.size, dtype=np.int64)
    return {"cell_code": code, "fine_code": fine_code,
            "entries": np.ascontiguousarray(np.concatenate([entries, f_entries])),
            "edges": np.ascontiguousarray(np.concatenate([edges, f_edges]))}


@numba.njit(cache=True, error_model="numpy", inline="always")
def centre_lon(ix, res):
    return -180.0 + (ix + 0.5) * res


@numba.njit(cache=True, error_model="numpy", inline="always")
def centre_lat(iy, res):
    return -90.0 + (iy + 0.5) * res


@numba.njit(cache=True, error_model="numpy")
def _col_range(xa, xb, res, ncols):
    c0 = int(np.floor((xa + 180.0) / res - _EPS))
    c1 = int(np.floor((xb + 180.0) / res + _EPS))
    return max(c0, 0), min(c1, ncols - 1)


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
def _raster_count(x0, y0, x1, y1, res, ncols, nrows):
    out = np.empty(x0.size, dtype=np.int64)
    dummy = np.empty(0, dtype=np.int64)
    for i in range(x0.size):
        out[i] = _edge_cells(x0[i], y0[i], x1[i], y1[i], res, ncols, nrows, dummy, 0, False)
    return out


@numba.njit(cache=True, error_model="numpy")
def _raster_fill(x0, y0, x1, y1, res, ncols, nrows, start, cells, edge_id):
    for i in range(x0.size):
        n = _edge_cells(x0[i], y0[i], x1[i], y1[i], res, ncols, nrows, cells, start[i], True)
        for j in range(n):
            edge_id[start[i] + j] = i


@numba.njit(cache=True, error_model="numpy")
def _row_span(ya, yb, res, nrows):
    r0 = max(int(np.floor((min(ya, yb) + 90.0) / res - 0.5)) - 1, 0)
    r1 = min(int(np.floor((max(ya, yb) + 90.0) / res - 0.5)) + 1, nrows - 1)
    return r0, r1


@numba.njit(cache=True, error_model="numpy")
def _cross_count(y0, y1, res, nrows):
    out = np.zeros(y0.size, dtype=np.int64)
    for i in range(y0.size):
        r0, r1 = _row_span(y0[i], y1[i], res, nrows)
        for r in range(r0, r1 + 1):
            cy = centre_lat(r, res)
            if (y0[i] > cy) != (y1[i] > cy):
                out[i] += 1
    return out


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy")
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


@numba.njit(cache=True, error_model="numpy", inline="always")
def point_in_entry(px, py, ix, iy, res, entries, k, edges):
    """Whether (px, py) in cell (ix, iy) is inside entry k's region (see module docstring)."""
    state = entries[k, 1]
    if state == 0:
        return True
    cx = centre_lon(ix, res)
    cy = centre_lat(iy, res)
    inside = state == 2
    for e in range(entries[k, 2], entries[k, 3]):
        x0, y0, x1, y1 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
        if (y0 > cy) != (y1 > cy):
            xc = x0 + (cy - y0) * (x1 - x0) / (y1 - y0)
            if (xc < px) != (xc < cx):
                inside = not inside
        if (x0 > px) != (x1 > px):
            yc = y0 + (px - x0) * (y1 - y0) / (x1 - x0)
            if (yc < py) != (yc < cy):
                inside = not inside
    return inside


@numba.njit(cache=True, error_model="numpy", inline="always")
def is_occupied(occupied, cell):
    return (occupied[cell >> 3] >> (7 - (cell & 7))) & 1


@numba.njit(cache=True, error_model="numpy", inline="always")
def _touches(x0, y0, x1, y1, bx0, bx1, by0, by1):
    """Whether the edge meets the closed box (grown by _EPS): conservative."""
    xa, xb = min(x0, x1), max(x0, x1)
    if xb < bx0 - _EPS or xa > bx1 + _EPS:
        return False
    if x1 == x0:
        ya, yb = min(y0, y1), max(y0, y1)
    else:
        ta = (bx0 - _EPS - x0) / (x1 - x0)
        tb = (bx1 + _EPS - x0) / (x1 - x0)
        ta, tb = min(max(min(ta, tb), 0.0), 1.0), min(max(max(ta, tb), 0.0), 1.0)
        ya, yb = y0 + ta * (y1 - y0), y0 + tb * (y1 - y0)
        ya, yb = min(ya, yb), max(ya, yb)
    return not (yb < by0 - _EPS or ya > by1 + _EPS)


@numba.njit(cache=True, error_model="numpy")
def _refine(cells, first, end, entries, edges, res, ncols, counts, f_entries, f_edges, f_start,
            fill):
    """Sub-cell entries of refined cells: a sub-cell centre's status is walked from the cell
    centre with the cell's own edges (the same exact rule the queries use); a sub-cell keeps
    the edges that touch it. First pass counts (per sub-cell), second fills."""
    rf = res / FINE
    ne = 0
    ee = 0
    for b in range(cells.size):
        c = cells[b]
        ix = c % ncols
        iy = c // ncols
        for sy in range(FINE):
            for sx in range(FINE):
                sub = (b * FINE + sy) * FINE + sx
                fx = ix * FINE + sx
                fy = iy * FINE + sy
                bx0 = -180.0 + fx * rf
                by0 = -90.0 + fy * rf
                cxf = centre_lon(fx, rf)
                cyf = centre_lat(fy, rf)
                if fill:
                    f_start[sub] = ne
                for k in range(first[b], end[b]):
                    r = entries[k, 0]
                    if entries[k, 1] == 0:
                        if fill:
                            f_entries[ne, 0] = r
                        ne += 1
                        continue
                    e0 = ee
                    for e in range(entries[k, 2], entries[k, 3]):
                        if _touches(edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3],
                                    bx0, bx0 + rf, by0, by0 + rf):
                            if fill:
                                f_edges[ee, :] = edges[e, :]
                            ee += 1
                    inside = point_in_entry(cxf, cyf, ix, iy, res, entries, k, edges)
                    if ee == e0 and not inside:
                        continue
                    if fill:
                        f_entries[ne, 0] = r
                        f_entries[ne, 1] = 0 if ee == e0 else (2 if inside else 1)
                        f_entries[ne, 2] = e0
                        f_entries[ne, 3] = ee
                    ne += 1
                if not fill:
                    counts[sub, 0] = ne
                    counts[sub, 1] = ee
                    ne = 0
                    ee = 0


@numba.njit(cache=True, error_model="numpy", inline="always")
def code_at(px, py, res, ncols, nrows, cell_code, occupied, fine_code, fine):
    """The code of the (sub-)cell holding (px, py), and whether it is a sub-cell. ``fine`` is
    an argument, not the global, so a kernel compiled (and cached by numba) in another module
    can never disagree with the index it reads."""
    ix, iy = cell_of(px, py, res, ncols, nrows)
    cell = iy * ncols + ix
    if not is_occupied(occupied, cell):
        return np.int64(-1), False
    code = cell_code[cell]
    if code < REFINED:
        return code, False
    rf = res / fine
    fx = min(max(int(np.floor((px + 180.0) / rf)), ix * fine), ix * fine + fine - 1)
    fy = min(max(int(np.floor((py + 90.0) / rf)), iy * fine), iy * fine + fine - 1)
    return fine_code[((code - REFINED) * fine + fy - iy * fine) * fine + fx - ix * fine], True


@numba.njit(cache=True, error_model="numpy", inline="always")
def regions_from_code(px, py, code, in_sub, fine, res, ncols, nrows, entries, edges, touched):
    """Fill ``touched`` with the regions holding (px, py) given its cell code; return how
    many."""
    if code == -1:
        return 0
    if code <= -2:  # wholly inside exactly one region
        touched[0] = -code - 2
        return 1
    if in_sub:
        res = res / fine
        ncols *= fine
        nrows *= fine
    ix, iy = cell_of(px, py, res, ncols, nrows)
    nt = 0
    for k in range(code >> 16, (code >> 16) + (code & 0xFFFF)):
        if point_in_entry(px, py, ix, iy, res, entries, k, edges):
            touched[nt] = entries[k, 0]
            nt += 1
    return nt


@numba.njit(cache=True, error_model="numpy", inline="always")
def cell_of(lon, lat, res, ncols, nrows):
    ix = min(max(int(np.floor((lon + 180.0) / res)), 0), ncols - 1)
    iy = min(max(int(np.floor((lat + 90.0) / res)), 0), nrows - 1)
    return ix, iy


@numba.njit(cache=True, error_model="numpy", nogil=True)
def membership_kernel(lat, lon, res, ncols, nrows, fine, cell_code, occupied, fine_code,
                      entries, edges, out):
    """``out[i, r]`` = point i is in region r (out zeroed by the caller)."""
    touched = np.empty(max(out.shape[1], 1), dtype=np.int32)
    for i in range(lat.size):
        code, in_sub = code_at(lon[i], lat[i], res, ncols, nrows, cell_code, occupied,
                               fine_code, fine)
        nt = regions_from_code(lon[i], lat[i], code, in_sub, fine, res, ncols, nrows, entries,
                               edges, touched)
        for q in range(nt):
            out[i, touched[q]] = True


def membership(index: GridIndex, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """``(n, n_regions)`` booleans: which regions hold each point (lon in -180..180)."""
    lat = np.ascontiguousarray(lat_deg, dtype=np.float64).ravel()
    lon = np.ascontiguousarray(lon_deg, dtype=np.float64).ravel()
    out = np.zeros((lat.size, index.n_regions), dtype=np.bool_)
    membership_kernel(lat, lon, index.res_deg, index.ncols, index.nrows, index.fine,
                      index.cell_code, index.occupied, index.fine_code, index.entries,
                      index.edges, out)
    return out


@numba.njit(cache=True, error_model="numpy", nogil=True)
def first_region_kernel(lat, lon, res, ncols, nrows, fine, cell_code, occupied, fine_code,
                        entries, edges, n_regions, out):
    """``out[i]`` = the lowest-numbered region holding point i, -1 for none."""
    touched = np.empty(max(n_regions, 1), dtype=np.int32)
    for i in range(lat.size):
        code, in_sub = code_at(lon[i], lat[i], res, ncols, nrows, cell_code, occupied,
                               fine_code, fine)
        nt = regions_from_code(lon[i], lat[i], code, in_sub, fine, res, ncols, nrows, entries,
                               edges, touched)
        best = -1
        for q in range(nt):
            if best < 0 or touched[q] < best:
                best = touched[q]
        out[i] = best


def first_region(index: GridIndex, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """The lowest-numbered region holding each point (int32, -1 for none): `membership`'s
    first true column, without the ``(n, n_regions)`` table (lon in -180..180)."""
    lat = np.ascontiguousarray(lat_deg, dtype=np.float64).ravel()
    lon = np.ascontiguousarray(lon_deg, dtype=np.float64).ravel()
    out = np.empty(lat.size, dtype=np.int32)
    first_region_kernel(lat, lon, index.res_deg, index.ncols, index.nrows, index.fine,
                        index.cell_code, index.occupied, index.fine_code, index.entries,
                        index.edges, index.n_regions, out)
    return out

