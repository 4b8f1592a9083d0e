"""`leonet coverage` and `leonet capacity`: figures per H3 cell of a region, with maps."""

from __future__ import annotations

import json
from dataclasses import replace
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
from leonet.physics.capacity import DEFAULT_ASSUMPTIONS
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, check_min_elevation_deg
from leonet.physics.timegrid import TimeGrid
from leonet.regional.capacity import region_capacity
from leonet.regional.cells import CellSet, check_resolution, region_cells
from leonet.regional.coverage import region_coverage
from leonet.reporting import maps
from leonet.reporting.exports import table_format, write_cells_geojson, write_table

app = typer.Typer()

Region = Annotated[str, typer.Option(
    help="ISO 3166 code or country name (TW, UKR, Fiji), disputed area (crimea), file:AREA."
         "geojson, h3:CELL[,CELL...], cells:FILE, band:LAT_MIN:LAT_MAX, globe or land.")]
Source = Annotated[str, typer.Option(help="TLE/OMM file or preset.")]
Start = Annotated[str, typer.Option(help="First instant, ISO 8601 with zone.")]
Res = Annotated[int, typer.Option(help="H3 resolution 0-15 (5: cells of ~253 km², the size "
                                       "of an operator's service cell).")]
Out = Annotated[Path, typer.Option(help="Table, one row per cell: .csv or .parquet.")]
MinElevation = Annotated[float, typer.Option(help="Elevation mask (deg).")]
MinSats = Annotated[int, typer.Option(help="Satellites in view that count as covered.")]
GeoJson = Annotated[Path | None, typer.Option("--geojson",
                                              help="Also write the cells as GeoJSON polygons "
                                                   "with their figures.")]
SkipInvalid = Annotated[bool, flag("--skip-invalid",
                                           help="Skip bad TLE/OMM records, reporting each.")]
Epoch = Annotated[str | None, typer.Option(help="Epoch of preset elements (ISO 8601 UTC).")]
AltMin = Annotated[float | None, typer.Option(help="Drop satellites below this mean altitude "
                                                   "(km), e.g. 400 to drop those still raising.")]
AltMax = Annotated[float | None, typer.Option(help="Drop satellites above this altitude (km).")]
MaxMemory = Annotated[float, typer.Option(help="Memory budget for ephemeris chunks (GiB).")]
AsJson = Annotated[bool, flag("--json", help="Print the summary as JSON.")]

MAP_VALUES = ("mean_in_view", "min_in_view", "max_in_view", "percent_covered",
              "longest_gap_s", "mean_gap_s", "time_to_first_s", "mean_response_s")


def _setup(region: str, source: str, start: str, duration: str, step: str, res: int,
           out: Path, min_elevation: float, skip_invalid: bool, epoch: str | None,
           alt_min: float | None, alt_max: float | None, max_memory_gib: float):
    """Check every input before any long computation; return cells, satellites, grid."""
    table_format(out)
    check_resolution(res, "--res")
    check_min_elevation_deg(min_elevation, where="--min-elevation")
    if not max_memory_gib > 0:
        raise InputError(f"--max-memory-gib must be > 0, got {max_memory_gib}")
    grid = TimeGrid.range(start, duration, step)
    sats = load_source(source, skip_invalid=skip_invalid, epoch=epoch, alt_min_km=alt_min,
                       alt_max_km=alt_max)
    cells = region_cells(region, res)
    for note in cells.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"{cells.name}: {len(cells):,} cells at resolution {res} "
                  f"({cells.total_area_km2:,.0f} km²); {len(sats):,} satellites; "
                  f"{len(grid):,} instants", highlight=False)
    return cells, sats, grid


def _check_map_path(path: Path | None, option: str) -> None:
    if path is not None and path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{option} must end in .png, .svg or .pdf, got {path.name!r}")


def _check_outputs(geojson: Path | None, min_sats: int, **maps_: Path | None) -> None:
    """Refuse bad output names and options before any long computation."""
    for option, path in maps_.items():
        _check_map_path(path, "--" + option.replace("_", "-"))
    if geojson is not None and geojson.suffix.lower() not in (".geojson", ".json"):
        raise InputError(f"--geojson must end in .geojson or .json, got {geojson.name!r}")
    if min_sats < 1:
        raise InputError(f"--min-sats must be >= 1, got {min_sats}")


def _write_cells(out: Path, geojson: Path | None, cells: CellSet,
                 columns: dict[str, np.ndarray]) -> list[Path]:
    """The per-cell table (and, if asked, the cells as GeoJSON); returns the paths written."""
    write_table(out, columns)
    written = [out]
    if geojson is not None:
        written.append(write_cells_geojson(geojson, cells, {k: v for k, v in columns.items()
                                                            if k != "h3_cell"}))
    return written


def _say_written(written: list[Path]) -> None:
    for path in written:
        console.print(f"wrote {path}", highlight=False)


