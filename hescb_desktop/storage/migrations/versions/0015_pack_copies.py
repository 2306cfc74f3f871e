"""pack_copies: numbered copies of a pack with restricted items and who holds each (issue 16)

A synced table: "Copy 3 of 7 - issued to ACC R. Shah" is printed in the footer of every
restricted page of that copy, and the copies register says who has which copy, when it was
issued and when it was returned or destroyed. Self-contained (creates the table and its
indexes, nothing else), so it can be renumbered when merged after other revisions.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_copies",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column(
            "part", sa.Enum("I", "II", name="part", native_enum=False, length=32), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("of_total", sa.Integer(), nullable=False),
        sa.Column("issued_to_id", sa.String(length=36), nullable=True),
        sa.Column("issued_to", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_pack_copies_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["issued_to_id"], ["people.id"], name=op.f("fk_pack_copies_issued_to_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_copies")),
    )
    with op.batch_alter_table("pack_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_copies_deleted"), ["deleted"], unique=False)
        batch_op.create_index(batch_op.f("ix_pack_copies_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pack_copies_issued_to_id"), ["issued_to_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pack_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_copies_issued_to_id"))
        batch_op.drop_index(batch_op.f("ix_pack_copies_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_pack_copies_deleted"))
    op.drop_table("pack_copies")
