"""Building a meeting's agenda from the exceptions of its portfolio since the last meeting,
and freezing it into an occurrence.

The meeting: Mondays 10:00 Berlin, fortnightly, 60 minutes. The occurrence built is Monday
30 Nov 2026 (09:00 UTC); the last one held was Monday 16 Nov. Rows are made with the ORM
(`Seed`), as the other features would leave them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.meetings import agenda, facts, occurrences, plans
from bot.meetings.facts import Agenda, AgendaItem
from storage.models import (
    ActionItem,
    DecisionRequest,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Program,
    RaidItem,
    Workspace,
)

TEAM = "T0001"
OTHER_TEAM = "T0002"
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # Wednesday
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 Berlin
LAST = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # the last one held
BEFORE_LAST = LAST - timedelta(days=3)
AFTER_LAST = LAST + timedelta(days=3)


class Seed:
    """Rows of one workspace, made directly with the ORM."""

    def __init__(self, session: Session, team_id: str = TEAM) -> None:
        self.session = session
        self.team_id = team_id
        self._numbers = count(1)
        if session.get(Workspace, team_id) is None:
            session.add(Workspace(team_id=team_id, timezone="UTC", created_at=NOW))
            session.flush()

    def _add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def program(
        self,
        name: str,
        *,
        owner: str = "ULEAD",
        rag: str | None = "green",
        rag_since: datetime | None = BEFORE_LAST,
        trend: Sequence[str] | None = None,
        updated: datetime | None = None,
        flags: dict[str, str] | None = None,
        portfolio: str | None = None,
        state: str = "active",
        summary: str | None = "on track",
    ) -> Program:
        """A program with its denormalised status (trend defaults to its rag, once)."""
        return self._add(
            Program(
                team_id=self.team_id,
                key=name.lower().replace(" ", "-"),
                name=name,
                owner_id=owner,
                cadence="weekly",
                timezone=BERLIN,
                start_date=date(2026, 1, 5),
                state=state,
                created_by="UADMIN",
                created_at=NOW - timedelta(days=300),
                updated_at=NOW,
                rag=rag,
                rag_since=rag_since if rag else None,
                last_update_at=updated or rag_since if rag else None,
                last_summary=summary if rag else None,
                trend=list(trend if trend is not None else [rag] if rag else []),
                flags=flags or {},
                flag_count=len(flags or {}),
                portfolio=portfolio,
            )
        )

    def meeting(
        self,
        *,
        channel: str = "CSTEER",
        length: int = 60,
        portfolio: str | None = None,
        days: str = "mon",
        at: str = "10:00",
        every: int = 2,
        anchor: date = date(2026, 11, 30),
    ) -> Meeting:
        """A fortnightly meeting (Mondays 10:00 Berlin by default), next due at its start."""
        meeting = Meeting(
            team_id=self.team_id,
            channel_id=channel,
            chair_id="UCHAIR",
            days=days,
            at=at,
            every_weeks=every,
            anchor=anchor,
            length_minutes=length,
            portfolio=portfolio,
            timezone=BERLIN,
            attendees=["UCHAIR", "ULEAD"],
            created_at=NOW - timedelta(days=60),
        )
        meeting.next_due_at = plans.next_start(meeting, after=NOW)
        return self._add(meeting)

    def request(
        self,
        program: Program,
        question: str,
        *,
        meeting: Meeting | None,
        by: date | None = None,
        options: Sequence[str] = (),
        state: str = "open",
        created: datetime = AFTER_LAST,
    ) -> DecisionRequest:
        """A decision request put to `meeting`."""
        return self._add(
            DecisionRequest(
                team_id=self.team_id,
                program_id=program.id,
                question=question,
                options=list(options),
                by_date=by,
                state=state,
                requested_by=program.owner_id,
                created_at=created,
                meeting_id=meeting.id if meeting is not None else None,
            )
        )

    def action(
        self,
        title: str,
        *,
        due: date,
        owner: str = "UOWNER",
        meeting: Meeting | None = None,
        program: Program | None = None,
        created: datetime = LAST + timedelta(minutes=30),
        state: str = "open",
    ) -> ActionItem:
        """An action (A-n), of a meeting or not."""
        return self._add(
            ActionItem(
                team_id=self.team_id,
                number=next(self._numbers),
                title=title,
                owner_id=owner,
                due_date=due,
                state=state,
                program_id=program.id if program is not None else None,
                meeting_id=meeting.id if meeting is not None else None,
                created_by="UCHAIR",
                created_at=created,
            )
        )

    def risk(
        self,
        program: Program,
        title: str,
        *,
        score: int = 12,
        owner: str = "URISK",
        escalated: datetime | None = AFTER_LAST,
        state: str = "open",
        mitigation: str | None = None,
    ) -> RaidItem:
        """A scored risk of a program, escalated unless told otherwise."""
        return self._add(
            RaidItem(
                team_id=self.team_id,
                program_id=program.id,
                kind="risk",
                title=title,
                likelihood=3,
                impact=4,
                score=score,
                owner_id=owner,
                mitigation=mitigation,
                blocking=False,
                state=state,
                escalated_at=escalated,
                created_by=owner,
                created_at=BEFORE_LAST,
                updated_at=AFTER_LAST,
            )
        )

    def intake(
        self, title: str, *, score: float, requester: str = "UREQ", state: str = "pending"
    ) -> IntakeRequest:
        """An intake request with a WSJF score."""
        number = next(self._numbers)
        return self._add(
            IntakeRequest(
                team_id=self.team_id,
                number=number,
                requester_id=requester,
                title=title,
                problem="p",
                business_value=5,
                time_criticality=5,
                risk_reduction=5,
                job_size=3,
                score=score,
                state=state,
                created_at=AFTER_LAST,
            )
        )

    def held(
        self,
        meeting: Meeting,
        *,
        items: Sequence[AgendaItem] = (),
        outcomes: dict[str, str] | None = None,
        state: str = "closed",
        start: datetime = LAST,
    ) -> MeetingOccurrence:
        """A past occurrence, closed (or missed), with its frozen agenda and outcomes."""
        return self._add(
            MeetingOccurrence(
                team_id=self.team_id,
                meeting_id=meeting.id,
                period=plans.period_of(meeting, start),
                starts_at=start,
                ends_at=plans.ends_at(meeting, start),
                state=state,
                agenda=[{**item.as_json(), "scheduled": True} for item in items],
                outcomes=outcomes or {},
                version=0,
            )
        )

    def build(self, meeting: Meeting, *, starts_at: datetime = START) -> Agenda:
        """The meeting's agenda for `starts_at`."""
        space = self.session.get(Workspace, self.team_id)
        assert space is not None
        return agenda.build(
            self.session, meeting=meeting, starts_at=starts_at, now=NOW, workspace=space
        )


