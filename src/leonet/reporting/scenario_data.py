"""A replayed scenario as data: the tables written as CSV and Parquet (terminals served,
deciding rules, events, terminals, incidents, telemetry, coverage, latency) and the
``results.json`` document.

Every table is written in a fixed order, so the same scenario and seed give the same bytes.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from leonet.control.detect.config import KINDS
from leonet.control.telemetry import Telemetry
from leonet.physics.route_series import REASONS
from leonet.physics.timegrid import iso_utc
from leonet.reporting.exports import write_table
from leonet.scenario.results import LatencyRoute, ScenarioResult

NEVER = np.iinfo(np.int64).max
ALWAYS = np.iinfo(np.int64).min


def iso(t_ns: int | np.integer) -> str:
    """ISO 8601 UTC with a Z, to the second."""
    return iso_utc(t_ns, unit="s")


def day(t_ns: int | np.integer) -> str:
    """The UTC date of ``t_ns``, ``YYYY-MM-DD``."""
    return iso(t_ns)[:10]


def slug(text: str) -> str:
    """``text`` as a short file-name part."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "window"


def round_ms(rtt_ms: float) -> float:
    """An RTT as reported: to the microsecond."""
    return round(float(rtt_ms), 3)


def round_share(share: float) -> float:
    """A share (0..1) as reported."""
    return round(float(share), 6)


def kinds_found(result: ScenarioResult) -> list[str]:
    """The incident kinds found in some window, in `KINDS` order."""
    return [k for k in KINDS if any(w.incidents.counts_by_kind()[k] for w in result.windows)]


# -- served per region ------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ServedByRegion:
    """Terminals switched on (``on``) and allowed (``allowed``) per timeline instant and
    region, shape ``(n_instants, n_regions)``; ``top`` are the regions that matter (the
    report's figure and table show them): at least 1 % of the fleet switched on there at
    some instant, at most seven, the largest first."""

    regions: np.ndarray  # str, sorted
    on: np.ndarray  # int64, terminals
    allowed: np.ndarray  # int64, terminals
    top: tuple[int, ...]


def served_by_region(result: ScenarioResult) -> ServedByRegion:
    d = result.timeline
    regions, reg = d.region_codes
    n_t = len(result.timeline_ns)
    on = np.zeros((n_t, regions.size), dtype=np.int64)
    ok = np.zeros((n_t, regions.size), dtype=np.int64)
    np.add.at(on, (d.state.instant, reg), 1)
    np.add.at(ok, (d.state.instant, reg), d.allowed.astype(np.int64))
    top = tuple(int(j) for j in np.argsort(-on.max(axis=0), kind="stable")[:7]
                if on[:, j].max() >= 0.01 * on.sum(axis=1).max())
    return ServedByRegion(regions, on, ok, top)


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


def events_table(result: ScenarioResult) -> dict[str, np.ndarray]:
    """The events, in time order."""
    ev = result.events
    return {"time": np.array([iso(e.time_ns) for e in ev], dtype=object),
            "kind": np.array([e.kind for e in ev], dtype=object),
            "event": np.array([e.name for e in ev], dtype=object),
            "detail": np.array([e.detail for e in ev], dtype=object),
            "gained": np.array([e.gained for e in ev], dtype=np.int64),
            "lost": np.array([e.lost for e in ev], dtype=np.int64)}


def terminals_table(result: ScenarioResult) -> dict[str, np.ndarray]:
    """One row per terminal: where it lives, what it pays for, when it was verified and
    suspended (empty: never)."""
    fleet = result.fleet
    return {
        "terminal_id": fleet.terminal_id, "group": fleet.group_of(np.arange(len(fleet))),
        "mobility": fleet.kind, "plan": fleet.plan, "home_country": fleet.home_country,
        "lat_deg": np.round(fleet.home_lat_deg, 6), "lon_deg": np.round(fleet.home_lon_deg, 6),
        "whitelisted_from": np.array(["" if t == NEVER else iso(max(t, result.scenario.start_ns))
                                      for t in fleet.whitelisted_from_ns], dtype=object),
        "suspended_from": np.array(["" if t == NEVER else iso(t)
                                    for t in result.suspended_from_ns], dtype=object)}


def latency_table(result: ScenarioResult) -> dict[str, np.ndarray]:
    """RTT per instant, place and mode (NaN and the reason where there was no service)."""
    lat = result.latency
    grid = lat.grid
    cols: dict[str, list] = {"time": [], "from": [], "to": [], "mode": [], "rtt_ms": [],
                             "hops": [], "no_service": []}
    for mode, s in lat.series.items():
        for i, name in enumerate(lat.places):
            for k in range(len(grid)):
                ok = bool(s.available[k, i])
                cols["time"].append(str(grid.iso[k]))
                cols["from"].append(name)
                cols["to"].append(lat.to[i])
                cols["mode"].append(mode)
                cols["rtt_ms"].append(round(float(s.rtt_ms[k, i]), 3) if ok else np.nan)
                cols["hops"].append(int(s.hops[k, i]) if ok else -1)
                cols["no_service"].append("" if ok else REASONS[s.reason[k, i]])
    return {k: np.array(v, dtype=object if k in ("time", "from", "to", "mode", "no_service")
                        else None) for k, v in cols.items()}


