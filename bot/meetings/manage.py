"""The meeting rows: schedule, edit, cancel, look up, and who may do what to them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.digest import check_portfolio
from bot.errors import PermissionDenied, UserError
from bot.meetings import requests
from bot.meetings.occurrences import retime_close
from bot.meetings.plans import Plan, first_week, next_start
from bot.people import checked_members
from bot.standups.plans import format_days
from bot.workspace import is_pmo_admin, serialize_changes
from storage.models import Meeting, Person, Workspace

MAX_ATTENDEES = 50
ALL_PORTFOLIOS = "all"


@dataclass(frozen=True)
class Changes:
    """What `edit` changes; None leaves a part as it is.

    Attributes:
        plan: New days, time, weeks, length or zone.
        portfolio: A portfolio's name, or "all" for every program.
        attendees: The new attendees (all of them).
    """

    plan: Plan | None = None
    portfolio: str | None = None
    attendees: Sequence[Person] | None = None


def schedule(
    session: Session,
    *,
    channel_id: str,
    chair: Person,
    plan: Plan,
    portfolio: str | None,
    attendees: Sequence[Person],
    members: Collection[str],
    now: datetime,
) -> Meeting:
    """Set up a recurring steering meeting in a channel, chaired by `chair`.

    Raises:
        UserError: The channel has one already, an unknown portfolio, or attendees who can't
            attend (not in the channel, guests, bots).
        PermissionDenied: The chair is a guest, or neither in the channel nor a PMO admin.
    """
    _refuse_second(session, team_id=chair.team_id, channel_id=channel_id)
    _require_may_chair(session, chair=chair, members=members, channel_id=channel_id)
    meeting = Meeting(
        team_id=chair.team_id,
        channel_id=channel_id,
        chair_id=chair.user_id,
        portfolio=_portfolio(session, team_id=chair.team_id, name=portfolio),
        attendees=_checked_attendees(attendees, members=members, channel_id=channel_id),
        created_at=now,
    )
    _apply(meeting, plan, now=now)
    session.add(meeting)
    session.flush()
    _audit(session, meeting, actor_id=chair.user_id, action="schedule", now=now)
    requests.adopt(session, meeting=meeting, now=now)
    return meeting


def _refuse_second(session: Session, *, team_id: str, channel_id: str) -> None:
    serialize_changes(session, team_id=team_id)  # two schedules at once: the second is told
    existing = find(session, team_id=team_id, channel_id=channel_id)
    if existing is not None:
        raise UserError(
            f"<#{channel_id}> already has a steering meeting, chaired by "
            f"<@{existing.chair_id}>. Change it with `/pmo meeting edit <#{channel_id}> …`, "
            "or cancel it first."
        )


def _require_may_chair(
    session: Session, *, chair: Person, members: Collection[str], channel_id: str
) -> None:
    if chair.is_restricted:
        raise PermissionDenied("Guest accounts can't run steering meetings.")
    if chair.user_id not in members and not is_pmo_admin(session, person=chair):
        raise PermissionDenied(
            f"You're not a member of <#{channel_id}>. Only its members (or a PMO admin) can "
            "hold a steering meeting there."
        )


def _portfolio(session: Session, *, team_id: str, name: str | None) -> str | None:
    """A portfolio as stored (None for every program), refusing one no program is in."""
    if name is None or name.strip().lower() == ALL_PORTFOLIOS:
        return None
    return check_portfolio(session, team_id=team_id, portfolio=name.strip())


def _checked_attendees(
    attendees: Sequence[Person], *, members: Collection[str], channel_id: str
) -> list[str]:
    """The attendees' ids, once each, after checking each may attend."""
    return checked_members(
        attendees,
        members=members,
        channel_id=channel_id,
        role="attendees",
        joining="attend",
        of="A meeting",
        most=MAX_ATTENDEES,
    )


def _apply(meeting: Meeting, plan: Plan, *, now: datetime) -> None:
    """Store a plan. Its weeks count from its first start after `now` when it is new or
    falls on other days or weeks; otherwise a fortnightly meeting keeps its fortnight."""
    rephased = meeting.days != format_days(plan.days) or meeting.every_weeks != plan.every_weeks
    meeting.days = format_days(plan.days)
    meeting.at = f"{plan.at:%H:%M}"
    meeting.every_weeks = plan.every_weeks
    meeting.length_minutes = int(plan.length.total_seconds() // 60)
    meeting.timezone = plan.timezone
    if rephased or meeting.anchor is None:
        meeting.anchor = first_week(plan, now=now)
    meeting.next_due_at = next_start(meeting, after=now)


def edit(
    session: Session,
    *,
    meeting: Meeting,
    actor: Person,
    changes: Changes,
    members: Collection[str],
    now: datetime,
) -> list[str] | None:
    """Change a meeting (its chair or a PMO admin); the attendees it had, when the change
    names them. Occurrences already prepared for starts that are no longer starts are
    skipped when their jobs come; a live one goes on."""
    require_chair(session, meeting=meeting, person=actor, doing="change")
    before = snapshot(meeting)
    attendees_before = list(meeting.attendees) if changes.attendees is not None else None
    if changes.attendees is not None:
        meeting.attendees = _checked_attendees(
            changes.attendees, members=members, channel_id=meeting.channel_id
        )
    if changes.portfolio is not None:
        meeting.portfolio = _portfolio(session, team_id=meeting.team_id, name=changes.portfolio)
    if changes.plan is not None:
        _apply(meeting, changes.plan, now=now)
        retime_close(session, meeting=meeting)  # a longer meeting is not closed early
    _audit(session, meeting, actor_id=actor.user_id, action="edit", now=now, before=before)
    return attendees_before


def cancel(
    session: Session, *, meeting: Meeting, actor: Person, now: datetime, workspace: Workspace
) -> int:
    """Stop a meeting (kept, marked removed); its log, decisions and actions stay, and its
    open questions go to another meeting or their sponsor. How many questions moved."""
    require_chair(session, meeting=meeting, person=actor, doing="cancel")
    meeting.removed_at = now
    meeting.next_due_at = None
    _audit(session, meeting, actor_id=actor.user_id, action="cancel", now=now)
    session.flush()  # the cancelled meeting is no longer a next meeting
    return requests.re_place(session, meeting=meeting, now=now, workspace=workspace)


def active(session: Session, *, team_id: str) -> list[Meeting]:
    """The workspace's meetings, oldest first."""
    query = (
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.removed_at.is_(None))
        .order_by(Meeting.created_at, Meeting.id)
    )
    return list(session.scalars(query))


def snapshot(meeting: Meeting) -> dict[str, object]:
    """A meeting's settings, for its audit history."""
    names = ("channel_id", "chair_id", "days", "at", "every_weeks", "length_minutes")
    values: dict[str, object] = {name: getattr(meeting, name) for name in names}
    return values | {
        "timezone": meeting.timezone,
        "portfolio": meeting.portfolio,
        "anchor": meeting.anchor,
        "attendees": list(meeting.attendees),
    }


def _audit(
    session: Session,
    meeting: Meeting,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    before: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        meeting,
        actor_id=actor_id,
        action=action,
        now=now,
        before=before,
        after=snapshot(meeting),
    )


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