@pytest.fixture
def seed(sessions: sessionmaker[Session]) -> Iterator[Seed]:
    """A workspace's rows in one open transaction (rolled back after the test)."""
    with sessions() as session:
        yield Seed(session)
        session.rollback()


def refs(items: Sequence[AgendaItem]) -> list[str]:
    """Each item's ref, in order."""
    return [item.ref for item in items]


def kinds(items: Sequence[AgendaItem]) -> list[str]:
    """Each item's kind, in order."""
    return [item.kind for item in items]


def item(ref: str, kind: str = facts.RED, *, minutes: int = 8, **values: Any) -> AgendaItem:
    """An agenda item as an earlier occurrence stored it."""
    values.setdefault("title", ref)
    values.setdefault("owner_id", "ULEAD")
    return AgendaItem(ref=ref, kind=kind, minutes=minutes, **values)


# --- what goes on it ---------------------------------------------------------------------------


def test_agenda_takes_each_kind_of_exception_in_order_with_owner_and_timebox(seed: Seed) -> None:
    meeting = seed.meeting(length=120)
    seed.held(meeting)
    asked = seed.program("Asked", owner="UASK")
    request = seed.request(asked, "Second vendor?", meeting=meeting, options=["Yes", "No"])
    red = seed.program("Apollo", rag="red", rag_since=AFTER_LAST, summary="vendor late")
    amber = seed.program(
        "Borealis", rag="amber", trend=["amber", "amber", "green"], rag_since=BEFORE_LAST,
        updated=AFTER_LAST,
    )  # fmt: skip
    mismatch = seed.program("Cygnus", flags={"RAG_MISMATCH": "Reported green, but: 2 blockers"})
    late = seed.program("Draco", flags={"PAST_TARGET": "target date passed 3 days ago"})
    risky = seed.program("Eridanus")
    risk = seed.risk(risky, "Key supplier may fold", score=20, owner="URISK")
    action = seed.action("Send the plan", due=date(2026, 11, 20), meeting=meeting)
    intake = seed.intake("New CRM", score=4.5, requester="UREQ")

    built = seed.build(meeting)

    assert refs(built.items) == [
        f"request:{request.id}",
        f"program:{red.id}",
        f"program:{amber.id}",
        f"program:{mismatch.id}",
        f"program:{late.id}",
        f"raid:{risk.id}",
        f"action:{action.id}",
        f"intake:{intake.id}",
    ]
    assert kinds(built.items) == list(facts.KINDS[:8])
    assert [i.minutes for i in built.items] == [10, 8, 5, 5, 5, 5, 3, 5]
    assert [i.owner_id for i in built.items] == [
        "UASK", "ULEAD", "ULEAD", "ULEAD", "ULEAD", "URISK", "UOWNER", "UREQ",
    ]  # fmt: skip
    first = built.items[0]
    assert (first.title, first.detail, first.options) == ("Asked", "Second vendor?", ("Yes", "No"))
    assert (first.request_id, first.program_id) == (request.id, asked.id)
    assert built.items[1].detail == "red since Thu 19 Nov: vendor late"
    assert built.items[2].detail.startswith("amber in the last two updates (latest Thu 19 Nov)")
    assert built.items[3].detail == "Reported green, but: 2 blockers"  # its label names it
    assert built.items[4].detail == "target date passed 3 days ago"
    assert "score 20" in built.items[5].detail and "Eridanus" in built.items[5].detail
    assert built.items[6].detail == "A-1 · due Fri 20 Nov (overdue)"
    assert built.items[7].title == "INT-2 New CRM"
    assert built.unscheduled == () and built.not_listed == 0
    assert built.since == LAST.isoformat()


