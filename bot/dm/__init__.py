"""What a direct message to the bot means: a status reply, a stand-up answer, or a question.

The one routing rule, in order:
1. A message that is no status (no RAG word leads it) but a question (`apollo?`, `what's
   red`, `my risks`, `help`: see `bot.dm.questions`) is answered, wherever it is written.
   A bare RAG word (`red`) is a status without its summary while a prompt waits, and the
   question "what is red?" otherwise; a bare word is a question only if it names a program.
2. A reply in a status prompt's thread answers that prompt.
3. While a stand-up run waits for the person, a message with one line per question is their
   answer (unless a status prompt waits too and the message starts with a RAG word); in the
   thread of one stand-up's question, it answers that one.
4. Otherwise it answers the one pending status prompt (a late one, after its program went
   overdue, counts); with several pending the person picks the program with buttons, and
   without a RAG word they are asked for one (nothing guessed). With no prompt waiting, a
   status is told how to report and anything else gets the short help.

An edit of a DM within 24 h (`answer` with `edit_delay`) corrects what the DM was stored as
(`bot.dm.edits`): the status update and its receipt, or the reply held for a pick; an edit of
a DM that stored nothing is read as if sent anew. An edit after 24 h changes nothing (the
author of a stored reply is told so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import outbox, standups
from bot.blocks import prompts as prompt_blocks
from bot.blocks import questions as question_blocks
from bot.blocks import standups as standup_blocks
from bot.blocks import status as status_blocks
from bot.commands import parse_rag_prefix, unescape
from bot.dm import asked, edits, questions
from bot.dm.edits import Sent
from bot.errors import UserError
from bot.status import replies
from storage.models import DmReply, Person, Program, Workspace

Message = dict[str, Any]
NO_PROMPT = (
    "No status prompt is waiting for your answer, so I stored nothing. To report anyway: "
    "`/pmo status <program> <green|amber|red> <summary>`."
)


@dataclass(frozen=True)
class _Dm:
    """One DM being read: who wrote it, where, when, and what (Slack's escaping decoded)."""

    session: Session
    person: Person
    workspace: Workspace
    text: str
    thread_ts: str | None
    now: datetime
    sent: Sent | None

    @property
    def team(self) -> str:
        return self.person.team_id

    @property
    def user(self) -> str:
        return self.person.user_id


def answer(
    session: Session,
    *,
    person: Person,
    workspace: Workspace,
    text: str,
    thread_ts: str | None,
    now: datetime,
    sent: Sent | None = None,
    edit_delay: timedelta | None = None,
) -> Message | None:
    """Store what a DM answers, or answer what it asks; the reply to post in its thread.

    Args:
        sent: Where the DM is and its reply's outbox key: a DM stored as a status update is
            remembered with its receipt, for its edits.
        edit_delay: The DM is an edit of `sent`, made this long after it was sent.

    Returns:
        The reply; None when there is nothing to say (an edit redrew its receipt in place).
    """
    # Stored as typed; every renderer escapes it (blocks.common.escape).
    dm = _Dm(session, person, workspace, unescape(text), thread_ts, now, sent)
    if edit_delay is not None and sent is not None:
        return _reread(dm, sent=sent, edit_delay=edit_delay)
    return _read(dm)


def _read(dm: _Dm) -> Message:
    prompt_thread = bool(
        dm.thread_ts
        and replies.prompt_in_thread(
            dm.session, team_id=dm.team, user_id=dm.user, thread_ts=dm.thread_ts
        )
    )
    question = _question(dm, prompt_thread=prompt_thread)
    if question is not None:
        try:
            return asked.answer(
                dm.session, person=dm.person, workspace=dm.workspace, question=question, now=dm.now
            )
        except UserError as error:
            raise error.with_context(echo=dm.text) from None
    if not prompt_thread and not dm.person.is_restricted:  # guests take part in no stand-up
        standup_reply = _standup_answer(dm)
        if standup_reply is not None:
            return standup_reply
    return _status_answer(dm)


def _question(dm: _Dm, *, prompt_thread: bool) -> questions.Question | None:
    """The question a DM asks, when it is one and no status (see the module's rule 1)."""
    if replies.parse(dm.text) is not None:
        return None
    question = questions.read(dm.text)
    if question is None:
        return None
    if parse_rag_prefix(dm.text.strip()) and not question.asked and (prompt_thread or _waiting(dm)):
        return None  # `red` answering a prompt: a status whose summary is missing
    if question.ask is questions.Ask.PROGRAM and not question.sure:
        if dm.person.is_restricted:
            return None  # a guest learns nothing of which programs exist
        found = asked.named_program(dm.session, person=dm.person, question=question)
        return question._replace(ref=found.key, sure=True) if found else None
    return question


def _standup_answer(dm: _Dm) -> Message | None:
    """A stand-up answer (one line per question), or None when the DM is not one."""
    runs = standups.awaiting(dm.session, team_id=dm.team, user_id=dm.user, now=dm.now)
    if dm.thread_ts:  # a reply in a stand-up's own thread can only mean that stand-up
        ids = [run.id for run, _ in runs]
        threaded = standups.run_in_thread(
            dm.session, team_id=dm.team, user_id=dm.user, thread_ts=dm.thread_ts, run_ids=ids
        )
        runs = [(run, standup) for run, standup in runs if run.id == threaded] or runs
    if not runs:
        return None
    prompted = bool(replies.pending_for(dm.session, team_id=dm.team, user_id=dm.user))
    if prompted and replies.parse(dm.text) is not None:
        return None
    fitting = [(r, s) for r, s in runs if standups.split_reply(dm.text, len(s.questions))]
    if not fitting:
        return None if prompted else standup_blocks.reply_hint(runs[0][1], run_id=runs[0][0].id)
    if len(fitting) > 1:
        return standup_blocks.which_standup([(run.id, standup) for run, standup in fitting])
    run, standup = fitting[0]
    texts = standups.split_reply(dm.text, len(standup.questions)) or []
    standups.save_answer(
        dm.session, run=run, standup=standup, user_id=dm.user, texts=texts, now=dm.now
    )
    return standup_blocks.receipt(standup, run_id=run.id, closes_at=run.closes_at)


def _status_answer(dm: _Dm) -> Message:
    candidates = _waiting(dm)
    parsed = replies.parse(dm.text)
    if not candidates and parsed is None:
        return question_blocks.dm_help(guest=dm.person.is_restricted, unclear=dm.text)
    if not candidates:
        raise UserError(NO_PROMPT, echo=dm.text)
    if parsed is None:
        return prompt_blocks.need_rag_message(dm.text)
    if len(candidates) > 1:
        return _which_program(dm, parsed, candidates)
    prompt, program = candidates[0]
    try:
        answered = replies.answer(
            dm.session,
            prompt=prompt,
            program=program,
            author=dm.person,
            reply=parsed,
            now=dm.now,
            workspace=dm.workspace,
        )
    except UserError as error:
        raise error.with_context(echo=dm.text) from None
    if dm.sent is not None:
        _remember(dm, channel_id=dm.sent.channel_id, ts=dm.sent.ts, answered=answered)
    return receipt(program, answered)


def _waiting(dm: _Dm) -> list[replies.WaitingPrompt]:
    """The prompts a reply may answer: its thread's, else every one waiting for the person."""
    if dm.thread_ts:
        found = replies.prompt_in_thread(
            dm.session, team_id=dm.team, user_id=dm.user, thread_ts=dm.thread_ts
        )
        return [found] if found else []
    return replies.pending_for(dm.session, team_id=dm.team, user_id=dm.user)


def _which_program(
    dm: _Dm, parsed: replies.ParsedReply, candidates: list[replies.WaitingPrompt]
) -> Message:
    """Hold the reply, whole, and ask which program it is for."""
    where = {"channel_id": dm.sent.channel_id, "message_ts": dm.sent.ts} if dm.sent else {}
    held = replies.hold(
        dm.session, person=dm.person, text=dm.text, reply=parsed, now=dm.now, **where
    )
    options = [(p.name[:60], choice_value(held.id, prompt.id)) for prompt, p in candidates]
    return prompt_blocks.choose_program_message(dm.text, options)


def _remember(dm: _Dm, *, channel_id: str, ts: str, answered: replies.Answered) -> None:
    """Note what the DM became, for its edits; its receipt is the reply to `dm.sent`, or
    (without one) ephemeral, which can't be redrawn."""
    edits.remember(
        dm.session,
        person=dm.person,
        channel_id=channel_id,
        ts=ts,
        answered=answered,
        receipt_key=None if dm.sent is None else dm.sent.reply_key,
        now=dm.now,
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
    if held.channel_id and held.message_ts:  # its receipt is ephemeral: an edit posts anew
        dm = _Dm(session, person, workspace, held.text, None, now, None)
        _remember(dm, channel_id=held.channel_id, ts=held.message_ts, answered=answered)
    return receipt(program, answered)


def _reread(dm: _Dm, *, sent: Sent, edit_delay: timedelta) -> Message | None:
    """An edit of a DM: correct what it was stored as, or read it anew (see the module)."""
    stored = edits.stored_from(dm.session, person=dm.person, sent=sent)
    if edit_delay > edits.EDIT_WINDOW:
        if stored is not None:
            raise UserError(edits.TOO_LATE, echo=dm.text)
        return None  # an old message edited, nothing stored from it: nothing to do
    if stored is not None:
        return _correct(dm, stored=stored, sent=sent)
    held = edits.held_from(dm.session, person=dm.person, sent=sent)
    if held is not None:
        edits.replace_held(held, text=dm.text, now=dm.now)
        return prompt_blocks.held_edited_message()
    return _read(dm)


def _correct(dm: _Dm, *, stored: DmReply, sent: Sent) -> Message | None:
    """Edit the stored update; redraw its receipt in place (or post one, if it had none)."""
    corrected = edits.correct(
        dm.session,
        person=dm.person,
        workspace=dm.workspace,
        stored=stored,
        text=dm.text,
        now=dm.now,
    )
    if corrected is None:
        return None
    shown = receipt(*corrected)
    if stored.receipt_key is None:
        return shown
    outbox.enqueue(
        dm.session,
        team_id=dm.team,
        channel=stored.channel_id,
        key=f"{sent.reply_key}:receipt",
        now=dm.now,
        payload={**shown, outbox.UPDATE_OF: stored.receipt_key},
    )
    return None
