"""insert_once: a duplicate rolls back only itself, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import insert_once
from storage.models import ProcessedEvent

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def _event(event_id: str) -> ProcessedEvent:
    return ProcessedEvent(team_id="T0001", event_id=event_id, received_at=NOW)


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0


def test_new_row_is_inserted_and_reported(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert insert_once(session, _event("Ev1")) is True
    assert _count(sessions) == 1


def test_duplicate_row_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        insert_once(session, _event("Ev1"))
    with sessions.begin() as session:
        assert insert_once(session, _event("Ev1")) is False
    assert _count(sessions) == 1


def test_duplicate_keeps_the_callers_earlier_writes(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        insert_once(session, _event("Ev1"))
    with sessions.begin() as session:
        session.add(_event("Ev2"))
        assert insert_once(session, _event("Ev1")) is False
        assert insert_once(session, _event("Ev3")) is True
    assert _count(sessions) == 3
