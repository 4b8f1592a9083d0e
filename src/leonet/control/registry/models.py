"""The registry's tables (SQLAlchemy 2 declarative models).

The schema itself is owned by the Alembic migrations in ``migrations/versions``; these
classes must describe the same tables (a test compares them with the migrated database).

Times are stored as naive UTC and read back as aware UTC (`UTCDateTime`), so SQLite and
PostgreSQL return identical values. Every mutable record carries ``version``, the number the
REST API hands out as an ETag for optimistic concurrency.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Role(enum.StrEnum):
    """Who a bearer token speaks for (issue 6: roles and tenancy)."""

    ADMIN = "admin"
    POLICY_AUTHOR = "policy_author"
    POLICY_APPROVER = "policy_approver"
    SUPPORT = "support"
    AUDITOR = "auditor"
    SPONSOR = "sponsor"


class TerminalStatus(enum.StrEnum):
    """A terminal's lifecycle; see `leonet.control.registry.terminals.TRANSITIONS`."""

    ORDERED = "ordered"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the registry; use UTC")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


ID_LENGTH = 64


class Base(DeclarativeBase):
    pass


class AuditHead(Base):
    """One row: the last sequence number and hash of the audit chain.

    Write transactions lock this row first, which serialises writers so the chain order is
    the commit order (PostgreSQL `SELECT ... FOR UPDATE`; SQLite `BEGIN IMMEDIATE`).
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditEntry(Base):
    """One change: who, when, what, why, chained to the previous entry by SHA-256."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at_utc: Mapped[str] = mapped_column(String(32), nullable=False)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class Principal(Base):
    """A person or service account: who tokens speak for, and what two-person rules compare.

    ``name_key`` is the name NFKC-normalised and case-folded (`principals.name_key`), unique, so
    ``Author-1`` and ``author-1`` are one principal. Only admins create principals; who did,
    and when, is kept (``created_by_principal_id`` is None for the command line or a
    migration)."""

    __tablename__ = "principals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    name_key: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by_principal_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("principals.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'service')", name="ck_principals_kind"),
    )


class ApiToken(Base):
    """A bearer token of a principal: the secret is stored only as its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    subject: Mapped[str] = mapped_column(String(128), nullable=False)
    # Nullable only because SQLite cannot add a NOT NULL column to a filled table; every
    # token issued since migration 0003 has one, and migration 0003 filled the others.
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    sponsor_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("sponsors.id"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        CheckConstraint(
            "(role = 'sponsor') = (sponsor_id IS NOT NULL)", name="ck_api_tokens_sponsor_role"
        ),
    )


class Sponsor(Base):
    """Who pays for terminals it does not own (a government, a charity)."""

    __tablename__ = "sponsors"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Account(Base):
    """A customer account: home country and plan feed the policy's conditions."""

    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    home_country: Mapped[str] = mapped_column(String(2), nullable=False)
    plan: Mapped[str] = mapped_column(String(64), nullable=False)
    balance_due_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Terminal(Base):
    """A user terminal (kit): the unit decisions are made for."""

    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    kit_serial: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False, unique=True)
    dish_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False, unique=True)
    kit_type: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("accounts.id"), nullable=True, index=True
    )
    sponsor_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("sponsors.id"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    purchased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __table_args__ = (
        CheckConstraint(
            "status IN ('ordered', 'active', 'suspended', 'deactivated')",
            name="ck_terminals_status",
        ),
    )


class FundingAgreement(Base):
    """A sponsor pays for one terminal from ``valid_from`` until ``valid_until`` (open end)."""

    __tablename__ = "funding_agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sponsor_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("sponsors.id"), nullable=False, index=True
    )
    terminal_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("terminals.id"), nullable=False, index=True
    )
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reference: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class WhitelistVerification(Base):
    """A terminal checked and registered for use in one region (who, when, evidence)."""

    __tablename__ = "whitelist_verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("terminals.id"), nullable=False, index=True
    )
    region: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    verified_by: Mapped[str] = mapped_column(String(128), nullable=False)
    verified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    evidence_ref: Mapped[str] = mapped_column(String(500), nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Transfer(Base):
    """A terminal moved from one account to another under the transfer rules."""

    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("terminals.id"), nullable=False, index=True
    )
    from_account_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("accounts.id"), nullable=True
    )
    to_account_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("accounts.id"), nullable=False
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    by: Mapped[str] = mapped_column(String(128), nullable=False)


