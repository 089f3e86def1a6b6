"""When each participant of a run is asked, in their working time, or why they are not.

A run opens at one instant and closes at one instant. Each participant's question goes out at
their *ask time*: the opening (or, for a `local` stand-up, the opening time on their own clock
on the stand-up's day), moved to the start of their next message window when it falls outside
it. Nobody is asked after the close: who would be, or is out of office, is skipped with a
reason the summary lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from bot import working_time
from bot.cadence import previous_due, slot_local
from bot.notify import is_out_of_office
from bot.standups.facts import SkipReason
from bot.standups.plans import Plan, plan_of
from storage.models import Person, Standup, StandupRun, Workspace


class Ask(NamedTuple):
    """One participant's turn in a run: asked at `at`, or skipped for `skipped`."""

    user_id: str
    at: datetime | None
    skipped: SkipReason | None = None


SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def wall(day: date, at: time, tz: str) -> datetime:
    """A local date and time as a UTC instant; a time DST skips reads as the gap's end, as
    cadences and working calendars read it."""
    return working_time.WorkingTime(tz=tz).at(day, at)


def slot_day(plan: Plan, slot: datetime) -> date:
    """The stand-up's local date of the run whose slot is `slot`."""
    return slot_local(slot, plan.slot_timezone).date()


def scheduled_close(plan: Plan, slot: datetime) -> datetime:
    """When the run of `slot` closes: the close time on its day, in the stand-up's zone."""
    if not plan.local:
        return slot + plan.window
    return wall(slot_day(plan, slot), plan.closes, plan.timezone)


def scheduled_open(
    session: Session, *, standup: Standup, slot: datetime, workspace: Workspace
) -> datetime:
    """When the run of `slot` opens: at the slot, or for a `local` stand-up at the earliest
    participant's opening time that day (at the latest, at the opening in its own zone)."""
    plan = plan_of(standup)
    if not plan.local:
        return slot
    day = slot_day(plan, slot)
    own = wall(day, plan.opens, plan.timezone)
    theirs = [
        wall(day, plan.opens, _calendar(session, standup, user_id, workspace).tz)
        for user_id in standup.participants
    ]
    opens = max(slot, min([own, *theirs]))
    # Participants a day apart (Tokyo and Los Angeles) can reach the next day's opening before
    # the last run closes: then the run opens just after that close, and nobody loses a day.
    previous = previous_due(plan.cadence, before=slot - SECOND, tz=plan.slot_timezone)
    if previous is not None:
        opens = max(opens, scheduled_close(plan, previous) + MINUTE)
    return opens


def plan_asks(
    session: Session,
    *,
    standup: Standup,
    participants: Sequence[str],
    day: date | None,
    now: datetime,
    closes: datetime,
    workspace: Workspace,
) -> list[Ask]:
    """Each participant's ask time in a run opening `now`, or why they are skipped.

    Args:
        day: For a `local` run, the stand-up's day: each is asked at the opening time on
            their own clock that day. None: each is asked from `now`.
    """
    return [
        _ask(session, standup=standup, user_id=u, day=day, now=now, closes=closes, ws=workspace)
        for u in participants
    ]


def _ask(
    session: Session,
    *,
    standup: Standup,
    user_id: str,
    day: date | None,
    now: datetime,
    closes: datetime,
    ws: Workspace,
) -> Ask:
    person = session.get(Person, (standup.team_id, user_id))
    calendar = working_time.for_person(person, ws)
    wanted = now if day is None else max(now, wall(day, _opens(standup), calendar.tz))
    if person is not None and is_out_of_office(person, now=wanted, workspace=ws):
        return Ask(user_id, None, SkipReason.OUT_OF_OFFICE)
    if wanted >= closes:
        return Ask(user_id, None, SkipReason.AFTER_CLOSE)
    at = calendar.next_window_start(wanted)
    if at < closes:
        return Ask(user_id, at)
    working = calendar.is_working_day(calendar.local(wanted).date())
    return Ask(user_id, None, SkipReason.OUTSIDE_HOURS if working else SkipReason.NOT_WORKING_DAY)


def _opens(standup: Standup) -> time:
    return plan_of(standup).opens


def _calendar(
    session: Session, standup: Standup, user_id: str, workspace: Workspace
) -> working_time.WorkingTime:
    return working_time.for_person(session.get(Person, (standup.team_id, user_id)), workspace)


def asked_before(run: StandupRun, *, now: datetime) -> set[str] | None:
    """Who of a run was asked before `now` (not at it: a question and its reminder never go
    out together); None for runs from before ask times were kept."""
    if run.asked_at is None:
        return None
    return {u for u, at in run.asked_at.items() if datetime.fromisoformat(at) < now}


def skip_reasons(run: StandupRun) -> list[tuple[str, SkipReason]]:
    """Who was not asked in a run, and why (runs before reasons were kept: out of office)."""
    reasons = run.skip_reasons or {}
    return [(u, SkipReason(reasons.get(u, SkipReason.OUT_OF_OFFICE))) for u in run.skipped]
