"""Principals (people and service accounts) own tokens; two-person rules compare them;
suspension requests can also ask to lift a suspension (issue 17 C).

Existing tokens migrate as their subjects: each distinct subject (compared as
`leonet.control.registry.principals.name_key` does, NFKC and case-folded) becomes one
principal, recorded as created by this migration. Policy authors and suspension requesters
are linked to the principal of the same name when there is one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import datetime as dt
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # A frozen copy of principals.name_key: a migration must not change when the code does.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def upgrade() -> None:
    principals = op.create_table(
        "principals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_by_principal_id", sa.Integer(), sa.ForeignKey("principals.id"),
                  nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('person', 'service')", name="ck_principals_kind"),
    )
    op.add_column("api_tokens", sa.Column("principal_id", sa.Integer(), nullable=True))
    op.add_column("policy_versions",
                  sa.Column("author_principal_id", sa.Integer(), nullable=True))
    op.add_column("suspension_requests",
                  sa.Column("requested_by_principal_id", sa.Integer(), nullable=True))
    op.add_column("suspension_requests",
                  sa.Column("decided_by_principal_id", sa.Integer(), nullable=True))
    op.add_column("suspension_requests", sa.Column(
        "action", sa.String(16), nullable=False, server_default="suspend"))

    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ids: dict[str, int] = {}
    subjects = [r[0] for r in bind.execute(sa.text(
        "SELECT subject FROM api_tokens UNION SELECT author FROM policy_versions "
        "UNION SELECT requested_by FROM suspension_requests ORDER BY 1"))]
    for subject in subjects:
        key = _key(subject)
        if key in ids:
            continue
        bind.execute(principals.insert().values(
            name=subject, name_key=key, kind="person", created_by_principal_id=None,
            created_by="migration 0003", created_at=now))
        ids[key] = bind.execute(sa.text("SELECT id FROM principals WHERE name_key = :k"),
                                {"k": key}).scalar_one()
    for table, column, target in (("api_tokens", "subject", "principal_id"),
                                  ("policy_versions", "author", "author_principal_id"),
                                  ("suspension_requests", "requested_by",
                                   "requested_by_principal_id"),
                                  ("suspension_requests", "decided_by",
                                   "decided_by_principal_id")):
        rows = bind.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for (name,) in rows:
            if _key(name) in ids:
                bind.execute(sa.text(f"UPDATE {table} SET {target} = :p WHERE {column} = :n"),
                             {"p": ids[_key(name)], "n": name})


def downgrade() -> None:
    for table, column in (("suspension_requests", "action"),
                          ("suspension_requests", "decided_by_principal_id"),
                          ("suspension_requests", "requested_by_principal_id"),
                          ("policy_versions", "author_principal_id"),
                          ("api_tokens", "principal_id")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
    op.drop_table("principals")
