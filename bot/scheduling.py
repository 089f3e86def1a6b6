"""A program's status slots: when the next one is due, and the jobs each slot brings.

The slot materialiser (`schedules.slots`) turns due slots into jobs; this module says when a
program's slots fall and what each brings, and inserts one-off jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import notify
from bot.cadence import Cadence, Schedule, next_due, parse_cadence, previous_due, slot_local
from storage.db import insert_once
from storage.models import Person, Program, ScheduledJob, Workspace

# The reminder goes this long before the overdue time when half the grace falls too late.
REMINDER_LEAD = timedelta(hours=1)


class SlotJob(NamedTuple):
    """One job a slot brings: its kind, and when it is due."""

    kind: str
    due_at: datetime


def cadence_of(program: Program) -> Cadence:
    """The program's parsed cadence."""
    return parse_cadence(program.cadence)


def reschedule(program: Program, *, now: datetime, default_tz: str = "UTC") -> None:
    """Set the next slot strictly after `now` (after add, edit, resume or a zone change)."""
    if program.state != "active":
        program.next_due_at = None
        return
    program.next_due_at = next_due(
        cadence_of(program),
        after=now,
        tz=program.timezone or default_tz,
        anchor=program.start_date,
    )


def slot_local_date(program: Program, slot: datetime, workspace: Workspace) -> date:
    """The slot's local date, as people read it."""
    return slot_local(slot, program.timezone or workspace.timezone).date()


def previous_slot(program: Program, slot: datetime, workspace: Workspace) -> datetime | None:
    """The slot before `slot`, which opens the period `slot` closes."""
    return previous_due(
        cadence_of(program),
        before=slot - timedelta(seconds=1),
        tz=program.timezone or workspace.timezone,
        anchor=program.start_date,
    )


def slot_schedule(session: Session, program: Program) -> Schedule:
    """When the program's status slots fall, for the slot materialiser.

    Raises:
        LookupError: The program's workspace is gone.
    """
    workspace = _workspace_of(session, program)
    return Schedule(
        cadence_of(program), program.timezone or workspace.timezone, anchor=program.start_date
    )


class Deadlines(NamedTuple):
    """When a slot's reminder goes (None: no time for one) and when its update is overdue."""

    reminder: datetime | None
    overdue: datetime


def deadlines(
    session: Session, program: Program, slot: datetime, workspace: Workspace
) -> Deadlines:
    """A slot's reminder and overdue times, in the owner's working calendar.

    Grace runs from when the owner is asked (the slot, or when their message hours next open)
    and counts only their working days: a Friday 10:00 slot with 24 h is overdue on Monday
    10:00; one on a holiday morning counts from the next working morning. The reminder goes
    after half the grace, moved into the owner's message hours and always before the overdue
    time; when no message hours fall between the prompt and the overdue time there is none.
    """
    calendar = notify.calendar_of(
        session, workspace=workspace, user_id=program.owner_id, zone=program.timezone
    )
    grace = timedelta(hours=workspace.grace_hours)
    asked = calendar.next_window_start(slot)
    overdue = calendar.add_working(asked, grace)
    reminder = calendar.next_window_start(calendar.add_working(asked, grace / 2))
    if reminder >= overdue:
        reminder = calendar.last_hours_before(overdue, margin=REMINDER_LEAD)
    if reminder <= asked or reminder >= overdue:
        return Deadlines(None, overdue)
    return Deadlines(reminder, overdue)


def overdue_at(
    session: Session, program: Program, slot: datetime, workspace: Workspace
) -> datetime:
    """When an update for `slot` is overdue: the slot plus grace in the owner's working time."""
    return deadlines(session, program, slot, workspace).overdue


def slot_jobs(session: Session, program: Program, slot: datetime) -> list[SlotJob]:
    """The jobs one status slot brings: prompt at the slot, then reminder and overdue."""
    reminder, overdue = deadlines(session, program, slot, _workspace_of(session, program))
    jobs = [SlotJob("prompt", slot), SlotJob("overdue", overdue)]
    if reminder is not None:
        jobs.insert(1, SlotJob("reminder", reminder))
    return jobs


def preload(session: Session, programs: Sequence[Program]) -> list[object]:
    """The workspaces and owners of many programs, in two queries, for the slot materialiser
    (`slot_schedule` and `slot_jobs` then find them in the session)."""
    teams = {program.team_id for program in programs}
    owners = {program.owner_id for program in programs}
    found: list[object] = list(
        session.scalars(select(Workspace).where(Workspace.team_id.in_(teams)))
    )
    found += session.scalars(
        select(Person).where(Person.team_id.in_(teams), Person.user_id.in_(owners))
    )
    return found


def _workspace_of(session: Session, program: Program) -> Workspace:
    workspace = session.get(Workspace, program.team_id)
    if workspace is None:
        raise LookupError(f"program {program.id} has no workspace")
    return workspace


def add_job(session: Session, *, job: ScheduledJob) -> bool:
    """Insert a job unless one with its (kind, target, period) exists; whether it was new.

    The unique constraint decides, so two dispatchers reaching the same slot create it once.
    """
    return insert_once(session, job)
