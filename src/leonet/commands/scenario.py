"""``leonet scenario run|check|list``: replay timelines of events and write their reports."""

from __future__ import annotations

import json
import time
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from leonet.commands.common import Scheduler, Workers, flag
from leonet.data import scenario_dir
from leonet.distributed.client import check_choice, open_client
from leonet.errors import InputError, did_you_mean
from leonet.reporting.scenario import write_results
from leonet.scenario import load_scenario, run

app = typer.Typer(help="Scenarios: timelines of policies, sponsors, terminals and detection, "
                       "replayed into a report.", no_args_is_help=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def resolve_scenario(source: str) -> Path:
    """A scenario file path, or the name of a shipped scenario (``ukraine-2022-2026``)."""
    path = Path(source)
    if path.exists():
        return path
    shipped = scenario_dir() / f"{source}.scenario.toml"
    if shipped.exists():
        return shipped
    names = sorted(p.name.removesuffix(".scenario.toml")
                   for p in scenario_dir().glob("*.scenario.toml"))
    hint = did_you_mean(source, names, n=2, show=str,
                        otherwise=f"; shipped scenarios: {', '.join(names)}")
    raise InputError(f"no scenario file or shipped scenario named {source!r}{hint}", source)


@app.command("run")
def run_command(
    source: Annotated[str, typer.Argument(help="Scenario file (TOML) or a shipped scenario's "
                                               "name (leonet scenario list).")],
    out: Annotated[Path, typer.Option("--out", help="Report folder to write.")],
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    as_json: Annotated[bool, flag("--json", help="Print results.json on stdout.")
                       ] = False,
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Replay a scenario and write its report (index.html, report.md) and results
    (results.json, served.csv, rules.csv, events.csv, terminals.csv, incidents.csv,
    telemetry-*.parquet, coverage-*.csv, latency.csv) into a folder."""
    started = time.perf_counter()
    check_choice(workers, scheduler)
    scn = load_scenario(resolve_scenario(source))
    if seed is not None:
        if seed < 0:
            raise InputError("must be >= 0", "--seed")
        scn = replace(scn, seed=seed)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", f"--out {out}")

    # One step per stage: the fleet, each detection window, the timeline, coverage, latency,
    # and the report.
    stages = 3 + (len(scn.detection.windows) if scn.detection else 0) + \
        (scn.coverage is not None) + (scn.latency is not None)
    with open_client(workers, scheduler, say=err.print) as client, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                     TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(f"scenario {scn.name}", total=stages)

        def step(msg: str) -> None:
            done = bar.tasks[0].description != f"scenario {scn.name}"
            bar.update(task, description=msg, advance=1 if done else 0)

        result = run(scn, progress=step, client=client)
        step(f"scenario {scn.name}: writing the report")
        html = write_results(result, out)
        bar.update(task, completed=stages)
    err.print(f"scenario {scn.name}: {len(result.fleet):,} terminals, "
              f"{len(result.timeline_ns)} instants, {len(result.incidents):,} incidents in "
              f"{time.perf_counter() - started:.1f} s")
    if as_json:
        print((out / "results.json").read_text(encoding="utf-8"), end="")
    else:
        print(f"report written to {out}/ (open {html})")


@app.command("check")
def check_command(
    source: Annotated[str, typer.Argument(help="Scenario file (TOML) or a shipped name.")],
) -> None:
    """Check a scenario file (and its policies) without running it."""
    scn = load_scenario(resolve_scenario(source))
    print(f"{scn.path}: ok — {scn.name}: {len(scn.policies)} policies, {len(scn.groups)} "
          f"groups ({sum(g.n for g in scn.groups):,} terminals), {len(scn.sponsorships)} "
          f"sponsorships, {len(scn.timeline_ns)} timeline instants, "
          f"{len(scn.detection.windows) if scn.detection else 0} detection windows")


@app.command("list")
def list_command(
    as_json: Annotated[bool, flag("--json", help="JSON on stdout.")] = False,
) -> None:
    """The scenarios shipped with leonet."""
    rows = []
    for path in sorted(scenario_dir().glob("*.scenario.toml")):
        head = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {})
        rows.append({"name": path.name.removesuffix(".scenario.toml"),
                     "title": head.get("title", ""), "from": head.get("start", ""),
                     "to": head.get("end", ""), "file": str(path)})
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    table = Table("name", "title", "from", "to")
    for r in rows:
        table.add_row(r["name"], r["title"], r["from"][:10], r["to"][:10])
    Console().print(table)
