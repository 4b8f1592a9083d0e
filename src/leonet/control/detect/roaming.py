"""``roaming_limit``: a terminal used abroad for longer than it may be, in one stay.

A stay abroad begins with a report outside the terminal's home country (at sea counts as
abroad) and ends with a report back home; its length at each report is the time since it
began. The limit is the terminal's own allowance (terminal facts), else the configured
default, or a policy rule with ``roaming_days_above`` (whichever is reached first). Only
terminals with a known home country can roam.
"""

from __future__ import annotations

import numpy as np

from leonet.control.detect.context import Context, decide_rows, heights_for
from leonet.control.detect.policy_kinds import sub_policy
from leonet.control.detect.text import count, iso, place


def roaming_limit(ctx: Context) -> None:
    tel = ctx.tel
    # The facts table, not the terminals at hand: a run split into terminal shards must say
    # this (or not) as one run does.
    if ctx.facts is None or not (ctx.facts.home_country != "").any():
        ctx.log.note("roaming_limit: no terminal has a home country in the facts; nothing to "
                     "check")
        return
    days, began = ctx.abroad
    over_terms = days > ctx.roaming_allowed[tel.codes]
    rule_hit = np.full(len(tel), -1, dtype=np.int32)
    sub = sub_policy(ctx.policy, "roaming_limit") if ctx.policy is not None else None
    if sub is not None:
        lowest = min(r.roaming_days_above for r in sub.rules)
        rows = np.flatnonzero(days > lowest)
        idx = decide_rows(ctx, sub, rows, speed_kmh=tel.speed_kmh[rows],
                          alt_m=heights_for(ctx, sub, rows), roaming_days=days[rows])
        rule_hit[rows] = idx
    flagged = np.flatnonzero(over_terms | (rule_hit >= 0))
    if not flagged.size:
        return
    # One incident per stay abroad: from the first report over a limit to the stay's last.
    stay = began[flagged]
    first_of = np.flatnonzero(np.concatenate([[True], stay[1:] != stay[:-1]]))
    last_of = np.concatenate([first_of[1:], [flagged.size]]) - 1
    country = ctx.country
    evidence, rules = [], []
    for a_pos, b_pos in zip(first_of.tolist(), last_of.tolist(), strict=True):
        a, b = int(flagged[a_pos]), int(flagged[b_pos])
        s = int(began[a])
        k = int(tel.codes[a])
        home = ctx.home[k]
        places = country[s:b + 1]
        names = [ctx.regions.country_name(int(c)) for c in _in_order(places)]
        limits = []
        if over_terms[a] or over_terms[b]:
            own = ctx.fact_index[k] >= 0 and not np.isnan(
                ctx.facts.roaming_days_allowed[ctx.fact_index[k]])
            limits.append(f"the {ctx.roaming_allowed[k]:g} days "
                          f"{'allowed to this terminal' if own else 'a stay abroad may last'}")
        hit = rule_hit[a:b + 1]
        hit = hit[hit >= 0]
        rule = sub.rules[int(hit[0])] if hit.size else None
        if rule is not None:
            limits.append(f"rule {rule.id!r} ({rule.conditions_text()})")
        home_note = (f"last seen at home on {iso(tel.time_ns[s - 1])}"
                     if s > tel.starts[k] else "never seen at home")
        evidence.append(
            f"abroad since {iso(tel.time_ns[s])} (home {home}; {home_note}); "
            f"{days[b]:,.1f} days by the last report, beyond {' and '.join(limits)}; "
            f"{count(b - s + 1, 'report')} abroad in {', '.join(names)}; over the limit from "
            f"{iso(tel.time_ns[a])} at {place(tel.lat_deg[a], tel.lon_deg[a])}")
        rules.append(rule.id if rule is not None else "")
    a_rows = flagged[first_of]
    b_rows = flagged[last_of]
    ctx.log.add(terminal_id=tel.terminals[tel.codes[a_rows]], kind="roaming_limit",
                start=tel.time[a_rows], end=tel.time[b_rows],
                evidence=np.array(evidence, dtype=object), rule=np.array(rules, dtype=object),
                n_reports=(last_of - first_of + 1), lat_deg=tel.lat_deg[a_rows],
                lon_deg=tel.lon_deg[a_rows])


def _in_order(values: np.ndarray) -> list[int]:
    """Distinct values in order of first appearance."""
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)].tolist()
