"""A replayed scenario as files: an HTML report (maps, terminals served per region over time,
events, incidents, coverage and latency of the affected areas) and machine-readable results
(``results.json``, CSV and Parquet tables).

No clock is read and every table is written in a fixed order, so the same scenario and seed
give the same bytes in every file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from leonet.physics.timegrid import iso_utc
from leonet.reporting.html import Section, write_report
from leonet.scenario.run import ScenarioResult

# Colours of the decisions on maps: allowed on top in green; the denying rules in turn.
_ALLOWED = "#2ca02c"
_DENIED = ("#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")


def iso(t_ns: int | np.integer) -> str:
    """ISO 8601 UTC with a Z, to the second."""
    return iso_utc(t_ns, unit="s")


def _day(t_ns: int | np.integer) -> str:
    return iso(t_ns)[:10]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "window"


def write_results(result: ScenarioResult, out_dir: Path) -> Path:
    """Write the report and the results of ``result`` into ``out_dir``; return index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous_run(out_dir)
    secs = sections(result, out_dir)
    scn = result.scenario
    return write_report(out_dir, scn.title, secs, generated=generated_line(result))


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


def sections(result: ScenarioResult, out_dir: Path) -> list[Section]:
    """The report's sections, writing their figures and tables into ``out_dir``."""
    files = _tables(result, out_dir)
    secs = [_overview(result, files), _events(result), _served(result, out_dir),
            _maps(result, out_dir)]
    if result.windows:
        secs.append(_detection(result, out_dir))
    if result.coverage:
        secs.append(_coverage(result, out_dir))
    if result.latency:
        secs.append(_latency(result, out_dir))
    (out_dir / "results.json").write_text(
        json.dumps(results_json(result, [f.name for f in files] + [
            Path(path).name for sec in secs for _, path in sec.figures]), indent=1,
                   ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")
    return secs


# -- tables -----------------------------------------------------------------------------

def served_table(result: ScenarioResult) -> dict[str, np.ndarray]:
    """Terminals switched on and allowed per (instant, region, group), long form."""
    d = result.timeline
    group = result.fleet.group[d.state.terminal]
    regions, reg = d.region_codes
    n_g, n_r = len(result.fleet.groups), regions.size
    key = (d.state.instant * n_r + reg) * n_g + group
    size = len(result.timeline_ns) * n_r * n_g
    on = np.bincount(key, minlength=size)
    ok = np.bincount(key, weights=d.allowed, minlength=size).astype(np.int64)
    nz = np.flatnonzero(on)
    inst, rest = np.divmod(nz, n_r * n_g)
    r, g = np.divmod(rest, n_g)
    names = np.array([x.id for x in result.fleet.groups], dtype=object)
    return {"time": np.array([iso(t) for t in result.timeline_ns[inst]], dtype=object),
            "region": regions[r].astype(object), "group": names[g],
            "terminals_on": on[nz], "allowed": ok[nz], "denied": on[nz] - ok[nz]}


def rules_table(result: ScenarioResult) -> dict[str, np.ndarray]:
    """Terminals per (instant, region, deciding rule), long form."""
    d = result.timeline
    regions, reg = d.region_codes
    rules, rul = d.rule_codes
    key = (d.state.instant * regions.size + reg) * rules.size + rul
    count = np.bincount(key, minlength=len(result.timeline_ns) * regions.size * rules.size)
    nz = np.flatnonzero(count)
    inst, rest = np.divmod(nz, regions.size * rules.size)
    r, u = np.divmod(rest, rules.size)
    return {"time": np.array([iso(t) for t in result.timeline_ns[inst]], dtype=object),
            "region": regions[r].astype(object), "rule": rules[u].astype(object),
            "terminals": count[nz]}


def _tables(result: ScenarioResult, out_dir: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from leonet.reporting.exports import write_table

    fleet = result.fleet
    files = [write_table(out_dir / "served.csv", served_table(result)),
             write_table(out_dir / "rules.csv", rules_table(result))]
    ev = result.events
    files.append(write_table(out_dir / "events.csv", {
        "time": np.array([iso(e["time_ns"]) for e in ev], dtype=object),
        "kind": np.array([e["kind"] for e in ev], dtype=object),
        "event": np.array([e["name"] for e in ev], dtype=object),
        "detail": np.array([e["detail"] for e in ev], dtype=object),
        "gained": np.array([e["gained"] for e in ev], dtype=np.int64),
        "lost": np.array([e["lost"] for e in ev], dtype=np.int64)}))
    never = np.iinfo(np.int64).max
    files.append(write_table(out_dir / "terminals.csv", {
        "terminal_id": fleet.terminal_id, "group": fleet.group_of(np.arange(len(fleet))),
        "mobility": fleet.kind, "plan": fleet.plan, "home_country": fleet.home_country,
        "lat_deg": np.round(fleet.home_lat_deg, 6), "lon_deg": np.round(fleet.home_lon_deg, 6),
        "whitelisted_from": np.array(["" if t == never else iso(max(t, result.scenario.start_ns))
                                      for t in fleet.whitelisted_from_ns], dtype=object),
        "suspended_from": np.array(["" if t == never else iso(t)
                                    for t in result.suspended_from_ns], dtype=object)}))
    if result.windows:
        files.append(_incidents_csv(result, out_dir / "incidents.csv"))
        for k, w in enumerate(result.windows, start=1):
            cols = {name: pa.array(v.tolist() if v.dtype == object else v)
                    for name, v in w.telemetry.items() if name != "time"}
            cols["time"] = pa.array(w.telemetry["time"], type=pa.timestamp("ns", tz="UTC"))
            path = out_dir / f"telemetry-{k}-{_slug(w.name)}.parquet"
            pq.write_table(pa.table(cols), path, compression="zstd")
            files.append(path)
            # What the detectors knew of each terminal: `leonet detect --terminals` reads it.
            files.append(write_table(out_dir / f"facts-{k}-{_slug(w.name)}.csv",
                                     fleet.facts_table(w.start_ns)))
    for c in result.coverage:
        files.append(write_table(out_dir / f"coverage-{_slug(c['region'])}.csv",
                                 c["run"].columns()))
    if result.latency:
        files.append(_latency_csv(result, out_dir / "latency.csv"))
    return files


def _incidents_csv(result: ScenarioResult, path: Path) -> Path:
    """Incidents of every window, as `leonet detect --all-columns` writes them, plus the
    window's name."""
    import csv

    header = ["terminal_id", "kind", "start", "end", "evidence", "rule", "n_reports",
              "lat_deg", "lon_deg", "window"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for w in result.windows:
            for r in w.incidents.to_records():
                out.writerow([*(r[k] for k in header[:7]), f"{r['lat_deg']:.6f}",
                              f"{r['lon_deg']:.6f}", w.name])
    return path


def _latency_csv(result: ScenarioResult, path: Path) -> Path:
    from leonet.physics.route_series import REASONS
    from leonet.reporting.exports import write_table

    lat = result.latency
    grid = lat["grid"]
    cols: dict[str, list] = {"time": [], "from": [], "to": [], "mode": [], "rtt_ms": [],
                             "hops": [], "no_service": []}
    for mode, s in lat["series"].items():
        for i, name in enumerate(lat["places"]):
            for k in range(len(grid)):
                ok = bool(s.available[k, i])
                cols["time"].append(str(grid.iso[k]))
                cols["from"].append(name)
                cols["to"].append(lat["to"][i])
                cols["mode"].append(mode)
                cols["rtt_ms"].append(round(float(s.rtt_ms[k, i]), 3) if ok else np.nan)
                cols["hops"].append(int(s.hops[k, i]) if ok else -1)
                cols["no_service"].append("" if ok else REASONS[s.reason[k, i]])
    return write_table(path, {k: np.array(v, dtype=object if k in (
        "time", "from", "to", "mode", "no_service") else None) for k, v in cols.items()})


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return value.name
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def results_json(result: ScenarioResult, files: list[str]) -> dict:
    """Everything the report says, as JSON (series in the CSV files it names)."""
    scn, fleet = result.scenario, result.fleet
    never, always = np.iinfo(np.int64).max, np.iinfo(np.int64).min

    def when(t):
        return None if t in (never, always) else iso(t)

    final = result.timeline_ns[-1]
    last = result.timeline.state.instant == len(result.timeline_ns) - 1
    served_final = {}
    for reg in sorted(set(result.timeline.region[last].astype(str).tolist())):
        sel = last & (result.timeline.region == reg)
        served_final[reg] = {"terminals_on": int(sel.sum()),
                             "allowed": int(result.timeline.allowed[sel].sum())}
    out = {
        "scenario": scn.name, "title": scn.title, "file": scn.path.name,
        "sha256": scn.digest(), "seed": scn.seed, "sources": list(scn.sources),
        "timeline": {"start": iso(scn.start_ns), "end": iso(scn.end_ns), "step_s": scn.step_s,
                     "instants": len(result.timeline_ns)},
        "constellation": {"source": Path(scn.constellation).name,
                          "satellites": len(result.constellation) if result.constellation
                          is not None else None},
        "policies": [{"file": s.path.name, "version": p.version, "from": iso(s.from_ns),
                      "event": s.event} for s, p in zip(scn.policies, result.policies,
                                                        strict=True)],
        "groups": [{"id": g.id, "terminals": g.n, "mobility": dict(g.mobility),
                    "placement": g.place.kind, "plan": g.plan, "home_country": g.home_country,
                    "from": when(g.active_from_ns), "until": when(g.active_until_ns),
                    "switch_on": when(g.switch_on_ns), "whitelisted_share": g.whitelisted_share,
                    "whitelisted_from": when(g.whitelisted_from_ns),
                    "moves_at": when(g.move_at_ns)} for g in scn.groups],
        "sponsors": [{"id": s.sponsor, "name": scn.sponsor_names.get(s.sponsor, s.sponsor),
                      "groups": list(s.groups), "share": s.share, "from": when(s.from_ns),
                      "until": when(s.until_ns),
                      "terminals": int(fleet.sponsor_of[:, j].sum())}
                     for j, s in enumerate(scn.sponsorships)],
        "events": [{"time": iso(e["time_ns"]), **{k: v for k, v in e.items()
                                                  if k != "time_ns"}} for e in result.events],
        "policy_changes": [{"time": iso(scn.policies[k].from_ns), **diff.to_dict()}
                           for k, diff, _ in result.diffs],
        "served_at_end": {"time": iso(final), "by_region": served_final},
        "detection": [{"window": w.name, "start": iso(w.start_ns), "end": iso(w.end_ns),
                       "reports": w.n_rows, "terminals": w.n_terminals, "row_issues": w.n_issues,
                       "incidents": w.incidents.counts_by_kind(), "suspended": w.suspended}
                      for w in result.windows],
        "suspended_terminals": int((result.suspended_from_ns != never).sum()),
        "coverage": [{"region": c["region"], "resolution": scn.coverage.resolution,
                      "cells": len(c["cells"]), **{k: round(float(v), 6) for k, v in
                                                   c["summary"].items()}}
                     for c in result.coverage],
        "latency": _latency_rows(result),
        "files": sorted([*files, "index.html", "report.md", "results.json"]),
    }
    return out


def _latency_rows(result: ScenarioResult) -> list[dict]:
    if not result.latency:
        return []
    rows = []
    lat = result.latency
    for mode, s in lat["series"].items():
        for i, name in enumerate(lat["places"]):
            summ = s.summary(i)
            rows.append({"from": name, "to": lat["to"][i], "mode": mode,
                         "availability": round(float(summ["availability"]), 6),
                         **{k: round(float(summ[k]), 3) for k in ("rtt_ms_median",
                                                                  "rtt_ms_p95") if k in summ},
                         "path_changes": int(summ["path_changes"])})
    return rows


# -- sections ---------------------------------------------------------------------------

def _overview(result: ScenarioResult, files: list[Path]) -> Section:
    scn, fleet = result.scenario, result.fleet
    text = scn.description or scn.title
    text += (f"\n\nTimeline {_day(scn.start_ns)} to {_day(scn.end_ns)}, every "
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
        wl = (f"{g.whitelisted_share:.0%}" + (f" from {_day(g.whitelisted_from_ns)}"
                                              if g.whitelisted_from_ns > scn.start_ns else "")
              if g.whitelisted_share else "—")
        on = max(g.active_from_ns, g.switch_on_ns)
        rows.append([g.id, g.n, _placement_text(g), mob, g.plan or "—", g.home_country or
                     "where placed", _day(on) if on > scn.start_ns else "start", wl])
    sec.table("Terminal groups", ["group", "terminals", "placed", "mobility", "plan", "home",
                                  "on from", "whitelisted"], rows)
    if scn.sponsorships:
        sec.table("Sponsors", ["sponsor", "pays for", "terminals", "from", "until"], [
            [scn.sponsor_names.get(s.sponsor, s.sponsor), ", ".join(s.groups),
             int(fleet.sponsor_of[:, j].sum()),
             _day(s.from_ns) if s.from_ns > scn.start_ns else "start",
             _day(s.until_ns) if s.until_ns < scn.end_ns else "—"]
            for j, s in enumerate(scn.sponsorships)])
    sec.files.extend(files)
    return sec


def _placement_text(g) -> str:
    p = g.place
    text = {"cities": f"towns of {', '.join(p.countries) or 'the world'}",
            "region": f"uniformly in {p.region}", "near": f"within {p.radius_km:g} km of "
            f"{p.lat_deg:.2f}°, {p.lon_deg:.2f}°", "lanes": f"lanes {', '.join(p.lanes)}",
            "airports": f"airports of {', '.join(p.countries) or 'the world'}"}[p.kind]
    if g.move_to is not None:
        text += f"; move {_day(g.move_at_ns)} to {_placement_text_of(g.move_to)}"
    return text


def _placement_text_of(p) -> str:
    if p.kind == "near":
        return f"{p.lat_deg:.2f}°, {p.lon_deg:.2f}° (±{p.radius_km:g} km)"
    return p.region or ", ".join(p.countries)


def _events(result: ScenarioResult) -> Section:
    sec = Section("Events", "Policy changes, funding, arrivals, verifications and suspensions "
                  "in time order. For a policy change, 'gained' and 'lost' count the terminals "
                  "switched on at that instant whose decision changed.")
    sec.table("Timeline of events", ["date", "kind", "event", "detail", "gained", "lost"],
              [[_day(e["time_ns"]), e["kind"], e["name"], e["detail"], e["gained"],
                e["lost"]] for e in result.events])
    for k, diff, _ in result.diffs:
        step = result.scenario.policies[k]
        rows = [["lost", *r] for r in diff.losses[:6]] + [["gained", *r] for r in diff.gains[:6]]
        if rows:
            sec.table(f"{_day(step.from_ns)} {step.event}: who changed, by region and reason "
                      f"({diff.version_a} → {diff.version_b})",
                      ["change", "region", "rule before", "rule after", "terminals"], rows)
    return sec


def _served(result: ScenarioResult, out_dir: Path) -> Section:
    from leonet.reporting import plots

    d, scn = result.timeline, result.scenario
    t = result.timeline_ns.view("datetime64[ns]")
    regions, reg = d.region_codes
    n_t = len(t)
    on = np.zeros((n_t, regions.size), dtype=np.int64)
    ok = np.zeros((n_t, regions.size), dtype=np.int64)
    np.add.at(on, (d.state.instant, reg), 1)
    np.add.at(ok, (d.state.instant, reg), d.allowed.astype(np.int64))
    # The regions that matter: at least 1 % of the fleet switched on there at some instant.
    top = [j for j in np.argsort(-on.max(axis=0), kind="stable")[:7]
           if on[:, j].max() >= 0.01 * on.sum(axis=1).max()]
    fig, axes = plots.plt.subplots(2, 1, figsize=(12, 8), sharex=True)
    for j in top:
        axes[0].plot(t, ok[:, j], label=f"{regions[j]} allowed", linewidth=1.4)
        axes[0].plot(t, on[:, j], linestyle=":", linewidth=0.8, color=axes[0].lines[-1]
                     .get_color())
    axes[0].set_ylabel("terminals (solid: allowed, dotted: switched on)")
    axes[0].legend(fontsize=8, ncol=2, loc="upper left")
    g_index = result.fleet.group[d.state.terminal]
    for k, g in enumerate(result.fleet.groups):
        n = np.bincount(d.state.instant[g_index == k], minlength=n_t)
        a = np.bincount(d.state.instant[g_index == k], weights=d.allowed[g_index == k],
                        minlength=n_t)
        share = np.where(n > 0, a / np.maximum(n, 1), np.nan)
        axes[1].plot(t, 100.0 * share, label=g.id, linewidth=1.2)
    axes[1].set_ylabel("% of the group's terminals allowed")
    axes[1].set_ylim(-3, 103)
    axes[1].legend(fontsize=8, ncol=3, loc="lower left")
    for ax in axes:
        ax.grid(True, color="0.9")
        for n_step, step in enumerate(scn.policies, start=1):
            x = np.datetime64(int(step.from_ns), "ns")
            ax.axvline(x, color="0.4", linewidth=0.8, linestyle="--")
            if ax is axes[0]:
                ax.annotate(str(n_step), (x, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(2, -12), textcoords="offset points", fontsize=8)
    axes[0].set_title(f"{scn.name}: terminals served per region over time")
    caption = "Terminals served per region (top) and per group (bottom); dashed lines: " + \
        "; ".join(f"{i} = {s.event} ({_day(s.from_ns)})" for i, s in
                  enumerate(scn.policies, start=1))
    sec = Section("Terminals served over time",
                  "Every terminal switched on at each timeline instant is decided under the "
                  "policy in force, with its funding, whitelist verification and roaming days "
                  "at that instant; suspended terminals get no service. Regions are the "
                  "disputed areas named on their own, else countries (served.csv and rules.csv "
                  "hold every instant).")
    sec.figures.append((caption, plots.save(fig, out_dir / "served.png")))
    instants = sorted({int(np.searchsorted(result.timeline_ns, s.from_ns)) for s in
                       scn.policies if s.from_ns <= result.timeline_ns[-1]} | {n_t - 1})
    sec.table("Allowed / switched on, per region, at the first timeline instant after each "
              "policy change and at the end", ["date"] + [str(regions[j]) for j in top],
              [[_day(result.timeline_ns[k])] + [f"{ok[k, j]:,} / {on[k, j]:,}" for j in top]
               for k in instants if k < n_t])
    return sec


def _extent(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float]:
    if not lat.size:
        return (-180.0, 180.0, -90.0, 90.0)
    x0, x1 = np.percentile(lon, [1, 99])
    y0, y1 = np.percentile(lat, [1, 99])
    mx, my = max(0.5, 0.1 * (x1 - x0)), max(0.5, 0.1 * (y1 - y0))
    return float(x0 - mx), float(x1 + mx), float(max(-90, y0 - my)), float(min(90, y1 + my))


def _draw_areas(ax, extent) -> None:
    """Outlines of the disputed areas in view, dashed."""
    import shapely

    from leonet.control.regions import disputed_ids, disputed_region

    window = shapely.box(extent[0], extent[2], extent[1], extent[3])
    for rid in sorted(set(disputed_ids().values())):
        geom = disputed_region(rid).geometry
        if geom is None or not shapely.intersects(geom, window):
            continue
        for line in shapely.get_parts(shapely.boundary(geom)):
            xy = np.asarray(line.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="0.1", linewidth=0.7, linestyle="--", zorder=3)


def _outlines(ax, extent) -> None:
    """Country outlines and disputed areas over ``extent``, framed at the local aspect."""
    from leonet.reporting.maps import draw_countries

    draw_countries(ax, extent)
    _draw_areas(ax, extent)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / max(0.2, np.cos(np.deg2rad((extent[2] + extent[3]) / 2))))


def _decision_panel(ax, decided, extent, title: str) -> None:
    lat, lon = decided.state.lat_deg, decided.state.lon_deg
    denied = ~decided.allowed
    rules, counts = np.unique(decided.rule[denied].astype(str), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    for k, j in enumerate(order[: len(_DENIED)]):
        m = denied & (decided.rule == rules[j])
        ax.scatter(lon[m], lat[m], s=3, c=_DENIED[k], label=f"{rules[j]} ({counts[j]:,})",
                   linewidths=0, zorder=4)
    ax.scatter(lon[decided.allowed], lat[decided.allowed], s=3, c=_ALLOWED, linewidths=0,
               label=f"allowed ({int(decided.allowed.sum()):,})", zorder=5)
    _outlines(ax, extent)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6, markerscale=3, loc="lower left")


def _maps(result: ScenarioResult, out_dir: Path) -> Section:
    from leonet.reporting import plots

    sec = Section("Maps: decisions after each policy change",
                  "Every terminal switched on at the instant a policy comes into force, "
                  "coloured by its decision: allowed in green, denied by the rule named. "
                  "Country outlines are Natural Earth 1:10m; dashed lines are the disputed "
                  "areas named on their own (approximate, see docs/policy.md).")
    panels = result.diffs
    if not panels:
        return sec
    all_lat = np.concatenate([d.state.lat_deg for _, _, d in panels])
    all_lon = np.concatenate([d.state.lon_deg for _, _, d in panels])
    extent = _extent(all_lat, all_lon)
    cols = min(3, len(panels))
    rows_n = (len(panels) + cols - 1) // cols
    fig, axes = plots.plt.subplots(rows_n, cols, figsize=(5.2 * cols, 4.4 * rows_n),
                                   squeeze=False)
    for ax, (k, _diff, decided) in zip(axes.ravel(), panels, strict=False):
        step = result.scenario.policies[k]
        _decision_panel(ax, decided, extent, f"{_day(step.from_ns)}: {step.event}")
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    sec.figures.append(("Decisions after each policy change", plots.save(
        fig, out_dir / "decisions.png")))
    return sec


def _detection(result: ScenarioResult, out_dir: Path) -> Section:
    from leonet.control.detect.config import KINDS
    from leonet.reporting import plots

    scn = result.scenario
    sec = Section("Unauthorized use: telemetry, detectors and suspensions",
                  f"In each window every terminal switched on reports every "
                  f"{scn.detection.report_every_s / 60:g} minutes (position with GNSS noise, "
                  "altitude, speed, heading); the detectors run over the reports with the "
                  "policy in force and the registry's facts at the window's start "
                  "(docs/telemetry.md).")
    if scn.enforcement is not None:
        e = scn.enforcement
        sec.text += (f" Terminals with a {', '.join(e.suspend_on)} incident"
                     + (f" that began in {', '.join(e.regions)}" if e.regions else "")
                     + f" are suspended {e.after_s / 3600:g} h after it ends and get no "
                     "service from then (they stop reporting too).")
    kinds = [k for k in KINDS if any(w.incidents.counts_by_kind()[k] for w in result.windows)]
    sec.table("Detection windows", ["window", "from", "to", "reports", "terminals",
                                    "row issues", *kinds, "suspended"],
              [[w.name, iso(w.start_ns), iso(w.end_ns), f"{w.n_rows:,}",
                f"{w.n_terminals:,}", w.n_issues,
                *[w.incidents.counts_by_kind()[k] for k in kinds], w.suspended]
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
    inc = result.incidents
    if len(inc):
        extent = _extent(inc.lat_deg, inc.lon_deg)
        fig, ax = plots.plt.subplots(figsize=(10, 7))
        colours = dict(zip(KINDS, ("#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                                   "#17becf", "#bcbd22", "#1f77b4"), strict=True))
        for kind in kinds:
            m = inc.kind == kind
            ax.scatter(inc.lon_deg[m], inc.lat_deg[m], s=8, c=colours[kind], linewidths=0,
                       label=f"{kind} ({int(m.sum()):,})", zorder=4)
        _outlines(ax, extent)
        ax.legend(fontsize=8, markerscale=2, loc="lower left")
        ax.set_title("Where incidents began (all windows)")
        sec.figures.append(("Incidents by kind, where each began",
                            plots.save(fig, out_dir / "incidents.png")))
    return sec


def _coverage(result: ScenarioResult, out_dir: Path) -> Section:
    from leonet.reporting import maps

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
    for c in result.coverage:
        s = c["summary"]
        rows.append([c["region"], len(c["cells"]), round(s["area_km2"]),
                     round(s["mean_in_view"], 1), s["min_in_view"], s["max_in_view"],
                     round(s["percent_covered"], 2), round(s["worst_percent_covered"], 2),
                     round(s["longest_gap_s"])])
        fig = c["run"].coverage
        sec.figures.append((f"{c['region']}: mean satellites above {spec.min_elevation_deg:g}°",
                            maps.cell_map(c["cells"], fig.mean_in_view,
                                          out_dir / f"coverage-{_slug(c['region'])}.png",
                                          title=f"{c['region']}: mean satellites in view",
                                          label="mean satellites in view")))
    sec.table("Coverage per region (area-weighted; worst = the least covered cell)",
              ["region", "cells", "area (km²)", "mean in view", "min", "max", "% covered",
               "worst % covered", "longest gap (s)"], rows)
    return sec


def _latency(result: ScenarioResult, out_dir: Path) -> Section:
    from leonet.reporting import plots

    lat = result.latency
    grid = lat["grid"]
    net = lat["network"]
    sec = Section("Latency in the affected areas",
                  f"Round-trip time (propagation only) from {', '.join(lat['places'])} over "
                  f"{len(grid)} instants from {grid.iso[0]}: operator mode goes terminal → "
                  f"serving satellite → lasers → gateway → fibre to the PoP; bent pipe has no "
                  f"lasers; fibre is the terrestrial baseline (great circle × "
                  f"{net.fibre_route_factor} at c/{net.fibre_index}); docs/network.md.")
    rows = [[r["from"], r["to"], r["mode"], f"{r['availability']:.1%}",
             r.get("rtt_ms_median", "—"), r.get("rtt_ms_p95", "—"), r["path_changes"]]
            for r in _latency_rows(result)]
    sec.table("RTT (ms)", ["from", "to", "mode", "availability", "median", "p95",
                           "path changes"], rows)
    n = len(lat["places"])
    fig, axes = plots.plt.subplots(1, n, figsize=(4.2 * n, 3.8), sharey=True, squeeze=False)
    minutes = grid.offsets_s / 60.0
    for i, ax in enumerate(axes[0]):
        for mode, s in lat["series"].items():
            ax.plot(minutes, s.rtt_ms[:, i], label=mode, linewidth=1.1)
        ax.set_title(f"{lat['places'][i]} → {lat['to'][i]}", fontsize=9)
        ax.set_xlabel(f"minutes after {grid.iso[0]}")
        ax.grid(True, color="0.9")
    axes[0][0].set_ylabel("RTT (ms)")
    axes[0][0].set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    sec.figures.append(("RTT from the affected areas", plots.save(fig, out_dir /
                                                                 "latency.png")))
    return sec
