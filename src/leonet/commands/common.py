"""Helpers shared by CLI commands: loading sources with filters, progress bars, output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from leonet.errors import InputError
from leonet.physics.orbits.constellation import Constellation

console = Console(stderr=True)
# The scale-out options of every command whose work grows with time, space or rows
# (checked by `leonet.distributed.client.check_choice` before any work).
Workers = Annotated[int | None, typer.Option(help="Run on a local Dask cluster of this many "
                                                  "worker processes (leonet[dask]).")]
Scheduler = Annotated[str | None, typer.Option(help="Run on an existing Dask cluster: "
                                                    "tcp://HOST:PORT (leonet[dask]).")]
# Tables on standard output: wide when piped, so that names are not cut.
out_console = Console(width=None if sys.stdout.isatty() else 200)


def flag(*names: str, **kwargs) -> typer.models.OptionInfo:
    """`typer.Option` for an on/off switch: an empty metavar, as Typer 0.29's rich help
    otherwise shows ``<bool>`` beside a flag that takes no value."""
    return typer.Option(*names, metavar="", **kwargs)


def parse_norad_ids(text: str | None) -> list[int] | None:
    """``"44714,44718"`` -> ``[44714, 44718]`` (None stays None), or a clear error."""
    if text is None:
        return None
    ids = []
    for part in text.split(","):
        try:
            ids.append(int(part.strip()))
        except ValueError:
            raise InputError(f"--norad: expected comma-separated catalogue numbers, found "
                             f"{part.strip()!r}") from None
    return ids


def load_source(source: str, *, skip_invalid: bool = False, epoch: str | None = None,
                name: str | None = None, alt_min_km: float | None = None,
                alt_max_km: float | None = None, dedupe: bool = False,
                norad: str | None = None) -> Constellation:
    """Load a constellation and apply the usual filters, reporting skipped records."""
    sats = Constellation.load(source, skip_invalid=skip_invalid, epoch=epoch)
    for skip in getattr(sats, "skipped", ()):
        console.print(f"[yellow]skipped[/] {skip.where}: {skip.reason}", highlight=False)
    norad_ids = parse_norad_ids(norad)
    if (name is not None or alt_min_km is not None or alt_max_km is not None or dedupe
            or norad_ids is not None):
        band = None if alt_min_km is None and alt_max_km is None else (alt_min_km, alt_max_km)
        sats = sats.filter(name=name, norad_ids=norad_ids, alt_km=band, dedupe=dedupe)
        if len(sats) == 0:
            raise InputError("no satellites left after filtering")
    return sats


@contextmanager
def progress_bar(description: str, total: float) -> Iterator[callable]:
    """A rich progress bar on standard error; yields ``advance(n)``."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)

