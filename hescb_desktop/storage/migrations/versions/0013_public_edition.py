"""agenda_items.public_title, exempt_paragraph, exempt_reason: the public edition (issue 16)

A public edition of an agenda, pack or minutes prints each Part II item as its agreed public
title and the ground of its exemption (a paragraph of Schedule 12A to the Local Government Act
1972, and/or the reason recorded, as a police item gives), never its own title or text. Synced
columns: an older PC keeps their records in change_log until it is upgraded.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(
            sa.Column("public_title", sa.String(300), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("exempt_paragraph", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("exempt_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_column("exempt_reason")
        batch.drop_column("exempt_paragraph")
        batch.drop_column("public_title")
