"""Actions followed up until they are done: the owner told, reminded, and *Done*.

- *Assigned*: `created` (called as `bot.meetings.log.add_action` adds `A-n`) DMs the owner
  the action with a *Done* button, unless they gave it to themselves.
- *Due soon* and *overdue*: each action arms two one-off jobs, `action_due` (message hours
  of the owner's working day two working days before the due date) and `action_overdue`
  (message hours of the first working day after it), as RAID items do (`bot.raid_owners`).
  The period is the due date, so each runs once; a job whose action is done by then is
  skipped, and a due-soon reminder missed by more than 12 hours is not sent late.
- *Done*: the owner, whoever created the action, the chair of its meeting or a PMO admin
  marks it done, once (`UPDATE … WHERE state = 'open'`); the DMs about it are edited to say
  so, and those still waiting for the owner's hours are withdrawn.

All of it is `kind="actions"` news (`/pmo notify mute actions`); guests hear none of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import audit, notify, outbox, raid_owners, scheduling
from bot.blocks import decisions as render
from bot.errors import PermissionDenied, UserError
from bot.meetings import records
from bot.workspace import is_pmo_admin
from storage.models import (
    ActionItem,
    Meeting,
    OutboxMessage,
    Person,
    ScheduledJob,
    Workspace,
)
from storage.types import ActionState, OutboxState

DUE = "action_due"
OVERDUE = "action_overdue"
KINDS = (DUE, OVERDUE)
# A "due soon" reminder more late than this is not sent (prompts keep the same rule).
CATCH_UP = timedelta(hours=12)
NUMBER = re.compile(r"(?:a-?)?(\d{1,9})", re.IGNORECASE)


# --- told, reminded -----------------------------------------------------------------------


def created(
    session: Session, *, action: ActionItem, actor_id: str, now: datetime, workspace: Workspace
) -> bool:
    """Arm the action's reminders and DM its owner (unless they gave it to themselves);
    whether a DM was queued."""
    arm_reminders(session, action=action, now=now, workspace=workspace)
    if action.owner_id == actor_id:
        return False
    payload = render.action_assigned(records.line_of(session, action), by=actor_id)
    return _tell(
        session,
        action=action,
        key=created_key(action),
        now=now,
        payload=payload,
        workspace=workspace,
    )


def changed(
    session: Session,
    *,
    action: ActionItem,
    actor_id: str,
    now: datetime,
    workspace: Workspace,
    owner_changed: bool,
) -> None:
    """After `actions edit`: reminders armed for the (new) due date, a new owner told."""
    arm_reminders(session, action=action, now=now, workspace=workspace)
    if not owner_changed or action.owner_id == actor_id:
        return
    payload = render.action_assigned(records.line_of(session, action), by=actor_id)
    key = f"action-reassigned:{action.id}:{action.owner_id}:{now.isoformat()}"
    _tell(session, action=action, key=key, now=now, payload=payload, workspace=workspace)


def created_key(action: ActionItem) -> str:
    """The outbox key of the DM telling the owner about the action."""
    return f"action-created:{action.id}"


def _reminder_key(kind: str, action: ActionItem) -> str:
    return f"{kind}:{action.id}:{action.due_date.isoformat()}"


def _tell(
    session: Session,
    *,
    action: ActionItem,
    key: str,
    now: datetime,
    payload: dict[str, Any],
    workspace: Workspace,
) -> bool:
    """The one place action DMs are queued (guests and those who muted them hear nothing)."""
    if not notify.may_hear(session, team_id=action.team_id, user_id=action.owner_id):
        return False
    queued = notify.direct_message(
        session,
        workspace=workspace,
        user_id=action.owner_id,
        now=now,
        key=key,
        payload=payload,
        purpose=f"action:{action.id}",
        kind="actions",  # muted with `/pmo notify mute actions`
    )
    return queued is not None


def arm_reminders(
    session: Session, *, action: ActionItem, now: datetime, workspace: Workspace
) -> int:
    """Schedule the due-soon and overdue DMs of an open action; how many are new.

    A reminder whose time has passed already (an action due tomorrow) is not armed; arming
    twice adds nothing (the job's kind, action and due date are unique).
    """
    if action.state != ActionState.OPEN:
        return 0
    calendar = notify.calendar_of(session, workspace=workspace, user_id=action.owner_id)
    times = raid_owners.reminder_times(calendar, action.due_date)
    new = 0
    for kind, due_at in ((DUE, times[raid_owners.DUE]), (OVERDUE, times[raid_owners.OVERDUE])):
        if due_at <= now:
            continue
        job = ScheduledJob(
            team_id=action.team_id,
            kind=kind,
            target_id=action.id,
            period=action.due_date.isoformat(),
            slot_at=due_at,
            due_at=due_at,
        )
        new += scheduling.add_job(session, job=job)
    return new


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Send an `action_due` or `action_overdue` DM, unless the action no longer calls for it."""
    action = session.get(ActionItem, job.target_id)
    if action is None or action.team_id != job.team_id:
        return "skipped: the action is gone"
    if action.state != ActionState.OPEN:
        return f"skipped: A-{action.number} is {action.state}"
    if action.due_date.isoformat() != job.period:
        return "skipped: the due date changed"
    if job.kind == DUE and now - job.due_at > CATCH_UP:
        # Missed while the bot was down: "due on …" would come too late; overdue still will.
        return "skipped: missed while the bot was down"
    line = records.line_of(session, action)
    payload = render.action_due_soon(line) if job.kind == DUE else render.action_overdue(line)
    key = _reminder_key(job.kind, action)
    if not _tell(session, action=action, key=key, now=now, payload=payload, workspace=workspace):
        return f"skipped: {action.owner_id} is a guest, muted actions or was told already"
    return f"told {action.owner_id}"


# --- done ---------------------------------------------------------------------------------


def get(session: Session, *, team_id: str, action_id: int) -> ActionItem:
    """An action of the workspace by id (a button's value).

    Raises:
        UserError: No such action in this workspace.
    """
    action = session.get(ActionItem, action_id)
    if action is None or action.team_id != team_id:
        raise UserError("That action no longer exists.")
    return action


def by_number(session: Session, *, team_id: str, text: str) -> ActionItem:
    """The action a command names, `A-12` (or `12`).

    Raises:
        UserError: Not an action number, or no such action.
    """
    match = NUMBER.fullmatch(text.strip())
    if match is None:
        raise UserError(f"“{text}” is not an action: name it by its number, e.g. `A-12`.")
    action = session.scalar(
        select(ActionItem).where(
            ActionItem.team_id == team_id, ActionItem.number == int(match.group(1))
        )
    )
    if action is None:
        raise UserError(f"There is no action A-{int(match.group(1))}.")
    return action


def may_mark_done(session: Session, *, action: ActionItem, person: Person) -> bool:
    """The owner, its creator, the chair of its meeting and PMO admins (never guests)."""
    if person.is_restricted:
        return False
    if person.user_id in (action.owner_id, action.created_by):
        return True
    meeting = session.get(Meeting, action.meeting_id) if action.meeting_id else None
    if meeting is not None and meeting.chair_id == person.user_id:
        return True
    return is_pmo_admin(session, person=person)


def require_may_change(
    session: Session, *, action: ActionItem, person: Person, doing: str = "mark"
) -> None:
    """Refuse whoever may not mark the action done (nor change it).

    Raises:
        PermissionDenied: Not the owner, its creator, the chair of its meeting or an admin.
    """
    if not may_mark_done(session, action=action, person=person):
        what = f"mark A-{action.number} done" if doing == "mark" else f"change A-{action.number}"
        raise PermissionDenied(
            f"Only the owner <@{action.owner_id}>, <@{action.created_by}> who added it, the "
            f"meeting's chair or a PMO admin can {what}."
        )


def done_already(session: Session, *, action: ActionItem, person: Person) -> bool:
    """Whether `action` is done already, told to someone who may mark it done (`actions
    done` typed twice is information, not an error).

    Raises:
        PermissionDenied: `person` may not mark it done.
    """
    if action.state != ActionState.DONE:
        return False
    require_may_change(session, action=action, person=person)
    return True


def mark_done(session: Session, *, action: ActionItem, actor: Person, now: datetime) -> ActionItem:
    """Mark an open action done (the first click wins) and edit the DMs about it.

    Raises:
        PermissionDenied: `actor` may not.
        UserError: It was done already (by whom).
    """
    require_may_change(session, action=action, person=actor)
    changed = session.execute(
        update(ActionItem)
        .where(ActionItem.id == action.id, ActionItem.state == ActionState.OPEN)
        .values(state=ActionState.DONE, done_at=now, done_by=actor.user_id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(action)
    if not changed:
        by = f" by <@{action.done_by}>" if action.done_by else ""
        raise UserError(f"A-{action.number} was already done{by}; nothing was changed.")
    audit.record(
        session,
        action,
        actor_id=actor.user_id,
        action="done",
        now=now,
        before={"state": ActionState.OPEN},
        after={"state": ActionState.DONE},
    )
    payload = render.action_done(records.line_of(session, action))
    keys = [created_key(action), *(_reminder_key(kind, action) for kind in KINDS)]
    replace_dms(session, team_id=action.team_id, keys=keys, payload=payload, now=now)
    return action


def replace_dms(
    session: Session, *, team_id: str, keys: Sequence[str], payload: dict[str, Any], now: datetime
) -> int:
    """Edit in place the messages queued under `keys` that were sent (or are being sent);
    withdraw those still waiting (for the recipient's hours). How many edits were queued."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.dedupe_key.in_(keys),
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.channel).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.dedupe_key.in_(keys),
            OutboxMessage.state.in_((OutboxState.SENT, OutboxState.SENDING)),
        )
    ).all()
    for key, channel in rows:
        outbox.enqueue(
            session,
            team_id=team_id,
            key=f"edit:{key}",
            channel=channel,
            now=now,
            payload=payload | {outbox.UPDATE_OF: key},
        )
    return len(rows)
