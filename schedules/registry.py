"""What the dispatcher schedules: the sources of due slots, and a runner per job kind.

A feature with time-driven work adds a `SlotSource` (rows with an indexed `next_due_at`
whose slots `schedules.slots` turns into jobs; the feature says only when its slots fall and
which jobs a slot brings) and the runners of the job kinds it creates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import digest_post, raid_owners, scheduling, standups
from bot.meetings import actions as meeting_actions
from bot.meetings import minutes as meeting_minutes
from bot.meetings import past_by as meeting_past_by
from bot.meetings import plans as meeting_plans
from bot.meetings import prepare as meeting_prepare
from bot.status import prompts
from schedules.slots import SlotSource
from storage.models import (
    DigestSubscription,
    Meeting,
    Program,
    ScheduledJob,
    Standup,
    Workspace,
)

JobRunner = Callable[..., str]  # (session, *, job, now, workspace) -> what happened

SOURCES: list[SlotSource[Any]] = [
    SlotSource(
        name="program",
        model=Program,
        live=Program.state == "active",
        schedule=scheduling.slot_schedule,
        jobs=scheduling.slot_jobs,
        label=lambda program: f"the status slot of {program.key}",
        preload=scheduling.preload,
    ),
    SlotSource(
        name="digest",
        model=DigestSubscription,
        live=DigestSubscription.removed_at.is_(None),
        schedule=digest_post.slot_schedule,
        jobs=digest_post.slot_jobs,
        label=lambda sub: f"the digest for <#{sub.channel_id}>",
    ),
    SlotSource(
        name="standup",
        model=Standup,
        live=Standup.removed_at.is_(None) & Standup.paused_at.is_(None),
        schedule=standups.slot_schedule,
        jobs=standups.slot_jobs,
        label=lambda standup: f"the stand-up in {standup.channel_id}",
    ),
    SlotSource(
        name="meeting",
        model=Meeting,
        live=Meeting.removed_at.is_(None),
        schedule=meeting_plans.slot_schedule,
        jobs=meeting_plans.slot_jobs,
        label=lambda meeting: f"the meeting in {meeting.channel_id}",
        lead=meeting_plans.LEAD,  # its pre-read DMs go a working day before it starts
    ),
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
    raid_owners.DUE: raid_owners.run_job,
    raid_owners.OVERDUE: raid_owners.run_job,
    meeting_plans.CLOSE: meeting_minutes.run_job,
    meeting_plans.PREREAD: meeting_prepare.run_job,
    meeting_plans.AGENDA: meeting_prepare.run_job,
    meeting_actions.DUE: meeting_actions.run_job,
    meeting_actions.OVERDUE: meeting_actions.run_job,
    meeting_past_by.KIND: meeting_past_by.run_job,
}


# Jobs that are late when they wait a pass: posted to channels at a stated time, or opening
# a meeting. They run before bulk work (reminders, overdue checks) in every pass.
TIME_CRITICAL = (
    "digest",
    standups.OPEN,
    standups.CLOSE,
    meeting_plans.PREREAD,
    meeting_plans.AGENDA,
    meeting_plans.CLOSE,
)


def run(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Run one job with the runner of its kind."""
    runner = RUNNERS.get(job.kind)
    if runner is None:
        return f"skipped: no runner for {job.kind!r}"
    return runner(session, job=job, now=now, workspace=workspace)
