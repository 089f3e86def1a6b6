"""A question still open after its `by:` day: whoever asked it is told once where it stands.

A request with `by:` arms one job, `decision_overdue`, at the start of the requester's message
hours on their first working day after that day (as an action's overdue reminder is timed),
and not before the day is over in the meeting's zone and the sponsor's too.
When it runs, a request decided by then is skipped; one still open gets the requester a DM
saying where it waits: the next start of the meeting it is put to, the sponsor asked by DM, or
no meeting at all. A sponsor asked by DM is reminded too, with *Record decision*, in their own
hours; deciding edits that reminder as it does the first DM. The period is the `by:` day and
each DM's key names the request and that day, so each goes once, however often the job is
retried or the bot restarted. Guests and deactivated accounts hear nothing; the DMs are about
a question the reader asked or must decide, so they can't be muted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import notify, raid_owners, scheduling
from bot.blocks import decisions as render
from bot.meetings import plans
from storage.models import DecisionRequest, Meeting, Person, Program, ScheduledJob, Workspace
from storage.types import DecisionRequestState

KIND = "decision_overdue"


def arm(session: Session, *, request: DecisionRequest, now: datetime, workspace: Workspace) -> int:
    """Schedule the request's past-`by:` DM; 0 when it has no `by:` or is armed already."""
    if request.by_date is None:
        return 0
    due_at = _due_at(session, request=request, by=request.by_date, workspace=workspace)
    if due_at <= now:
        return 0
    job = ScheduledJob(
        team_id=request.team_id,
        kind=KIND,
        target_id=request.id,
        period=request.by_date.isoformat(),
        slot_at=due_at,
        due_at=due_at,
    )
    return scheduling.add_job(session, job=job)


def _due_at(
    session: Session, *, request: DecisionRequest, by: date, workspace: Workspace
) -> datetime:
    """The requester's hours on their first working day after `by:`, and not before `by:`
    has ended where it counts too: in the zone of the meeting the question is put to (which
    may still meet that evening) and the sponsor's (who may still decide it that day)."""
    calendar = notify.calendar_of(session, workspace=workspace, user_id=request.requested_by)
    zones = {calendar.zone}
    meeting = session.get(Meeting, request.meeting_id) if request.meeting_id else None
    if meeting is not None:
        zones.add(ZoneInfo(meeting.timezone))
    if request.sent_to_id is not None:
        sponsor = session.get(Person, (request.team_id, request.sent_to_id))
        zones.add(ZoneInfo(notify.zone_of(sponsor, workspace)))
    over = max(datetime.combine(by + timedelta(days=1), time(0), tzinfo=zone) for zone in zones)
    after_by = raid_owners.reminder_times(calendar, by)[raid_owners.OVERDUE]
    return max(after_by, calendar.next_window_start(over))


def message_key(request: DecisionRequest) -> str:
    """The outbox key of the requester's DM (one per request and `by:` day)."""
    assert request.by_date is not None
    return f"{KIND}:{request.id}:{request.by_date.isoformat()}"


def sponsor_key(request: DecisionRequest) -> str:
    """The outbox key of the sponsor's reminder (one per request and `by:` day)."""
    assert request.by_date is not None
    return f"{KIND}-sponsor:{request.id}:{request.by_date.isoformat()}"


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Tell the requester (and remind the sponsor asked) that the question is still open past
    `by:`, unless it no longer is."""
    request = session.get(DecisionRequest, job.target_id)
    if request is None or request.team_id != job.team_id:
        return "skipped: the request is gone"
    if request.state != DecisionRequestState.OPEN:
        return f"skipped: the request is {request.state}"
    if request.by_date is None or request.by_date.isoformat() != job.period:
        return "skipped: the by: date changed"
    program = session.get(Program, request.program_id)
    if program is None:
        return "skipped: the program is gone"
    told = [
        user_id
        for user_id in (
            _tell_requester(session, request, program, now, workspace),
            _remind_sponsor(session, request, program, now, workspace),
        )
        if user_id is not None
    ]
    if not told:
        return "skipped: nobody to tell (guests, deactivated, or told already)"
    return "told " + " and ".join(told)


def _tell_requester(
    session: Session,
    request: DecisionRequest,
    program: Program,
    now: datetime,
    workspace: Workspace,
) -> str | None:
    """Whoever asked, told where the question waits; who was told (None: nobody)."""
    user_id = request.requested_by
    if not notify.may_hear(session, team_id=request.team_id, user_id=user_id):
        return None
    meeting, start = _waiting_for(session, request=request, now=now)
    tz = notify.zone_of(session.get(Person, (request.team_id, user_id)), workspace)
    payload = render.request_past_by(request, program, meeting=meeting, start=start, tz=tz)
    return _queue(session, request, user_id, message_key(request), payload, now, workspace)


def _remind_sponsor(
    session: Session,
    request: DecisionRequest,
    program: Program,
    now: datetime,
    workspace: Workspace,
) -> str | None:
    """A question put to the sponsor by DM: the program's sponsor now (who may record it, as
    the one first asked may) is reminded with *Record decision*; who was told (None: nobody)."""
    if request.sent_to_id is None:
        return None
    user_id = program.sponsor_id or request.sent_to_id
    if not notify.may_hear(session, team_id=request.team_id, user_id=user_id):
        return None
    payload = render.sponsor_message(request, program, reminder=True)
    return _queue(session, request, user_id, sponsor_key(request), payload, now, workspace)


def _queue(
    session: Session,
    request: DecisionRequest,
    user_id: str,
    key: str,
    payload: dict[str, object],
    now: datetime,
    workspace: Workspace,
) -> str | None:
    queued = notify.direct_message(  # about a question they asked or must decide: not mutable
        session,
        workspace=workspace,
        user_id=user_id,
        now=now,
        key=key,
        payload=payload,
        purpose=f"decision_request:{request.id}",
    )
    return user_id if queued is not None else None


def _waiting_for(
    session: Session, *, request: DecisionRequest, now: datetime
) -> tuple[Meeting | None, datetime | None]:
    """The meeting the request is put to and its next start (None, None: no such meeting)."""
    meeting = session.get(Meeting, request.meeting_id) if request.meeting_id else None
    if meeting is None or meeting.removed_at is not None:
        return None, None
    start = plans.next_start(meeting, after=now)
    return (meeting, start) if start is not None else (None, None)
