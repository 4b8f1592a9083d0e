"""``leonet data fetch``: current element sets from CelesTrak, cached with their fetch time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from leonet.commands.common import console, flag
from leonet.physics.orbits.celestrak import (
    CACHE_LIFETIME_S,
    DATA_DIR_ENV,
    KNOWN_GROUPS,
    check_format,
    fetch_group,
)

app = typer.Typer(help="Real data: current satellite elements from CelesTrak.",
                  no_args_is_help=True)


@app.command()
def fetch(
    groups: Annotated[list[str], typer.Argument(
        help=f"CelesTrak groups, e.g. {', '.join(KNOWN_GROUPS[:4])}.", metavar="GROUP...")],
    fmt: Annotated[str, typer.Option(
        "--format", help="tle (two/three-line elements) or omm (CCSDS OMM as JSON).",
        metavar="tle|omm")] = "tle",
    cache_dir: Annotated[Path | None, typer.Option(
        help=f"Where to keep them (default: ${DATA_DIR_ENV}, else ~/.cache/leonet/celestrak).")
    ] = None,
    force: Annotated[bool, flag(
        "--force", help=f"Fetch even if the copy is younger than {CACHE_LIFETIME_S // 3600} h "
        "(CelesTrak's update interval).")] = False,
) -> None:
    """Fetch current elements of GROUPs from CelesTrak's GP service (base URL from
    $LEONET_CELESTRAK_URL) for Constellation.load("starlink") and --source starlink."""
    check_format(fmt)
    now = dt.datetime.now(dt.UTC)
    for group in groups:
        got = fetch_group(group, fmt, cache_dir=cache_dir, force=force, now=now)
        when = got.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        skipped = f" ({got.n_skipped:,} invalid records skipped)" if got.n_skipped else ""
        if got.downloaded:
            print(f"{group}: {got.n_satellites:,} satellites{skipped} from {got.url} "
                  f"-> {got.path} (fetched {when})")
        else:
            age_min = (now - got.fetched_at).total_seconds() / 60
            nxt = got.next_fetch_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            console.print(
                f"{group}: kept {got.path} ({got.n_satellites:,} satellites fetched {when}, "
                f"{age_min:.0f} min ago); CelesTrak updates every {CACHE_LIFETIME_S // 3600} h, "
                f"so the next fetch is allowed after {nxt} (or use --force)", highlight=False,
                soft_wrap=True)
