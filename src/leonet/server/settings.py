"""Service settings, from the environment (``LEONET_*``) or `leonet serve` options.

There are no secrets here to default: tokens are random and stored hashed, and the first
admin token comes from `leonet admin bootstrap`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from leonet.control.registry.db import resolve_database_url
from leonet.errors import InputError


class Settings(BaseSettings):
    """Validated at start-up: a bad value stops the service with a clear message."""

    model_config = SettingsConfigDict(env_prefix="LEONET_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=lambda: resolve_database_url(None),
        description="sqlite:///PATH (default leonet.db here) or postgresql://USER@HOST/DB",
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, le=2**31,
        description="Requests with a larger body are refused with 413.",
    )
    max_batch_rows: int = Field(
        default=2_000_000, ge=1, le=50_000_000,
        description="Most rows one decision request may carry.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description="SQLite durability: NORMAL survives a crash of leonet, FULL also power "
                    "loss (an fsync per commit).",
    )
    docs: bool = Field(default=True, description="Serve /docs and /openapi.json (the API's "
                       "description, without a token); false closes both (404).")
    audit_signing_key_file: str | None = Field(
        default=None, description="Ed25519 private key (PEM, `leonet audit keygen`) that signs "
        "audit checkpoints; keep it outside the database and its backups.")
    telemetry_dir: str | None = Field(
        default=None, description="Folder of the telemetry store (Parquet batches); default: "
        "beside a SQLite database (NAME-telemetry/), else ./leonet-telemetry.")

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return resolve_database_url(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None
