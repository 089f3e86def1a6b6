"""A steering meeting's preparation on the scheduler: the owners' pre-read DMs one working day
before and the agenda posted an hour before, each once per occurrence, through restarts,
edits, cancellations, weekends and holidays.

Dates: the meeting is fortnightly on Mondays at 10:00 Berlin, first on Monday 30 Nov 2026
(09:00 UTC). Its pre-read goes one working day before, Friday 27 Nov 10:00 Berlin (09:00
UTC); the agenda at 09:00 Berlin (08:00 UTC). Lee is in Berlin, Kim in Tokyo (Friday 18:00
there), Otto in New York (04:00 there: his DM waits for his 08:00, 13:00 UTC).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot import people
from bot.blocks.home import SUBMIT_ACTION
from bot.meetings import occurrences, plans
from storage.models import (
    DecisionRequest,
    Meeting,
    MeetingOccurrence,
    Person,
    Program,
    ScheduledJob,
)
from storage.types import JobState
from tests.conftest import START
from tests.flow import text_of
from tests.schedules.conftest import (
    BERLIN,
    NEW_YORK,
    TEAM,
    TOKYO,
    World,
    local,
    make_client,
    utc,
)

PREREAD = utc("2026-11-27 09:00")  # Friday 10:00 Berlin
AGENDA = utc("2026-11-30 08:00")  # Monday 09:00 Berlin
MONDAY = utc("2026-11-30 09:00")
STEER = "CSTEER"
OWNERS = ("ULEAD", "ULEAD2", "UOTHER")
PREREAD_WORDS = "steering agenda"


@pytest.fixture
def team(world: World) -> World:
    """A workspace, #steering, and people in Berlin, Tokyo and New York, and a guest."""
    world.workspace(now=START)
    world.fake.add_channel(STEER, "steering", members=["UADMIN", "ULEAD"])
    world.person("UADMIN", "Europe/London", now=START)
    world.person("ULEAD", BERLIN, now=START)
    world.person("ULEAD2", TOKYO, now=START)
    world.person("UOTHER", NEW_YORK, now=START)
    with world.sessions.begin() as session:
        people.upsert_person(
            session,
            team_id=TEAM,
            user={"id": "UGUEST", "name": "gus", "tz": BERLIN, "is_restricted": True},
            now=START,
        )
    return world


def schedule(world: World, *, days: str = "mon", anchor: date = date(2026, 11, 30)) -> int:
    """The chair's fortnightly meeting in #steering, as `meeting schedule` stores it."""
    with world.sessions.begin() as session:
        meeting = Meeting(
            team_id=TEAM,
            channel_id=STEER,
            chair_id="UADMIN",
            days=days,
            at="10:00",
            every_weeks=2,
            anchor=anchor,
            length_minutes=60,
            timezone=BERLIN,
            attendees=["UADMIN", "ULEAD"],
            created_at=START,
        )
        meeting.next_due_at = plans.next_start(meeting, after=START)
        session.add(meeting)
        session.flush()
        return meeting.id


def exceptions(world: World, meeting_id: int) -> dict[str, int]:
    """Lee and Kim ask for decisions, Otto's program is red, a guest's too, Ada's is green."""
    owners = {"Apollo": ("ULEAD", BERLIN), "Borealis": ("ULEAD2", TOKYO)}
    owners |= {"Cygnus": ("UOTHER", NEW_YORK), "Guest's": ("UGUEST", BERLIN)}
    owners |= {"Draco": ("UADMIN", BERLIN)}
    made = {
        name: world.program(name, owner=owner, cadence="weekly", tz=tz, now=START)
        for name, (owner, tz) in owners.items()
    }
    for name in ("Cygnus", "Guest's"):
        world.set_program(made[name], rag="red", rag_since=START, trend=["red"])
    world.set_program(made["Draco"], rag="green", rag_since=START, trend=["green"])
    with world.sessions.begin() as session:
        for name, question in (("Apollo", "Second vendor?"), ("Borealis", "Extend to Q2?")):
            program = session.get(Program, made[name])
            assert program is not None
            session.add(
                DecisionRequest(
                    team_id=TEAM,
                    program_id=program.id,
                    question=question,
                    options=["Yes", "No"],
                    state="open",
                    requested_by=program.owner_id,
                    created_at=START,
                    meeting_id=meeting_id,
                )
            )
    return made


def prereads(world: World, user_id: str) -> list[dict[str, Any]]:
    """Pre-read DMs `user_id` received."""
    return [m for m in world.fake.dms(user_id) if PREREAD_WORDS in m.get("text", "")]


def agendas(world: World) -> list[dict[str, Any]]:
    """Agendas posted in #steering."""
    return [m for m in world.fake.messages(STEER) if m["text"].startswith("Steering agenda")]


