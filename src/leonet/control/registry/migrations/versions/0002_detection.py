"""Telemetry batches, detection runs, incidents and suspension requests (issue 7).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = 64


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "telemetry_batches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("file", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rows_dropped", sa.Integer(), nullable=False),
        sa.Column("terminals", sa.Integer(), nullable=False),
        _ts("min_time"),
        _ts("max_time"),
        _ts("received_at"),
        sa.Column("received_by", sa.String(128), nullable=False),
    )
    op.create_index("ix_telemetry_batches_max_time", "telemetry_batches", ["max_time"])
    op.create_table(
        "detection_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ts("started_at"),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("policy_id", sa.Integer(), sa.ForeignKey("policy_versions.id"),
                  nullable=True),
        _ts("window_start", nullable=True),
        _ts("window_end", nullable=True),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("detection_runs.id"), nullable=False),
        sa.Column("terminal_id", sa.String(ID), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("start_at"),
        _ts("end_at"),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("n_reports", sa.Integer(), nullable=False),
        sa.Column("lat_deg", sa.Float(), nullable=False),
        sa.Column("lon_deg", sa.Float(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'suspension_requested', 'suspended', "
                           "'dismissed')", name="ck_incidents_status"),
    )
    op.create_index("ix_incidents_terminal_id", "incidents", ["terminal_id"])
    op.create_index("ix_incidents_finding", "incidents",
                    ["terminal_id", "kind", "start_at", "rule"], unique=True)
    op.create_table(
        "suspension_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("terminal_id", sa.String(ID), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        _ts("requested_at"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        _ts("decided_at", nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')",
                           name="ck_suspension_requests_status"),
    )
    op.create_index("ix_suspension_requests_terminal_id", "suspension_requests",
                    ["terminal_id"])


def downgrade() -> None:
    for table in ("suspension_requests", "incidents", "detection_runs", "telemetry_batches"):
        op.drop_table(table)
