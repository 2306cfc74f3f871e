"""meetings, minutes and actions (issue 4): why minutes were re-opened, which meeting closed an
action. Additive: two new columns, nullable or with a server default.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:20:18.008380
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at_meeting_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_actions_closed_at_meeting_id"), ["closed_at_meeting_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_closed_at_meeting_id_meetings"),
            "meetings",
            ["closed_at_meeting_id"],
            ["id"],
        )
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reopen_reason", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_column("reopen_reason")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_closed_at_meeting_id")
        batch_op.drop_column("closed_at_meeting_id")