def notes(world: World, meeting_id: int) -> dict[tuple[str, str], str | None]:
    """(kind, period) → what each of the meeting's jobs did."""
    with world.sessions() as session:
        jobs = session.scalars(
            select(ScheduledJob).where(
                ScheduledJob.target_id == meeting_id,
                ScheduledJob.kind.in_((plans.PREREAD, plans.AGENDA)),
            )
        )
        return {(job.kind, job.period): job.note for job in jobs}


def jobs_of(world: World, meeting_id: int, kind: str) -> list[ScheduledJob]:
    with world.sessions() as session:
        query = select(ScheduledJob).where(
            ScheduledJob.target_id == meeting_id, ScheduledJob.kind == kind
        )
        return list(session.scalars(query.order_by(ScheduledJob.due_at)))


FIRST = "2026-11-30T10:00"


def test_the_preread_goes_once_to_exactly_the_items_owners_on_the_friday(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)  # the occurrence's jobs are made a week ahead
    assert [j.due_at for j in jobs_of(team, meeting_id, plans.PREREAD)] == [PREREAD]

    team.tick(PREREAD - timedelta(minutes=1))
    assert all(prereads(team, user) == [] for user in OWNERS)
    team.tick(PREREAD)
    team.tick(PREREAD)  # a second pass at the same time
    team.tick(utc("2026-11-27 13:00"))  # Otto's working day starts

    assert {user: len(prereads(team, user)) for user in (*OWNERS, "UADMIN", "UGUEST")} == {
        "ULEAD": 1, "ULEAD2": 1, "UOTHER": 1, "UADMIN": 0, "UGUEST": 0,
    }  # fmt: skip
    assert notes(team, meeting_id)[(plans.PREREAD, FIRST)] == "pre-read to 3 owners, not 1 guest"
    [lee] = prereads(team, "ULEAD")
    assert lee["text"].startswith(
        "*Apollo* is on Monday's steering agenda: Second vendor? Update before 09:00?"
    )
    [button] = [b["accessory"] for b in lee["blocks"] if "accessory" in b]
    assert button["action_id"] == SUBMIT_ACTION
    [kim] = prereads(team, "ULEAD2")
    assert "Update before 17:00?" in kim["text"]  # 08:00 UTC in Tokyo
    [otto] = prereads(team, "UOTHER")
    assert otto["text"].startswith("*Cygnus* is on Monday's steering agenda: red since")
    assert "Update before 03:00?" in otto["text"]


def test_a_restart_sends_no_preread_twice(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)
    team.tick(PREREAD)

    restarted = World(
        sessions=team.sessions, fake=team.fake, client=make_client(team.fake.base_url)
    )
    restarted.tick(PREREAD + timedelta(minutes=1))
    restarted.tick(utc("2026-11-27 13:00"))

    assert [len(prereads(team, user)) for user in OWNERS] == [1, 1, 1]
    keys = [m.dedupe_key for m in team.outbox() if m.dedupe_key.startswith("meeting-preread:")]
    assert len(keys) == len(set(keys)) == 3


def test_the_agenda_is_posted_once_an_hour_before_decisions_first(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)

    team.tick(AGENDA - timedelta(minutes=1))
    assert agendas(team) == []
    team.tick(AGENDA)
    team.tick(AGENDA)
    team.tick(AGENDA + timedelta(minutes=5))

    [posted] = agendas(team)
    text = text_of(posted)
    assert text.index("*1. Apollo*") < text.index("*2. Borealis*") < text.index("*3. Cygnus*")
    assert "Guest's" in text  # a guest's red program is on it; the guest is just not DMed
    assert "Draco" not in text
    assert notes(team, meeting_id)[(plans.AGENDA, FIRST)] == (
        "agenda posted: 4 items, 0 not scheduled"
    )
    with team.sessions() as session:
        occurrence = session.scalar(select(MeetingOccurrence))
        assert occurrence is not None and occurrence.period == FIRST
        assert [row["title"] for row in occurrence.agenda or []] == [
            "Apollo", "Borealis", "Cygnus", "Guest's",
        ]  # fmt: skip


def test_an_agenda_job_run_again_posts_nothing_twice(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)
    team.tick(AGENDA)
    with team.sessions.begin() as session:  # as if a second dispatcher had made it again
        session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.kind == plans.AGENDA)
            .values(state=JobState.PENDING, note=None)
        )

    team.tick(AGENDA + timedelta(minutes=1))

    assert len(agendas(team)) == 1
    assert notes(team, meeting_id)[(plans.AGENDA, FIRST)] == (
        "skipped: the agenda was posted already"
    )


