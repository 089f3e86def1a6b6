"""The live meeting's rules without Slack: what start freezes, how the walk moves and is
reordered, what recording settles, and that closing and missing happen once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import people, programs, workspace
from bot.errors import PermissionDenied, UserError
from bot.meetings import facts, live, minutes, occurrences, plans
from storage.models import DecisionRequest, Meeting, MeetingOccurrence, Person, Program, Workspace
from storage.types import MeetingState

TEAM = "T0001"
WED = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 15:00 in Berlin: the meeting's start


@dataclass
class Room:
    """One transaction's view of the workspace, its people and the meeting."""

    session: Session
    space: Workspace
    meeting: Meeting

    def person(self, user_id: str) -> Person:
        found = self.session.get(Person, (TEAM, user_id))
        assert found is not None
        return found

    def click(self, ref: str | None = None, *, position: int | None = None) -> live.Click:
        row = self.occurrence()
        at = row.current if position is None else position
        shown = ref or [item.ref for item in live.walk(row)][at]
        return live.Click(occurrence_id=row.id, position=at, ref=shown)

    def occurrence(self) -> MeetingOccurrence:
        return self.session.scalars(select(MeetingOccurrence)).one()

    def order(self) -> list[str]:
        return [item.ref for item in live.walk(self.occurrence())]


@pytest.fixture
def room(sessions: sessionmaker[Session]) -> Iterator[Room]:
    """Lee chairs #steering's Wednesday meeting with Kim; Otto is not an attendee. Apollo and
    Mercury are red, and Zephyr asks the meeting a question."""
    with sessions.begin() as session:
        space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=WED)
        for user_id in ("ULEAD", "ULEAD2", "UOTHER"):
            user = {"id": user_id, "name": user_id.lower(), "tz": "Europe/Berlin"}
            people.upsert_person(session, team_id=TEAM, user=user, now=WED)
        ids = {}
        for name in ("Apollo", "Mercury", "Zephyr"):
            new = programs.NewProgram(name=name, owner_id="ULEAD", cadence="weekly")
            program = programs.add_program(
                session,
                team_id=TEAM,
                actor_id="ULEAD",
                new=new,
                timezone="UTC",
                today=WED.date(),
                now=WED,
            )
            if name != "Zephyr":
                program.rag, program.rag_since, program.trend = "red", WED, ["red"]
            ids[name] = program.id
        meeting = Meeting(
            team_id=TEAM,
            channel_id="CSTEER",
            chair_id="ULEAD",
            days="wed",
            at="15:00",
            every_weeks=1,
            anchor=WED.date(),
            length_minutes=60,
            portfolio=None,
            timezone="Europe/Berlin",
            attendees=["ULEAD", "ULEAD2"],
            created_at=WED,
        )
        meeting.next_due_at = plans.next_start(meeting, after=WED)
        session.add(meeting)
        session.flush()
        session.add(
            DecisionRequest(
                team_id=TEAM,
                program_id=ids["Zephyr"],
                question="Go?",
                options=["Yes", "No"],
                requested_by="ULEAD",
                created_at=WED,
                meeting_id=meeting.id,
            )
        )
        session.flush()
        yield Room(session, space, meeting)


def frozen_today(room: Room) -> None:
    """Today's agenda frozen as its agenda post would have: the question, Apollo, Mercury."""
    request = room.session.scalars(select(DecisionRequest)).one()
    items = [
        facts.AgendaItem(
            ref=f"request:{request.id}",
            kind=facts.DECISION,
            title="Go?",
            owner_id="ULEAD",
            minutes=10,
            program_id=request.program_id,
            request_id=request.id,
            options=("Yes", "No"),
        )
    ]
    for program in room.session.scalars(select(Program).where(Program.rag == "red")):
        items.append(
            facts.AgendaItem(
                ref=f"program:{program.id}",
                kind=facts.RED,
                title=program.name,
                owner_id=program.owner_id,
                minutes=8,
                program_id=program.id,
            )
        )
    today = occurrences.for_start(room.session, meeting=room.meeting, start=WED)
    today.agenda = [item.as_json() for item in items]


def start(room: Room, by: str = "ULEAD2") -> MeetingOccurrence:
    if not room.session.scalars(select(MeetingOccurrence)).all():
        frozen_today(room)
    return live.start(
        room.session, meeting=room.meeting, actor=room.person(by), now=WED, workspace=room.space
    )


def test_start_freezes_the_agenda_decisions_first_and_goes_live(room: Room) -> None:
    row = live.start(
        room.session,
        meeting=room.meeting,
        actor=room.person("ULEAD2"),
        now=WED,
        workspace=room.space,
    )
    assert row.state == MeetingState.LIVE and row.started_by == "ULEAD2"
    assert row.period == plans.period_of(room.meeting, WED)  # today's scheduled occurrence
    assert room.order()[0] == "request:1" and "program:1" in room.order()  # Apollo, red
    assert row.agenda is not None and live.item_outcomes(row) == {}
    with pytest.raises(UserError, match="already live"):
        start(room, by="ULEAD")


def test_start_refuses_who_does_not_attend(room: Room) -> None:
    with pytest.raises(PermissionDenied, match="Only the attendees"):
        start(room, by="UOTHER")
    assert room.occurrence().state == MeetingState.SCHEDULED


