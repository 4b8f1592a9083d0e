"""`leonet constellation …`, `leonet ephemeris`, `leonet overhead`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import typer
from rich.table import Table

from leonet.commands.common import (
    console,
    flag,
    load_source,
    out_console,
    output_format,
    progress_bar,
)
from leonet.errors import InputError
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, wgs84
from leonet.physics.orbits.propagate import iter_propagate
from leonet.physics.orbits.shells import PRESETS
from leonet.physics.timegrid import TimeGrid, iso_utc, parse_utc
from leonet.physics.visibility import visible

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
    out: Annotated[Path, typer.Option(help="Output file, .csv or .parquet.")],
    duration: Annotated[str, typer.Option(help="e.g. 6h, 90m, PT6H.")] = "0s",
    step: Annotated[str, typer.Option(help="e.g. 60s, 1s, 100ms.")] = "60s",
    skip_invalid: SkipInvalid = False, epoch: Epoch = None, name: Name = None,
    alt_min: AltMin = None, alt_max: AltMax = None, dedupe: Dedupe = False,
    norad: Norad = None,
    float32: Annotated[bool, flag(help="Single-precision positions (~0.5 m).")] = False,
    max_memory_gib: Annotated[float, typer.Option(help="Memory budget per chunk.")] = 2.0,
) -> None:
    """Earth-fixed positions, velocities and sub-satellite points over a time grid."""
    fmt = output_format(out)
    grid = _time_grid(start, duration, step)
    sats = load_source(source, skip_invalid=skip_invalid, epoch=epoch, name=name,
                       alt_min_km=alt_min, alt_max_km=alt_max, dedupe=dedupe, norad=norad)
    if max_memory_gib <= 0:
        raise InputError(f"--max-memory-gib must be > 0, got {max_memory_gib}")
    out.parent.mkdir(parents=True, exist_ok=True)
    dtype = np.float32 if float32 else np.float64
    names = pa.array(sats.names.astype(str))
    writer = None
    rows = 0
    try:
        with progress_bar(f"propagating {len(sats):,} satellites", len(grid) * len(sats)) as adv:
            # A third of the budget for the ephemeris: the Arrow table of a chunk (13
            # columns) takes about as much again, and writing may copy it once more.
            for eph in iter_propagate(sats, grid, max_bytes=int(max_memory_gib * 1024**3 / 3),
                                      dtype=dtype, progress=adv):
                table = _ephemeris_table(eph, sats.norad_id, names, fmt)
                if writer is None:
                    writer = _open_writer(out, fmt, table.schema)
                writer.write_table(table)
                rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    console.print(f"wrote {rows:,} rows to {out}", highlight=False)


def _ephemeris_table(eph, norad_id: np.ndarray, names: pa.Array, fmt: str) -> pa.Table:
    n_t, n_s = eph.n_times, eph.n_sats
    t_idx = np.repeat(np.arange(n_t), n_s)
    s_idx = np.tile(np.arange(n_s), n_t)
    if fmt == "csv":
        time_col = pa.array(eph.grid.iso.astype(str)).take(pa.array(t_idx))
    else:
        time_col = pa.array(eph.grid.utc[t_idx], type=pa.timestamp("ns", tz="UTC"))
    r = eph.r_ecef_km.reshape(-1, 3)
    v = eph.v_ecef_km_s.reshape(-1, 3)
    cols = {
        "time": time_col,
        "norad_id": pa.array(norad_id[s_idx]),
        "name": names.take(pa.array(s_idx)),
        "x_km": r[:, 0], "y_km": r[:, 1], "z_km": r[:, 2],
        "vx_km_s": v[:, 0], "vy_km_s": v[:, 1], "vz_km_s": v[:, 2],
        "lat_deg": eph.lat_deg.reshape(-1), "lon_deg": eph.lon_deg.reshape(-1),
        "alt_km": eph.alt_km.reshape(-1),
        "error": eph.error.reshape(-1),
    }
    return pa.table({k: pa.array(v) if isinstance(v, np.ndarray) else v for k, v in cols.items()})


def _open_writer(path: Path, fmt: str, schema: pa.Schema):
    if fmt == "csv":
        return pacsv.CSVWriter(str(path), schema)
    return pq.ParquetWriter(str(path), schema, compression="zstd")


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
