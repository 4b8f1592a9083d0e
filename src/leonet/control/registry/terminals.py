"""Terminals (kits) and their lifecycle: ordered → active ⇄ suspended → deactivated.

Suspending normally takes two people (`incidents`: one asks, another approves). One person
may still suspend a terminal directly in an emergency: that needs a reason and is logged
under its own audit kind, ``terminal.emergency_suspend``. A suspension two people approved
can only be lifted by two people too (a reinstatement request and a second person's
approval); a direct change of status back to ``active`` is refused for it.

A terminal may belong to an account (the customer using it) and be donated by a sponsor,
who then sees it and may fund it. Sponsors see only their own terminals: to them another
sponsor's terminal does not exist (`NotFoundError`), so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from leonet.control.registry import audit, sponsors
from leonet.control.registry.audit import Actor
from leonet.control.registry.db import SqlWrite, parse_db_time
from leonet.control.registry.errors import (
    AlreadyExistsError,
    NotFoundError,
    RuleViolationError,
    VersionConflictError,
)
from leonet.control.registry.models import Account, Role, Sponsor, Terminal, TerminalStatus
from leonet.control.registry.records import (
    changes,
    check_aware,
    check_id,
    check_version,
    snapshot,
)
from leonet.errors import InputError

# Allowed status changes; deactivation is final (the kit is retired).
TRANSITIONS: dict[TerminalStatus, frozenset[TerminalStatus]] = {
    TerminalStatus.ORDERED: frozenset({TerminalStatus.ACTIVE, TerminalStatus.DEACTIVATED}),
    TerminalStatus.ACTIVE: frozenset({TerminalStatus.SUSPENDED, TerminalStatus.DEACTIVATED}),
    TerminalStatus.SUSPENDED: frozenset({TerminalStatus.ACTIVE, TerminalStatus.DEACTIVATED}),
    TerminalStatus.DEACTIVATED: frozenset(),
}
FIELDS = ("kit_serial", "dish_id", "kit_type", "account_id", "sponsor_id", "status",
          "purchased_at", "activated_at")
CHANGEABLE = ("kit_type", "sponsor_id", "status", "account_id")


def _status(value: str) -> TerminalStatus:
    try:
        return TerminalStatus(value)
    except ValueError:
        raise InputError(
            f"unknown status {value!r}; expected one of "
            f"{', '.join(s.value for s in TerminalStatus)}", "status",
        ) from None


def _check_refs(session: Session, account_id: str | None, sponsor_id: str | None) -> None:
    if account_id is not None and session.get(Account, account_id) is None:
        raise NotFoundError(f"account {account_id!r} does not exist")
    if sponsor_id is not None and session.get(Sponsor, sponsor_id) is None:
        raise NotFoundError(f"sponsor {sponsor_id!r} does not exist")


def _check_unique(session: Session, kit_serial: str, dish_id: str, id: str) -> None:
    if session.get(Terminal, id) is not None:
        raise AlreadyExistsError(f"terminal {id!r} already exists")
    for column, value in (("kit_serial", kit_serial), ("dish_id", dish_id)):
        taken = session.execute(
            select(Terminal.id).where(getattr(Terminal, column) == value)
        ).scalar_one_or_none()
        if taken is not None:
            raise AlreadyExistsError(f"{column} {value!r} is already used by terminal {taken!r}")


def create(
    session: Session, actor: Actor, *, id: str, kit_serial: str, dish_id: str, kit_type: str,
    account_id: str | None = None, sponsor_id: str | None = None, status: str = "ordered",
    purchased_at: dt.datetime | None = None, activated_at: dt.datetime | None = None,
    reason: str = "",
) -> Terminal:
    """Register a terminal. Existing fleets can be imported with their purchase and
    activation dates; new kits default to purchased now, status ``ordered``."""
    check_id(id, "id")
    check_id(kit_serial, "kit_serial")
    check_id(dish_id, "dish_id")
    check_id(kit_type, "kit_type")
    parsed = _status(status)
    now = audit.utc_now()
    purchased_at = check_aware(purchased_at, "purchased_at") or now
    activated_at = check_aware(activated_at, "activated_at")
    if purchased_at > now:
        raise InputError("is in the future", "purchased_at")
    if parsed is TerminalStatus.ORDERED and activated_at is not None:
        raise InputError("an ordered terminal has not been activated", "activated_at")
    if parsed in (TerminalStatus.ACTIVE, TerminalStatus.SUSPENDED) and activated_at is None:
        activated_at = now
    if activated_at is not None and not purchased_at <= activated_at <= now:
        raise InputError("must lie between the purchase and now", "activated_at")
    _check_refs(session, account_id, sponsor_id)
    _check_unique(session, kit_serial, dish_id, id)
    row = Terminal(
        id=id, kit_serial=kit_serial, dish_id=dish_id, kit_type=kit_type, account_id=account_id,
        sponsor_id=sponsor_id, status=parsed.value, purchased_at=purchased_at,
        activated_at=activated_at, updated_at=now, version=1,
    )
    session.add(row)
    session.flush()
    audit.append(session, actor, "terminal.create", "terminal", id, snapshot(row, FIELDS),
                 reason, at=now)
    return row


def get(session: Session, actor: Actor, terminal_id: str) -> Terminal:
    """The terminal, if ``actor`` may see it (sponsors see only their own)."""
    row = session.get(Terminal, terminal_id)
    if row is None or (actor.role == Role.SPONSOR and row.sponsor_id != actor.sponsor_id):
        raise NotFoundError(f"terminal {terminal_id!r} does not exist")
    return row


def list_terminals(
    session: Session, actor: Actor, *, limit: int = 100, after: str | None = None,
    status: str | None = None, account_id: str | None = None,
) -> list[Terminal]:
    """Terminals in id order, ``limit`` at a time after id ``after`` (keyset pagination)."""
    query = select(Terminal).order_by(Terminal.id).limit(limit)
    if actor.role == Role.SPONSOR:
        query = query.where(Terminal.sponsor_id == actor.sponsor_id)
    if after is not None:
        query = query.where(Terminal.id > after)
    if status is not None:
        query = query.where(Terminal.status == _status(status).value)
    if account_id is not None:
        query = query.where(Terminal.account_id == account_id)
    return list(session.execute(query).scalars())


def _check_changeable(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(CHANGEABLE)
    if unknown:
        raise InputError(f"cannot change {sorted(unknown)}; changeable: {list(CHANGEABLE)}")


def _planned(terminal_id: str, current: Mapping[str, Any], values: Mapping[str, Any],
             now: dt.datetime, ref_exists: Callable[[str, str], bool]) -> dict[str, Any]:
    """The fields of ``current`` (a terminal's `FIELDS`) after the change ``values``: the
    lifecycle rules, in one place for both write paths. ``ref_exists(table, id)`` says
    whether an account or sponsor exists."""
    after = dict(current)
    if "kit_type" in values:
        after["kit_type"] = check_id(values["kit_type"], "kit_type")
    if "sponsor_id" in values:
        sponsor_id = values["sponsor_id"]
        if sponsor_id is not None and not ref_exists("sponsors", sponsor_id):
            raise NotFoundError(f"sponsor {sponsor_id!r} does not exist")
        after["sponsor_id"] = sponsor_id
    if "account_id" in values and values["account_id"] != current["account_id"]:
        if current["account_id"] is not None:
            raise RuleViolationError(
                f"terminal {terminal_id!r} belongs to account {current['account_id']!r}: "
                "moving it to another account is a transfer (POST /v1/transfers), under the "
                "transfer rules"
            )
        account_id = values["account_id"]
        if account_id is not None and not ref_exists("accounts", account_id):
            raise NotFoundError(f"account {account_id!r} does not exist")
        after["account_id"] = account_id
    if "status" in values:
        new = _status(values["status"])
        old = TerminalStatus(current["status"])
        if new is not old:
            if new not in TRANSITIONS[old]:
                raise RuleViolationError(
                    f"terminal {terminal_id!r} cannot go from {old.value} to {new.value}; from "
                    f"{old.value} it can go to "
                    f"{', '.join(sorted(s.value for s in TRANSITIONS[old])) or 'nothing'}"
                )
            after["status"] = new.value
            if new is TerminalStatus.ACTIVE and current["activated_at"] is None:
                after["activated_at"] = now
    return after


_LAST_APPROVED = ("SELECT id, action FROM suspension_requests WHERE terminal_id = ? AND "
                  "status = 'approved' ORDER BY id DESC LIMIT 1")


def _status_action(terminal_id: str, diff: Mapping[str, Any], reason: str, two_person: bool,
                   last_approved: Callable[[], tuple[int, str] | None]) -> str:
    """The audit action of a change ``diff``, after the two-person rules for status: an
    emergency suspension needs a reason; lifting a two-person suspension needs two people."""
    if "status" not in diff or two_person:
        return "terminal.update"
    old, new = diff["status"]
    if new == TerminalStatus.SUSPENDED:
        if not reason.strip():
            raise InputError("a suspension by one person is an emergency action: say why (it "
                             "goes into the audit log as terminal.emergency_suspend)", "reason")
        return "terminal.emergency_suspend"
    if old == TerminalStatus.SUSPENDED and new == TerminalStatus.ACTIVE:
        last = last_approved()
        if last is not None and last[1] == "suspend":
            raise RuleViolationError(
                f"terminal {terminal_id!r} was suspended by two people (suspension request "
                f"{last[0]}): lifting it needs two people too; ask with POST "
                f"/v1/terminals/{terminal_id}/reinstatement-requests and have another person "
                "approve it")
    return "terminal.update"


def update(
    session: Session, actor: Actor, terminal_id: str, expected_version: int | None,
    reason: str = "", two_person: bool = False, **values,
) -> Terminal:
    """Change ``kit_type``, ``sponsor_id``, ``status`` (along `TRANSITIONS`) or give an
    account to a terminal that has none (moving it between accounts is a transfer).
    ``two_person`` is set by `incidents.decide` when a second person approved the change."""
    _check_changeable(values)
    row = get(session, actor, terminal_id)
    check_version(row, expected_version, f"terminal {terminal_id!r}")
    before = snapshot(row, FIELDS)
    now = audit.utc_now()
    models = {"sponsors": Sponsor, "accounts": Account}
    after = _planned(terminal_id, before, values, now,
                     lambda table, key: session.get(models[table], key) is not None)
    diff = changes(before, after)
    if diff:
        action = _status_action(terminal_id, diff, reason, two_person, lambda: (
            session.execute(text(_LAST_APPROVED.replace("?", ":t")), {"t": terminal_id})
            .first()))
        for name, (_, value) in diff.items():
            setattr(row, name, value)
        row.version += 1
        row.updated_at = now
        audit.append(session, actor, action, "terminal", terminal_id,
                     {"changes": diff, "version": row.version}, reason, at=now)
        if "sponsor_id" in diff and before["sponsor_id"] is not None:
            sponsors.end_for_sponsor_change(session, actor, terminal_id, before["sponsor_id"],
                                            after["sponsor_id"], now)
    return row


_COLUMNS = ("id", *FIELDS, "updated_at", "version")
_TIMES = ("purchased_at", "activated_at", "updated_at")
# Table names come from this fixed map, never from input.
_REF_QUERIES = {table: f"SELECT 1 FROM {table} WHERE id = ?" for table in ("sponsors",
                                                                            "accounts")}


def update_sql(
    tx: SqlWrite, actor: Actor, terminal_id: str, expected_version: int | None,
    reason: str = "",
    **values,
) -> dict[str, Any]:
    """As `update`, in a `Database.write_sql` transaction (the REST API's hot write path):
    the same rules, the same audit entry. Returns the terminal's columns after the change."""
    _check_changeable(values)
    found = tx.rows(f"SELECT {', '.join(_COLUMNS)} FROM terminals WHERE id = ?",
                    (terminal_id,))
    row = dict(zip(_COLUMNS, found[0], strict=True)) if found else None
    if row is None or (actor.role == Role.SPONSOR and row["sponsor_id"] != actor.sponsor_id):
        raise NotFoundError(f"terminal {terminal_id!r} does not exist")
    for name in _TIMES:
        row[name] = parse_db_time(row[name])
    if expected_version is not None and row["version"] != expected_version:
        raise VersionConflictError(f"terminal {terminal_id!r}", expected_version, row["version"])
    version = row["version"]
    before = {name: row[name] for name in FIELDS}
    now = audit.utc_now()
    after = _planned(terminal_id, before, values, now,
                     lambda table, key: bool(tx.rows(_REF_QUERIES[table], (key,))))
    diff = changes(before, after)
    if not diff:
        return row
    action = _status_action(terminal_id, diff, reason, False, lambda: next(
        iter(tx.rows(_LAST_APPROVED, (terminal_id,))), None))
    row.update(after, version=row["version"] + 1, updated_at=now)
    assignments = ", ".join(f"{name} = ?" for name in diff)
    bound = [tx.time(v) if isinstance(v, dt.datetime) else v for _, v in diff.values()]
    changed = tx.execute(
        f"UPDATE terminals SET {assignments}, version = ?, updated_at = ? "
        "WHERE id = ? AND version = ?",
        (*bound, row["version"], tx.time(now), terminal_id, version))
    if changed != 1:  # writers hold the head lock, so nothing else can have changed it
        raise RuntimeError(f"terminal {terminal_id!r} changed during its update")
    audit.append(tx, actor, action, "terminal", terminal_id,
                 {"changes": diff, "version": row["version"]}, reason, at=now)
    if "sponsor_id" in diff and before["sponsor_id"] is not None:
        sponsors.end_for_sponsor_change(tx, actor, terminal_id, before["sponsor_id"],
                                        after["sponsor_id"], now)
    return row
