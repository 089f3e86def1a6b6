"""The append-only audit history: every change is kept with who and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    ActionItem,
    AuditEvent,
    Decision,
    DecisionRequest,
    DigestSubscription,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Milestone,
    Person,
    Program,
    RaidItem,
    Standup,
    StandupAnswer,
    StatusUpdate,
    StrategicGoal,
    Workspace,
    WorkspaceAdmin,
)


class Auditable(Protocol):
    """A row the audit log can name: every audited model has a workspace."""

    team_id: str


# The audit log's name for each model, and the attribute that identifies a row of it.
# The names and ids are what history queries and the CSV export read: keep them stable.
ENTITIES: dict[type[Any], tuple[str, str]] = {
    Program: ("program", "id"),
    StatusUpdate: ("status", "id"),
    RaidItem: ("raid", "id"),
    Milestone: ("milestone", "id"),
    IntakeRequest: ("intake", "id"),
    StrategicGoal: ("goal", "id"),
    DigestSubscription: ("digest", "id"),
    Standup: ("standup", "id"),
    Meeting: ("meeting", "id"),
    MeetingOccurrence: ("meeting_occurrence", "id"),
    DecisionRequest: ("decision_request", "id"),
    Decision: ("decision", "id"),
    ActionItem: ("action", "id"),
    StandupAnswer: ("standup_answer", "id"),
    Person: ("person", "user_id"),
    WorkspaceAdmin: ("admin", "user_id"),
    Workspace: ("workspace", "team_id"),
}


def entity_of(subject: Auditable) -> tuple[str, str]:
    """The audit log's entity name and entity id for `subject`.

    Raises:
        KeyError: `subject` is not of an audited model.
    """
    name, attribute = ENTITIES[type(subject)]
    return name, str(getattr(subject, attribute))


def record(
    session: Session,
    subject: Auditable,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event about `subject`; values are made JSON-safe (dates as ISO strings).

    Args:
        session: The caller's session; the event joins its transaction.
        subject: The changed row; its workspace, entity name and id are taken from it.
        actor_id: Who made the change (a Slack user id, or the system actor).
        action: What was done ("add", "edit", "set timezone", …).
        now: When.
        before: The changed values as they were.
        after: The changed values as they are now.

    Returns:
        The new, unflushed event.
    """
    entity, entity_id = entity_of(subject)
    event = AuditEvent(
        team_id=subject.team_id,
        actor_id=actor_id,
        at=now,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=_json_safe(before),
        after=_json_safe(after),
    )
    session.add(event)
    return event


def history(session: Session, subject: Auditable, *, limit: int = 100) -> list[AuditEvent]:
    """The latest `limit` audit events about `subject`, oldest first."""
    entity, entity_id = entity_of(subject)
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == subject.team_id,
            AuditEvent.entity == entity,
            AuditEvent.entity_id == entity_id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(query))))


def _json_safe(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: _scalar(value) for key, value in values.items()}


def _scalar(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_scalar(v) for v in value)
    return value
