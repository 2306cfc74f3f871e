"""refused_changes.prev_hlc: a refused change can be merged later as it was made (issue 15)

The rules on merge judge a change by its record's owners as of the change's clock, so a change
refused when it arrived is allowed once an earlier change arrives that makes the record its
writer's (and an applied one refused once an earlier change takes the record away). A change
allowed later goes through the normal merge, which needs what it was made on top of (its
prev_hlc) to settle conflicts as every other PC does. Rows refused before this revision have
none (NULL): merged as made without seeing the value.

refused_changes.stamped_hlc: the author's own stamp of a refused change the share's time re-dated
(as change_log.stamped_hlc, 0008). A refused change travelled in its author's signed segment, so
the digest that chains the author's next segment to it is taken with the author's stamp; with
only the re-dated clock kept, that PC's next segment read as "segment replaced" here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refused_changes") as batch:
        batch.add_column(sa.Column("prev_hlc", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("stamped_hlc", sa.BigInteger(), nullable=True))
    op.create_index("ix_refused_changes_row", "refused_changes", ["table_name", "row_id"])


def downgrade() -> None:
    op.drop_index("ix_refused_changes_row", table_name="refused_changes")
    with op.batch_alter_table("refused_changes") as batch:
        batch.drop_column("stamped_hlc")
        batch.drop_column("prev_hlc")
