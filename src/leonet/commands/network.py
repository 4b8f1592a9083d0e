"""`leonet route`, `leonet paths`, `leonet handovers`, `leonet ground-segment`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from leonet.commands.common import (
    Scheduler,
    Workers,
    console,
    flag,
    load_source,
    out_console,
    progress_bar,
)
from leonet.distributed.client import check_choice, open_client
from leonet.distributed.routes import routes
from leonet.errors import InputError
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, GroundPoints, place
from leonet.physics.ground_segment import (
    assign_pops,
    read_sites,
    starlink_gateways,
    starlink_pops,
)
from leonet.physics.hypatia import read_hypatia_dir
from leonet.physics.links import MAX_LASER_RANGE_KM, PlaneAssignment, parse_isls
from leonet.physics.network import FIBRE_ROUTE_FACTOR, MODES, Network
from leonet.physics.planes import detect_planes
from leonet.physics.route_series import REASONS, RouteSeries
from leonet.physics.scheduling import SLOT_OFFSET_S, SLOT_S, STRATEGIES
from leonet.physics.timegrid import TimeGrid, iso_utc, parse_duration_s
from leonet.reporting import plots, route_tables

app = typer.Typer()


Source = Annotated[str, typer.Option(help="TLE/OMM file or preset (lasers on filed planes "
                                          "for presets, detected planes for TLE sets).")]
Strategy = Annotated[str, typer.Option(help=f"Serving satellite: {', '.join(STRATEGIES)}.")]
AsJson = Annotated[bool, flag("--json", help="Print JSON.")]


def _network(source: str, *, no_lasers: bool, isl_shift: int, max_laser_km: float,
             cutoff_lat: float | None, gateways: Path | None, pops: Path | None,
             route_factor: float, alt_min: float | None, isls: Path | None = None
             ) -> Network:
    sats = load_source(source, alt_min_km=alt_min)
    gw = read_sites(gateways, "gateway") if gateways else starlink_gateways()
    pp = read_sites(pops, "pop") if pops else starlink_pops()
    if no_lasers:
        return Network(sats, None, gw, pp, fibre_route_factor=route_factor)
    if isls is not None:
        try:
            text = isls.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", str(isls)) from None
        links = parse_isls(text, len(sats), where=str(isls), max_range_km=max_laser_km)
        return Network(sats, links, gw, pp, fibre_route_factor=route_factor)
    with console.status("building the laser mesh (+Grid)"):
        net = Network.build(sats, isl_shift=isl_shift, max_range_km=max_laser_km,
                            cutoff_lat_deg=cutoff_lat, gateways=gw, pops=pp,
                            fibre_route_factor=route_factor)
    _report_unassigned(net.planes)
    return net


def _report_unassigned(planes) -> None:
    """Say how many satellites fit no plane (they fly without lasers), and why."""
    if planes is None or planes.unassigned.size == 0:
        return
    reasons: dict[str, int] = {}
    for i in planes.unassigned:
        key = re.sub(r"^fits no plane: \d+ satellite\(s\)", "fits no plane: too few",
                     planes.reasons[i])
        reasons[key] = reasons.get(key, 0) + 1
    detail = "; ".join(f"{n:,} {r}" for r, n in sorted(reasons.items(), key=lambda x: -x[1]))
    console.print(f"[yellow]{planes.unassigned.size:,} satellites fit no plane and get no "
                  f"lasers[/] ({detail}); list them with 'leonet planes'", highlight=False)


@app.command()
def route(
    to: Annotated[str, typer.Option(help="City name or 'lat,lon'.")],
    start: Annotated[str, typer.Option(help="First instant, ISO 8601 with zone.")],
    from_: Annotated[str | None, typer.Option("--from", help="City name or 'lat,lon'.")]
        = None,
    terminals: Annotated[Path | None, typer.Option(
        help="Route every terminal of a CSV/GeoJSON file (name,lat_deg,lon_deg[,pop]) "
             "instead of --from.")] = None,
    duration: Annotated[str, typer.Option(help="e.g. 10m, 1h (0: one instant).")] = "0s",
    step: Annotated[str, typer.Option(help="e.g. 1s, 15s.")] = "1s",
    mode: Annotated[str, typer.Option(help="operator, space, bentpipe or fibre.")] =
        "operator",
    source: Source = "starlink-gen1",
    pop: Annotated[str | None, typer.Option(help="PoP of the terminal (default: nearest).")]
        = None,
    strategy: Strategy = "highest_elevation",
    min_elevation: Annotated[float, typer.Option(help="Terminal elevation mask (deg).")] =
        DEFAULT_MIN_ELEVATION_DEG,
    isl_shift: Annotated[int, typer.Option(help="+Grid cross-plane slot shift.")] = 0,
    max_laser_km: Annotated[float, typer.Option(help="Laser range (km).")] =
        MAX_LASER_RANGE_KM,
    cutoff_lat: Annotated[float | None, typer.Option(
        help="No cross-plane lasers above this latitude (deg).")] = None,
    no_lasers: Annotated[bool, flag("--no-lasers", help="Ignore laser links.")] = False,
    isls: Annotated[Path | None, typer.Option(
        help="Laser links from an isls.txt-format file ('a b' satellite indices in the "
             "order of --source) instead of +Grid.")] = None,
    gateways: Annotated[Path | None, typer.Option(help="Gateways CSV/GeoJSON.")] = None,
    pops: Annotated[Path | None, typer.Option(help="PoPs CSV/GeoJSON.")] = None,
    route_factor: Annotated[float, typer.Option(help="Fibre length / great circle.")] =
        FIBRE_ROUTE_FACTOR,
    alt_min: Annotated[float | None, typer.Option(
        help="Drop satellites below this mean altitude (km), e.g. 400 for a TLE set.")] = None,
    as_json: AsJson = False,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of the RTT series.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the series as .parquet (paths as lists) or .csv.")] = None,
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Route and latency from one place to another, at an instant or over a time grid."""
    check_choice(workers, scheduler)
    if mode not in MODES:
        raise InputError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    if strategy not in STRATEGIES:
        raise InputError(f"--strategy must be one of {', '.join(STRATEGIES)}, got "
                         f"{strategy!r}")
    if plot is not None and plot.suffix.lower() != ".png":
        raise InputError(f"--plot must name a .png file, got {plot.name!r}")
    if (from_ is None) == (terminals is None):
        raise InputError("give either --from PLACE or --terminals FILE")
    if out is not None:
        route_tables.check_table_path(out)
    # The cluster first: an unreachable scheduler fails before any data is loaded.
    with open_client(workers, scheduler, say=console.print) as client:
        sites = None
        if terminals is not None:
            sites = read_sites(terminals, "terminal", min_elevation_deg=min_elevation)
            src = sites.points
        else:
            src = place(from_, min_elevation_deg=min_elevation)
        dst = place(to, min_elevation_deg=min_elevation)
        dst = GroundPoints(np.repeat(dst.lat_deg, len(src)), np.repeat(dst.lon_deg, len(src)),
                           np.repeat(dst.alt_km, len(src)), dst.min_elevation_deg[0],
                           np.repeat(dst.names, len(src)), dst.kind)
        grid = TimeGrid.range(start, duration, step)
        net = _network(source, no_lasers=no_lasers, isl_shift=isl_shift,
                       max_laser_km=max_laser_km, cutoff_lat=cutoff_lat, gateways=gateways,
                       pops=pops, route_factor=route_factor, alt_min=alt_min, isls=isls)
        if pop is not None:
            pop_idx = np.full(len(src), net.pops.index_of(pop))
        elif sites is not None:
            pop_idx = assign_pops(sites, net.pops, by_country=net.pop_by_country)
        else:
            pop_idx = None
        with progress_bar(f"routing {len(grid):,} instants ({mode})", len(grid)) as advance:
            series = routes(net, src, dst, grid, client=client, mode=mode, strategy=strategy,
                            pop=pop_idx, progress=advance)
    if out is not None:
        rows = route_tables.write_series(series, out)
        console.print(f"series of {rows:,} rows written to {out}", highlight=False)
    if plot is not None:
        _plot(series, plot)
        console.print(f"plot written to {plot}", highlight=False)
    if as_json:
        if series.n_pairs == 1:
            print(json.dumps(_series_json(series, 0), indent=2))
        else:
            print(json.dumps({"pairs": [_series_json(series, i)
                                        for i in range(series.n_pairs)]}, indent=2))
        return
    if series.n_pairs == 1:
        _print_series(series)
    else:
        _print_summaries(series)


