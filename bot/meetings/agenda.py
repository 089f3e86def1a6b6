"""A meeting's agenda: built once for an occurrence and frozen on it.

A simple builder (the meeting's open decision requests first, then the active red programs of
its portfolio), kept to the interface the live meeting takes: `freeze` and `stored`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.meetings import facts
from storage.models import DecisionRequest, Meeting, MeetingOccurrence, Program, Workspace
from storage.types import DecisionRequestState, ProgramState

DECISION_MINUTES, RED_MINUTES = 10, 8
SCHEDULED = "scheduled"  # the key of a stored item saying whether it fits the meeting's length


def freeze(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    now: datetime,
    workspace: Workspace,
) -> facts.Agenda:
    """The occurrence's agenda: built and stored the first time, as stored after that."""
    kept = stored(occurrence)
    if kept is not None:
        return kept
    built = _build(session, meeting=meeting)
    occurrence.agenda = [_as_json(item, scheduled=True) for item in built.items] + [
        _as_json(item, scheduled=False) for item in built.unscheduled
    ]
    return built


def stored(occurrence: MeetingOccurrence) -> facts.Agenda | None:
    """The agenda the occurrence froze, if it froze one."""
    if occurrence.agenda is None:
        return None
    items = [(facts.AgendaItem.from_json(v), v.get(SCHEDULED, True)) for v in occurrence.agenda]
    return facts.Agenda(
        items=tuple(item for item, scheduled in items if scheduled),
        unscheduled=tuple(item for item, scheduled in items if not scheduled),
    )


def _as_json(item: facts.AgendaItem, *, scheduled: bool) -> dict[str, Any]:
    return item.as_json() | {SCHEDULED: scheduled}


def _build(session: Session, *, meeting: Meeting) -> facts.Agenda:
    items = _requests(session, meeting=meeting) + _reds(session, meeting=meeting)
    fits: list[facts.AgendaItem] = []
    rest: list[facts.AgendaItem] = []
    used = 0
    for item in items:
        if not rest and used + item.minutes <= meeting.length_minutes:
            fits.append(item)
            used += item.minutes
        else:
            rest.append(item)
    return facts.Agenda(items=tuple(fits), unscheduled=tuple(rest))


def _requests(session: Session, *, meeting: Meeting) -> list[facts.AgendaItem]:
    query = (
        select(DecisionRequest)
        .where(
            DecisionRequest.team_id == meeting.team_id,
            DecisionRequest.meeting_id == meeting.id,
            DecisionRequest.state == DecisionRequestState.OPEN,
        )
        .order_by(DecisionRequest.by_date.is_(None), DecisionRequest.by_date, DecisionRequest.id)
    )
    return [
        facts.AgendaItem(
            ref=f"request:{request.id}",
            kind=facts.DECISION,
            title=request.question,
            owner_id=request.requested_by,
            minutes=DECISION_MINUTES,
            detail=request.question,
            program_id=request.program_id,
            request_id=request.id,
            options=tuple(request.options or ()),
            due=request.by_date.isoformat() if request.by_date else None,
        )
        for request in session.scalars(query)
    ]


def _reds(session: Session, *, meeting: Meeting) -> list[facts.AgendaItem]:
    query = select(Program).where(
        Program.team_id == meeting.team_id,
        Program.state == ProgramState.ACTIVE,
        Program.rag == "red",
    )
    if meeting.portfolio is not None:
        query = query.where(Program.portfolio == meeting.portfolio)
    return [
        facts.AgendaItem(
            ref=f"program:{program.id}",
            kind=facts.RED,
            title=program.name,
            owner_id=program.owner_id,
            minutes=RED_MINUTES,
            detail=program.last_summary or "",
            program_id=program.id,
        )
        for program in session.scalars(query.order_by(Program.name, Program.id))
    ]
