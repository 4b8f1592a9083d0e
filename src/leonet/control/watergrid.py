"""Whose waters a point is in, answered per grid cell ahead of time, so that a decision pays
one table read where it would otherwise search the coasts (issue 16: decisions/s within 15 %
of land only).

The 0.25° cells of the coast grid (`leonet.control.waters`) near a coast are split into
`FINE` x `FINE` sub-cells (1/32°, about 3.5 km). Each sub-cell says one of:

* nothing: none of its points can be in any waters (land through and through, or farther
  than the distance from every coast);
* unit u: every point of it that is not on land is in the waters of land unit u;
* choose: the exact search decides (the sub-cells along the outer limit of the belt and along
  the equidistance lines between neighbours, a few hundredths of the area near coasts);

and whether a coast crosses it: only there may a point be on land or at sea, so only there
is the land test needed. The answers are bounds, not samples. Every point of a sub-cell lies
within ``h`` (the centre-to-corner distance) of its centre c, so by the triangle inequality a
coast D from c is between D - h and D + h from each of its points: a sub-cell is "unit u" only
when u's coast is within the distance of all its points and every other unit's coast is
farther from each of them than u's; the others are left to the search. The answer is thus
the exact search's own (`leonet.control.waters.nearest_coast`, which the tests hold it to).
Distances from the centre are taken in an equirectangular frame about it, and that frame's
error bound (the search's own ``slack``) is folded into D's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numba
import numpy as np

from leonet.control.cache import digest, load_arrays, store_arrays
from leonet.control.gridindex import (
    GridIndex,
    cell_of,
    code_at,
    edge_cells,
    first_region,
    is_occupied,
    regions_from_code,
)
from leonet.control.waters import (
    check_waters_km,
    coast_grid,
    near_coast_cells,
    nearest_one,
    origin_segment_km,
)
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM

FINE = 8  # sub-cells per side of a 0.25° cell: 1/32°, a centre-to-corner distance <= 2.5 km
# Children per side of a "choose" sub-cell: 1/256°, <= 0.31 km. 8 rather than 4 takes a
# third of the exact searches away (the band they settle narrows with the child) for 38 MB
# more of child codes. Kernels in other modules compile it in, and numba checks only their own
# source for staleness: clear their __pycache__ numba files when changing it.
CHILD = 8
_MARGIN_KM = 0.05  # float rounding, and how far a 0.05° edge bends between the two frames
_TEST, _CHOOSE = 1, 2  # code bits: a coast crosses the sub-cell; the exact search decides
_POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.int32)


@dataclass(frozen=True, eq=False)
class WaterGrid:
    """Sub-cell answers for one distance: a block of ``fine``² sub-cell ``codes`` per 0.25°
    cell flagged in ``near`` (a bit per cell, numpy packbits order; ``rank`` counts the
    flagged cells before each run of 64). A code is ``-1`` (nothing) or ``payload << 2 |
    choose << 1 | test``: the unit, or for "choose" the number of a block of `CHILD`²
    ``child`` codes: -1 nothing, a unit, -2 the search decides, ``-3 - u`` unit u if its
    coast is within the distance (no other can be). The bits keep the open ocean and the
    inland away from ``codes``. The rest is the coast grid the exact search reads
    (`leonet.control.waters.CoastGrid`)."""

    distance_km: float
    res_deg: float
    ncols: int
    nrows: int
    fine: int
    near: np.ndarray
    rank: np.ndarray
    codes: np.ndarray
    child: np.ndarray
    cell_start: np.ndarray
    cell_edge: np.ndarray
    edges: np.ndarray
    unit: np.ndarray

    def kernel_args(self) -> tuple:
        """What `water_code` and `resolve_code` read, as one tuple."""
        return (self.distance_km, self.res_deg, self.ncols, self.nrows, self.fine, self.near,
                self.rank, self.codes, self.child, self.cell_start, self.cell_edge, self.edges,
                self.unit)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.near, self.rank, self.codes, self.child))


def land_args(index: GridIndex) -> tuple:
    """What the land test of `resolve_code` reads of the land index, as one tuple."""
    return (index.res_deg, index.ncols, index.nrows, index.fine, index.cell_code,
            index.occupied, index.fine_code, index.entries, index.edges,
            np.empty(max(index.n_regions, 1), dtype=np.int32))


@cache
def no_water_grid() -> WaterGrid:
    """A grid with no answer anywhere (for land-only policies: nothing to build)."""
    g = coast_grid()
    ncells = g.ncols * g.nrows
    return WaterGrid(0.0, g.res_deg, g.ncols, g.nrows, FINE,
                     np.zeros((ncells + 7) // 8, dtype=np.uint8),
                     np.zeros((ncells + 63) // 64, np.int32), np.full(1, -1, np.int32),
                     np.full(1, -1, np.int16), g.cell_start, g.cell_edge, g.edges, g.unit)


@cache
def water_grid(distance_km: float, land: GridIndex) -> WaterGrid:
    """The sub-cell answers for waters ``distance_km`` wide (cached on disk by content);
    ``land`` is the index of every land unit (the labeller's), on the coast grid's cells."""
    check_waters_km(distance_km)
    g = coast_grid()
    if not distance_km:
        return no_water_grid()
    if (land.res_deg, land.ncols, land.nrows) != (g.res_deg, g.ncols, g.nrows):
        raise ValueError("the land index and the coast grid must share their cells")
    key = digest(g.key, f"km={distance_km!r} fine={FINE} child={CHILD} margin={_MARGIN_KM}",
                 "waters, top-down, rank")
    arrays = load_arrays("waters", key)
    if arrays is None:
        arrays = _build(distance_km, land)
        store_arrays("waters", key, arrays)
    return WaterGrid(distance_km, g.res_deg, g.ncols, g.nrows, FINE, arrays["near"],
                     arrays["rank"], arrays["codes"], arrays["child"], g.cell_start,
                     g.cell_edge, g.edges, g.unit)


def _build(distance_km: float, land: GridIndex) -> dict[str, np.ndarray]:
    g = coast_grid()
    ncells = g.ncols * g.nrows
    near = np.unpackbits(near_coast_cells(distance_km))[:ncells].astype(bool)
    # A cell wholly inside one land unit has no waters; the others near a coast get a block.
    blocks = np.flatnonzero(near & ~(land.cell_code <= -2))
    block_of = np.full(ncells, -1, dtype=np.int64)
    block_of[blocks] = np.arange(blocks.size)
    nsub = FINE * FINE
    # Sub-cells a coast edge touches (conservatively): the only ones with land and sea.
    fcells, _ = edge_cells(g.edges, g.res_deg / FINE)
    frow, fcol = np.divmod(fcells, g.ncols * FINE)
    b = block_of[(frow // FINE) * g.ncols + fcol // FINE]
    ok = b >= 0
    crossed = np.zeros(blocks.size * nsub, dtype=np.bool_)
    crossed[(b[ok] * FINE + frow[ok] % FINE) * FINE + fcol[ok] % FINE] = True
    # The others are all land or all sea: their centre says which.
    rf = g.res_deg / FINE
    sy, sx = np.divmod(np.arange(nsub), FINE)
    brow, bcol = np.divmod(blocks, g.ncols)
    clat = (-90.0 + (brow[:, None] * FINE + sy[None, :] + 0.5) * rf).ravel()
    clon = (-180.0 + (bcol[:, None] * FINE + sx[None, :] + 0.5) * rf).ravel()
    dry = np.zeros(crossed.size, dtype=np.bool_)
    whole = np.flatnonzero(~crossed)
    dry[whole] = first_region(land, clat[whole], clon[whole]) >= 0
    codes, child = _classify(blocks, crossed, dry, distance_km, g.res_deg, g.ncols, g.nrows,
                             FINE, g.cell_start, g.cell_edge, g.edges, g.unit)
    codes = codes.reshape(blocks.size, nsub)
    some = (codes >= 0).any(axis=1)
    has = np.zeros(ncells, dtype=bool)
    has[blocks[some]] = True
    near_bits = np.packbits(has)
    # The block of a cell is the number of flagged cells before it: a count per 64 cells,
    # then the bits of its own 64 (`_block_of`), so no per-cell table is read.
    rank = np.concatenate([[0], np.cumsum(has.reshape(-1, 64).sum(axis=1))[:-1]])
    return {"near": near_bits, "rank": rank.astype(np.int32),
            "codes": np.ascontiguousarray(codes[some].ravel()), "child": child}


@numba.njit(cache=True, error_model="numpy", inline="always")
def _corner_km(la, lo, la1, lo1):
    """Great-circle distance (haversine, km) between two points."""
    p0, p1 = np.deg2rad(la), np.deg2rad(la1)
    a = (np.sin((p1 - p0) / 2.0) ** 2
         + np.cos(p0) * np.cos(p1) * np.sin(np.deg2rad(lo1 - lo) / 2.0) ** 2)
    return 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(min(np.sqrt(a), 1.0))


@numba.njit(cache=True, error_model="numpy")
def _classify(blocks, crossed, dry, max_km, res, ncols, nrows, fine, cell_start, cell_edge,
              edges, unit_of):
    """Sub-cell codes, and the `CHILD` x `CHILD` child codes of the "choose" sub-cells.

    Top-down per 0.25° cell: a node (the cell, then its quarters, down to sub-cells and their
    children) is settled when the bounds settle it, else split in four; a node's edge list
    is the part of its parent's that may still be the nearest within the distance to one of
    its points."""
    km_deg = np.pi / 180.0 * EARTH_MEAN_RADIUS_KM
    nsub = fine * fine
    levels = int(np.log2(fine)) + int(np.log2(CHILD))  # the child level's depth
    sub_level = int(np.log2(fine))
    codes = np.full(blocks.size * nsub, -1, dtype=np.int32)
    child = np.empty(1 << 20, dtype=np.int16)
    n_child = 0
    stamp = np.zeros(edges.shape[0], dtype=np.int64)
    arena = np.empty(1 << 16, dtype=np.int64)
    deq = np.empty(edges.shape[0], dtype=np.float64)
    # The node stack: level, row, column (at the level's size, within the cell), list start,
    # list length, child block; and the parent's upper bound on the nearest coast.
    st_i = np.empty((4 * (levels + 1) + 4, 6), dtype=np.int64)
    st_f = np.empty(4 * (levels + 1) + 4, dtype=np.float64)
    reach = max_km + 2.0 * res / fine * km_deg + 1.0
    for bi in range(blocks.size):
        cell = blocks[bi]
        iy, ix = cell // ncols, cell % ncols
        lat0, lon0 = -90.0 + iy * res, -180.0 + ix * res
        dl = reach / km_deg
        top = min(max(abs(lat0), abs(lat0 + res)) + dl, 90.0)
        r0 = max(int(np.floor((lat0 - dl + 90.0) / res)), 0)
        r1 = min(int(np.floor((lat0 + res + dl + 90.0) / res)), nrows - 1)
        kc = ncols if top > 89.0 else int(np.ceil(dl / np.cos(np.deg2rad(top)) / res)) + 1
        ng = 0
        for r in range(r0, r1 + 1):
            for q in range(min(2 * kc + 1, ncols)):
                c = (ix - kc + q) % ncols if 2 * kc + 1 < ncols else q
                gcell = r * ncols + c
                for k in range(cell_start[gcell], cell_start[gcell + 1]):
                    e = cell_edge[k]
                    if stamp[e] != bi + 1:
                        stamp[e] = bi + 1
                        if ng == arena.size:
                            arena = _grown(arena)
                        arena[ng] = e
                        ng += 1
        end = ng  # the arena's free space starts here
        sp = 0
        st_i[0, 0], st_i[0, 1], st_i[0, 2], st_i[0, 3], st_i[0, 4], st_i[0, 5] = 0, 0, 0, 0, ng, -1
        st_f[0] = np.inf  # (edges not gathered are beyond max_km of every point)
        sp = 1
        while sp > 0:
            sp -= 1
            lev, ny, nx, l0, ln, cb = (st_i[sp, 0], st_i[sp, 1], st_i[sp, 2], st_i[sp, 3],
                                       st_i[sp, 4], st_i[sp, 5])
            up_parent = st_f[sp]
            size = res / (1 << lev)
            # The sub-cells the node covers (for a child node: its parent sub-cell).
            span = max(fine >> lev, 1)
            sy0 = ny * span if lev <= sub_level else (ny >> (lev - sub_level))
            sx0 = nx * span if lev <= sub_level else (nx >> (lev - sub_level))
            wet = 0
            for a in range(sy0, sy0 + span):
                for b in range(sx0, sx0 + span):
                    wet += not dry[bi * nsub + a * fine + b]
            if wet == 0:
                continue
            la = lat0 + (ny + 0.5) * size
            lo = lon0 + (nx + 0.5) * size
            h = max(_corner_km(la, lo, la - size / 2, lo + size / 2),
                    _corner_km(la, lo, la + size / 2, lo + size / 2)) + _MARGIN_KM
            dn = (max_km + h + 1.0) / km_deg
            stop = abs(la) + dn
            polar = stop > 89.0  # the frame's bound is void there: leave it to the search
            # The search's screen: the equirectangular distance errs by under ``slack`` (a
            # relative error) within ``dn`` of the centre, plus 10 m.
            slack = 1.005 + 2.0 * np.deg2rad(dn) * np.tan(np.deg2rad(min(stop, 89.0)))
            kx = km_deg * np.cos(np.deg2rad(la))
            m1 = np.inf
            u1 = -1
            for k in range(ln):
                e = arena[l0 + k]
                ax = ((edges[e, 0] - lo + 540.0) % 360.0 - 180.0) * kx
                bx = ((edges[e, 2] - lo + 540.0) % 360.0 - 180.0) * kx
                d = origin_segment_km(ax, (edges[e, 1] - la) * km_deg, bx,
                                      (edges[e, 3] - la) * km_deg)
                deq[k] = d
                if d < m1:
                    m1 = d
                    u1 = unit_of[e]
            lo1 = (m1 - 0.01) / slack - h
            if u1 < 0 or (not polar and lo1 >= max_km):
                continue  # no coast within the distance of any of its points
            best_up = min(m1 * slack + 0.01 + h, up_parent)
            m2 = np.inf
            for k in range(ln):
                if unit_of[arena[l0 + k]] != u1 and deq[k] < m2:
                    m2 = deq[k]
            # (an edge left out by an ancestor is farther than its best upper bound, or
            # than the distance, from every point here: never the nearest within it)
            lo2 = (m2 - 0.01) / slack - h
            if not polar and best_up < max_km and lo2 > best_up:
                _settle(codes, child, bi, nsub, fine, lev, sub_level, ny, nx, span, sy0, sx0,
                        cb, u1, crossed, dry)
                continue
            if lev == levels:
                # Only u1 can be within the distance when every other unit's coast is
                # beyond it: then the first edge of any unit found within it settles it.
                one = not polar and lo2 >= max_km
                child[cb * CHILD * CHILD + (ny % CHILD) * CHILD + nx % CHILD] = (
                    -3 - u1 if one else -2)
                continue
            if lev == sub_level:
                si = bi * nsub + ny * fine + nx
                if n_child * CHILD * CHILD + CHILD * CHILD > child.size:
                    child = _grown(child)
                child[n_child * CHILD * CHILD:(n_child + 1) * CHILD * CHILD] = -1
                cb = n_child
                n_child += 1
                codes[si] = (cb << 2) | _CHOOSE | (_TEST if crossed[si] else 0)
            # Split: the children keep the edges that may be nearest to one of their points.
            limit = np.inf if polar else min(max_km, best_up)
            start = end
            for k in range(ln):
                if polar or (deq[k] - 0.01) / slack - h <= limit:
                    if end == arena.size:
                        arena = _grown(arena)
                    arena[end] = arena[l0 + k]
                    end += 1
            for q in range(4):
                st_i[sp, 0], st_i[sp, 1], st_i[sp, 2] = lev + 1, 2 * ny + q // 2, 2 * nx + q % 2
                st_i[sp, 3], st_i[sp, 4], st_i[sp, 5] = start, end - start, cb
                st_f[sp] = best_up
                sp += 1
    return codes, child[:n_child * CHILD * CHILD].copy()


@numba.njit(cache=True, error_model="numpy")
def _settle(codes, child, bi, nsub, fine, lev, sub_level, ny, nx, span, sy0, sx0, cb, unit,
            crossed, dry):
    """Write "unit" for a settled node: its wet sub-cells, or its part of a child block."""
    if lev <= sub_level:
        for a in range(sy0, sy0 + span):
            for b in range(sx0, sx0 + span):
                si = bi * nsub + a * fine + b
                if not dry[si]:
                    codes[si] = (unit << 2) | (_TEST if crossed[si] else 0)
        return
    k = CHILD >> (lev - sub_level)  # child cells per side of this node
    y0, x0 = (ny % (CHILD // k)) * k, (nx % (CHILD // k)) * k
    for a in range(y0, y0 + k):
        for b in range(x0, x0 + k):
            child[cb * CHILD * CHILD + a * CHILD + b] = unit


@numba.njit(cache=True, error_model="numpy")
def _grown(a):
    out = np.empty(a.size * 2, dtype=a.dtype)
    out[:a.size] = a
    return out


def grid_units(grid: WaterGrid, land: GridIndex, lat_deg: np.ndarray, lon_deg: np.ndarray,
               at_sea: bool = False) -> np.ndarray:
    """The land unit whose waters hold each point (int32, -1 for none: on land or beyond the
    distance). ``at_sea`` says every point is known to be outside all land (no land test).
    Longitudes in -180..180."""
    lat = np.ascontiguousarray(lat_deg, dtype=np.float64).ravel()
    lon = np.ascontiguousarray(lon_deg, dtype=np.float64).ravel()
    out = np.full(lat.size, -1, dtype=np.int32)
    if grid.distance_km and lat.size:
        _units_kernel(lat, lon, at_sea, grid.kernel_args(), land_args(land),
                      np.ones(grid.unit.max(initial=0) + 1, dtype=np.bool_), out)
    return out


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _units_kernel(lat, lon, at_sea, wg, lg, wanted, out):
    # Arrays are taken out of the tuples once: inside the loop each would cost a reference
    # count update per point.
    (max_km, res, ncols, nrows, fine, near, rank, codes, child, cell_start, cell_edge, edges,
     unit_of) = wg
    l_res, l_ncols, l_nrows, l_fine, l_code, l_occ, l_fcode, l_entries, l_edges, l_t = lg
    tried = np.zeros(l_t.size, dtype=np.bool_)
    for i in range(lat.size):
        if not (np.isfinite(lat[i]) and np.isfinite(lon[i])):
            continue
        code = water_code(lon[i], lat[i], res, ncols, nrows, fine, near, rank, codes)
        if code >= 0:
            out[i] = code >> 2 if code & 3 == 0 else resolve_code(
                code, lon[i], lat[i], at_sea, wanted, tried, max_km, res, ncols, nrows, fine, child,
                cell_start, cell_edge, edges, unit_of, l_res, l_ncols, l_nrows, l_fine, l_code,
                l_occ, l_fcode, l_entries, l_edges, l_t)


@numba.njit(cache=True, error_model="numpy", inline="always")
def water_code(lon, lat, res, ncols, nrows, fine, near, rank, codes):
    """The code of the sub-cell holding the point (see `WaterGrid`): ``-1`` for no waters;
    ``code & 3 == 0``: unit ``code >> 2`` outright; else `resolve_code` decides."""
    ix, iy = cell_of(lon, lat, res, ncols, nrows)
    cell = iy * ncols + ix
    if not is_occupied(near, cell):
        return -1
    b = rank[cell >> 6]
    for k in range((cell >> 6) << 3, cell >> 3):
        b += _POPCOUNT[near[k]]
    b += _POPCOUNT[near[cell >> 3] >> (8 - (cell & 7))]
    rf = res / fine
    fx = min(max(int(np.floor((lon + 180.0) / rf)) - ix * fine, 0), fine - 1)
    fy = min(max(int(np.floor((lat + 90.0) / rf)) - iy * fine, 0), fine - 1)
    return codes[(b * fine + fy) * fine + fx]


@numba.njit(cache=True, error_model="numpy")
def resolve_code(code, lon, lat, at_sea, wanted, tried, max_km, res, ncols, nrows, fine, child,
                 cell_start, cell_edge, edges, unit_of, l_res, l_ncols, l_nrows, l_fine,
                 l_code, l_occ, l_fcode, l_entries, l_edges, l_t):
    """The unit (or -1) for a code that needs more than a read: a "choose" sub-cell's child,
    the exact search, and the land test where a coast crosses the sub-cell (not when
    ``at_sea``). A unit not ``wanted`` (bool per unit) is -1 without the land test; ``tried``
    (bool per land-index region) marks the regions the caller already found the point
    outside of. The arguments after ``tried`` come from `WaterGrid.kernel_args` then
    `land_args`."""
    unit = code >> 2
    if code & _CHOOSE:
        # The child cell, within the very sub-cell `water_code` read (whatever the rounding).
        ix, iy = cell_of(lon, lat, res, ncols, nrows)
        rf = res / fine
        gx = min(max(int(np.floor((lon + 180.0) / rf)), ix * fine), ix * fine + fine - 1)
        gy = min(max(int(np.floor((lat + 90.0) / rf)), iy * fine), iy * fine + fine - 1)
        cx = min(max(int(np.floor((lon + 180.0) / (rf / CHILD))) - gx * CHILD, 0), CHILD - 1)
        cy = min(max(int(np.floor((lat + 90.0) / (rf / CHILD))) - gy * CHILD, 0), CHILD - 1)
        unit = child[unit * CHILD * CHILD + cy * CHILD + cx]
        if unit == -1:
            return -1
    only = -3 - unit if unit <= -3 else -1  # the one unit that can be within the distance
    if (unit >= 0 and not wanted[unit]) or (only >= 0 and not wanted[only]):
        return -1
    if (code & _TEST) and not at_sea:
        c, sub = code_at(lon, lat, l_res, l_ncols, l_nrows, l_code, l_occ, l_fcode, l_fine)
        # The caller's own lookup has already found the point outside the ``tried`` land
        # polygons: the test is needed only when the (sub-)cell holds another one.
        untried = False
        if c <= -2:
            untried = not tried[-c - 2]
        elif c >= 0:
            for k in range(c >> 16, (c >> 16) + (c & 0xFFFF)):
                untried |= not tried[l_entries[k, 0]]
        if untried and regions_from_code(lon, lat, c, sub, l_fine, l_res, l_ncols, l_nrows,
                                         l_entries, l_edges, l_t) > 0:
            return -1
    if unit >= 0:
        return unit
    # Near the outer limit or an equidistance line: the exact search decides.
    return nearest_one(lat, lon, max_km, res, ncols, nrows, cell_start, cell_edge, edges,
                       unit_of, only >= 0)[0]
