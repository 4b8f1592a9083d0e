"""``/v1/whitelist-verifications``: terminals verified for use in a region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from leonet.control.registry import whitelist
from leonet.server.deps import CanReadWhitelist, CanWriteWhitelist, IfMatch, etag
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import WhitelistCreate, WhitelistOut, WhitelistRevoke

router = APIRouter(prefix="/v1/whitelist-verifications", tags=["whitelist"])
VerificationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("", response_model=WhitelistOut, status_code=201,
             summary="Record a verification")
def create_verification(body: WhitelistCreate, caller: CanWriteWhitelist,
                        response: Response) -> WhitelistOut:
    with caller.state.db.write() as session:
        row = whitelist.create(session, caller.actor, terminal_id=body.terminal_id,
                               region=body.region, evidence_ref=body.evidence_ref,
                               verified_at=body.verified_at, reason=body.reason)
        response.headers.update(etag(row.version))
        return WhitelistOut.model_validate(row)


@router.get("", response_model=list[WhitelistOut], summary="List verifications")
def list_verifications(caller: CanReadWhitelist, terminal_id: Id | None = None,
                       region: Id | None = None, limit: int = Query(100, ge=1, le=1000),
                       after: int | None = Query(None, ge=0, le=2**31 - 1),
                       ) -> list[WhitelistOut]:
    with caller.read() as session:
        rows = whitelist.list_verifications(session, terminal_id=terminal_id,
                                            region=region, limit=limit, after=after)
        return [WhitelistOut.model_validate(r) for r in rows]


@router.get("/{verification_id}", response_model=WhitelistOut, summary="One verification")
def get_verification(caller: CanReadWhitelist, response: Response,
                     verification_id: VerificationId) -> WhitelistOut:
    with caller.read() as session:
        row = whitelist.get(session, verification_id)
        response.headers.update(etag(row.version))
        return WhitelistOut.model_validate(row)


@router.post("/{verification_id}/revoke", response_model=WhitelistOut,
             summary="Revoke a verification from now on")
def revoke_verification(body: WhitelistRevoke, caller: CanWriteWhitelist, version: IfMatch,
                        response: Response,
                        verification_id: VerificationId) -> WhitelistOut:
    with caller.state.db.write() as session:
        row = whitelist.revoke(session, caller.actor, verification_id, version, body.reason)
        response.headers.update(etag(row.version))
        return WhitelistOut.model_validate(row)
