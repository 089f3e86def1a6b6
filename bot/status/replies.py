"""Free-text answers to status prompts: "amber - vendor late; next: escalate"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

import bot.status.reports as status
from bot import notify, programs, scheduling
from bot.commands import parse_rag_prefix
from bot.errors import PermissionDenied, UserError
from storage.models import (
    OutboxMessage,
    PendingReply,
    Person,
    Program,
    Prompt,
    ScheduledJob,
    StatusUpdate,
    Workspace,
)
from storage.types import JobState, ProgramState, PromptState

_NEXT = re.compile(r"[;,.]?\s*\bnext(?:\s+steps?)?\s*:\s*", re.IGNORECASE)
_WORDLIKE = re.compile(r"\w")
OPEN_STATES = (PromptState.PENDING, PromptState.SNOOZED)
HELD_GONE = "I no longer have the reply this question was about; send it again, please."


class WaitingPrompt(NamedTuple):
    """A prompt waiting for its answer, with its program."""

    prompt: Prompt
    program: Program


class Answered(NamedTuple):
    """A reply stored as a status update, and what the receipt should say about it.

    Attributes:
        late_for: The date the prompt was due, when it came after the program went overdue.
        kept_plan: The path to green (and recovery date) were kept from the last update.
    """

    update: StatusUpdate
    late_for: date | None
    kept_plan: bool


@dataclass(frozen=True)
class ParsedReply:
    """A reply read as a status: RAG, summary, and next steps when given."""

    rag: str
    summary: str
    next_steps: str | None


def parse(text: str) -> ParsedReply | None:
    """Read a reply; None when it does not start with a RAG word (nothing is guessed)."""
    found = parse_rag_prefix(text.strip())
    if found is None:
        return None
    rag, rest = found
    parts = _NEXT.split(rest, maxsplit=1)
    summary = parts[0].strip(" ;,.-")
    next_steps = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    if not _WORDLIKE.search(summary):  # "red?" asks what is red; it reports nothing
        return None
    return ParsedReply(rag=rag, summary=summary, next_steps=next_steps)


def pending_for(session: Session, *, team_id: str, user_id: str) -> list[WaitingPrompt]:
    """Prompts waiting for this person's answer, oldest first, one per program.

    A prompt whose program went overdue still waits (its answer is a late update) until any
    update of the program arrives; of a program's prompts, the newest is the one answered.
    """
    late = and_(
        Prompt.state == PromptState.EXPIRED,
        or_(Program.last_update_at.is_(None), Program.last_update_at < Prompt.slot_at),
    )
    rows = session.execute(
        select(Prompt, Program)
        .join(Program, Program.id == Prompt.program_id)
        .where(
            Prompt.team_id == team_id,
            Prompt.user_id == user_id,
            or_(Prompt.state == PromptState.PENDING, late),
            Program.state == ProgramState.ACTIVE,
        )
        .order_by(Prompt.slot_at, Prompt.id)
    )
    newest = {program.id: WaitingPrompt(prompt, program) for prompt, program in rows.tuples()}
    return sorted(newest.values(), key=lambda w: (w.prompt.slot_at, w.prompt.id))


def is_late(prompt: Prompt, program: Program) -> bool:
    """Whether answering the prompt now is a late update: it expired (the program went
    overdue) and no update of the program has come since its slot."""
    last = program.last_update_at
    return prompt.state == PromptState.EXPIRED and (last is None or last < prompt.slot_at)


def prompt_in_thread(
    session: Session, *, team_id: str, user_id: str, thread_ts: str
) -> WaitingPrompt | None:
    """The prompt whose DM started the thread a reply was written in."""
    row = (
        session.execute(
            select(Prompt, Program)
            .join(Program, Program.id == Prompt.program_id)
            .join(OutboxMessage, OutboxMessage.id == Prompt.outbox_id)
            .where(
                Prompt.team_id == team_id, Prompt.user_id == user_id, OutboxMessage.ts == thread_ts
            )
        )
        .tuples()
        .first()
    )
    return WaitingPrompt(*row) if row else None


def get_prompt(session: Session, *, team_id: str, prompt_id: int, person: Person) -> Prompt:
    """A prompt of this person's, for its buttons."""
    prompt = session.get(Prompt, prompt_id)
    if prompt is None or prompt.team_id != team_id:
        raise UserError("That prompt no longer exists.")
    if prompt.user_id != person.user_id:
        raise UserError(f"This prompt was sent to <@{prompt.user_id}>.")
    return prompt


