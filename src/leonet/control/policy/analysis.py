"""Checks made on load: contradictions (errors), conflicts and dead rules (warnings).

Rule ``D`` *covers* rule ``A`` when every terminal ``A`` matches is matched by ``D`` as well
(same or wider regions and time window, weaker or equal conditions). Then:

- an allow covered by a deny can never grant (warning: never matches in effect);
- a rule covered by an earlier rule of the same effect is never the reason (warning);
- an allow and a deny covering each other are contradictory rules (error);
- an allow and a deny that merely overlap are a conflict, settled by "deny wins" (warning);
  a deny that the allow covers is no conflict but an exception carved out of the allow (the
  shipped policies' pattern: allow Ukraine, deny Crimea, drones, terminals not whitelisted),
  and gets no warning: warnings that fire on correct documents teach users to ignore them.

Region containment and overlap are decided on the geometries (interiors), after cheap
name and bounding-box tests.
"""

from __future__ import annotations

import numpy as np
import shapely

from leonet.control.policy.document import Rule
from leonet.errors import InputError


def analyse(policy) -> list[str]:
    rules = policy.rules
    geo = _Geometry(policy)
    out: list[str] = []
    dead: set[int] = set()
    for a, ra in enumerate(rules):
        if ra.regions is not None and geo.empty(a):
            out.append(f"rule {ra.id!r} can never match: its regions have no area")
            dead.add(a)
    box = geo.boxes()
    for a, ra in enumerate(rules):
        if a in dead:
            continue
        # Only rules whose box holds this rule's box can cover it.
        holds = ((box[:, 0] <= box[a, 0]) & (box[:, 1] <= box[a, 1])
                 & (box[:, 2] >= box[a, 2]) & (box[:, 3] >= box[a, 3]))
        for d in np.flatnonzero(holds).tolist():
            rd = rules[d]
            if d == a or d in dead:
                continue
            if ra.effect == "allow" and rd.effect == "deny" and _covers(rd, ra, geo, d, a):
                if _covers(ra, rd, geo, a, d):
                    raise InputError(
                        f"contradictory rules: allow {ra.id!r} (rules[{a}]) and deny {rd.id!r} "
                        f"(rules[{d}]) match exactly the same terminals, so the allow can never "
                        "apply; delete one of them or narrow the deny", policy.source)
                out.append(f"rule {ra.id!r} can never grant service: deny rule {rd.id!r} "
                           "matches every terminal it matches (any matching deny wins)")
                dead.add(a)
                break
            if rd.effect == ra.effect and d < a and _covers(rd, ra, geo, d, a):
                out.append(f"rule {ra.id!r} is never the reason for a decision: the earlier "
                           f"{rd.effect} rule {rd.id!r} matches every terminal it matches")
                dead.add(a)
                break
    for a, ra in enumerate(rules):
        if ra.effect != "allow" or a in dead:
            continue
        meets = ((box[:, 0] <= box[a, 2]) & (box[:, 2] >= box[a, 0])
                 & (box[:, 1] <= box[a, 3]) & (box[:, 3] >= box[a, 1]))
        for d in np.flatnonzero(meets).tolist():
            rd = rules[d]
            if (rd.effect == "deny" and d not in dead and _may_overlap(ra, rd, geo, a, d)
                    and not _covers(ra, rd, geo, a, d, exception=True)):
                out.append(f"conflict: where both match, deny {rd.id!r} overrides allow "
                           f"{ra.id!r} (deny wins)")
    return out


class _Geometry:
    def __init__(self, policy) -> None:
        self.policy = policy
        self._union: dict[int, shapely.Geometry] = {}

    def union(self, i: int):
        if i not in self._union:
            rule = self.policy.rules[i]
            geoms = [self.policy.regions[n].as_geometry() for n in rule.regions]
            self._union[i] = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        return self._union[i]

    def empty(self, i: int) -> bool:
        return self.union(i).is_empty

    def boxes(self) -> np.ndarray:
        """``(n_rules, 4)`` bounds; rules without regions span the whole plane."""
        out = np.tile([-np.inf, -np.inf, np.inf, np.inf], (len(self.policy.rules), 1))
        for i, rule in enumerate(self.policy.rules):
            if rule.regions is not None and not self.empty(i):
                out[i] = self.union(i).bounds
        return out

    def names(self, i: int) -> set[str]:
        return {self.policy.regions[n].ref for n in self.policy.rules[i].regions}


