"""Models of telemetry batches, detection runs, incidents and suspension requests."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, Field

from leonet.control.detect.config import KINDS
from leonet.server.schemas.common import Id, Reason, Request, Response

Kind = Literal[KINDS]  # type: ignore[valid-type]
IncidentStatus = Literal["open", "suspension_requested", "suspended", "dismissed"]
RequestStatus = Literal["pending", "approved", "rejected"]


class RowIssueOut(Response):
    row: int = Field(description="0-based row of the batch (-1: a block, see n_rows)")
    n_rows: int
    pointer: str | None = Field(description="JSON Pointer into a JSON body")
    terminal_id: str
    field: str
    reason: str
    dropped: bool


class BatchOut(Response):
    id: int
    file: str
    sha256: str
    rows: int
    rows_dropped: int
    terminals: int
    min_time: dt.datetime
    max_time: dt.datetime
    received_at: dt.datetime
    received_by: str


class IngestOut(Response):
    batch: BatchOut | None = Field(description="The stored batch; null when no row was new")
    rows_received: int
    rows_stored: int
    rows_dropped: int
    rows_noted: int = Field(description="Rows kept with a note (out of order, ...)")
    issues: list[RowIssueOut] = Field(description="The first 1,000 rows refused or noted")
    issues_truncated: bool


class DetectionRequest(Request):
    start: AwareDatetime | None = Field(None, description="Reports from this instant")
    end: AwareDatetime | None = Field(None, description="Reports before this instant")
    kinds: list[Kind] | None = Field(None, description="Detectors to run (default: all)")
    terminal_ids: list[Id] | None = Field(None, max_length=100_000)
    config: dict[str, int | float | list | dict] | None = Field(
        None, description="Detector thresholds to override (DetectConfig names, e.g. "
        '{"max_travel_speed_kmh": 900, "contact_regions": ["ua-occupied"]})')
    reason: Reason = ""


class IncidentOut(Response):
    id: int
    run_id: int
    terminal_id: str
    kind: str
    start_at: dt.datetime
    end_at: dt.datetime
    evidence: str
    rule: str
    n_reports: int
    lat_deg: float
    lon_deg: float
    status: str
    version: int


class DetectionOut(Response):
    run_id: int
    policy_id: int | None
    rows: int
    terminals: int
    incidents_found: int
    incidents_new: int
    by_kind: dict[str, int]
    notes: list[str]
    incidents: list[IncidentOut] = Field(description="The new incidents (first 1,000)")


class SuspensionCreate(Request):
    reason: Reason = Field(min_length=1)


class Decision(Request):
    reason: Reason = Field(min_length=1)


class SuspensionOut(Response):
    id: int
    action: str = Field(description="suspend, or reinstate (lift a two-person suspension)")
    terminal_id: str
    incident_id: int
    requested_by: str
    requested_at: dt.datetime
    reason: str
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    version: int


class TelemetryOut(Response):
    n_rows: int
    truncated: bool
    columns: dict[str, list]
