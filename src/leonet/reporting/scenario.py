"""A replayed scenario as files: an HTML report (maps, terminals served per region over time,
events, incidents, coverage and latency of the affected areas) and machine-readable results
(``results.json``, CSV and Parquet tables).

`write_results` writes every file: the tables and ``results.json`` (`scenario_data`), the
figures (`scenario_figures`) and the report, whose sections this module assembles.

No clock is read and every table is written in a fixed order, so the same scenario and seed
give the same bytes in every file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from leonet.control.fleet import GroupSpec, Placement
from leonet.reporting.html import Section, write_report
from leonet.reporting.scenario_data import (
    ServedByRegion,
    day,
    iso,
    kinds_found,
    round_ms,
    round_share,
    served_by_region,
    write_results_json,
    write_tables,
)
from leonet.reporting.scenario_figures import ScenarioFigures, draw_figures
from leonet.scenario.results import ScenarioResult


def write_results(result: ScenarioResult, out_dir: Path) -> Path:
    """Write the report and the results of ``result`` into ``out_dir``; return index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous_run(out_dir)
    secs = write_files(result, out_dir)
    return write_report(out_dir, result.scenario.title, secs, generated=generated_line(result))


def write_files(result: ScenarioResult, out_dir: Path) -> list[Section]:
    """Write the tables, figures and ``results.json`` of ``result`` into ``out_dir``; return
    the report's sections, which name them (`write_results` writes them as the report; the
    demo puts them first in its own)."""
    tables = write_tables(result, out_dir)
    served = served_by_region(result)
    figures = draw_figures(result, served, out_dir)
    write_results_json(result, out_dir, [p.name for p in [*tables, *figures.paths()]])
    return sections(result, served, tables, figures)


