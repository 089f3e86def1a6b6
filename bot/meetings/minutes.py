"""Closing a meeting: its minutes, built once, frozen and posted in the live message's thread;
a meeting nobody started, recorded as missed; and `meeting show`, the minutes as posted.

A meeting closes by `/pmo meeting close`, its *Close meeting* button, or its close job (30
minutes after its end). Closing is a conditional change of the occurrence (live → closed), so
whichever comes first closes it and builds its minutes; the others find it closed. The close
job of an occurrence nobody started records it as missed (scheduled → missed) and tells the
chair once; its agenda carries over. Each is once per occurrence, across restarts too: the
job is claimed once, the state changes once, and every message has its dedupe key.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import audit, notify, outbox
from bot.blocks import meeting_live as render
from bot.errors import UserError
from bot.meetings import agenda, facts, live, manage, occurrences, plans
from storage.models import (
    ActionItem,
    Decision,
    Meeting,
    MeetingOccurrence,
    Person,
    ScheduledJob,
    Workspace,
)
from storage.types import MeetingState

SHOW_WINDOW = timedelta(days=2)  # occurrences of a local day start within this of its UTC day
WEEK = timedelta(days=7)
NEAREST = 2  # held dates offered before and after a day with no meeting


def minutes_key(occurrence_id: int) -> str:
    """The outbox key of an occurrence's minutes (a reply in the live message's thread)."""
    return f"meeting-minutes:{occurrence_id}"


# --- close -----------------------------------------------------------------------------------


def close(
    session: Session, *, meeting: Meeting, actor: Person, now: datetime, workspace: Workspace
) -> MeetingOccurrence:
    """`/pmo meeting close`: close the meeting's live occurrence (the chair or a PMO admin).

    Raises:
        PermissionDenied: Not the chair or a PMO admin.
        UserError: None is live (not started today, or closed already).
    """
    manage.require_chair(session, meeting=meeting, person=actor, doing="close")
    occurrence = occurrences.open_one(session, meeting=meeting)
    if occurrence is None:
        raise UserError(_nothing_live(session, meeting=meeting, now=now))
    _close_or_refuse(session, occurrence=occurrence, meeting=meeting, actor=actor, now=now)
    return occurrence


def close_clicked(
    session: Session, *, team_id: str, occurrence_id: int, actor: Person, now: datetime
) -> MeetingOccurrence:
    """*Close meeting* on the live message (the chair or a PMO admin).

    Raises:
        UserError: No such occurrence in this workspace, or it is closed already.
        PermissionDenied: Not the chair or a PMO admin.
    """
    occurrence, meeting = live.occurrence_of(session, team_id=team_id, occurrence_id=occurrence_id)
    manage.require_chair(session, meeting=meeting, person=actor, doing="close")
    _close_or_refuse(session, occurrence=occurrence, meeting=meeting, actor=actor, now=now)
    return occurrence


def _close_or_refuse(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    actor: Person,
    now: datetime,
) -> None:
    if not close_live(
        session, occurrence=occurrence, meeting=meeting, actor_id=actor.user_id, now=now
    ):
        raise UserError(
            f"The steering meeting in <#{meeting.channel_id}> was closed already"
            + (
                f" by <@{occurrence.closed_by}>"
                if occurrence.closed_by != live.SYSTEM_ACTOR
                else ""
            )
            + "; its minutes are in the live message's thread."
        )


def _nothing_live(session: Session, *, meeting: Meeting, now: datetime) -> str:
    today = occurrences.today(session, meeting=meeting, now=now)
    where = f"<#{meeting.channel_id}>"
    if today is not None and today.state in occurrences.HELD:
        day = plans.local_day(meeting, today.starts_at).isoformat()
        return (
            f"Today's steering meeting in {where} was {today.state} already; see "
            f"`/pmo meeting show {day} {where}`."
        )
    return f"No steering meeting is live in {where}; start one with `/pmo meeting start {where}`."


def close_live(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    actor_id: str,
    now: datetime,
) -> bool:
    """Close a live occurrence: freeze its minutes, post them in the live message's thread,
    and show the live message closed. False when it was not live (closed a moment ago)."""
    if not _move(session, occurrence, MeetingState.LIVE, MeetingState.CLOSED, actor_id, now):
        return False
    gathered = gather(session, occurrence=occurrence, meeting=meeting)
    occurrence.minutes = render.minutes_message(gathered)
    outbox.enqueue(
        session,
        team_id=meeting.team_id,
        key=minutes_key(occurrence.id),
        channel=meeting.channel_id,
        payload={**occurrence.minutes, outbox.THREAD_OF: live.live_key(occurrence.id)},
        now=now,
    )
    live.refresh_message(session, occurrence=occurrence, meeting=meeting, now=now)
    counts = {
        "decisions": len(gathered.decisions),
        "actions": len(gathered.actions),
        "parked": len(gathered.parked),
        "not_reached": len(gathered.not_reached),
    }
    _audit(session, occurrence, "close", MeetingState.LIVE, actor_id, now, **counts)
    return True


def _move(
    session: Session,
    occurrence: MeetingOccurrence,
    state: str,
    to: str,
    actor_id: str,
    now: datetime,
) -> bool:
    """Move an occurrence from `state` to a held state, if it is still in it (the first of
    a command, a click and the close job does)."""
    changed = session.execute(
        update(MeetingOccurrence)
        .where(MeetingOccurrence.id == occurrence.id, MeetingOccurrence.state == state)
        .values(state=to, closed_at=now, closed_by=actor_id, version=MeetingOccurrence.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(occurrence)
    return bool(changed)


def _audit(
    session: Session,
    occurrence: MeetingOccurrence,
    action: str,
    was: str,
    actor_id: str,
    now: datetime,
    **counts: int,
) -> None:
    audit.record(
        session,
        occurrence,
        actor_id=actor_id,
        action=action,
        now=now,
        before={"state": was},
        after={"state": occurrence.state, **counts},
    )


def gather(
    session: Session, *, occurrence: MeetingOccurrence, meeting: Meeting, missed: bool = False
) -> render.MinutesFacts:
    """What the minutes of an occurrence say, read once."""
    outcomes = live.item_outcomes(occurrence)
    items = live.walk(occurrence)

    def having(outcome: str) -> list[facts.AgendaItem]:
        return [item for item in items if outcomes.get(item.ref) == outcome]

    decisions = session.scalars(
        select(Decision).where(Decision.occurrence_id == occurrence.id).order_by(Decision.number)
    )
    actions = session.scalars(
        select(ActionItem)
        .where(ActionItem.occurrence_id == occurrence.id)
        .order_by(ActionItem.number)
    )
    return render.MinutesFacts(
        channel_id=meeting.channel_id,
        chair_id=meeting.chair_id,
        tz=meeting.timezone,
        starts_at=occurrence.started_at or occurrence.starts_at,
        closed_at=occurrence.closed_at or occurrence.ends_at,
        attendees=list(meeting.attendees),
        decisions=list(decisions),
        actions=list(actions),
        parked=having(facts.PARKED_OUTCOME),
        discussed=having(facts.DISCUSSED),
        not_reached=[item for item in items if item.ref not in outcomes],
        missed=missed,
        next_start=plans.next_start(meeting, after=occurrence.starts_at),
        items={item.ref: item for item in items},
    )


# --- missed ----------------------------------------------------------------------------------


def record_missed(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    now: datetime,
    workspace: Workspace,
) -> bool:
    """Record an occurrence nobody started as missed: its agenda frozen (it carries over to the
    next one), minutes saying so, and one DM to the chair. False when it was not scheduled."""
    scheduled, actor = MeetingState.SCHEDULED, live.SYSTEM_ACTOR
    if not _move(session, occurrence, scheduled, MeetingState.MISSED, actor, now):
        return False
    agenda.freeze(session, occurrence=occurrence, meeting=meeting, now=now, workspace=workspace)
    gathered = gather(session, occurrence=occurrence, meeting=meeting, missed=True)
    occurrence.minutes = render.minutes_message(gathered)
    _audit(session, occurrence, "missed", scheduled, actor, now, carried=len(gathered.not_reached))
    if notify.may_hear(session, team_id=meeting.team_id, user_id=meeting.chair_id):
        notify.direct_message(
            session,
            workspace=workspace,
            user_id=meeting.chair_id,
            now=now,
            key=f"meeting-missed:{occurrence.id}",
            payload=render.missed_dm(gathered),
            purpose=f"meeting:{meeting.id}",
            zone=meeting.timezone,
        )
    return True


# --- the close job ---------------------------------------------------------------------------


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """The `meeting_close` job, 30 minutes after an occurrence's end: close it if it is still
    live, record it as missed if nobody started it; says what happened."""
    meeting = session.get(Meeting, job.target_id)
    if meeting is None or meeting.team_id != job.team_id:
        return "skipped: no such meeting"
    occurrence = session.scalar(
        select(MeetingOccurrence).where(
            MeetingOccurrence.meeting_id == meeting.id, MeetingOccurrence.period == job.period
        )
    )
    if occurrence is not None and occurrence.state == MeetingState.LIVE:
        closed = close_live(
            session, occurrence=occurrence, meeting=meeting, actor_id=live.SYSTEM_ACTOR, now=now
        )
        return "minutes posted" if closed else "skipped: closed already"
    if occurrence is not None and occurrence.state in occurrences.HELD:
        return f"skipped: {occurrence.state} already"
    if job.period.startswith(occurrences.LIVE_PREFIX):
        return "skipped: never went live"
    if meeting.removed_at is not None:
        return "skipped: meeting cancelled"
    if not plans.is_start(meeting, job.slot_at):
        return "skipped: no longer one of the meeting's starts"
    occurrence = occurrences.for_start(session, meeting=meeting, start=job.slot_at)
    missed = record_missed(
        session, occurrence=occurrence, meeting=meeting, now=now, workspace=workspace
    )
    return "recorded as missed" if missed else f"skipped: {occurrence.state}"


# --- show ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What `meeting show <date>` found: the minutes as posted, or what to say instead.

    Attributes:
        minutes: The stored minutes ({"text", "blocks"}), exactly as posted.
        live: The meeting of that day is live now (no minutes yet).
        before: The latest days a meeting was held before the day asked for.
        after: The earliest days one was held after it.
    """

    minutes: dict[str, object] | None
    live: bool = False
    before: tuple[date, ...] = ()
    after: tuple[date, ...] = ()


