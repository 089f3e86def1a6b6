"""stand-ups at each participant's local time, and pausing after unanswered runs; why a
participant of a run was not asked, and when each one was

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 04:30:00.000000

Other branches add 0011 and 0012; whoever merges re-chains `down_revision` to the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("local_time", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("unanswered_runs", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("standup_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skip_reasons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("asked_at", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild would drop these tables
    # while other tables' rows (runs, answers) refer to them.
    for column in ("asked_at", "skip_reasons"):
        op.drop_column("standup_run", column)
    for column in ("paused_at", "unanswered_runs", "local_time"):
        op.drop_column("standup", column)
