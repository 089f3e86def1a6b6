"""The summary at close: blockers first, each person's answers, then who did not answer.

A blocker naming a program key becomes a blocking issue on that program. The summary's
outbox key is the run, so it is posted once.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import limits, outbox, raid, raid_owners
from bot.blocks import standups as render
from bot.cadence import slot_local
from bot.standups.answers import answers_by_user, missing
from bot.standups.facts import Blocker, Summary
from bot.standups.pausing import count_run
from bot.standups.timing import skip_reasons
from storage.models import Program, Standup, StandupAnswer, StandupRun, Workspace
from storage.types import ProgramState, RaidKind, StandupRunState

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEY_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def close_run(
    session: Session, *, standup: Standup, run: StandupRun, now: datetime, workspace: Workspace
) -> Summary | None:
    """Close an open run once: log its blockers as issues and post one summary.

    Returns:
        The summary, or None when the run was closed already (by a command or another process).
    """
    closed = session.execute(
        update(StandupRun)
        .where(StandupRun.id == run.id, StandupRun.state == StandupRunState.OPEN)
        .values(state=StandupRunState.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(run)
    if not closed:
        return None
    summary = _summarize(session, standup=standup, run=run, now=now, workspace=workspace)
    outbox.enqueue(
        session,
        team_id=standup.team_id,
        key=f"standup-summary:{run.id}",
        channel=standup.channel_id,
        now=now,
        payload=render.summary_message(summary),
    )
    count_run(session, standup=standup, run=run, answered=bool(summary.answers), now=now)
    return summary


def _summarize(
    session: Session, *, standup: Standup, run: StandupRun, now: datetime, workspace: Workspace
) -> Summary:
    """The summary of a closed run, its blockers logged as issues on the programs they name."""
    answers = answers_by_user(session, run=run)
    ordered = [answers[u] for u in standup.participants if u in answers]
    ordered += [a for u, a in answers.items() if u not in standup.participants]
    day = run_day(run, standup)
    return Summary(
        channel_id=standup.channel_id,
        day=day,
        live=run.live,
        blockers=[
            _log_blocker(session, standup=standup, answer=a, day=day, now=now, workspace=workspace)
            for a in ordered
            if a.blockers
        ],
        answers=[(a.user_id, [(str(p["q"]), str(p["a"])) for p in a.answers]) for a in ordered],
        missing=missing(session, standup=standup, run=run),
        skipped=skip_reasons(run),
    )


def run_day(run: StandupRun, standup: Standup) -> date:
    """The stand-up's date of a run: its slot's (a `local` run may open the evening before,
    in the stand-up's zone), or the date a live run opened on."""
    if not run.live and _ISO_DATE.match(run.period):
        return date.fromisoformat(run.period[:10])
    return slot_local(run.opened_at, standup.timezone).date()


def _log_blocker(
    session: Session,
    *,
    standup: Standup,
    answer: StandupAnswer,
    day: date,
    now: datetime,
    workspace: Workspace,
) -> Blocker:
    """A blocking issue on each program the blocker names by key (which flags it BLOCKED)."""
    text = answer.blockers or ""
    issues = []
    for program in named_programs(session, team_id=standup.team_id, text=text):
        item = raid.add(
            session,
            program=program,
            actor_id=answer.user_id,
            data=raid.RaidInput(
                title=text[: limits.RAID_TITLE.limit],  # the answer keeps it whole
                owner_id=answer.user_id,
                kind=RaidKind.ISSUE,
                blocking=True,
                description=f"Raised in the stand-up in <#{standup.channel_id}> on {day}.",
            ),
            now=now,
            workspace=workspace,
        )
        raid_owners.blocker_raised(
            session,
            item=item,
            program=program,
            raised_by=answer.user_id,
            channel_id=standup.channel_id,
            now=now,
            workspace=workspace,
        )
        issues.append((program.name, program.key, item.id))
    return Blocker(user_id=answer.user_id, text=text, issues=tuple(issues))


def named_programs(session: Session, *, team_id: str, text: str) -> list[Program]:
    """Active or paused programs whose key appears as a word in `text`."""
    words = set(_KEY_WORD.findall(text.lower()))
    words |= {part for word in words for part in word.split("-")}
    if not words:
        return []
    query = (
        select(Program)
        .where(
            Program.team_id == team_id,
            Program.key.in_(sorted(words)),
            Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
        )
        .order_by(Program.key)
        .limit(5)
    )
    return list(session.scalars(query))
