"""The `meeting_close` job, 30 minutes after a meeting's end: it closes a meeting left live
(minutes posted once in the live message's thread) and records one nobody started as missed
(the chair told once); once per occurrence, across passes and restarts.

Dates: the weekly steering meeting in #steering falls on Mondays at 10:00 in Berlin (09:00
UTC) for an hour, chaired by Lee (Berlin). Its first start after set-up (Wednesday 25 Nov) is
Monday 30 Nov; its close job is due at 11:30 Berlin (10:30 UTC), inside Lee's working hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.meetings import live, minutes, plans
from schedules import registry
from storage.models import (
    AuditEvent,
    Meeting,
    MeetingOccurrence,
    OutboxMessage,
    Person,
    ScheduledJob,
    Workspace,
)
from storage.types import MeetingState
from tests.conftest import START
from tests.schedules.conftest import BERLIN, TEAM, World, frozen, utc

STEER = "CSTEER"
MONDAY_START = utc("2026-11-30 09:00")
MONDAY_CLOSE = utc("2026-11-30 10:30")
NOT_STARTED = "was not started"


def set_up(world: World) -> int:
    """The workspace, Lee and Kim, #steering and its Monday meeting; returns its id."""
    world.workspace(now=START)
    world.person("ULEAD", BERLIN, now=START)
    world.person("ULEAD2", "Asia/Tokyo", now=START)
    world.fake.add_channel(STEER, "steering", members=["ULEAD", "ULEAD2"])
    with world.sessions.begin() as session:
        meeting = Meeting(
            team_id=TEAM,
            channel_id=STEER,
            chair_id="ULEAD",
            days="mon",
            at="10:00",
            every_weeks=1,
            anchor=START.date(),
            length_minutes=60,
            portfolio=None,
            timezone=BERLIN,
            attendees=["ULEAD", "ULEAD2"],
            created_at=START,
        )
        meeting.next_due_at = plans.next_start(meeting, after=START)
        session.add(meeting)
        session.flush()
        return meeting.id


def start(world: World, meeting_id: int, *, at: datetime, by: str = "ULEAD2") -> int:
    """`meeting start`, as its handler calls it; returns the occurrence id."""
    with frozen(at), world.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        actor = session.get(Person, (TEAM, by))
        space = session.get(Workspace, TEAM)
        assert meeting is not None and actor is not None and space is not None
        return live.start(session, meeting=meeting, actor=actor, now=at, workspace=space).id


def the_occurrence(sessions: sessionmaker[Session]) -> MeetingOccurrence:
    with sessions() as session:
        return session.scalars(select(MeetingOccurrence)).one()


def close_jobs(
    sessions: sessionmaker[Session], *, slot: datetime | None = MONDAY_START
) -> list[ScheduledJob]:
    """The close jobs of the occurrence starting at `slot` (None: of every occurrence)."""
    with sessions() as session:
        query = select(ScheduledJob).where(ScheduledJob.kind == plans.CLOSE)
        if slot is not None:
            query = query.where(ScheduledJob.slot_at == slot)
        return list(session.scalars(query.order_by(ScheduledJob.due_at)))


def told_chair(world: World) -> list[str]:
    return [m["text"] for m in world.fake.dms("ULEAD") if NOT_STARTED in m["text"]]


def live_posts(world: World) -> list[str]:
    """The live message in #steering (other posts, such as the agenda, left out)."""
    return [p for p in world.posts(STEER) if "Steering meeting live" in p or "closed at" in p]


def minutes_posted(world: World) -> list[str]:
    """The minutes posted in #steering's threads."""
    return [r for r in world.replies(STEER) if "Minutes: steering meeting" in r]


def run_again(world: World, job_id: int, *, at: datetime) -> str:
    """The close job's runner once more, as a second process (or a restart) would run it."""
    with frozen(at), world.sessions.begin() as session:
        job = session.get(ScheduledJob, job_id)
        space = session.get(Workspace, TEAM)
        assert job is not None and space is not None
        return registry.run(session, job=job, now=at, workspace=space)


def test_a_meeting_nobody_started_is_recorded_missed_and_the_chair_told_once(
    world: World,
) -> None:
    set_up(world)
    world.tick(START)  # the occurrence's jobs are made a week ahead
    [job] = close_jobs(world.sessions)
    assert (job.due_at, job.slot_at) == (MONDAY_CLOSE, MONDAY_START)

    world.tick(utc("2026-11-30 10:29"))
    assert told_chair(world) == []
    world.tick(MONDAY_CLOSE)
    row = the_occurrence(world.sessions)
    assert row.state == MeetingState.MISSED and row.closed_at == MONDAY_CLOSE
    assert row.minutes is not None and NOT_STARTED in row.minutes["text"]
    assert row.agenda is not None  # frozen, so it carries over
    assert told_chair(world) == [
        ":calendar: The steering meeting in <#CSTEER> on Mon 30 Nov was not started; its "
        "agenda carries over to Mon 7 Dec."
    ]
    assert live_posts(world) == [] and minutes_posted(world) == []  # nothing was live

    world.tick(MONDAY_CLOSE)  # the same pass again, and later ones
    world.tick(utc("2026-11-30 12:00"))
    assert run_again(world, job.id, at=utc("2026-11-30 12:01")) == "skipped: missed already"
    assert len(told_chair(world)) == 1
    assert the_occurrence(world.sessions).version == row.version
    with world.sessions() as session:
        missed = session.scalars(select(AuditEvent).where(AuditEvent.action == "missed")).all()
        assert len(missed) == 1


