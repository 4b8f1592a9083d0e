"""Models of policy versions, activations and diffs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from leonet.server.schemas.common import Reason, Request, Response


class PolicyUpload(Request):
    document: str = Field(min_length=1, max_length=5_000_000,
                          description="The policy document (TOML or JSON text).")
    format: Literal["toml", "json"] = "toml"
    comment: str = Field(default="", max_length=2000)
    reason: Reason = ""


class PolicyOut(Response):
    id: int
    label: str = Field(description="The document's own `version`.")
    format: str
    sha256: str
    author: str
    comment: str
    uploaded_at: dt.datetime
    active: bool = False


class PolicyUploaded(PolicyOut):
    warnings: list[str] = Field(description="Conflicts and rules that can never match.")


class PolicyDocument(PolicyOut):
    document: str
    compiled: dict[str, Any] = Field(description="The document as the engine reads it.")


class ActivationRequest(Request):
    reason: Reason = Field(min_length=1)


class RollbackRequest(Request):
    reason: Reason = Field(min_length=1)
    to_policy_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ActivationOut(Response):
    id: int
    policy_id: int
    action: str
    by: str
    at: dt.datetime
    reason: str


class RuleChange(Response):
    rule: str
    change: Literal["added", "removed", "changed"]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PolicyDiff(Response):
    from_id: int
    to_id: int
    from_label: str
    to_label: str
    default: list[str] | None = Field(description="[before, after] when the default changed.")
    rules: list[RuleChange]
    what_if: dict[str, Any] | None = Field(
        default=None, description="With ?population=N: terminals gaining and losing service "
                                  "by region and reason.")
