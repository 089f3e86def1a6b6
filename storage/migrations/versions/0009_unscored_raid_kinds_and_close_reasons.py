"""decisions and assumptions are not scored; a closed RAID item keeps its reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00.000000

Other branches add 0007 and 0008; whoever merges re-chains `down_revision` to the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UNSCORED = "('decision', 'assumption')"


def upgrade() -> None:
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        for column in ("likelihood", "impact", "score"):
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
    # Decisions and assumptions are no longer scored: what they held goes.
    op.execute(
        "UPDATE raid_item SET likelihood = NULL, impact = NULL, score = NULL "
        f"WHERE kind IN {UNSCORED}"
    )


def downgrade() -> None:
    op.execute("UPDATE raid_item SET likelihood = 3, impact = 3, score = 9 WHERE score IS NULL")
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        batch_op.drop_column("close_reason")
        for column in ("likelihood", "impact", "score"):
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
