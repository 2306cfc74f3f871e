"""disposals, disposed_rows, kept_digests: disposal that really removes (issue 16, point 5)

- `disposals` (synced): the certificates, kept for ever: who, when, under which rule, why, how
  many of each kind, and the [table, id] pairs of the records disposed of.
- `disposed_rows` (local): every row whose text is gone, children included, and under which
  certificate; derived on each PC from the certificates.
- `kept_digests` (local, carried in snapshots): the digest each disposed change had, which the
  segments' chain (`prev`) was signed over.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disposals",
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.Text(), server_default="", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("counts", sa.Text(), server_default="", nullable=False),
        sa.Column("records", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposals")),
    )
    with op.batch_alter_table("disposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposals_deleted"), ["deleted"], unique=False)
    op.create_table(
        "disposed_rows",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("disposal_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", name=op.f("pk_disposed_rows")),
    )
    with op.batch_alter_table("disposed_rows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disposed_rows_disposal_id"), ["disposal_id"], unique=False
        )
    op.create_table(
        "kept_digests",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_kept_digests")),
    )


def downgrade() -> None:
    op.drop_table("kept_digests")
    op.drop_table("disposed_rows")
    op.drop_table("disposals")
