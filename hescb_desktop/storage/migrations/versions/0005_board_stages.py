"""board stages: the planning board's configurable columns, seeded with the five defaults

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:20:11.168569

The default stages get fixed ids, the same on every PC, so PCs that upgrade separately hold the
same five rows and a rename or reorder on one syncs onto the same row on the others.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DEFAULT_STAGES = ("Proposed", "Scoping", "In delivery", "Embedding", "Closed")


def default_stage_id(n: int) -> str:
    return f"00000000-0000-7000-8000-5741{n:08d}"


def upgrade() -> None:
    table = op.create_table(
        "board_stages",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Float(), server_default="0", nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_stages")),
    )
    with op.batch_alter_table("board_stages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_stages_deleted"), ["deleted"], unique=False)
    op.bulk_insert(
        table,
        [
            {"id": default_stage_id(n), "name": name, "position": float(n), "deleted": False}
            for n, name in enumerate(DEFAULT_STAGES, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("board_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_stages_deleted"))
    op.drop_table("board_stages")
