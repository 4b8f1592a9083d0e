"""``/v1/me``: who the presented token speaks for."""

from __future__ import annotations

from fastapi import APIRouter, Request

from leonet.control.registry.models import Role
from leonet.server.deps import AnyRole
from leonet.server.permissions import GRANTS
from leonet.server.rights import routes_for
from leonet.server.schemas.registry import Me

router = APIRouter(prefix="/v1", tags=["tokens"])


@router.get("/me", response_model=Me, summary="The caller's identity and permissions")
def me(caller: AnyRole, request: Request) -> Me:
    actor = caller.actor
    return Me(subject=actor.subject, principal_id=actor.principal_id, role=actor.role,
              sponsor_id=actor.sponsor_id, token_id=actor.token_id,
              permissions=sorted(p.value for p in GRANTS[Role(actor.role)]),
              routes=routes_for(request.app.state.route_permissions, actor.role))
