"""The compiled form of a policy and the vectorised decision kernel (numba, one pass per point).

Per point: find its grid cell, test the regions listed there (exactly in boundary cells, see
`leonet.control.gridindex`), and for each region that holds the point look only at the rules
naming that region (plus the rules that apply everywhere). Among matching rules the
lowest-numbered deny wins, else the lowest-numbered allow, else the default — IAM's
evaluation, with the reason being the first matching rule in file order.

Territorial waters are baked into the index the kernel reads (`leonet.control.waterbake`):
a point wholly in one country's belt finds that country's regions as a point on its land
does, and only points in the sub-cells a coast, a belt's limit or a median line crosses ask
the waters (`leonet.control.watergrid`) after the regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numba
import numpy as np

from leonet.control.gridindex import (
    GridIndex,
    build_index,
    code_at,
    regions_from_code,
)
from leonet.control.labels import land_index, land_index_tried, waters_grid
from leonet.control.policy.document import NO_END, NO_START, Rule
from leonet.control.regions import Region
from leonet.control.waterbake import KNOWN_SHIFT, WATER, bake_waters
from leonet.control.watergrid import WaterGrid, land_args, resolve_code, water_code
from leonet.control.waters import TERRITORIAL_SEA_KM, region_units, unit_names

DEFAULT_RULE = -1


# Condition flags of a rule (column 1 of ``r_int``): a rule without conditions costs one test.
F_TIME, F_SPEED, F_ALT, F_ROAM, F_UNLESS_WL, F_WL, F_FUNDED, F_PLANS, F_HOME, F_EXCEPT = (
    1 << k for k in range(10))


@dataclass(frozen=True, eq=False)
class Engine:
    """Rules packed one row each, as the kernel reads them for random rules at random points:
    ``r_int[j] = (effect: 1 deny/0 allow, condition flags, whitelisted condition (0/1),
    funded condition (0/1), home-codes start, end, except-regions start, end)``,
    ``r_time[j] = (from, until)`` in ns, ``r_num[j] = (speed, altitude, roaming thresholds)``.
    """

    regions: tuple[Region, ...]  # polygon regions first (grid index k), then H3 cell sets
    n_poly: int
    index: GridIndex
    rr_start: np.ndarray  # region -> rules naming it (CSR)
    rr_rules: np.ndarray
    global_rules: np.ndarray  # rules without regions
    r_int: np.ndarray
    r_time: np.ndarray
    r_num: np.ndarray
    r_plans: np.ndarray  # uint64 bit mask over the policy's plans
    r_home: np.ndarray
    r_exc: np.ndarray
    home_codes: tuple[str, ...]
    waters_km: float  # territorial-sea width the regions take (0: land only)
    u_start: np.ndarray  # land unit -> polygon regions taking its waters (CSR)
    u_regions: np.ndarray
    r_land: np.ndarray  # bool per region: a built-in land polygon (a point in it is on land)
    land_tried: np.ndarray  # bool per land-index region: one the regions' lookup settles
    water: WaterGrid  # whose waters a point is in, per cell (none when no region takes any)
    baked: GridIndex  # ``index`` with the waters' sure answers in it (`control.waterbake`)

    def region_index(self, ref: str) -> int:
        return next(i for i, r in enumerate(self.regions) if r.ref == ref)


def compile_engine(rules: tuple[Rule, ...], resolved: dict[str, Region],
                   plans: tuple[str, ...], use_cache: bool = True,
                   waters_km: float = TERRITORIAL_SEA_KM) -> Engine:
    """Compile rules whose region names resolve through ``resolved`` (name -> Region);
    built-in regions take the waters within ``waters_km`` of their coasts."""
    by_ref: dict[str, Region] = {}
    for reg in resolved.values():
        by_ref.setdefault(reg.ref, reg)
    poly = [r for r in by_ref.values() if r.geometry is not None]
    cells = [r for r in by_ref.values() if r.geometry is None]
    regions = tuple(poly + cells)
    pos = {r.ref: k for k, r in enumerate(regions)}
    index = build_index([r.geometry for r in poly], use_cache=use_cache)
    n = len(rules)
    lists: list[list[int]] = [[] for _ in regions]
    global_rules = []
    home_codes: list[str] = []
    homes: list[list[int]] = []
    excs: list[list[int]] = []
    for j, rule in enumerate(rules):
        if rule.regions is None:
            global_rules.append(j)
        else:
            for k in sorted({pos[resolved[name].ref] for name in rule.regions}):
                lists[k].append(j)
        excs.append(sorted({pos[resolved[name].ref] for name in rule.except_regions}))
        hs = []
        for code in rule.home_countries or ():
            if code not in home_codes:
                home_codes.append(code)
            hs.append(home_codes.index(code))
        homes.append(hs)

    def flat(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        start = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int32)
        return start, np.array([x for r in rows for x in r], dtype=np.int32)

    rr_start, rr_rules = flat(lists)
    by_unit: list[list[int]] = [[] for _ in unit_names()] if waters_km else []
    for k, reg in enumerate(poly):
        for u in (region_units(reg.kind, reg.ref) if waters_km else ()):
            by_unit[u].append(k)
    u_start, u_regions = flat(by_unit)
    r_land = np.array([r.kind in ("country", "disputed") for r in regions] or [False])
    water = waters_grid(waters_km if u_regions.size else 0.0)
    land_tried = land_index_tried({r.ref for r in regions if r.kind == "country"})
    baked = bake_waters(index, water, u_start, u_regions, r_land[:len(poly)],
                        use_cache=use_cache)
    home_start, home = flat(homes)
    exc_start, exc = flat(excs)
    r_int = np.zeros((n, 8), dtype=np.int32)
    r_time = np.zeros((n, 2), dtype=np.int64)
    r_num = np.zeros((n, 3), dtype=np.float64)
    r_plans = np.zeros(n, dtype=np.uint64)
    for j, r in enumerate(rules):
        f = 0
        if r.start is not None or r.end is not None:
            f |= F_TIME
        for k, (flag, value) in enumerate(((F_SPEED, r.speed_kmh_above),
                                           (F_ALT, r.altitude_m_above),
                                           (F_ROAM, r.roaming_days_above))):
            if value is not None:
                f |= flag
                r_num[j, k] = value
        if r.unless_whitelisted:
            f |= F_UNLESS_WL
        if r.whitelisted is not None:
            f |= F_WL
        if r.unfunded is not None:
            f |= F_FUNDED
        if r.plans is not None:
            f |= F_PLANS
            for name in r.plans:
                r_plans[j] |= np.uint64(1) << np.uint64(plans.index(name))
        if homes[j]:
            f |= F_HOME
        if excs[j]:
            f |= F_EXCEPT
        r_int[j] = (r.effect == "deny", f, bool(r.whitelisted), not r.unfunded,
                    home_start[j], home_start[j + 1], exc_start[j], exc_start[j + 1])
        r_time[j] = (NO_START if r.start is None else r.start.astype(np.int64),
                     NO_END if r.end is None else r.end.astype(np.int64))
    return Engine(regions=regions, n_poly=len(poly), index=index, rr_start=rr_start,
                  rr_rules=rr_rules, global_rules=np.array(global_rules, dtype=np.int32),
                  r_int=r_int, r_time=r_time, r_num=r_num, r_plans=r_plans, r_home=home,
                  r_exc=exc, home_codes=tuple(home_codes), waters_km=waters_km,
                  u_start=u_start, u_regions=u_regions, r_land=r_land, water=water,
                  land_tried=land_tried, baked=baked)


def h3_membership(engine: Engine, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """``(n, n_h3)`` membership of the H3 cell-set regions (H3's own lookup: exact)."""
    cell_regions = engine.regions[engine.n_poly:]
    out = np.zeros((lat.size, len(cell_regions)), dtype=np.bool_)
    by_res: dict[int, np.ndarray] = {}
    for k, reg in enumerate(cell_regions):
        if reg.h3_res not in by_res:
            by_res[reg.h3_res] = np.array(
                [h3.str_to_int(h3.latlng_to_cell(a, o, reg.h3_res))
                 for a, o in zip(lat.tolist(), lon.tolist(), strict=True)], dtype=np.uint64)
        out[:, k] = np.isin(by_res[reg.h3_res], np.fromiter(reg.h3_cells, np.uint64))
    return out


def run(engine: Engine, lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded,
        h3mem) -> np.ndarray:
    """Rule index per point (-1 = default). Attribute arrays have length n or 1.

    Rows are decided in groups sharing plan and home country (few: a policy names few of
    either), each group with the pair given once, so that `live_rules` settles the rules the
    pair decides for the whole group; an attribute no rule asks about splits no group.
    """
    flags = engine.r_int[:, 1]
    if not (flags & F_PLANS).any():
        plan = np.full(1, -1, dtype=np.int16)
    if not (flags & F_HOME).any():
        home = np.full(1, -1, dtype=np.int16)
    if max(plan.shape[0], home.shape[0]) <= 1:
        return _run(engine, lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded, h3mem)
    key = (plan.astype(np.int32) + 1) * (len(engine.home_codes) + 1) + (home + 1)
    if (key == key[0]).all():
        return _run(engine, lat, lon, alt, speed, t_ns, wl, plan[:1], home[:1], roam, funded,
                    h3mem)
    # A stable sort of 16-bit keys is a radix sort: linear in the rows.
    order = np.argsort(key.astype(np.int16) if key.max() < 2**15 else key, kind="stable")
    out = np.empty(lat.size, dtype=np.int32)
    for rows in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
        first = rows[:1]
        out[rows] = _run(engine, lat[rows], lon[rows], _take(alt, rows), _take(speed, rows),
                         _take(t_ns, rows), _take(wl, rows), _take(plan, first),
                         _take(home, first), _take(roam, rows), _take(funded, rows),
                         _take(h3mem, rows))
    return out


def _take(a: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows of a per-row array; a value shared by every row (length 1) stays as it is."""
    return a[rows] if a.shape[0] > 1 else a


def _run(engine: Engine, lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded,
         h3mem) -> np.ndarray:
    out = np.empty(lat.size, dtype=np.int32)
    ix = engine.baked
    n_reg = max(len(engine.regions), 1)
    alive = live_rules(engine, alt, speed, t_ns, wl, plan, home, roam, funded)
    decide_kernel(lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded, h3mem,
                  engine.r_land, np.diff(engine.u_start) > 0,
                  engine.land_tried, engine.water.kernel_args(), land_args(land_index()),
                  engine.u_start, engine.u_regions, engine.n_poly, ix.res_deg, ix.ncols,
                  ix.nrows, ix.fine, ix.cell_code, ix.occupied,
                  ix.fine_code, ix.entries, ix.edges, engine.rr_start, engine.rr_rules,
                  engine.global_rules[alive[engine.global_rules]], alive, engine.r_int,
                  engine.r_time, engine.r_num, engine.r_plans, engine.r_home, engine.r_exc,
                  np.zeros(n_reg, dtype=np.bool_), np.zeros(n_reg, dtype=np.int32), out)
    return out


def live_rules(engine: Engine, alt, speed, t_ns, wl, plan, home, roam, funded) -> np.ndarray:
    """Rules that may still match in this batch (bool per rule): a condition on an attribute
    given once for every row (a length-1 array) is settled here, once, instead of at every
    point (terminals on the ground never meet an altitude rule, for instance). The kernel
    then skips the settled-out rules; the rest it checks in full."""
    r_int, r_num, r_time = engine.r_int, engine.r_num, engine.r_time
    flags = r_int[:, 1]
    alive = np.ones(len(r_int), dtype=bool)

    def scalar(a):
        return a.shape[0] == 1

    if scalar(t_ns):
        alive &= ~((flags & F_TIME) != 0) | ((t_ns[0] >= r_time[:, 0]) & (t_ns[0] < r_time[:, 1]))
    # NaN never exceeds a threshold, as in the kernel.
    for flag, a, col in ((F_SPEED, speed, 0), (F_ALT, alt, 1), (F_ROAM, roam, 2)):
        if scalar(a):
            alive &= ~((flags & flag) != 0) | (a[0] > r_num[:, col])
    if scalar(wl):
        alive &= ~((flags & F_UNLESS_WL) != 0) | (not wl[0])
        alive &= ~((flags & F_WL) != 0) | (bool(wl[0]) == (r_int[:, 2] == 1))
    if scalar(funded):
        alive &= ~((flags & F_FUNDED) != 0) | (bool(funded[0]) == (r_int[:, 3] == 1))
    if scalar(plan):
        p = int(plan[0])
        has = (p >= 0) & (((engine.r_plans >> np.uint64(max(p, 0))) & np.uint64(1)) == 1)
        alive &= ~((flags & F_PLANS) != 0) | has
    if scalar(home):
        h = int(home[0])
        for j in np.flatnonzero((flags & F_HOME) != 0).tolist():
            alive[j] &= bool((engine.r_home[r_int[j, 4]:r_int[j, 5]] == h).any())
    return alive


@numba.njit(cache=True, error_model="numpy", inline="always")
def _at(a, i):
    return a[i] if a.shape[0] > 1 else a[0]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _rule_holds(j, t, spd, alt, roam, w, fund, p, h, r_int, r_time, r_num, r_plans, r_home,
                r_exc, inreg):
    """Whether rule j's conditions other than its regions hold for one terminal."""
    f = r_int[j, 1]
    if f == 0:
        return True
    if f & F_TIME and (t < r_time[j, 0] or t >= r_time[j, 1]):
        return False
    # A NaN value (unknown speed...) never exceeds a threshold.
    if f & F_SPEED and not spd > r_num[j, 0]:
        return False
    if f & F_ALT and not alt > r_num[j, 1]:
        return False
    if f & F_ROAM and not roam > r_num[j, 2]:
        return False
    if f & F_UNLESS_WL and w:
        return False
    if f & F_WL and w != (r_int[j, 2] == 1):
        return False
    if f & F_FUNDED and fund != (r_int[j, 3] == 1):
        return False
    if f & F_PLANS and (p < 0 or (r_plans[j] >> np.uint64(p)) & np.uint64(1) == 0):
        return False
    if f & F_HOME:
        found = False
        for k in range(r_int[j, 4], r_int[j, 5]):
            if r_home[k] == h:
                found = True
        if not found:
            return False
    if f & F_EXCEPT:
        for k in range(r_int[j, 6], r_int[j, 7]):
            if inreg[r_exc[k]]:
                return False
    return True


@numba.njit(cache=True, error_model="numpy", nogil=True)
def decide_kernel(lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded, h3mem,
                  r_land, wanted, tried, wg, lg, u_start, u_regions, n_poly,
                  res, ncols, nrows, fine, cell_code, occupied, fine_code, entries, edges,
                  rr_start, rr_rules, global_rules, alive, r_int, r_time, r_num, r_plans,
                  r_home, r_exc, inreg, touched, out):
    big = 2**31 - 1
    # Arrays are taken out of the tuples once: inside the loop each would cost a reference
    # count update per point.
    (w_km, w_res, w_ncols, w_nrows, w_fine, w_near, w_rank, w_codes, w_child, w_cs, w_ce, w_edges,
     w_unit) = wg
    l_res, l_ncols, l_nrows, l_fine, l_code, l_occ, l_fcode, l_entries, l_edges, l_t = lg
    all_tried = tried.all()
    use_inreg = r_exc.size > 0  # only except_regions needs region membership by index
    n_h3 = h3mem.shape[1]
    n_global = global_rules.size
    block = 2048
    codes = np.empty(block, dtype=np.int64)
    in_sub = np.empty(block, dtype=np.bool_)
    wcodes = np.empty(block, dtype=np.int64)
    for i in range(lat.size):
        # Cell codes are looked up a block ahead: independent loads overlap in the memory
        # system, where one point's chain of dependent loads would not.
        b = i % block
        if b == 0:
            for m in range(min(block, lat.size - i)):
                # ``occupied`` flags the cells with regions or waters: the open ocean is
                # settled by this one bit.
                c, in_sub[m] = code_at(lon[i + m], lat[i + m], res, ncols, nrows, cell_code,
                                       occupied, fine_code, fine)
                # The index holds the waters' sure answers; only a (sub-)cell flagged
                # ``WATER`` asks them here. Its waters' code is kept in its own code, or
                # read now when it holds no region, else -2: after the regions, when the
                # point is not on land.
                wcodes[m] = -1
                if c >= 0 and c & WATER:
                    known = (c ^ WATER) >> KNOWN_SHIFT  # the waters' code + 1, or 0
                    c &= (np.int64(1) << KNOWN_SHIFT) - 1
                    wcodes[m] = known - 1 if known else -2
                    if (not known and c & 0xFFFF == 0 and np.isfinite(lat[i + m])
                            and np.isfinite(lon[i + m])):
                        wcodes[m] = water_code(lon[i + m], lat[i + m], w_res, w_ncols, w_nrows,
                                               w_fine, w_near, w_rank, w_codes)
                codes[m] = c
        nt = regions_from_code(lon[i], lat[i], codes[b], in_sub[b], fine, res, ncols, nrows,
                               entries, edges, touched)
        # A point in a built-in land region is on land: no waters to look for. Elsewhere a
        # point in a land unit's waters is outside every land polygon, so the built-in
        # regions taking those waters are not among the ones just found.
        if wcodes[b] != -1:
            on_land = False
            for q in range(nt):
                if r_land[touched[q]]:
                    on_land = True
            wc = -1 if on_land else wcodes[b]
            if wc == -2:
                wc = -1
                if np.isfinite(lat[i]) and np.isfinite(lon[i]):
                    wc = water_code(lon[i], lat[i], w_res, w_ncols, w_nrows, w_fine, w_near,
                                    w_rank, w_codes)
            if wc >= 0:
                # Sure answers are read outright; where a coast crosses the sub-cell they
                # need the land test, unless the lookup above has tried every land polygon.
                wu = wc >> 2 if wc & 3 == 0 or (wc & 3 == 1 and all_tried) else resolve_code(
                    wc, lon[i], lat[i], all_tried, wanted, tried, w_km, w_res, w_ncols, w_nrows,
                    w_fine, w_child, w_cs, w_ce, w_edges, w_unit, l_res, l_ncols, l_nrows, l_fine,
                    l_code, l_occ, l_fcode, l_entries, l_edges, l_t)
                if wu >= 0:
                    for m in range(u_start[wu], u_start[wu + 1]):
                        touched[nt] = u_regions[m]
                        nt += 1
        for k in range(n_h3):
            if h3mem[i, k]:
                touched[nt] = n_poly + k
                nt += 1
        if nt == 0 and n_global == 0:
            out[i] = -1
            continue
        if use_inreg:
            for q in range(nt):
                inreg[touched[q]] = True
        # The terminal's attributes, read once (length-1 arrays are shared by every row).
        t = _at(t_ns, i)
        spd = _at(speed, i)
        a = _at(alt, i)
        ro = _at(roam, i)
        w = _at(wl, i)
        fu = _at(funded, i)
        p = _at(plan, i)
        h = _at(home, i)
        best_deny = big
        best_allow = big
        for q in range(nt):
            for m in range(rr_start[touched[q]], rr_start[touched[q] + 1]):
                j = rr_rules[m]
                if not alive[j]:
                    continue
                if r_int[j, 0] == 1:
                    if j >= best_deny:
                        continue
                elif j >= best_allow or best_deny < big:
                    continue
                if _rule_holds(j, t, spd, a, ro, w, fu, p, h, r_int, r_time, r_num, r_plans,
                               r_home, r_exc, inreg):
                    if r_int[j, 0] == 1:
                        best_deny = j
                    else:
                        best_allow = j
        for m in range(n_global):
            j = global_rules[m]
            if r_int[j, 0] == 1:
                if j >= best_deny:
                    continue
            elif j >= best_allow or best_deny < big:
                continue
            if _rule_holds(j, t, spd, a, ro, w, fu, p, h, r_int, r_time, r_num, r_plans, r_home,
                           r_exc, inreg):
                if r_int[j, 0] == 1:
                    best_deny = j
                else:
                    best_allow = j
        if use_inreg:
            for q in range(nt):
                inreg[touched[q]] = False
        if best_deny < big:
            out[i] = best_deny
        elif best_allow < big:
            out[i] = best_allow
        else:
            out[i] = -1
