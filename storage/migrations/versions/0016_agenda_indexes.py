"""indexes a steering agenda reads by: escalated RAID items, a meeting's open requests and actions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_raid_item_team_id_escalated_at", "raid_item", ["team_id", "escalated_at"])
    op.create_index(
        "ix_decision_request_meeting_id_state", "decision_request", ["meeting_id", "state"]
    )
    op.create_index("ix_action_item_meeting_id_state", "action_item", ["meeting_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_action_item_meeting_id_state", table_name="action_item")
    op.drop_index("ix_decision_request_meeting_id_state", table_name="decision_request")
    op.drop_index("ix_raid_item_team_id_escalated_at", table_name="raid_item")
