"""Which occurrence `start`, `close` and the jobs act on: one per scheduled start, today's in
the meeting's zone, and the last one held."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.meetings import occurrences
from storage.models import Meeting, MeetingOccurrence, Workspace
from storage.types import MeetingState

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 10:00 Berlin


@pytest.fixture
def meeting(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        session.add(Workspace(team_id="T1", timezone="Europe/Berlin", created_at=NOW))
        session.flush()
        row = Meeting(
            team_id="T1",
            channel_id="CSTEER",
            chair_id="ULEAD",
            days="mon",
            at="10:00",
            every_weeks=2,
            anchor=date(2026, 12, 7),
            length_minutes=60,
            timezone="Europe/Berlin",
            attendees=["UKIM"],
            created_at=NOW,
        )
        session.add(row)
        session.flush()
        return row.id


def test_a_start_has_one_occurrence_however_often_it_is_asked_for(
    sessions: sessionmaker[Session], meeting: int
) -> None:
    for _ in range(2):
        with sessions.begin() as session:
            row = session.get(Meeting, meeting)
            assert row is not None
            made = occurrences.for_start(session, meeting=row, start=START)
            assert (made.period, made.ends_at) == (
                "2026-12-07T10:00",
                datetime(2026, 12, 7, 10, tzinfo=UTC),
            )
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MeetingOccurrence)) == 1


def test_today_is_the_scheduled_start_of_the_local_day_or_none_on_an_off_week(
    sessions: sessionmaker[Session], meeting: int
) -> None:
    with sessions.begin() as session:
        row = session.get(Meeting, meeting)
        assert row is not None
        found = occurrences.today(session, meeting=row, now=NOW)
        assert found is not None and found.starts_at == START
        # Late on Monday it is still Monday's; the Monday after is an off week.
        assert occurrences.today(session, meeting=row, now=datetime(2026, 12, 7, 22, tzinfo=UTC))
        assert (
            occurrences.today(session, meeting=row, now=datetime(2026, 12, 14, 9, tzinfo=UTC))
            is None
        )


def test_the_last_held_is_the_latest_closed_or_missed_before_a_start(
    sessions: sessionmaker[Session], meeting: int
) -> None:
    with sessions.begin() as session:
        row = session.get(Meeting, meeting)
        assert row is not None
        first = occurrences.for_start(session, meeting=row, start=START)
        assert occurrences.last_held(session, meeting=row, before=START) is None
        first.state = MeetingState.MISSED
        second = occurrences.live_one(
            session, meeting=row, now=datetime(2026, 12, 9, 13, tzinfo=UTC)
        )
        assert second.period == "live:2026-12-09T14:00:00"
        later = datetime(2026, 12, 21, 9, tzinfo=UTC)
        assert occurrences.last_held(session, meeting=row, before=later) is first
        second.state = MeetingState.CLOSED
        assert occurrences.last_held(session, meeting=row, before=later) is second
