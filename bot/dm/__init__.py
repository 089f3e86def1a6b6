"""What a direct message to the bot means: a status reply, a stand-up answer, or a question.

The one routing rule, in order:
1. A message that is no status (no RAG word leads it) but a question (`apollo?`, `what's
   red`, `my risks`, `help`: see `bot.dm.questions`) is answered, wherever it is written.
   A bare RAG word (`red`) is a status without its summary while a prompt waits, and the
   question "what is red?" otherwise; a bare word is a question only if it names a program.
2. A reply in a status prompt's thread answers that prompt.
3. While a stand-up run waits for the person, a message with one line per question is their
   answer (unless a status prompt waits too and the message starts with a RAG word).
4. Otherwise it answers the one pending status prompt (a late one, after its program went
   overdue, counts); with several pending the person picks the program with buttons, and
   without a RAG word they are asked for one (nothing guessed). With no prompt waiting, a
   status is told how to report and anything else gets the short help.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import standups
from bot.blocks import prompts as prompt_blocks
from bot.blocks import questions as question_blocks
from bot.blocks import standups as standup_blocks
from bot.blocks import status as status_blocks
from bot.commands import parse_rag_prefix, unescape
from bot.dm import asked, questions
from bot.errors import UserError
from bot.status import replies
from storage.models import Person, Program, Workspace

Message = dict[str, Any]


def answer(
    session: Session,
    *,
    person: Person,
    workspace: Workspace,
    text: str,
    thread_ts: str | None,
    now: datetime,
) -> Message:
    """Store what a DM answers, or answer what it asks; the reply to post in its thread."""
    team, user = person.team_id, person.user_id
    text = unescape(text)  # stored as typed; every renderer escapes it (blocks.common.escape)
    prompt_thread = bool(
        thread_ts
        and replies.prompt_in_thread(session, team_id=team, user_id=user, thread_ts=thread_ts)
    )
    question = _question(session, person=person, text=text, prompt_thread=prompt_thread)
    if question is not None:
        try:
            return asked.answer(
                session, person=person, workspace=workspace, question=question, now=now
            )
        except UserError as error:
            raise error.with_context(echo=text) from None
    if not prompt_thread and not person.is_restricted:  # guests take part in no stand-up
        standup_reply = _standup_answer(session, person=person, text=text, now=now)
        if standup_reply is not None:
            return standup_reply
    return _status_answer(
        session, person=person, workspace=workspace, text=text, thread_ts=thread_ts, now=now
    )


def _question(
    session: Session, *, person: Person, text: str, prompt_thread: bool
) -> questions.Question | None:
    """The question a DM asks, when it is one and no status (see the module's rule 1)."""
    if replies.parse(text) is not None:
        return None
    question = questions.read(text)
    if question is None:
        return None
    if (
        parse_rag_prefix(text.strip())
        and not question.asked
        and _prompt_waits(session, person=person, prompt_thread=prompt_thread)
    ):
        return None  # `red` answering a prompt: a status whose summary is missing
    if question.ask is questions.Ask.PROGRAM and not question.sure:
        if person.is_restricted:
            return None  # a guest learns nothing of which programs exist
        found = asked.named_program(session, person=person, question=question)
        return question._replace(ref=found.key, sure=True) if found else None
    return question


def _prompt_waits(session: Session, *, person: Person, prompt_thread: bool) -> bool:
    return prompt_thread or bool(
        replies.pending_for(session, team_id=person.team_id, user_id=person.user_id)
    )


def _standup_answer(
    session: Session, *, person: Person, text: str, now: datetime
) -> Message | None:
    """A stand-up answer (one line per question), or None when the DM is not one."""
    team, user = person.team_id, person.user_id
    runs = standups.awaiting(session, team_id=team, user_id=user, now=now)
    if not runs:
        return None
    prompted = bool(replies.pending_for(session, team_id=team, user_id=user))
    if prompted and replies.parse(text) is not None:
        return None
    fitting = [(r, s) for r, s in runs if standups.split_reply(text, len(s.questions))]
    if not fitting:
        return None if prompted else standup_blocks.reply_hint(runs[0][1], run_id=runs[0][0].id)
    if len(fitting) > 1:
        return standup_blocks.which_standup([(run.id, standup) for run, standup in fitting])
    run, standup = fitting[0]
    texts = standups.split_reply(text, len(standup.questions)) or []
    standups.save_answer(session, run=run, standup=standup, user_id=user, texts=texts, now=now)
    return standup_blocks.receipt(standup, run_id=run.id, closes_at=run.closes_at)


def _status_answer(
    session: Session,
    *,
    person: Person,
    workspace: Workspace,
    text: str,
    thread_ts: str | None,
    now: datetime,
) -> Message:
    team, user = person.team_id, person.user_id
    if thread_ts:
        found = replies.prompt_in_thread(session, team_id=team, user_id=user, thread_ts=thread_ts)
        candidates = [found] if found else []
    else:
        candidates = replies.pending_for(session, team_id=team, user_id=user)
    parsed = replies.parse(text)
    if not candidates and parsed is None:
        return question_blocks.dm_help(guest=person.is_restricted, unclear=text)
    if not candidates:
        raise UserError(NO_PROMPT, echo=text)
    if parsed is None:
        return prompt_blocks.need_rag_message(text)
    if len(candidates) > 1:
        held = replies.hold(session, person=person, text=text, reply=parsed, now=now)
        options = [(p.name[:60], choice_value(held.id, prompt.id)) for prompt, p in candidates]
        return prompt_blocks.choose_program_message(text, options)
    prompt, program = candidates[0]
    try:
        answered = replies.answer(
            session,
            prompt=prompt,
            program=program,
            author=person,
            reply=parsed,
            now=now,
            workspace=workspace,
        )
    except UserError as error:
        raise error.with_context(echo=text) from None
    return receipt(program, answered)


NO_PROMPT = (
    "No status prompt is waiting for your answer, so I stored nothing. To report anyway: "
    "`/pmo status <program> <green|amber|red> <summary>`."
)


def receipt(program: Program, answered: replies.Answered) -> Message:
    """The receipt of a stored reply: what was stored, late or not, the plan kept or missing."""
    return status_blocks.receipt(
        program,
        answered.update,
        needs_plan="NO_RECOVERY_PLAN" in program.flags,
        late_for=answered.late_for,
        kept_plan=answered.kept_plan,
    )


def choice_value(reply_id: int, prompt_id: int) -> str:
    """A "which program?" button's value: the held reply's id and the prompt's, not the text
    (a button value holds 2,000 characters; a reply may be longer)."""
    return json.dumps({"reply": reply_id, "prompt": prompt_id})


def _choice(value: str) -> tuple[int, int]:
    """The held reply and the prompt a button names (one from before replies were held names
    no reply: the DM itself is still in the person's history)."""
    try:
        choice = json.loads(value)
        ids = int(choice["reply"]), int(choice["prompt"])
    except (ValueError, KeyError, TypeError, RecursionError):  # crafted, or from before
        raise UserError(replies.HELD_GONE) from None
    if not all(0 < n < 10**18 for n in ids):
        raise UserError(replies.HELD_GONE)
    return ids


def answer_choice(
    session: Session, *, person: Person, workspace: Workspace, value: str, now: datetime
) -> Message:
    """The program picked for a reply sent while several prompts waited: store it there.

    Only the reply's author may pick, once; a refusal after that echoes the reply to them.
    """
    reply_id, prompt_id = _choice(value)
    held = replies.take_held(session, person=person, reply_id=reply_id, now=now)
    try:
        prompt = replies.get_prompt(
            session, team_id=person.team_id, prompt_id=prompt_id, person=person
        )
        program = replies.program_of(session, prompt=prompt)
        parsed = replies.parse(held.text)
        if parsed is None:  # it was read as a status when held
            return prompt_blocks.need_rag_message(held.text)
        answered = replies.answer(
            session,
            prompt=prompt,
            program=program,
            author=person,
            reply=parsed,
            now=now,
            workspace=workspace,
        )
    except UserError as error:
        error.with_context(echo=held.text)  # to its author: nothing they wrote is lost
        raise
    held.program_id = program.id
    return receipt(program, answered)
