"""Incidents in the registry, and suspension under a two-person rule.

A detection run stores its incidents (a finding already recorded — same terminal, kind,
start and rule — is not stored twice) with one audit entry. Anyone allowed may *request* a
terminal's suspension over an incident; a *different* person approves (the terminal goes
``active`` → ``suspended`` through the terminal lifecycle, audited there too) or rejects it.
Lifting such a suspension takes two people as well: a reinstatement request, approved by
another person. "Different person" means a different principal, not merely another token or
spelling, nor a principal one of them created (`principals.check_two_persons`).
An incident that needs no action is dismissed, with a reason.
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit, principals, terminals
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import NotFoundError, RuleViolationError
from leonet.control.registry.models import (
    DetectionRun,
    Incident,
    SuspensionRequest,
    Terminal,
    TerminalStatus,
)
from leonet.control.registry.records import check_version
from leonet.control.registry.telemetry import to_datetime
from leonet.errors import InputError

OPEN, REQUESTED, SUSPENDED, DISMISSED = "open", "suspension_requested", "suspended", "dismissed"


def record_run(session: Session, actor: Actor, found, *, policy_id: int | None, window,
               kinds, rows: int) -> tuple[DetectionRun, list[Incident]]:
    """Store a run and its new incidents (``found`` is an `Incidents`)."""
    now = audit.utc_now()
    run = DetectionRun(started_at=now, by=actor.subject, policy_id=policy_id,
                       window_start=window[0], window_end=window[1],
                       kinds=json.dumps(list(kinds)), rows=rows, incidents=0,
                       notes="\n".join(found.notes))
    session.add(run)
    session.flush()
    seen = set()
    if len(found):
        ids = sorted(set(found.terminal_id.tolist()))
        for k in range(0, len(ids), 2000):
            seen.update(session.execute(
                select(Incident.terminal_id, Incident.kind, Incident.start_at, Incident.rule)
                .where(Incident.terminal_id.in_(ids[k:k + 2000]))).all())
    new = []
    start_ns = found.start.view(np.int64)
    end_ns = found.end.view(np.int64)
    for i in range(len(found)):
        start = to_datetime(int(start_ns[i]))
        key = (str(found.terminal_id[i]), str(found.kind[i]), start, str(found.rule[i]))
        if key in seen:
            continue
        seen.add(key)
        new.append(Incident(run_id=run.id, terminal_id=key[0], kind=key[1], start_at=start,
                            end_at=to_datetime(int(end_ns[i])),
                            evidence=str(found.evidence[i]), rule=key[3],
                            n_reports=int(found.n_reports[i]), lat_deg=float(found.lat_deg[i]),
                            lon_deg=float(found.lon_deg[i]), status=OPEN, version=1))
    session.add_all(new)
    run.incidents = len(new)
    session.flush()
    by_kind: dict[str, int] = {}
    for inc in new:
        by_kind[inc.kind] = by_kind.get(inc.kind, 0) + 1
    audit.append(session, actor, "detection.run", "detection", run.id, {
        "policy_id": policy_id, "window": [window[0], window[1]], "kinds": list(kinds),
        "rows": rows, "incidents_found": len(found), "incidents_new": len(new),
        "by_kind": by_kind}, at=now)
    return run, new


def get(session: Session, incident_id: int) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise NotFoundError(f"incident {incident_id} does not exist")
    return row


def list_incidents(session: Session, *, kind: str | None = None, terminal_id: str | None = None,
                   status: str | None = None, run_id: int | None = None, after: int = 0,
                   limit: int = 100) -> list[Incident]:
    query = select(Incident).where(Incident.id > after).order_by(Incident.id).limit(limit)
    for column, value in ((Incident.kind, kind), (Incident.terminal_id, terminal_id),
                          (Incident.status, status), (Incident.run_id, run_id)):
        if value is not None:
            query = query.where(column == value)
    return list(session.execute(query).scalars())


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InputError("say why (it goes into the audit log)", "reason")
    return reason


def request_suspension(session: Session, actor: Actor, incident_id: int, reason: str
                       ) -> SuspensionRequest:
    """Ask for the incident's terminal to be suspended (a second person decides)."""
    _reason(reason)
    inc = get(session, incident_id)
    if inc.status != OPEN:
        raise RuleViolationError(f"incident {incident_id} is {inc.status.replace('_', ' ')}, "
                                 "not open")
    terminal = session.get(Terminal, inc.terminal_id)
    if terminal.status != TerminalStatus.ACTIVE:
        raise RuleViolationError(f"terminal {inc.terminal_id!r} is {terminal.status}: only an "
                                 "active terminal can be suspended")
    pending = session.execute(select(SuspensionRequest.id).where(
        SuspensionRequest.terminal_id == inc.terminal_id,
        SuspensionRequest.status == "pending")).scalar_one_or_none()
    if pending is not None:
        raise RuleViolationError(f"terminal {inc.terminal_id!r} already has a pending "
                                 f"suspension request ({pending})")
    now = audit.utc_now()
    req = SuspensionRequest(terminal_id=inc.terminal_id, incident_id=inc.id,
                            requested_by=actor.subject,
                            requested_by_principal_id=actor.principal_id, action="suspend",
                            requested_at=now, reason=reason,
                            status="pending", decision_reason="", version=1)
    session.add(req)
    inc.status = REQUESTED
    inc.version += 1
    session.flush()
    audit.append(session, actor, "suspension.request", "suspension", req.id, {
        "terminal_id": inc.terminal_id, "incident_id": inc.id, "kind": inc.kind}, reason,
        at=now)
    return req


