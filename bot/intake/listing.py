"""Reading intake: the queue, highest score first, and one request in detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.intake.decisions import resurface
from bot.intake.duplicates import find_duplicates
from bot.intake.facts import Duplicate, IntakePage
from bot.intake.filing import find_request
from storage.models import AuditEvent, IntakeRequest, Program, Workspace
from storage.types import IntakeState

STATES = tuple(IntakeState)  # `intake list` filters by these


def queue(
    session: Session, *, workspace: Workspace, state: str | None, now: datetime, limit: int
) -> IntakePage:
    """Requests in a state (None: all), highest score first, deferrals due back included."""
    resurface(session, workspace=workspace, now=now)
    query = select(IntakeRequest).where(IntakeRequest.team_id == workspace.team_id)
    if state is not None:
        query = query.where(IntakeRequest.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(IntakeRequest.score.desc(), IntakeRequest.number).limit(limit)
    )
    return IntakePage(requests=list(rows), total=total)


@dataclass(frozen=True)
class IntakeDetail:
    """One request with what `intake show` tells about it."""

    request: IntakeRequest
    duplicates: list[Duplicate]
    history: list[AuditEvent]
    program: Program | None


def detail(session: Session, *, workspace: Workspace, ref: str, now: datetime) -> IntakeDetail:
    """A request by `INT-n`, its likely duplicates today, its program and its history."""
    resurface(session, workspace=workspace, now=now)
    request = find_request(session, team_id=workspace.team_id, ref=ref)
    duplicates = find_duplicates(
        session,
        team_id=request.team_id,
        title=request.title,
        problem=request.problem,
        exclude_request=request.id,
        exclude_program=request.program_id,
    )
    program = session.get(Program, request.program_id) if request.program_id else None
    return IntakeDetail(request, duplicates, history(session, request=request), program)


def history(session: Session, *, request: IntakeRequest) -> list[AuditEvent]:
    """The request's audit trail, oldest first."""
    return audit.history(session, request)
