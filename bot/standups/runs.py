"""Runs: each due opening brings three jobs (open, remind, close), and the jobs run.

A run asks each participant by DM at their ask time (`timing`: in their working time, at
their own opening time for a `local` stand-up; the DM waits in the outbox until then), skips
whoever cannot be asked before it closes, and reminds who was asked and has not answered 30
minutes before it closes. Each job is unique by (kind, stand-up, period), so each happens once;
a paused stand-up opens no run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox, scheduling
from bot.blocks import standups as render
from bot.cadence import Schedule
from bot.notify import is_out_of_office
from bot.scheduling import SlotJob
from bot.standups.answers import ask_key, missing, remind_key
from bot.standups.plans import plan_of
from bot.standups.summary import close_run
from bot.standups.timing import (
    Ask,
    asked_before,
    plan_asks,
    scheduled_close,
    scheduled_open,
    slot_day,
)
from bot.status.prompts import CATCH_UP
from storage.models import Person, ScheduledJob, Standup, StandupRun, Workspace
from storage.types import JobState, StandupRunState

REMIND_BEFORE = timedelta(minutes=30)
OPEN, REMIND, CLOSE = "standup_open", "standup_remind", "standup_close"
JOB_KINDS = (OPEN, REMIND, CLOSE)


def slot_schedule(session: Session, standup: Standup) -> Schedule | None:
    """When a stand-up opens, for the slot materialiser; None once cancelled."""
    if standup.removed_at is not None or standup.paused_at is not None:
        return None
    plan = plan_of(standup)
    return Schedule(plan.cadence, plan.slot_timezone)


def slot_jobs(session: Session, standup: Standup, slot: datetime) -> list[SlotJob]:
    """The open, remind and close jobs of the run of `slot`."""
    workspace = session.get(Workspace, standup.team_id)
    assert workspace is not None
    opens = scheduled_open(session, standup=standup, slot=slot, workspace=workspace)
    return _run_jobs(opens=opens, closes=scheduled_close(plan_of(standup), slot))


def add_jobs(
    session: Session,
    *,
    standup: Standup,
    period: str,
    opens: datetime,
    closes: datetime,
    with_open: bool = True,
) -> None:
    """The jobs of one run outside the schedule (a live one), each unique by (kind, period)."""
    for kind, at in _run_jobs(opens=opens, closes=closes, with_open=with_open):
        job = ScheduledJob(
            team_id=standup.team_id,
            kind=kind,
            target_id=standup.id,
            period=period,
            slot_at=opens,
            due_at=at,
            state=JobState.PENDING,
        )
        scheduling.add_job(session, job=job)


def _run_jobs(*, opens: datetime, closes: datetime, with_open: bool = True) -> list[SlotJob]:
    jobs = [SlotJob(OPEN, opens)] if with_open else []
    if closes - REMIND_BEFORE > opens:
        jobs.append(SlotJob(REMIND, closes - REMIND_BEFORE))
    jobs.append(SlotJob(CLOSE, closes))
    return jobs


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Open, remind or close one run inside the caller's transaction; says what happened."""
    standup = session.get(Standup, job.target_id)
    if standup is None:
        return "skipped: no such stand-up"
    if job.kind == OPEN:
        return _open_scheduled(session, standup=standup, job=job, now=now, workspace=workspace)
    run = session.scalar(
        select(StandupRun).where(
            StandupRun.standup_id == standup.id, StandupRun.period == job.period
        )
    )
    if run is None:
        return "skipped: the run never opened"
    if job.kind == REMIND:
        return _remind(session, standup=standup, run=run, now=now)
    summary = close_run(session, standup=standup, run=run, now=now, workspace=workspace)
    return "skipped: closed already" if summary is None else "summary posted"


