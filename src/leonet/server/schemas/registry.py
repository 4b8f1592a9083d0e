"""Models of the registry's resources: sponsors, accounts, terminals, funding agreements,
whitelist verifications, transfers and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, Field

from leonet.server.schemas.common import Country, Id, Reason, Request, Response, Text

Status = Literal["ordered", "active", "suspended", "deactivated"]
RoleName = Literal["admin", "policy_author", "policy_approver", "support", "auditor", "sponsor"]


class SponsorCreate(Request):
    id: Id
    name: Text
    reason: Reason = ""


class SponsorOut(Response):
    id: str
    name: str
    created_at: dt.datetime
    version: int


class AccountCreate(Request):
    id: Id
    name: Text
    home_country: Country
    plan: Id = Field(examples=["residential"])
    balance_due_cents: int = Field(default=0, ge=0, le=10**12)
    reason: Reason = ""


class AccountUpdate(Request):
    name: Text | None = None
    home_country: Country | None = None
    plan: Id | None = None
    balance_due_cents: int | None = Field(default=None, ge=0, le=10**12)
    reason: Reason = ""


class AccountOut(Response):
    id: str
    name: str
    home_country: str
    plan: str
    balance_due_cents: int
    created_at: dt.datetime
    version: int


class TerminalCreate(Request):
    id: Id
    kit_serial: Id
    dish_id: Id
    kit_type: Id = Field(examples=["standard"])
    account_id: Id | None = None
    sponsor_id: Id | None = None
    status: Status = "ordered"
    purchased_at: AwareDatetime | None = None
    activated_at: AwareDatetime | None = None
    reason: Reason = ""


class TerminalUpdate(Request):
    kit_type: Id | None = None
    sponsor_id: Id | None = None
    account_id: Id | None = None
    status: Status | None = None
    reason: Reason = ""


class TerminalOut(Response):
    id: str
    kit_serial: str
    dish_id: str
    kit_type: str
    account_id: str | None
    sponsor_id: str | None
    status: str
    purchased_at: dt.datetime
    activated_at: dt.datetime | None
    updated_at: dt.datetime
    version: int


class EligibilityOut(Response):
    terminal_id: str
    allowed: bool
    reasons: list[str]
    earliest: dt.datetime


class FundingCreate(Request):
    terminal_id: Id
    sponsor_id: Id | None = Field(default=None,
                                  description="Sponsors fund as themselves; admins name one.")
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    reference: str = Field(default="", max_length=200)
    reason: Reason = ""


class FundingUpdate(Request):
    valid_until: AwareDatetime | None
    reason: Reason = ""


class FundingOut(Response):
    id: int
    sponsor_id: str
    terminal_id: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    reference: str
    created_by: str
    created_at: dt.datetime
    version: int


class WhitelistCreate(Request):
    terminal_id: Id
    region: Id = Field(description="A region the policy engine knows: an ISO code such as UA.")
    evidence_ref: Text
    verified_at: AwareDatetime | None = None
    reason: Reason = ""


class WhitelistRevoke(Request):
    reason: Reason = ""


class WhitelistOut(Response):
    id: int
    terminal_id: str
    region: str
    verified_by: str
    verified_at: dt.datetime
    evidence_ref: str
    revoked_at: dt.datetime | None
    revoked_by: str | None
    version: int


class TransferCreate(Request):
    terminal_id: Id
    to_account_id: Id
    reason: Reason = ""


class TransferOut(Response):
    id: int
    terminal_id: str
    from_account_id: str | None
    to_account_id: str
    at: dt.datetime
    by: str


class TransferRulesUpdate(Request):
    min_days_after_purchase: int | None = Field(default=None, ge=0, le=3650)
    min_days_after_activation: int | None = Field(default=None, ge=0, le=3650)
    require_no_balance_due: bool | None = None
    reason: Reason = ""


class TransferRulesOut(Response):
    min_days_after_purchase: int
    min_days_after_activation: int
    require_no_balance_due: bool
    version: int


class PrincipalCreate(Request):
    name: Id = Field(description="Compared ignoring case and width (Unicode NFKC).")
    kind: Literal["person", "service"] = "person"
    reason: Reason = ""


class PrincipalOut(Response):
    id: int
    name: str
    kind: str
    created_by_principal_id: int | None
    created_by: str
    created_at: dt.datetime


class TokenCreate(Request):
    role: RoleName
    sponsor_id: Id | None = None
    subject: Id | None = Field(
        default=None, description="The holder's principal by name; a new name creates that "
        "principal, recorded as created by you (default: a new principal role-<id>).")
    principal_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                     description="The holder's principal by id.")
    expires_at: AwareDatetime | None = None
    reason: Reason = ""


class TokenOut(Response):
    id: int
    subject: str
    principal_id: int | None
    role: str
    sponsor_id: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssued(Response):
    id: int
    token: str = Field(description="Shown once: only its hash is stored.")
    subject: str
    principal_id: int
    role: str
    sponsor_id: str | None
    expires_at: dt.datetime | None


class Me(Response):
    subject: str
    principal_id: int | None
    role: str
    sponsor_id: str | None
    token_id: int | None
    permissions: list[str]
    routes: list[str] = Field(description=(
        'The routes this role may call, as "METHOD /path/{param}" (the console disables '
        "the others; the routes themselves still refuse them)."))
