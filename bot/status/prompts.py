"""Scheduled status work for one program slot: prompt, remind, flag overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Exists, Select, exists, select, update
from sqlalchemy.orm import Session

import bot.status.program_flags as program_flags
import bot.status.reports as status
from bot import outbox, programs, scheduling
from bot.blocks import prompts as render
from bot.cadence import next_due
from bot.dates import format_date
from bot.notify import direct_message, is_out_of_office, may_hear
from storage.db import insert_new
from storage.models import OutboxMessage, Person, Program, Prompt, ScheduledJob, Workspace
from storage.types import Flag, JobState, OutboxState, ProgramState, PromptState

# Work missed while the bot was down is done on the next pass if less late than this.
CATCH_UP = timedelta(hours=12)
PEOPLE_JOBS = frozenset({"prompt", "reminder", "snooze"})


# A slot whose prompt is skipped for these reasons has nothing left to do: its reminder and
# overdue check are retired with it. For other reasons (missed while the bot was down, a later
# slot asked instead, nobody to ask) the program still goes overdue for the PMO to see.
_NOTHING_LEFT = ("skipped: already updated", "skipped: program not active")


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Do one due job inside the caller's transaction; returns what happened, for the log.

    A skipped prompt retires its slot's reminder (and, when nothing is left to ask for, its
    overdue check) in the same transaction, so they are not claimed and run one by one.
    """
    note = _run_job(session, job=job, now=now, workspace=workspace)
    if job.kind == "prompt" and note.startswith("skipped"):
        kinds = ("reminder", "overdue") if note in _NOTHING_LEFT else ("reminder",)
        _retire(session, job=job, kinds=kinds, now=now, why=note)
    return note


def _retire(
    session: Session, *, job: ScheduledJob, kinds: tuple[str, ...], now: datetime, why: str
) -> None:
    session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.target_id == job.target_id,
            ScheduledJob.period == job.period,
            ScheduledJob.kind.in_(kinds),
            ScheduledJob.state == JobState.PENDING,
        )
        .values(state=JobState.SKIPPED, done_at=now, note=f"{why} (with its prompt)"[:200])
        .execution_options(synchronize_session=False)
    )


def _run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    if job.kind in PEOPLE_JOBS and now - job.due_at > CATCH_UP:
        return "skipped: missed while the bot was down"
    if job.kind == "snooze":
        return _snoozed_prompt(session, job=job, now=now, workspace=workspace)
    program = session.get(Program, job.target_id)
    if program is None or program.state != ProgramState.ACTIVE:
        return "skipped: program not active"
    if job.kind in PEOPLE_JOBS and _superseded(session, program=program, job=job, now=now):
        return "skipped: a later slot is due too; only the latest is asked"
    # Held while the job runs: the owner is read again (their calendar, their zone).
    owner = session.get(Person, (program.team_id, program.owner_id))  # noqa: F841
    if is_satisfied(session, program, slot=job.slot_at, workspace=workspace):
        return "skipped: already updated"
    runner = {"prompt": _prompt, "reminder": _remind, "overdue": _overdue}[job.kind]
    return runner(session, program=program, job=job, now=now, workspace=workspace)


def _superseded(session: Session, *, program: Program, job: ScheduledJob, now: datetime) -> bool:
    """Whether a later slot's prompt of the same program is due as well.

    After downtime a program may have several missed slots within the catch-up window; its
    owner is asked once, for the latest, not once per slot. (Only when the cadence has a
    slot after this one by `now` is there a prompt to look for.)
    """
    if program.timezone is not None:
        cadence = scheduling.cadence_of(program)
        try:
            after = next_due(
                cadence, after=job.slot_at, tz=program.timezone, anchor=program.start_date
            )
        except ValueError:
            after = None  # no next slot to compute: ask the database
        if after is not None and after > now:
            return False
    later = select(ScheduledJob.id).where(
        ScheduledJob.kind == "prompt",
        ScheduledJob.target_id == job.target_id,
        ScheduledJob.slot_at > job.slot_at,
        ScheduledJob.due_at <= now,
    )
    return session.scalar(later.limit(1)) is not None


