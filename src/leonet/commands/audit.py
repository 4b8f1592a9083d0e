"""`leonet audit`: check the hash-chained audit log; sign and check checkpoints of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leonet.control.registry import audit, migrate, reconcile, signing
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


KeyOption = Annotated[str | None, typer.Option(
    "--key", help="Ed25519 private key file (PEM; default $LEONET_AUDIT_SIGNING_KEY_FILE).")]


def parse_anchor(anchor: str) -> tuple[int, str]:
    """``SEQ:HASH`` with SEQ >= 1 and 64 hex digits of either case."""
    seq, _, digest = anchor.partition(":")
    if not seq.isascii() or not seq.isdigit() or len(seq) > 18 or int(seq) < 1:
        raise InputError(f"{anchor[:80]!r}: SEQ must be a whole number from 1 (entry 0 does "
                         "not exist; an empty log has nothing to anchor)", "--anchor")
    return int(seq), signing.check_hex64(digest, "--anchor HASH")


@app.command()
def verify(
    db: DbOption = None,
    anchor: Annotated[str | None, typer.Option(
        help="SEQ:HASH printed earlier by `leonet audit head`: the chain must pass through it."
    )] = None,
    checkpoint: Annotated[Path | None, typer.Option(
        help="A signed checkpoint from `leonet audit head --key`: its signature must be the "
             "trusted key's and the chain must still pass through it.")] = None,
    public_key: Annotated[str | None, typer.Option(
        help="The trusted public key (64 hex digits) for --checkpoint; default: the public "
             "half of --key.")] = None,
    key: KeyOption = None,
) -> None:
    """Walk the chain and reconcile the security-relevant tables with it; exit 1 naming the
    first bad entry (edited, moved, deleted, or disagreeing with the anchor or the signed
    checkpoint) or every row the log does not explain."""
    anchors = []
    if anchor is not None:
        anchors.append(parse_anchor(anchor))
    if checkpoint is not None:
        if public_key is not None:
            trusted = signing.load_public(public_key)
        else:
            private = signing.load_private(key)
            if private is None:
                raise InputError("needs the trusted public key: give --public-key HEX (or "
                                 "--key / $LEONET_AUDIT_SIGNING_KEY_FILE)", "--checkpoint")
            trusted = private.public_key()
        signed = signing.read_checkpoint(checkpoint)
        problem = signing.check_signature(signed, trusted)
        if problem is not None:
            typer.echo(f"checkpoint {checkpoint}: {problem}", err=True)
            raise typer.Exit(1)
        anchors.append((signed.seq, signed.hash))
    database = _open(db)
    with database.read() as session:
        for one in anchors or [None]:
            result = audit.verify(session, anchor=one)
            if not result.ok:
                typer.echo(result.summary(), err=True)
                raise typer.Exit(1)
        unexplained = reconcile.reconcile(session)
    if unexplained:
        typer.echo(f"{len(unexplained)} row(s) the audit log does not explain:", err=True)
        for finding in unexplained:
            typer.echo(f"  {finding}", err=True)
        raise typer.Exit(1)
    typer.echo(result.summary() + "; every security-relevant row is explained by the log"
               + (f"; passes through the signed checkpoint seq {anchors[-1][0]}"
                  if checkpoint else ""))


@app.command()
def head(db: DbOption = None, key: KeyOption = None) -> None:
    """Print a signed checkpoint (JSON) of the newest entry with a key, else SEQ:HASH: keep it
    outside the database; check it later with `verify --checkpoint` (or --anchor)."""
    private = signing.load_private(key)
    database = _open(db)
    with database.read() as session:
        seq, digest = audit.head(session)
    if private is None:
        typer.echo("unsigned (no --key or $LEONET_AUDIT_SIGNING_KEY_FILE): anyone with the "
                   "database can forge this; publish it somewhere it cannot be changed",
                   err=True)
        typer.echo(f"{seq}:{digest}")
        return
    if seq < 1:
        raise InputError("the audit log is empty: nothing to sign yet", "audit head")
    typer.echo(signing.sign(private, seq, digest, audit.format_utc(audit.utc_now())).to_json())


@app.command()
def keygen(out: Annotated[Path, typer.Option(
        "--out", help="Where to write the new private key (PEM, mode 0600; never "
                      "overwritten).")]) -> None:
    """Make an Ed25519 signing key for checkpoints; prints its public key (share that)."""
    typer.echo(f"public key: {signing.generate(out)}")