def write_tables(result: ScenarioResult, out_dir: Path) -> list[Path]:
    """Write every table of ``result`` into ``out_dir``; return the files in report order."""
    files = [write_table(out_dir / "served.csv", served_table(result)),
             write_table(out_dir / "rules.csv", rules_table(result)),
             write_table(out_dir / "events.csv", events_table(result)),
             write_table(out_dir / "terminals.csv", terminals_table(result))]
    if result.windows:
        files.append(_write_incidents(result, out_dir / "incidents.csv"))
        for k, w in enumerate(result.windows, start=1):
            files.append(_write_telemetry(w.telemetry,
                                          out_dir / f"telemetry-{k}-{slug(w.name)}.parquet"))
            # What the detectors knew of each terminal: `leonet detect --terminals` reads it.
            files.append(write_table(out_dir / f"facts-{k}-{slug(w.name)}.csv",
                                     result.fleet.facts_table(w.start_ns)))
    for c in result.coverage:
        files.append(write_table(out_dir / f"coverage-{slug(c.region)}.csv",
                                 c.coverage.columns()))
    if result.latency:
        files.append(write_table(out_dir / "latency.csv", latency_table(result)))
    return files


def _write_incidents(result: ScenarioResult, path: Path) -> Path:
    """Incidents of every window, as `leonet detect --all-columns` writes them, plus the
    window's name."""
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


def _write_telemetry(tel: Telemetry, path: Path) -> Path:
    """A window's reports as `leonet detect --telemetry` reads them (time last)."""
    cols = {name: getattr(tel, name) for name in ("terminal_id", "lat_deg", "lon_deg", "alt_m",
                                                  "speed_kmh", "heading_deg")}
    table = {name: pa.array(v.tolist() if v.dtype == object else v) for name, v in cols.items()}
    table["time"] = pa.array(tel.time, type=pa.timestamp("ns", tz="UTC"))
    pq.write_table(pa.table(table), path, compression="zstd")
    return path


# -- results.json ---------------------------------------------------------------------------

def write_results_json(result: ScenarioResult, out_dir: Path, files: list[str]) -> Path:
    """``results.json``: `results_document` of ``result``, listing ``files`` beside it."""
    path = out_dir / "results.json"
    path.write_text(json.dumps(results_document(result, files), indent=1, ensure_ascii=False,
                               default=_json_default) + "\n", encoding="utf-8")
    return path


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return value.name
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def results_document(result: ScenarioResult, files: list[str]) -> dict:
    """Everything the report says, as JSON (series in the CSV files it names)."""
    scn, fleet = result.scenario, result.fleet

    def when(t):
        return None if t in (NEVER, ALWAYS) else iso(t)

    final = result.timeline_ns[-1]
    last = result.timeline.state.instant == len(result.timeline_ns) - 1
    served_final = {}
    for reg in sorted(set(result.timeline.region[last].astype(str).tolist())):
        sel = last & (result.timeline.region == reg)
        served_final[reg] = {"terminals_on": int(sel.sum()),
                             "allowed": int(result.timeline.allowed[sel].sum())}
    return {
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
        "events": [{"time": iso(e.time_ns), "kind": e.kind, "name": e.name,
                    "detail": e.detail, "source": e.source, "gained": e.gained,
                    "lost": e.lost} for e in result.events],
        "policy_changes": [{"time": iso(c.step.from_ns), **c.diff.to_dict()}
                           for c in result.policy_changes],
        "served_at_end": {"time": iso(final), "by_region": served_final},
        "detection": [{"window": w.name, "start": iso(w.start_ns), "end": iso(w.end_ns),
                       "reports": w.n_reports, "terminals": w.n_terminals,
                       "row_issues": w.n_issues, "incidents": w.incidents.counts_by_kind(),
                       "suspended": w.n_suspended} for w in result.windows],
        "suspended_terminals": int((result.suspended_from_ns != NEVER).sum()),
        # The summary's figures follow, its cell count too (as a float, like the others).
        "coverage": [{"region": c.region, "resolution": c.resolution, "cells": len(c.cells),
                      **{k: round(float(v), 6) for k, v in c.summary.to_dict().items()}}
                     for c in result.coverage],
        "latency": [_latency_row(r) for r in result.latency.routes] if result.latency else [],
        "files": sorted([*files, "index.html", "report.md", "results.json"]),
    }


def _latency_row(r: LatencyRoute) -> dict:
    row = {"from": r.place, "to": r.to, "mode": r.mode,
           "availability": round_share(r.availability)}
    if r.rtt_ms_median is not None:
        row["rtt_ms_median"] = round_ms(r.rtt_ms_median)
    if r.rtt_ms_p95 is not None:
        row["rtt_ms_p95"] = round_ms(r.rtt_ms_p95)
    row["path_changes"] = r.path_changes
    return row