def _series_json(s: RouteSeries, i: int) -> dict:
    k_ch, pair = s.path_changes()
    return {
        "summary": s.summary(i),
        "series": [
            {"time": str(s.grid.iso[k]),
             "one_way_ms": _num(s.one_way_ms[k, i]), "rtt_ms": _num(s.rtt_ms[k, i]),
             "hops": int(s.hops[k, i]) if s.available[k, i] else None,
             "path": s.path(k, i),
             **({} if s.available[k, i] else {"no_service": REASONS[s.reason[k, i]]})}
            for k in range(s.n_times)
        ],
        "path_changes": [str(s.grid.iso[k]) for k in k_ch[pair == i]],
        "cdf": _cdf_points(s, i),
    }


def _print_summaries(s: RouteSeries) -> None:
    table = Table("terminal", "PoP", "availability", "RTT median (ms)", "RTT p95 (ms)",
                  "path changes", "handovers/h", "no service",
                  title=f"{s.n_pairs} terminals → {s.dst.names[0]}, {s.mode} mode")
    for i in range(s.n_pairs):
        summ = s.summary(i)
        med = summ.get("rtt_ms_median")
        p95 = summ.get("rtt_ms_p95")
        ho = summ.get("handovers_per_hour")
        table.add_row(summ["source"], summ.get("pop", ""), f"{summ['availability']:.1%}",
                      f"{med:.2f}" if med is not None else "—",
                      f"{p95:.2f}" if p95 is not None else "—", str(summ["path_changes"]),
                      f"{ho:.0f}" if ho is not None else "",
                      "; ".join(f"{n}× {r}" for r, n in summ.get("no_service", {}).items()))
    out_console.print(table)


