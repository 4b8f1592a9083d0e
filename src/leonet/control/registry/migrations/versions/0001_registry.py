"""The registry: accounts, terminals, sponsors, funding, whitelist, transfers, policies,
tokens and the hash-chained audit log (append-only, enforced by triggers).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
ID = 64


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at_utc", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(ID), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "sponsors",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        _ts("created_at"),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("sponsor_id", sa.String(ID), sa.ForeignKey("sponsors.id"), nullable=True),
        _ts("created_at"),
        _ts("expires_at", nullable=True),
        _ts("revoked_at", nullable=True),
        sa.CheckConstraint(
            "(role = 'sponsor') = (sponsor_id IS NOT NULL)", name="ck_api_tokens_sponsor_role"
        ),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("home_country", sa.String(2), nullable=False),
        sa.Column("plan", sa.String(64), nullable=False),
        sa.Column("balance_due_cents", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "terminals",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("kit_serial", sa.String(ID), nullable=False, unique=True),
        sa.Column("dish_id", sa.String(ID), nullable=False, unique=True),
        sa.Column("kit_type", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(ID), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("sponsor_id", sa.String(ID), sa.ForeignKey("sponsors.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("purchased_at"),
        _ts("activated_at", nullable=True),
        _ts("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('ordered', 'active', 'suspended', 'deactivated')",
            name="ck_terminals_status",
        ),
    )
    op.create_index("ix_terminals_account_id", "terminals", ["account_id"])
    op.create_index("ix_terminals_sponsor_id", "terminals", ["sponsor_id"])
    op.create_table(
        "funding_agreements",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sponsor_id", sa.String(ID), sa.ForeignKey("sponsors.id"), nullable=False),
        sa.Column("terminal_id", sa.String(ID), sa.ForeignKey("terminals.id"), nullable=False),
        _ts("valid_from"),
        _ts("valid_until", nullable=True),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        _ts("created_at"),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_funding_agreements_sponsor_id", "funding_agreements", ["sponsor_id"])
    op.create_index("ix_funding_agreements_terminal_id", "funding_agreements", ["terminal_id"])
    op.create_table(
        "whitelist_verifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("terminal_id", sa.String(ID), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("region", sa.String(ID), nullable=False),
        sa.Column("verified_by", sa.String(128), nullable=False),
        _ts("verified_at"),
        sa.Column("evidence_ref", sa.String(500), nullable=False),
        _ts("revoked_at", nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_whitelist_verifications_terminal_id", "whitelist_verifications", ["terminal_id"]
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("terminal_id", sa.String(ID), sa.ForeignKey("terminals.id"), nullable=False),
        sa.Column("from_account_id", sa.String(ID), sa.ForeignKey("accounts.id"),
                  nullable=True),
        sa.Column("to_account_id", sa.String(ID), sa.ForeignKey("accounts.id"),
                  nullable=False),
        _ts("at"),
        sa.Column("by", sa.String(128), nullable=False),
    )
    op.create_index("ix_transfers_terminal_id", "transfers", ["terminal_id"])
    op.create_table(
        "transfer_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("min_days_after_purchase", sa.Integer(), nullable=False),
        sa.Column("min_days_after_activation", sa.Integer(), nullable=False),
        sa.Column("require_no_balance_due", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(ID), nullable=False, unique=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _ts("uploaded_at"),
    )
    op.create_table(
        "policy_activations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("policy_id", sa.Integer(), sa.ForeignKey("policy_versions.id"),
                  nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        _ts("at"),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
        [{"id": 1, "seq": 0, "hash": GENESIS_HASH}],
    )
    # The operator's published transfer rules (Starlink's "Transfer of Ownership" terms:
    # not before 120 days after purchase or 90 days after activation, nothing owed).
    op.bulk_insert(
        sa.table(
            "transfer_rules", sa.column("id"), sa.column("min_days_after_purchase"),
            sa.column("min_days_after_activation"), sa.column("require_no_balance_due"),
            sa.column("version"),
        ),
        [{"id": 1, "min_days_after_purchase": 120, "min_days_after_activation": 90,
          "require_no_balance_due": True, "version": 1}],
    )
    # Append-only at the database level too: an application bug cannot rewrite history;
    # only someone who drops these triggers can, and `leonet audit verify` catches that.
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION leonet_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION leonet_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION leonet_audit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    for table in (
        "policy_activations", "policy_versions", "transfer_rules", "transfers",
        "whitelist_verifications", "funding_agreements", "terminals", "accounts",
        "api_tokens", "sponsors", "audit_log", "audit_head",
    ):
        op.drop_table(table)
