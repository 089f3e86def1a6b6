"""A live call: start a run now with its agenda, close it early, and a speaking order."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.blocks import standups as render
from bot.cadence import slot_local
from bot.errors import UserError
from bot.standups.answers import answers_by_user
from bot.standups.facts import Agenda, AgendaItem, Summary
from bot.standups.manage import require_member
from bot.standups.plans import plan_of
from bot.standups.runs import add_jobs, is_away, open_new_run, open_run
from bot.standups.summary import close_run, run_day
from storage.models import Person, Program, Standup, StandupRun, Workspace
from storage.types import ProgramState

# --- the agenda of a live call -----------------------------------------------------------------


def agenda(session: Session, *, standup: Standup) -> Agenda:
    """The agenda from the latest run's answers and the one before it."""
    runs = _latest_runs(session, standup=standup, count=2)
    latest = answers_by_user(session, run=runs[0]) if runs else {}
    earlier = answers_by_user(session, run=runs[1]) if len(runs) > 1 else {}
    since = run_day(runs[1], standup) if len(runs) > 1 else None
    blockers = [
        AgendaItem(u, a.blockers, since if earlier.get(u) and earlier[u].blockers else None)
        for u, a in latest.items()
        if a.blockers
    ]
    # A blocker from last time stays on the agenda until its owner answers without one.
    carried = [
        AgendaItem(u, a.blockers, since)
        for u, a in earlier.items()
        if a.blockers and u not in latest
    ]
    return Agenda(
        channel_id=standup.channel_id,
        day=run_day(runs[0], standup) if runs else None,
        blockers=blockers,
        red=_red_programs(session, standup=standup),
        carried=carried,
    )


def _latest_runs(session: Session, *, standup: Standup, count: int) -> list[StandupRun]:
    query = (
        select(StandupRun)
        .where(StandupRun.standup_id == standup.id)
        .order_by(StandupRun.opened_at.desc(), StandupRun.id.desc())
        .limit(count)
    )
    return list(session.scalars(query))


def _red_programs(session: Session, *, standup: Standup) -> list[Program]:
    query = (
        select(Program)
        .where(
            Program.team_id == standup.team_id,
            Program.owner_id.in_(list(standup.participants)),
            Program.state == ProgramState.ACTIVE,
            Program.rag == "red",
        )
        .order_by(Program.name)
        .limit(20)
    )
    return list(session.scalars(query))


# --- live: start now, close now, speaking order --------------------------------------------


@dataclass(frozen=True)
class Started:
    """A live run just opened, and the agenda its start message carries."""

    run: StandupRun
    agenda: Agenda


def start_live(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> Started:
    """Run a stand-up now: ask everyone, post the agenda, close after the usual window.

    Raises:
        UserError: One is open already.
    """
    require_member(session, standup=standup, person=actor)
    running = open_run(session, standup=standup)
    if running is not None:
        raise UserError(
            f"A stand-up is already open in <#{standup.channel_id}>; end it with "
            f"`/pmo standup close <#{standup.channel_id}>`."
        )
    plan_agenda = agenda(session, standup=standup)
    closes = now + plan_of(standup).window
    period = "live:" + slot_local(now, standup.timezone).isoformat(timespec="seconds")
    run = open_new_run(
        session,
        standup=standup,
        period=period,
        closes=closes,
        live=True,
        now=now,
        workspace=workspace,
    )
    add_jobs(session, standup=standup, period=period, opens=now, closes=closes, with_open=False)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-live:{run.id}",
        channel=standup.channel_id,
        now=now,
        payload=render.live_message(plan_agenda, actor_id=actor.user_id, closes_at=closes),
    )
    return Started(run=run, agenda=plan_agenda)


def close_now(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> Summary:
    """Close the open run before its time and post its summary.

    Raises:
        UserError: No run is open.
    """
    require_member(session, standup=standup, person=actor)
    run = open_run(session, standup=standup)
    summary = None
    if run is not None:
        summary = close_run(session, standup=standup, run=run, now=now, workspace=workspace)
    if summary is None:
        raise UserError(
            f"No stand-up is open in <#{standup.channel_id}>. Start one with "
            f"`/pmo standup start <#{standup.channel_id}>`."
        )
    return summary


def speaking_order(
    session: Session, *, standup: Standup, now: datetime, workspace: Workspace
) -> tuple[list[str], list[str]]:
    """A random order of the participants present, and those out of office.

    The shuffle is seeded by the latest run, so asking again in one meeting gives the same order.
    """
    latest = _latest_runs(session, standup=standup, count=1)
    away = [
        u
        for u in standup.participants
        if is_away(session, standup=standup, user_id=u, now=now, workspace=workspace)
    ]
    present = [u for u in standup.participants if u not in away]
    seed = f"standup-order:{standup.id}:{latest[0].id if latest else 0}"
    random.Random(seed).shuffle(present)
    return present, away


def post_order(
    session: Session, *, standup: Standup, actor: Person, now: datetime, workspace: Workspace
) -> list[str]:
    """Post the speaking order in the stand-up's channel; returns it."""
    require_member(session, standup=standup, person=actor)
    order, away = speaking_order(session, standup=standup, now=now, workspace=workspace)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-order:{standup.id}:{actor.user_id}:{now.isoformat()}",
        channel=standup.channel_id,
        now=now,
        payload=render.order_message(standup.channel_id, order=order, away=away),
    )
    return order
