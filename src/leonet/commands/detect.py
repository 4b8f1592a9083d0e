"""``leonet detect``: find unauthorized use in telemetry; ``leonet telemetry check``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leonet.commands.common import Scheduler, Workers, flag
from leonet.control.detect import DetectConfig, read_terminal_facts
from leonet.control.detect import detect as find_incidents
from leonet.control.policy import Policy
from leonet.control.registry import Database
from leonet.control.registry.telemetry import verify_store
from leonet.control.telemetry import read_telemetry, write_telemetry
from leonet.control.telemetry.store import TelemetryStore, default_store_dir
from leonet.distributed.client import check_choice, open_client
from leonet.errors import InputError

err = Console(stderr=True, highlight=False, soft_wrap=True)
AltDatum = Annotated[str, typer.Option(
    "--alt-datum", help="What the file's alt_m is measured from: msl (mean sea level, what "
    "GNSS receivers report) or wgs84 (the ellipsoid; converted with the EGM2008 geoid).")]
telemetry_app = typer.Typer(help="Terminal telemetry: check files row by row, verify the store.",
                            no_args_is_help=True)


def detect(
    telemetry: Annotated[Path, typer.Option(
        "--telemetry", help="Reports (.csv or .parquet) with columns terminal_id, time, lat_deg, "
        "lon_deg, alt_m, speed_kmh and optionally heading_deg, serving_sat, height_agl_m; "
        "alt_m is the GNSS altitude above sea level.")],
    out: Annotated[Path, typer.Option(
        "--out", help="Incidents (.csv with terminal_id, kind, start, end, evidence; or "
        ".parquet).")],
    policy: Annotated[Path | None, typer.Option(
        "--policy", help="Policy document; needed for denied_region and not_whitelisted.")
    ] = None,
    terminals: Annotated[Path | None, typer.Option(
        "--terminals", help="Terminal facts (.csv or .parquet) with columns terminal_id and "
        "optionally plan, home_country, funded, whitelisted, roaming_days_allowed. Rows of "
        "other terminals are reported and left out.")] = None,
    kinds: Annotated[str | None, typer.Option(
        "--kinds", help="Comma-separated detectors (default: all the inputs allow).")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="TOML file overriding detector thresholds.")] = None,
    issues: Annotated[Path | None, typer.Option(
        "--issues", help="Write the rows refused or noted (CSV) here.")] = None,
    now: Annotated[str | None, typer.Option(
        help="Reports after this instant (+5 min) are refused as future (default: now).")
    ] = None,
    all_columns: Annotated[bool, flag(
        "--all-columns", help="CSV: add rule, n_reports, lat_deg, lon_deg.")] = False,
    as_json: Annotated[bool, flag(
        "--json", help="Print a JSON summary (counts, notes, row issues) on stdout.")] = False,
    alt_datum: AltDatum = "msl",
    workers: Workers = None, scheduler: Scheduler = None,
) -> None:
    """Find unauthorized use: denied regions, speed and altitude limits, drone-like flights,
    impossible travel, roaming, missing whitelist verification, cloned identities, clusters
    of terminals appearing together. Exit 1 when rows were dropped or none was usable."""
    if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InputError("incidents are written as .csv or .parquet", f"--out {out}")
    check_choice(workers, scheduler)
    started = time.perf_counter()
    cfg = DetectConfig.load(config) if config is not None else DetectConfig()
    pol = Policy.load(policy) if policy is not None else None
    facts = read_terminal_facts(terminals) if terminals is not None else None
    known = facts.terminal_id if facts is not None else None
    err.print(f"reading {telemetry} ...")
    tel, row_issues = read_telemetry(telemetry, now=now, known_terminals=known,
                                     alt_datum=alt_datum)
    if len(row_issues):
        err.print(row_issues.summary(limit=5))
    if issues is not None:
        row_issues.write_csv(issues)
    err.print(f"{len(tel):,} reports of {tel.n_terminals:,} terminals; detecting ...")
    with open_client(workers, scheduler, say=err.print) as client:
        found = find_incidents(tel, pol, terminals=facts, config=cfg, kinds=kinds,
                               client=client)
    if out.suffix.lower() == ".csv":
        found.write_csv(out, all_columns=all_columns)
    else:
        found.write(out)
    for note in found.notes:
        err.print(f"[yellow]note:[/] {note}")
    counts = found.counts_by_kind()
    err.print(f"{len(found):,} incidents → {out} ({time.perf_counter() - started:.1f} s): "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))
    if as_json:
        print(json.dumps({
            "out": str(out), "incidents": len(found), "by_kind": counts,
            "reports": len(tel), "terminals": tel.n_terminals,
            "rows_read": row_issues.n_input, "rows_dropped": row_issues.n_dropped,
            "row_issues": len(row_issues), "issues_by_field": row_issues.counts_by_reason(),
            "notes": list(found.notes),
            "policy": None if pol is None else {"version": pol.version, "source": pol.source},
            "config": cfg.to_dict(),
        }, indent=2))
    # Exit codes as `telemetry check` (README "Exit codes"): 1 when rows were dropped or
    # nothing was left to check, so a script never takes "0 incidents" of nothing as clean.
    if len(tel) == 0:
        err.print(f"[yellow]nothing to check:[/] {telemetry} holds no usable reports")
        raise typer.Exit(code=1)
    if row_issues.n_dropped:
        err.print(f"[yellow]{row_issues.n_dropped:,} rows dropped[/] (exit code 1)")
        raise typer.Exit(code=1)


@telemetry_app.command("verify")
def verify(
    db: Annotated[str | None, typer.Option(
        "--db", help="Registry database URL (default: $LEONET_DATABASE_URL, else leonet.db).")
    ] = None,
    store: Annotated[Path | None, typer.Option(
        "--store", help="Telemetry store folder (default: $LEONET_TELEMETRY_DIR, else beside "
        "a SQLite database).")] = None,
) -> None:
    """Check the telemetry store against the registry: every recorded batch file present and
    unchanged (SHA-256), no unknown files; exit 1 naming each problem."""
    database = Database(db)
    folder = store or os.environ.get("LEONET_TELEMETRY_DIR") or default_store_dir(database.url)
    problems = verify_store(database, TelemetryStore(folder))
    database.dispose()
    for p in problems:
        print(p)
    if problems:
        raise typer.Exit(code=1)
    print(f"telemetry store {folder}: every batch present and unchanged")


@telemetry_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Telemetry (.csv or .parquet).")],
    issues: Annotated[Path | None, typer.Option(
        "--issues", help="Write every refused or noted row (CSV) here.")] = None,
    clean: Annotated[Path | None, typer.Option(
        "--clean", help="Write the accepted rows, sorted, here (.csv or .parquet).")] = None,
    now: Annotated[str | None, typer.Option(help="The present, for future timestamps.")
    ] = None,
    alt_datum: AltDatum = "msl",
) -> None:
    """Check a telemetry file row by row; exit 1 when any row was dropped."""
    tel, row_issues = read_telemetry(file, now=now, alt_datum=alt_datum)
    print(row_issues.summary(limit=20))
    print(repr(tel))
    if issues is not None:
        row_issues.write_csv(issues)
    if clean is not None:
        write_telemetry(tel, clean)
    if row_issues.n_dropped:
        raise typer.Exit(code=1)