def test_next_marks_discussed_park_marks_parked_and_a_second_click_is_refused(
    room: Room,
) -> None:
    start(room)
    first = room.click()
    live.next_item(room.session, team_id=TEAM, click=first, actor=room.person("ULEAD"), now=WED)
    with pytest.raises(UserError, match="already moved on"):
        live.next_item(
            room.session, team_id=TEAM, click=first, actor=room.person("ULEAD2"), now=WED
        )
    second = room.click()
    later = WED + timedelta(minutes=9)
    live.park(room.session, team_id=TEAM, click=second, actor=room.person("ULEAD2"), now=later)
    row = room.occurrence()
    assert live.item_outcomes(row) == {"request:1": "discussed", second.ref: "parked"}
    assert row.current == 2 and row.outcomes[live.LIVE]["since"] == later.isoformat()


def test_taking_an_item_up_puts_the_current_one_right_after_it(room: Room) -> None:
    start(room)
    first, third = room.order()[0], room.order()[2]
    chair = room.person("ULEAD")
    live.take_up(room.session, team_id=TEAM, click=room.click(third), actor=chair, now=WED)
    assert room.order()[:2] == [third, first] and room.occurrence().current == 0
    with pytest.raises(PermissionDenied, match="can reorder"):
        live.take_up(
            room.session,
            team_id=TEAM,
            click=room.click(first),
            actor=room.person("ULEAD2"),
            now=WED,
        )


def test_taking_an_item_up_after_the_current_one_was_settled_moves_on_to_it(room: Room) -> None:
    start(room)
    chair = room.person("ULEAD")
    live.record_decision(
        room.session,
        team_id=TEAM,
        occurrence_id=room.occurrence().id,
        ref="request:1",
        actor=chair,
        given=live.DecisionInput(text="Go", rationale=None, decided_by=[], option="Yes"),
        now=WED,
    )
    last = room.order()[2]
    live.take_up(room.session, team_id=TEAM, click=room.click(last), actor=chair, now=WED)
    row = room.occurrence()
    assert room.order()[:2] == ["request:1", last] and row.current == 1


def test_an_action_after_a_decision_leaves_the_item_decided(room: Room) -> None:
    start(room)
    row = room.occurrence()
    chair = room.person("ULEAD")
    decision = live.record_decision(
        room.session,
        team_id=TEAM,
        occurrence_id=row.id,
        ref="request:1",
        actor=chair,
        given=live.DecisionInput(text="Go", rationale="Cheap", decided_by=[], option="Yes"),
        now=WED,
    )
    assert decision.decided_by == ["ULEAD"]  # the chair, unless someone else is named
    live.add_action(
        room.session,
        team_id=TEAM,
        occurrence_id=row.id,
        ref="request:1",
        actor=chair,
        title="Tell finance",
        owner=room.person("ULEAD2"),
        due=WED.date() + timedelta(days=3),
        now=WED,
        workspace=room.space,
    )
    assert live.item_outcomes(room.occurrence()) == {"request:1": "decided"}
    with pytest.raises(UserError, match="no options"):
        live.record_decision(
            room.session,
            team_id=TEAM,
            occurrence_id=row.id,
            ref=room.order()[1],
            actor=chair,
            given=live.DecisionInput(text="Go", rationale=None, decided_by=[], option="Yes"),
            now=WED,
        )
    with pytest.raises(UserError, match="Pick the due date"):
        live.add_action(
            room.session,
            team_id=TEAM,
            occurrence_id=row.id,
            ref="request:1",
            actor=chair,
            title="x",
            owner=chair,
            due=None,
            now=WED,
            workspace=room.space,
        )


def test_closing_happens_once_and_a_live_meeting_is_never_recorded_missed(room: Room) -> None:
    row = start(room)
    later = WED + timedelta(minutes=50)
    assert minutes.close_live(
        room.session, occurrence=row, meeting=room.meeting, actor_id="ULEAD", now=later
    )
    frozen = dict(row.minutes or {})
    assert not minutes.close_live(
        room.session, occurrence=row, meeting=room.meeting, actor_id="ULEAD2", now=later
    )
    assert not minutes.record_missed(
        room.session, occurrence=row, meeting=room.meeting, now=later, workspace=room.space
    )
    assert row.minutes == frozen and row.closed_by == "ULEAD" and row.state == "closed"
    with pytest.raises(UserError, match="closed already"):
        minutes.close(
            room.session,
            meeting=room.meeting,
            actor=room.person("ULEAD"),
            now=later,
            workspace=room.space,
        )


def test_show_prefers_the_meeting_held_over_the_one_missed_that_day(room: Room) -> None:
    scheduled = occurrences.for_start(room.session, meeting=room.meeting, start=WED)
    assert minutes.record_missed(
        room.session,
        occurrence=scheduled,
        meeting=room.meeting,
        now=WED + timedelta(minutes=90),
        workspace=room.space,
    )
    day = WED.date()
    missed = minutes.show(room.session, team_id=TEAM, channel_id="CSTEER", day=day)
    assert missed.minutes is not None and "was not started" in str(missed.minutes["text"])
    evening = WED + timedelta(hours=4)
    held = live.start(
        room.session,
        meeting=room.meeting,
        actor=room.person("ULEAD"),
        now=evening,
        workspace=room.space,
    )
    assert held.period.startswith(occurrences.LIVE_PREFIX)  # the missed one stays missed
    minutes.close_live(
        room.session, occurrence=held, meeting=room.meeting, actor_id="ULEAD", now=evening
    )
    shown = minutes.show(room.session, team_id=TEAM, channel_id="CSTEER", day=day)
    assert shown.minutes == held.minutes
    with pytest.raises(UserError, match="has no steering meeting"):  # another workspace's
        minutes.show(room.session, team_id="T0002", channel_id="CSTEER", day=day)
