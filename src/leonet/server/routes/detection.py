"""Telemetry in, incidents out: ``/v1/telemetry``, ``/v1/detections``, ``/v1/incidents`` and
``/v1/suspension-requests`` (suspension under a two-person rule).

Ingestion takes batches (columnar JSON, Arrow or Parquet; see `leonet.server.telemetry_codec`)
and answers with what was stored and every row refused or noted. Detection runs the
detectors over a window of stored telemetry with the active policy and the registry's facts,
and stores the incidents; support requests a suspension, a second person decides it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from leonet.control.detect import DetectConfig, TerminalFacts, detect
from leonet.control.detect.config import KINDS, POLICY_KINDS
from leonet.control.registry import incidents, telemetry
from leonet.control.telemetry.store import TelemetryStore, default_store_dir
from leonet.errors import InputError
from leonet.physics.timegrid import iso_utc, parse_bound
from leonet.server import telemetry_codec as codec
from leonet.server.deps import IfMatch, etag, require
from leonet.server.permissions import Permission as P
from leonet.server.problems import Problem, invalid
from leonet.server.schemas.common import Id
from leonet.server.schemas.detection import (
    BatchOut,
    Decision,
    DetectionOut,
    DetectionRequest,
    IncidentOut,
    IncidentStatus,
    IngestOut,
    Kind,
    RequestStatus,
    SuspensionCreate,
    SuspensionOut,
    TelemetryOut,
)

router = APIRouter(prefix="/v1", tags=["telemetry and incidents"])
CanWriteTelemetry = require(P.TELEMETRY_WRITE)
CanReadTelemetry = require(P.TELEMETRY_READ)
CanDetect = require(P.DETECTIONS)
CanReadIncidents = require(P.INCIDENTS_READ)
CanWriteIncidents = require(P.INCIDENTS_WRITE)
CanDecideSuspensions = require(P.SUSPENSIONS_DECIDE)
RowId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=1000)]
After = Annotated[int, Query(ge=0, le=2**31 - 1, description="Only ids above this")]
MAX_ISSUES = 1000
# Reports one detection request may analyse (about 10 s and 1 GB at this size).
MAX_DETECTION_ROWS = 20_000_000
MAX_READ_ROWS = 100_000


def store_of(state) -> TelemetryStore:
    """The store of this service: ``settings.telemetry_dir``, else beside a SQLite database
    (``NAME-telemetry/``), else ``./leonet-telemetry``."""
    store = getattr(state, "telemetry_store", None)
    if store is None:
        folder = state.settings.telemetry_dir or default_store_dir(state.settings.database_url)
        store = TelemetryStore(folder)
        state.telemetry_store = store
    return store


# -- telemetry ---------------------------------------------------------------------------

_INGEST_OPENAPI = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": {
            "type": "object", "required": ["columns"], "additionalProperties": False,
            "properties": {"columns": {"type": "object", "required": list(codec.REQUIRED),
                                       "properties": {c: {} for c in codec.COLUMNS}}}}},
        codec.ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}},
        codec.PARQUET: {"schema": {"type": "string", "format": "binary"}},
    }},
}


def _issues_out(issues, json_body: bool) -> list[dict]:
    out = []
    for i in range(min(len(issues), MAX_ISSUES)):
        row, field = int(issues.row[i]), str(issues.field[i])
        pointer = (f"/columns/{field}/{row}" if json_body and field and row >= 0 else None)
        out.append({"row": row, "n_rows": int(issues.n_rows[i]), "pointer": pointer,
                    "terminal_id": str(issues.terminal_id[i]), "field": field,
                    "reason": str(issues.reason[i]), "dropped": bool(issues.dropped[i])})
    return out


@router.post("/telemetry", response_model=IngestOut, status_code=201,
             openapi_extra=_INGEST_OPENAPI,
             summary="Ingest a batch of reports (bad rows reported, the rest stored)",
             responses={200: {"description": "Nothing new: every row was already stored"},
                        422: {"description": "No row could be stored (see errors)"}})
async def ingest(request: Request, caller: CanWriteTelemetry) -> JSONResponse:
    body = await request.body()
    started = time.perf_counter()
    state = caller.state
    parsed = await run_in_threadpool(codec.parse, body, request.headers.get(
        "content-type", "application/json"), state.settings.max_batch_rows,
        state.settings.max_body_bytes)

    def work():
        return telemetry.ingest(state.db, store_of(state), caller.actor, parsed.columns,
                                source="REST batch", issues=parsed.log, rows=parsed.rows,
                                n_input=parsed.n_input)

    done = await run_in_threadpool(work)
    issues = done.issues
    answer = {"batch": None if done.batch is None else BatchOut.model_validate(
        done.batch).model_dump(mode="json"), "rows_received": done.rows_received,
        "rows_stored": done.rows_stored, "rows_dropped": issues.n_dropped,
        "rows_noted": int((~issues.dropped).sum()),
        "issues": _issues_out(issues, parsed.json),
        "issues_truncated": len(issues) > MAX_ISSUES}
    timing = {"Server-Timing": f"ingest;dur={(time.perf_counter() - started) * 1000:.3f}"}
    if done.rows_stored:
        return JSONResponse(answer, status_code=201, headers=timing)
    if done.batch is not None or (issues.n_dropped and all(
            "already stored" in r for r in issues.reason[issues.dropped].tolist())):
        return JSONResponse(answer, status_code=200, headers=timing)
    raise Problem(422, f"no row of the batch could be stored ({issues.n_dropped:,} of "
                       f"{done.rows_received:,} refused)", errors=[
        {"path": e["pointer"] or f"/rows/{e['row']}", "message": e["reason"]}
        for e in answer["issues"]])


@router.get("/telemetry", response_model=TelemetryOut,
            summary="Stored reports of some terminals in a time window, sorted")
def read_telemetry(caller: CanReadTelemetry,
                   terminal_id: Annotated[list[Id] | None, Query(max_length=1000)] = None,
                   start: dt.datetime | None = None, end: dt.datetime | None = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_READ_ROWS)] = 10_000
                   ) -> TelemetryOut:
    start, end = _window(start, end, "query:")
    if terminal_id is None and start is None and end is None:
        raise Problem(422, "name terminals (terminal_id=...) or a window (start, end): the "
                           "whole store is too much for one answer")
    tel = telemetry.load(caller.state.db, store_of(caller.state), start=start, end=end,
                         terminal_ids=terminal_id, max_rows=MAX_DETECTION_ROWS)
    n = min(len(tel), limit)
    cols = {"terminal_id": tel.terminal_id[:n].tolist(),
            "time": iso_utc(tel.time[:n], "ns").tolist()}
    for name in ("lat_deg", "lon_deg", "alt_m", "speed_kmh"):
        cols[name] = getattr(tel, name)[:n].tolist()
    cols["heading_deg"] = [None if np.isnan(v) else v for v in tel.heading_deg[:n].tolist()]
    cols["serving_sat"] = tel.serving_sat[:n].tolist()
    cols["height_agl_m"] = [None if np.isnan(v) else v for v in tel.height_agl_m[:n].tolist()]
    return TelemetryOut(n_rows=n, truncated=len(tel) > n, columns=cols)


@router.get("/telemetry/batches", response_model=list[BatchOut],
            summary="Stored batches, oldest first")
def list_batches(caller: CanReadTelemetry, after: After = 0, limit: Limit = 100
                 ) -> list[BatchOut]:
    with caller.read() as session:
        rows = [b for b in telemetry.batches_between(session, None, None) if b.id > after]
    return [BatchOut.model_validate(b) for b in rows[:limit]]


def _window(start: dt.datetime | None, end: dt.datetime | None, where: str
            ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The window ``start <= t < end``; a start before 1677 or an end after 2262 is open on
    that side (None), the other two out of range are refused (`parse_bound`); ``where``
    prefixes the pointers (``query:`` or ``/``)."""
    bounds = []
    for name, value, is_end in (("start", start, False), ("end", end, True)):
        if value is not None and value.tzinfo is None:
            raise invalid(f"{where}{name}", "give a time zone (e.g. 2026-02-03T10:00:00Z)")
        try:
            inside = value is not None and parse_bound(value, what=name, end=is_end) is not None
        except InputError as exc:
            raise invalid(f"{where}{name}", exc.what) from None
        bounds.append(value if inside else None)
    start, end = bounds
    if start is not None and end is not None and start >= end:
        raise invalid(f"{where}end", "start must be before end")
    return start, end


