"""deadline_rules: how each body counts its meetings' deadlines (issue 18, point 2)

A synced table, one row per body (its id derived from the body), set by the secretariat: the
pack despatched `despatch_clear_days` clear days before the meeting (working days unless
`clear_days_are_working_days` is false), final papers `final_working_days` working days before
despatch, drafts `draft_working_days` working days before that. No row for a body: the
defaults (domain.deadlines). Self-contained.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_rules",
        sa.Column("body", sa.String(length=60), nullable=False),
        sa.Column("despatch_clear_days", sa.Integer(), nullable=False),
        sa.Column("clear_days_are_working_days", sa.Boolean(), nullable=False),
        sa.Column("final_working_days", sa.Integer(), nullable=False),
        sa.Column("draft_working_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_rules")),
    )
    with op.batch_alter_table("deadline_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_rules_body"), ["body"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_rules_deleted"), ["deleted"], unique=False)


def downgrade() -> None:
    op.drop_table("deadline_rules")
