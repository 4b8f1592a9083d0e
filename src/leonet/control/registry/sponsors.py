"""Sponsors and their funding agreements: which terminals a sponsor pays for, from/until.

A sponsor funds only terminals donated under its name (``terminal.sponsor_id``). Access
follows the terminal's *current* sponsor (object-level authorization, OWASP API1): a sponsor's
token sees and changes only agreements that it made for terminals it sponsors now. A terminal
donated by a sponsor is *funded* at an instant when one of its current sponsor's agreements
covers it (``valid_from <= t < valid_until``); this is the ``funded`` input of the policy
engine, so a policy rule ``unfunded = true`` cuts service off when the sponsor stops paying.

When a terminal moves to another sponsor (or to none), the former sponsor's open agreements
end at the change (`end_for_sponsor_change`, audited as ``funding.end``); an agreement that had
not started yet ends at its start, so it never covers anything. Ended agreements of a former
sponsor stay readable by admins, support and auditors but can no longer be changed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.db import SqlWrite, parse_db_time
from leonet.control.registry.errors import AlreadyExistsError, NotFoundError, RuleViolationError
from leonet.control.registry.models import FundingAgreement, Role, Sponsor, Terminal
from leonet.control.registry.records import check_aware, check_id, check_version
from leonet.errors import InputError


def create_sponsor(session: Session, actor: Actor, *, id: str, name: str,
                   reason: str = "") -> Sponsor:
    check_id(id, "id")
    if not name.strip():
        raise InputError("must not be empty", "name")
    if session.get(Sponsor, id) is not None:
        raise AlreadyExistsError(f"sponsor {id!r} already exists")
    row = Sponsor(id=id, name=name, created_at=audit.utc_now(), version=1)
    session.add(row)
    session.flush()
    audit.append(session, actor, "sponsor.create", "sponsor", id, {"name": name}, reason)
    return row


def get_sponsor(session: Session, actor: Actor, sponsor_id: str) -> Sponsor:
    row = session.get(Sponsor, sponsor_id)
    if row is None or (actor.role == Role.SPONSOR and actor.sponsor_id != sponsor_id):
        raise NotFoundError(f"sponsor {sponsor_id!r} does not exist")
    return row


def list_sponsors(session: Session, actor: Actor) -> list[Sponsor]:
    query = select(Sponsor).order_by(Sponsor.id)
    if actor.role == Role.SPONSOR:
        query = query.where(Sponsor.id == actor.sponsor_id)
    return list(session.execute(query).scalars())


def _check_window(valid_from: dt.datetime, valid_until: dt.datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise InputError("must be after valid_from", "valid_until")


def create_agreement(
    session: Session, actor: Actor, *, terminal_id: str, valid_from: dt.datetime,
    valid_until: dt.datetime | None = None, sponsor_id: str | None = None, reference: str = "",
    reason: str = "",
) -> FundingAgreement:
    """A sponsor starts paying for one of its terminals. Sponsors fund as themselves."""
    if actor.role == Role.SPONSOR:
        if sponsor_id not in (None, actor.sponsor_id):
            raise NotFoundError(f"sponsor {sponsor_id!r} does not exist")
        sponsor_id = actor.sponsor_id
    if sponsor_id is None:
        raise InputError("name the sponsor who pays", "sponsor_id")
    get_sponsor(session, actor, sponsor_id)
    valid_from = check_aware(valid_from, "valid_from")
    valid_until = check_aware(valid_until, "valid_until")
    _check_window(valid_from, valid_until)
    terminal = session.get(Terminal, terminal_id)
    if terminal is None or (actor.role == Role.SPONSOR and terminal.sponsor_id != sponsor_id):
        raise NotFoundError(f"terminal {terminal_id!r} does not exist")
    if terminal.sponsor_id != sponsor_id:
        raise RuleViolationError(
            f"terminal {terminal_id!r} is not donated by sponsor {sponsor_id!r} "
            f"(its sponsor is {terminal.sponsor_id!r}); set the terminal's sponsor first"
        )
    now = audit.utc_now()
    row = FundingAgreement(
        sponsor_id=sponsor_id, terminal_id=terminal_id, valid_from=valid_from,
        valid_until=valid_until, reference=reference, created_by=actor.subject,
        created_at=now, version=1,
    )
    session.add(row)
    session.flush()
    audit.append(
        session, actor, "funding.create", "funding", row.id,
        {"sponsor_id": sponsor_id, "terminal_id": terminal_id, "valid_from": valid_from,
         "valid_until": valid_until, "reference": reference},
        reason, at=now,
    )
    return row


def _sponsors_now(session: Session, actor: Actor, row: FundingAgreement) -> bool:
    """Whether a sponsor ``actor`` may see ``row``: its own agreement for a terminal it
    sponsors now."""
    if row.sponsor_id != actor.sponsor_id:
        return False
    terminal = session.get(Terminal, row.terminal_id)
    return terminal is not None and terminal.sponsor_id == actor.sponsor_id


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> FundingAgreement:
    row = session.get(FundingAgreement, agreement_id)
    if row is None or (actor.role == Role.SPONSOR and not _sponsors_now(session, actor, row)):
        raise NotFoundError(f"funding agreement {agreement_id} does not exist")
    return row


def list_agreements(
    session: Session, actor: Actor, *, terminal_id: str | None = None,
    sponsor_id: str | None = None, limit: int = 100, after: int | None = None,
) -> list[FundingAgreement]:
    query = select(FundingAgreement).order_by(FundingAgreement.id).limit(limit)
    if actor.role == Role.SPONSOR:
        query = query.join(Terminal, Terminal.id == FundingAgreement.terminal_id).where(
            FundingAgreement.sponsor_id == actor.sponsor_id,
            Terminal.sponsor_id == actor.sponsor_id)
    if terminal_id is not None:
        query = query.where(FundingAgreement.terminal_id == terminal_id)
    if sponsor_id is not None:
        query = query.where(FundingAgreement.sponsor_id == sponsor_id)
    if after is not None:
        query = query.where(FundingAgreement.id > after)
    return list(session.execute(query).scalars())


def set_end(
    session: Session, actor: Actor, agreement_id: int, expected_version: int | None,
    valid_until: dt.datetime | None, reason: str = "",
) -> FundingAgreement:
    """End (or extend) an agreement: the sponsor stops paying at ``valid_until``."""
    row = get_agreement(session, actor, agreement_id)
    check_version(row, expected_version, f"funding agreement {agreement_id}")
    terminal = session.get(Terminal, row.terminal_id)
    if terminal is None or terminal.sponsor_id != row.sponsor_id:
        raise RuleViolationError(
            f"funding agreement {agreement_id} is of sponsor {row.sponsor_id!r}, but terminal "
            f"{row.terminal_id!r} is now sponsored by {terminal and terminal.sponsor_id!r}: it "
            "ended when the sponsor changed and cannot be changed; the current sponsor makes "
            "a new agreement"
        )
    valid_until = check_aware(valid_until, "valid_until")
    _check_window(row.valid_from, valid_until)
    if valid_until != row.valid_until:
        old = row.valid_until
        row.valid_until = valid_until
        row.version += 1
        audit.append(
            session, actor, "funding.update", "funding", agreement_id,
            {"terminal_id": row.terminal_id, "valid_until": [old, valid_until],
             "version": row.version},
            reason,
        )
    return row


def _end_detail(terminal_id: str, sponsor_id: str, old: dt.datetime | None, new: dt.datetime,
                version: int, new_sponsor_id: str | None) -> dict:
    return {"terminal_id": terminal_id, "sponsor_id": sponsor_id, "valid_until": [old, new],
            "version": version, "cause": "sponsor_change", "new_sponsor_id": new_sponsor_id}


def end_for_sponsor_change(
    tx: Session | SqlWrite, actor: Actor, terminal_id: str, former_sponsor_id: str,
    new_sponsor_id: str | None, now: dt.datetime,
) -> list[int]:
    """End ``former_sponsor_id``'s agreements for ``terminal_id`` that are still open at
    ``now`` (in the transaction that changes the terminal's sponsor), one ``funding.end``
    audit entry each. Returns the ids of the agreements ended."""
    reason = (f"terminal {terminal_id!r} moved from sponsor {former_sponsor_id!r} to "
              f"{new_sponsor_id!r}: the former sponsor's open agreements end at the change")
    ended = []
    if isinstance(tx, SqlWrite):
        found = tx.rows(
            "SELECT id, valid_from, valid_until, version FROM funding_agreements "
            "WHERE terminal_id = ? AND sponsor_id = ? AND (valid_until IS NULL OR "
            "valid_until > ?) ORDER BY id", (terminal_id, former_sponsor_id, tx.time(now)))
        for agreement_id, valid_from, valid_until, version in found:
            old = parse_db_time(valid_until)
            end = max(now, parse_db_time(valid_from))
            tx.execute("UPDATE funding_agreements SET valid_until = ?, version = ? WHERE id = ?",
                       (tx.time(end), version + 1, agreement_id))
            audit.append(tx, actor, "funding.end", "funding", agreement_id,
                         _end_detail(terminal_id, former_sponsor_id, old, end, version + 1,
                                     new_sponsor_id), reason, at=now)
            ended.append(agreement_id)
        return ended
    rows = tx.execute(select(FundingAgreement).where(
        FundingAgreement.terminal_id == terminal_id,
        FundingAgreement.sponsor_id == former_sponsor_id,
        (FundingAgreement.valid_until.is_(None)) | (FundingAgreement.valid_until > now),
    ).order_by(FundingAgreement.id)).scalars().all()
    for row in rows:
        old = row.valid_until
        row.valid_until = max(now, row.valid_from)
        row.version += 1
        tx.flush()
        audit.append(tx, actor, "funding.end", "funding", row.id,
                     _end_detail(terminal_id, former_sponsor_id, old, row.valid_until,
                                 row.version, new_sponsor_id), reason, at=now)
        ended.append(row.id)
    return ended
