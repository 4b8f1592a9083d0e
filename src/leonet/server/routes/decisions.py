"""``POST /v1/decisions``: may these terminals connect, here, now, at this speed?

One row or a batch (columnar JSON or Arrow; see `leonet.server.decision_codec`), decided by
the active policy with the registry's facts (plan, home country, funding, whitelist, status).
Sponsors may ask only about their own terminals; others are unknown to them.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from leonet.control.registry import decide as registry_decide
from leonet.control.registry.facts import FactTable
from leonet.control.registry.models import Role
from leonet.server import decision_codec as codec
from leonet.server.deps import Caller, CanDecide
from leonet.server.problems import Problem
from leonet.server.schemas.decisions import (
    BatchAnswer,
    Columns,
    RowAnswer,
    RowRequest,
)

router = APIRouter(prefix="/v1", tags=["decisions"])
# Batches at least this large are decided off the event loop.
_THREAD_ROWS = 256
_MAX_UNKNOWN_SHOWN = 5


def _decide(caller: Caller, batch: codec.Batch, explain: bool) -> tuple[dict[str, Any], Any]:
    cache = caller.state.cache
    active = cache.active_policy(caller.seq)
    if active is None:
        raise Problem(409, "no policy version is active: upload one and have an approver "
                           "activate it (POST /v1/policies, then /v1/policies/{id}/activate)")
    known = cache.facts(batch.terminal_ids, caller.seq)
    if caller.actor.role == Role.SPONSOR:
        known = {k: f for k, f in known.items() if f.sponsor_id == caller.actor.sponsor_id}
    unknown = [k for k, t in enumerate(batch.terminal_ids) if t not in known]
    if unknown:
        shown = []
        for k in unknown[:_MAX_UNKNOWN_SHOWN]:
            row = int(np.argmax(batch.codes == k))
            shown.append(f"{batch.terminal_ids[k]!r} (row {row})")
        more = f" and {len(unknown) - len(shown)} more" if len(unknown) > len(shown) else ""
        raise Problem(422, f"unknown terminals: {', '.join(shown)}{more}",
                      unknown_terminals=[batch.terminal_ids[k] for k in unknown[:100]])
    table = FactTable.build([known[t] for t in batch.terminal_ids])
    columns = batch.columns
    outcome = registry_decide.decide(
        active.policy, table,
        registry_decide.Rows(batch.codes, batch.time_ns, columns["lat_deg"],
                             columns["lon_deg"], columns["alt_m"], columns["speed_kmh"],
                             columns["roaming_days"]),
        caller.state.regions, explain=explain,
    )
    meta = {"policy_id": active.id, "policy_version": active.label}
    if batch.single:
        answer = {"terminal_id": batch.terminal_ids[0],
                  "time": np.datetime64(int(batch.time_ns[0]), "ns").astype(str) + "Z",
                  "allowed": bool(outcome.allowed[0]),
                  "rule": outcome.labels[int(outcome.rule_index[0])], **meta}
        if explain:
            answer["explanation"] = _explain(outcome)
        return answer, None
    return meta, outcome


def _explain(outcome: registry_decide.Outcome) -> str:
    rule = outcome.labels[int(outcome.rule_index[0])]
    if rule.startswith("status:"):
        return (f"denied: the terminal is {rule.removeprefix('status:')} in the registry; "
                "only active terminals get service")
    return str(outcome.decision.explain(0))


# Inlined (no $ref): the route reads its body itself, so no component is registered for it.
_BATCH_SCHEMA = {
    "title": "BatchRequest", "type": "object", "required": ["columns"],
    "additionalProperties": False, "properties": {"columns": Columns.model_json_schema()},
}
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"oneOf": [
                RowRequest.model_json_schema(), _BATCH_SCHEMA,
            ]}},
            codec.ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "responses": {"200": {"content": {
        "application/json": {"schema": {"oneOf": [
            RowAnswer.model_json_schema(), BatchAnswer.model_json_schema(),
        ]}},
        codec.ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}},
    }}},
}


@router.post(
    "/decisions", summary="Decide one row or a batch under the active policy",
    openapi_extra=_OPENAPI, response_class=Response,
    responses={200: {"description": "allowed and rule id per row"}},
)
async def decisions(request: Request, caller: CanDecide,
                    explain: bool = Query(False, description="One row: say why, in words.")
                    ) -> Response:
    body = await request.body()
    started = time.perf_counter()
    max_rows = caller.state.settings.max_batch_rows
    content_type = request.headers.get("content-type", "application/json").split(";")[0]
    if content_type.strip().lower() == codec.ARROW_STREAM:
        batch = await run_in_threadpool(codec.parse_arrow, body, max_rows)
    elif content_type.strip().lower() in ("application/json", ""):
        if len(body) > 64 * 1024:
            batch = await run_in_threadpool(codec.parse_json, body, max_rows)
        else:
            batch = codec.parse_json(body, max_rows)
    else:
        raise Problem(415, f"send application/json or {codec.ARROW_STREAM}, not {content_type}")
    if batch.n_rows >= _THREAD_ROWS:
        meta, outcome = await run_in_threadpool(_decide, caller, batch, explain)
    else:
        meta, outcome = _decide(caller, batch, explain)
    if outcome is None:
        data, media_type = orjson.dumps(meta), "application/json"
    elif batch.arrow:
        data = await run_in_threadpool(
            codec.arrow_answer, outcome.allowed, outcome.rule_index, outcome.labels,
            {k: str(v) for k, v in meta.items()})
        media_type = codec.ARROW_STREAM
    else:
        answer = {"n_rows": batch.n_rows, **meta, "allowed": outcome.allowed,
                  "rule": outcome.rule.tolist()}
        data = orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY)
        media_type = "application/json"
    # Time spent parsing, deciding and encoding (W3C Server-Timing), for clients and
    # benchmarks that want the server's share of a request.
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Response(data, media_type=media_type,
                    headers={"Server-Timing": f"decide;dur={elapsed_ms:.3f}"})

