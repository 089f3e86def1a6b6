"""Answers: who is asked, what they answered (by modal or by a DM reply), and who has not.

Answers are editable until the run closes; a "none"-like answer to the blockers question
is no blocker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, limits
from bot.errors import PermissionDenied, UserError
from bot.standups.plans import blocker_index
from storage.db import insert_once
from storage.models import OutboxMessage, Standup, StandupAnswer, StandupRun
from storage.types import StandupRunState

# Answers to the blockers question that mean "no blocker".
_NO_BLOCKER = frozenset(
    {"none", "no", "nope", "nothing", "n/a", "na", "nil", "-", "no blockers", "no blocker"}
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


def awaiting(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> list[tuple[StandupRun, Standup]]:
    """Open runs this person takes part in, oldest first."""
    rows = session.execute(
        select(StandupRun, Standup)
        .join(Standup, Standup.id == StandupRun.standup_id)
        .where(
            Standup.team_id == team_id,
            StandupRun.state == StandupRunState.OPEN,
            StandupRun.closes_at > now,
        )
        .order_by(StandupRun.opened_at, StandupRun.id)
    ).tuples()
    return [(run, standup) for run, standup in rows if user_id in standup.participants]


def ask_key(run_id: int, user_id: str) -> str:
    """The outbox key of a run's question DM to a participant."""
    return f"standup-ask:{run_id}:{user_id}"


def remind_key(run_id: int, user_id: str) -> str:
    """The outbox key of a run's reminder DM to a participant."""
    return f"standup-remind:{run_id}:{user_id}"


def run_in_thread(
    session: Session, *, team_id: str, user_id: str, thread_ts: str, run_ids: Sequence[int]
) -> int | None:
    """Of `run_ids`, the run whose question (or reminder) DM to this person started the
    thread a reply was written in; None when the thread is none of theirs."""
    by_key = {key(run_id, user_id): run_id for run_id in run_ids for key in (ask_key, remind_key)}
    found = session.scalar(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.ts == thread_ts,
            OutboxMessage.dedupe_key.in_(by_key),
        )
    )
    return by_key.get(found) if found is not None else None


def get_run(
    session: Session, *, team_id: str, run_id: int, user_id: str
) -> tuple[StandupRun, Standup]:
    """A run and its stand-up, for one of its participants.

    Raises:
        UserError: No such run in this workspace, or the person does not take part.
    """
    run = session.get(StandupRun, run_id)
    if run is None or run.team_id != team_id:
        raise UserError("That stand-up no longer exists.")
    standup = session.get(Standup, run.standup_id)
    assert standup is not None
    if user_id not in standup.participants:
        raise PermissionDenied(
            f"You're not a participant of the stand-up in <#{standup.channel_id}>."
        )
    return run, standup


def previous_answer(session: Session, *, run: StandupRun, user_id: str) -> list[str] | None:
    """What the person answered in this run so far, to prefill an edit."""
    answer = answers_by_user(session, run=run).get(user_id)
    return None if answer is None else [str(pair["a"]) for pair in answer.answers]


def split_reply(text: str, count: int) -> list[str] | None:
    """A DM reply as one answer per line (bullets and numbering dropped), if it has `count`."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    answers = [line for line in lines if line]
    return answers if len(answers) == count else None


def save_answer(
    session: Session,
    *,
    run: StandupRun,
    standup: Standup,
    user_id: str,
    texts: Sequence[str | None],
    now: datetime,
) -> StandupAnswer:
    """Store (or replace) a participant's answers, until the run closes.

    Raises:
        UserError: The run has closed, an answer is missing (on its field `q<n>`).
    """
    if run.state != StandupRunState.OPEN or now >= run.closes_at:
        raise UserError(
            f"The stand-up in <#{standup.channel_id}> has closed, so I couldn't take this "
            "answer. Tell the channel directly.",
            field="q0",
        )
    pairs, blockers = _checked_answers(standup.questions, texts)
    answer = _answer_row(session, run=run, user_id=user_id, now=now)
    before = _audited(answer)
    answer.answers, answer.blockers, answer.updated_at = pairs, blockers, now
    audit.record(
        session,
        answer,
        actor_id=user_id,
        action="answer",
        now=now,
        before=before,
        after=_audited(answer),
    )
    return answer


def _audited(answer: StandupAnswer) -> dict[str, object]:
    # A mapping, not the list of pairs: the audit log sorts lists, and answers have an order.
    return {"answers": {str(p["q"]): p["a"] for p in answer.answers}, "blockers": answer.blockers}


def _checked_answers(
    questions: Sequence[str], texts: Sequence[str | None]
) -> tuple[list[dict[str, str]], str | None]:
    """(question, answer) pairs and the blocker; every question but the blockers one needs one."""
    blockers_at = blocker_index(questions)
    cleaned = [" ".join((text or "").split()) for text in texts]
    cleaned += [""] * (len(questions) - len(cleaned))
    for index, text in enumerate(cleaned[: len(questions)]):
        if not text and index != blockers_at:
            raise UserError("Answer this question.", field=f"q{index}")
        limits.check(limits.STANDUP_ANSWER, text, block_id=f"q{index}")
    pairs = [{"q": q, "a": a} for q, a in zip(questions, cleaned, strict=False)]
    return pairs, _blocker(cleaned[blockers_at]) if blockers_at is not None else None


def _answer_row(session: Session, *, run: StandupRun, user_id: str, now: datetime) -> StandupAnswer:
    """The person's answer row in this run, created once even under a double submission."""
    query = select(StandupAnswer).where(
        StandupAnswer.run_id == run.id, StandupAnswer.user_id == user_id
    )
    existing = session.scalar(query)
    if existing is not None:
        return existing
    row = StandupAnswer(
        team_id=run.team_id,
        run_id=run.id,
        user_id=user_id,
        answers=[],
        submitted_at=now,
        updated_at=now,
    )
    if insert_once(session, row):
        return row
    return session.scalars(query).one()


def _blocker(text: str | None) -> str | None:
    if not text or text.lower().strip(" .!") in _NO_BLOCKER:
        return None
    return text


def answers_by_user(session: Session, *, run: StandupRun) -> dict[str, StandupAnswer]:
    """The run's answers by participant, in the order they were first given."""
    query = select(StandupAnswer).where(StandupAnswer.run_id == run.id)
    return {answer.user_id: answer for answer in session.scalars(query.order_by(StandupAnswer.id))}


def missing(session: Session, *, standup: Standup, run: StandupRun) -> list[str]:
    """Participants asked in this run who have not answered yet."""
    answered = set(answers_by_user(session, run=run))
    return [u for u in standup.participants if u not in answered and u not in run.skipped]


def open_run(
    session: Session, *, team_id: str, run_id: int, user_id: str, now: datetime
) -> tuple[StandupRun, Standup]:
    """A run a participant may still answer (its *Answer* button)."""
    run, standup = get_run(session, team_id=team_id, run_id=run_id, user_id=user_id)
    if run.state != "open" or now >= run.closes_at:
        raise UserError(f"The stand-up in <#{standup.channel_id}> has closed.")
    return run, standup
