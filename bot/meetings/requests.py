"""Decision requests: a program's question put to the next steering meeting, or to its
sponsor, and the decision log they end in.

`/pmo decision request <program> "<question>" [by:<date>] [options:"A|B"]` (the program's
owner, a delegate or a PMO admin) puts the question to the soonest meeting that covers the
program (one of every program, or of the program's portfolio) and starts by the end of the
`by:` day in the meeting's zone; any next meeting when there is no `by:`. When none does, the
program's sponsor is asked by DM, with *Record decision*; with no sponsor to ask, nothing is
stored and the owner is told to set one or schedule a meeting. Meetings take their requests
into their agendas (`meeting_id`); the sponsor (or a PMO admin) records a DMed one here.
One still open after its `by:` day is followed up with its requester (`past_by`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot import audit, dedupe, limits, notify, programs
from bot.blocks import decisions as render
from bot.dates import format_date
from bot.errors import AlreadyRecorded, PermissionDenied, UserError
from bot.meetings import log, past_by, plans
from bot.meetings.actions import replace_dms
from bot.meetings.records import Placed
from bot.workspace import is_pmo_admin
from storage.db import is_postgresql
from storage.models import Decision, DecisionRequest, Meeting, Person, Program, Workspace
from storage.types import DecisionRequestState

MIN_OPTIONS, MAX_OPTIONS = 2, 6
REQUESTING = "put decision requests for"
SYSTEM_ACTOR = "pmo-bot"  # who moves the questions of a cancelled meeting


@dataclass(frozen=True)
class Ask:
    """A question as typed: the text, the day it must be decided by, the options."""

    question: str
    by: date | None = None
    options: tuple[str, ...] = ()


def parse_options(text: str) -> tuple[str, ...]:
    """`options:"Build|Buy|Wait"`: 2 to 6 distinct, non-empty options of at most 100 characters.

    Raises:
        UserError: Fewer or more, an empty one, a repeated one, or one too long.
    """
    options = tuple(" ".join(part.split()) for part in text.split("|"))
    example = 'e.g. options:"Build|Buy|Wait"'
    if any(not option for option in options):
        raise UserError(f"An option is empty: separate the options with `|`, {example}.")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise UserError(
            f"Give {MIN_OPTIONS} to {MAX_OPTIONS} options separated by `|` "
            f"(you gave {len(options)}), {example}."
        )
    for option in options:
        limits.check(limits.OPTION, option)
    lowered = [option.casefold() for option in options]
    repeated = next(
        (o for o, low in zip(options, lowered, strict=True) if lowered.count(low) > 1), None
    )
    if repeated is not None:
        raise UserError(f"The option “{repeated}” is given twice; give each option once.")
    return options


def request_decision(
    session: Session,
    *,
    program: Program,
    actor: Person,
    ask: Ask,
    now: datetime,
    today: date,
    workspace: Workspace,
) -> Placed:
    """Put a question to the next meeting before `by:` (or to the sponsor by DM).

    Raises:
        PermissionDenied: `actor` is not the owner, a delegate or a PMO admin.
        UserError: No question, one too long, `by:` in the past, or nobody to put it to.
        AlreadyRecorded: The same question was put minutes ago (a repeated command).
    """
    programs.require_update(session, program=program, person=actor, doing=REQUESTING)
    question = _new_question(
        session, program=program, actor=actor, ask=ask, now=now, today=today, workspace=workspace
    )
    found = next_meeting(session, program=program, by=ask.by, now=now)
    sponsor = None if found else _sponsor(session, program=program, by=ask.by)
    request = _new_request(
        session,
        program=program,
        actor=actor,
        ask=ask,
        question=question,
        now=now,
        meeting=found[0] if found else None,
        sponsor=sponsor,
    )
    past_by.arm(session, request=request, now=now, workspace=workspace)
    if found is not None:
        return Placed(request, program, *found)
    _ask_sponsor(session, request=request, program=program, now=now, workspace=workspace)
    return Placed(request, program)


def _new_request(
    session: Session,
    *,
    program: Program,
    actor: Person,
    ask: Ask,
    question: str,
    now: datetime,
    meeting: Meeting | None,
    sponsor: str | None,
) -> DecisionRequest:
    """The request stored and audited, put to `meeting` or sent to `sponsor`."""
    request = DecisionRequest(
        team_id=program.team_id,
        program_id=program.id,
        question=question,
        options=list(ask.options),
        by_date=ask.by,
        state=DecisionRequestState.OPEN,
        requested_by=actor.user_id,
        created_at=now,
        meeting_id=meeting.id if meeting is not None else None,
        sent_to_id=sponsor,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        request,
        actor_id=actor.user_id,
        action="request",
        now=now,
        after=request_values(request),
    )
    return request


def _new_question(
    session: Session,
    *,
    program: Program,
    actor: Person,
    ask: Ask,
    now: datetime,
    today: date,
    workspace: Workspace,
) -> str:
    """The question as stored, once valid and not the same one the same person put minutes
    ago (a repeated command); the program is locked so two at once are told apart."""
    question = _checked(ask, today=today)
    programs.lock(session, program=program)
    dedupe.refuse_repeat(
        session,
        DecisionRequest,
        tz=actor.tz or workspace.timezone,
        now=now,
        what=f"the question “{question}” on *{program.name}*",
        program_id=program.id,
        requested_by=actor.user_id,
        question=question,
    )
    return question


def _checked(ask: Ask, *, today: date) -> str:
    question = " ".join(ask.question.split())
    if not question:
        raise UserError('Give the question in quotes: `"Build or buy the billing engine?"`.')
    limits.check(limits.QUESTION, question)
    if ask.by is not None and ask.by < today:
        raise UserError(f"`by:` {format_date(ask.by)} is in the past; give today or a later date.")
    return question


def request_values(request: DecisionRequest) -> dict[str, Any]:
    """A request's fields, for its audit history."""
    names = ("program_id", "question", "by_date", "meeting_id", "sent_to_id", "state")
    return {name: getattr(request, name) for name in names} | {"options": list(request.options)}


