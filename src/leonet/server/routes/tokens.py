"""``/v1/tokens``: issue, list and revoke bearer tokens (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Path

from leonet.control.registry import tokens
from leonet.server.deps import CanAdminTokens
from leonet.server.schemas.common import Reason
from leonet.server.schemas.registry import TokenCreate, TokenIssued, TokenOut

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])


@router.post("", response_model=TokenIssued, status_code=201, summary="Issue a token")
def create_token(body: TokenCreate, caller: CanAdminTokens) -> TokenIssued:
    with caller.state.db.write() as session:
        issued = tokens.issue(session, caller.actor, body.role, sponsor_id=body.sponsor_id,
                              subject=body.subject, principal_id=body.principal_id,
                              expires_at=body.expires_at,
                              reason=body.reason)
    return TokenIssued.model_validate(issued)


@router.get("", response_model=list[TokenOut], summary="Every token (never the secrets)")
def list_tokens(caller: CanAdminTokens) -> list[TokenOut]:
    with caller.read() as session:
        return [TokenOut.model_validate(t) for t in tokens.list_tokens(session)]


@router.delete("/{token_id}", response_model=TokenOut, summary="Revoke a token")
def revoke_token(caller: CanAdminTokens, token_id: int = Path(ge=1, le=2**31 - 1),
                 reason: Reason = "") -> TokenOut:
    with caller.state.db.write() as session:
        row = tokens.revoke(session, caller.actor, token_id, reason)
        return TokenOut.model_validate(row)
