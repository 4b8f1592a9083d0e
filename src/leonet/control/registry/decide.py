"""Decisions for registered terminals: the registry's facts + the active policy.

The policy engine decides from place, speed, time and terminal attributes; the registry
supplies the attributes (plan, home country, funded, whitelisted) and one more gate the
engine does not know about: only an *active* terminal gets service. A terminal that is
ordered, suspended or deactivated is denied with rule ``status:<status>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leonet.control.policy import Coded, Decisions, Policy
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
    ``default``, then ``status:<status>``). ``decision`` is the engine's `Decisions` of every
    row, for ``explain``."""

    allowed: np.ndarray
    rule_index: np.ndarray
    labels: tuple[str, ...]
    decision: Decisions

    @property
    def rule(self) -> np.ndarray:
        return np.array(self.labels, dtype=object)[self.rule_index]


def decide(policy: Policy, table: FactTable, rows: Rows, contains: RegionTest) -> Outcome:
    """Decide every row under ``policy``.

    Plan and home country take few values among the batch's terminals: they go to the engine
    as per-row codes into the distinct (plan, home country) pairs, so no per-row string is
    built (the engine decides the rows in groups sharing them). A plan the policy does not
    list is no plan to it (it satisfies no ``plans`` condition).
    """
    codes = rows.codes
    listed = set(policy.plans)
    pairs: dict[tuple[str | None, str], int] = {}
    pair_of_terminal = np.array([
        pairs.setdefault((p if p in listed else None, h), len(pairs))
        for p, h in zip(table.plan.tolist(), table.home_country.tolist(), strict=True)
    ], dtype=np.intp)
    plans, homes = (tuple(v) for v in zip(*pairs, strict=True)) if pairs else ((), ())
    pair = pair_of_terminal[codes]
    decision = policy.decide(
        lat_deg=rows.lat_deg, lon_deg=rows.lon_deg, alt_m=rows.alt_m,
        speed_kmh=rows.speed_kmh, time=rows.time_ns.view("datetime64[ns]"),
        whitelisted=table.whitelisted(codes, rows.time_ns, rows.lat_deg, rows.lon_deg,
                                      contains),
        plan=Coded(pair, plans), home_country=Coded(pair, homes),
        roaming_days=rows.roaming_days, funded=table.funded(codes, rows.time_ns),
    )
    n_rules = len(policy.rules)
    # The engine's index: -1 for the default, else the rule's position.
    index = np.asarray(decision.rule_index, dtype=np.int32).ravel()
    rule_index = np.where(index < 0, n_rules, index).astype(np.int32)
    deny = np.array([r.effect == "deny" for r in policy.rules]
                    + [policy.default == "deny"] + [True] * len(STATUS_LABELS), dtype=bool)
    status = table.status[codes]
    inactive = ~table.active[codes]
    if inactive.any():
        for j, label in enumerate(STATUS_LABELS):
            rule_index[inactive & (status == label.removeprefix("status:"))] = n_rules + 1 + j
    labels = (*(r.id for r in policy.rules), "default", *STATUS_LABELS)
    return Outcome(~deny[rule_index], rule_index, labels, decision)