def show(session: Session, *, team_id: str, channel_id: str, day: date) -> Shown:
    """The minutes of the channel's meeting held on `day` (its local date), as posted.

    Raises:
        UserError: The channel never had a steering meeting.
    """
    meetings = _meetings_of(session, team_id=team_id, channel_id=channel_id)
    if not meetings:
        manage.for_channel(session, team_id=team_id, channel_id=channel_id)  # says so
    that_day = [
        o for o in _around(session, meetings=meetings, day=day) if _local_day(meetings, o) == day
    ]
    held = [o for o in that_day if o.state in occurrences.HELD and o.minutes]
    held.sort(key=lambda o: (o.state == MeetingState.CLOSED, o.starts_at))
    if held:
        return Shown(minutes=dict(held[-1].minutes or {}))
    before, after = _nearest(session, meetings=meetings, day=day)
    live_now = any(o.state == MeetingState.LIVE for o in that_day)
    return Shown(minutes=None, live=live_now, before=before, after=after)


def _meetings_of(session: Session, *, team_id: str, channel_id: str) -> dict[int, Meeting]:
    """Every meeting the channel had, cancelled ones too: their minutes are kept."""
    query = select(Meeting).where(Meeting.team_id == team_id, Meeting.channel_id == channel_id)
    return {meeting.id: meeting for meeting in session.scalars(query)}


