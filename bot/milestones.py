"""Milestones: dated checkpoints of a program."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit, limits, programs
from bot.errors import UserError
from bot.status import program_flags
from storage.models import Milestone, Person, Program, Workspace
from storage.types import ProgramState


def add_milestone(
    session: Session,
    *,
    program: Program,
    actor_id: str,
    name: str,
    due: date,
    now: datetime,
    workspace: Workspace | None = None,
) -> Milestone:
    """Add a milestone; names are unique within a program (case-insensitive)."""
    name = " ".join(name.split())
    if not name:
        raise UserError("Give the milestone a name in quotes.")
    limits.check(limits.MILESTONE, name)
    if _find(session, program=program, name=name) is not None:
        raise UserError(f"*{program.name}* already has a milestone “{name}”.")
    milestone = Milestone(
        team_id=program.team_id,
        program_id=program.id,
        name=name,
        due_date=due,
        created_by=actor_id,
        created_at=now,
    )
    session.add(milestone)
    session.flush()
    audit.record(
        session,
        milestone,
        actor_id=actor_id,
        action="add",
        now=now,
        after={"program_id": program.id, "name": name, "due_date": due},
    )
    if workspace is not None:  # MILESTONE_LATE and RAG_MISMATCH depend on milestones
        program_flags.refresh(
            session, program=program, now=now, workspace=workspace, actor_id=actor_id
        )
    return milestone


def complete_milestone(
    session: Session,
    *,
    program: Program,
    actor_id: str,
    name: str,
    now: datetime,
    workspace: Workspace | None = None,
) -> Milestone:
    """Mark a milestone done; done twice is refused, saying when it was done."""
    milestone = _find(session, program=program, name=name)
    if milestone is None:
        names = ", ".join(f"“{m.name}”" for m in milestones_of(session, program_id=program.id))
        hint = f" Its milestones: {names}." if names else " It has no milestones yet."
        raise UserError(f"*{program.name}* has no milestone “{name}”.{hint}")
    if milestone.done_at is not None:
        raise UserError(f"“{milestone.name}” was already marked done.")
    milestone.done_at, milestone.done_by = now, actor_id
    audit.record(
        session,
        milestone,
        actor_id=actor_id,
        action="done",
        now=now,
    )
    if workspace is not None:  # MILESTONE_LATE and RAG_MISMATCH depend on milestones
        program_flags.refresh(
            session, program=program, now=now, workspace=workspace, actor_id=actor_id
        )
    return milestone


def milestones_of(session: Session, *, program_id: int) -> list[Milestone]:
    """A program's milestones by due date."""
    query = select(Milestone).where(Milestone.program_id == program_id)
    return list(session.scalars(query.order_by(Milestone.due_date, Milestone.id)))


def due_between(
    session: Session, *, team_id: str, first: date, last: date, limit: int = 30
) -> list[tuple[Milestone, Program]]:
    """Open milestones of live programs due from `first` to `last`, soonest first."""
    rows = session.execute(
        select(Milestone, Program)
        .join(Program, Program.id == Milestone.program_id)
        .where(
            Milestone.team_id == team_id,
            Milestone.done_at.is_(None),
            Milestone.due_date >= first,
            Milestone.due_date <= last,
            Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
        )
        .order_by(Milestone.due_date, Milestone.id)
        .limit(limit)
    )
    return list(rows.tuples())


def _find(session: Session, *, program: Program, name: str) -> Milestone | None:
    query = select(Milestone).where(
        Milestone.program_id == program.id,
        func.lower(Milestone.name) == " ".join(name.split()).lower(),
    )
    return session.scalar(query)


def add_by(
    session: Session,
    *,
    program: Program,
    actor: Person,
    name: str,
    due: date,
    now: datetime,
    workspace: Workspace,
) -> Milestone:
    """`milestone add`: owner, delegate or admin."""
    programs.require_update(session, program=program, person=actor, doing="add milestones to")
    return add_milestone(
        session,
        program=program,
        actor_id=actor.user_id,
        name=name,
        due=due,
        now=now,
        workspace=workspace,
    )


def complete_by(
    session: Session,
    *,
    program: Program,
    actor: Person,
    name: str,
    now: datetime,
    workspace: Workspace,
) -> Milestone:
    """`milestone done`: owner, delegate or admin."""
    programs.require_update(session, program=program, person=actor, doing="complete milestones of")
    return complete_milestone(
        session, program=program, actor_id=actor.user_id, name=name, now=now, workspace=workspace
    )
