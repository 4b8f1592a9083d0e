"""The `leonet` command line: a thin layer over `leonet.api`.

Every error, ours or the argument parser's, reaches standard error as exactly one line,
whatever the terminal width, from `main` alone. Exit codes (README "Exit codes"): 0 done and
clean; 1 done, but rows were dropped or there was nothing to check; 2 bad input; 3 a remote
source failed (offline, HTTP error, an answer that is not what was asked for).
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

# Typer 0.29 runs its own copy of click: its parser's errors are these classes, not click's.
from typer._click.decorators import help_option
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperArgument

from leonet import __version__
from leonet.commands import admin, audit, data, network, orbits, serve
from leonet.commands import coverage as coverage_commands
from leonet.commands import dashboard as dashboard_commands
from leonet.commands import detect as detect_commands
from leonet.commands import export as export_commands
from leonet.commands import packets as packets_commands
from leonet.commands import policy as policy_commands
from leonet.commands import scenario as scenario_commands
from leonet.commands.common import console as err_console
from leonet.commands.common import flag
from leonet.errors import FetchError, InputError
from leonet.reporting.demo import run_demo

app = typer.Typer(
    name="leonet",
    help="An open model of a LEO satellite internet service, from orbits to who may connect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
app.add_typer(packets_commands.app, name="packets")
app.command("dashboard")(dashboard_commands.dashboard)
app.add_typer(export_commands.app, name="export")
app.add_typer(data.app, name="data")


def _print_version(value: bool) -> None:
    if value:
        print(f"leonet {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, flag(
        "--version", "-V", help="Print the leonet version and exit.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    """An open model of a LEO satellite internet service, from orbits to who may connect."""


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
    print(f"explore it on a globe: leonet dashboard {out}  (or `make dashboard` in a clone, "
          "which builds the front-end first)")


def one_line(text: str) -> str:
    """``text`` with its line breaks and runs of blanks folded into single spaces."""
    return " ".join(str(text).split())


def _error(message: str) -> None:
    # Written directly: a rich console would hard-wrap at its width (80 when piped).
    sys.stderr.write(f"error: {one_line(message)}\n")
    sys.stderr.flush()


HELP_NAMES = ["-h", "--help"]


def _usage_name(argument) -> str:
    """``FILE``, ``[FILE]`` or ``GROUP...``: the usual usage-line form of an argument."""
    name = argument.display_name_raw.upper().removesuffix("...")
    name = name if argument.required else f"[{name}]"
    return name + ("..." if argument.nargs != 1 else "")


def command_tree():
    """The click command of `app` as its help should read. Typer 0.29's rich help prints
    ``<bool>`` beside every ``-h/--help`` switch and ``{file}`` for required arguments in
    usage lines; both are set right here, once, for every command."""
    root = typer.main.get_command(app)
    todo = [root]
    while todo:
        cmd = todo.pop()
        help_option(HELP_NAMES)(cmd)
        switch = cmd.params.pop()
        switch.metavar = ""
        cmd._help_option = switch
        for param in cmd.params:
            if isinstance(param, TyperArgument):
                param._usage_display_name = partial(_usage_name, param)
        todo += list(getattr(cmd, "commands", {}).values())
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; every error becomes one line on standard error and its exit
    code (module docstring)."""
    try:
        result = command_tree().main(args=argv, prog_name="leonet", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        print(exc.ctx.get_help())
        return 0
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "leonet"
        _error(f"{exc.format_message()} (see {where} --help)")
        return 2
    except ClickException as exc:  # e.g. a file argument that does not exist
        _error(exc.format_message())
        return 2
    except typer.Abort:
        _error("aborted")
        return 130
    except InputError as exc:
        _error(str(exc))
        return 2
    except FetchError as exc:
        _error(str(exc))
        return 3
    except OSError as exc:  # a path that cannot be read or written: the user's to fix
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
