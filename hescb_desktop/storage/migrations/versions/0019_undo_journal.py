"""undo_journal: the transactions this PC made, for undo on the command line (issue 17, point 3)

Local (never synced, never in a snapshot): each write transaction a command (or the GUI) made,
keyed by (device id, tx), with its label, whether it was an edit, an undo or a redo, and the
transaction that undid it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undo_journal",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("tx", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("made_at", sa.String(length=40), nullable=False),
        sa.Column("undoes_tx", sa.BigInteger(), nullable=True),
        sa.Column("undone_by_tx", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "tx", name=op.f("pk_undo_journal")),
    )


def downgrade() -> None:
    op.drop_table("undo_journal")
