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

from leonet.server import decision_codec as codec
from leonet.server.deciding import Decided, compute, prepare
from leonet.server.deps import Caller, CanDecide
from leonet.server.problems import Problem
from leonet.server.schemas.decisions import (
    BatchAnswer,
    Columns,
    RowAnswer,
    RowRequest,
)

router = APIRouter(prefix="/v1", tags=["decisions"])
# Requests at least this large are decided on their own in a worker thread; smaller ones
# are batched together (see `leonet.server.batcher`).
_THREAD_ROWS = 256


def _row_answer(batch: codec.Batch, decided: Decided, explain: bool) -> dict[str, Any]:
    answer = {"terminal_id": batch.terminal_ids[0],
              "time": np.datetime64(int(batch.time_ns[0]), "ns").astype(str) + "Z",
              "allowed": bool(decided.allowed[0]),
              "rule": decided.labels[int(decided.rule_index[0])],
              "policy_id": decided.active.id, "policy_version": decided.active.label}
    if explain:
        answer["explanation"] = _explain(decided)
    return answer


def _explain(decided: Decided) -> str:
    rule = decided.labels[int(decided.rule_index[0])]
    if rule.startswith("status:"):
        return (f"denied: the terminal is {rule.removeprefix('status:')} in the registry; "
                "only active terminals get service")
    return str(decided.decision.explain(0))


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
    # Small JSON requests without a query string usually arrive through
    # `leonet.server.fastpath` instead, which calls `answer` too.
    content_type = request.headers.get("content-type", "application/json")
    return await answer(caller, await request.body(), content_type, explain)


async def answer(caller: Caller, body: bytes, content_type: str, explain: bool) -> Response:
    """The response to a decision request from ``caller`` (already authorized)."""
    started = time.perf_counter()
    max_rows = caller.state.settings.max_batch_rows
    content_type = content_type.split(";")[0]
    kind = content_type.strip().lower()
    if kind == codec.ARROW_STREAM:
        batch = await run_in_threadpool(codec.parse_arrow, body, max_rows,
                                        caller.state.settings.max_body_bytes)
    elif kind in ("application/json", ""):
        if len(body) > 64 * 1024:
            batch = await run_in_threadpool(codec.parse_json, body, max_rows)
        else:
            batch = codec.parse_json(body, max_rows)
    else:
        raise Problem(415, f"send application/json or {codec.ARROW_STREAM}, not {content_type}")
    state = caller.state
    if explain or batch.n_rows >= _THREAD_ROWS:
        prepared = await run_in_threadpool(prepare, caller, batch)
        (decided,) = await run_in_threadpool(compute, [prepared], state.regions)
    else:
        decided = await state.batcher.submit(prepare(caller, batch))
    if batch.single:
        data, media_type = orjson.dumps(_row_answer(batch, decided, explain)), "application/json"
    elif batch.arrow:
        data = await run_in_threadpool(
            codec.arrow_answer, decided.allowed, decided.rule_index, decided.labels,
            {"policy_id": str(decided.active.id), "policy_version": decided.active.label})
        media_type = codec.ARROW_STREAM
    else:
        columns = {"n_rows": batch.n_rows, "policy_id": decided.active.id,
                   "policy_version": decided.active.label, "allowed": decided.allowed,
                   "rule": np.array(decided.labels, dtype=object)[decided.rule_index].tolist()}
        data = orjson.dumps(columns, option=orjson.OPT_SERIALIZE_NUMPY)
        media_type = "application/json"
    # Time spent parsing, deciding and encoding (W3C Server-Timing), for clients and
    # benchmarks that want the server's share of a request.
    elapsed_ms = (time.perf_counter() - started) * 1000
    return Response(data, media_type=media_type,
                    headers={"Server-Timing": f"decide;dur={elapsed_ms:.3f}"})