def test_a_meeting_left_live_is_closed_by_the_job_and_its_minutes_posted_once(
    world: World,
) -> None:
    meeting_id = set_up(world)
    world.tick(START)
    occurrence_id = start(world, meeting_id, at=utc("2026-11-30 09:02"))
    world.tick(utc("2026-11-30 09:03"))  # the live message goes out
    [posted] = live_posts(world)
    assert "Steering meeting live" in posted

    world.tick(MONDAY_CLOSE)  # started two minutes late: it keeps its whole hour
    assert the_occurrence(world.sessions).state == MeetingState.LIVE
    world.tick(MONDAY_CLOSE + timedelta(minutes=2))
    row = the_occurrence(world.sessions)
    assert (row.id, row.state, row.closed_by) == (occurrence_id, MeetingState.CLOSED, "pmo-bot")
    [closed] = live_posts(world)
    assert "closed at 11:32. The minutes are in the thread." in closed
    [minutes_reply] = minutes_posted(world)
    assert "Minutes: steering meeting, Mon 30 Nov 2026" in minutes_reply
    assert "10:02–11:32 (Europe/Berlin)" in minutes_reply

    world.tick(MONDAY_CLOSE)
    world.tick(utc("2026-11-30 11:00"))
    [job] = close_jobs(world.sessions)
    assert run_again(world, job.id, at=utc("2026-11-30 11:01")) == "skipped: closed already"
    assert len(minutes_posted(world)) == 1 and told_chair(world) == []
    with world.sessions() as session:
        keys = session.scalars(select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)).all()
    assert keys.count(f"meeting-minutes:{occurrence_id}") == 1


def test_a_meeting_closed_by_its_chair_is_left_alone_by_the_job(world: World) -> None:
    meeting_id = set_up(world)
    world.tick(START)
    start(world, meeting_id, at=utc("2026-11-30 09:00"))
    with frozen(utc("2026-11-30 09:50")), world.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        chair = session.get(Person, (TEAM, "ULEAD"))
        space = session.get(Workspace, TEAM)
        assert meeting is not None and chair is not None and space is not None
        minutes.close(
            session, meeting=meeting, actor=chair, now=utc("2026-11-30 09:50"), workspace=space
        )
    world.tick(MONDAY_CLOSE)
    [job] = close_jobs(world.sessions)
    assert job.note == "skipped: closed already"
    assert len(minutes_posted(world)) == 1


def test_the_job_skips_a_cancelled_meeting_and_a_start_that_was_moved(world: World) -> None:
    meeting_id = set_up(world)
    world.tick(START)
    with world.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.at = "11:00"  # edited: Monday 10:00 is no longer a start
    world.tick(MONDAY_CLOSE)
    [job] = close_jobs(world.sessions)
    assert job.note == "skipped: no longer one of the meeting's starts"

    with world.sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.at, meeting.removed_at = "10:00", MONDAY_START
        job = session.get(ScheduledJob, job.id)
        assert job is not None
        job.state, job.note = "pending", None
    world.tick(MONDAY_CLOSE)
    assert close_jobs(world.sessions)[0].note == "skipped: meeting cancelled"
    assert told_chair(world) == []
    with world.sessions() as session:
        assert session.scalars(select(MeetingOccurrence)).all() == []


def test_an_unscheduled_meeting_closes_itself_too(world: World) -> None:
    meeting_id = set_up(world)
    wednesday = utc("2026-12-02 14:00")  # no meeting falls on a Wednesday
    occurrence_id = start(world, meeting_id, at=wednesday)
    jobs = [j for j in close_jobs(world.sessions, slot=None) if j.period.startswith("live:")]
    assert [(j.due_at, j.target_id) for j in jobs] == [(utc("2026-12-02 15:30"), meeting_id)]
    world.tick(utc("2026-12-02 14:01"))
    world.tick(utc("2026-12-02 15:30"))
    with world.sessions() as session:
        row = session.get(MeetingOccurrence, occurrence_id)
        assert row is not None and row.state == MeetingState.CLOSED
    assert len(minutes_posted(world)) == 1
