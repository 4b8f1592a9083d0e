"""Principals: the people and service accounts that tokens speak for.

Separation of duties needs identities an actor cannot mint for itself. A token's subject is
just a label; two-person rules compare *principals*. Only admins create principals (through
`create`, or by issuing a token for a new name), and the registry keeps who created each one
and when. `check_two_persons` refuses an approval

* by the author's own principal (any of its tokens, any spelling of its name), or
* when one of the two principals was created by the other (an admin who mints a principal
  for itself on the spot cannot approve its own work with it, nor approve work of a principal
  it just made).

Names are compared after Unicode NFKC normalisation and case folding (`name_key`).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import AlreadyExistsError, NotFoundError, RuleViolationError
from leonet.control.registry.models import Principal
from leonet.errors import InputError

KINDS = ("person", "service")
MAX_NAME_CHARS = 128


def name_key(name: str) -> str:
    """``name`` as compared: NFKC, case-folded, NFKC again (Unicode's NFKC_Casefold recipe,
    UAX #15 / Unicode 3.13), stripped."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def check_name(name: str, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise InputError("must not be empty", field)
    if len(name) > MAX_NAME_CHARS or len(name_key(name)) > MAX_NAME_CHARS:
        raise InputError(f"is longer than {MAX_NAME_CHARS} characters", field)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise InputError("contains control, format or unassigned characters", field)
    return name.strip()


def find(session: Session, name: str) -> Principal | None:
    """The principal whose name matches ``name`` (NFKC, case-insensitive), if any."""
    return session.execute(
        select(Principal).where(Principal.name_key == name_key(name))).scalar_one_or_none()


def get(session: Session, principal_id: int) -> Principal:
    row = session.get(Principal, principal_id)
    if row is None:
        raise NotFoundError(f"principal {principal_id} does not exist")
    return row


def list_principals(session: Session) -> list[Principal]:
    return list(session.execute(select(Principal).order_by(Principal.id)).scalars())


def create(session: Session, actor: Actor, name: str, kind: str = "person",
           reason: str = "", log: bool = True) -> Principal:
    """A new principal, created by ``actor`` (an admin, or the command line). ``log=False``
    when the caller's own audit entry records the creation (a token for a new name)."""
    name = check_name(name)
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", "kind")
    existing = find(session, name)
    if existing is not None:
        raise AlreadyExistsError(f"principal {existing.name!r} (id {existing.id}) already "
                                 f"exists; names are compared ignoring case and width")
    row = Principal(name=name, name_key=name_key(name), kind=kind,
                    created_by_principal_id=actor.principal_id, created_by=actor.subject,
                    created_at=audit.utc_now())
    session.add(row)
    session.flush()
    if log:
        audit.append(session, actor, "principal.create", "principal", row.id,
                     {"name": name, "kind": kind,
                      "created_by_principal_id": actor.principal_id}, reason, at=row.created_at)
    return row


def find_or_create(session: Session, actor: Actor, name: str) -> tuple[Principal, bool]:
    """The principal named ``name``, created (as a person) by ``actor`` if there is none,
    unlogged (the caller's entry records it); and whether it was created."""
    found = find(session, check_name(name, "subject"))
    if found is not None:
        return found, False
    return create(session, actor, name, log=False), True


def _principal_of(session: Session, principal_id: int | None, name: str) -> Principal | None:
    if principal_id is not None:
        return session.get(Principal, principal_id)
    return find(session, name)


def check_two_persons(session: Session, author_id: int | None, author_name: str,
                      approver: Actor, what: str) -> None:
    """Refuse (`RuleViolationError`) when ``approver`` is not a second person for ``what``,
    which the principal ``author_id`` (named ``author_name``) asked for or wrote."""
    author = _principal_of(session, author_id, author_name)
    second = _principal_of(session, approver.principal_id, approver.subject)
    if name_key(author_name) == name_key(approver.subject) or (
            author is not None and second is not None and author.id == second.id):
        raise RuleViolationError(
            f"two-person rule: {approver.subject!r} is the same principal as {author_name!r}, "
            f"who {what}; another person must")
    if author is None or second is None:
        return
    if second.created_by_principal_id == author.id:
        raise RuleViolationError(
            f"two-person rule: principal {second.name!r} was created by {author.name!r}, who "
            f"{what}; a principal someone created cannot be their second person")
    if author.created_by_principal_id == second.id:
        raise RuleViolationError(
            f"two-person rule: {author.name!r}, who {what}, was created by {second.name!r}; "
            "one cannot approve the work of a principal one created")