def test_decision_requests_come_by_their_date_soonest_first_undated_last(seed: Seed) -> None:
    meeting = seed.meeting()
    program = seed.program("Apollo")
    undated = seed.request(program, "Which region?", meeting=meeting)
    later = seed.request(program, "Extend?", meeting=meeting, by=date(2026, 12, 20))
    sooner = seed.request(program, "Hire?", meeting=meeting, by=date(2026, 12, 4))
    seed.request(program, "Elsewhere", meeting=seed.meeting(channel="COTHER"))
    seed.request(program, "By DM", meeting=None)
    seed.request(program, "Settled", meeting=meeting, state="decided")

    built = seed.build(meeting)

    assert refs(built.items) == [f"request:{r.id}" for r in (sooner, later, undated)]
    assert built.items[0].due == "2026-12-04"


def test_only_reds_since_the_last_meeting_and_ambers_reported_twice_since(seed: Seed) -> None:
    meeting = seed.meeting()
    seed.held(meeting)
    seed.program("Old red", rag="red", rag_since=BEFORE_LAST)
    new_red = seed.program("New red", rag="red", rag_since=AFTER_LAST)
    seed.program("Amber once", rag="amber", trend=["amber", "green"], rag_since=AFTER_LAST)
    seed.program(
        "Amber, no news", rag="amber", trend=["amber", "amber"], rag_since=BEFORE_LAST,
        updated=BEFORE_LAST,
    )  # fmt: skip
    twice = seed.program(
        "Amber twice", rag="amber", trend=["amber", "amber", "red"], rag_since=BEFORE_LAST,
        updated=AFTER_LAST,
    )  # fmt: skip

    built = seed.build(meeting)

    assert refs(built.items) == [f"program:{new_red.id}", f"program:{twice.id}"]


def test_the_first_meeting_has_no_lower_bound(seed: Seed) -> None:
    meeting = seed.meeting()
    old = seed.program("Old red", rag="red", rag_since=NOW - timedelta(days=200))

    built = seed.build(meeting)

    assert refs(built.items) == [f"program:{old.id}"] and built.since is None


def test_a_program_appears_once_under_its_first_reason_the_others_in_its_detail(
    seed: Seed,
) -> None:
    meeting = seed.meeting()
    flags = {"PAST_TARGET": "target date passed 3 days ago", "MILESTONE_LATE": "milestone late"}
    seed.program("Apollo", rag="red", rag_since=AFTER_LAST, summary=None, flags=flags)

    [only] = seed.build(meeting).items

    assert only.kind == facts.RED
    assert only.detail == (
        "red since Thu 19 Nov — also target date passed 3 days ago; milestone late"
    )


def test_a_program_with_a_request_is_the_requests_item_its_exceptions_in_the_detail(
    seed: Seed,
) -> None:
    meeting = seed.meeting()
    red = seed.program("Apollo", rag="red", rag_since=AFTER_LAST, summary=None)
    first = seed.request(red, "More budget?", meeting=meeting)
    second = seed.request(red, "Drop scope?", meeting=meeting)

    built = seed.build(meeting)

    assert refs(built.items) == [f"request:{first.id}", f"request:{second.id}"]
    assert built.items[0].detail == "More budget? — also red since Thu 19 Nov"


