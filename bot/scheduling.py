"""A program's status slots: when the next one is due, and the jobs each slot brings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from schedules.cadence import Cadence, next_due, parse_cadence, previous_due, slot_local
from storage.db import insert_once
from storage.models import Program, ScheduledJob, Workspace

# The jobs of one status slot, and when each is due after the slot, in grace periods.
SLOT_JOBS = (("prompt", 0.0), ("reminder", 0.5), ("overdue", 1.0))


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


def period_of(program: Program, slot: datetime, workspace: Workspace) -> str:
    """The slot's local wall time, the key that makes each job of a slot run once."""
    local = slot_local(slot, program.timezone or workspace.timezone)
    return local.isoformat(timespec="minutes")


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


def materialize(session: Session, *, program: Program, workspace: Workspace) -> int:
    """Turn the due slot into its jobs and move `next_due_at` on; returns jobs created.

    Each job is inserted under the (kind, target, period) unique constraint, so two
    dispatchers reaching the same slot create it once.
    """
    slot = program.next_due_at
    assert slot is not None
    period = period_of(program, slot, workspace)
    grace = timedelta(hours=workspace.grace_hours)
    created = 0
    for kind, share in SLOT_JOBS:
        created += _insert_job(
            session,
            ScheduledJob(
                team_id=program.team_id,
                kind=kind,
                target_id=program.id,
                period=period,
                slot_at=slot,
                due_at=slot + grace * share,
                state="pending",
            ),
        )
    program.next_due_at = next_due(
        cadence_of(program),
        after=slot,
        tz=program.timezone or workspace.timezone,
        anchor=program.start_date,
    )
    return created


def _insert_job(session: Session, job: ScheduledJob) -> int:
    return int(insert_once(session, job))


def add_job(session: Session, *, job: ScheduledJob) -> bool:
    """Insert a one-off job (a snooze, say) unless the same one exists."""
    return bool(_insert_job(session, job))
