"""steering meetings, their occurrences, decision requests, decisions (D-n) and actions (A-n)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 06:37:01.882548
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("chair_id", sa.String(length=32), nullable=False),
        sa.Column("days", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("portfolio", sa.String(length=80), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("removed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("next_due_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_meeting_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_team_id_channel_id"), ["team_id", "channel_id"], unique=False
        )

    op.create_table(
        "meeting_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=True),
        sa.Column("current", sa.Integer(), server_default="0", nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("started_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("minutes", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_occurrence_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_meeting_occurrence_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_occurrence")),
        sa.UniqueConstraint(
            "meeting_id", "period", name=op.f("uq_meeting_occurrence_meeting_id_period")
        ),
    )
    with op.batch_alter_table("meeting_occurrence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_occurrence_team_id_starts_at"),
            ["team_id", "starts_at"],
            unique=False,
        )

    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", storage.types.LimitedText(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("item_ref", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_action_item_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrence.id"],
            name=op.f("fk_action_item_occurrence_id_meeting_occurrence"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_action_item_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_action_item_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_action_item_team_id_number")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_item_program_id_state"), ["program_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_item_team_id_owner_id_state"),
            ["team_id", "owner_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_action_item_team_id_state_due_date"),
            ["team_id", "state", "due_date"],
            unique=False,
        )

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("item_ref", sa.String(length=64), nullable=True),
        sa.Column("text", storage.types.LimitedText(length=3000), nullable=False),
        sa.Column("rationale", storage.types.LimitedText(length=3000), nullable=True),
        sa.Column("option", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("raid_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["meeting_occurrence.id"],
            name=op.f("fk_decision_occurrence_id_meeting_occurrence"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_decision_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["raid_item_id"], ["raid_item.id"], name=op.f("fk_decision_raid_item_id_raid_item")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_decision_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_decision_team_id_number")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_program_id"), ["program_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_decision_team_id_decided_at"), ["team_id", "decided_at"], unique=False
        )

    op.create_table(
        "decision_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("question", storage.types.LimitedText(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("by_date", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("sent_to_id", sa.String(length=32), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_decision_request_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_decision_request_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_decision_request_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspace.team_id"], name=op.f("fk_decision_request_team_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_request")),
    )
    with op.batch_alter_table("decision_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_request_program_id_state"),
            ["program_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_decision_request_team_id_state"), ["team_id", "state"], unique=False
        )

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_seq", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("action_seq", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    # Plain drops: a batch rebuild of `workspace` would trip the foreign keys pointing at it.
    op.drop_column("workspace", "action_seq")
    op.drop_column("workspace", "decision_seq")

    with op.batch_alter_table("decision_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_request_team_id_state"))
        batch_op.drop_index(batch_op.f("ix_decision_request_program_id_state"))

    op.drop_table("decision_request")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_team_id_decided_at"))
        batch_op.drop_index(batch_op.f("ix_decision_program_id"))

    op.drop_table("decision")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_team_id_state_due_date"))
        batch_op.drop_index(batch_op.f("ix_action_item_team_id_owner_id_state"))
        batch_op.drop_index(batch_op.f("ix_action_item_program_id_state"))

    op.drop_table("action_item")
    with op.batch_alter_table("meeting_occurrence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_occurrence_team_id_starts_at"))

    op.drop_table("meeting_occurrence")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_team_id_channel_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_next_due_at"))

    op.drop_table("meeting")
