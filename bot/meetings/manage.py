"""The meeting rows: look up, and who may do what to them (more in later commits)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import PermissionDenied, UserError
from bot.workspace import is_pmo_admin
from storage.models import Meeting, Person


def find(session: Session, *, team_id: str, channel_id: str) -> Meeting | None:
    """The channel's meeting, if it has one."""
    return session.scalar(
        select(Meeting).where(
            Meeting.team_id == team_id,
            Meeting.channel_id == channel_id,
            Meeting.removed_at.is_(None),
        )
    )


def for_channel(session: Session, *, team_id: str, channel_id: str) -> Meeting:
    """The channel's meeting.

    Raises:
        UserError: The channel has none.
    """
    meeting = find(session, team_id=team_id, channel_id=channel_id)
    if meeting is None:
        raise UserError(
            f"<#{channel_id}> has no steering meeting. Schedule one with "
            '`/pmo meeting schedule #channel "mon 10:00" every:2w @a @b`, or name its channel.'
        )
    return meeting


def get(session: Session, *, team_id: str, meeting_id: int) -> Meeting:
    """A meeting of the workspace by id (from a button's value).

    Raises:
        UserError: No such meeting in this workspace, or it was cancelled.
    """
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.team_id != team_id or meeting.removed_at is not None:
        raise UserError("That meeting no longer exists.")
    return meeting


def is_chair(session: Session, *, meeting: Meeting, person: Person) -> bool:
    """The chair and PMO admins run a meeting: edit, cancel, reorder, close."""
    return person.user_id == meeting.chair_id or is_pmo_admin(session, person=person)


def require_chair(session: Session, *, meeting: Meeting, person: Person, doing: str) -> None:
    """Refuse anyone but the chair and PMO admins, saying what they tried (`doing`)."""
    if not is_chair(session, meeting=meeting, person=person):
        raise PermissionDenied(
            f"Only the chair <@{meeting.chair_id}> or a PMO admin can {doing} the meeting in "
            f"<#{meeting.channel_id}>."
        )


def require_attendee(session: Session, *, meeting: Meeting, person: Person) -> None:
    """Attendees, the chair and PMO admins take part: start, record, add actions, move on."""
    if person.is_restricted:
        raise PermissionDenied("Guest accounts can't take part in steering meetings.")
    if person.user_id in meeting.attendees:
        return
    if not is_chair(session, meeting=meeting, person=person):
        raise PermissionDenied(
            f"Only the attendees of the meeting in <#{meeting.channel_id}>, its chair "
            f"<@{meeting.chair_id}> or a PMO admin can do that."
        )
