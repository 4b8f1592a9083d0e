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


STATUS_LABELS = ("status:ordered", "status:suspended", "status:deactivated")


@dataclass(frozen=True)
class Outcome:
    """Per row: ``allowed`` and ``rule_index`` into ``labels`` (rule ids in file order,
    ``default``, then ``status:<status>``). ``decision`` is the engine's `Decisions` of the
    last group decided (the only one for a single row), for ``explain``."""

    allowed: np.ndarray
    rule_index: np.ndarray
    labels: tuple[str, ...]
    decision: object

    @property
    def rule(self) -> np.ndarray:
        return np.array(self.labels, dtype=object)[self.rule_index]


def decide(policy, table: FactTable, rows: Rows, contains: RegionTest, *,
           explain: bool = False) -> Outcome:
    """Decide every row under ``policy`` (a `leonet.control.policy.Policy`).

    The engine takes plan and home country as strings; rows are grouped by the (few)
    distinct pairs among the batch's terminals and each group is decided with the pair as
    a scalar, so no per-row string is ever built. A plan the policy does not list is no
    plan to it (it satisfies no ``plans`` condition).
    """
    codes = rows.codes
    n = codes.size
    known_plans = set(policy.plans)
    if not explain and not any(r.plans for r in policy.rules):
        known_plans = set()
    use_home = explain or any(r.home_countries for r in policy.rules)
    pairs: dict[tuple[str | None, str | None], int] = {}
    pair_of_terminal = np.array([
        pairs.setdefault((p if p in known_plans else None, (h or None) if use_home else None),
                         len(pairs))
        for p, h in zip(table.plan.tolist(), table.home_country.tolist(), strict=True)
    ], dtype=np.int64)
    time = rows.time_ns.view("datetime64[ns]")
    whitelisted = table.whitelisted(codes, rows.time_ns, rows.lat_deg, rows.lon_deg, contains)
    funded = table.funded(codes, rows.time_ns)
    n_rules = len(policy.rules)
    rule_index = np.empty(n, dtype=np.int32)
    row_pair = pair_of_terminal[codes]
    single = len(pairs) == 1
    decision = None
    for k, (plan, home) in enumerate(pairs):
        # Every pair comes from a terminal of this batch, so every group has rows.
        sel = slice(None) if single else np.flatnonzero(row_pair == k)
        decision = policy.decide(
            lat_deg=rows.lat_deg[sel], lon_deg=rows.lon_deg[sel], alt_m=rows.alt_m[sel],
            speed_kmh=rows.speed_kmh[sel], time=time[sel], whitelisted=whitelisted[sel],
            plan=plan, home_country=home, roaming_days=rows.roaming_days[sel],
            funded=funded[sel],
        )
        # The engine's index: -1 for the default, else the rule's position.
        index = np.asarray(decision.rule_index, dtype=np.int32).ravel()
        rule_index[sel] = np.where(index < 0, n_rules, index)
    deny = np.array([r.effect == "deny" for r in policy.rules]
                    + [policy.default == "deny"] + [True] * len(STATUS_LABELS), dtype=bool)
    status = table.status[codes]
    inactive = ~table.active[codes]
    if inactive.any():
        for j, label in enumerate(STATUS_LABELS):
            rule_index[inactive & (status == label.removeprefix("status:"))] = n_rules + 1 + j
    labels = (*(r.id for r in policy.rules), "default", *STATUS_LABELS)
    return Outcome(~deny[rule_index], rule_index, labels, decision)
