"""readerships, restrictions, sealed_keys, pc_box_keys (synced); content_keys (local): issue 16

Need-to-know: a record restricted to a readership has its content encrypted in the change log
(and so on the share) under the readership's content key, sealed to each reader's PC. See
docs/architecture.md, "Restricted records".

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _synced(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        *columns,
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(120), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(120), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(120), nullable=True),
    )
    op.create_index(f"ix_{name}_deleted", name, ["deleted"])


def upgrade() -> None:
    _synced(
        "readerships",
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("people", sa.Text(), nullable=False, server_default=""),
        sa.Column("roles", sa.Text(), nullable=False, server_default=""),
        sa.Column("handling", sa.Text(), nullable=False, server_default=""),
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("key_check", sa.String(64), nullable=False),
    )
    _synced(
        "restrictions",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("readership_id", sa.String(36), sa.ForeignKey("readerships.id"), nullable=False),
        sa.Column("public_title", sa.String(300), nullable=False, server_default=""),
        sa.Column("handling", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_restrictions_table_name", "restrictions", ["table_name"])
    op.create_index("ix_restrictions_record_id", "restrictions", ["record_id"])
    op.create_index("ix_restrictions_readership_id", "restrictions", ["readership_id"])
    _synced(
        "sealed_keys",
        sa.Column("readership_id", sa.String(36), sa.ForeignKey("readerships.id"), nullable=False),
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("reader_pc", sa.String(64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_sealed_keys_readership_id", "sealed_keys", ["readership_id"])
    op.create_index("ix_sealed_keys_key_id", "sealed_keys", ["key_id"])
    op.create_index("ix_sealed_keys_reader_pc", "sealed_keys", ["reader_pc"])
    _synced(
        "pc_box_keys",
        sa.Column("pc", sa.String(64), nullable=False),
        sa.Column("box_public", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(120), nullable=False),
    )
    op.create_index("ix_pc_box_keys_pc", "pc_box_keys", ["pc"])
    op.create_table(
        "content_keys",
        sa.Column("key_id", sa.String(40), primary_key=True),
        sa.Column("readership_id", sa.String(36), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("escrow", sa.Boolean(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("content_keys")
    for name in ("pc_box_keys", "sealed_keys", "restrictions", "readerships"):
        op.drop_table(name)
