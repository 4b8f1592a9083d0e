"""`leonet constellation …`, `leonet ephemeris`, `leonet overhead`."""

from __future__ import annotations

import dataclasses
import json
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
from leonet.errors import InputError
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, wgs84
from leonet.physics.orbits.shells import PRESETS
from leonet.physics.timegrid import TimeGrid, iso_utc, parse_utc
from leonet.physics.visibility import visible
from leonet.reporting.ephemeris import check_out, write_ephemeris

constellation_app = typer.Typer(help="Describe constellations (TLE/OMM files or presets).",
                                no_args_is_help=True)

Source = Annotated[str, typer.Argument(help="TLE/OMM file (.tle, .txt, .json, .csv) or "
                                            f"preset ({', '.join(sorted(PRESETS))}).")]
SkipInvalid = Annotated[bool, flag("--skip-invalid",
                                           help="Skip bad records, reporting each one.")]
Epoch = Annotated[str | None, typer.Option(help="Epoch of preset elements (ISO 8601 UTC).")]
Name = Annotated[str | None, typer.Option(
    help="Keep names matching this glob (re:PATTERN for a regular expression).")]
AltMin = Annotated[float | None, typer.Option(help="Drop satellites below this mean altitude "
                                                   "(km).")]
AltMax = Annotated[float | None, typer.Option(help="Drop satellites above this altitude (km).")]
Dedupe = Annotated[bool, flag(help="Keep the newest epoch per NORAD id.")]
Norad = Annotated[str | None, typer.Option(help="Keep these NORAD ids (comma-separated; for "
                                                "presets, the 1-based index).")]


@constellation_app.command("info")
def info(source: Source, skip_invalid: SkipInvalid = False, epoch: Epoch = None,
         name: Name = None, alt_min: AltMin = None, alt_max: AltMax = None,
         dedupe: Dedupe = False, norad: Norad = None,
         as_json: Annotated[bool, flag("--json", help="Print JSON.")] = False) -> None:
    """Satellites per shell (filed or detected from inclination and altitude), epochs."""
    sats = load_source(source, skip_invalid=skip_invalid, epoch=epoch, name=name,
                       alt_min_km=alt_min, alt_max_km=alt_max, dedupe=dedupe, norad=norad)
    s = sats.summary()
    n_dupes = len(sats) - len(np.unique(sats.norad_id))
    if as_json:
        print(json.dumps({
            "source": s.source, "n_sats": s.n_sats, "n_unassigned": s.n_unassigned,
            "duplicate_norad_ids": n_dupes,
            **{f"epoch_{k}": iso_utc(t, "ms") for k, t in (
                ("min", s.epoch_min), ("median", s.epoch_median), ("max", s.epoch_max))},
            "epoch_spread_days": s.epoch_spread_days,
            "shells": [dataclasses.asdict(sh) for sh in s.shells],
            "skipped": [dataclasses.asdict(k) for k in getattr(sats, "skipped", ())],
        }, indent=2))
        return
    out = out_console
    out.print(f"[bold]{len(sats):,} satellites[/] from {s.source}", highlight=False)
    table = Table("shell", "inclination (°)", "altitude (km)", "range (km)", "satellites")
    for k, sh in enumerate(s.shells):
        table.add_row(sh.name or str(k), f"{sh.inclination_deg:.2f}", f"{sh.altitude_km:.1f}",
                      f"{sh.altitude_min_km:.1f}–{sh.altitude_max_km:.1f}", f"{sh.n_sats:,}")
    if s.n_unassigned:
        table.add_row("(no shell)", "", "", "", f"{s.n_unassigned:,}")
    out.print(table)
    ep = [iso_utc(t, "s") for t in (s.epoch_min, s.epoch_median, s.epoch_max)]
    out.print(f"epochs: {ep[0]} … {ep[2]} (median {ep[1]}, spread "
              f"{s.epoch_spread_days:.2f} days)", highlight=False)
    if n_dupes:
        out.print(f"{n_dupes} duplicate NORAD ids (use --dedupe to keep the newest epoch)")


@constellation_app.command("presets")
def presets() -> None:
    """List the built-in presets and the filings they come from."""
    for p in PRESETS.values():
        print(f"{p.name}: {p.n_sats:,} satellites in {len(p.shells)} shells\n  {p.source}\n")


def _time_grid(start: str, duration: str, step: str) -> TimeGrid:
    return TimeGrid.range(start, duration, step)


