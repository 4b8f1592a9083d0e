"""``/v1/accounts``: customer accounts (support)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from leonet.control.registry import accounts
from leonet.server.deps import CanReadAccounts, CanWriteAccounts, IfMatch, etag
from leonet.server.schemas.common import Id
from leonet.server.schemas.registry import AccountCreate, AccountOut, AccountUpdate

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


@router.post("", response_model=AccountOut, status_code=201, summary="Open an account")
def create_account(body: AccountCreate, caller: CanWriteAccounts,
                   response: Response) -> AccountOut:
    values = body.model_dump(exclude={"reason"})
    with caller.state.db.write() as session:
        row = accounts.create(session, caller.actor, reason=body.reason, **values)
        response.headers.update(etag(row.version))
        return AccountOut.model_validate(row)


@router.get("", response_model=list[AccountOut], summary="List accounts, in id order")
def list_accounts(caller: CanReadAccounts, limit: int = Query(100, ge=1, le=1000),
                  after: Id | None = None) -> list[AccountOut]:
    with caller.read() as session:
        rows = accounts.list_accounts(session, limit=limit, after=after)
        return [AccountOut.model_validate(a) for a in rows]


@router.get("/{account_id}", response_model=AccountOut, summary="One account (ETag: version)")
def get_account(account_id: Id, caller: CanReadAccounts, response: Response) -> AccountOut:
    with caller.read() as session:
        row = accounts.get(session, account_id)
        response.headers.update(etag(row.version))
        return AccountOut.model_validate(row)


@router.patch("/{account_id}", response_model=AccountOut, summary="Change an account")
def update_account(account_id: Id, body: AccountUpdate, caller: CanWriteAccounts,
                   version: IfMatch, response: Response) -> AccountOut:
    values = body.model_dump(exclude_unset=True, exclude={"reason"})
    with caller.state.db.write() as session:
        row = accounts.update(session, caller.actor, account_id, version, body.reason,
                              **values)
        response.headers.update(etag(row.version))
        return AccountOut.model_validate(row)
