"""Decision requests in the domain: options, which meeting a question goes to, and gapless
numbers (a rolled-back decision or action gives its number back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import people, programs, workspace
from bot.errors import UserError
from bot.meetings import log, plans, requests
from storage.models import Meeting, Person, Program, Workspace
from tests.conftest import START, TEAM


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Build|Buy", ("Build", "Buy")),
        ("  Build  in house |Buy| Wait ", ("Build in house", "Buy", "Wait")),
        ("a|b|c|d|e|f", ("a", "b", "c", "d", "e", "f")),
    ],
)
def test_options_are_read_and_tidied(text: str, options: tuple[str, ...]) -> None:
    assert requests.parse_options(text) == options


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("Build", "Give 2 to 6 options"),
        ("a|b|c|d|e|f|g", "(you gave 7)"),
        ("a| |b", "An option is empty"),
        ("Go|GO", "The option “Go” is given twice"),
        ("a|" + "x" * 101, "The option is 101 characters long"),
    ],
)
def test_bad_options_are_refused(text: str, refusal: str) -> None:
    with pytest.raises(UserError, match=refusal.replace("(", r"\(").replace(")", r"\)")):
        requests.parse_options(text)


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> None:
    """The workspace, an admin, Lee and Apollo, committed."""
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        for user_id in ("UADMIN", "ULEAD"):
            people.upsert_person(
                session, team_id=TEAM, user={"id": user_id, "name": user_id, "tz": "UTC"}, now=START
            )
        programs.add_program(
            session,
            team_id=TEAM,
            actor_id="UADMIN",
            timezone="UTC",
            today=START.date(),
            now=START,
            new=programs.NewProgram(name="Apollo", owner_id="ULEAD"),
        )


@pytest.fixture
def session(sessions: sessionmaker[Session], seeded: None) -> Iterator[Session]:
    """A session on the seeded workspace, rolled back after the test."""
    with sessions() as session:
        yield session


def meeting(session: Session, **values: object) -> Meeting:
    row = Meeting(
        team_id=TEAM,
        channel_id=values.pop("channel", "C1"),
        chair_id="UADMIN",
        days=values.pop("days", "mon"),
        at="10:00",
        every_weeks=values.pop("every_weeks", 1),
        anchor=values.pop("anchor", date(2026, 11, 30)),
        length_minutes=60,
        portfolio=values.pop("portfolio", None),
        timezone=values.pop("tz", "UTC"),
        attendees=[],
        created_at=START,
        **values,
    )
    row.next_due_at = plans.next_start(row, after=START)
    session.add(row)
    session.flush()
    return row


def apollo(session: Session) -> Program:
    program = session.scalar(select(Program).where(Program.key == "apollo"))
    assert program is not None
    return program


def test_a_fortnightly_meeting_off_this_week_loses_to_a_weekly_one(session: Session) -> None:
    meeting(session, channel="CFORT", days="mon", every_weeks=2, anchor=date(2026, 11, 23))
    weekly = meeting(session, channel="CWEEK", days="fri")
    found = requests.next_meeting(session, program=apollo(session), by=None, now=START)
    assert found == (weekly, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    fortnightly = requests.next_meeting(
        session,
        program=apollo(session),
        by=date(2026, 12, 6),
        now=datetime(2026, 11, 28, tzinfo=UTC),
    )
    assert fortnightly is not None and fortnightly[0].channel_id == "CWEEK"
    assert fortnightly[1] == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def test_at_the_same_start_the_portfolios_own_meeting_wins(session: Session) -> None:
    apollo(session).portfolio = "Payments"
    meeting(session, channel="CALL")
    own = meeting(session, channel="CPAY", portfolio="PAYMENTS")
    found = requests.next_meeting(session, program=apollo(session), by=None, now=START)
    assert found is not None and found[0] is own


def test_no_meeting_before_the_date_gives_none(session: Session) -> None:
    meeting(session, channel="CALL")  # Mon 30 Nov
    assert (
        requests.next_meeting(session, program=apollo(session), by=date(2026, 11, 29), now=START)
        is None
    )
    assert (
        requests.next_meeting(session, program=apollo(session), by=date(2026, 11, 30), now=START)
        is not None
    )


def actor(session: Session, user_id: str = "UADMIN") -> Person:
    person = session.get(Person, (TEAM, user_id))
    assert person is not None
    return person


def test_a_rolled_back_decision_or_action_gives_its_number_back(
    sessions: sessionmaker[Session], seeded: None
) -> None:
    for _ in range(2):  # the first attempt is rolled back
        with sessions() as attempt:
            attempt.begin()
            space = attempt.get(Workspace, TEAM)
            assert space is not None
            decision = log.record_decision(
                attempt,
                actor=actor(attempt),
                text="Go",
                rationale=None,
                decided_by=[],
                option=None,
                now=START,
                program=apollo(attempt),
            )
            action = log.add_action(
                attempt,
                actor=actor(attempt),
                title="Tell them",
                owner=actor(attempt, "ULEAD"),
                due=date(2026, 12, 1),
                now=START,
                workspace=space,
            )
            assert (decision.number, action.number) == (1, 1)
            attempt.rollback()
    with sessions.begin() as done:
        space = done.get(Workspace, TEAM)
        assert space is not None and (space.decision_seq, space.action_seq) == (0, 0)
