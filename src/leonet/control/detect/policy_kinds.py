"""Detectors that read the policy: ``denied_region``, ``not_whitelisted``, ``speed_limit``
(also without a policy: plan limits) and ``altitude_limit`` (only where a rule limits
altitude; drone-like flight is its own kind, `airborne`).

Each deny rule of the policy belongs to one kind by its conditions: a speed condition makes
it ``speed_limit``, else an altitude condition ``altitude_limit``, else a roaming condition
``roaming_limit``, else ``whitelisted = false`` ``not_whitelisted``, else ``denied_region``
(rules on ``unfunded`` terminals stop paid service and are nobody's misuse: no kind). A kind
is checked with a policy made of its own rules alone, so a drone over an occupied area is
reported both for the place and for the flight, whichever rule the full policy would name.
``denied_region`` keeps the allow rules and the default: a report where nothing allows
service (a country never activated) is in a denied region.
"""

from __future__ import annotations

import numpy as np

from leonet.control.detect.context import Context, decide_rows, heights_for
from leonet.control.detect.heights import height_words
from leonet.control.detect.runs import runs
from leonet.control.detect.text import count, iso, place
from leonet.control.policy import Policy

PLAN_CAUSE = 1_000_000  # causes >= this are plan limits (index into the plan list)


def rule_kind(rule) -> str | None:
    if rule.effect != "deny" or rule.unfunded:
        return None
    if rule.speed_kmh_above is not None:
        return "speed_limit"
    if rule.altitude_m_above is not None:
        return "altitude_limit"
    if rule.roaming_days_above is not None:
        return "roaming_limit"
    if rule.whitelisted is False:
        return "not_whitelisted"
    return "denied_region"


def sub_policy(policy, kind: str):
    """The policy's rules of one kind (with its allow rules and default for
    ``denied_region``; default allow otherwise), or None when it has none."""
    mine = [r for r in policy.rules if rule_kind(r) == kind]
    if not mine and (kind != "denied_region" or policy.default == "allow"):
        return None
    keep = {r.id for r in mine}
    if kind == "denied_region":
        keep |= {r.id for r in policy.rules if r.effect == "allow"}
    doc = policy.to_dict()
    doc["rules"] = [r for r in doc["rules"] if r["id"] in keep]
    if kind != "denied_region":
        doc["default"] = "allow"
    doc["version"] = f"{policy.version} ({kind} rules)"
    return Policy.from_dict(doc, source=f"{policy.source} ({kind} rules)",
                            base_dir=policy.base_dir)


def denied_region(ctx: Context) -> None:
    sub = sub_policy(ctx.policy, "denied_region")
    if sub is None:
        return
    tel = ctx.tel
    rows = np.arange(len(tel))
    idx = decide_rows(ctx, sub, rows)
    deny = np.array([r.effect == "deny" for r in sub.rules] + [sub.default == "deny"])
    flagged = rows[deny[idx]]
    cause = idx[deny[idx]]
    _report(ctx, "denied_region", sub, flagged, cause, ctx.config.place_merge_gap_s, 1,
            lambda rule, n, c, r: (
                f"{count(n, 'report')} where rule {rule.id!r} denies service "
                f"({rule.conditions_text()})" if rule is not None else
                f"{count(n, 'report')} where no rule of policy {ctx.policy.version!r} allows "
                "service (default: deny)"), name_country=True)


def not_whitelisted(ctx: Context) -> None:
    sub = sub_policy(ctx.policy, "not_whitelisted")
    if sub is None:
        ctx.log.note("not_whitelisted: the policy has no rule requiring a whitelist "
                     "(whitelisted = false); nothing to check")
        return
    rows = np.flatnonzero(~ctx.whitelisted)
    idx = decide_rows(ctx, sub, rows)
    hit = idx >= 0
    _report(ctx, "not_whitelisted", sub, rows[hit], idx[hit], ctx.config.place_merge_gap_s, 1,
            lambda rule, n, c, r: (f"{count(n, 'report')} by a terminal with no whitelist "
                             f"verification covering the place, where rule {rule.id!r} "
                             f"requires one ({rule.conditions_text()})"))


