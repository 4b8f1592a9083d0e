"""``/healthz``: unauthenticated liveness and database check."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from leonet.server.deps import StateDep
from leonet.server.problems import Problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    audit_seq: int


@router.get("/healthz", response_model=Health,
            summary="Is the service up and its database reachable")
async def healthz(state: StateDep) -> Health:
    try:
        seq = state.db.head_seq()
    except Exception as exc:  # any database failure means "not healthy", said plainly
        raise Problem(503, f"the database is unreachable: {type(exc).__name__}") from None
    return Health(status="ok", database=state.db.dialect, audit_seq=seq)