def _num(x: float) -> float | None:
    return round(float(x), 4) if np.isfinite(x) else None


def _cdf_points(s: RouteSeries, i: int) -> list[dict]:
    r, _ = s.cdf(i)
    if r.size == 0:
        return []
    qs = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)
    return [{"share": q, "rtt_ms": round(float(np.quantile(r, q)), 4)} for q in qs]


def _print_series(s: RouteSeries) -> None:
    out = out_console
    summ = s.summary(0)
    title = f"{summ['source']} → {summ['destination']}, {s.mode} mode"
    if "pop" in summ:
        title += f", PoP {summ['pop']}"
    if s.n_times == 1:
        if not s.available[0, 0]:
            out.print(f"{title}: no service at {s.grid.iso[0]}: {REASONS[s.reason[0, 0]]}",
                      highlight=False)
            return
        out.print(f"{title} at {s.grid.iso[0]}", highlight=False)
        out.print(f"one-way {s.one_way_ms[0, 0]:.2f} ms, RTT {s.rtt_ms[0, 0]:.2f} ms, "
                  f"{s.hops[0, 0]} hops", highlight=False)
        out.print("path: " + " → ".join(s.path(0, 0)), highlight=False)
        return
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in ("instants", "availability", "rtt_ms_min", "rtt_ms_p05", "rtt_ms_median",
                "rtt_ms_mean", "rtt_ms_p95", "rtt_ms_max", "hops_median", "path_changes",
                "path_changes_per_hour", "handovers_per_hour"):
        if key in summ and summ[key] is not None:
            v = summ[key]
            table.add_row(key, f"{v:.3f}" if isinstance(v, float) else str(v))
    out.print(table)
    for reason, n in summ.get("no_service", {}).items():
        out.print(f"no service at {n} instant(s): {reason}", highlight=False)
    k = int(np.argmax(s.available[:, 0])) if s.available[:, 0].any() else 0
    if s.available[k, 0]:
        out.print(f"path at {s.grid.iso[k]}: " + " → ".join(s.path(k, 0)), highlight=False)


def _plot(s: RouteSeries, path: Path) -> None:
    fig, (ax, ax2) = plots.subplots(1, 2, figsize=(12, 4.2),
                                    gridspec_kw={"width_ratios": [3, 1]})
    minutes = s.grid.offsets_s / 60.0
    shown = min(s.n_pairs, 12)
    for i in range(shown):
        rtt = s.rtt_ms[:, i]  # NaN where there is no service: gaps, never infinite values
        ax.plot(minutes, rtt, linewidth=1, label=str(s.src.names[i]) if shown > 1 else None)
        gaps = ~np.isfinite(rtt)
        if gaps.any():
            ax.plot(minutes[gaps], np.zeros(gaps.sum()), "x", color="tab:red",
                    label="no service" if i == 0 else None)
    if shown > 1 or not s.available.all():
        ax.legend(fontsize=7, ncol=2)
    if s.n_pairs == 1:
        k_ch, _ = s.path_changes()
        for k in k_ch:
            ax.axvline(minutes[k], color="0.85", linewidth=0.5, zorder=0)
    summ = s.summary(0)
    who = summ["source"] if s.n_pairs == 1 else f"{s.n_pairs} terminals"
    ax.set_title(f"{who} → {summ['destination']} ({s.mode})")
    ax.set_xlabel(f"minutes after {s.grid.iso[0]}")
    ax.set_ylabel("RTT (ms, propagation)")
    ax.set_ylim(bottom=0)
    ax.grid(True, color="0.9")
    for i in range(shown):
        r, share = s.cdf(i)
        ax2.step(r, share, where="post")
    ax2.set_xlabel("RTT (ms)")
    ax2.set_ylabel("share of instants")
    ax2.set_title("CDF")
    ax2.grid(True, color="0.9")
    plots.save(fig, path)


