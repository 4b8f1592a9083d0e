"""``/v1/transfers`` and ``/v1/transfer-rules``: moving terminals between accounts under the
operator's published rules."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from leonet.control.registry import transfers
from leonet.server.deps import (
    CanReadTransferRules,
    CanReadTransfers,
    CanWriteTransferRules,
    CanWriteTransfers,
    IfMatch,
    etag,
)
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import (
    TransferCreate,
    TransferOut,
    TransferRulesOut,
    TransferRulesUpdate,
)

router = APIRouter(prefix="/v1", tags=["transfers"])


@router.post("/transfers", response_model=TransferOut, status_code=201,
             summary="Transfer a terminal to another account (409 with reasons if too early)",
             description="A transfer changes the terminal: send `If-Match` with the terminal's "
                         "ETag (from GET /v1/terminals/{id}), as every change does (428 "
                         "without it, 412 if the terminal changed since).")
def create_transfer(body: TransferCreate, caller: CanWriteTransfers,
                    version: IfMatch) -> TransferOut:
    with caller.state.db.write() as session:
        row = transfers.transfer(session, caller.actor, terminal_id=body.terminal_id,
                                 to_account_id=body.to_account_id, reason=body.reason,
                                 expected_version=version)
        return TransferOut.model_validate(row)


@router.get("/transfers", response_model=list[TransferOut], summary="List transfers")
def list_transfers(caller: CanReadTransfers, terminal_id: Id | None = None,
                   limit: int = Query(100, ge=1, le=1000),
                   after: int | None = Query(None, ge=0, le=2**31 - 1)) -> list[TransferOut]:
    with caller.read() as session:
        rows = transfers.list_transfers(session, terminal_id=terminal_id, limit=limit,
                                        after=after)
        return [TransferOut.model_validate(r) for r in rows]


@router.get("/transfer-rules", response_model=TransferRulesOut,
            summary="The published transfer rules")
def get_rules(caller: CanReadTransferRules, response: Response) -> TransferRulesOut:
    with caller.read() as session:
        row = transfers.get_rules(session)
        response.headers.update(etag(row.version))
        return TransferRulesOut.model_validate(row)


@router.patch("/transfer-rules", response_model=TransferRulesOut,
              summary="Change the transfer rules (admins)")
def update_rules(body: TransferRulesUpdate, caller: CanWriteTransferRules, version: IfMatch,
                 response: Response) -> TransferRulesOut:
    values = body.model_dump(exclude_unset=True, exclude={"reason"})
    with caller.state.db.write() as session:
        row = transfers.update_rules(session, caller.actor, version, body.reason, **values)
        response.headers.update(etag(row.version))
        return TransferRulesOut.model_validate(row)
