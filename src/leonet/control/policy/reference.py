"""A slow, obviously-correct evaluator: one row, every rule, in file order.

Used by `Decisions.explain` (which wants every rule's verdict, not only the winner) and by the
tests as the reference the vectorised kernel must agree with. Region membership uses shapely
(`Region.contains`; waters by `Policy.in_region`) and H3's own cell lookup.
"""

from __future__ import annotations

import numpy as np

from leonet.control.policy.document import Rule


def rule_verdict(policy, rule: Rule, row: dict) -> tuple[bool, str]:
    """Whether ``rule`` matches the terminal ``row`` and, if not, the first reason why not."""
    lat, lon = row["lat_deg"], row["lon_deg"]
    t = np.datetime64(row["time"], "ns")
    if rule.regions is not None:
        inside = [n for n in rule.regions if policy.in_region(n, lat, lon)]
        if not inside:
            return False, "outside " + ", ".join(rule.regions)
    for name in rule.except_regions:
        if policy.in_region(name, lat, lon):
            return False, f"inside excepted region {name}"
    if rule.start is not None and t < rule.start:
        return False, "before the rule starts"
    if rule.end is not None and t >= rule.end:
        return False, "after the rule ended"
    if rule.speed_kmh_above is not None and not row["speed_kmh"] > rule.speed_kmh_above:
        return False, f"speed {row['speed_kmh']:g} km/h is not above {rule.speed_kmh_above:g}"
    if rule.altitude_m_above is not None and not row["alt_m"] > rule.altitude_m_above:
        return False, f"altitude {row['alt_m']:g} m is not above {rule.altitude_m_above:g}"
    if rule.roaming_days_above is not None and not row["roaming_days"] > rule.roaming_days_above:
        return False, (f"roaming {row['roaming_days']:g} days is not above "
                       f"{rule.roaming_days_above:g}")
    if rule.unless_whitelisted and row["whitelisted"]:
        return False, "the terminal is whitelisted"
    if rule.whitelisted is not None and row["whitelisted"] != rule.whitelisted:
        return False, "the terminal is " + ("not " if rule.whitelisted else "") + "whitelisted"
    if rule.unfunded is not None and row["funded"] == rule.unfunded:
        return False, "the terminal is " + ("funded" if row["funded"] else "unfunded")
    if rule.plans is not None and row["plan"] not in rule.plans:
        return False, f"plan {row['plan'] or '(none)'} is not " + " or ".join(rule.plans)
    if rule.home_countries is not None and row["home_country"] not in rule.home_countries:
        return False, f"home country {row['home_country'] or '(none)'} is not listed"
    return True, "all conditions hold"


def reference_decide(policy, row: dict) -> int:
    """Index of the deciding rule for one terminal, -1 for the default."""
    matches = [j for j, r in enumerate(policy.rules) if rule_verdict(policy, r, row)[0]]
    denies = [j for j in matches if policy.rules[j].effect == "deny"]
    if denies:
        return denies[0]
    return matches[0] if matches else -1