def _remove_previous_run(out_dir: Path) -> None:
    """Delete the files an earlier run wrote here (as its results.json lists them), so that a
    window or region of that run never lingers beside this one's; nothing else is touched."""
    previous = out_dir / "results.json"
    if not previous.is_file():
        return
    try:
        names = json.loads(previous.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return  # not ours: leave the folder as it is
    for name in names:
        path = out_dir / str(name)
        if path.parent == out_dir and path.is_file():
            path.unlink()


def generated_line(result: ScenarioResult) -> str:
    scn = result.scenario
    return (f"from {scn.path.name} (SHA-256 of the scenario and its policies "
            f"{scn.digest()[:16]}…), seed {scn.seed}, by leonet scenario run")


def sections(result: ScenarioResult, served: ServedByRegion, tables: list[Path],
             figures: ScenarioFigures) -> list[Section]:
    """The report's sections, naming the ``tables`` and ``figures`` already written."""
    secs = [_overview(result, tables), _events(result), _served(result, served, figures),
            _maps(result, figures)]
    if result.windows:
        secs.append(_detection(result, figures))
    if result.coverage:
        secs.append(_coverage(result, figures))
    if result.latency:
        secs.append(_latency(result, figures))
    return secs


def _overview(result: ScenarioResult, files: list[Path]) -> Section:
    scn, fleet = result.scenario, result.fleet
    text = scn.description or scn.title
    text += (f"\n\nTimeline {day(scn.start_ns)} to {day(scn.end_ns)}, every "
             f"{scn.step_s / 86400:g} days ({len(result.timeline_ns)} instants); "
             f"{len(fleet):,} synthetic terminals in {len(scn.groups)} groups (seed {scn.seed}); "
             f"{len(scn.policies)} policies in force one after another. Terminals are "
             "synthetic and their numbers illustrative; the decisions are exactly what the "
             "policies say for them.")
    if scn.sources:
        text += "\n\nSources: " + "; ".join(scn.sources) + "."
    sec = Section("Scenario: " + scn.name, text)
    rows = []
    for g in scn.groups:
        mob = ", ".join(f"{k} {s:.0%}" for k, s in g.mobility)
        wl = (f"{g.whitelisted_share:.0%}" + (f" from {day(g.whitelisted_from_ns)}"
                                              if g.whitelisted_from_ns > scn.start_ns else "")
              if g.whitelisted_share else "—")
        on = max(g.active_from_ns, g.switch_on_ns)
        rows.append([g.id, g.n, _placement_text(g), mob, g.plan or "—", g.home_country or
                     "where placed", day(on) if on > scn.start_ns else "start", wl])
    sec.table("Terminal groups", ["group", "terminals", "placed", "mobility", "plan", "home",
                                  "on from", "whitelisted"], rows)
    if scn.sponsorships:
        sec.table("Sponsors", ["sponsor", "pays for", "terminals", "from", "until"], [
            [scn.sponsor_names.get(s.sponsor, s.sponsor), ", ".join(s.groups),
             int(fleet.sponsor_of[:, j].sum()),
             day(s.from_ns) if s.from_ns > scn.start_ns else "start",
             day(s.until_ns) if s.until_ns < scn.end_ns else "—"]
            for j, s in enumerate(scn.sponsorships)])
    sec.files.extend(files)
    return sec


def _placement_text(g: GroupSpec) -> str:
    p = g.place
    text = {"cities": f"towns of {', '.join(p.countries) or 'the world'}",
            "region": f"uniformly in {p.region}", "near": f"within {p.radius_km:g} km of "
            f"{p.lat_deg:.2f}°, {p.lon_deg:.2f}°", "lanes": f"lanes {', '.join(p.lanes)}",
            "airports": f"airports of {', '.join(p.countries) or 'the world'}"}[p.kind]
    if g.move_to is not None:
        text += f"; move {day(g.move_at_ns)} to {_placement_text_of(g.move_to)}"
    return text


def _placement_text_of(p: Placement) -> str:
    if p.kind == "near":
        return f"{p.lat_deg:.2f}°, {p.lon_deg:.2f}° (±{p.radius_km:g} km)"
    return p.region or ", ".join(p.countries)


def _events(result: ScenarioResult) -> Section:
    sec = Section("Events", "Policy changes, funding, arrivals, verifications and suspensions "
                  "in time order. For a policy change, 'gained' and 'lost' count the terminals "
                  "switched on at that instant whose decision changed.")
    sec.table("Timeline of events", ["date", "kind", "event", "detail", "gained", "lost"],
              [[day(e.time_ns), e.kind, e.name, e.detail, e.gained, e.lost]
               for e in result.events])
    for c in result.policy_changes:
        step, diff = c.step, c.diff
        rows = [["lost", *r] for r in diff.losses[:6]] + [["gained", *r] for r in diff.gains[:6]]
        if rows:
            sec.table(f"{day(step.from_ns)} {step.event}: who changed, by region and reason "
                      f"({diff.version_a} → {diff.version_b})",
                      ["change", "region", "rule before", "rule after", "terminals"], rows)
    return sec


def _served(result: ScenarioResult, served: ServedByRegion, figures: ScenarioFigures
            ) -> Section:
    scn = result.scenario
    n_t = len(result.timeline_ns)
    caption = "Terminals served per region (top) and per group (bottom); dashed lines: " + \
        "; ".join(f"{i} = {s.event} ({day(s.from_ns)})" for i, s in
                  enumerate(scn.policies, start=1))
    sec = Section("Terminals served over time",
                  "Every terminal switched on at each timeline instant is decided under the "
                  "policy in force, with its funding, whitelist verification and roaming days "
                  "at that instant; suspended terminals get no service. Regions are the "
                  "disputed areas named on their own, else countries (served.csv and rules.csv "
                  "hold every instant).")
    sec.figures.append((caption, figures.served))
    instants = sorted({int(np.searchsorted(result.timeline_ns, s.from_ns)) for s in
                       scn.policies if s.from_ns <= result.timeline_ns[-1]} | {n_t - 1})
    on, ok = served.on, served.allowed
    sec.table("Allowed / switched on, per region, at the first timeline instant after each "
              "policy change and at the end", ["date"] + [str(served.regions[j])
                                                      for j in served.top],
              [[day(result.timeline_ns[k])] + [f"{ok[k, j]:,} / {on[k, j]:,}"
                                               for j in served.top]
               for k in instants if k < n_t])
    return sec


def _maps(result: ScenarioResult, figures: ScenarioFigures) -> Section:
    sec = Section("Maps: decisions after each policy change",
                  "Every terminal switched on at the instant a policy comes into force, "
                  "coloured by its decision: allowed in green, denied by the rule named. "
                  "Country outlines are Natural Earth 1:10m; dashed lines are the disputed "
                  "areas named on their own (approximate, see docs/policy.md).")
    if figures.decisions is not None:
        sec.figures.append(("Decisions after each policy change", figures.decisions))
    return sec


def _detection(result: ScenarioResult, figures: ScenarioFigures) -> Section:
    scn = result.scenario
    sec = Section("Unauthorized use: telemetry, detectors and suspensions",
                  f"In each window every terminal switched on reports every "
                  f"{scn.detection.report_every_s / 60:g} minutes (position with GNSS noise, "
                  "GNSS altitude above sea level over the ITU-R P.1511 terrain, speed, "
                  "heading); the detectors run over the reports with the "
                  "policy in force and the registry's facts at the window's start "
                  "(docs/telemetry.md).")
    if scn.enforcement is not None:
        e = scn.enforcement
        sec.text += (f" Terminals with a {', '.join(e.suspend_on)} incident"
                     + (f" that began in {', '.join(e.regions)}" if e.regions else "")
                     + f" are suspended {e.after_s / 3600:g} h after it ends and get no "
                     "service from then (they stop reporting too).")
    kinds = kinds_found(result)
    sec.table("Detection windows", ["window", "from", "to", "reports", "terminals",
                                    "row issues", *kinds, "suspended"],
              [[w.name, iso(w.start_ns), iso(w.end_ns), f"{w.n_reports:,}",
                f"{w.n_terminals:,}", w.n_issues,
                *[w.incidents.counts_by_kind()[k] for k in kinds], w.n_suspended]
               for w in result.windows])
    rows = []
    for w in result.windows:
        inc = w.incidents
        for kind in kinds:
            for i in np.flatnonzero(inc.kind == kind)[:2].tolist():
                rows.append([w.name, str(inc.terminal_id[i]), kind, str(inc.evidence[i])])
    if rows:
        sec.table("Examples (the first two incidents of each kind per window; all in "
                  "incidents.csv)", ["window", "terminal", "kind", "evidence"], rows)
    if figures.incidents is not None:
        sec.figures.append(("Incidents by kind, where each began", figures.incidents))
    return sec


def _coverage(result: ScenarioResult, figures: ScenarioFigures) -> Section:
    spec = result.scenario.coverage
    sats = result.constellation
    sec = Section("Coverage of the affected areas",
                  f"Every H3 resolution-{spec.resolution} cell whose centre lies in the "
                  f"region, seen from its centre by the {len(sats):,} satellites of "
                  f"{Path(result.scenario.constellation).name} above "
                  f"{spec.min_elevation_deg:g}° from {iso(spec.start_ns)} for "
                  f"{spec.duration_s / 3600:g} h every {spec.step_s:g} s (docs/coverage.md). "
                  "The constellation is the same at every date of the scenario.")
    rows = []
    for c, path in zip(result.coverage, figures.coverage, strict=True):
        s = c.summary
        rows.append([c.region, len(c.cells), round(s.area_km2), round(s.mean_in_view, 1),
                     s.min_in_view, s.max_in_view, round(s.percent_covered, 2),
                     round(s.worst_percent_covered, 2), round(s.longest_gap_s)])
        sec.figures.append((f"{c.region}: mean satellites above {spec.min_elevation_deg:g}°",
                            path))
    sec.table("Coverage per region (area-weighted; worst = the least covered cell)",
              ["region", "cells", "area (km²)", "mean in view", "min", "max", "% covered",
               "worst % covered", "longest gap (s)"], rows)
    return sec


def _latency(result: ScenarioResult, figures: ScenarioFigures) -> Section:
    lat = result.latency
    grid = lat.grid
    net = lat.network
    sec = Section("Latency in the affected areas",
                  f"Round-trip time (propagation only) from {', '.join(lat.places)} over "
                  f"{len(grid)} instants from {grid.iso[0]}: operator mode goes terminal → "
                  f"serving satellite → lasers → gateway → fibre to the PoP; bent pipe has no "
                  f"lasers; fibre is the terrestrial baseline (great circle × "
                  f"{net.fibre_route_factor} at c/{net.fibre_index}); docs/network.md.")
    rows = [[r.place, r.to, r.mode, f"{round_share(r.availability):.1%}",
             "—" if r.rtt_ms_median is None else round_ms(r.rtt_ms_median),
             "—" if r.rtt_ms_p95 is None else round_ms(r.rtt_ms_p95), r.path_changes]
            for r in lat.routes]
    sec.table("RTT (ms)", ["from", "to", "mode", "availability", "median", "p95",
                           "path changes"], rows)
    sec.figures.append(("RTT from the affected areas", figures.latency))
    return sec
