"""A meeting's occurrences: the one of a scheduled start, today's, and the last one held.

An occurrence row is made the first time anything needs it (its pre-read, its agenda post,
`start`, its close job), once per (meeting, period) under a unique constraint, so two
processes reaching the same start make one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cadence import slot_local
from bot.meetings.plans import CLOSE, CLOSE_AFTER, ends_at, local_day, next_start, period_of
from storage.db import insert_new
from storage.models import Meeting, MeetingOccurrence, ScheduledJob
from storage.types import JobState, MeetingState

LIVE_PREFIX = "live:"
HELD = (MeetingState.CLOSED, MeetingState.MISSED)


def for_start(session: Session, *, meeting: Meeting, start: datetime) -> MeetingOccurrence:
    """The occurrence of a scheduled start, made if it does not exist yet."""
    period = period_of(meeting, start)
    insert_new(
        session,
        MeetingOccurrence,
        [
            {
                "team_id": meeting.team_id,
                "meeting_id": meeting.id,
                "period": period,
                "starts_at": start,
                "ends_at": ends_at(meeting, start),
                "state": MeetingState.SCHEDULED,
                "current": 0,
                "outcomes": {},
                "version": 0,
            }
        ],
    )
    occurrence = session.scalar(
        select(MeetingOccurrence).where(
            MeetingOccurrence.meeting_id == meeting.id, MeetingOccurrence.period == period
        )
    )
    assert occurrence is not None
    return occurrence


def live_one(session: Session, *, meeting: Meeting, now: datetime) -> MeetingOccurrence:
    """A new occurrence starting now, for a meeting started when none was scheduled today."""
    local = slot_local(now, meeting.timezone).replace(microsecond=0)
    occurrence = MeetingOccurrence(
        team_id=meeting.team_id,
        meeting_id=meeting.id,
        period=LIVE_PREFIX + local.isoformat(timespec="seconds"),
        starts_at=now,
        ends_at=ends_at(meeting, now),
        state=MeetingState.SCHEDULED,
        current=0,
        outcomes={},
        version=0,
    )
    session.add(occurrence)
    session.flush()
    return occurrence


def today(session: Session, *, meeting: Meeting, now: datetime) -> MeetingOccurrence | None:
    """The occurrence of the meeting's local today: one already made (live, or prepared), else
    the one of today's scheduled start, if the meeting falls today."""
    day = local_day(meeting, now)
    window_start = now - timedelta(days=2)
    made = session.scalars(
        select(MeetingOccurrence)
        .where(
            MeetingOccurrence.meeting_id == meeting.id,
            MeetingOccurrence.starts_at >= window_start,
            MeetingOccurrence.starts_at <= now + timedelta(days=2),
        )
        .order_by(MeetingOccurrence.starts_at.desc(), MeetingOccurrence.id.desc())
    )
    for occurrence in made:
        if local_day(meeting, occurrence.starts_at) == day:
            return occurrence
    start = next_start(meeting, after=now - timedelta(days=1))
    if start is not None and local_day(meeting, start) == day:
        return for_start(session, meeting=meeting, start=start)
    return None


def open_one(session: Session, *, meeting: Meeting) -> MeetingOccurrence | None:
    """The meeting's occurrence that is live now, if any."""
    return session.scalar(
        select(MeetingOccurrence)
        .where(
            MeetingOccurrence.meeting_id == meeting.id,
            MeetingOccurrence.state == MeetingState.LIVE,
        )
        .order_by(MeetingOccurrence.starts_at.desc())
        .limit(1)
    )


def last_held(session: Session, *, meeting: Meeting, before: datetime) -> MeetingOccurrence | None:
    """The meeting's latest occurrence that closed or was missed, starting before `before`:
    what the next agenda is built since, and carries items over from."""
    return session.scalar(
        select(MeetingOccurrence)
        .where(
            MeetingOccurrence.meeting_id == meeting.id,
            MeetingOccurrence.state.in_(HELD),
            MeetingOccurrence.starts_at < before,
        )
        .order_by(MeetingOccurrence.starts_at.desc(), MeetingOccurrence.id.desc())
        .limit(1)
    )


def retime_close(
    session: Session,
    *,
    meeting: Meeting,
    period: str | None = None,
    earliest: datetime | None = None,
) -> int:
    """Move the close jobs not yet run to the meeting's length (after an edit), or of one
    occurrence to no earlier than `earliest` (a late start keeps its whole length).

    Returns:
        How many jobs were moved.
    """
    query = select(ScheduledJob).where(
        ScheduledJob.kind == CLOSE,
        ScheduledJob.target_id == meeting.id,
        ScheduledJob.state == JobState.PENDING,
    )
    if period is not None:
        query = query.where(ScheduledJob.period == period)
    moved = 0
    for job in session.scalars(query):
        due = ends_at(meeting, job.slot_at) + CLOSE_AFTER
        if earliest is not None:
            due = max(job.due_at, earliest)
        if due != job.due_at:
            job.due_at, moved = due, moved + 1
    return moved