def _time_within(inner: Rule, outer: Rule) -> bool:
    if outer.start is not None and (inner.start is None or inner.start < outer.start):
        return False
    return not (outer.end is not None and (inner.end is None or inner.end > outer.end))


def _threshold_implies(inner, outer) -> bool:
    """A condition ``x > inner`` implies ``x > outer`` (None = no condition)."""
    return outer is None or (inner is not None and inner >= outer)


# Region containment for exceptions: a deny drawn along its allow's border (Crimea's
# coast, digitised separately from Ukraine's) may stick out by rounding; this share of its
# area outside the allow is still "within".
EXCEPTION_AREA_TOLERANCE = 1e-6


def _covers(d: Rule, a: Rule, geo: _Geometry, di: int, ai: int, *,
            exception: bool = False) -> bool:
    """Every terminal matched by ``a`` is matched by ``d``. With ``exception``: whether the
    deny ``a`` is an exception carved out of the allow ``d``: ``d`` covers ``a`` whatever their
    time windows (outside the allow's window the deny decides alone: no conflict) and up to
    `EXCEPTION_AREA_TOLERANCE` of ``a``'s area."""
    if not exception and not _time_within(a, d):
        return False
    for key in ("speed_kmh_above", "altitude_m_above", "roaming_days_above"):
        if not _threshold_implies(getattr(a, key), getattr(d, key)):
            return False
    if d.unless_whitelisted and not (a.unless_whitelisted or a.whitelisted is False):
        return False
    if d.whitelisted is not None and a.whitelisted != d.whitelisted and not (
            d.whitelisted is False and a.unless_whitelisted):
        return False
    if d.unfunded is not None and a.unfunded != d.unfunded:
        return False
    if d.plans is not None and (a.plans is None or not set(a.plans) <= set(d.plans)):
        return False
    if d.home_countries is not None and (
            a.home_countries is None or not set(a.home_countries) <= set(d.home_countries)):
        return False
    if not set(d.except_regions) <= set(a.except_regions):
        return False
    if d.regions is None:
        return True
    if a.regions is None:
        return False
    if geo.names(ai) <= geo.names(di):
        return True
    if exception:
        inner = geo.union(ai)
        outside = shapely.area(shapely.difference(inner, geo.union(di)))
        return bool(outside <= EXCEPTION_AREA_TOLERANCE * shapely.area(inner))
    return bool(shapely.covers(geo.union(di), geo.union(ai)))


def _may_overlap(a: Rule, d: Rule, geo: _Geometry, ai: int, di: int) -> bool:
    """Some terminal might match both (conditions compatible, regions' interiors meet)."""
    starts = [x for x in (a.start, d.start) if x is not None]
    ends = [x for x in (a.end, d.end) if x is not None]
    lo = max(starts) if starts else None
    hi = min(ends) if ends else None
    if lo is not None and hi is not None and lo >= hi:
        return False
    if (a.whitelisted is True and d.unless_whitelisted) or (
            d.whitelisted is True and a.unless_whitelisted):
        return False
    if a.whitelisted is not None and d.whitelisted is not None and a.whitelisted != d.whitelisted:
        return False
    if a.unfunded is not None and d.unfunded is not None and a.unfunded != d.unfunded:
        return False
    if a.plans is not None and d.plans is not None and not set(a.plans) & set(d.plans):
        return False
    if (a.home_countries is not None and d.home_countries is not None
            and not set(a.home_countries) & set(d.home_countries)):
        return False
    if a.regions is None or d.regions is None:
        return True
    if geo.names(ai) & geo.names(di):
        return True
    return bool(shapely.relate_pattern(geo.union(ai), geo.union(di), "T********"))
