"""`/pmo meeting agenda`: the agenda of the meeting's next (or current) occurrence, read only.

A meeting under way, or one whose agenda was already posted today, shows the agenda it froze;
otherwise the agenda is built as things stand, for the next start. Nothing is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.meetings import agenda
from bot.meetings.facts import Agenda
from bot.meetings.plans import next_start
from storage.models import Meeting, MeetingOccurrence, Workspace
from storage.types import MeetingState


class Upcoming(NamedTuple):
    """The occurrence an agenda preview is of."""

    starts_at: datetime
    agenda: Agenda
    frozen: bool  # posted or under way: the agenda the meeting walks


def upcoming(
    session: Session, *, meeting: Meeting, now: datetime, workspace: Workspace
) -> Upcoming:
    """The agenda of the meeting's occurrence under way or still to come.

    Raises:
        UserError: The meeting has no occurrence to come (it was cancelled).
    """
    frozen = _frozen_to_come(session, meeting=meeting, now=now)
    if frozen is not None:
        stored = agenda.stored(frozen)
        assert stored is not None
        return Upcoming(frozen.starts_at, stored, True)
    start = next_start(meeting, after=now)
    if start is None:
        raise UserError(f"The steering meeting in <#{meeting.channel_id}> was cancelled.")
    built = agenda.build(session, meeting=meeting, starts_at=start, now=now, workspace=workspace)
    return Upcoming(start, built, False)


def _frozen_to_come(
    session: Session, *, meeting: Meeting, now: datetime
) -> MeetingOccurrence | None:
    """An occurrence live now, or scheduled and not yet ended, whose agenda is frozen."""
    return session.scalar(
        select(MeetingOccurrence)
        .where(
            MeetingOccurrence.meeting_id == meeting.id,
            MeetingOccurrence.agenda.is_not(None),
            MeetingOccurrence.state.in_((MeetingState.LIVE, MeetingState.SCHEDULED)),
            MeetingOccurrence.ends_at > now,
        )
        .order_by(MeetingOccurrence.starts_at)
        .limit(1)
    )
