"""The decision and action log: D-n and A-n are gapless per workspace, an agenda item is
settled once, and a decision joins its program's RAID log."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UserError
from bot.meetings import log
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    Meeting,
    MeetingOccurrence,
    Person,
    Program,
    RaidItem,
    Workspace,
)
from storage.types import DecisionRequestState, RaidKind, RaidState

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def person(team: str, user: str, **values: object) -> Person:
    return Person(
        team_id=team, user_id=user, name=user, display_name=user, fetched_at=NOW, **values
    )


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> None:
    """Two workspaces; T1 has Apollo (Lee's), a fortnightly meeting and one occurrence."""
    with sessions.begin() as session:
        for team in ("T1", "T2"):
            session.add(Workspace(team_id=team, timezone="Europe/Berlin", created_at=NOW))
        session.flush()
        session.add_all([person("T1", "ULEAD"), person("T1", "UKIM"), person("T2", "UZED")])
        session.add_all(
            [person("T1", "UGUEST", is_restricted=True), person("T1", "UBOT", is_bot=True)]
        )
        session.add(
            Program(
                id=1,
                team_id="T1",
                key="apollo",
                name="Apollo",
                owner_id="ULEAD",
                cadence="weekly",
                start_date=date(2026, 1, 5),
                created_by="ULEAD",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.add(
            Meeting(
                id=1,
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
        )
        session.flush()
        session.add(
            MeetingOccurrence(
                id=1,
                team_id="T1",
                meeting_id=1,
                period="2026-12-07T10:00",
                starts_at=datetime(2026, 12, 7, 9, tzinfo=UTC),
                ends_at=datetime(2026, 12, 7, 10, tzinfo=UTC),
                outcomes={},
            )
        )
        session.add(
            DecisionRequest(
                id=1,
                team_id="T1",
                program_id=1,
                question="Go live?",
                options=["Yes", "No"],
                requested_by="ULEAD",
                created_at=NOW,
                meeting_id=1,
            )
        )


def decide(session: Session, **values: object) -> Decision:
    actor = session.get(Person, ("T1", "UKIM"))
    assert actor is not None
    arguments: dict[str, object] = {
        "actor": actor,
        "text": "Go live on the 14th",
        "rationale": "Tests are green",
        "decided_by": ["ULEAD"],
        "option": None,
        "now": NOW,
    }
    return log.record_decision(session, **(arguments | values))  # type: ignore[arg-type]


def test_a_decision_closes_its_request_and_joins_the_programs_raid_log(
    sessions: sessionmaker[Session], world: None
) -> None:
    with sessions.begin() as session:
        request = session.get(DecisionRequest, 1)
        occurrence = session.get(MeetingOccurrence, 1)
        decision = decide(
            session,
            option="Yes",
            request=request,
            program=session.get(Program, 1),
            occurrence=occurrence,
            item_ref="request:1",
        )
        assert decision.number == 1

    with sessions() as session:
        request = session.get(DecisionRequest, 1)
        assert request is not None and request.state == DecisionRequestState.DECIDED
        item = session.scalar(select(RaidItem))
        assert item is not None
        assert (item.kind, item.state, item.title) == (
            RaidKind.DECISION,
            RaidState.CLOSED,
            "D-1: Go live on the 14th",
        )


def test_the_same_agenda_item_is_decided_once_and_the_second_is_told_who(
    sessions: sessionmaker[Session], world: None
) -> None:
    with sessions.begin() as session:
        decide(session, occurrence=session.get(MeetingOccurrence, 1), item_ref="program:1")

    with sessions.begin() as session, pytest.raises(log.AlreadyRecorded, match="D-1 was recorded"):
        decide(session, occurrence=session.get(MeetingOccurrence, 1), item_ref="program:1")
    with sessions() as session:
        assert session.scalar(select(Workspace.decision_seq).where(Workspace.team_id == "T1")) == 1


def test_numbers_are_gapless_per_workspace_and_a_refused_one_gives_its_number_back(
    sessions: sessionmaker[Session], world: None
) -> None:
    with sessions.begin() as session:
        assert decide(session).number == 1
    # An option that is not the request's: nothing recorded, the number given back.
    with pytest.raises(UserError), sessions.begin() as session:
        decide(session, option="Maybe", request=session.get(DecisionRequest, 1))
    with sessions.begin() as session:
        assert decide(session).number == 2
        other = session.get(Person, ("T2", "UZED"))
        assert other is not None
        elsewhere = log.record_decision(
            session,
            actor=other,
            text="T2's own",
            rationale=None,
            decided_by=[],
            option=None,
            now=NOW,
        )
        assert (elsewhere.number, elsewhere.decided_by) == (1, ["UZED"])


def add(session: Session, **values: object) -> ActionItem:
    actor = session.get(Person, ("T1", "ULEAD"))
    owner = session.get(Person, ("T1", str(values.pop("owner", "UKIM"))))
    workspace = session.get(Workspace, "T1")
    assert actor is not None and owner is not None and workspace is not None
    arguments: dict[str, object] = {
        "actor": actor,
        "title": "Book the vendor review",
        "owner": owner,
        "due": date(2026, 12, 11),
        "now": NOW,
        "workspace": workspace,
    }
    return log.add_action(session, **(arguments | values))  # type: ignore[arg-type]


def test_actions_are_numbered_and_one_item_adds_the_same_action_once(
    sessions: sessionmaker[Session], world: None
) -> None:
    with sessions.begin() as session:
        occurrence = session.get(MeetingOccurrence, 1)
        first = add(session, occurrence=occurrence, item_ref="program:1")
        second = add(session, title="Write the memo", occurrence=occurrence, item_ref="program:1")
        assert (first.number, second.number, first.meeting_id) == (1, 2, 1)
    with sessions.begin() as session, pytest.raises(log.AlreadyRecorded, match="A-1"):
        add(
            session,
            title="  Book the   vendor review ",
            occurrence=session.get(MeetingOccurrence, 1),
            item_ref="program:1",
        )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"due": date(2026, 12, 6)}, "in the past"),
        ({"title": "   "}, "Say what is to be done"),
        ({"title": "x" * 201}, "at most 200"),
        ({"owner": "UGUEST"}, "can't own an action"),
        ({"owner": "UBOT"}, "can't own an action"),
    ],
)
def test_bad_actions_are_refused_and_take_no_number(
    sessions: sessionmaker[Session], world: None, values: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message), sessions.begin() as session:
        add(session, **values)
    with sessions() as session:
        assert session.scalar(select(Workspace.action_seq).where(Workspace.team_id == "T1")) == 0
        assert session.scalar(select(ActionItem)) is None


def test_an_action_due_today_in_the_actors_zone_is_fine(
    sessions: sessionmaker[Session], world: None
) -> None:
    with sessions.begin() as session:
        assert add(session, due=date(2026, 12, 7)).number == 1


def test_two_people_recording_the_same_item_at_once_record_one_decision(
    sessions: sessionmaker[Session], world: None
) -> None:
    """Both submissions reach the database together; one waits on the other and is told."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def record() -> None:
        start.wait()
        try:
            with sessions.begin() as session:
                occurrence = session.get(MeetingOccurrence, 1)
                decide(session, occurrence=occurrence, item_ref="request:1")
            outcomes.append("recorded")
        except log.AlreadyRecorded:
            outcomes.append("told")

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["recorded", "told"]
    with sessions() as session:
        assert [d.number for d in session.scalars(select(Decision))] == [1]
