"""Field types shared by the request models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
                          examples=["UT-000123"])]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2",
                               examples=["UA"])]
Reason = Annotated[str, Field(max_length=2000, description="Why: goes into the audit log.")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class Request(BaseModel):
    """Unknown fields are refused: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)