def get_request(session: Session, request_id: int) -> SuspensionRequest:
    row = session.get(SuspensionRequest, request_id)
    if row is None:
        raise NotFoundError(f"suspension request {request_id} does not exist")
    return row


def list_requests(session: Session, *, status: str | None = None, after: int = 0,
                  limit: int = 100) -> list[SuspensionRequest]:
    query = (select(SuspensionRequest).where(SuspensionRequest.id > after)
             .order_by(SuspensionRequest.id).limit(limit))
    if status is not None:
        query = query.where(SuspensionRequest.status == status)
    return list(session.execute(query).scalars())


def request_reinstatement(session: Session, actor: Actor, terminal_id: str, reason: str
                          ) -> SuspensionRequest:
    """Ask to lift a suspension that two people approved (a second person decides)."""
    _reason(reason)
    terminal = terminals.get(session, actor, terminal_id)
    if terminal.status != TerminalStatus.SUSPENDED:
        raise RuleViolationError(f"terminal {terminal_id!r} is {terminal.status}, not suspended")
    last = session.execute(select(SuspensionRequest).where(
        SuspensionRequest.terminal_id == terminal_id, SuspensionRequest.status == "approved")
        .order_by(SuspensionRequest.id.desc()).limit(1)).scalar_one_or_none()
    if last is None or last.action != "suspend":
        raise RuleViolationError(
            f"terminal {terminal_id!r} was suspended by one person (an emergency action): "
            "lift it with PATCH /v1/terminals/{id} {\"status\": \"active\"}")
    pending = session.execute(select(SuspensionRequest.id).where(
        SuspensionRequest.terminal_id == terminal_id,
        SuspensionRequest.status == "pending")).scalar_one_or_none()
    if pending is not None:
        raise RuleViolationError(f"terminal {terminal_id!r} already has a pending request "
                                 f"({pending})")
    now = audit.utc_now()
    req = SuspensionRequest(terminal_id=terminal_id, incident_id=last.incident_id,
                            requested_by=actor.subject,
                            requested_by_principal_id=actor.principal_id, action="reinstate",
                            requested_at=now, reason=reason, status="pending",
                            decision_reason="", version=1)
    session.add(req)
    session.flush()
    audit.append(session, actor, "reinstatement.request", "suspension", req.id, {
        "terminal_id": terminal_id, "suspension_request_id": last.id}, reason, at=now)
    return req


def decide(session: Session, actor: Actor, request_id: int, expected_version: int | None,
           approve: bool, reason: str) -> SuspensionRequest:
    """Approve or reject a pending request: a suspension (approving suspends the terminal)
    or a reinstatement (approving makes it active again). Two-person rule: the principal who
    asked cannot decide, nor a principal related to it by creation."""
    _reason(reason)
    req = get_request(session, request_id)
    check_version(req, expected_version, f"suspension request {request_id}")
    if req.status != "pending":
        raise RuleViolationError(f"suspension request {request_id} was already {req.status}")
    kind = "suspension" if req.action == "suspend" else "reinstatement"
    principals.check_two_persons(session, req.requested_by_principal_id, req.requested_by,
                                 actor, f"asked for this {kind}")
    inc = get(session, req.incident_id)
    now = audit.utc_now()
    if approve:
        terminal = session.get(Terminal, req.terminal_id)
        status = TerminalStatus.SUSPENDED if kind == "suspension" else TerminalStatus.ACTIVE
        terminals.update(session, actor, req.terminal_id, terminal.version,
                         f"{kind} request {req.id} (incident {inc.id}, {inc.kind}): "
                         f"{reason}", two_person=True, status=status.value)
    if kind == "suspension":
        inc.status = SUSPENDED if approve else OPEN
        inc.version += 1
    req.status = "approved" if approve else "rejected"
    req.decided_by = actor.subject
    req.decided_by_principal_id = actor.principal_id
    req.decided_at = now
    req.decision_reason = reason
    req.version += 1
    session.flush()
    audit.append(session, actor, f"{kind}.{'approve' if approve else 'reject'}",
                 "suspension", req.id, {"terminal_id": req.terminal_id,
                                        "incident_id": inc.id, "requested_by": req.requested_by,
                                        "version": req.version}, reason, at=now)
    return req


def dismiss(session: Session, actor: Actor, incident_id: int, expected_version: int | None,
            reason: str) -> Incident:
    """Close an incident that needs no action (a false alarm, already handled)."""
    _reason(reason)
    inc = get(session, incident_id)
    check_version(inc, expected_version, f"incident {incident_id}")
    if inc.status != OPEN:
        raise RuleViolationError(f"incident {incident_id} is {inc.status.replace('_', ' ')}; "
                                 "only an open incident can be dismissed")
    inc.status = DISMISSED
    inc.version += 1
    session.flush()
    audit.append(session, actor, "incident.dismiss", "incident", inc.id, {
        "terminal_id": inc.terminal_id, "kind": inc.kind, "version": inc.version}, reason)
    return inc
