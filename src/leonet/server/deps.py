"""Dependencies as ``Annotated`` aliases: routes declare *who* may call them by type.

``caller: CanWriteTerminals`` authenticates the bearer token (401 when missing, unknown,
expired or revoked) and checks the role's permission (403 when the role lacks it).
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session

from leonet.control.registry.audit import Actor
from leonet.server.permissions import Permission, allowed
from leonet.server.problems import Problem
from leonet.server.state import ServiceState

_bearer = HTTPBearer(auto_error=False, description="A token from `leonet admin create-token`.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="leonet"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="leonet", error="invalid_token"'}


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in
# its thread pool, a thread hop per request for an attribute lookup.
async def get_state(request: Request) -> ServiceState:
    return request.app.state.leonet


StateDep = Annotated[ServiceState, Depends(get_state)]


class Caller:
    """An authenticated request: who, the cache's sequence number, and the service."""

    def __init__(self, actor: Actor, seq: int, state: ServiceState) -> None:
        self.actor = actor
        self.seq = seq
        self.state = state

    def read(self) -> AbstractContextManager[Session]:
        """A read session for this request (``with caller.read() as session:``)."""
        return self.state.db.read()


def _caller(state: ServiceState, token: str | None, permission: Permission) -> Caller:
    # Runs on the event loop: a cache hit costs one indexed query (the audit head), no
    # thread hop and no session; see `RegistryCache`. A flat dependency, not a generator:
    # FastAPI's exit-stack machinery for generators costs more than everything else here.
    if token is None:
        raise Problem(401, "this route needs a bearer token (Authorization: Bearer lnt_...)",
                      headers=_CHALLENGE)
    seq = state.cache.sync()
    actor = state.cache.authenticate(token, seq)
    if actor is None:
        raise Problem(401, "the token is invalid, expired or revoked", headers=_INVALID)
    if not allowed(actor.role, permission):
        raise Problem(403, f"role {actor.role!r} may not use this route "
                           f"(needs {permission.value!r})")
    return Caller(actor, seq, state)


def authorize(state: ServiceState, authorization: str | None,
              permission: Permission) -> Caller:
    """As the ``require(permission)`` dependency, from the raw ``Authorization`` header
    (read as `HTTPBearer` reads it), for code that answers requests without FastAPI."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return _caller(state, None, permission)
    return _caller(state, token, permission)


def require(permission: Permission):
    """An ``Annotated[Caller, ...]`` alias admitting only roles granted ``permission``: 401
    without a valid token, 403 for a role that lacks the permission."""

    async def check(
        state: StateDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        return _caller(state, None if credentials is None else credentials.credentials,
                       permission)

    check.__name__ = f"require_{permission.name.lower()}"
    # Read back by `leonet.server.rights`: which routes a role may call, from the routes.
    check.permission = permission  # type: ignore[attr-defined]
    return Annotated[Caller, Depends(check)]


P = Permission
CanAdminTokens = require(P.TOKENS)
CanReadPrincipals = require(P.PRINCIPALS_READ)
CanReadSponsors = require(P.SPONSORS_READ)
CanWriteSponsors = require(P.SPONSORS_WRITE)
CanReadAccounts = require(P.ACCOUNTS_READ)
CanWriteAccounts = require(P.ACCOUNTS_WRITE)
CanReadTerminals = require(P.TERMINALS_READ)
CanWriteTerminals = require(P.TERMINALS_WRITE)
CanReadFunding = require(P.FUNDING_READ)
CanWriteFunding = require(P.FUNDING_WRITE)
CanReadWhitelist = require(P.WHITELIST_READ)
CanWriteWhitelist = require(P.WHITELIST_WRITE)
CanReadTransfers = require(P.TRANSFERS_READ)
CanWriteTransfers = require(P.TRANSFERS_WRITE)
CanReadTransferRules = require(P.TRANSFER_RULES_READ)
CanWriteTransferRules = require(P.TRANSFER_RULES_WRITE)
CanReadPolicies = require(P.POLICIES_READ)
CanWritePolicies = require(P.POLICIES_WRITE)
CanApprovePolicies = require(P.POLICIES_APPROVE)
CanDecide = require(P.DECISIONS)
CanReadAudit = require(P.AUDIT_READ)
AnyRole = require(P.WHOAMI)

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; If-Match is "*" or a list.
_ENTITY_TAG_RE = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')
_VERSION_RE = re.compile(r"^\d{1,9}$")


async def if_match(
    if_match: Annotated[str | None, Header(
        description='The ETag from your last read, e.g. "3": the change applies only if the '
                    'record is still at that version (else 412). `*` applies it to whatever '
                    "version is current. Compared strongly (RFC 9110 §13.1.1): a weak ETag "
                    '(W/"3") never matches.')] = None,
) -> int | None:
    """The version ``If-Match`` asks for, or None for ``*`` (any current version)."""
    if if_match is None:
        raise Problem(428, "send If-Match with the ETag you read (e.g. If-Match: \"3\") so "
                           "that concurrent edits cannot overwrite each other")
    if if_match.strip() == "*":
        return None
    tags, pos = [], 0
    while pos < len(if_match):
        match = _ENTITY_TAG_RE.match(if_match, pos)
        if match is None or match.end() == pos:
            raise Problem(400, f"If-Match {if_match[:80]!r} is not a list of ETags (RFC 9110: "
                               'e.g. If-Match: "3")')
        tags.append((match.group(1) is not None, match.group(2)))
        pos = match.end()
    strong = sorted({tag for weak, tag in tags if not weak})
    if not strong:
        raise Problem(412, "If-Match compares ETags strongly (RFC 9110 §13.1.1): a weak ETag "
                           '(W/"...") never matches; send the ETag as read, e.g. "3"')
    ours = [tag for tag in strong if _VERSION_RE.match(tag)]
    if not ours:  # a tag this API never issued cannot match the current version
        raise Problem(412, f"If-Match {if_match[:80]!r} matches no version of this record")
    if len(ours) > 1:
        raise Problem(400, "send one ETag in If-Match: the one you last read")
    return int(ours[0])


IfMatch = Annotated[int | None, Depends(if_match)]


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