def coverage(
    region: Region, start: Start, out: Out,
    source: Source = "starlink-gen1",
    duration: Annotated[str, typer.Option(help="e.g. 6h, 24h, PT6H.")] = "6h",
    step: Annotated[str, typer.Option(help="e.g. 60s.")] = "60s",
    res: Res = 5,
    min_elevation: MinElevation = DEFAULT_MIN_ELEVATION_DEG,
    min_sats: MinSats = 1,
    map_file: Annotated[Path | None, typer.Option("--map", help="Heatmap of the region "
                                                  "(.png, .svg, .pdf).")] = None,
    map_value: Annotated[str, typer.Option(help=f"Figure on the map: {', '.join(MAP_VALUES)}."
                                           )] = "mean_in_view",
    profile: Annotated[Path | None, typer.Option(help="Coverage versus latitude plot "
                                                 "(.png).")] = None,
    geojson: GeoJson = None,
    skip_invalid: SkipInvalid = False, epoch: Epoch = None, alt_min: AltMin = None,
    alt_max: AltMax = None, max_memory_gib: MaxMemory = 0.5, as_json: AsJson = False,
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Coverage figures of merit per H3 cell of a region: satellites in view (min/mean/max),
    percent of time covered, gaps, revisit and response times."""

    check_choice(workers, scheduler)
    _check_outputs(geojson, min_sats, map=map_file, profile=profile)
    if map_value not in MAP_VALUES:
        raise InputError(f"--map-value must be one of {', '.join(MAP_VALUES)}, got {map_value!r}")
    # The cluster first: an unreachable scheduler fails before any data is loaded.
    with open_client(workers, scheduler, say=console.print) as client:
        cells, sats, grid = _setup(region, source, start, duration, step, res, out,
                                   min_elevation, skip_invalid, epoch, alt_min, alt_max,
                                   max_memory_gib)
        with progress_bar(f"coverage of {len(cells):,} cells", len(grid)) as advance:
            run = region_coverage(cells, sats, grid, min_sats=min_sats,
                                  min_elevation_deg=min_elevation,
                                  max_bytes=int(max_memory_gib * 1024**3), progress=advance,
                                  client=client)
    columns = run.columns()
    written = _write_cells(out, geojson, cells, columns)
    label = f"{cells.name}: {_MAP_LABELS[map_value]}, {min_elevation:g}° mask"
    if map_file is not None:
        written.append(maps.cell_map(cells, columns[map_value], map_file, title=label,
                                     label=_MAP_LABELS[map_value],
                                     percent=map_value == "percent_covered"))
    if profile is not None:
        written.append(maps.latitude_profile(
            cells.lat_deg, {"mean satellites in view": run.coverage.mean_in_view,
                            "min satellites in view": run.coverage.min_in_view},
            profile, title=f"{cells.name}: coverage versus latitude ({min_elevation:g}° mask)",
            weights=cells.area_km2,
            percent={f"percent of time with ≥{min_sats} in view": run.coverage.percent_covered}))
    summary = run.summary().to_dict()
    if as_json:
        print(json.dumps({"region": cells.name, "res": res, "source": sats.source,
                          "start": str(grid.iso[0]), "end": str(grid.iso[-1]),
                          "n_times": len(grid), "min_elevation_deg": min_elevation,
                          "min_sats": min_sats, **summary,
                          "files": [str(p) for p in written]}, indent=2))
        return
    out_console.print(f"{cells.name} at H3 resolution {res}, {grid.iso[0]} … {grid.iso[-1]}, "
                      f"{min_elevation:g}° mask, covered = at least {min_sats} in view",
                      highlight=False)
    out_console.print(_summary_table(summary))
    _say_written(written)


def _summary_table(summary: dict) -> Table:
    table = Table("figure", "value")
    for key, value in summary.items():
        text = ("—" if value is None else f"{value:,.2f}" if isinstance(value, float)
                else f"{value:,}")
        table.add_row(key, text)
    return table


_MAP_LABELS = {
    "mean_in_view": "mean satellites in view", "min_in_view": "fewest satellites in view",
    "max_in_view": "most satellites in view", "percent_covered": "percent of time covered",
    "longest_gap_s": "longest gap (s)", "mean_gap_s": "mean revisit time (s)",
    "time_to_first_s": "time to first coverage (s)", "mean_response_s": "mean response time (s)",
}


def capacity(
    region: Region, start: Start, out: Out,
    source: Source = "starlink-gen1",
    duration: Annotated[str, typer.Option(help="e.g. 1h (the busy hour).")] = "1h",
    step: Annotated[str, typer.Option(help="e.g. 60s.")] = "60s",
    res: Res = 5,
    min_elevation: MinElevation = DEFAULT_MIN_ELEVATION_DEG,
    min_sats: MinSats = 1,
    sat_capacity_gbps: Annotated[float | None, typer.Option(
        help="User downlink per satellite (default 20: Starlink v1.5; ~96 for V2 Mini).")] = None,
    beams: Annotated[int | None, typer.Option(help="User beams per satellite (default 16).")
                     ] = None,
    busy_hour_mbps: Annotated[float | None, typer.Option(
        help="Busy-hour downstream rate per terminal (default 3.1 Mbps).")] = None,
    terminals_per_km2: Annotated[float | None, typer.Option(
        help="Terminals per km² (default 0.1; 0 outside --terminals when a file is given).")
    ] = None,
    terminals: Annotated[Path | None, typer.Option(
        help="Terminals per cell: CSV/Parquet with h3_cell and terminals columns.")] = None,
    city_take_up: Annotated[float, typer.Option(
        help="Add this share of the population of every town of 15,000+ (GeoNames) to its "
             "cell's terminals, e.g. 0.01.")] = 0.0,
    context_km: Annotated[float, typer.Option(
        help="Land within this distance of the region adds competing demand (0: none).")
    ] = 1000.0,
    policy: Annotated[Path | None, typer.Option(
        help="Policy document: cells it denies at --start are not activated.")] = None,
    whitelisted: Annotated[bool, flag(
        "--whitelisted", help="Decide the policy for a whitelisted terminal.")] = False,
    not_activated: Annotated[list[str] | None, typer.Option(
        help="Region not activated (repeatable), e.g. --not-activated TW.")] = None,
    sold_out_above: Annotated[float | None, typer.Option(
        help="Oversubscription above which a cell is limited (sold out) (default 1).")] = None,
    covered_percent_min: Annotated[float | None, typer.Option(
        help="Percent of time in view below which a cell is not covered (default 95).")
    ] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Availability map "
                                                  "(.png, .svg, .pdf).")] = None,
    geojson: GeoJson = None,
    skip_invalid: SkipInvalid = False, epoch: Epoch = None, alt_min: AltMin = None,
    alt_max: AltMax = None, max_memory_gib: MaxMemory = 0.5, as_json: AsJson = False,
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Busy-hour capacity per H3 cell: offered capacity, demand, oversubscription and an
    availability class (available / limited (sold out) / not activated / not covered)."""

    check_choice(workers, scheduler)
    _check_outputs(geojson, min_sats, map=map_file)
    given = {"sat_capacity_gbps": sat_capacity_gbps, "beams_per_sat": beams,
             "busy_hour_mbps": busy_hour_mbps, "sold_out_above": sold_out_above,
             "terminals_per_km2": terminals_per_km2,
             "covered_percent_min": covered_percent_min}
    assumptions = replace(DEFAULT_ASSUMPTIONS, **{k: v for k, v in given.items()
                                                  if v is not None})
    if policy is not None and not policy.exists():
        raise InputError(f"policy file {policy} does not exist", "--policy")
    if not np.isfinite(context_km) or context_km < 0:
        raise InputError(f"--context-km must be >= 0, got {context_km}")
    # The cluster first: an unreachable scheduler fails before any data is loaded.
    with open_client(workers, scheduler, say=console.print) as client:
        cells, sats, grid = _setup(region, source, start, duration, step, res, out,
                                   min_elevation, skip_invalid, epoch, alt_min, alt_max,
                                   max_memory_gib)
        with progress_bar(f"capacity of {len(cells):,} cells", len(grid)) as advance:
            run = region_capacity(cells, sats, grid, assumptions=assumptions,
                                  terminals_file=terminals,
                                  terminals_per_km2=terminals_per_km2,
                                  city_take_up=city_take_up, context_km=context_km,
                                  policy_file=policy, not_activated=not_activated or (),
                                  whitelisted=whitelisted, min_sats=min_sats,
                                  min_elevation_deg=min_elevation,
                                  max_bytes=int(max_memory_gib * 1024**3), progress=advance,
                                  client=client)
    for note in run.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    written = _write_cells(out, geojson, cells, run.columns())
    if map_file is not None:
        written.append(maps.availability_map(
            cells, run.capacity.availability, map_file,
            title=f"{cells.name}: availability at the busy hour ({grid.iso[0]}, "
                  f"{len(grid)} instants)"))
    cap = run.capacity
    summary = {
        "cells": len(cells), "context_cells": run.n_context,
        # Expected terminals (density × area) are fractional per cell; the total is a count.
        "terminals": round(float(run.terminals.sum())),
        "demand_gbps": float(cap.demand_gbps.sum()),
        "offered_mean_gbps": float(cap.offered_mean_gbps.sum()),
        "served_mean_gbps": float(cap.served_mean_gbps.sum()),
        "max_oversubscription": (float(np.nanmax(cap.oversubscription))
                                 if np.isfinite(cap.oversubscription).any() else None),
        **{f"cells_{k.replace(' ', '_')}": v for k, v in run.class_counts().items()},
    }
    if as_json:
        print(json.dumps({"region": cells.name, "res": res, "source": sats.source,
                          "start": str(grid.iso[0]), "n_times": len(grid),
                          "assumptions": assumptions.__dict__, **summary,
                          "files": [str(p) for p in written]}, indent=2))
        return
    out_console.print(f"{cells.name} at H3 resolution {res}: busy-hour capacity from "
                      f"{grid.iso[0]} ({len(grid)} instants)", highlight=False)
    out_console.print(_summary_table(summary))
    out_console.print("assumptions: " + ", ".join(f"{k}={v:g}" for k, v in
                                                  assumptions.__dict__.items()), highlight=False)
    _say_written(written)


app.command()(coverage)
app.command()(capacity)