# -- detection ---------------------------------------------------------------------------

@router.post("/detections", response_model=DetectionOut, status_code=201,
             summary="Run the detectors over stored telemetry; store the incidents")
def run_detection(body: DetectionRequest, caller: CanDetect) -> DetectionOut:
    state = caller.state
    start, end = _window(body.start, body.end, "/")
    config = DetectConfig.from_mapping(body.config or {}, where="/config")
    tel = telemetry.load(state.db, store_of(state), start=start, end=end,
                         terminal_ids=body.terminal_ids, max_rows=MAX_DETECTION_ROWS)
    active = state.cache.active_policy(state.cache.sync())
    policy = None if active is None else active.policy
    kinds = body.kinds
    if kinds is None:
        kinds = [k for k in KINDS if policy is not None or k not in POLICY_KINDS]
    facts = TerminalFacts.from_registry(state.db, tel.terminals.tolist()) if len(tel) else None
    found = detect(tel, policy, terminals=facts, config=config, kinds=kinds)
    with state.db.write() as session:
        run, new = incidents.record_run(session, caller.actor, found,
                                        policy_id=None if active is None else active.id,
                                        window=(start, end), kinds=kinds, rows=len(tel))
        new_out = [IncidentOut.model_validate(i) for i in new[:1000]]
        by_kind: dict[str, int] = {}
        for i in new:
            by_kind[i.kind] = by_kind.get(i.kind, 0) + 1
        return DetectionOut(run_id=run.id, policy_id=run.policy_id, rows=len(tel),
                            terminals=tel.n_terminals, incidents_found=len(found),
                            incidents_new=len(new), by_kind=by_kind, notes=list(found.notes),
                            incidents=new_out)


