"""Transfers of a terminal between accounts, under the operator's published rules.

Default rules (migration 0001): not before 120 days after purchase, not before 90 days after
activation, and nothing owed on the giving account. Admins may change them (audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import NotFoundError, RuleViolationError
from leonet.control.registry.models import Account, Terminal, Transfer, TransferRules
from leonet.control.registry.records import changes, check_version, snapshot
from leonet.errors import InputError

RULE_FIELDS = ("min_days_after_purchase", "min_days_after_activation", "require_no_balance_due")


@dataclass(frozen=True)
class Eligibility:
    """Whether a terminal may be transferred now, and every reason it may not."""

    allowed: bool
    reasons: tuple[str, ...]
    earliest: dt.datetime


def get_rules(session: Session) -> TransferRules:
    return session.execute(select(TransferRules).where(TransferRules.id == 1)).scalar_one()


def update_rules(session: Session, actor: Actor, expected_version: int | None, reason: str = "",
                 **values) -> TransferRules:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise InputError(f"cannot change {sorted(unknown)}; changeable: {list(RULE_FIELDS)}")
    nulls = sorted(k for k, v in values.items() if v is None)
    if nulls:
        raise InputError("must not be null", ", ".join(nulls))
    for key in ("min_days_after_purchase", "min_days_after_activation"):
        if key in values and not 0 <= values[key] <= 3650:
            raise InputError("must be between 0 and 3650 days", key)
    row = get_rules(session)
    check_version(row, expected_version, "transfer rules")
    before = snapshot(row, RULE_FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    diff = changes(before, snapshot(row, RULE_FIELDS))
    if diff:
        row.version += 1
        audit.append(session, actor, "transfer_rules.update", "transfer_rules", 1,
                     {"changes": diff, "version": row.version}, reason)
    return row


def eligibility(session: Session, terminal: Terminal, now: dt.datetime) -> Eligibility:
    """Check ``terminal`` against the rules at ``now``."""
    rules = get_rules(session)
    reasons = []
    earliest = terminal.purchased_at + dt.timedelta(days=rules.min_days_after_purchase)
    if now < earliest:
        reasons.append(
            f"purchased {terminal.purchased_at:%Y-%m-%d}: transfers are allowed "
            f"{rules.min_days_after_purchase} days after purchase, from {earliest:%Y-%m-%d}"
        )
    if terminal.activated_at is not None:
        after_activation = terminal.activated_at + dt.timedelta(
            days=rules.min_days_after_activation)
        earliest = max(earliest, after_activation)
        if now < after_activation:
            reasons.append(
                f"activated {terminal.activated_at:%Y-%m-%d}: transfers are allowed "
                f"{rules.min_days_after_activation} days after activation, from "
                f"{after_activation:%Y-%m-%d}"
            )
    if rules.require_no_balance_due and terminal.account_id is not None:
        owner = session.get(Account, terminal.account_id)
        if owner is not None and owner.balance_due_cents > 0:
            reasons.append(
                f"account {owner.id!r} owes {owner.balance_due_cents / 100:.2f}: the balance "
                "must be paid first"
            )
    if terminal.status == "deactivated":
        reasons.append("the terminal is deactivated")
    return Eligibility(not reasons, tuple(reasons), earliest)


def transfer(session: Session, actor: Actor, *, terminal_id: str, to_account_id: str,
             expected_version: int | None = None, reason: str = "") -> Transfer:
    """Move ``terminal_id`` to ``to_account_id`` now, if the rules allow it."""
    terminal = session.get(Terminal, terminal_id)
    if terminal is None:
        raise NotFoundError(f"terminal {terminal_id!r} does not exist")
    check_version(terminal, expected_version, f"terminal {terminal_id!r}")
    if session.get(Account, to_account_id) is None:
        raise NotFoundError(f"account {to_account_id!r} does not exist")
    if terminal.account_id == to_account_id:
        raise RuleViolationError(f"terminal {terminal_id!r} already belongs to {to_account_id!r}")
    now = audit.utc_now()
    check = eligibility(session, terminal, now)
    if not check.allowed:
        raise RuleViolationError(
            f"terminal {terminal_id!r} cannot be transferred yet: " + "; ".join(check.reasons)
        )
    row = Transfer(terminal_id=terminal_id, from_account_id=terminal.account_id,
                   to_account_id=to_account_id, at=now, by=actor.subject)
    session.add(row)
    terminal.account_id = to_account_id
    terminal.version += 1
    terminal.updated_at = now
    session.flush()
    audit.append(
        session, actor, "terminal.transfer", "terminal", terminal_id,
        {"transfer_id": row.id, "from_account_id": row.from_account_id,
         "to_account_id": to_account_id, "version": terminal.version},
        reason, at=now,
    )
    return row


def list_transfers(session: Session, *, terminal_id: str | None = None, limit: int = 100,
                   after: int | None = None) -> list[Transfer]:
    query = select(Transfer).order_by(Transfer.id).limit(limit)
    if terminal_id is not None:
        query = query.where(Transfer.terminal_id == terminal_id)
    if after is not None:
        query = query.where(Transfer.id > after)
    return list(session.execute(query).scalars())
