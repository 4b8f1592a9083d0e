"""`leonet admin`: bootstrap the first admin, issue and revoke tokens, migrate the schema.

These commands act on the database directly, as the operator who runs the service.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer

from leonet.control.registry import migrate, principals, tokens
from leonet.control.registry.audit import Actor, utc_now
from leonet.control.registry.db import Database
from leonet.control.registry.errors import RegistryError
from leonet.control.registry.models import Role
from leonet.physics.timegrid import parse_duration_s

app = typer.Typer(help="Administer the registry: tokens and schema.", no_args_is_help=True,
                  add_completion=False)
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default $LEONET_DATABASE_URL, else sqlite:///leonet.db).")]


def _open(db: str | None) -> Database:
    database = Database(db)
    migrate.upgrade(database)
    return database


def _cli_actor() -> Actor:
    return Actor(subject=f"cli:{getpass.getuser()}", role=Role.ADMIN.value)


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@app.command()
def bootstrap(db: DbOption = None, subject: Annotated[str, typer.Option(
        help="Who holds the first admin token.")] = "admin") -> None:
    """Create the schema and print the first admin token (once: a second run is refused)."""
    database = _open(db)
    try:
        with database.write() as session:
            issued = tokens.bootstrap(session, subject)
    except RegistryError as exc:
        _fail(exc)
    typer.echo(f"first admin token for {issued.subject!r} (shown once; store it safely):")
    typer.echo(issued.token)


@app.command("create-token")
def create_token(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(r.value for r in Role)}.")],
    sponsor: Annotated[str | None, typer.Option(help="Sponsor id (sponsor tokens).")] = None,
    subject: Annotated[str | None, typer.Option(
        help="The holder's principal by name; a new name creates it (default role-ID).")] = None,
    principal_id: Annotated[int | None, typer.Option(
        help="The holder's principal by id (see create-principal).", min=1,
        max=2**31 - 1)] = None,
    expires_in: Annotated[str | None, typer.Option(
        help="Lifetime such as 90d or 12h (default: until revoked).")] = None,
    db: DbOption = None,
) -> None:
    """Issue a token and print it alone on the last line (for scripts)."""
    expires_at = None
    if expires_in is not None:
        expires_at = utc_now() + dt.timedelta(
            seconds=parse_duration_s(expires_in, what="--expires-in"))
    database = _open(db)
    try:
        with database.write() as session:
            issued = tokens.issue(session, _cli_actor(), role, sponsor_id=sponsor,
                                  subject=subject, principal_id=principal_id,
                                  expires_at=expires_at,
                                  reason="leonet admin create-token")
    except RegistryError as exc:
        _fail(exc)
    typer.echo(f"{issued.role} token {issued.id} for {issued.subject!r}"
               + (f" (sponsor {issued.sponsor_id})" if issued.sponsor_id else "")
               + (f", expires {issued.expires_at:%Y-%m-%dT%H:%M:%SZ}" if expires_at else "")
               + ":")
    typer.echo(issued.token)


@app.command("create-principal")
def create_principal(
    name: Annotated[str, typer.Argument(help="Unique, ignoring case and width (NFKC).")],
    kind: Annotated[str, typer.Option(help="person or service.")] = "person",
    db: DbOption = None,
) -> None:
    """Create a principal (a person or service account) that tokens can be issued to."""
    database = _open(db)
    try:
        with database.write() as session:
            row = principals.create(session, _cli_actor(), name, kind,
                                    reason="leonet admin create-principal")
    except RegistryError as exc:
        _fail(exc)
    typer.echo(f"principal {row.id}: {row.name!r} ({row.kind})")


@app.command("revoke-token")
def revoke_token(token_id: Annotated[int, typer.Argument(help="The token's id.")],
                 db: DbOption = None) -> None:
    """Revoke a token at once."""
    database = _open(db)
    try:
        with database.write() as session:
            row = tokens.revoke(session, _cli_actor(), token_id, "leonet admin revoke-token")
    except RegistryError as exc:
        _fail(exc)
    typer.echo(f"revoked token {row.id} ({row.role} {row.subject!r})")


@app.command("migrate")
def migrate_command(
    revision: Annotated[str, typer.Argument(help="Target: head, base, or a revision id.")]
    = "head",
    db: DbOption = None,
) -> None:
    """Move the schema up or down to REVISION (down to base drops every table)."""
    database = Database(db)
    before = migrate.current_revision(database)
    target = migrate.head_revision() if revision == "head" else revision
    order = [None, *migrate.all_revisions()]
    if target == "base":
        target = None
    if target not in order:
        typer.echo(f"error: unknown revision {revision!r}; known: head, base, "
                   f"{', '.join(r for r in order if r)}", err=True)
        raise typer.Exit(2)
    if order.index(target) >= order.index(before):
        migrate.upgrade(database, target or "base")
    else:
        migrate.downgrade(database, target or "base")
    typer.echo(f"schema: {before or 'empty'} -> {migrate.current_revision(database) or 'empty'}")