def _around(
    session: Session, *, meetings: dict[int, Meeting], day: date
) -> list[MeetingOccurrence]:
    """The occurrences starting near `day` (in UTC), of which the caller keeps its own."""
    middle = _midnight(day)
    query = select(MeetingOccurrence).where(
        MeetingOccurrence.meeting_id.in_(list(meetings)),
        MeetingOccurrence.starts_at >= middle - SHOW_WINDOW,
        MeetingOccurrence.starts_at <= middle + SHOW_WINDOW,
    )
    return list(session.scalars(query))


def _nearest(
    session: Session, *, meetings: dict[int, Meeting], day: date
) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """Up to NEAREST days a meeting was held before `day`, and after it."""
    held = select(MeetingOccurrence).where(
        MeetingOccurrence.meeting_id.in_(list(meetings)),
        MeetingOccurrence.state.in_(occurrences.HELD),
    )
    middle = _midnight(day)
    earlier = session.scalars(
        held.where(MeetingOccurrence.starts_at < middle + SHOW_WINDOW)
        .order_by(MeetingOccurrence.starts_at.desc())
        .limit(NEAREST * 4)
    )
    later = session.scalars(
        held.where(MeetingOccurrence.starts_at > middle - SHOW_WINDOW)
        .order_by(MeetingOccurrence.starts_at)
        .limit(NEAREST * 4)
    )
    before = sorted({d for d in _days(meetings, earlier) if d < day})[-NEAREST:]
    after = sorted({d for d in _days(meetings, later) if d > day})[:NEAREST]
    return tuple(before), tuple(after)


def _days(meetings: dict[int, Meeting], found: Iterable[MeetingOccurrence]) -> list[date]:
    return [_local_day(meetings, occurrence) for occurrence in found]


def _local_day(meetings: dict[int, Meeting], occurrence: MeetingOccurrence) -> date:
    return plans.local_day(meetings[occurrence.meeting_id], occurrence.starts_at)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


_YEAR = re.compile(r"\b\d{4}\b")


def held_day(text: str, *, today: date, parse: Callable[[str], date]) -> date:
    """The day a meeting was held, as typed (`7 Dec`, `monday`, `2026-12-07`, `yesterday`).

    The dates module reads a date without a year as the next one (a due date), and refuses
    `Mon 7 Dec` when next year's 7 Dec is no Monday. `meeting show` asks about the past: a
    weekday alone is the last one, a day and month without a year the last one (this year's,
    or last year's).

    Raises:
        UserError: The dates module's own refusal of the text.
    """
    if _YEAR.search(text):
        return parse(text)
    try:
        day: date | None = parse(text)
    except UserError as error:
        day, refusal = None, error
    if day is not None and day <= today:
        return day
    if day is not None and not any(c.isdigit() for c in text) and day - WEEK <= today:
        return day - WEEK
    for year in (today.year, today.year - 1):
        with contextlib.suppress(UserError):
            candidate = parse(f"{text} {year}")
            if candidate <= today:
                return candidate
    if day is None:
        raise refusal
    return day