def speed_limit(ctx: Context) -> None:
    tel, cfg = ctx.tel, ctx.config
    flags = np.zeros(len(tel), dtype=bool)
    cause = np.full(len(tel), -1, dtype=np.int64)
    sub = sub_policy(ctx.policy, "speed_limit") if ctx.policy is not None else None
    if sub is not None:
        lowest = min(r.speed_kmh_above for r in sub.rules)
        rows = np.flatnonzero(tel.speed_kmh > lowest)
        idx = decide_rows(ctx, sub, rows, speed_kmh=tel.speed_kmh[rows],
                          alt_m=heights_for(ctx, sub, rows), roaming_days=_days(ctx, sub, rows))
        hit = idx >= 0
        flags[rows[hit]] = True
        cause[rows[hit]] = idx[hit]
    plans = sorted(cfg.plan_max_speed_kmh)
    for k, name in enumerate(plans):
        limit = cfg.plan_max_speed_kmh[name]
        rows = np.flatnonzero((ctx.plan[tel.codes] == name) & (tel.speed_kmh > limit) & ~flags)
        flags[rows] = True
        cause[rows] = PLAN_CAUSE + k
    rows = np.flatnonzero(flags)

    def words(rule, n, c, r):
        top = float(tel.speed_kmh[r].max())
        if rule is not None:
            return (f"{count(n, 'report')} moving up to {top:,.0f} km/h where rule {rule.id!r} "
                    f"denies service ({rule.conditions_text()})")
        name = plans[c - PLAN_CAUSE]
        return (f"{count(n, 'report')} moving up to {top:,.0f} km/h on plan {name!r}, whose "
                f"limit is {cfg.plan_max_speed_kmh[name]:g} km/h")

    _report(ctx, "speed_limit", sub, rows, cause[rows], cfg.merge_gap_s,
            cfg.motion_min_reports, words)


def altitude_limit(ctx: Context) -> None:
    """Reports above a policy's altitude limit: only where a rule limits altitude, and only
    by the lowest the report's height above ground can be (`heights`)."""
    sub = sub_policy(ctx.policy, "altitude_limit") if ctx.policy is not None else None
    if sub is None:
        return
    tel, cfg, h = ctx.tel, ctx.config, ctx.heights
    lowest = min(r.altitude_m_above for r in sub.rules)
    rows = np.flatnonzero(h.low_m > lowest)  # NaN (unknown) is never above
    idx = decide_rows(ctx, sub, rows, speed_kmh=tel.speed_kmh[rows], alt_m=h.low_m[rows],
                      roaming_days=_days(ctx, sub, rows))
    hit = idx >= 0

    def words(rule, n, c, r):
        return (f"{count(n, 'report')} {height_words(h, tel, r)}, at up to "
                f"{float(tel.speed_kmh[r].max()):,.0f} km/h, where rule {rule.id!r} denies "
                f"service ({rule.conditions_text()})")

    _report(ctx, "altitude_limit", sub, rows[hit], idx[hit], cfg.merge_gap_s,
            cfg.motion_min_reports, words)


def _days(ctx: Context, sub, rows: np.ndarray):
    """Days abroad for rows, only when a rule of ``sub`` asks about roaming."""
    if any(r.roaming_days_above is not None for r in sub.rules):
        return ctx.roaming_days()[rows]
    return 0.0


def _report(ctx: Context, kind: str, sub, rows: np.ndarray, cause: np.ndarray, gap_s: float,
            min_reports: int, words, name_country: bool = False) -> None:
    tel = ctx.tel
    found = runs(rows, tel.codes, tel.time_ns, cause, gap_s, min_reports)
    if not len(found):
        return
    rules = sub.rules if sub is not None else ()
    countries = (ctx.regions.country(tel.lat_deg[found.first], tel.lon_deg[found.first])
                 if name_country else None)
    evidence = []
    rule_ids = []
    for k in range(len(found)):
        c = int(found.cause[k])
        rule = rules[c] if 0 <= c < len(rules) else None
        n = int(found.n[k])
        a, b = int(found.first[k]), int(found.last[k])
        text = words(rule, n, c, rows[found.lo[k]:found.hi[k]])
        text += f"; first at {place(tel.lat_deg[a], tel.lon_deg[a])}"
        if countries is not None:
            text += f" ({ctx.regions.country_name(int(countries[k]))})"
        text += f" on {iso(tel.time_ns[a])}"
        if b != a:
            text += f", last on {iso(tel.time_ns[b])}"
        evidence.append(text)
        rule_ids.append(rule.id if rule is not None else (
            "default" if kind == "denied_region" else ""))
    ctx.log.add(terminal_id=tel.terminals[tel.codes[found.first]], kind=kind,
                start=tel.time[found.first], end=tel.time[found.last],
                evidence=np.array(evidence, dtype=object),
                rule=np.array(rule_ids, dtype=object), n_reports=found.n,
                lat_deg=tel.lat_deg[found.first], lon_deg=tel.lon_deg[found.first])
