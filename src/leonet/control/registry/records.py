"""Helpers every repository uses: fetch-or-fail, version checks, audit snapshots."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from leonet.control.boundaries import countries
from leonet.control.registry.errors import NotFoundError, VersionConflictError
from leonet.errors import InputError

T = TypeVar("T")

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def check_id(value: str, field: str) -> str:
    """Identifiers: 1-64 letters, digits, ``._:-``, starting with a letter or digit."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise InputError(
            f"{value!r} is not a valid identifier; use 1-64 letters, digits, '.', '_', ':' "
            "or '-', starting with a letter or digit",
            field,
        )
    return value


def check_country(value: str, field: str) -> str:
    """ISO 3166-1 alpha-2, upper case (``UA``), one the shipped boundaries know."""
    if not isinstance(value, str) or not COUNTRY_RE.match(value):
        raise InputError(f"{value!r} is not an ISO 3166-1 alpha-2 code such as 'UA'", field)

    if value not in set(countries().code.tolist()):
        raise InputError(f"{value!r} is not a country code the shipped boundaries know", field)
    return value


def check_aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """Refuse naive datetimes: a time without a zone is ambiguous."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InputError(f"{value.isoformat()} has no timezone; add 'Z' for UTC", field)
    return None if value is None else value.astimezone(dt.UTC)


def get_or_fail(session: Session, model: type[T], key: Any, what: str) -> T:
    """The row of ``model`` with primary key ``key``, or `NotFoundError` naming it."""
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"{what} {key!r} does not exist")
    return row


def check_version(row: Any, expected: int | None, what: str) -> None:
    """Optimistic concurrency: ``expected`` must equal the stored version."""
    if expected is not None and row.version != expected:
        raise VersionConflictError(what, expected, row.version)


def snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of ``row``, for an audit entry's before/after."""
    return {name: getattr(row, name) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ."""
    return {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
