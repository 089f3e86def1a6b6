"""program aliases: the keys a renamed program had

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_program_alias_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_program_alias_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_alias")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_program_alias_team_id_key")),
    )
    op.create_index(
        op.f("ix_program_alias_program_id"), "program_alias", ["program_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_program_alias_program_id"), table_name="program_alias")
    op.drop_table("program_alias")
