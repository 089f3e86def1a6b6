"""Column types that behave the same on SQLite and PostgreSQL, and the values columns store.

The states and codes are `StrEnum`s: a member equals its string, so rows read back as plain
strings compare equal to them, and the columns stay plain strings (no database enum type).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant, stored as naive UTC (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC instant")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class LimitedText(TypeDecorator[str]):
    """Text stored as TEXT (no database limit to fail on), with the most people may type.

    `length` is the field's limit, read like a `String(n)`'s: the domain refuses longer text
    (`bot.limits`), the same on SQLite and PostgreSQL, and the forms carry it as `max_length`.
    """

    impl = Text
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length


class ProgramState(StrEnum):
    """`program.state`: live programs are active or paused."""

    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    ARCHIVED = "archived"


class Rag(StrEnum):
    """A status colour: `program.rag` and `status_update.rag`."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Flag(StrEnum):
    """A program flag code: the keys of `program.flags` and `flag_transition.flag`."""

    RED = "RED"
    OVERDUE_UPDATE = "OVERDUE_UPDATE"
    STALE = "STALE"
    HIGH_RISK = "HIGH_RISK"
    BLOCKED = "BLOCKED"
    PAST_TARGET = "PAST_TARGET"
    MILESTONE_LATE = "MILESTONE_LATE"
    RISK_OVERDUE = "RISK_OVERDUE"
    RAG_MISMATCH = "RAG_MISMATCH"
    NO_RECOVERY_PLAN = "NO_RECOVERY_PLAN"


class RaidKind(StrEnum):
    """`raid_item.kind`."""

    RISK = "risk"
    ISSUE = "issue"
    ASSUMPTION = "assumption"
    DEPENDENCY = "dependency"
    DECISION = "decision"


class RaidState(StrEnum):
    """`raid_item.state`."""

    OPEN = "open"
    CLOSED = "closed"


class OutboxState(StrEnum):
    """`outbox_message.state`: pending, then sending, then sent or failed (or withdrawn)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class JobState(StrEnum):
    """`scheduled_job.state`."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"


class PromptState(StrEnum):
    """`prompt.state`; each value fits the 12-character column."""

    PENDING = "pending"
    SNOOZED = "snoozed"
    ANSWERED = "answered"
    EXPIRED = "expired"
    UNREACHABLE = "unreachable"


class IntakeState(StrEnum):
    """`intake_request.state`."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class StandupRunState(StrEnum):
    """`standup_run.state`."""

    OPEN = "open"
    CLOSED = "closed"


class MeetingState(StrEnum):
    """`meeting_occurrence.state`: scheduled, live, then closed (or missed: nobody started it)."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    CLOSED = "closed"
    MISSED = "missed"


class DecisionRequestState(StrEnum):
    """`decision_request.state`."""

    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class ActionState(StrEnum):
    """`action_item.state`."""

    OPEN = "open"
    DONE = "done"
