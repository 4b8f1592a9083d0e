"""Which role may do what. Routes name a `Permission`; this table is the only place that
grants it. Sponsors are further limited to their own terminals by the registry itself."""

from __future__ import annotations

import enum

from leonet.control.registry.models import Role


class Permission(enum.StrEnum):
    TOKENS = "tokens"
    PRINCIPALS_READ = "principals:read"
    SPONSORS_READ = "sponsors:read"
    SPONSORS_WRITE = "sponsors:write"
    ACCOUNTS_READ = "accounts:read"
    ACCOUNTS_WRITE = "accounts:write"
    TERMINALS_READ = "terminals:read"
    TERMINALS_WRITE = "terminals:write"
    FUNDING_READ = "funding:read"
    FUNDING_WRITE = "funding:write"
    WHITELIST_READ = "whitelist:read"
    WHITELIST_WRITE = "whitelist:write"
    TRANSFERS_READ = "transfers:read"
    TRANSFERS_WRITE = "transfers:write"
    TRANSFER_RULES_READ = "transfer-rules:read"
    TRANSFER_RULES_WRITE = "transfer-rules:write"
    POLICIES_READ = "policies:read"
    POLICIES_WRITE = "policies:write"
    POLICIES_APPROVE = "policies:approve"
    DECISIONS = "decisions"
    AUDIT_READ = "audit:read"
    TELEMETRY_WRITE = "telemetry:write"
    TELEMETRY_READ = "telemetry:read"
    DETECTIONS = "detections:run"
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_WRITE = "incidents:write"
    SUSPENSIONS_DECIDE = "suspensions:decide"
    WHOAMI = "whoami"


P = Permission
_READS = {P.PRINCIPALS_READ, P.SPONSORS_READ, P.ACCOUNTS_READ, P.TERMINALS_READ,
          P.FUNDING_READ, P.WHITELIST_READ, P.TRANSFERS_READ, P.TRANSFER_RULES_READ,
          P.POLICIES_READ, P.TELEMETRY_READ, P.INCIDENTS_READ}
# Telemetry comes from the operator's network (support's side); support runs the detectors
# and handles incidents; suspending a terminal takes a second person (two-person rule).
_DETECTION = {P.TELEMETRY_WRITE, P.TELEMETRY_READ, P.DETECTIONS, P.INCIDENTS_READ,
              P.INCIDENTS_WRITE, P.SUSPENSIONS_DECIDE}
_EVERYONE = {P.WHOAMI, P.TRANSFER_RULES_READ}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.POLICY_AUTHOR: frozenset(_EVERYONE | {P.POLICIES_READ, P.POLICIES_WRITE, P.DECISIONS}),
    Role.POLICY_APPROVER: frozenset(
        _EVERYONE | {P.POLICIES_READ, P.POLICIES_APPROVE, P.DECISIONS}),
    Role.SUPPORT: frozenset(_EVERYONE | {
        P.SPONSORS_READ, P.ACCOUNTS_READ, P.ACCOUNTS_WRITE, P.TERMINALS_READ, P.TERMINALS_WRITE,
        P.FUNDING_READ, P.WHITELIST_READ, P.WHITELIST_WRITE, P.TRANSFERS_READ,
        P.TRANSFERS_WRITE, P.POLICIES_READ, P.DECISIONS} | _DETECTION),
    # Read-only: everything, including the audit log (which only it and admins read).
    Role.AUDITOR: frozenset(_EVERYONE | _READS | {P.AUDIT_READ, P.DECISIONS}),
    Role.SPONSOR: frozenset(_EVERYONE | {
        P.SPONSORS_READ, P.TERMINALS_READ, P.FUNDING_READ, P.FUNDING_WRITE, P.DECISIONS}),
}


def allowed(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