@router.get("/incidents", response_model=list[IncidentOut], summary="Incidents, by id")
def list_incidents(caller: CanReadIncidents, kind: Kind | None = None,
                   terminal_id: Id | None = None, status: IncidentStatus | None = None,
                   run_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                   after: After = 0, limit: Limit = 100) -> list[IncidentOut]:
    with caller.read() as session:
        rows = incidents.list_incidents(session, kind=kind, terminal_id=terminal_id,
                                        status=status, run_id=run_id, after=after, limit=limit)
        return [IncidentOut.model_validate(r) for r in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentOut,
            summary="One incident (ETag: version)")
def get_incident(incident_id: RowId, caller: CanReadIncidents) -> JSONResponse:
    with caller.read() as session:
        row = incidents.get(session, incident_id)
        return JSONResponse(IncidentOut.model_validate(row).model_dump(mode="json"),
                            headers=etag(row.version))


@router.post("/incidents/{incident_id}/dismiss", response_model=IncidentOut,
             summary="Close an incident that needs no action (If-Match: its ETag)")
def dismiss(incident_id: RowId, body: Decision, caller: CanWriteIncidents,
            version: IfMatch) -> JSONResponse:
    with caller.state.db.write() as session:
        row = incidents.dismiss(session, caller.actor, incident_id, version, body.reason)
        return JSONResponse(IncidentOut.model_validate(row).model_dump(mode="json"),
                            headers=etag(row.version))


# -- suspension, two-person rule ---------------------------------------------------------

@router.post("/incidents/{incident_id}/suspension-requests", response_model=SuspensionOut,
             status_code=201, summary="Ask for the terminal's suspension (another decides)")
def request_suspension(incident_id: RowId, body: SuspensionCreate,
                       caller: CanWriteIncidents) -> JSONResponse:
    with caller.state.db.write() as session:
        row = incidents.request_suspension(session, caller.actor, incident_id, body.reason)
        return JSONResponse(SuspensionOut.model_validate(row).model_dump(mode="json"),
                            status_code=201, headers=etag(row.version))


@router.post("/terminals/{terminal_id}/reinstatement-requests", response_model=SuspensionOut,
             status_code=201, summary="Ask to lift a two-person suspension (another decides)")
def request_reinstatement(terminal_id: Id, body: SuspensionCreate,
                          caller: CanWriteIncidents) -> JSONResponse:
    with caller.state.db.write() as session:
        row = incidents.request_reinstatement(session, caller.actor, terminal_id, body.reason)
        return JSONResponse(SuspensionOut.model_validate(row).model_dump(mode="json"),
                            status_code=201, headers=etag(row.version))


@router.get("/suspension-requests", response_model=list[SuspensionOut],
            summary="Suspension requests, by id")
def list_suspensions(caller: CanReadIncidents, status: RequestStatus | None = None,
                     after: After = 0, limit: Limit = 100) -> list[SuspensionOut]:
    with caller.read() as session:
        rows = incidents.list_requests(session, status=status, after=after, limit=limit)
        return [SuspensionOut.model_validate(r) for r in rows]


def _decide(request_id: int, body: Decision, caller, version: int | None, approve: bool):
    with caller.state.db.write() as session:
        row = incidents.decide(session, caller.actor, request_id, version, approve,
                               body.reason)
        return JSONResponse(SuspensionOut.model_validate(row).model_dump(mode="json"),
                            headers=etag(row.version))


@router.post("/suspension-requests/{request_id}/approve", response_model=SuspensionOut,
             summary="Approve: suspend the terminal (not by the person who asked)")
def approve(request_id: RowId, body: Decision, caller: CanDecideSuspensions,
            version: IfMatch) -> JSONResponse:
    return _decide(request_id, body, caller, version, True)


@router.post("/suspension-requests/{request_id}/reject", response_model=SuspensionOut,
             summary="Reject: the incident is open again")
def reject(request_id: RowId, body: Decision, caller: CanDecideSuspensions,
           version: IfMatch) -> JSONResponse:
    return _decide(request_id, body, caller, version, False)



