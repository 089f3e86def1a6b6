"""What the dispatcher schedules: the sources of due slots, and a runner per job kind.

A feature with time-driven work adds a `SlotSource` (rows with an indexed `next_due_at`
that become jobs when it passes) and the runners of the job kinds it creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import digest_post, prompts, scheduling, standups
from storage.models import DigestSubscription, Program, ScheduledJob, Workspace

MAX_SLOTS_PER_ITEM = 60  # something down for months catches up slot by slot, bounded

JobRunner = Callable[..., str]  # (session, *, job, now, workspace) -> what happened


@dataclass(frozen=True)
class SlotSource:
    """Rows whose `next_due_at` has passed become jobs.

    Attributes:
        name: For logs ("program", "digest", "standup").
        due: The ids due at `now`, oldest first, at most `limit`.
        materialize: Inside a transaction: create the due slots' jobs and move
            `next_due_at` past `now`.
        describe: One line for a dry run ("the status slot of apollo due …").
    """

    name: str
    due: Callable[[Session, datetime, int], list[int]]
    materialize: Callable[[Session, int, datetime], None]
    describe: Callable[[Session, int], str]


def _due_programs(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(Program.id)
        .where(Program.state == "active", Program.next_due_at <= now)
        .order_by(Program.next_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _materialize_program(session: Session, program_id: int, now: datetime) -> None:
    program = session.get(Program, program_id)
    if program is None or program.next_due_at is None:
        return
    space = session.get(Workspace, program.team_id)
    if space is None:
        raise LookupError(f"program {program_id} has no workspace")
    for _ in range(MAX_SLOTS_PER_ITEM):
        if program.next_due_at is None or program.next_due_at > now:
            break
        scheduling.materialize(session, program=program, workspace=space)


def _describe_program(session: Session, program_id: int) -> str:
    program = session.get(Program, program_id)
    assert program is not None and program.next_due_at is not None
    return f"the status slot of {program.key} due {program.next_due_at:%Y-%m-%d %H:%M} UTC"


def _due_digests(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(DigestSubscription.id)
        .where(DigestSubscription.removed_at.is_(None), DigestSubscription.next_due_at <= now)
        .order_by(DigestSubscription.next_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _describe_digest(session: Session, subscription_id: int) -> str:
    sub = session.get(DigestSubscription, subscription_id)
    assert sub is not None and sub.next_due_at is not None
    return f"the digest for <#{sub.channel_id}> due {sub.next_due_at:%Y-%m-%d %H:%M} UTC"


SOURCES: list[SlotSource] = [
    SlotSource("program", _due_programs, _materialize_program, _describe_program),
    SlotSource("digest", _due_digests, digest_post.materialize, _describe_digest),
    SlotSource("standup", standups.due_ids, standups.materialize, standups.describe),
]

RUNNERS: dict[str, JobRunner] = {
    "prompt": prompts.run_job,
    "reminder": prompts.run_job,
    "overdue": prompts.run_job,
    "snooze": prompts.run_job,
    "digest": digest_post.run_job,
    standups.OPEN: standups.run_job,
    standups.REMIND: standups.run_job,
    standups.CLOSE: standups.run_job,
}


def run(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Run one job with the runner of its kind."""
    runner = RUNNERS.get(job.kind)
    if runner is None:
        return f"skipped: no runner for {job.kind!r}"
    return runner(session, job=job, now=now, workspace=workspace)