def test_portfolio_is_matched_case_insensitively_and_only_live_programs_count(
    seed: Seed,
) -> None:
    meeting = seed.meeting(portfolio="Platform")
    seed.held(meeting)
    mine = seed.program("Mine", rag="red", rag_since=AFTER_LAST, portfolio="platform")
    seed.program("Paused", rag="red", rag_since=AFTER_LAST, portfolio="PLATFORM", state="paused")
    seed.program("Theirs", rag="red", rag_since=AFTER_LAST, portfolio="Retail")
    seed.program("Nowhere", rag="red", rag_since=AFTER_LAST)
    done = seed.program("Done", rag="red", rag_since=AFTER_LAST, portfolio="Platform", state="done")
    seed.risk(done, "risk of a finished program")
    retail = seed.program("Retail risk", portfolio="Retail")
    seed.risk(retail, "not ours")
    seed.action("on a retail program", due=date(2026, 11, 1), program=retail)

    built = seed.build(meeting)

    assert [i.title for i in built.items] == ["Mine", "Paused"]
    assert built.items[0].ref == f"program:{mine.id}"


def test_another_workspaces_rows_never_reach_the_agenda(seed: Seed) -> None:
    meeting = seed.meeting()
    other = Seed(seed.session, OTHER_TEAM)
    program = other.program("Foreign", rag="red", rag_since=AFTER_LAST)
    other.risk(program, "foreign risk")
    other.action("foreign action", due=date(2026, 11, 1), program=program)
    other.intake("foreign intake", score=9)
    other.request(program, "foreign question?", meeting=meeting)  # a crafted meeting id

    assert seed.build(meeting).items == ()


def test_escalated_open_risks_highest_score_first(seed: Seed) -> None:
    meeting = seed.meeting()
    program = seed.program("Apollo")
    low = seed.risk(program, "low", score=6)
    high = seed.risk(program, "high", score=20, mitigation="second supplier")
    seed.risk(program, "not escalated", score=25, escalated=None)
    seed.risk(program, "closed", score=25, state="closed")

    built = seed.build(meeting)

    assert refs(built.items) == [f"raid:{high.id}", f"raid:{low.id}"]
    assert built.items[0].detail == (
        "risk of Apollo · score 20 · escalated Thu 19 Nov · mitigation: second supplier"
    )


def test_actions_of_the_meeting_and_overdue_ones_of_the_portfolio_overdue_first(
    seed: Seed,
) -> None:
    meeting = seed.meeting(portfolio="Platform")
    ours = seed.program("Ours", portfolio="Platform")
    theirs = seed.program("Theirs", portfolio="Retail")
    open_ours = seed.action("Due later", due=date(2026, 12, 10), meeting=meeting)
    overdue_ours = seed.action("Late", due=date(2026, 11, 27), meeting=meeting, program=theirs)
    overdue_elsewhere = seed.action("Late elsewhere", due=date(2026, 11, 20), program=ours)
    seed.action("Not overdue elsewhere", due=date(2026, 12, 1), program=ours)
    seed.action("Late, other portfolio", due=date(2026, 11, 20), program=theirs)
    seed.action("Done", due=date(2026, 11, 20), meeting=meeting, state="done")
    seed.action("Added in this meeting", due=date(2026, 12, 10), meeting=meeting, created=START)

    built = seed.build(meeting)

    assert refs(built.items) == [
        f"action:{a.id}" for a in (overdue_elsewhere, overdue_ours, open_ours)
    ]
    assert built.items[2].detail == "A-1 · due Thu 10 Dec"
    assert built.items[1].detail == "A-2 · due Fri 27 Nov (overdue) · Theirs"


def test_intake_takes_the_top_three_pending_by_wsjf(seed: Seed) -> None:
    meeting = seed.meeting()
    scores = {"a": 2.0, "b": 9.0, "c": 5.5, "d": 7.0}
    made = {title: seed.intake(title, score=score) for title, score in scores.items()}
    seed.intake("approved", score=10.0, state="approved")

    built = seed.build(meeting)

    assert refs(built.items) == [f"intake:{made[t].id}" for t in ("b", "d", "c")]
    assert built.items[0].detail == "WSJF 9.0 · waiting since Thu 19 Nov"
    # A portfolio's own review leaves intake to the reviews of every program.
    assert refs(seed.build(seed.meeting(portfolio="Platform")).items) == []


