"""The `leonet` command line: a thin layer over `leonet.api`.

Bad input exits with code 2 and a one-line message naming what and where.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from leonet import __version__
from leonet.errors import InputError

app = typer.Typer(
    name="leonet",
    help="An open model of a LEO satellite internet service, from orbits to who may connect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


@app.command()
def version() -> None:
    """Print the leonet version."""
    print(__version__)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning bad input into exit code 2."""
    import click

    try:
        rc = app(args=argv, standalone_mode=False)
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    except click.exceptions.Abort:
        err_console.print("aborted")
        return 1
    except click.ClickException as exc:  # usage errors carry their own exit code (2)
        exc.show()
        return exc.exit_code
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
