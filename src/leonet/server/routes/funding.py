"""``/v1/funding-agreements``: sponsors pay for their own terminals, from/until."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from leonet.control.registry import sponsors
from leonet.server.deps import CanReadFunding, CanWriteFunding, IfMatch, etag
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import FundingCreate, FundingOut, FundingUpdate

router = APIRouter(prefix="/v1/funding-agreements", tags=["funding"])
AgreementId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("", response_model=FundingOut, status_code=201,
             summary="Start funding a terminal")
def create_agreement(body: FundingCreate, caller: CanWriteFunding,
                     response: Response) -> FundingOut:
    with caller.state.db.write() as session:
        row = sponsors.create_agreement(
            session, caller.actor, terminal_id=body.terminal_id, sponsor_id=body.sponsor_id,
            valid_from=body.valid_from, valid_until=body.valid_until,
            reference=body.reference, reason=body.reason,
        )
        response.headers.update(etag(row.version))
        return FundingOut.model_validate(row)


@router.get("", response_model=list[FundingOut], summary="List funding agreements")
def list_agreements(caller: CanReadFunding, terminal_id: Id | None = None,
                    sponsor_id: Id | None = None, limit: int = Query(100, ge=1, le=1000),
                    after: int | None = Query(None, ge=0, le=2**31 - 1)) -> list[FundingOut]:
    with caller.read() as session:
        rows = sponsors.list_agreements(session, caller.actor, terminal_id=terminal_id,
                                        sponsor_id=sponsor_id, limit=limit, after=after)
        return [FundingOut.model_validate(r) for r in rows]


@router.get("/{agreement_id}", response_model=FundingOut, summary="One funding agreement")
def get_agreement(caller: CanReadFunding, response: Response,
                  agreement_id: AgreementId) -> FundingOut:
    with caller.read() as session:
        row = sponsors.get_agreement(session, caller.actor, agreement_id)
        response.headers.update(etag(row.version))
        return FundingOut.model_validate(row)


@router.patch("/{agreement_id}", response_model=FundingOut,
              summary="End (or extend) a funding agreement")
def update_agreement(body: FundingUpdate, caller: CanWriteFunding, version: IfMatch,
                     response: Response, agreement_id: AgreementId) -> FundingOut:
    with caller.state.db.write() as session:
        row = sponsors.set_end(session, caller.actor, agreement_id, version, body.valid_until,
                               body.reason)
        response.headers.update(etag(row.version))
        return FundingOut.model_validate(row)
