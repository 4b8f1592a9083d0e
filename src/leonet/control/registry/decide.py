"""Decisions for registered terminals: the registry's facts + the active policy.

The policy engine decides from place, speed, time and terminal attributes; the registry
supplies the attributes (plan, home country, funded, whitelisted) and one more gate the
engine does not know about: only an *active* terminal gets service. A terminal that is
ordered, suspended or deactivated is denied with rule ``status:<status>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leonet.control.registry.facts import FactTable, RegionTest


@dataclass(frozen=True)
class Rows:
    """Decision inputs, one entry per row, all shape ``(n,)``.

    ``codes[i]`` indexes the distinct terminals (`FactTable` rows); ``time_ns`` is
    nanoseconds since the Unix epoch, UTC.
    """

    codes: np.ndarray
    time_ns: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    speed_kmh: np.ndarray
    roaming_days: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """``allowed`` (bool) and ``rule`` (str: a rule id, ``default`` or ``status:<s>``)."""

    allowed: np.ndarray
    rule: np.ndarray
    decision: object  # the engine's Decisions, for explain()


def decide(policy, table: FactTable, rows: Rows, contains: RegionTest) -> Outcome:
    """Decide every row under ``policy`` (a `leonet.control.policy.Policy`)."""
    codes = rows.codes
    time = rows.time_ns.astype("datetime64[ns]")
    decision = policy.decide(
        lat_deg=rows.lat_deg, lon_deg=rows.lon_deg, alt_m=rows.alt_m,
        speed_kmh=rows.speed_kmh, time=time,
        whitelisted=table.whitelisted(codes, rows.time_ns, rows.lat_deg, rows.lon_deg,
                                      contains),
        plan=table.plan[codes], home_country=table.home_country[codes],
        roaming_days=rows.roaming_days, funded=table.funded(codes, rows.time_ns),
    )
    allowed = np.asarray(decision.allowed, dtype=bool)
    rule = np.asarray(decision.rule, dtype=object)
    inactive = ~table.active[codes]
    if inactive.any():
        allowed = allowed & ~inactive
        rule = rule.copy()
        rule[inactive] = np.char.add("status:", table.status[codes][inactive].astype(str))
    return Outcome(allowed, rule, decision)