@app.command()
def paths(
    hypatia_dir: Annotated[Path, typer.Option(help="Folder with tles.txt, isls.txt, "
                                                   "ground_stations.txt, description.txt.")],
    out: Annotated[Path, typer.Option(
        help="Output .parquet (paths as lists of node ids) or .csv (paths a-b-c).")],
    t_offset: Annotated[str, typer.Option(help="First instant after the TLE epoch.")] = "0s",
    duration: Annotated[str, typer.Option(help="e.g. 10s (0: one instant).")] = "0s",
    step: Annotated[str, typer.Option(help="e.g. 100ms.")] = "100ms",
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """All ordered ground-station pair paths of a Hypatia folder, per instant, as Parquet
    or CSV."""
    check_choice(workers, scheduler)
    route_tables.check_table_path(out)
    # The cluster first: an unreachable scheduler fails before any data is loaded.
    with open_client(workers, scheduler, say=console.print) as client:
        inputs = read_hypatia_dir(hypatia_dir)
        t0_s = parse_duration_s(t_offset, what="t-offset")
        grid = inputs.grid(t0_s, parse_duration_s(duration, what="duration"),
                           parse_duration_s(step, what="step"))
        n_g = len(inputs.stations)
        with progress_bar(f"routing {n_g * (n_g - 1):,} pairs", len(grid)) as advance:
            rows = route_tables.write_paths(inputs, grid, t0_s, out, client=client,
                                            progress=advance)
    console.print(f"wrote {rows:,} rows to {out}", highlight=False)


@app.command()
def handovers(
    at: Annotated[str, typer.Option(help="City name or 'lat,lon'.")],
    start: Annotated[str, typer.Option(help="First instant, ISO 8601 with zone.")],
    duration: Annotated[str, typer.Option(help="e.g. 1h.")] = "1h",
    source: Source = "starlink-gen1",
    strategy: Strategy = "highest_elevation",
    mode: Annotated[str, typer.Option(help="operator (lasers) or bentpipe.")] = "operator",
    min_elevation: Annotated[float, typer.Option(help="Terminal elevation mask (deg).")] =
        DEFAULT_MIN_ELEVATION_DEG,
    slot: Annotated[str, typer.Option(help="Scheduling slot length.")] = f"{SLOT_S:g}s",
    slot_offset: Annotated[str, typer.Option(help="Slot boundary offset past the minute.")]
        = f"{SLOT_OFFSET_S:g}s",
    alt_min: Annotated[float | None, typer.Option(help="Drop satellites below this mean "
                                                       "altitude (km).")] = None,
    as_json: AsJson = False,
) -> None:
    """Serving satellite per scheduling slot at a place, handovers and their rate."""
    if mode not in ("operator", "bentpipe"):
        raise InputError(f"--mode must be operator or bentpipe, got {mode!r}")
    if strategy not in STRATEGIES:
        raise InputError(f"--strategy must be one of {', '.join(STRATEGIES)}")
    point = place(at, min_elevation_deg=min_elevation)
    grid = TimeGrid.range(start, duration, "1s")
    sats = load_source(source, alt_min_km=alt_min)
    net = (Network(sats, None, starlink_gateways(), starlink_pops()) if mode == "bentpipe"
           else Network.build(sats))
    with console.status("scheduling"):
        sched = net.schedule(point, grid.utc[0], grid.utc[-1], mode=mode, strategy=strategy,
                             slot_s=parse_duration_s(slot, what="slot"),
                             slot_offset_s=parse_duration_s(slot_offset, what="slot offset"))
    iso = iso_utc(sched.slot_start, "s").tolist()
    slots = [{"slot_start": iso[k],
              "satellite": (str(sats.names[sched.serving[k, 0]]) if sched.serving[k, 0] >= 0
                            else None),
              "elevation_deg": _num(sched.elevation_deg[k, 0]),
              "remaining_s": _num(sched.remaining_s[k, 0])} for k in range(sched.n_slots)]
    slot_k, _, before, after = sched.handovers
    events = [{"time": iso[k],
               "from": str(sats.names[a]) if a >= 0 else None,
               "to": str(sats.names[b]) if b >= 0 else None}
              for k, a, b in zip(slot_k, before, after, strict=True)]
    result = {"place": str(point.names[0]), "strategy": strategy, "mode": mode,
              "slots": sched.n_slots, "slot_s": sched.slot_s,
              "handovers": len(events),
              "handovers_per_hour": round(float(sched.handovers_per_hour()[0]), 3),
              "service_share": round(float(sched.service_share()[0]), 4)}
    if as_json:
        print(json.dumps({**result, "events": events, "schedule": slots}, indent=2))
        return
    table = Table("slot start (UTC)", "satellite", "elevation (°)", "left above mask (s)",
                  title=f"serving satellite at {point.names[0]} ({strategy}, {mode})")
    for row in slots:
        table.add_row(row["slot_start"], row["satellite"] or "—",
                      f"{row['elevation_deg']:.1f}" if row["elevation_deg"] is not None
                      else "", f"{row['remaining_s']:.0f}" if row["remaining_s"] is not None
                      else "")
    out_console.print(table)
    out_console.print(f"{result['handovers']} handovers in {sched.n_slots} slots: "
                      f"{result['handovers_per_hour']:.1f} per hour; service in "
                      f"{result['service_share']:.1%} of slots", highlight=False)


@app.command("planes")
def planes_command(
    source: Annotated[str, typer.Argument(help="TLE/OMM file or preset.")],
    at: Annotated[str | None, typer.Option(help="Common instant (default: median epoch).")]
        = None,
    alt_min: Annotated[float | None, typer.Option(help="Drop satellites below this mean "
                                                       "altitude (km).")] = None,
    as_json: AsJson = False,
) -> None:
    """Orbital planes found from the elements, and the satellites that fit no plane."""
    sats = load_source(source, alt_min_km=alt_min)
    planes = (PlaneAssignment.from_walker(sats) if np.any(sats.shell_index >= 0)
              else detect_planes(sats, at=at))
    shells = []
    for s in range(len(planes.wrap)):
        members = np.flatnonzero(planes.shell == s)
        per_plane = np.bincount(planes.plane[members])
        shells.append({"shell": s, "satellites": int(members.size),
                       "planes": int(per_plane.size),
                       "inclination_deg": round(float(np.median(
                           sats.inclination_deg[members])), 3),
                       "altitude_km": round(float(np.median(sats.altitude_km[members])), 1),
                       "per_plane_min": int(per_plane.min()),
                       "per_plane_max": int(per_plane.max()), "wraps": planes.wrap[s]})
    unassigned = [{"index": int(i), "norad_id": int(sats.norad_id[i]),
                   "name": str(sats.names[i]), "reason": planes.reasons[i]}
                  for i in planes.unassigned]
    if as_json:
        print(json.dumps({"source": source, "shells": shells, "unassigned": unassigned},
                         indent=2))
        return
    table = Table("shell", "inclination (°)", "altitude (km)", "satellites", "planes",
                  "per plane", "wraps", title=f"planes of {source}")
    for sh in shells:
        table.add_row(str(sh["shell"]), f"{sh['inclination_deg']:.2f}",
                      f"{sh['altitude_km']:.1f}", f"{sh['satellites']:,}",
                      str(sh["planes"]), f"{sh['per_plane_min']}–{sh['per_plane_max']}",
                      "yes" if sh["wraps"] else "no")
    out_console.print(table)
    out_console.print(f"{len(unassigned):,} satellites fit no plane:", highlight=False)
    for u in unassigned[:50]:
        out_console.print(f"  {u['norad_id']} {u['name']}: {u['reason']}", highlight=False)
    if len(unassigned) > 50:
        out_console.print(f"  … and {len(unassigned) - 50:,} more (--json lists all)")


@app.command("ground-segment")
def ground_segment(
    kind: Annotated[str, typer.Argument(help="gateways or pops")] = "gateways",
    as_json: AsJson = False,
) -> None:
    """List the shipped Starlink gateway or PoP table, with sources."""
    if kind not in ("gateways", "pops"):
        raise InputError(f"expected 'gateways' or 'pops', got {kind!r}")
    sites = starlink_gateways() if kind == "gateways" else starlink_pops()
    rows = [{"name": str(sites.names[i]), "country": str(sites.country[i]),
             "lat_deg": float(sites.points.lat_deg[i]),
             "lon_deg": float(sites.points.lon_deg[i]), "source": str(sites.source[i])}
            for i in range(len(sites))]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("name", "country", "lat (°)", "lon (°)", "source",
                  title=f"{len(rows)} shipped {kind} (sources: leonet/data/README.md)")
    for r in rows:
        table.add_row(r["name"], r["country"], f"{r['lat_deg']:.3f}", f"{r['lon_deg']:.3f}",
                      r["source"])
    out_console.print(table)
