"""The shapes of decision requests and answers, for the OpenAPI document.

The route parses bodies itself (`leonet.server.decision_codec`) to stay fast on millions of
rows; these models describe exactly what it accepts and returns.
"""

from __future__ import annotations

from pydantic import Field

from leonet.server.schemas.common import Id, Request, Response

Lat = Field(ge=-90, le=90)
Lon = Field(ge=-180, le=180)
Alt = Field(default=0.0, ge=-500, le=100_000)
Speed = Field(default=0.0, ge=0, le=30_000)
Roaming = Field(default=0.0, ge=0, le=100_000)
TIME_DOC = "ISO 8601 with a zone, e.g. 2026-02-03T10:00:00Z"


class RowRequest(Request):
    """One terminal at one place and instant."""

    terminal_id: Id
    time: str = Field(description=TIME_DOC, examples=["2026-02-03T10:00:00Z"])
    lat_deg: float = Lat
    lon_deg: float = Lon
    alt_m: float = Alt
    speed_kmh: float = Speed
    roaming_days: float = Roaming


class Columns(Request):
    """Equal-length columns; a column given as one value applies to every row."""

    terminal_id: list[Id] | Id
    time: list[str] | str = Field(description=TIME_DOC)
    lat_deg: list[float] | float
    lon_deg: list[float] | float
    alt_m: list[float] | float = 0.0
    speed_kmh: list[float] | float = 0.0
    roaming_days: list[float] | float = 0.0


class RowAnswer(Response):
    terminal_id: str
    time: str
    allowed: bool
    rule: str = Field(description="The deciding rule id, 'default', or 'status:<status>'.")
    policy_id: int
    policy_version: str
    explanation: str | None = Field(default=None, description="With ?explain=true.")


class BatchAnswer(Response):
    n_rows: int
    policy_id: int
    policy_version: str
    allowed: list[bool]
    rule: list[str]