def next_meeting(
    session: Session, *, program: Program, by: date | None, now: datetime
) -> tuple[Meeting, datetime] | None:
    """The soonest meeting covering the program that starts by the end of `by` (its zone)."""
    query = select(Meeting).where(Meeting.team_id == program.team_id, Meeting.removed_at.is_(None))
    covers: ColumnElement[bool] = Meeting.portfolio.is_(None)
    if program.portfolio:
        covers = or_(covers, func.lower(Meeting.portfolio) == program.portfolio.lower())
    found: list[tuple[datetime, bool, int, Meeting]] = []
    for meeting in session.scalars(query.where(covers)):
        start = plans.next_start(meeting, after=now)
        if start is None or (by is not None and plans.local_day(meeting, start) > by):
            continue
        found.append((start, meeting.portfolio is None, meeting.id, meeting))
    if not found:
        return None
    start, _, _, meeting = min(found, key=lambda candidate: candidate[:3])
    return meeting, start


def _sponsor(session: Session, *, program: Program, by: date | None) -> str:
    """The sponsor to ask when no meeting comes first; refused when there is none to ask."""
    when = f"by {format_date(by)}" if by is not None else "at all"
    sponsor = session.get(Person, (program.team_id, program.sponsor_id or ""))
    if program.sponsor_id is None:
        raise UserError(
            f"No steering meeting of *{program.name}* comes {when}, and it has no sponsor to "
            f"ask instead, so nothing was stored. Set one with `/pmo program sponsor "
            f"{program.key} @person`, or schedule a meeting with `/pmo meeting schedule`."
        )
    if sponsor is not None and (sponsor.is_restricted or sponsor.deleted or sponsor.is_bot):
        raise UserError(
            f"No steering meeting of *{program.name}* comes {when}, and its sponsor "
            f"<@{program.sponsor_id}> can't be asked by DM, so nothing was stored."
        )
    return program.sponsor_id


def sponsor_key(request: DecisionRequest) -> str:
    """The outbox key of the DM asking the sponsor."""
    return f"decision-request:{request.id}"


def _ask_sponsor(
    session: Session,
    *,
    request: DecisionRequest,
    program: Program,
    now: datetime,
    workspace: Workspace,
) -> None:
    assert request.sent_to_id is not None
    notify.direct_message(  # it asks them for something: not mutable
        session,
        workspace=workspace,
        user_id=request.sent_to_id,
        now=now,
        key=sponsor_key(request),
        payload=render.sponsor_message(request, program),
        purpose=f"decision_request:{request.id}",
    )


# --- the sponsor records it ---------------------------------------------------------------


def for_recording(
    session: Session, *, team_id: str, request_id: int, person: Person
) -> tuple[DecisionRequest, Program]:
    """A request sent to a sponsor that `person` (the sponsor, or a PMO admin) may decide.

    Raises:
        UserError: No such request here, one put to a meeting, or one decided already.
        PermissionDenied: Anyone else.
    """
    request = session.get(DecisionRequest, request_id)
    if request is None or request.team_id != team_id:
        raise UserError("That question no longer exists.")
    program = programs.get(session, team_id=team_id, program_id=request.program_id)
    if request.meeting_id is not None:
        meeting = session.get(Meeting, request.meeting_id)
        where = f"the meeting in <#{meeting.channel_id}>" if meeting else "its meeting"
        raise UserError(f"That question is on the agenda of {where}; it is decided there.")
    deciders = {d for d in (request.sent_to_id, program.sponsor_id) if d is not None}
    if person.user_id not in deciders and not is_pmo_admin(session, person=person):
        who = " or ".join(f"<@{d}>" for d in sorted(deciders)) or "the sponsor"
        raise PermissionDenied(f"Only {who} or a PMO admin can record this decision.")
    _refuse_closed(session, request=request)
    return request, program


