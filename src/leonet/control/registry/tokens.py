"""Bearer tokens: ``lnt_<id>_<secret>``, the secret stored only as its SHA-256.

The secret is 32 random bytes, so a plain SHA-256 is enough (no password stretching needed:
there is nothing to guess). There are no default credentials: the first admin token comes
from `bootstrap`, which refuses to run a second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leonet.control.registry import audit, principals
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import AlreadyBootstrappedError, NotFoundError
from leonet.control.registry.models import ApiToken, Role, Sponsor
from leonet.control.registry.records import check_aware
from leonet.errors import InputError

PREFIX = "lnt"


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: ``token`` is shown once and never stored."""

    id: int
    token: str
    subject: str
    role: str
    sponsor_id: str | None
    expires_at: dt.datetime | None
    principal_id: int


def secret_digest(secret: str) -> str:
    """What the registry stores of a token's secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(token: str) -> tuple[int, str] | None:
    """``(id, secret)`` from ``lnt_<id>_<secret>``, or None if it is not of that form."""
    parts = token.split("_", 2)
    # ASCII digits only: str.isdigit() is also true of "²" or "١", which int() refuses.
    if len(parts) != 3 or parts[0] != PREFIX or not parts[2]:
        return None
    if not (parts[1].isascii() and parts[1].isdigit()) or len(parts[1]) > 12:
        return None
    return int(parts[1]), parts[2]


def check_role(role: str, sponsor_id: str | None) -> Role:
    """The role named ``role``; a sponsor token needs a sponsor, other roles must not have one."""
    try:
        parsed = Role(role)
    except ValueError:
        raise InputError(
            f"unknown role {role!r}; expected one of {', '.join(r.value for r in Role)}", "role"
        ) from None
    if (parsed is Role.SPONSOR) != (sponsor_id is not None):
        raise InputError(
            "a sponsor token needs --sponsor ID" if parsed is Role.SPONSOR
            else f"only sponsor tokens name a sponsor, not {parsed.value} tokens",
            "sponsor",
        )
    return parsed


def issue(
    session: Session,
    actor: Actor,
    role: str,
    *,
    sponsor_id: str | None = None,
    subject: str | None = None,
    principal_id: int | None = None,
    expires_at: dt.datetime | None = None,
    reason: str = "",
) -> IssuedToken:
    """Create a token for ``role`` (in a `Database.write` transaction), held by the principal
    ``principal_id``, else by the principal named ``subject`` (created by ``actor`` when there
    is none), else by a new principal ``ROLE-ID``. The token's subject is the principal's
    name."""
    parsed = check_role(role, sponsor_id)
    expires_at = check_aware(expires_at, "expires_at")
    now = audit.utc_now()
    if expires_at is not None and expires_at <= now:
        raise InputError("the expiry is in the past", "expires_at")
    if sponsor_id is not None and session.get(Sponsor, sponsor_id) is None:
        raise NotFoundError(f"sponsor {sponsor_id!r} does not exist")
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        secret_sha256=secret_digest(secret), subject="", role=parsed.value, sponsor_id=sponsor_id,
        created_at=now, expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    created = False
    if principal_id is not None:
        holder = principals.get(session, principal_id)
        if subject is not None and principals.name_key(subject) != holder.name_key:
            raise InputError(f"names principal {holder.name!r}, not {subject!r}; give one",
                             "subject")
    else:
        holder, created = principals.find_or_create(
            session, actor, subject or f"{parsed.value}-{row.id}")
    row.subject, row.principal_id = holder.name, holder.id
    audit.append(
        session, actor, "token.issue", "token", row.id,
        {"role": row.role, "subject": row.subject, "principal_id": holder.id,
         "principal_created": created, "sponsor_id": sponsor_id, "expires_at": expires_at},
        reason,
    )
    return IssuedToken(row.id, f"{PREFIX}_{row.id}_{secret}", row.subject, row.role,
                       sponsor_id, expires_at, holder.id)


def bootstrap(session: Session, subject: str = "admin") -> IssuedToken:
    """The first admin token; refused once any token has ever been issued."""
    if session.execute(select(func.count()).select_from(ApiToken)).scalar_one():
        raise AlreadyBootstrappedError(
            "this registry is already bootstrapped (tokens exist); ask an admin for a token "
            "or use `leonet admin create-token`"
        )
    cli = Actor(subject="bootstrap", role=Role.ADMIN.value)
    return issue(session, cli, Role.ADMIN.value, subject=subject,
                 reason="first admin (leonet admin bootstrap)")


def revoke(session: Session, actor: Actor, token_id: int, reason: str = "") -> ApiToken:
    """Revoke a token now; requests carrying it answer 401 from then on."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = audit.utc_now()
        audit.append(session, actor, "token.revoke", "token", token_id,
                     {"subject": row.subject, "role": row.role}, reason)
    return row


def authenticate(session: Session, token: str, now: dt.datetime | None = None) -> Actor | None:
    """The actor a presented token speaks for, or None if it is unknown, wrong, revoked or
    expired (all of which the API answers with 401)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    row = session.get(ApiToken, parsed[0])
    if row is None or not hmac.compare_digest(row.secret_sha256, secret_digest(parsed[1])):
        return None
    now = now or audit.utc_now()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Actor(subject=row.subject, role=row.role, sponsor_id=row.sponsor_id, token_id=row.id,
                 principal_id=row.principal_id)


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token ever issued (secrets are not stored, so none is shown)."""
    return list(session.execute(select(ApiToken).order_by(ApiToken.id)).scalars())