def answer(
    session: Session,
    *,
    prompt: Prompt,
    program: Program,
    author: Person,
    reply: ParsedReply,
    now: datetime,
    workspace: Workspace,
) -> Answered:
    """Store a reply as the program's status update (a late one after the program went
    overdue); amber or red keeps the path to green and recovery date it already had."""
    late_for = _claim(
        session, prompt=prompt, program=program, author=author, now=now, workspace=workspace
    )
    path, recovery = kept_plan(session, program=program, rag=reply.rag, today=now.date())
    data = _status_input(reply, path_to_green=path, recovery_date=recovery)
    status.validate(data, require_recovery=False, today=now.date())
    update = status.submit(
        session, program=program, author_id=author.user_id, data=data, now=now, workspace=workspace
    )
    return Answered(update, late_for=late_for, kept_plan=bool(path or recovery))


def typed_input(
    session: Session, *, program: Program, rag: str, text: str, today: date
) -> tuple[status.StatusInput, bool]:
    """`/pmo status <program> <rag> <text>` read as a reply is: `; next:` splits off the next
    steps, a leading `-` goes, and amber or red keeps the plan it had (`kept_plan`). Returns
    the input and whether a plan was kept."""
    parsed = parse(f"{rag} - {text}") if text.strip() else None
    reply = parsed or ParsedReply(rag=rag, summary=text.strip(), next_steps=None)
    path, recovery = kept_plan(session, program=program, rag=rag, today=today)
    data = _status_input(reply, path_to_green=path, recovery_date=recovery, source="command")
    return data, bool(path or recovery)


def kept_plan(
    session: Session, *, program: Program, rag: str, today: date
) -> tuple[str | None, date | None]:
    """The path to green and recovery date an amber or red reply keeps from the last update
    (a reply has no place for them; dropping them would flag NO_RECOVERY_PLAN). A recovery
    date already past is not kept: it is no plan any more."""
    return plan_from(status.latest(session, program_id=program.id), rag=rag, today=today)


def plan_from(
    last: StatusUpdate | None, *, rag: str, today: date
) -> tuple[str | None, date | None]:
    """The path to green and recovery date of `last` an amber or red status keeps."""
    if rag == "green" or last is None:
        return None, None
    recovery = last.recovery_date
    return last.path_to_green, recovery if recovery is not None and recovery >= today else None


def _status_input(
    reply: ParsedReply,
    *,
    path_to_green: str | None = None,
    recovery_date: date | None = None,
    source: str = "reply",
) -> status.StatusInput:
    return status.StatusInput(
        rag=reply.rag,
        summary=reply.summary,
        next_steps=reply.next_steps,
        path_to_green=path_to_green,
        recovery_date=recovery_date,
        source=source,
    )