def _refuse_closed(session: Session, *, request: DecisionRequest) -> None:
    if request.state == DecisionRequestState.OPEN:
        return
    decision = session.get(Decision, request.decision_id) if request.decision_id else None
    if decision is None:
        raise AlreadyRecorded(f"That question was {request.state} already; nothing was recorded.")
    raise AlreadyRecorded(
        f"That question was decided already: D-{decision.number} by "
        f"<@{decision.recorded_by}>; nothing was recorded twice."
    )


@dataclass(frozen=True)
class Outcome:
    """What the decider submitted."""

    text: str
    rationale: str | None = None
    option: str | None = None
    decided_by: tuple[str, ...] = ()


def record(
    session: Session,
    *,
    request: DecisionRequest,
    program: Program,
    actor: Person,
    outcome: Outcome,
    now: datetime,
    workspace: Workspace,
) -> Decision:
    """Record the sponsor's decision once: `D-n`, the DM edited, the requester told.

    Raises:
        UserError: What `log.record_decision` refuses (shown on the modal's fields).
        AlreadyRecorded: Someone recorded it a moment ago.
    """
    if is_postgresql(session):  # two submissions at once: the second waits, then is told
        session.refresh(request, with_for_update=True)
    _refuse_closed(session, request=request)
    decision = log.record_decision(
        session,
        actor=actor,
        text=outcome.text or outcome.option or "",
        rationale=outcome.rationale,
        decided_by=outcome.decided_by,
        option=outcome.option,
        now=now,
        program=program,
        request=request,
    )
    _announce(session, request=request, program=program, decision=decision, workspace=workspace)
    return decision


def _announce(
    session: Session,
    *,
    request: DecisionRequest,
    program: Program,
    decision: Decision,
    workspace: Workspace,
) -> None:
    """The sponsor's DM edited to say it is decided; whoever asked is told (unless they
    recorded it themselves)."""
    now = decision.decided_at
    done = render.sponsor_decided(request, program, decision)
    keys = [sponsor_key(request)]
    if request.by_date is not None:  # the reminder after `by:`, if it went
        keys.append(past_by.sponsor_key(request))
    replace_dms(session, team_id=request.team_id, keys=keys, payload=done, now=now)
    if request.requested_by == decision.recorded_by:
        return
    notify.direct_message(
        session,
        workspace=workspace,
        user_id=request.requested_by,
        now=now,
        key=f"decision-request-decided:{request.id}",
        payload=render.requester_told(request, program, decision),
        purpose=f"decision_request:{request.id}",
    )


# --- when meetings come and go ------------------------------------------------------------


def re_place(session: Session, *, meeting: Meeting, now: datetime, workspace: Workspace) -> int:
    """The open questions put to a meeting just cancelled go to the next meeting of their
    program before their `by:`, else to its sponsor by DM; with neither, they wait (open,
    in `/pmo decisions open`) for the next meeting scheduled for them. How many moved."""
    moved = 0
    for request, program in _open_for(session, team_id=meeting.team_id, meeting_id=meeting.id):
        found = next_meeting(session, program=program, by=request.by_date, now=now)
        sponsor = session.get(Person, (program.team_id, program.sponsor_id or ""))
        request.meeting_id = found[0].id if found else None
        if found is None and sponsor is not None and not _unreachable(sponsor):
            request.sent_to_id = sponsor.user_id
            _ask_sponsor(session, request=request, program=program, now=now, workspace=workspace)
        moved += request.meeting_id is not None or request.sent_to_id is not None
        audit.record(
            session, request, actor_id=SYSTEM_ACTOR, action="re-place", now=now,
            after=request_values(request),
        )  # fmt: skip
    return moved


def adopt(session: Session, *, meeting: Meeting, now: datetime) -> int:
    """A new meeting takes the open questions waiting for one (their meeting was cancelled
    and no other or sponsor could take them) that it covers; how many."""
    taken = 0
    for request, program in _open_for(session, team_id=meeting.team_id, meeting_id=None):
        covered = meeting.portfolio is None or (
            (program.portfolio or "").lower() == meeting.portfolio.lower()
        )
        if covered and request.sent_to_id is None:
            request.meeting_id, taken = meeting.id, taken + 1
            audit.record(
                session, request, actor_id=meeting.chair_id, action="adopt", now=now,
                after=request_values(request),
            )  # fmt: skip
    return taken


def _open_for(
    session: Session, *, team_id: str, meeting_id: int | None
) -> list[tuple[DecisionRequest, Program]]:
    where = (
        DecisionRequest.meeting_id.is_(None)
        if meeting_id is None
        else DecisionRequest.meeting_id == meeting_id
    )
    query = (
        select(DecisionRequest, Program)
        .join(Program, Program.id == DecisionRequest.program_id)
        .where(
            DecisionRequest.team_id == team_id,
            where,
            DecisionRequest.state == DecisionRequestState.OPEN,
        )
        .order_by(DecisionRequest.id)
    )
    return [(request, program) for request, program in session.execute(query).tuples()]


def _unreachable(person: Person) -> bool:
    return person.is_restricted or person.deleted or person.is_bot
