"""conflict_resolutions: a conflict settled on one PC is settled on every PC

A synced table (its rows travel in the journal like any edit), keyed by the conflict's id,
which every PC derives alike from the conflict itself. Nothing to fill in: conflicts settled
before this revision stay settled on the PC that settled them (conflicts.resolved).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conflict_resolutions",
        sa.Column("resolution", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_resolutions")),
    )
    with op.batch_alter_table("conflict_resolutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_resolutions_deleted"), ["deleted"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conflict_resolutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_resolutions_deleted"))
    op.drop_table("conflict_resolutions")
