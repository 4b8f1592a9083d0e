"""``/v1/principals``: the people and service accounts tokens speak for (admins create them;
auditors read them)."""

from __future__ import annotations

from fastapi import APIRouter

from leonet.control.registry import principals
from leonet.server.deps import CanAdminTokens, CanReadPrincipals
from leonet.server.schemas.registry import PrincipalCreate, PrincipalOut

router = APIRouter(prefix="/v1/principals", tags=["tokens"])


@router.post("", response_model=PrincipalOut, status_code=201, summary="Create a principal")
def create_principal(body: PrincipalCreate, caller: CanAdminTokens) -> PrincipalOut:
    with caller.state.db.write() as session:
        row = principals.create(session, caller.actor, body.name, body.kind, body.reason)
        return PrincipalOut.model_validate(row)


@router.get("", response_model=list[PrincipalOut],
            summary="Every principal, who created it and when")
def list_principals(caller: CanReadPrincipals) -> list[PrincipalOut]:
    with caller.read() as session:
        return [PrincipalOut.model_validate(p) for p in principals.list_principals(session)]