def test_a_weekend_and_a_holiday_push_the_preread_to_the_working_day_before(
    team: World,
) -> None:
    team.set_workspace(holidays="DE")  # Friday 25 Dec 2026 is Christmas Day
    meeting_id = schedule(team, anchor=date(2026, 12, 28))
    with team.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.next_due_at = plans.next_start(meeting, after=utc("2026-12-20 00:00"))
    exceptions(team, meeting_id)

    team.tick(utc("2026-12-20 09:00"))

    [job] = jobs_of(team, meeting_id, plans.PREREAD)
    assert job.due_at == local("2026-12-24 10:00", BERLIN)  # Thursday
    team.tick(job.due_at)
    assert len(prereads(team, "ULEAD")) == 1


def test_an_edited_meetings_old_jobs_are_skipped_and_the_new_ones_run(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)
    with team.sessions.begin() as session:  # moved to Tuesdays, as `meeting edit` does
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.days, meeting.anchor = "tue", date(2026, 12, 1)
        meeting.next_due_at = plans.next_start(meeting, after=START)

    team.tick(PREREAD)
    team.tick(AGENDA)

    assert prereads(team, "ULEAD") == [] and agenda_posts_to(team) == 0
    moved = "skipped: the meeting no longer starts then (it was edited)"
    assert notes(team, meeting_id)[(plans.PREREAD, FIRST)] == moved
    assert notes(team, meeting_id)[(plans.AGENDA, FIRST)] == moved
    team.tick(utc("2026-11-30 09:00"))  # Monday 10:00 Berlin: Tuesday's pre-read
    assert len(prereads(team, "ULEAD")) == 1


def agenda_posts_to(world: World) -> int:
    return len(agendas(world))


def test_a_cancelled_meeting_prepares_nothing(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)
    with team.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.removed_at = START + timedelta(hours=1)

    team.tick(PREREAD)
    team.tick(AGENDA)

    assert all(prereads(team, user) == [] for user in OWNERS) and agendas(team) == []
    assert set(notes(team, meeting_id).values()) == {"skipped: the meeting was cancelled"}


def test_preparation_missed_while_the_bot_was_down_is_skipped(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)

    team.tick(MONDAY + timedelta(minutes=5))  # down from Thursday until after the start

    assert all(prereads(team, user) == [] for user in OWNERS) and agendas(team) == []
    assert notes(team, meeting_id) == {
        (plans.PREREAD, FIRST): "skipped: missed while the bot was down",
        (plans.AGENDA, FIRST): "skipped: missed until the meeting started",
    }


def test_a_preread_a_few_hours_late_still_goes(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)

    team.tick(PREREAD + timedelta(hours=3))

    assert len(prereads(team, "ULEAD")) == 1
    assert notes(team, meeting_id)[(plans.PREREAD, FIRST)].startswith("pre-read to 3 owners")


def test_an_agenda_late_but_before_the_start_is_still_posted(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)

    team.tick(MONDAY - timedelta(minutes=10))

    assert len(agendas(team)) == 1


def test_a_meeting_started_early_gets_no_agenda_post(team: World) -> None:
    meeting_id = schedule(team)
    exceptions(team, meeting_id)
    team.tick(START)
    with team.sessions.begin() as session:  # the chair started it at 08:30 Berlin
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        occurrences.for_start(session, meeting=meeting, start=MONDAY).state = "live"

    team.tick(AGENDA)

    assert agendas(team) == []
    assert notes(team, meeting_id)[(plans.AGENDA, FIRST)] == "skipped: the meeting is live already"


def test_a_quiet_portfolio_gets_no_preread_and_an_agenda_that_says_so(team: World) -> None:
    meeting_id = schedule(team)
    team.tick(START)

    team.tick(PREREAD)
    team.tick(AGENDA)

    assert notes(team, meeting_id)[(plans.PREREAD, FIRST)] == "pre-read to 0 owners"
    [posted] = agendas(team)
    assert "Nothing on the agenda" in text_of(posted)


def test_a_preread_that_could_only_reach_the_owner_after_the_agenda_is_not_sent(
    team: World,
) -> None:
    meeting_id = schedule(team)  # Mon 30 Nov 10:00 Berlin; pre-read Fri 27 Nov 10:00
    exceptions(team, meeting_id)  # Otto (New York) owns the red Cygnus
    with team.sessions.begin() as session:
        otto = session.get(Person, (TEAM, "UOTHER"))
        assert otto is not None
        otto.workdays = "0123"  # Otto works Monday to Thursday
    team.tick(START)
    team.tick(PREREAD)
    team.tick(utc("2026-11-30 08:00"))  # the agenda post
    team.tick(utc("2026-11-30 13:00"))  # Mon 08:00 in New York: the meeting ended at 10:00 UTC

    assert prereads(team, "UOTHER") == []
