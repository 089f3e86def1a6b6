"""one decision per agenda item of a meeting; actions found by their agenda item

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 08:20:48.313143
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Indexes only: no table is rebuilt on SQLite, so rows referring to these stay valid.
    op.create_index(
        "ix_action_item_occurrence_id_item_ref", "action_item", ["occurrence_id", "item_ref"]
    )
    op.create_index(
        "ix_decision_occurrence_id_item_ref",
        "decision",
        ["occurrence_id", "item_ref"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_decision_occurrence_id_item_ref", table_name="decision")
    op.drop_index("ix_action_item_occurrence_id_item_ref", table_name="action_item")
