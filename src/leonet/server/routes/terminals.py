"""``/v1/terminals``: the terminal lifecycle (support); sponsors read their own."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Query, Response

from leonet.control.registry import audit, terminals, transfers
from leonet.server.deps import CanReadTerminals, CanWriteTerminals, IfMatch, etag
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import (
    EligibilityOut,
    Status,
    TerminalCreate,
    TerminalOut,
    TerminalUpdate,
)

router = APIRouter(prefix="/v1/terminals", tags=["terminals"])


@router.post("", response_model=TerminalOut, status_code=201, summary="Register a terminal")
def create_terminal(body: TerminalCreate, caller: CanWriteTerminals,
                    response: Response) -> TerminalOut:
    values = body.model_dump(exclude={"reason"})
    with caller.state.db.write() as session:
        row = terminals.create(session, caller.actor, reason=body.reason, **values)
        response.headers.update(etag(row.version))
        return TerminalOut.model_validate(row)


@router.get("", response_model=list[TerminalOut], summary="List terminals, in id order")
def list_terminals(caller: CanReadTerminals, limit: int = Query(100, ge=1, le=1000),
                   after: Id | None = None, status: Status | None = None,
                   account_id: Id | None = None) -> list[TerminalOut]:
    with caller.read() as session:
        rows = terminals.list_terminals(session, caller.actor, limit=limit, after=after,
                                        status=status, account_id=account_id)
        return [TerminalOut.model_validate(t) for t in rows]


@router.get("/{terminal_id}", response_model=TerminalOut, summary="One terminal (ETag: version)")
def get_terminal(terminal_id: Id, caller: CanReadTerminals, response: Response) -> TerminalOut:
    with caller.read() as session:
        row = terminals.get(session, caller.actor, terminal_id)
        response.headers.update(etag(row.version))
        return TerminalOut.model_validate(row)


@router.patch("/{terminal_id}", response_model=TerminalOut,
              summary="Change status, kit type, sponsor, or give an account")
async def update_terminal(terminal_id: Id, body: TerminalUpdate, caller: CanWriteTerminals,
                          version: IfMatch, response: Response) -> TerminalOut:
    # The busiest write: raw SQL on the writer thread (see `terminals.update_sql`).
    values = body.model_dump(exclude_unset=True, exclude={"reason"})
    row = await caller.state.write_sql(partial(
        terminals.update_sql, actor=caller.actor, terminal_id=terminal_id,
        expected_version=version, reason=body.reason, **values))
    response.headers.update(etag(row["version"]))
    return TerminalOut(**row)


@router.get("/{terminal_id}/transfer-eligibility", response_model=EligibilityOut,
            summary="May this terminal be transferred now, and if not, why")
def transfer_eligibility(terminal_id: Id, caller: CanReadTerminals) -> EligibilityOut:
    with caller.read() as session:
        row = terminals.get(session, caller.actor, terminal_id)
        check = transfers.eligibility(session, row, audit.utc_now())
        return EligibilityOut(terminal_id=terminal_id, allowed=check.allowed,
                              reasons=list(check.reasons), earliest=check.earliest)
