"""attachment_blobs.paper_id: the bytes of a restricted paper's attached file (issue 16)

Attached bytes are kept once per content hash and shared by every paper that attaches the same
file. A restricted paper's files are kept apart instead, in blobs that name the paper: their
bytes (`data_b64`) are then sealed for the paper's readership as its text is, and a public
paper never takes them (nor they a public paper's). NULL: a shared blob, as before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment_blobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paper_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_attachment_blobs_paper_id"), ["paper_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment_blobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_blobs_paper_id"))
        batch_op.drop_column("paper_id")
