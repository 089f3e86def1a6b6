"""Recompute a program's flags after every change; announce the alerting transitions once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import bot.status.flag_alerts as flag_alerts
import bot.status.flags as flags
from bot import notify, programs
from bot.blocks import alerts
from storage.models import FlagTransition, Milestone, Program, RaidItem, StatusUpdate, Workspace
from storage.types import Flag, RaidState

BLOCKER_RUN_LOOKBACK = 30


def _recent_updates(session: Session, *, program_id: int) -> list[StatusUpdate]:
    """The updates a run of blockers is counted over, newest first."""
    return list(
        session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.program_id == program_id)
            .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
            .limit(BLOCKER_RUN_LOOKBACK)
        )
    )


def _open_items(session: Session, *, program_id: int) -> tuple[list[Any], list[Any]]:
    """The program's open milestones (by due date) and open RAID items (highest score first)."""
    milestones = session.execute(
        select(Milestone.name, Milestone.due_date)
        .where(Milestone.program_id == program_id, Milestone.done_at.is_(None))
        .order_by(Milestone.due_date)
    ).all()
    raid = session.execute(
        select(RaidItem.title, RaidItem.kind, RaidItem.score, RaidItem.due_date, RaidItem.blocking)
        .where(RaidItem.program_id == program_id, RaidItem.state == RaidState.OPEN)
        .order_by(RaidItem.score.desc().nulls_last(), RaidItem.id)
    ).all()
    return list(milestones), list(raid)


def load_facts(
    session: Session,
    *,
    program: Program,
    workspace: Workspace,
    now: datetime,
    overdue: str | None = None,
    stale: str | None = None,
) -> flags.Facts:
    """What the flags depend on, in three queries whatever the program's history."""
    tz = program.timezone or workspace.timezone
    updates = _recent_updates(session, program_id=program.id)
    milestones, raid = _open_items(session, program_id=program.id)
    return flags.Facts(
        state=program.state,
        tz=tz,
        target_date=program.target_date,
        today=now.astimezone(ZoneInfo(tz)).date(),
        latest=_latest(updates[0] if updates else None),
        blockers_since=_blockers_since(updates),
        milestones=tuple(flags.OpenMilestone(m.name, m.due_date) for m in milestones),
        open_raid=tuple(flags.OpenRaid(*r) for r in raid),
        overdue=overdue,
        stale=stale,
    )


SCHEDULED = (Flag.OVERDUE_UPDATE, Flag.STALE)


def refresh(
    session: Session,
    *,
    program: Program,
    now: datetime,
    workspace: Workspace,
    update_received: bool = False,
    scheduled: dict[str, str | None] | None = None,
    actor_id: str | None = None,
    owner_asked: bool = True,
) -> None:
    """Recompute and store the flags; record and alert alerting flags raised or cleared.

    OVERDUE_UPDATE and STALE come from the scheduler (`scheduled`, which knows the cadence);
    other changes keep them, and a received update clears them. `actor_id` caused the change
    (None: the scheduler) and is not DMed about it; #pmo gets one message (see flag_alerts).
    """
    programs.lock(session, program=program)  # two changes at once must not both see the old flags
    current = {} if update_received else program.flags or {}
    kept: dict[str, str] = {code: current[code] for code in SCHEDULED if code in current}
    if scheduled is not None:
        kept = {code: reason for code, reason in scheduled.items() if reason}
    facts = load_facts(
        session,
        program=program,
        workspace=workspace,
        now=now,
        overdue=kept.get(Flag.OVERDUE_UPDATE),
        stale=kept.get(Flag.STALE),
    )
    store(
        session,
        program=program,
        found=flags.compute(facts, now),
        recheck_at=flags.next_recheck(facts, now),
        now=now,
        workspace=workspace,
        actor_id=actor_id,
        owner_asked=owner_asked,
    )


def store(
    session: Session,
    *,
    program: Program,
    found: dict[str, str],
    recheck_at: datetime | None,
    now: datetime,
    workspace: Workspace,
    actor_id: str | None = None,
    owner_asked: bool = True,
) -> None:
    """Save the flags and record the alerting transitions: one message to the PMO channel for
    all of them (or, in a scheduler pass, a part of the pass's summary), and one DM to the
    owner, unless the owner caused it (`actor_id`) or was never asked (`owner_asked` False:
    the slot's prompt never went out, say while the bot was down)."""
    before = dict(program.flags or {})
    raised, cleared = flags.changes(before, found)
    program.flags = found
    program.flag_count = len(found)
    program.flags_recheck_at = recheck_at
    changes = [flag_alerts.Change(code, True, found[code]) for code in raised]
    changes += [flag_alerts.Change(code, False, before[code]) for code in cleared]
    if not changes:
        return
    rows = flag_alerts.record(session, program=program, changes=changes, now=now)
    flag_alerts.announce_now(
        session, program=program, rows=rows, workspace=workspace, now=now, actor_id=actor_id
    )
    # The owner is not told they are overdue on a request that never reached them.
    quiet = {actor_id, None if owner_asked else program.owner_id}
    _tell_people(session, program=program, rows=rows, workspace=workspace, now=now, quiet=quiet)


def _told(session: Session, *, program: Program, change: flag_alerts.Change) -> list[str]:
    """Who hears of a flag change by DM: the owner, and the sponsor when it goes stale."""
    people = [program.owner_id]
    if change.code == Flag.STALE and change.raised and program.sponsor_id:
        people.append(program.sponsor_id)
    return [u for u in people if notify.may_hear(session, team_id=program.team_id, user_id=u)]


def _tell_people(
    session: Session,
    *,
    program: Program,
    rows: list[FlagTransition],
    workspace: Workspace,
    now: datetime,
    quiet: set[str | None],
) -> None:
    """One DM per person told, in their hours, with all their changes; never the `quiet`
    (whoever caused them: the receipt told them), nor someone who muted flag alerts."""
    heard: dict[str, list[flag_alerts.Change]] = {}
    for row in rows:
        change = flag_alerts.Change(row.flag, row.raised, row.reason)
        for user_id in _told(session, program=program, change=change):
            if user_id not in quiet:
                heard.setdefault(user_id, []).append(change)
    for user_id, changes in heard.items():
        notify.direct_message(
            session,
            workspace=workspace,
            user_id=user_id,
            now=now,
            key=f"flag:{rows[0].id}:{user_id}",
            payload=alerts.change_alert(program, changes),
            kind="flags",
        )


def _latest(update: StatusUpdate | None) -> flags.LatestUpdate | None:
    if update is None:
        return None
    return flags.LatestUpdate(
        rag=update.rag,
        blockers=update.blockers,
        path_to_green=update.path_to_green,
        recovery_date=update.recovery_date,
    )


def _blockers_since(updates: list[StatusUpdate]) -> datetime | None:
    """When the unbroken run of updates naming blockers (newest first) began."""
    since = None
    for update in updates:
        if not update.blockers:
            break
        since = update.created_at
    return since