def hold(
    session: Session,
    *,
    person: Person,
    text: str,
    reply: ParsedReply,
    now: datetime,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> PendingReply:
    """Keep a reply, whole, while its author picks the program; refused now if it could not be
    stored as a status (too long), rather than after the pick.

    Args:
        channel_id: The DM it came from, with `message_ts`, so an edit of it replaces the text.
    """
    check_storable(reply, today=now.date())
    held = PendingReply(
        team_id=person.team_id,
        user_id=person.user_id,
        text=text,
        created_at=now,
        channel_id=channel_id,
        message_ts=message_ts,
    )
    session.add(held)
    session.flush()
    return held


def check_storable(reply: ParsedReply, *, today: date) -> None:
    """Refuse a reply that could not be stored as a status (a field too long)."""
    status.validate(_status_input(reply), require_recovery=False, today=today)


def take_held(session: Session, *, person: Person, reply_id: int, now: datetime) -> PendingReply:
    """A held reply, for its author only, taken once: a second pick is told where it went.

    Raises:
        UserError: It is gone or used; PermissionDenied (saying nothing of it) for anyone else.
    """
    held = session.get(PendingReply, reply_id)
    if held is None or held.team_id != person.team_id:
        raise UserError(HELD_GONE)
    if held.user_id != person.user_id:
        raise PermissionDenied("Only the person who sent that reply can choose its program.")
    taken = session.execute(
        update(PendingReply)
        .where(PendingReply.id == held.id, PendingReply.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(held)
    if not taken:
        went = session.get(Program, held.program_id) if held.program_id else None
        raise UserError(f"That reply was already stored{_for(went)}.")
    return held


def _for(program: Program | None) -> str:
    return f" for *{program.name}*" if program else ""  # error messages are escaped whole


def prompt_and_program(
    session: Session, *, team_id: str, prompt_id: int, person: Person
) -> tuple[Prompt, Program]:
    """A prompt of this person's, for its buttons, and its program."""
    prompt = get_prompt(session, team_id=team_id, prompt_id=prompt_id, person=person)
    return prompt, program_of(session, prompt=prompt)


def program_of(session: Session, *, prompt: Prompt) -> Program:
    """The program a prompt asks about."""
    return programs.get(session, team_id=prompt.team_id, program_id=prompt.program_id)


def start_update(
    session: Session, *, team_id: str, prompt_id: int, person: Person
) -> tuple[Program, StatusUpdate | None]:
    """*Submit update* on a prompt: its program and the last update, once `person` may update."""
    _, program = prompt_and_program(session, team_id=team_id, prompt_id=prompt_id, person=person)
    return program, status.start(session, program=program, person=person)


def no_change(
    session: Session,
    *,
    prompt: Prompt,
    program: Program,
    author: Person,
    now: datetime,
    workspace: Workspace,
) -> Answered:
    """Repeat the last RAG and summary, marked as "no change" (late after the program went
    overdue)."""
    late_for = _claim(
        session, prompt=prompt, program=program, author=author, now=now, workspace=workspace
    )
    last = status.latest(session, program_id=program.id)
    if last is None:
        raise UserError("There is no earlier status to repeat; submit an update instead.")
    data = status.StatusInput(
        rag=last.rag,
        summary=last.summary,
        path_to_green=last.path_to_green,
        recovery_date=last.recovery_date,
        source="no_change",
    )
    update = status.submit(
        session, program=program, author_id=author.user_id, data=data, now=now, workspace=workspace
    )
    return Answered(update, late_for=late_for, kept_plan=False)


def snooze(session: Session, *, prompt: Prompt, now: datetime, workspace: Workspace) -> datetime:
    """Ask again on the person's next working day, at the same time of day if it falls in
    their message hours (once per click; a second click is told it is snoozed)."""
    changed = session.execute(
        update(Prompt)
        .where(Prompt.id == prompt.id, Prompt.state == PromptState.PENDING)
        .values(state=PromptState.SNOOZED)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not changed:
        raise UserError("That prompt is no longer waiting (answered or snoozed already).")
    calendar = notify.calendar_of(session, workspace=workspace, user_id=prompt.user_id)
    again = calendar.same_time_next_working_day(now)
    scheduling.add_job(
        session,
        job=ScheduledJob(
            team_id=prompt.team_id,
            kind="snooze",
            target_id=prompt.id,
            period=f"{prompt.period}@{now.isoformat(timespec='minutes')}",
            slot_at=prompt.slot_at,
            due_at=again,
            state=JobState.PENDING,
        ),
    )
    return again


def _claim(
    session: Session,
    *,
    prompt: Prompt,
    program: Program,
    author: Person,
    now: datetime,
    workspace: Workspace,
) -> date | None:
    """Answer a prompt once: a double click or a racing DM is told it was answered.

    Rights are checked again: the program may have changed hands since the prompt went out.

    Returns:
        The date the prompt was due when this answer is late (the program went overdue
        waiting for it), else None.
    """
    programs.require_update(session, program=program, person=author, doing="update")
    late = is_late(prompt, program)
    answered = session.execute(
        update(Prompt)
        .where(
            Prompt.id == prompt.id,
            Prompt.state.in_((*OPEN_STATES, PromptState.EXPIRED) if late else OPEN_STATES),
        )
        .values(state=PromptState.ANSWERED, answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not answered:
        raise UserError(
            f"The prompt for *{program.name}* was already answered, so I stored nothing. "
            f"To report again: `/pmo status {program.key} <green|amber|red> <summary>`."
        )
    return scheduling.slot_local_date(program, prompt.slot_at, workspace) if late else None