def is_satisfied(
    session: Session, program: Program, *, slot: datetime, workspace: Workspace
) -> bool:
    """Whether an update arrived in the period the slot closes (or since).

    That period opens at the previous slot's deadline (slot + grace in the owner's working
    time), not at the previous slot: an update answers the first deadline it comes before,
    so the answer to last week's prompt does not also satisfy this week's.
    """
    if program.last_update_at is None:
        return False
    previous = scheduling.previous_slot(program, slot, workspace)
    opened = program.created_at
    if previous is not None:
        deadline = min(scheduling.overdue_at(session, program, previous, workspace), slot)
        opened = max(deadline, program.created_at)
    # `>=`: an update in the very instant the program was registered counts for it.
    return program.last_update_at >= opened


def recipients(
    session: Session, *, program: Program, workspace: Workspace, now: datetime
) -> tuple[list[str], str | None]:
    """Who is asked: the owner, or their delegates while the owner is out of office."""
    owner = session.get(Person, (program.team_id, program.owner_id))
    if owner is None or not is_out_of_office(owner, now=now, workspace=workspace):
        return [program.owner_id], None
    delegates = programs.delegate_ids(session, program_id=program.id)
    return [
        d for d in delegates if may_hear(session, team_id=program.team_id, user_id=d)
    ], program.owner_id


def _prompt_id(
    session: Session, *, program: Program, user_id: str, period: str, slot: datetime, now: datetime
) -> int:
    """The recipient's prompt for this period, created the first time it is asked (in one
    statement: a pass asks hundreds)."""
    row = {
        "team_id": program.team_id,
        "program_id": program.id,
        "user_id": user_id,
        "period": period,
        "slot_at": slot,
        "state": PromptState.PENDING,
        "created_at": now,
    }
    created = insert_new(session, Prompt, [row], returning=Prompt.id)
    if created:
        return int(created[0])
    existing = session.scalar(
        select(Prompt.id).where(
            Prompt.program_id == program.id, Prompt.period == period, Prompt.user_id == user_id
        )
    )
    assert existing is not None
    return existing


