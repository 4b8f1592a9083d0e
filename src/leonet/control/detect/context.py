"""What every detector reads: the telemetry, the policy, per-terminal facts and per-row
derived values (whitelisted here and now, country, days abroad), each computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numba
import numpy as np

from leonet.control.detect.config import DetectConfig
from leonet.control.detect.facts import TerminalFacts
from leonet.control.detect.geo import Regions
from leonet.control.detect.heights import AboveGround, above_ground
from leonet.control.detect.incidents import IncidentLog
from leonet.control.telemetry import Telemetry
from leonet.physics.timegrid import NS_PER_DAY


@dataclass(eq=False)
class Context:
    tel: Telemetry
    policy: object | None
    facts: TerminalFacts | None
    config: DetectConfig
    log: IncidentLog
    regions: Regions = field(init=False)

    def __post_init__(self) -> None:
        self.regions = Regions(self.policy)
        if self.facts is not None:
            # Tallied even at 0 (then not shown): the total counts every shard's terminals.
            self.log.tally(f"{{unknown:,}} of {{total:,}} terminals are not in "
                           f"{_literal(self.facts.source)}: taken as not whitelisted, "
                           "with no plan and no home country",
                           unknown=int((self.fact_index < 0).sum()),
                           total=self.tel.n_terminals)
        else:
            self.log.note("no terminal facts given: every terminal is taken as not "
                          "whitelisted, with no plan and no home country")

    # -- per terminal ------------------------------------------------------------------------

    @cached_property
    def fact_index(self) -> np.ndarray:
        if self.facts is None:
            return np.full(self.tel.n_terminals, -1, dtype=np.int64)
        return self.facts.lookup(self.tel.terminals)

    def _per_terminal(self, name: str, default, dtype) -> np.ndarray:
        out = np.full(self.tel.n_terminals, default, dtype=dtype)
        known = self.fact_index >= 0
        if known.any():
            out[known] = getattr(self.facts, name)[self.fact_index[known]]
        return out

    @cached_property
    def plan(self) -> np.ndarray:
        return self._per_terminal("plan", "", object)

    @cached_property
    def home(self) -> np.ndarray:
        return self._per_terminal("home_country", "", object)

    @cached_property
    def roaming_allowed(self) -> np.ndarray:
        out = self._per_terminal("roaming_days_allowed", np.nan, np.float64)
        return np.where(np.isnan(out), self.config.roaming_days_allowed, out)

    # -- per row -----------------------------------------------------------------------------

    @cached_property
    def heights(self) -> AboveGround:
        """Height above ground of each report, with its lower bound (see `heights`)."""
        out = above_ground(self.tel, terrain=self.config.terrain,
                           gnss_vertical_error_m=self.config.gnss_vertical_error_m)
        unknown = int(np.isnan(out.low_m).sum())
        if unknown:
            self.log.tally("{unknown:,} reports have no height above ground (no "
                           "height_agl_m and no terrain model): altitude_limit and drone_like "
                           "say nothing about them", unknown=unknown)
        return out

    @cached_property
    def whitelisted(self) -> np.ndarray:
        """Is the terminal verified for the place and time of each report."""
        tel = self.tel
        flag = self._per_terminal("whitelisted", False, bool)
        out = flag[tel.codes]
        f = self.facts
        if f is None or not f.wl_terminal.size:
            return out
        # Verifications per telemetry terminal: entries of facts terminals present here.
        tel_of_fact = np.full(len(f), -1, dtype=np.int64)
        tel_of_fact[self.fact_index[self.fact_index >= 0]] = np.flatnonzero(
            self.fact_index >= 0)
        entry_tel = tel_of_fact[f.wl_terminal]
        starts = tel.starts
        t = tel.time_ns
        for region in sorted(set(f.wl_region[entry_tel >= 0].tolist())):
            entries = np.flatnonzero((f.wl_region == region) & (entry_tel >= 0))
            rows = _ranges(starts[entry_tel[entries]], starts[entry_tel[entries] + 1])
            entry_of_row = np.repeat(entries, starts[entry_tel[entries] + 1]
                                     - starts[entry_tel[entries]])
            in_time = ((f.wl_from_ns[entry_of_row] <= t[rows])
                       & (t[rows] < f.wl_until_ns[entry_of_row]) & ~out[rows])
            rows = rows[in_time]
            if rows.size:
                inside = self.regions.inside(region, tel.lat_deg[rows], tel.lon_deg[rows])
                out[rows[inside]] = True
        return out

    @cached_property
    def country(self) -> np.ndarray:
        """Country index (into ``regions.country_codes``) of the rows of terminals with a
        home country; -2 for other rows (not looked up), -1 at sea."""
        tel = self.tel
        has_home = self.home != ""
        out = np.full(len(tel), -2, dtype=np.int64)
        rows = np.flatnonzero(has_home[tel.codes])
        out[rows] = self.regions.country(tel.lat_deg[rows], tel.lon_deg[rows])
        return out

    @cached_property
    def abroad(self) -> tuple[np.ndarray, np.ndarray]:
        """``(days abroad at each row, row where that stay abroad began)``: 0 and -1 at home
        or for terminals without a home country. At sea counts as abroad."""
        tel = self.tel
        index = {c: k for k, c in enumerate(self.regions.country_codes.tolist())}
        home_index = np.array([index.get(h, -3) if h else -3 for h in self.home.tolist()],
                              dtype=np.int64)
        country = self.country
        away = (country != -2) & (country != home_index[tel.codes])
        return _stays_abroad(away, tel.time_ns, tel.starts)

    def roaming_days(self) -> np.ndarray:
        return self.abroad[0]

    def plan_for_policy(self, policy) -> np.ndarray:
        """Per terminal, its plan if the policy knows the name, else "" (noted)."""
        plans = self.plan.copy()
        unknown = sorted({p for p in plans.tolist() if p and p not in policy.plans})
        for p in unknown:
            n = int((plans == p).sum())
            self.log.tally(f"plan {_literal(repr(p))} of {{n:,}} terminals is not among the "
                           "policy's plans; those terminals are taken as having no plan for "
                           "its rules", n=n)
            plans[plans == p] = ""
        return plans


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(lo[k], hi[k])``."""
    lengths = hi - lo
    if not lengths.sum():
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(lo - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(lengths.sum(), dtype=np.int64) + offsets


@numba.njit(cache=True)
def _stays_abroad_kernel(away, t_ns, starts, days, began):  # pragma: no cover - compiled
    for k in range(starts.size - 1):
        first = -1
        for i in range(starts[k], starts[k + 1]):
            if away[i]:
                if first < 0:
                    first = i
                days[i] = (t_ns[i] - t_ns[first]) / NS_PER_DAY
                began[i] = first
            else:
                first = -1


def _stays_abroad(away, t_ns, starts):
    days = np.zeros(away.size)
    began = np.full(away.size, -1, dtype=np.int64)
    _stays_abroad_kernel(away, t_ns, starts, days, began)
    return days, began


def heights_for(ctx: Context, policy, rows: np.ndarray):
    """Heights above ground for ``policy``'s altitude conditions (the lower bounds; 0 where
    unknown), or 0 when none of its rules has one (no terrain needed)."""
    if any(r.altitude_m_above is not None for r in policy.rules):
        return ctx.heights.for_policy(rows)
    return 0.0


def decide_rows(ctx: Context, policy, rows: np.ndarray, *, speed_kmh=0.0, alt_m=0.0,
                roaming_days=0.0) -> np.ndarray:
    """Rule index of ``policy`` for the given rows (the terminal's plan, home country and
    whitelisting; funded taken as true), deciding each (plan, home) group with scalars so the
    engine never sees a per-row string."""
    tel = ctx.tel
    out = np.full(rows.size, -1, dtype=np.int32)
    if not rows.size:
        return out
    plans = ctx.plan_for_policy(policy)
    homes = ctx.home
    pair = np.array([f"{p}\x1f{h}" for p, h in zip(plans.tolist(), homes.tolist(),
                                                      strict=True)], dtype=object)
    keys, group_of_terminal = np.unique(pair.astype(str), return_inverse=True)
    group = group_of_terminal[tel.codes[rows]]

    def at(v, sel):
        return v[sel] if np.ndim(v) else v

    for g, key in enumerate(keys.tolist()):
        sel = np.flatnonzero(group == g)
        if not sel.size:
            continue
        plan, home = key.split("\x1f")
        r = rows[sel]
        d = policy.decide(lat_deg=tel.lat_deg[r], lon_deg=tel.lon_deg[r],
                          alt_m=at(alt_m, sel), speed_kmh=at(speed_kmh, sel),
                          time=tel.time[r], whitelisted=ctx.whitelisted[r],
                          plan=plan or None, home_country=home or None,
                          roaming_days=at(roaming_days, sel), funded=True)
        out[sel] = d.rule_index
    return out


def _literal(text: str) -> str:
    """``text`` inside a `IncidentLog.tally` template (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")
