"""The waters baked into a policy's grid index at compile time, so that a decision reads the
waters' answer where it reads the regions' (issue 16: decisions/s within 15 % of land only).

`leonet.control.watergrid` answers "whose waters" per 1/32° sub-cell, and the policy's index
(`leonet.control.gridindex`) refines crinkly cells into sub-cells of the same size, so each
sub-cell of a cell near a coast can carry its final answer. Per sub-cell, from its waters'
code:

* no waters (land through and through, or beyond every belt): the index's entries as they
  are;
* wholly at sea in the waters of land unit u (no coast crosses it), and no built-in land
  region among its entries: the entries plus "wholly inside" entries of the policy regions
  taking u's waters, which is what the kernel would add after finding the point off land;
* anything else (a coast, an outer limit or an equidistance line crosses it, or its entries
  hold land): the entries, flagged `WATER`, so the kernel asks the waters as before.

A cell whose 64 sub-cells all get the same answer keeps one coarse code; the others are
refined (the index's own `leonet.control.gridindex.refine_cells`). Every point thus meets
the same regions as with the unbaked index and the waters read at decision time, which the
tests check point by point; refining a coarse cell changes only the centre its exact walk
starts from, which can move only a point lying on a region's boundary line (to float64
rounding).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types
from numba.typed import Dict

from leonet.control.cache import digest, load_arrays, store_arrays
from leonet.control.gridindex import REFINED, GridIndex, refine_cells
from leonet.control.watergrid import CHILD, WaterGrid

# Code bit of a (sub-)cell whose points must ask the waters at decision time; below
# `REFINED`, so `leonet.control.gridindex.code_at` passes it through untouched. Such a code
# keeps its entry list (``first << 16 | count``) in the bits below `KNOWN_SHIFT` and above
# them the sub-cell's own waters' code plus one, when the whole (sub-)cell has one, so that
# the kernel need not read it from the waters' grid (0: read it).
WATER = np.int64(1) << np.int64(61)
KNOWN_SHIFT = 40
_KNOWN_MAX = (1 << (61 - KNOWN_SHIFT)) - 1
_KEEP, _ASK = -1, -2  # sub-cell actions; an action >= 0 adds that land unit's regions
_PAIR = types.UniTuple(types.int64, 2)


def bake_waters(index: GridIndex, water: WaterGrid, u_start: np.ndarray,
                u_regions: np.ndarray, r_land: np.ndarray, use_cache: bool = True,
                answers: bool = True) -> GridIndex:
    """``index`` with ``water``'s answers baked in: land unit u's waters are the regions
    ``u_regions[u_start[u]:u_start[u + 1]]``; ``r_land`` flags the built-in land regions
    (bool per region). Cells and sub-cells whose points still need the waters carry `WATER`.
    With ``answers=False`` no answer is baked: every cell where the waters may answer is
    flagged, the unbaked path the tests and the benchmark hold the baked one to. Cached on
    disk by content."""
    if not water.distance_km:
        return index
    if (water.res_deg, water.ncols, water.nrows, water.fine) != (
            index.res_deg, index.ncols, index.nrows, index.fine):
        raise ValueError("the waters' cells and the policy index's must be the same")
    key = digest(index.cell_code, index.fine_code, index.entries, index.edges, water.near,
                 water.codes, water.child, u_start, u_regions, r_land.astype(np.bool_),
                 f"answers={answers} known={KNOWN_SHIFT}",
                 "waterbake: lists reused, untaken units kept, children")
    arrays = load_arrays("waterbake", key) if use_cache else None
    if arrays is None:
        arrays = _bake(index, water, u_start, u_regions, r_land, answers)
        if use_cache:
            store_arrays("waterbake", key, arrays)
    return GridIndex(index.res_deg, index.ncols, index.nrows, index.n_regions, index.fine,
                     arrays["cell_code"], arrays["fine_code"],
                     np.packbits(arrays["cell_code"] != -1), arrays["entries"],
                     arrays["edges"])


def _bake(index: GridIndex, water: WaterGrid, u_start: np.ndarray, u_regions: np.ndarray,
          r_land: np.ndarray, answers: bool) -> dict[str, np.ndarray]:
    nsub = index.fine * index.fine
    ncells = index.ncols * index.nrows
    # The cells with a block of waters' codes, in block order (`WaterGrid`'s rank).
    cells = np.flatnonzero(np.unpackbits(water.near)[:ncells])
    wc = water.codes.reshape(-1, nsub).astype(np.int64)
    act = np.where(wc == -1, _KEEP, np.where((wc & 3 == 0) & answers, wc >> 2, _ASK))
    # A unit no region of the policy takes adds nothing, asked or not: where a sub-cell can be
    # in no other unit's waters, the index's entries stand as they are. A "choose" sub-cell
    # can be in those its children name, or any when one leaves it to the search.
    taken = np.append(np.diff(u_start) > 0, False)  # (unit -1: none)
    child = water.child.reshape(-1, CHILD * CHILD)
    maybe = ((child == -2) | taken[np.where(child <= -3, -3 - child, np.maximum(child, -1))]
             ).any(axis=1)
    choose = (wc >= 0) & (wc & 2 != 0)
    unit = np.where(wc >= 0, wc >> 2, -1)
    can = np.where(choose, maybe[np.where(choose, unit, 0)], taken[np.where(choose, -1, unit)])
    act[(wc >= 0) & ~can & answers] = _KEEP
    code = index.cell_code[cells]
    refined = code >= REFINED
    same = (act == act[:, :1]).all(axis=1)
    # Cells refined now: their coarse entries as rows (a lone "inside" code has no row).
    new = cells[~refined & ~same]
    nc = index.cell_code[new]
    count = np.where(nc <= -2, 1, np.where(nc == -1, 0, nc & 0xFFFF))
    end = np.cumsum(count)
    first = end - count
    rows = np.zeros((int(count.sum()), 4), dtype=np.int32)
    _coarse_rows(nc, first, index.entries, rows)
    f_entries, f_edges, f_csr = refine_cells(new, first, end, rows, index.edges, index.res_deg,
                                             index.ncols)
    f_entries[:, 2:] += index.edges.shape[0]
    entries = np.concatenate([index.entries, f_entries])
    f_code = _list_codes(f_csr[:-1] + index.entries.shape[0], np.diff(f_csr), entries)
    # Every sub-cell of a refined cell near a coast, and the uniform coarse cells, baked.
    old = cells[refined]
    blocks = (index.cell_code[old] - REFINED)[:, None] * nsub + np.arange(nsub)
    codes_in = np.concatenate([index.fine_code[blocks].ravel(), f_code, code[~refined & same]])
    acts = np.concatenate([act[refined].ravel(), act[~refined & ~same].ravel(),
                           act[~refined & same, 0]])
    out = np.empty(codes_in.size, dtype=np.int64)
    # The waters' code each item can keep (-1: none, or not the same over a coarse cell).
    uniform = (wc == wc[:, :1]).all(axis=1) & answers
    wcs = np.concatenate([wc[refined].ravel(), wc[~refined & ~same].ravel(),
                          np.where(uniform, wc[:, 0], -1)[~refined & same]])
    if not answers:
        wcs[:] = -1
    extra = _bake_codes(codes_in, acts, wcs, entries, r_land, u_start, u_regions,
                        entries.shape[0], out)
    if entries.shape[0] + extra.shape[0] > 1 << (KNOWN_SHIFT - 16):
        raise ValueError("too many grid index entries to bake the waters in")
    n_old, n_new = old.size * nsub, new.size * nsub
    fine_code = index.fine_code.copy()
    fine_code[blocks.ravel()] = out[:n_old]
    cell_code = index.cell_code.copy()
    cell_code[new] = REFINED | (fine_code.size // nsub + np.arange(new.size, dtype=np.int64))
    cell_code[cells[~refined & same]] = out[n_old + n_new:]
    return {"cell_code": cell_code,
            "fine_code": np.concatenate([fine_code, out[n_old:n_old + n_new]]),
            "entries": np.ascontiguousarray(np.concatenate([entries, extra])),
            "edges": np.ascontiguousarray(np.concatenate([index.edges, f_edges]))}


@numba.njit(cache=True, error_model="numpy")
def _coarse_rows(codes, first, entries, rows):
    """The entry rows each coarse cell code stands for, from ``rows[first[b]]`` on."""
    for b in range(codes.size):
        c = codes[b]
        if c <= -2:
            rows[first[b], 0] = -c - 2  # wholly inside: state 0, no edges
        elif c >= 0:
            for k in range(c & 0xFFFF):
                rows[first[b] + k, :] = entries[(c >> 16) + k, :]


@numba.njit(cache=True, error_model="numpy")
def _list_codes(start, count, entries):
    """Codes (see `leonet.control.gridindex.GridIndex`) of entry lists ``start, count``."""
    out = np.empty(start.size, dtype=np.int64)
    for i in range(start.size):
        out[i] = _code(start[i], count[i], entries)
    return out


@numba.njit(cache=True, error_model="numpy", inline="always")
def _code(start, count, entries):
    if count >= 1 << 16:
        raise ValueError("more than 65535 regions meet in one grid cell")
    if count == 0:
        return np.int64(-1)
    if count == 1 and entries[start, 1] == 0:
        return -np.int64(entries[start, 0]) - 2
    return (np.int64(start) << 16) | count


@numba.njit(cache=True, error_model="numpy")
def _bake_codes(codes, acts, wcs, entries, r_land, u_start, u_regions, base, out):
    """``out[i]``: code ``codes[i]`` with action ``acts[i]`` applied (and, when it asks the
    waters, their code ``wcs[i]`` kept, if known); the entry rows written (numbered from
    ``base`` on) are returned. A list already in ``entries`` is reused, and a new one is
    written once for every (code, action) pair."""
    extra = np.empty((1 << 16, 4), dtype=np.int32)
    n = 0
    done = Dict.empty(key_type=_PAIR, value_type=types.int64)
    for i in range(codes.size):
        c, a = codes[i], acts[i]
        if a == _KEEP:
            out[i] = c
            continue
        lone = -c - 2  # the region of a "wholly inside" code
        cnt = 0 if c == -1 else (1 if c <= -2 else c & 0xFFFF)
        if a >= 0:
            for k in range(cnt):
                if r_land[lone if c <= -2 else entries[(c >> 16) + k, 0]]:
                    a = _ASK  # land may hold the point: the kernel's own land test decides
            if a >= 0 and u_start[a] == u_start[a + 1]:
                out[i] = c  # no region of the policy takes these waters
                continue
        known = np.int64(wcs[i] + 1 if 0 <= wcs[i] < _KNOWN_MAX else 0) << KNOWN_SHIFT
        if a == _ASK and c >= 0:
            out[i] = WATER | known | c  # the same entries, flagged
            continue
        add = 0 if a == _ASK else u_start[a + 1] - u_start[a]
        if cnt == 0 and add == 1:
            out[i] = -np.int64(u_regions[u_start[a]]) - 2
            continue
        if (c, a) in done:
            out[i] = done[(c, a)] | (known if a == _ASK else 0)
            continue
        while n + cnt + add > extra.shape[0]:
            grown = np.empty((extra.shape[0] * 2, 4), dtype=np.int32)
            grown[:n] = extra[:n]
            extra = grown
        start = n
        for k in range(cnt):
            if c <= -2:
                extra[n, 0], extra[n, 1], extra[n, 2], extra[n, 3] = lone, 0, 0, 0
            else:
                extra[n, :] = entries[(c >> 16) + k, :]
            n += 1
        for m in range(add):
            extra[n, 0], extra[n, 1], extra[n, 2], extra[n, 3] = u_regions[u_start[a] + m], 0, 0, 0
            n += 1
        if n - start >= 1 << 16:
            raise ValueError("more than 65535 regions meet in one grid cell")
        out[i] = (WATER if a == _ASK else 0) | (np.int64(base + start) << 16) | (n - start)
        done[(c, a)] = out[i]
        out[i] |= known if a == _ASK else 0
    return extra[:n].copy()