# --- carried from the last meeting -----------------------------------------------------------


def test_parked_and_unreached_items_carry_decided_ones_never(seed: Seed) -> None:
    meeting = seed.meeting()
    programs = [seed.program(name) for name in ("Parked", "Unreached", "Decided", "Discussed")]
    last = [
        item(f"program:{p.id}", title=p.name, program_id=p.id, detail="red since …")
        for p in programs
    ]
    outcomes = {last[0].ref: "parked", last[2].ref: "decided", last[3].ref: "discussed"}
    seed.held(meeting, items=last, outcomes=outcomes)

    built = seed.build(meeting)

    assert [(i.title, i.kind) for i in built.items] == [
        ("Parked", facts.PARKED),
        ("Unreached", facts.CARRIED),
    ]
    assert built.items[0].detail == "red since … — carried: parked on Mon 16 Nov"
    assert built.items[1].minutes == 8 and built.items[1].extra["was"] == facts.RED


def test_a_missed_meeting_carries_every_item(seed: Seed) -> None:
    meeting = seed.meeting()
    programs = [seed.program(name) for name in ("One", "Two")]
    last = [item(f"program:{p.id}", title=p.name, program_id=p.id, detail="") for p in programs]
    seed.held(meeting, items=last, outcomes={last[0].ref: "decided"}, state="missed")

    built = seed.build(meeting)

    assert kinds(built.items) == [facts.CARRIED, facts.CARRIED]
    assert built.items[0].detail == "not reached on Mon 16 Nov"


def test_a_carried_item_that_is_fresh_again_appears_once_as_the_fresh_one(seed: Seed) -> None:
    meeting = seed.meeting()
    red = seed.program("Apollo", rag="red", rag_since=AFTER_LAST, summary=None)
    asked = seed.program("Asked")
    request = seed.request(asked, "Which vendor?", meeting=meeting)
    last = [
        item(f"program:{red.id}", program_id=red.id),
        item(f"request:{request.id}", facts.DECISION, minutes=10, program_id=asked.id),
        item(f"program:{asked.id}", facts.MISMATCH, minutes=5, program_id=asked.id),
    ]
    seed.held(meeting, items=last, outcomes={last[0].ref: "parked"})

    built = seed.build(meeting)

    assert refs(built.items) == [f"request:{request.id}", f"program:{red.id}"]
    assert built.items[0].detail == "Which vendor? — carried: not reached on Mon 16 Nov"
    assert built.items[1].detail == "red since Thu 19 Nov — carried: parked on Mon 16 Nov"
    assert built.items[1].kind == facts.RED


def test_carried_items_whose_subject_is_settled_since_are_dropped(seed: Seed) -> None:
    meeting = seed.meeting()
    program = seed.program("Apollo")
    finished = seed.program("Finished", state="done")
    decided = seed.request(program, "Decided elsewhere?", meeting=meeting, state="decided")
    done = seed.action("Done since", due=date(2026, 12, 20), state="done")
    still = seed.action("Still open", due=date(2026, 12, 20))
    closed = seed.risk(program, "Closed since", state="closed")
    approved = seed.intake("Approved since", score=3, state="approved")
    last = [
        item(f"request:{decided.id}", facts.DECISION),
        item(f"program:{finished.id}"),
        item(f"action:{done.id}", facts.ACTION),
        item(f"action:{still.id}", facts.ACTION, minutes=3),
        item(f"raid:{closed.id}", facts.RISK),
        item(f"intake:{approved.id}", facts.INTAKE),
        item("note:1", facts.RED),  # not ours to judge: gone
    ]
    seed.held(meeting, items=last)

    built = seed.build(meeting)

    assert refs(built.items) == [f"action:{still.id}"]
    assert built.items[0].kind == facts.CARRIED


def test_the_occurrence_carried_from_is_the_last_held_before_this_one(seed: Seed) -> None:
    meeting = seed.meeting()
    program = seed.program("Apollo")
    seed.held(meeting, items=[item(f"program:{program.id}")], start=LAST - timedelta(days=14))
    seed.held(meeting, items=[], start=LAST)
    later = START + timedelta(days=14)
    seed.held(meeting, items=[item(f"program:{program.id}")], start=later, state="scheduled")

    assert seed.build(meeting).items == ()


# --- the meeting's length ----------------------------------------------------------------------


