"""an index on prompt.outbox_id: each pass asks whether a prompt's DM failed for good

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:15:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_prompt_outbox_id", "prompt", ["outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_prompt_outbox_id", table_name="prompt")
