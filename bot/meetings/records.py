"""What the decision log and the action list show, read in a few queries whatever their
size: decisions newest first, open decision requests and where each was put, open actions
soonest due first (so overdue ones lead), each with its program and meeting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.meetings.plans import local_day, next_start
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    Meeting,
    MeetingOccurrence,
    Program,
)
from storage.types import ActionState, DecisionRequestState


@dataclass(frozen=True)
class ActionLine:
    """An action as it is shown: with its program and the meeting it came from."""

    id: int
    number: int
    title: str
    owner_id: str
    due: date
    state: str
    created_by: str
    done_by: str | None = None
    program_name: str | None = None
    program_key: str | None = None
    meeting_channel: str | None = None
    held_on: date | None = None


@dataclass(frozen=True)
class Page:
    """Some open actions, and how many there are in all."""

    lines: list[ActionLine]
    total: int


@dataclass(frozen=True)
class Placed:
    """Where a request went: a meeting and its start, or (both None) the sponsor."""

    request: DecisionRequest
    program: Program
    meeting: Meeting | None = None
    start: datetime | None = None


@dataclass(frozen=True)
class DecisionLine:
    """A decision as the log shows it."""

    number: int
    decided_at: datetime
    text: str
    option: str | None
    rationale: str | None
    decided_by: tuple[str, ...]
    program_name: str | None
    program_key: str | None
    question: str | None = None  # the request it answered


@dataclass(frozen=True)
class RequestLine:
    """An open request as `decisions open` shows it: where it was put, and when."""

    id: int
    question: str
    options: tuple[str, ...]
    by: date | None
    requested_by: str
    program_name: str
    program_key: str
    meeting: Meeting | None
    start: datetime | None
    sent_to_id: str | None


@dataclass(frozen=True)
class LogPage:
    """Some lines of a listing, and how many there are in all."""

    lines: Sequence[Any]
    total: int


def decision_log(
    session: Session,
    *,
    team_id: str,
    limit: int,
    program_id: int | None = None,
    since: datetime | None = None,
) -> LogPage:
    """Decisions, newest first: all, one program's, or those decided since an instant."""
    where = [Decision.team_id == team_id]
    if program_id is not None:
        where.append(Decision.program_id == program_id)
    if since is not None:
        where.append(Decision.decided_at >= since)
    total = session.scalar(select(func.count()).select_from(Decision).where(*where)) or 0
    rows = session.execute(
        select(Decision, Program.name, Program.key, DecisionRequest.question)
        .outerjoin(Program, Program.id == Decision.program_id)
        .outerjoin(DecisionRequest, DecisionRequest.decision_id == Decision.id)
        .where(*where)
        .order_by(Decision.decided_at.desc(), Decision.number.desc())
        .limit(limit)
    ).all()
    return LogPage([_decision_line(d, name, key, asked) for d, name, key, asked in rows], total)


def _decision_line(
    decision: Decision, name: str | None, key: str | None, question: str | None = None
) -> DecisionLine:
    return DecisionLine(
        number=decision.number,
        decided_at=decision.decided_at,
        text=decision.text,
        option=decision.option,
        rationale=decision.rationale,
        decided_by=tuple(decision.decided_by or ()),
        program_name=name,
        program_key=key,
        question=question,
    )


def open_requests(session: Session, *, team_id: str, limit: int, now: datetime) -> LogPage:
    """Open requests, those due soonest first (undated last), with where each was put."""
    where = [DecisionRequest.team_id == team_id, DecisionRequest.state == DecisionRequestState.OPEN]
    total = session.scalar(select(func.count()).select_from(DecisionRequest).where(*where)) or 0
    rows = session.execute(
        select(DecisionRequest, Program.name, Program.key, Meeting)
        .join(Program, Program.id == DecisionRequest.program_id)
        .outerjoin(Meeting, Meeting.id == DecisionRequest.meeting_id)
        .where(*where)
        .order_by(DecisionRequest.by_date.is_(None), DecisionRequest.by_date, DecisionRequest.id)
        .limit(limit)
    ).all()
    return LogPage([_request_line(r, name, key, m, now) for r, name, key, m in rows], total)


def _request_line(
    request: DecisionRequest, name: str, key: str, meeting: Meeting | None, now: datetime
) -> RequestLine:
    start = next_start(meeting, after=now) if meeting is not None else None
    return RequestLine(
        id=request.id,
        question=request.question,
        options=tuple(request.options or ()),
        by=request.by_date,
        requested_by=request.requested_by,
        program_name=name,
        program_key=key,
        meeting=meeting,
        start=start,
        sent_to_id=request.sent_to_id,
    )


def open_actions(
    session: Session,
    *,
    team_id: str,
    limit: int,
    owner_id: str | None = None,
    program_id: int | None = None,
    due_before: date | None = None,
) -> Page:
    """Open actions, soonest due first (so overdue ones lead), and how many in all."""
    where = [ActionItem.team_id == team_id, ActionItem.state == ActionState.OPEN]
    if owner_id is not None:
        where.append(ActionItem.owner_id == owner_id)
    if program_id is not None:
        where.append(ActionItem.program_id == program_id)
    if due_before is not None:
        where.append(ActionItem.due_date < due_before)
    total = session.scalar(select(func.count()).select_from(ActionItem).where(*where)) or 0
    rows = session.scalars(
        select(ActionItem)
        .where(*where)
        .order_by(ActionItem.due_date, ActionItem.number)
        .limit(limit)
    )
    return Page(lines=lines_of(session, list(rows)), total=total)


def line_of(session: Session, action: ActionItem) -> ActionLine:
    """One action as it is shown."""
    return lines_of(session, [action])[0]


def lines_of(session: Session, actions: Sequence[ActionItem]) -> list[ActionLine]:
    """Actions as they are shown, their programs and meetings read in three queries."""
    programs = _by_id(session, Program, {a.program_id for a in actions})
    meetings = _by_id(session, Meeting, {a.meeting_id for a in actions})
    held = _by_id(session, MeetingOccurrence, {a.occurrence_id for a in actions})
    return [
        _line(a, programs.get(a.program_id), meetings.get(a.meeting_id), held.get(a.occurrence_id))
        for a in actions
    ]


def _by_id(session: Session, model: Any, ids: set[int | None]) -> dict[int | None, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def _line(
    action: ActionItem,
    program: Program | None,
    meeting: Meeting | None,
    occurrence: MeetingOccurrence | None,
) -> ActionLine:
    held_on = (
        local_day(meeting, occurrence.starts_at)
        if meeting is not None and occurrence is not None
        else None
    )
    return ActionLine(
        id=action.id,
        number=action.number,
        title=action.title,
        owner_id=action.owner_id,
        due=action.due_date,
        state=action.state,
        created_by=action.created_by,
        done_by=action.done_by,
        program_name=program.name if program is not None else None,
        program_key=program.key if program is not None else None,
        meeting_channel=meeting.channel_id if meeting is not None else None,
        held_on=held_on,
    )
