"""The append-only audit history: every change is kept with who and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    entity: str,
    entity_id: object,
    action: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; values are made JSON-safe (dates as ISO strings)."""
    event = AuditEvent(
        team_id=team_id,
        actor_id=actor_id,
        at=now,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        before=_json_safe(before),
        after=_json_safe(after),
    )
    session.add(event)
    return event


def history(
    session: Session, *, team_id: str, entity: str, entity_id: object, limit: int = 100
) -> list[AuditEvent]:
    """The latest `limit` audit events of one entity, oldest first."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == team_id,
            AuditEvent.entity == entity,
            AuditEvent.entity_id == str(entity_id),
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