class TransferRules(Base):
    """One row: the operator's published transfer rules (configurable, audited)."""

    __tablename__ = "transfer_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    min_days_after_purchase: Mapped[int] = mapped_column(Integer, nullable=False)
    min_days_after_activation: Mapped[int] = mapped_column(Integer, nullable=False)
    require_no_balance_due: Mapped[bool] = mapped_column(Boolean, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class PolicyVersion(Base):
    """An uploaded policy document, validated when stored and never changed after."""

    __tablename__ = "policy_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False, unique=True)
    format: Mapped[str] = mapped_column(String(8), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    author_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class PolicyActivation(Base):
    """Which policy version is active since when: the latest row wins."""

    __tablename__ = "policy_activations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("policy_versions.id"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    by: Mapped[str] = mapped_column(String(128), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class TelemetryBatch(Base):
    """One accepted batch of telemetry: the rows live in a Parquet file of the telemetry
    store, named here with its SHA-256 (the audit entry holds the same digest)."""

    __tablename__ = "telemetry_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    rows_dropped: Mapped[int] = mapped_column(Integer, nullable=False)
    terminals: Mapped[int] = mapped_column(Integer, nullable=False)
    min_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    max_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    received_by: Mapped[str] = mapped_column(String(128), nullable=False)


class DetectionRun(Base):
    """One run of the detectors over stored telemetry (who, when, which window, policy)."""

    __tablename__ = "detection_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    by: Mapped[str] = mapped_column(String(128), nullable=False)
    policy_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("policy_versions.id"), nullable=True)
    window_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    window_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    kinds: Mapped[str] = mapped_column(Text, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    incidents: Mapped[int] = mapped_column(Integer, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False)


class Incident(Base):
    """A finding of a detector: open, then suspension requested, suspended or dismissed."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("detection_runs.id"), nullable=False)
    terminal_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("terminals.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    rule: Mapped[str] = mapped_column(String(128), nullable=False)
    n_reports: Mapped[int] = mapped_column(Integer, nullable=False)
    lat_deg: Mapped[float] = mapped_column(Float, nullable=False)
    lon_deg: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __table_args__ = (
        Index("ix_incidents_finding", "terminal_id", "kind", "start_at", "rule", unique=True),
        CheckConstraint("status IN ('open', 'suspension_requested', 'suspended', "
                        "'dismissed')", name="ck_incidents_status"),
    )


class SuspensionRequest(Base):
    """A request to suspend a terminal over an incident; a second person decides it."""

    __tablename__ = "suspension_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("terminals.id"), nullable=False, index=True)
    incident_id: Mapped[int] = mapped_column(Integer, ForeignKey("incidents.id"), nullable=False)
    requested_by: Mapped[str] = mapped_column(String(128), nullable=False)
    requested_by_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # "suspend" (over an incident) or "reinstate" (lift a suspension two people approved).
    action: Mapped[str] = mapped_column(String(16), nullable=False, server_default="suspend")
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')",
                        name="ck_suspension_requests_status"),
    )


__all__ = [
    "Account",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "DetectionRun",
    "FundingAgreement",
    "Incident",
    "PolicyActivation",
    "PolicyVersion",
    "Principal",
    "Role",
    "Sponsor",
    "SuspensionRequest",
    "TelemetryBatch",
    "Terminal",
    "TerminalStatus",
    "Transfer",
    "TransferRules",
    "WhitelistVerification",
]
