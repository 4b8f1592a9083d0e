"""Incidents in the registry, and suspension under a two-person rule.

A detection run stores its incidents (a finding already recorded — same terminal, kind,
start and rule — is not stored twice) with one audit entry. Anyone allowed may *request* a
terminal's suspension over an incident; a *different* person approves (the terminal goes
``active`` → ``suspended`` through the terminal lifecycle, audited there too) or rejects it.
An incident that needs no action is dismissed, with a reason.
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit, terminals
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
                            requested_by=actor.subject, requested_at=now, reason=reason,
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


def decide(session: Session, actor: Actor, request_id: int, expected_version: int | None,
           approve: bool, reason: str) -> SuspensionRequest:
    """Approve (suspend the terminal) or reject a pending request. Two-person rule: the
    person who asked cannot decide."""
    _reason(reason)
    req = get_request(session, request_id)
    check_version(req, expected_version, f"suspension request {request_id}")
    if req.status != "pending":
        raise RuleViolationError(f"suspension request {request_id} was already {req.status}")
    if req.requested_by == actor.subject:
        raise RuleViolationError(
            f"two-person rule: {actor.subject!r} asked for this suspension and cannot also "
            "decide it; another person must")
    inc = get(session, req.incident_id)
    now = audit.utc_now()
    if approve:
        terminal = session.get(Terminal, req.terminal_id)
        terminals.update(session, actor, req.terminal_id, terminal.version,
                         f"suspension request {req.id} (incident {inc.id}, {inc.kind}): "
                         f"{reason}", status=TerminalStatus.SUSPENDED.value)
        inc.status = SUSPENDED
    else:
        inc.status = OPEN
    inc.version += 1
    req.status = "approved" if approve else "rejected"
    req.decided_by = actor.subject
    req.decided_at = now
    req.decision_reason = reason
    req.version += 1
    session.flush()
    audit.append(session, actor, f"suspension.{'approve' if approve else 'reject'}",
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