def ephemeris(
    source: Source,
    start: Annotated[str, typer.Option(help="First instant, ISO 8601 with zone.")],
    out: Annotated[Path, typer.Option(help="Output file, .csv or .parquet (with --workers or "
                                           "--scheduler: a new folder X.parquet, one file "
                                           "per time window).")],
    duration: Annotated[str, typer.Option(help="e.g. 6h, 90m, PT6H.")] = "0s",
    step: Annotated[str, typer.Option(help="e.g. 60s, 1s, 100ms.")] = "60s",
    skip_invalid: SkipInvalid = False, epoch: Epoch = None, name: Name = None,
    alt_min: AltMin = None, alt_max: AltMax = None, dedupe: Dedupe = False,
    norad: Norad = None,
    float32: Annotated[bool, flag(help="Single-precision positions (~0.5 m).")] = False,
    max_memory_gib: Annotated[float, typer.Option(help="Memory budget per chunk (per "
                                                       "worker on a cluster).")] = 2.0,
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Earth-fixed positions, velocities and sub-satellite points over a time grid."""
    check_choice(workers, scheduler)
    check_out(out, dataset=workers is not None or scheduler is not None)
    if max_memory_gib <= 0:
        raise InputError(f"--max-memory-gib must be > 0, got {max_memory_gib}")
    grid = _time_grid(start, duration, step)
    # Before the progress bar, so that an unwritable folder's error stands on its own line.
    out.parent.mkdir(parents=True, exist_ok=True)
    # The cluster first: an unreachable scheduler fails before any data is loaded.
    with open_client(workers, scheduler, say=console.print) as client:
        sats = load_source(source, skip_invalid=skip_invalid, epoch=epoch, name=name,
                           alt_min_km=alt_min, alt_max_km=alt_max, dedupe=dedupe, norad=norad)
        with progress_bar(f"propagating {len(sats):,} satellites",
                          len(grid) * len(sats)) as adv:
            rows = write_ephemeris(sats, grid, out, dtype=np.float32 if float32 else np.float64,
                                   max_bytes=int(max_memory_gib * 1024**3), client=client,
                                   progress=adv)
    console.print(f"wrote {rows:,} rows to {out}", highlight=False)


def overhead(
    lat: Annotated[float, typer.Option(help="Geodetic latitude (deg).", min=-90, max=90)],
    lon: Annotated[float, typer.Option(help="Longitude (deg).", min=-180, max=180)],
    at: Annotated[str, typer.Option(help="Instant, ISO 8601 with zone.")],
    source: Annotated[str, typer.Option(help="TLE/OMM file or preset.")] = "starlink-gen1",
    min_elevation: Annotated[float, typer.Option(help="Elevation mask (deg).")] =
        DEFAULT_MIN_ELEVATION_DEG,
    alt_m: Annotated[float, typer.Option(help="Height above the ellipsoid (m).")] = 0.0,
    skip_invalid: SkipInvalid = False, epoch: Epoch = None,
    as_json: Annotated[bool, flag("--json", help="Print JSON.")] = False,
) -> None:
    """Satellites in view of a place at an instant, highest first."""
    point = wgs84.point(lat, lon, alt_m, min_elevation_deg=min_elevation)
    grid = TimeGrid.at(parse_utc(at, what="--at"))
    sats = load_source(source, skip_invalid=skip_invalid, epoch=epoch)
    eph = sats.propagate(grid)
    vis = visible(point, eph.r_ecef_km[0])
    order = np.argsort(-vis.elevation_deg)
    rows = [{
        "norad_id": int(sats.norad_id[vis.sat[k]]), "name": str(sats.names[vis.sat[k]]),
        "elevation_deg": round(float(vis.elevation_deg[k]), 4),
        "azimuth_deg": round(float(vis.azimuth_deg[k]), 4),
        "range_km": round(float(vis.range_km[k]), 3),
        "alt_km": round(float(eph.alt_km[0, vis.sat[k]]), 3),
    } for k in order]
    if as_json:
        print(json.dumps({"lat_deg": lat, "lon_deg": lon, "at": str(grid.iso[0]),
                          "min_elevation_deg": min_elevation, "source": source,
                          "satellites": rows}, indent=2))
        return
    table = Table("norad_id", "name", "elevation (°)", "azimuth (°)", "range (km)",
                  "altitude (km)", title=f"{len(rows)} satellites above {min_elevation}° at "
                  f"{lat:.4f}, {lon:.4f} — {grid.iso[0]}")
    for r in rows:
        table.add_row(str(r["norad_id"]), r["name"], f"{r['elevation_deg']:.2f}",
                      f"{r['azimuth_deg']:.2f}", f"{r['range_km']:.1f}", f"{r['alt_km']:.1f}")
    out_console.print(table)
