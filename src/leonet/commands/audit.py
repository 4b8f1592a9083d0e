"""`leonet audit`: check the hash-chained audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from leonet.control.registry import audit, migrate
from leonet.control.registry.db import Database
from leonet.errors import InputError

app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True,
                  add_completion=False)
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default $LEONET_DATABASE_URL, else sqlite:///leonet.db).")]


def _open(db: str | None) -> Database:
    database = Database(db)
    if migrate.current_revision(database) is None:
        raise InputError("has no leonet registry (run `leonet admin bootstrap` first)",
                         f"database {database!r}")
    return database


@app.command()
def verify(
    db: DbOption = None,
    anchor: Annotated[str | None, typer.Option(
        help="SEQ:HASH printed earlier by `leonet audit head`: the chain must pass through it."
    )] = None,
) -> None:
    """Walk the chain; exit 1 naming the first bad entry if any was edited, moved or deleted."""
    parsed = None
    if anchor is not None:
        seq, _, digest = anchor.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise InputError("expected SEQ:HASH (a number, a colon, 64 hex digits)", "--anchor")
        parsed = (int(seq), digest)
    database = _open(db)
    with database.read() as session:
        result = audit.verify(session, anchor=parsed)
    if not result.ok:
        typer.echo(result.summary(), err=True)
        raise typer.Exit(1)
    typer.echo(result.summary())


@app.command()
def head(db: DbOption = None) -> None:
    """Print SEQ:HASH of the newest entry: publish it elsewhere, check it with --anchor."""
    database = _open(db)
    with database.read() as session:
        seq, digest = audit.head(session)
    typer.echo(f"{seq}:{digest}")
