"""change_log.stamped_hlc: the author's own stamp of a change re-dated by the share's time

A PC whose clock runs far ahead (issue 13) has its changes re-dated, identically on every PC,
by the time the share gave the segment that carried them; `hlc` holds that re-dated stamp (every
PC decides with it) and `stamped_hlc` the author's own, for the History view. NULL when the two
are the same (every change but those). Nothing is logged: each PC fills it as it merges.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stamped_hlc", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_column("stamped_hlc")
