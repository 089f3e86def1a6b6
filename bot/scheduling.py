"""A program's status slots: when the next one is due, and the jobs each slot brings.

The slot materialiser (`schedules.slots`) turns due slots into jobs; this module says when a
program's slots fall and what each brings, and inserts one-off jobs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from bot.cadence import Cadence, Schedule, next_due, parse_cadence, previous_due, slot_local
from storage.db import insert_once
from storage.models import Program, ScheduledJob, Workspace

# The jobs of one status slot, and when each is due after the slot, in grace periods.
SLOT_JOBS = (("prompt", 0.0), ("reminder", 0.5), ("overdue", 1.0))


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


def slot_jobs(session: Session, program: Program, slot: datetime) -> list[SlotJob]:
    """The jobs one status slot brings: prompt at the slot, then reminder and overdue."""
    grace = timedelta(hours=_workspace_of(session, program).grace_hours)
    return [SlotJob(kind, slot + grace * share) for kind, share in SLOT_JOBS]


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
