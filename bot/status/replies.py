"""Free-text answers to status prompts: "amber - vendor late; next: escalate"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import bot.status.reports as status
from bot import programs, scheduling
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
SNOOZE = timedelta(days=1)
HELD_GONE = "I no longer have the reply this question was about; send it again, please."


class WaitingPrompt(NamedTuple):
    """A prompt waiting for its answer, with its program."""

    prompt: Prompt
    program: Program


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
    if not summary:
        return None
    return ParsedReply(rag=rag, summary=summary, next_steps=next_steps)


def pending_for(session: Session, *, team_id: str, user_id: str) -> list[WaitingPrompt]:
    """Prompts waiting for this person's answer, oldest first."""
    rows = session.execute(
        select(Prompt, Program)
        .join(Program, Program.id == Prompt.program_id)
        .where(
            Prompt.team_id == team_id,
            Prompt.user_id == user_id,
            Prompt.state == PromptState.PENDING,
            Program.state == ProgramState.ACTIVE,
        )
        .order_by(Prompt.slot_at, Prompt.id)
    )
    return [WaitingPrompt(prompt, program) for prompt, program in rows.tuples()]


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
) -> StatusUpdate:
    """Store a reply as the program's status update."""
    _claim(session, prompt=prompt, program=program, author=author, now=now)
    data = _status_input(reply)
    status.validate(data, require_recovery=False, today=now.date())
    return status.submit(
        session, program=program, author_id=author.user_id, data=data, now=now, workspace=workspace
    )


def _status_input(reply: ParsedReply) -> status.StatusInput:
    return status.StatusInput(
        rag=reply.rag, summary=reply.summary, next_steps=reply.next_steps, source="reply"
    )


def hold(
    session: Session, *, person: Person, text: str, reply: ParsedReply, now: datetime
) -> PendingReply:
    """Keep a reply, whole, while its author picks the program; refused now if it could not be
    stored as a status (too long), rather than after the pick."""
    status.validate(_status_input(reply), require_recovery=False, today=now.date())
    held = PendingReply(team_id=person.team_id, user_id=person.user_id, text=text, created_at=now)
    session.add(held)
    session.flush()
    return held


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
) -> StatusUpdate:
    """Repeat the last RAG and summary, marked as "no change"."""
    _claim(session, prompt=prompt, program=program, author=author, now=now)
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
    return status.submit(
        session, program=program, author_id=author.user_id, data=data, now=now, workspace=workspace
    )


def snooze(session: Session, *, prompt: Prompt, now: datetime) -> datetime:
    """Ask again in a day (once per click; a second click is told it is snoozed)."""
    changed = session.execute(
        update(Prompt)
        .where(Prompt.id == prompt.id, Prompt.state == PromptState.PENDING)
        .values(state=PromptState.SNOOZED)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not changed:
        raise UserError("That prompt is no longer waiting (answered or snoozed already).")
    again = now + SNOOZE
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
    session: Session, *, prompt: Prompt, program: Program, author: Person, now: datetime
) -> None:
    """Answer a prompt once: a double click or a racing DM is told it was answered.

    Rights are checked again: the program may have changed hands since the prompt went out.
    """
    programs.require_update(session, program=program, person=author, doing="update")
    answered = session.execute(
        update(Prompt)
        .where(Prompt.id == prompt.id, Prompt.state.in_((PromptState.PENDING, PromptState.SNOOZED)))
        .values(state=PromptState.ANSWERED, answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not answered:
        raise UserError(f"The prompt for *{program.name}* was already answered.")
