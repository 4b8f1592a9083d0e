"""Whitelist verifications: a terminal checked for use in one region (by whom, when, on what
evidence), until revoked. A terminal is *whitelisted* at a place and instant when one of its
unrevoked verifications covers that region and instant: the ``whitelisted`` input of the policy
engine (rules with ``unless_whitelisted = true``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.regions import resolve_region
from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import NotFoundError, RuleViolationError
from leonet.control.registry.models import Terminal, WhitelistVerification
from leonet.control.registry.records import check_aware, check_version
from leonet.errors import InputError


def create(
    session: Session, actor: Actor, *, terminal_id: str, region: str, evidence_ref: str,
    verified_at: dt.datetime | None = None, reason: str = "",
) -> WhitelistVerification:
    """Record that ``terminal_id`` was verified for ``region`` (an ISO code or region name)."""
    if session.get(Terminal, terminal_id) is None:
        raise NotFoundError(f"terminal {terminal_id!r} does not exist")
    if not evidence_ref.strip():
        raise InputError("name the evidence (document number, case file)", "evidence_ref")

    # Only regions the policy engine knows: a typo would silently whitelist nothing.
    resolve_region(region, where="region")
    now = audit.utc_now()
    verified_at = check_aware(verified_at, "verified_at") or now
    if verified_at > now:
        raise InputError("is in the future", "verified_at")
    row = WhitelistVerification(
        terminal_id=terminal_id, region=region, verified_by=actor.subject,
        verified_at=verified_at, evidence_ref=evidence_ref, version=1,
    )
    session.add(row)
    session.flush()
    audit.append(
        session, actor, "whitelist.verify", "whitelist", row.id,
        {"terminal_id": terminal_id, "region": region, "verified_at": verified_at,
         "evidence_ref": evidence_ref},
        reason, at=now,
    )
    return row


def get(session: Session, verification_id: int) -> WhitelistVerification:
    row = session.get(WhitelistVerification, verification_id)
    if row is None:
        raise NotFoundError(f"whitelist verification {verification_id} does not exist")
    return row


def list_verifications(
    session: Session, *, terminal_id: str | None = None, region: str | None = None,
    limit: int = 100, after: int | None = None,
) -> list[WhitelistVerification]:
    query = select(WhitelistVerification).order_by(WhitelistVerification.id).limit(limit)
    if terminal_id is not None:
        query = query.where(WhitelistVerification.terminal_id == terminal_id)
    if region is not None:
        query = query.where(WhitelistVerification.region == region)
    if after is not None:
        query = query.where(WhitelistVerification.id > after)
    return list(session.execute(query).scalars())


def revoke(
    session: Session, actor: Actor, verification_id: int, expected_version: int | None,
    reason: str = "",
) -> WhitelistVerification:
    """Withdraw a verification from now on (history before stays as it was)."""
    row = get(session, verification_id)
    check_version(row, expected_version, f"whitelist verification {verification_id}")
    if row.revoked_at is not None:
        raise RuleViolationError(f"whitelist verification {verification_id} is already revoked")
    row.revoked_at = audit.utc_now()
    row.revoked_by = actor.subject
    row.version += 1
    audit.append(session, actor, "whitelist.revoke", "whitelist", verification_id,
                 {"terminal_id": row.terminal_id, "region": row.region,
                  "version": row.version}, reason, at=row.revoked_at)
    return row
