"""What RAID owners hear: the item they were given, and its due date coming and going.

- *Assigned*: the owner is DMed when someone else makes them an item's owner (logging it
  with `owner:@x`, or `risk edit #n owner:@x`); nobody is told about their own change.
- *Due soon* and *overdue*: an open item with a due date arms two one-off scheduled jobs,
  `raid_due` (message hours of the owner's working day two working days before the due date)
  and `raid_overdue` (message hours of the first working day after it). The job's period is
  the due date, so each runs once per item and due date: a new due date arms new ones, and a
  job whose item was closed or moved to another date is skipped when it comes.
- *Blocker*: a stand-up blocker logged as an issue on a program tells the program's owner.

Guests hear none of it (`notify.may_hear`); every DM waits for the recipient's hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import notify, scheduling
from bot.blocks import raid_owners as render
from bot.working_time import WorkingTime
from storage.models import Program, RaidItem, ScheduledJob, Workspace
from storage.types import JobState, ProgramState, RaidState

DUE = "raid_due"
OVERDUE = "raid_overdue"
DAYS_AHEAD = 2  # working days before the due date that the owner is reminded


def assigned(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    now: datetime,
    workspace: Workspace,
) -> bool:
    """DM the item's owner that `actor_id` gave it to them; whether a DM was queued."""
    if item.owner_id == actor_id:
        return False
    key = f"raid-assigned:{item.id}:{item.owner_id}:{now.isoformat()}"
    payload = render.assigned_message(item, program, by=actor_id)
    return _tell(
        session, workspace=workspace, user_id=item.owner_id, now=now, key=key, payload=payload
    )


def blocker_raised(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    raised_by: str,
    channel_id: str,
    now: datetime,
    workspace: Workspace,
) -> bool:
    """DM the program's owner about a stand-up blocker logged on it, unless they raised it."""
    if program.owner_id == raised_by:
        return False
    payload = render.blocker_message(item, program, raised_by=raised_by, channel_id=channel_id)
    key = f"raid-blocker:{item.id}"
    return _tell(
        session, workspace=workspace, user_id=program.owner_id, now=now, key=key, payload=payload
    )


def _tell(
    session: Session,
    *,
    workspace: Workspace,
    user_id: str,
    now: datetime,
    key: str,
    payload: dict[str, Any],
) -> bool:
    """The one place RAID DMs are queued (a guest hears nothing); whether one was.

    A DM already queued under `key` (a retry, a second pass) is not queued again.
    """
    if not notify.may_hear(session, team_id=workspace.team_id, user_id=user_id):
        return False
    queued = notify.direct_message(
        session,
        workspace=workspace,
        user_id=user_id,
        now=now,
        key=key,
        payload=payload,
        purpose=f"raid:{key.split(':')[1]}",
        kind="raid",  # muted with `/pmo notify mute raid`
    )
    return queued is not None


def arm_reminders(session: Session, *, item: RaidItem, now: datetime, workspace: Workspace) -> int:
    """Schedule the due-soon and overdue DMs of an open item's due date; how many are new.

    Called when an item gets a due date or another owner. A reminder whose time has already
    passed is not armed (the item was given a date that close, and the owner sees it); one
    armed before for the same date and not yet run is moved to the owner's calendar, so
    arming again never adds a second.
    """
    if item.due_date is None or item.state != RaidState.OPEN:
        return 0
    calendar = notify.calendar_of(session, workspace=workspace, user_id=item.owner_id)
    period = item.due_date.isoformat()
    new = 0
    for kind, due_at in reminder_times(calendar, item.due_date).items():
        if due_at <= now:
            continue
        job = ScheduledJob(
            team_id=item.team_id,
            kind=kind,
            target_id=item.id,
            period=period,
            slot_at=due_at,
            due_at=due_at,
        )
        if scheduling.add_job(session, job=job):
            new += 1
        else:
            _move_pending(session, kind=kind, item_id=item.id, period=period, due_at=due_at)
    return new


def _move_pending(
    session: Session, *, kind: str, item_id: int, period: str, due_at: datetime
) -> None:
    """Give a reminder not yet run its time in the (new) owner's calendar."""
    session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.kind == kind,
            ScheduledJob.target_id == item_id,
            ScheduledJob.period == period,
            ScheduledJob.state == JobState.PENDING,
        )
        .values(slot_at=due_at, due_at=due_at)
        .execution_options(synchronize_session=False)
    )


def reminder_times(calendar: WorkingTime, due: date) -> dict[str, datetime]:
    """When each reminder of a due date goes, in the owner's message hours."""
    return {
        DUE: _hours_open(calendar, calendar.working_days_before(due, DAYS_AHEAD)),
        OVERDUE: _hours_open(calendar, calendar.next_working_day(due)),
    }


def _hours_open(calendar: WorkingTime, day: date) -> datetime:
    """When message hours open on a working day (UTC)."""
    midnight = datetime.combine(day, time(0), tzinfo=calendar.zone)
    return calendar.next_window_start(midnight)


# A "due soon" reminder more late than this is not sent (prompts keep the same rule).
CATCH_UP = timedelta(hours=12)


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Send a `raid_due` or `raid_overdue` DM, unless the item no longer calls for it."""
    item = session.get(RaidItem, job.target_id)
    if item is None or item.team_id != job.team_id:
        return "skipped: the item is gone"
    program = session.get(Program, item.program_id)
    skip = _why_not(item, program, job)
    if skip is not None or program is None:
        return f"skipped: {skip}"
    if job.kind == DUE and now - job.due_at > CATCH_UP:
        # Missed while the bot was down: "due on …" would come too late; overdue still will.
        return "skipped: missed while the bot was down"
    payload = (
        render.due_soon_message(item, program)
        if job.kind == DUE
        else render.overdue_message(item, program)
    )
    key = f"{job.kind}:{item.id}:{job.period}"
    if not _tell(
        session, workspace=workspace, user_id=item.owner_id, now=now, key=key, payload=payload
    ):
        return f"skipped: {item.owner_id} is a guest or was told already"
    return f"told {item.owner_id}"


def _why_not(item: RaidItem, program: Program | None, job: ScheduledJob) -> str | None:
    """Why a reminder is no longer due: closed, moved to another date, program not live."""
    if item.state != RaidState.OPEN:
        return f"the item is {item.state}"
    if item.due_date is None or item.due_date.isoformat() != job.period:
        return "the due date changed"
    if program is None or program.state not in (ProgramState.ACTIVE, ProgramState.PAUSED):
        return "the program is not active"
    return None
