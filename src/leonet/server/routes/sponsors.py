"""``/v1/sponsors``: who pays for donated terminals. Sponsors see only themselves."""

from __future__ import annotations

from fastapi import APIRouter, Response

from leonet.control.registry import sponsors
from leonet.server.deps import CanReadSponsors, CanWriteSponsors, etag
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import SponsorCreate, SponsorOut

router = APIRouter(prefix="/v1/sponsors", tags=["sponsors"])


@router.post("", response_model=SponsorOut, status_code=201, summary="Register a sponsor")
def create_sponsor(body: SponsorCreate, caller: CanWriteSponsors,
                   response: Response) -> SponsorOut:
    with caller.state.db.write() as session:
        row = sponsors.create_sponsor(session, caller.actor, id=body.id, name=body.name,
                                      reason=body.reason)
        response.headers.update(etag(row.version))
        return SponsorOut.model_validate(row)


@router.get("", response_model=list[SponsorOut], summary="List sponsors")
def list_sponsors(caller: CanReadSponsors) -> list[SponsorOut]:
    with caller.read() as session:
        return [SponsorOut.model_validate(s)
                for s in sponsors.list_sponsors(session, caller.actor)]


@router.get("/{sponsor_id}", response_model=SponsorOut, summary="One sponsor")
def get_sponsor(sponsor_id: Id, caller: CanReadSponsors, response: Response) -> SponsorOut:
    with caller.read() as session:
        row = sponsors.get_sponsor(session, caller.actor, sponsor_id)
        response.headers.update(etag(row.version))
        return SponsorOut.model_validate(row)
