"""retention_rules: how long each kind of record is kept (issue 16, point 5)

A synced table, one row per kind of record (`domain.retention.CLASSES`), set by the secretariat:
`keep_years` NULL for permanent. No row for a kind: its default. Self-contained.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_rules",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("keep_years", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rules")),
    )
    with op.batch_alter_table("retention_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_rules_deleted"), ["deleted"], unique=False)
        batch_op.create_index(batch_op.f("ix_retention_rules_kind"), ["kind"], unique=False)


def downgrade() -> None:
    op.drop_table("retention_rules")
