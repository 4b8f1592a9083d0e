"""Customer accounts: home country and plan (policy conditions), balance due (transfers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import AlreadyExistsError
from leonet.control.registry.models import Account
from leonet.control.registry.records import (
    changes,
    check_country,
    check_id,
    check_version,
    get_or_fail,
    snapshot,
)
from leonet.errors import InputError

FIELDS = ("name", "home_country", "plan", "balance_due_cents")


def _check(values: dict) -> None:
    if "home_country" in values:
        check_country(values["home_country"], "home_country")
    if "plan" in values:
        check_id(values["plan"], "plan")
    if values.get("balance_due_cents", 0) < 0:
        raise InputError("must be zero or more", "balance_due_cents")


def create(
    session: Session, actor: Actor, *, id: str, name: str, home_country: str, plan: str,
    balance_due_cents: int = 0, reason: str = "",
) -> Account:
    """A new account; `AlreadyExistsError` if the id is taken."""
    check_id(id, "id")
    values = {"name": name, "home_country": home_country, "plan": plan,
              "balance_due_cents": balance_due_cents}
    _check(values)
    if session.get(Account, id) is not None:
        raise AlreadyExistsError(f"account {id!r} already exists")
    row = Account(id=id, created_at=audit.utc_now(), version=1, **values)
    session.add(row)
    session.flush()
    audit.append(session, actor, "account.create", "account", id, values, reason)
    return row


def get(session: Session, account_id: str) -> Account:
    return get_or_fail(session, Account, account_id, "account")


def list_accounts(session: Session, *, limit: int = 100, after: str | None = None) -> list[Account]:
    query = select(Account).order_by(Account.id).limit(limit)
    if after is not None:
        query = query.where(Account.id > after)
    return list(session.execute(query).scalars())


def update(
    session: Session, actor: Actor, account_id: str, expected_version: int | None, reason: str = "",
    **values,
) -> Account:
    """Change some of ``name, home_country, plan, balance_due_cents``."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise InputError(f"cannot change {sorted(unknown)}; changeable: {list(FIELDS)}")
    nulls = sorted(k for k, v in values.items() if v is None)
    if nulls:
        raise InputError("must not be null", ", ".join(nulls))
    _check(values)
    row = get(session, account_id)
    check_version(row, expected_version, f"account {account_id!r}")
    before = snapshot(row, FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    diff = changes(before, snapshot(row, FIELDS))
    if diff:
        row.version += 1
        audit.append(session, actor, "account.update", "account", account_id,
                     {"changes": diff, "version": row.version}, reason)
    return row