def test_items_beyond_the_meetings_length_are_not_scheduled(seed: Seed) -> None:
    meeting = seed.meeting(length=30)
    programs = [seed.program(f"P{n}", rag="red", rag_since=AFTER_LAST) for n in range(5)]
    action = seed.action("Short one", due=date(2026, 12, 10), meeting=meeting)

    built = seed.build(meeting)

    assert [i.title for i in built.items] == ["P0", "P1", "P2"]  # 24 of 30 minutes
    assert refs(built.unscheduled) == [
        *(f"program:{p.id}" for p in programs[3:]),
        f"action:{action.id}",  # it would fit, but does not jump the queue
    ]
    assert built.not_listed == 0


def test_a_huge_portfolio_keeps_fifty_unscheduled_and_counts_the_rest(seed: Seed) -> None:
    meeting = seed.meeting(length=15)
    for n in range(300):
        seed.program(f"P{n:03d}", rag="red", rag_since=AFTER_LAST + timedelta(minutes=n))

    built = seed.build(meeting)

    assert [i.title for i in built.items] == ["P000"]
    assert len(built.unscheduled) == agenda.SHOWN_UNSCHEDULED
    assert built.unscheduled[0].title == "P001"
    assert len(built.items) + len(built.unscheduled) + built.not_listed == 300


# --- freezing it -------------------------------------------------------------------------------


def occurrence_of(seed: Seed, meeting: Meeting) -> MeetingOccurrence:
    """The occurrence of START, as the scheduler makes it."""
    return occurrences.for_start(seed.session, meeting=meeting, start=START)


def freeze(seed: Seed, occurrence: MeetingOccurrence, meeting: Meeting) -> Agenda:
    space = seed.session.get(Workspace, TEAM)
    assert space is not None
    return agenda.freeze(
        seed.session, occurrence=occurrence, meeting=meeting, now=NOW, workspace=space
    )


def test_freeze_stores_the_built_agenda_scheduled_then_not(seed: Seed) -> None:
    meeting = seed.meeting(length=15)
    reds = [seed.program(f"P{n}", rag="red", rag_since=AFTER_LAST) for n in range(3)]
    occurrence = occurrence_of(seed, meeting)
    assert agenda.stored(occurrence) is None

    built = freeze(seed, occurrence, meeting)

    assert occurrence.agenda is not None
    assert [(row["ref"], row["scheduled"]) for row in occurrence.agenda] == [
        (f"program:{reds[0].id}", True),
        (f"program:{reds[1].id}", False),
        (f"program:{reds[2].id}", False),
    ]
    again = agenda.stored(occurrence)
    assert again is not None
    assert (again.items, again.unscheduled) == (built.items, built.unscheduled)


def test_a_frozen_agenda_keeps_its_items_and_gains_new_requests_only(seed: Seed) -> None:
    meeting = seed.meeting(length=20)
    red = seed.program("Apollo", rag="red", rag_since=AFTER_LAST)
    occurrence = occurrence_of(seed, meeting)
    freeze(seed, occurrence, meeting)
    red.rag = "green"  # recovered since: it stays on the frozen agenda
    seed.program("Late red", rag="red", rag_since=AFTER_LAST)  # not added after freezing
    asked = seed.program("Asked")
    first = seed.request(asked, "Go live?", meeting=meeting)
    second = seed.request(asked, "Hire?", meeting=meeting)

    again = freeze(seed, occurrence, meeting)
    twice = freeze(seed, occurrence, meeting)

    assert refs(again.items) == [f"program:{red.id}", f"request:{first.id}"]  # 18 of 20 min
    assert refs(again.unscheduled) == [f"request:{second.id}"]
    assert twice == again
    assert [row["ref"] for row in occurrence.agenda or []] == [
        f"program:{red.id}",
        f"request:{first.id}",
        f"request:{second.id}",
    ]


def test_a_closed_occurrences_agenda_never_changes(seed: Seed) -> None:
    meeting = seed.meeting()
    occurrence = occurrence_of(seed, meeting)
    freeze(seed, occurrence, meeting)
    occurrence.state = "closed"
    seed.request(seed.program("Asked"), "Too late?", meeting=meeting)

    assert freeze(seed, occurrence, meeting).items == ()
    assert occurrence.agenda == []


def test_a_reason_another_already_quotes_is_not_said_twice() -> None:
    said = "RAG mismatch: Reported amber, but: milestone ‘Sign-off’ is 9 days late"
    assert agenda._also(["milestone ‘Sign-off’ is 9 days late"], said=said) == ""
    assert agenda._also(["past target", "past target"]) == " — also past target"
