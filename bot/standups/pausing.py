"""Pausing a stand-up nobody answers, and resuming it.

A scheduled run that asked someone and got no answer counts; a run with any answer starts the
count afresh. The third unanswered run in a row pauses the stand-up (no run opens until it is
resumed) and DMs its facilitator once, with a *Resume* button. Counting happens when a run
closes, which happens once, so repeated passes and restarts neither count twice nor DM twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import audit, notify
from bot.blocks import standups as render
from bot.cadence import next_due
from bot.errors import UserError
from bot.standups.manage import require_manage
from bot.standups.plans import plan_of
from storage.models import Person, Standup, StandupRun, Workspace

PAUSE_AFTER = 3  # unanswered scheduled runs in a row
SYSTEM_ACTOR = "pmo-bot"  # the audit actor of a pause, which time makes


def count_run(
    session: Session, *, standup: Standup, run: StandupRun, answered: bool, now: datetime
) -> None:
    """Count a run that just closed; pause the stand-up at the third unanswered one."""
    if answered:
        standup.unanswered_runs = 0
        return
    if run.live or not _asked_anyone(run, standup):
        return
    standup.unanswered_runs += 1
    if standup.unanswered_runs >= PAUSE_AFTER and _active(standup):
        _pause(session, standup=standup, run=run, now=now)


def _asked_anyone(run: StandupRun, standup: Standup) -> bool:
    if run.asked_at is not None:
        return bool(run.asked_at)
    return any(u not in run.skipped for u in standup.participants)


def _active(standup: Standup) -> bool:
    return standup.paused_at is None and standup.removed_at is None


def _pause(session: Session, *, standup: Standup, run: StandupRun, now: datetime) -> None:
    standup.paused_at = now
    standup.next_due_at = None
    audit.record(
        session,
        standup,
        actor_id=SYSTEM_ACTOR,
        action="pause",
        now=now,
        after={"unanswered_runs": standup.unanswered_runs},
    )
    workspace = session.get(Workspace, standup.team_id)
    assert workspace is not None
    notify.direct_message(
        session,
        workspace=workspace,
        user_id=standup.facilitator_id,
        now=now,
        key=f"standup-paused:{standup.id}:{run.id}",
        payload=render.paused_message(standup, runs=standup.unanswered_runs),
        purpose=f"standup:{standup.id}",
    )


def resume(
    session: Session, *, team_id: str, standup_id: int, actor: Person, now: datetime
) -> tuple[Standup, bool]:
    """Resume a paused stand-up (its facilitator or a PMO admin); it counts afresh.

    Returns:
        The stand-up, and whether it was paused (False: running already, a second click).

    Raises:
        UserError: No such stand-up here, or it was cancelled.
        PermissionDenied: Neither its facilitator nor a PMO admin.
    """
    standup = session.get(Standup, standup_id)
    if standup is None or standup.team_id != team_id or standup.removed_at is not None:
        raise UserError("That stand-up no longer exists.")
    require_manage(session, standup=standup, person=actor)
    resumed = session.execute(
        update(Standup)
        .where(Standup.id == standup.id, Standup.paused_at.is_not(None))
        .values(paused_at=None, unanswered_runs=0)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(standup)
    if not resumed:
        return standup, False
    plan = plan_of(standup)
    standup.next_due_at = next_due(plan.cadence, after=now, tz=plan.slot_timezone)
    audit.record(session, standup, actor_id=actor.user_id, action="resume", now=now)
    return standup, True
