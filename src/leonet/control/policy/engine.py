"""The compiled form of a policy and the vectorised decision kernel (numba, one pass per point).

Per point: find its grid cell, test the regions listed there (exactly in boundary cells, see
`index`), and for each region that holds the point look only at the rules naming that region
(plus the rules that apply everywhere). Among matching rules the lowest-numbered deny wins,
else the lowest-numbered allow, else the default — IAM's evaluation, with the reason being the
first matching rule in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numba
import numpy as np

from leonet.control.policy.document import NO_END, NO_START, Rule
from leonet.control.policy.index import GridIndex, build_index, cell_of, point_in_entry
from leonet.control.regions import Region

DEFAULT_RULE = -1


@dataclass(frozen=True, eq=False)
class Engine:
    regions: tuple[Region, ...]  # polygon regions first (grid index k), then H3 cell sets
    n_poly: int
    index: GridIndex
    rr_start: np.ndarray  # region -> rules naming it (CSR)
    rr_rules: np.ndarray
    global_rules: np.ndarray  # rules without regions
    r_effect: np.ndarray  # 1 deny, 0 allow
    r_from: np.ndarray
    r_until: np.ndarray
    r_speed: np.ndarray
    r_alt: np.ndarray
    r_roam: np.ndarray
    r_unless_wl: np.ndarray
    r_wl: np.ndarray  # -1 no condition, 0 must not be whitelisted, 1 must be
    r_funded: np.ndarray  # -1 no condition, 0 must be unfunded, 1 must be funded
    r_plans: np.ndarray  # uint64 bit mask over the policy's plans (0 = any)
    r_home_start: np.ndarray
    r_home: np.ndarray
    r_exc_start: np.ndarray
    r_exc: np.ndarray
    home_codes: tuple[str, ...]

    def region_index(self, ref: str) -> int:
        return next(i for i, r in enumerate(self.regions) if r.ref == ref)


def compile_engine(rules: tuple[Rule, ...], resolved: dict[str, Region],
                   plans: tuple[str, ...], use_cache: bool = True) -> Engine:
    """Compile rules whose region names resolve through ``resolved`` (name -> Region)."""
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

    def csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        start = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int32)
        flat = np.array([x for r in rows for x in r], dtype=np.int32)
        return start, flat

    def opt(values) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def tri(values) -> np.ndarray:
        return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)

    rr_start, rr_rules = csr(lists)
    home_start, home = csr(homes)
    exc_start, exc = csr(excs)
    plan_bits = np.zeros(n, dtype=np.uint64)
    for j, rule in enumerate(rules):
        for p in rule.plans or ():
            plan_bits[j] |= np.uint64(1) << np.uint64(plans.index(p))
    return Engine(
        regions=regions, n_poly=len(poly), index=index, rr_start=rr_start, rr_rules=rr_rules,
        global_rules=np.array(global_rules, dtype=np.int32),
        r_effect=np.array([r.effect == "deny" for r in rules], dtype=np.int8),
        r_from=np.array([NO_START if r.start is None else r.start.astype(np.int64)
                         for r in rules], dtype=np.int64),
        r_until=np.array([NO_END if r.end is None else r.end.astype(np.int64)
                          for r in rules], dtype=np.int64),
        r_speed=opt(r.speed_kmh_above for r in rules),
        r_alt=opt(r.altitude_m_above for r in rules),
        r_roam=opt(r.roaming_days_above for r in rules),
        r_unless_wl=np.array([r.unless_whitelisted for r in rules], dtype=np.bool_),
        r_wl=tri(r.whitelisted for r in rules),
        r_funded=tri(None if r.unfunded is None else not r.unfunded for r in rules),
        r_plans=plan_bits, r_home_start=home_start, r_home=home, r_exc_start=exc_start,
        r_exc=exc, home_codes=tuple(home_codes),
    )


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
    """Rule index per point (-1 = default). Attribute arrays have length n or 1."""
    out = np.empty(lat.size, dtype=np.int32)
    ix = engine.index
    n_reg = len(engine.regions)
    decide_kernel(lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded, h3mem,
                  engine.n_poly, ix.res_deg, ix.ncols, ix.nrows, ix.cell_start, ix.e_region,
                  ix.e_state, ix.e_start, ix.e_end, ix.ex0, ix.ey0, ix.ex1, ix.ey1,
                  engine.rr_start, engine.rr_rules, engine.global_rules, engine.r_effect,
                  engine.r_from, engine.r_until, engine.r_speed, engine.r_alt, engine.r_roam,
                  engine.r_unless_wl, engine.r_wl, engine.r_funded, engine.r_plans,
                  engine.r_home_start, engine.r_home, engine.r_exc_start, engine.r_exc,
                  np.zeros(max(n_reg, 1), dtype=np.bool_), np.zeros(max(n_reg, 1), np.int32),
                  out)
    return out


@numba.njit(cache=True, inline="always")
def _at(a, i):
    return a[i] if a.shape[0] > 1 else a[0]


@numba.njit(cache=True, inline="always")
def _rule_holds(j, i, alt, speed, t_ns, wl, plan, home, roam, funded, r_from, r_until,
                r_speed, r_alt, r_roam, r_unless_wl, r_wl, r_funded, r_plans, r_home_start,
                r_home, r_exc_start, r_exc, inreg):
    t = _at(t_ns, i)
    if t < r_from[j] or t >= r_until[j]:
        return False
    if not np.isnan(r_speed[j]) and not _at(speed, i) > r_speed[j]:
        return False
    if not np.isnan(r_alt[j]) and not _at(alt, i) > r_alt[j]:
        return False
    if not np.isnan(r_roam[j]) and not _at(roam, i) > r_roam[j]:
        return False
    w = _at(wl, i)
    if r_unless_wl[j] and w:
        return False
    if r_wl[j] >= 0 and w != (r_wl[j] == 1):
        return False
    if r_funded[j] >= 0 and _at(funded, i) != (r_funded[j] == 1):
        return False
    if r_plans[j] != 0:
        p = _at(plan, i)
        if p < 0 or (r_plans[j] >> np.uint64(p)) & np.uint64(1) == 0:
            return False
    if r_home_start[j + 1] > r_home_start[j]:
        h = _at(home, i)
        found = False
        for k in range(r_home_start[j], r_home_start[j + 1]):
            if r_home[k] == h:
                found = True
        if not found:
            return False
    for k in range(r_exc_start[j], r_exc_start[j + 1]):  # noqa: SIM110 - numba: no generators
        if inreg[r_exc[k]]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def decide_kernel(lat, lon, alt, speed, t_ns, wl, plan, home, roam, funded, h3mem, n_poly,
                  res, ncols, nrows, cell_start, e_region, e_state, e_start, e_end, ex0, ey0,
                  ex1, ey1, rr_start, rr_rules, global_rules, r_effect, r_from, r_until,
                  r_speed, r_alt, r_roam, r_unless_wl, r_wl, r_funded, r_plans, r_home_start,
                  r_home, r_exc_start, r_exc, inreg, touched, out):
    big = np.int32(2**31 - 1)
    n_h3 = h3mem.shape[1]
    for i in range(lat.size):
        px, py = lon[i], lat[i]
        ix, iy = cell_of(px, py, res, ncols, nrows)
        cell = iy * ncols + ix
        nt = 0
        for k in range(cell_start[cell], cell_start[cell + 1]):
            if point_in_entry(px, py, ix, iy, res, e_state[k], e_start[k], e_end[k],
                              ex0, ey0, ex1, ey1):
                r = e_region[k]
                inreg[r] = True
                touched[nt] = r
                nt += 1
        for k in range(n_h3):
            if h3mem[i, k]:
                inreg[n_poly + k] = True
                touched[nt] = n_poly + k
                nt += 1
        best_deny = big
        best_allow = big
        for q in range(nt + global_rules.size):
            if q < nt:
                r = touched[q]
                lo, hi = rr_start[r], rr_start[r + 1]
            else:
                lo, hi = 0, 1
            for m in range(lo, hi):
                j = rr_rules[m] if q < nt else global_rules[q - nt]
                if r_effect[j] == 1:
                    if j >= best_deny:
                        continue
                elif j >= best_allow or best_deny < big:
                    continue
                if _rule_holds(j, i, alt, speed, t_ns, wl, plan, home, roam, funded, r_from,
                               r_until, r_speed, r_alt, r_roam, r_unless_wl, r_wl, r_funded,
                               r_plans, r_home_start, r_home, r_exc_start, r_exc, inreg):
                    if r_effect[j] == 1:
                        best_deny = j
                    else:
                        best_allow = j
        for q in range(nt):
            inreg[touched[q]] = False
        if best_deny < big:
            out[i] = best_deny
        elif best_allow < big:
            out[i] = best_allow
        else:
            out[i] = -1
