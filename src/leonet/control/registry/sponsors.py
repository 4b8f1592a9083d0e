"""Sponsors and their funding agreements: which terminals a sponsor pays for, from/until.

A sponsor funds only terminals donated under its name (``terminal.sponsor_id``); a sponsor's
token sees only its own agreements. A terminal donated by a sponsor is *funded* at an instant
when one of its agreements covers it (``valid_from <= t < valid_until``); this is the
``funded`` input of the policy engine, so a policy rule ``unfunded = true`` cuts service off
when the sponsor stops paying.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
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


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> FundingAgreement:
    row = session.get(FundingAgreement, agreement_id)
    if row is None or (actor.role == Role.SPONSOR and row.sponsor_id != actor.sponsor_id):
        raise NotFoundError(f"funding agreement {agreement_id} does not exist")
    return row


def list_agreements(
    session: Session, actor: Actor, *, terminal_id: str | None = None,
    sponsor_id: str | None = None, limit: int = 100, after: int | None = None,
) -> list[FundingAgreement]:
    query = select(FundingAgreement).order_by(FundingAgreement.id).limit(limit)
    if actor.role == Role.SPONSOR:
        query = query.where(FundingAgreement.sponsor_id == actor.sponsor_id)
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
