"""which flags reach the PMO channel, DM kinds a person muted, transitions awaiting a summary

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:30:00.000000

Another branch adds 0010; whoever merges re-chains `down_revision` to the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pmo_alerts", sa.String(length=64), nullable=False, server_default="all")
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("muted", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("flag_transition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_flag_transition_announced_at_team_id"),
            ["announced_at", "team_id"],
            unique=False,
        )
    # Every transition so far was alerted as it happened: none waits for a summary.
    op.execute("UPDATE flag_transition SET announced_at = at")


def downgrade() -> None:
    with op.batch_alter_table("flag_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_transition_announced_at_team_id"))
        batch_op.drop_column("announced_at")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild would drop these
    # tables while other tables' rows refer to them.
    op.drop_column("person", "muted")
    op.drop_column("workspace", "pmo_alerts")
