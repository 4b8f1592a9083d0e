"""The `leonet` command line: a thin layer over `leonet.api`.

Bad input exits with code 2 and a one-line message naming what and where.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leonet import __version__
from leonet.commands import admin, audit, network, orbits, serve
from leonet.commands import coverage as coverage_commands
from leonet.commands import dashboard as dashboard_commands
from leonet.commands import detect as detect_commands
from leonet.commands import export as export_commands
from leonet.commands import policy as policy_commands
from leonet.commands import scenario as scenario_commands
from leonet.errors import InputError
from leonet.reporting.demo import run_demo

app = typer.Typer(
    name="leonet",
    help="An open model of a LEO satellite internet service, from orbits to who may connect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
app.add_typer(policy_commands.app, name="policy")

app.add_typer(orbits.constellation_app, name="constellation")
app.command()(orbits.ephemeris)
app.command()(orbits.overhead)
app.add_typer(network.app)
app.add_typer(coverage_commands.app)
app.command("detect")(detect_commands.detect)
app.add_typer(detect_commands.telemetry_app, name="telemetry")
app.add_typer(serve.app, name="serve")
app.add_typer(admin.app, name="admin")
app.add_typer(audit.app, name="audit")
app.add_typer(scenario_commands.app, name="scenario")
app.command("dashboard")(dashboard_commands.dashboard)
app.add_typer(export_commands.app, name="export")


@app.command()
def version() -> None:
    """Print the leonet version."""
    print(__version__)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Report folder to write.")] = Path("reports/demo"),
) -> None:
    """Run the demo on embedded defaults and write a report folder."""
    html_path = run_demo(out, progress=lambda msg: err_console.print(msg, highlight=False))
    print(f"report written to {html_path.parent}/ (open {html_path})")
    print("explore it on a globe: leonet dashboard  (then open http://127.0.0.1:8050/)")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning bad input into exit code 2."""
    try:
        app(args=argv, prog_name="leonet")
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    except SystemExit as exc:  # typer's usage errors exit with 2 themselves
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
