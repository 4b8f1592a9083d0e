"""``leonet policy``: check, decide, explain, diff policies; spill-over; list region names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import shapely
import typer
from rich.console import Console
from rich.table import Table

from leonet.commands.common import flag
from leonet.control.boundaries import EDITION
from leonet.control.labels import region_labels
from leonet.control.policy import Policy
from leonet.control.policy.diff import diff_policies
from leonet.control.population import (
    countries_of_regions,
    read_points,
    synthesize_population,
    write_points,
)
from leonet.control.regions import catalogue, resolve_region
from leonet.control.spillover import spillover as measure_spillover
from leonet.errors import InputError

app = typer.Typer(help="Service policies: who may connect, where, when, how fast.",
                  no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="Policy document (.toml or .json).")],
    canonical: Annotated[bool, flag(help="Print the canonical JSON document.")] = False,
) -> None:
    """Load and check a policy: schema, regions, contradictions; print warnings."""
    policy = Policy.load(file)
    if canonical:
        print(json.dumps(policy.to_dict(), indent=2))
        return
    out.print(f"{file}: version {policy.version}, default {policy.default}, "
              f"{len(policy.rules)} rules, {len(policy.regions)} regions — OK")
    for name, reg in policy.regions.items():
        flag = (f" (approximate: {reg.accuracy})" if reg.accuracy else " (approximate)"
                if reg.approximate else "")
        out.print(f"  region {name}: {reg.name}, {reg.kind}{flag}{_whereabouts(reg)}")
    for w in policy.warnings:
        out.print(f"  [yellow]warning:[/] {w}")


def _whereabouts(reg) -> str:
    """Size and place of a region the user drew (GeoJSON, H3 cells, inline areas), so that a
    polygon in the wrong place (say [lat, lon] pairs that happen to be valid [lon, lat]
    ones, which no check on the numbers alone can catch) shows at a glance."""
    if reg.kind in ("country", "disputed"):
        return ""

    geom = reg.as_geometry()
    point = shapely.point_on_surface(geom)
    label = str(region_labels([point.y], [point.x])[0])
    place = "at sea" if label == "(sea)" else f"in {label}"
    return (f"; {reg.area_km2:,.0f} km² around {abs(point.y):.2f}°{'N' if point.y >= 0 else 'S'} "
            f"{abs(point.x):.2f}°{'E' if point.x >= 0 else 'W'} ({place})")


@app.command()
def decide(
    policy_file: Annotated[Path, typer.Option("--policy", help="Policy document.")],
    input_file: Annotated[Path, typer.Option("--input", help="Points (.csv or .parquet).")],
    output: Annotated[Path, typer.Option("--output", help="Output (.csv or .parquet).")],
) -> None:
    """Decide every terminal in POINTS; write it back with `allowed` and `rule` columns."""
    policy = Policy.load(policy_file)
    pop = read_points(input_file)
    d = _decide_rows(pop, policy, input_file)
    cols = pop.columns()
    cols["allowed"] = d.allowed
    cols["rule"] = d.rule
    write_points(output, cols)
    out.print(f"{len(pop):,} terminals: {int(d.allowed.sum()):,} allowed, "
              f"{int((~d.allowed).sum()):,} denied → {output}")
    for rule, n in d.counts().items():
        out.print(f"  {rule}: {n:,}")


def _decide_rows(pop, policy, path: Path):
    """Decide a points file, naming the file, row and column of a value the policy refuses."""
    try:
        return pop.decide(policy)
    except InputError as exc:
        m = re.fullmatch(r"(\w+)\[(\d+)\]", exc.where or "")
        if m is None:
            raise
        raise InputError(exc.what, f"{path}: row {int(m.group(2)) + 2}, column {m.group(1)}"
                         ) from None


@app.command()
def explain(
    policy_file: Annotated[Path, typer.Option("--policy", help="Policy document.")],
    lat: Annotated[float, typer.Option(help="Latitude, degrees north.", min=-90, max=90)],
    lon: Annotated[float, typer.Option(help="Longitude, degrees east.", min=-180, max=180)],
    time: Annotated[str, typer.Option(help="Instant with a zone, e.g. 2026-02-10T12:00Z.")],
    alt_m: Annotated[float, typer.Option(help="Height, m.")] = 0.0,
    speed_kmh: Annotated[float, typer.Option(help="Speed, km/h.")] = 0.0,
    whitelisted: Annotated[bool, flag(help="Terminal is whitelisted.")] = False,
    plan: Annotated[str | None, typer.Option(help="Service plan.")] = None,
    home_country: Annotated[str | None, typer.Option(help="Home country code.")] = None,
    roaming_days: Annotated[float, typer.Option(help="Days roaming.")] = 0.0,
    unfunded: Annotated[bool, flag(help="Terminal is no longer funded.")] = False,
) -> None:
    """Explain, in plain words, the decision for one terminal."""
    policy = Policy.load(policy_file)
    d = policy.decide(lat_deg=lat, lon_deg=lon, alt_m=alt_m, speed_kmh=speed_kmh, time=time,
                      whitelisted=whitelisted, plan=plan, home_country=home_country,
                      roaming_days=roaming_days, funded=not unfunded)
    print(d.explain(0))


@app.command()
def diff(
    a: Annotated[Path, typer.Argument(help="Policy before.")],
    b: Annotated[Path, typer.Argument(help="Policy after.")],
    population: Annotated[Path | None, typer.Option(
        help="Terminals (.csv or .parquet); default: a synthetic population.")] = None,
    synthetic: Annotated[int, typer.Option(help="Size of the synthetic population.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 0,
    time: Annotated[str, typer.Option(help="Instant for a synthetic population.")] =
        "2026-02-10T12:00:00Z",
    output: Annotated[Path | None, typer.Option(
        help="Write the terminals whose decision changed (.csv or .parquet).")] = None,
) -> None:
    """Which terminals gain or lose service from A to B, by region and reason."""
    pa, pb = Policy.load(a), Policy.load(b)
    if population is None:
        # Where the policies' regions are: terminals elsewhere only ever meet the default.
        where = countries_of_regions([*pa.regions.values(), *pb.regions.values()])
        pop = synthesize_population(synthetic, seed=seed, time=time, countries=where or None)
        out.print(f"Synthetic population (seed {seed}): {len(pop):,} terminals at towns of "
                  + (", ".join(where) if where else "the world")
                  + f", {pop.whitelisted.mean():.0%} whitelisted at random; --population "
                  "for your own terminals.", highlight=False)
    else:
        pop = read_points(population)
    if population is not None:  # name file and row for values the policies refuse
        _decide_rows(pop, pa, population)
        _decide_rows(pop, pb, population)
    d = diff_policies(pa, pb, pop)
    out.print(d.summary())
    t = Table("region", "terminals", f"allowed ({pa.version})", f"allowed ({pb.version})", "net",
              title="By region")
    for row in d.by_region()[:30]:
        t.add_row(*(f"{v:,}" if isinstance(v, int) else v for v in row))
    out.print(t)
    for title, rows in (("Gaining service", d.gains), ("Losing service", d.losses)):
        t = Table("region", "rule before", "rule after", "terminals", title=title)
        for row in rows[:30]:
            t.add_row(row[0], row[1], row[2], f"{row[3]:,}")
        out.print(t)
    if output is not None:
        changed = d.gained | d.lost | d.reason_changed
        write_points(output, {
            "terminal_id": d.terminal_id[changed], "region": d.region[changed],
            "allowed_a": d.allowed_a[changed], "rule_a": d.rule_a[changed],
            "allowed_b": d.allowed_b[changed], "rule_b": d.rule_b[changed]})
        out.print(f"{int(changed.sum()):,} changed terminals → {output}")


@app.command()
def spillover(
    region: Annotated[str, typer.Argument(help="Region name (UA, crimea, area:<id>, ...).")],
    resolution: Annotated[int, typer.Option(help="H3 resolution of service control.")] = 5,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", help="Policy whose areas/files the region name refers to.")] = None,
) -> None:
    """How far cell-granularity control (H3 resolution N) spills over REGION's border."""
    if policy_file is not None:
        pol = Policy.load(policy_file)
        reg = resolve_region(region, base_dir=pol.base_dir, areas=pol.areas, where="REGION")
    else:
        reg = resolve_region(region, base_dir=Path.cwd(), where="REGION")
    out.print(measure_spillover(reg, resolution).summary())


@app.command()
def regions(
    search: Annotated[str | None, typer.Argument(help="Filter by text.")] = None,
) -> None:
    """List the built-in region names (countries, disputed areas, aliases)."""
    out.print(f"Boundaries: {EDITION}")
    rows = catalogue()
    if search:
        key = search.lower()
        rows = [r for r in rows if key in r[0].lower() or key in r[2].lower()]
    t = Table("name", "kind", "description")
    for row in rows:
        t.add_row(*row)
    out.print(t)
    if not rows:
        raise typer.Exit(code=1)
