"""`leonet export …`: leonet's results in other tools' formats (CZML for Cesium)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leonet.commands.common import console, flag, load_source
from leonet.commands.orbits import Source
from leonet.errors import InputError
from leonet.physics.ground_segment import read_sites, starlink_gateways, starlink_pops
from leonet.physics.links import PlaneAssignment, plus_grid
from leonet.physics.planes import detect_planes
from leonet.physics.timegrid import TimeGrid

app = typer.Typer(help="Export to other tools' formats.", no_args_is_help=True)
# A CZML sample is ~80 bytes: 5 million samples make a 400 MB file Cesium will not load.
MAX_SAMPLES = 5_000_000


@app.command("czml")
def czml(
    source: Source,
    start: Annotated[str, typer.Option(help="First instant, ISO 8601 with zone.")],
    out: Annotated[Path, typer.Option(help="CZML file to write (.czml).")],
    duration: Annotated[str, typer.Option(help="e.g. 90m, 2h.")] = "90m",
    step: Annotated[str, typer.Option(help="Sample step, e.g. 60s.")] = "60s",
    isl: Annotated[bool, flag("--isl", help="Add the +Grid laser links.")] = False,
    ground_sites: Annotated[bool, flag(
        "--ground-sites", help="Add the shipped gateways and PoPs.")] = False,
    terminals: Annotated[Path | None, typer.Option(
        help="Add terminals from a CSV or GeoJSON file (name, lat_deg, lon_deg).")] = None,
) -> None:
    """Satellites (sampled positions), laser links and ground sites as CZML for Cesium."""
    try:
        import czml3  # noqa: F401  (only whether the optional extra is installed)

        from leonet.reporting.czml import czml_text
    except ImportError:
        raise InputError("CZML export needs the czml3 package: pip install 'leonet[czml]'"
                         ) from None
    if out.suffix.lower() != ".czml":
        raise InputError(f"the output must be a .czml file, got {out.name!r}", "--out")
    grid = TimeGrid.range(start, duration, step)
    sats = load_source(source)
    if len(grid) * len(sats) > MAX_SAMPLES:
        raise InputError(f"{len(grid):,} instants x {len(sats):,} satellites is more than "
                         f"{MAX_SAMPLES:,} samples; use a longer --step or a shorter "
                         "--duration", "--step")
    links = None
    if isl:
        planes = (PlaneAssignment.from_walker(sats) if (sats.shell_index >= 0).any()
                  else detect_planes(sats))
        links = plus_grid(planes)
    sites = [*((starlink_gateways(), starlink_pops()) if ground_sites else ()),
             *((read_sites(terminals, "terminal"),) if terminals is not None else ())]
    text = czml_text(sats, grid, isls=links, sites=sites, name=f"leonet {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {len(sats):,} satellites x {len(grid):,} instants"
                  f"{f', {links.n_links:,} laser links' if links else ''} to {out}",
                  highlight=False)