def _open_scheduled(
    session: Session, *, standup: Standup, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    plan = plan_of(standup)
    closes = scheduled_close(plan, job.slot_at)
    if now - job.due_at > CATCH_UP or now >= closes:
        return "skipped: missed while the bot was down"
    if standup.removed_at is not None:
        return "skipped: stand-up cancelled"
    if standup.paused_at is not None:
        return "skipped: stand-up paused"
    if open_run(session, standup=standup) is not None:
        return "skipped: another run is still open"
    run = open_new_run(
        session,
        standup=standup,
        period=job.period,
        closes=closes,
        live=False,
        now=now,
        workspace=workspace,
        day=slot_day(plan, job.slot_at) if plan.local else None,
    )
    return f"asked {len(standup.participants) - len(run.skipped)}, skipped {len(run.skipped)}"


def open_new_run(
    session: Session,
    *,
    standup: Standup,
    period: str,
    closes: datetime,
    live: bool,
    now: datetime,
    workspace: Workspace,
    day: date | None = None,
) -> StandupRun:
    """Create a run and queue its questions, each for its participant's ask time.

    Args:
        day: For a `local` run, the stand-up's day (each is asked at the opening time on their
            own clock); None asks each from `now`, inside their working time.
    """
    asks = plan_asks(
        session,
        standup=standup,
        participants=standup.participants,
        day=day,
        now=now,
        closes=closes,
        workspace=workspace,
    )
    run = StandupRun(
        team_id=standup.team_id,
        standup_id=standup.id,
        period=period,
        opened_at=now,
        closes_at=closes,
        state=StandupRunState.OPEN,
        live=live,
        **_outcomes(asks),
    )
    session.add(run)
    session.flush()
    _queue_asks(session, standup=standup, run=run, asks=asks, now=now)
    return run


def _outcomes(asks: list[Ask]) -> dict[str, Any]:
    """A run's columns saying who is asked when, and who is skipped and why."""
    return {
        "skipped": [ask.user_id for ask in asks if ask.at is None],
        "skip_reasons": {ask.user_id: str(ask.skipped) for ask in asks if ask.skipped},
        "asked_at": {ask.user_id: ask.at.isoformat() for ask in asks if ask.at is not None},
    }


def _queue_asks(
    session: Session, *, standup: Standup, run: StandupRun, asks: list[Ask], now: datetime
) -> None:
    """Each asked participant's question, held in the outbox until their ask time."""
    payload = render.ask_message(standup, run_id=run.id, closes_at=run.closes_at)
    for ask in asks:
        if ask.at is not None:
            _dm(
                session,
                standup=standup,
                user_id=ask.user_id,
                key=ask_key(run.id, ask.user_id),
                now=now,
                payload=payload,
                not_before=ask.at if ask.at > now else None,
            )


def is_away(
    session: Session, *, standup: Standup, user_id: str, now: datetime, workspace: Workspace
) -> bool:
    """Whether a participant is out of office now, so is not asked."""
    person = session.get(Person, (standup.team_id, user_id))
    return person is not None and is_out_of_office(person, now=now, workspace=workspace)


def _dm(
    session: Session,
    *,
    standup: Standup,
    user_id: str,
    key: str,
    now: datetime,
    payload: dict[str, object],
    not_before: datetime | None = None,
) -> None:
    """A DM sent at once, or held until `not_before` (the ask time worked out for them)."""
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=key,
        channel=user_id,
        payload=payload,
        now=now,
        not_before=not_before,
        purpose=f"standup:{standup.id}",
    )


def _remind(session: Session, *, standup: Standup, run: StandupRun, now: datetime) -> str:
    if run.state != StandupRunState.OPEN or now >= run.closes_at:
        return "skipped: closed already"
    asked = asked_before(run, now=now)
    waiting = [u for u in missing(session, standup=standup, run=run) if asked is None or u in asked]
    payload = render.reminder_message(standup, run_id=run.id, closes_at=run.closes_at)
    for user_id in waiting:
        _dm(
            session,
            standup=standup,
            user_id=user_id,
            key=remind_key(run.id, user_id),
            now=now,
            payload=payload,
        )
    return f"reminded {len(waiting)}"


def open_run(session: Session, *, standup: Standup) -> StandupRun | None:
    """The stand-up's run that is open now, if any."""
    return session.scalar(
        select(StandupRun)
        .where(StandupRun.standup_id == standup.id, StandupRun.state == StandupRunState.OPEN)
        .order_by(StandupRun.opened_at.desc())
        .limit(1)
    )
