"""`make demo` section: a sample population decided under the scenario policies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from leonet.control.policy import Policy
from leonet.control.policy.diff import diff_policies
from leonet.control.population import Population, synthesize_population
from leonet.control.regions import resolve_region
from leonet.control.spillover import spillover
from leonet.data import policy_files, scenario_dir
from leonet.reporting import plots
from leonet.reporting.html import Section
from leonet.reporting.maps import region_frame
from leonet.reporting.palette import colour_of
from leonet.reporting.scenario_figures import LEGEND, report_palette

# Terminals where the scenarios have something to say, plus neighbours for contrast.
COUNTRIES = ["UA", "PL", "MD", "RO", "BY", "RU", "TW", "CN"]


def policy_section(out_dir: Path) -> Section:
    sec = Section("Who may connect: scenario policies")
    files = policy_files()
    if not files:
        sec.text = f"No scenario policies found in {scenario_dir()}."
        return sec
    # Ukraine is where most scenarios act: 12,000 terminals there, 8,000 in the others.
    ua = synthesize_population(12_000, seed=2026, countries=["UA"])
    rest = synthesize_population(8_000, seed=2027, countries=COUNTRIES[1:])
    pop = Population(**{k: np.concatenate([getattr(ua, k), getattr(rest, k)])
                        for k in ua.columns()})
    pop = replace(pop, terminal_id=np.array([f"T{i:06d}" for i in range(len(pop))],
                                            dtype=object))
    policies = [Policy.load(f) for f in files]
    rows = []
    for f, pol in zip(files, policies, strict=True):
        when = _decision_time(pol.version)
        d = pop.at_time(when).decide(pol)
        reasons = ", ".join(f"{k} {v:,}" for k, v in d.counts().items())
        rows.append([f.name, str(when)[:10], f"{int(d.allowed.sum()):,}",
                     f"{int((~d.allowed).sum()):,}", reasons])
    sec.table("Decisions for 20,000 synthetic terminals placed by city population (12,000 in "
              "UA, 8,000 in " + ", ".join(COUNTRIES[1:]) + "), each policy a week after its "
              "version date",
              ["policy", "decided at", "allowed", "denied", "deciding rule: terminals"], rows)
    by_name = {f.name: p for f, p in zip(files, policies, strict=True)}
    before, after = by_name.get("crimea-2023.toml"), by_name.get("ukraine-2026.toml")
    if before is not None and after is not None:
        diff = diff_policies(before, after, pop.at_time("2026-02-10T12:00:00Z"))
        sec.table(f"What-if at 2026-02-10: {before.version} → {after.version}, terminals losing "
                  "service by region and reason (the synthetic population above, not the "
                  "scenario's terminals)", ["region", "rule before", "rule after", "n"],
                  [list(r) for r in diff.losses[:12]])
        # Say whose terminals these are: the scenario verifies 80-100 % of its groups for the
        # whitelist by 2026, this population a random tenth, so far more lose service here.
        sec.text = (f"What-if from {before.version} to {after.version} at 2026-02-10 on the "
                    f"{len(pop):,} synthetic terminals of the tables below (placed by city "
                    f"population, {pop.whitelisted.mean():.0%} whitelisted at random, "
                    f"{(~pop.funded).mean():.0%} on unfunded donated plans; not the "
                    "scenario's groups, which are mostly whitelisted by "
                    "then, so many more lose service to the whitelist rule here): "
                    + diff.summary() + "\n\n")
        fig = _map(out_dir, pop, after.decide(
            lat_deg=pop.lat_deg, lon_deg=pop.lon_deg, alt_m=pop.alt_m, speed_kmh=pop.speed_kmh,
            time="2026-02-10T12:00:00Z", whitelisted=pop.whitelisted, plan=pop.plan,
            funded=pop.funded), report_palette(policies))
        sec.figures.append(("Terminals in and around Ukraine under ukraine-2026.toml "
                            "(2026-02-10): allowed (green) and the rule denying the others",
                            fig))
    rep = spillover(resolve_region("crimea"), 5)
    sec.text += ("Spill-over of cell-granularity control at Crimea's boundary: "
                 + rep.summary() + "\n\nRegions named 'crimea' and 'ua-occupied' are "
                 "approximate lines digitised by the project (see docs/policy.md).")
    return sec


def _decision_time(version: str) -> np.datetime64:
    try:
        day = np.datetime64(version[:10], "D")
    except ValueError:
        day = np.datetime64("2026-02-03", "D")
    return (day + np.timedelta64(7, "D")).astype("datetime64[ns]") + np.timedelta64(12, "h")


# The map's frame: Ukraine and its neighbours as far as Moldova, Romania and Belarus.
MAP_EXTENT = (21.0, 41.0, 43.5, 53.0)


def _map(out_dir: Path, pop, d, palette: dict[str, str]) -> Path:
    x0, x1, y0, y1 = MAP_EXTENT
    sel = (pop.lon_deg > x0) & (pop.lon_deg < x1) & (pop.lat_deg > y0) & (pop.lat_deg < y1)
    fig, ax = plots.subplots(figsize=(10, 7))
    ok = sel & d.allowed
    rules, counts = np.unique(d.rule[sel & ~d.allowed].astype(str), return_counts=True)
    for j in np.argsort(-counts, kind="stable"):
        m = sel & ~d.allowed & (d.rule == rules[j])
        ax.scatter(pop.lon_deg[m], pop.lat_deg[m], s=3, c=colour_of(str(rules[j]), palette),
                   linewidths=0, label=f"denied: {rules[j]} ({counts[j]:,})", zorder=4)
    # Allowed terminals last, on top: the point of the figure.
    ax.scatter(pop.lon_deg[ok], pop.lat_deg[ok], s=3, c=colour_of("allowed", palette),
               linewidths=0, label=f"allowed ({int(ok.sum()):,})", zorder=5)
    region_frame(ax, MAP_EXTENT)
    ax.legend(loc="lower left", **LEGEND)
    ax.set_title("Synthetic terminals decided by ukraine-2026.toml")
    return plots.save(fig, out_dir / "policy-ukraine-2026.png")
