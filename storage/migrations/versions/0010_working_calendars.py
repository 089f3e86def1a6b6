"""working calendars: working days, message hours and public holidays per workspace and
person; a Slack status that says a person is away

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:20:00.000000

Other branches add 0011 and later; whoever merges re-chains `down_revision` to the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("workdays", sa.String(7), nullable=False, server_default="01234")
        )
        batch_op.add_column(
            sa.Column("hours", sa.String(11), nullable=False, server_default="08:00-20:00")
        )
        batch_op.add_column(sa.Column("holidays", sa.String(16), nullable=True))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workdays", sa.String(7), nullable=True))
        batch_op.add_column(sa.Column("hours", sa.String(11), nullable=True))
        batch_op.add_column(sa.Column("holidays", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("away_status", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("away_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in ("away_until", "away_status", "holidays", "hours", "workdays"):
            batch_op.drop_column(column)
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        for column in ("holidays", "hours", "workdays"):
            batch_op.drop_column(column)