def _prompt(
    session: Session, *, program: Program, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    users, covering = recipients(session, program=program, workspace=workspace, now=now)
    if not users:
        return "skipped: owner out of office and no delegates"
    for user_id in users:
        ask(
            session,
            program=program,
            user_id=user_id,
            period=job.period,
            slot=job.slot_at,
            now=now,
            workspace=workspace,
            covering_for=covering,
        )
    return f"prompted {', '.join(users)}"


def ask(
    session: Session,
    *,
    program: Program,
    user_id: str,
    period: str,
    slot: datetime,
    now: datetime,
    workspace: Workspace,
    covering_for: str | None = None,
) -> int:
    """Record a prompt and queue its DM for the recipient's messaging window; its id."""
    prompt_id = _prompt_id(
        session, program=program, user_id=user_id, period=period, slot=slot, now=now
    )
    payload = render.prompt_message(
        program,
        prompt_id=prompt_id,
        now=now,
        last=status.last_status(program),
        covering_for=covering_for,
    )
    message = direct_message(
        session,
        workspace=workspace,
        user_id=user_id,
        now=now,
        key=f"prompt:{prompt_id}:{now.isoformat()}",
        payload=payload,
        purpose=f"prompt:{prompt_id}",
        zone=program.timezone,
    )
    # ("evaluate": a Prompt loaded in this session, as a snoozed one is, sees the new id)
    session.execute(update(Prompt).where(Prompt.id == prompt_id).values(outbox_id=message))
    return prompt_id


def _remind(
    session: Session, *, program: Program, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    pending = list(
        session.scalars(
            select(Prompt).where(
                Prompt.program_id == program.id,
                Prompt.period == job.period,
                Prompt.state == PromptState.PENDING,
            )
        )
    )
    # A prompt sent late (caught up after downtime) stands in for its reminder: only one
    # sent in the first half of the time from slot to reminder is reminded.
    halfway = job.slot_at + (job.due_at - job.slot_at) / 2
    pending = [prompt for prompt in pending if prompt.created_at <= halfway]
    due = format_date(scheduling.slot_local_date(program, job.slot_at, workspace))
    for prompt in pending:
        direct_message(
            session,
            workspace=workspace,
            user_id=prompt.user_id,
            now=now,
            key=f"reminder:{prompt.id}",
            payload=render.reminder_message(program, prompt_id=prompt.id, due=due),
            purpose=f"reminder:{prompt.id}",
            zone=program.timezone,
        )
    return f"reminded {len(pending)}"


def _overdue(
    session: Session, *, program: Program, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    due = format_date(scheduling.slot_local_date(program, job.slot_at, workspace))
    overdue = f"no status update since it was due {due}"
    previous = scheduling.previous_slot(program, job.slot_at, workspace)
    last = program.last_update_at or program.created_at
    stale = None
    if previous is not None and last <= previous and program.created_at <= previous:
        stale = "no update for two cadence periods"
    asked = session.scalar(
        select(Prompt.id)
        .where(Prompt.program_id == program.id, Prompt.period == job.period)
        .limit(1)
    )
    program_flags.refresh(
        session,
        program=program,
        now=now,
        workspace=workspace,
        scheduled={Flag.OVERDUE_UPDATE: overdue, Flag.STALE: stale},
        owner_asked=asked is not None,
    )
    session.execute(
        update(Prompt)
        .where(
            Prompt.program_id == program.id,
            Prompt.period == job.period,
            Prompt.state == PromptState.PENDING,
        )
        .values(state=PromptState.EXPIRED)
    )
    return "flagged overdue" + (" and stale" if stale else "")


def _snoozed_prompt(
    session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace
) -> str:
    prompt = session.get(Prompt, job.target_id)
    if prompt is None or prompt.state != PromptState.SNOOZED:
        return "skipped: answered meanwhile"
    program = session.get(Program, prompt.program_id)
    assert program is not None
    if program.state != ProgramState.ACTIVE or is_satisfied(
        session, program, slot=prompt.slot_at, workspace=workspace
    ):
        return "skipped: already updated"
    prompt.state = PromptState.PENDING
    ask(
        session,
        program=program,
        user_id=prompt.user_id,
        period=prompt.period,
        slot=prompt.slot_at,
        now=now,
        workspace=workspace,
    )
    return f"prompted {prompt.user_id} again"


GONE = ("user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot")


def _unreachable_query() -> Select[tuple[Prompt, str | None]]:
    """Prompts still waiting whose DM Slack refused because the person is gone."""
    return (
        select(Prompt, OutboxMessage.error)
        .join(OutboxMessage, OutboxMessage.id == Prompt.outbox_id)
        .where(
            Prompt.state == PromptState.PENDING,
            OutboxMessage.state == OutboxState.FAILED,
            OutboxMessage.error.in_(GONE),
        )
    )


def unreachable_waiting() -> Exists:
    """Whether `report_unreachable` has anything to report (for the pass's first look):
    asked from the few failed messages, not from the many waiting prompts."""
    waiting = exists().where(
        Prompt.outbox_id == OutboxMessage.id, Prompt.state == PromptState.PENDING
    )
    return exists().where(
        OutboxMessage.state == OutboxState.FAILED, OutboxMessage.error.in_(GONE), waiting
    )


def report_unreachable(session: Session, *, now: datetime) -> list[str]:
    """Tell the PMO channel, once per program and person, about prompts Slack refused."""
    rows = session.execute(_unreachable_query()).tuples().all()
    said = []
    for prompt, error in rows:
        prompt.state = PromptState.UNREACHABLE  # fits the 12-character state column
        program = session.get(Program, prompt.program_id)
        workspace = session.get(Workspace, prompt.team_id)
        if program is None or workspace is None or workspace.pmo_channel_id is None:
            continue
        outbox.enqueue(
            session,
            team_id=program.team_id,
            channel=workspace.pmo_channel_id,
            key=f"owner-gone:{program.id}:{prompt.user_id}",
            now=now,
            payload=render.owner_gone_message(
                program, user_id=prompt.user_id, error=error or "error"
            ),
        )
        said.append(f"reported unreachable {prompt.user_id} for {program.key}")
    return said
