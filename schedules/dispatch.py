"""`dispatch_due(now)`: one scheduler pass. The same code runs in-process and in `pmo-bot tick`.

A pass (1) turns due status slots into jobs, (2) runs due jobs, (3) rechecks flags whose
time has come, (4) announces the flag changes of (2) and (3) to each workspace's PMO channel
in one message, (5) reports owners Slack says are gone, and (6) sends queued messages whose
time has come. Each item is its own short transaction, claimed before anything is sent, and
no transaction stays open across a Slack call. On PostgreSQL the pass holds an advisory lock,
so replicas take turns instead of contending; the claims make each item happen once anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import exists, func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, outbox, scheduling
from bot.blocks.common import plural
from bot.status import flag_alerts, program_flags, prompts
from schedules import registry, slots
from storage.models import FlagTransition, Program, ScheduledJob, Workspace

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x504D4F  # "PMO"
BATCH = 500
SLOT_CHUNK = 100  # rows whose slots open in one transaction
JOB_CHUNK = 25  # bulk jobs run in one transaction
PROGRAM_JOBS = frozenset({"prompt", "reminder", "overdue"})  # their target is a program


@dataclass
class PassReport:
    """What a pass did (or, dry, would do)."""

    now: datetime
    actions: list[str] = field(default_factory=list)
    sent: int = 0
    skipped_lock: bool = False

    def add(self, line: str) -> None:
        """Record one thing done."""
        self.actions.append(line)


def dispatch_due(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: datetime,
    dry_run: bool = False,
    budget: timedelta = timedelta(seconds=50),
) -> PassReport:
    """Do all work due at `now`; with `dry_run`, only say what would be done.

    Args:
        budget: Wall-clock time the pass may spend sending; what is left is due next pass.
    """
    report = PassReport(now=now)
    with _pass_lock(sessions) as acquired:
        if not acquired:
            report.skipped_lock = True
            return report
        if dry_run:
            _preview(sessions, now=now, report=report)
            return report
        if not _anything_due(sessions, now=now):
            return report  # the common case, a minute at a time: one query
        deadline = datetime.now(UTC) + budget
        _materialize_slots(sessions, now=now, report=report)
        _run_jobs(sessions, now=now, report=report)
        _recheck_flags(sessions, now=now, report=report)
        _announce_flag_changes(sessions, now=now, report=report)
        report.sent = outbox.deliver_pending(
            sessions, client, now=now, deadline=deadline, limit=BATCH * 4
        )
        if _report_unreachable(sessions, now=now, report=report):
            # Owners Slack refused just now: tell the PMO channel in this same pass.
            report.sent += outbox.deliver_pending(sessions, client, now=now, deadline=deadline)
    return report


def _anything_due(sessions: sessionmaker[Session], *, now: datetime) -> bool:
    """Whether any step of the pass has work at `now`, asked in one statement.

    Most passes find nothing; answering that with one query (instead of one per step, each
    in its own transaction) keeps them cheap however many programs there are.
    """
    checks = [
        exists().where(source.live, source.model.next_due_at <= source.horizon(now))
        for source in registry.SOURCES
    ]
    checks += [
        exists().where(ScheduledJob.state == "pending", ScheduledJob.due_at <= now),
        exists().where(Program.flags_recheck_at <= now),
        exists().where(FlagTransition.announced_at.is_(None)),
        exists().where(outbox.deliverable(now)),
        prompts.unreachable_waiting(),
    ]
    with sessions() as session:
        return bool(session.scalar(select(or_(*checks))))


@contextmanager
def _pass_lock(sessions: sessionmaker[Session]) -> Iterator[bool]:
    """PostgreSQL: one pass at a time across replicas. SQLite: claims serialise anyway."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        acquired = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
        )
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                connection.commit()


def _materialize_slots(
    sessions: sessionmaker[Session], *, now: datetime, report: PassReport
) -> None:
    for source in registry.SOURCES:
        with sessions() as session:
            due = slots.due_ids(session, source=source, now=now, limit=BATCH)
        for start in range(0, len(due), SLOT_CHUNK):
            chunk = due[start : start + SLOT_CHUNK]
            try:
                with sessions.begin() as session:
                    opened = slots.materialize_batch(
                        session, source=source, item_ids=chunk, now=now
                    )
            except Exception:  # the database refused the batch: one row at a time, then
                log.exception("slot batch failed", extra={"fields": {source.name: chunk[0]}})
                opened = _materialize_each(sessions, source=source, item_ids=chunk, now=now)
            for item_id in opened:
                report.add(f"slot due: {source.name} {item_id}")


def _materialize_each(
    sessions: sessionmaker[Session],
    *,
    source: slots.SlotSource[Any],
    item_ids: list[int],
    now: datetime,
) -> list[int]:
    opened = []
    for item_id in item_ids:
        try:
            with sessions.begin() as session:
                slots.materialize_slots(session, source=source, item_id=item_id, now=now)
        except Exception:  # one bad item (say, an unknown zone) must not stop the pass
            log.exception("slot failed", extra={"fields": {source.name: item_id}})
            continue
        opened.append(item_id)
    return opened


def _run_jobs(sessions: sessionmaker[Session], *, now: datetime, report: PassReport) -> None:
    """Run due jobs: the time-critical kinds first, then the rest, oldest first, one batch.

    A digest or a stand-up opening must go out in the first pass after it is due, however
    many reminders and overdue checks are due with it. Time-critical jobs run one per
    transaction; the bulk (prompts, reminders, overdue checks…) `JOB_CHUNK` per transaction,
    each still claimed on its own, and a chunk that fails is run again one job at a time.
    """
    urgent: list[int] = []
    bulk: list[tuple[int, str, int]] = []
    with sessions() as session:
        critical = ScheduledJob.kind.in_(registry.TIME_CRITICAL)
        waiting = (ScheduledJob.state == "pending", ScheduledJob.due_at <= now)
        order = (ScheduledJob.due_at, ScheduledJob.id)
        urgent += session.scalars(
            select(ScheduledJob.id).where(*waiting, critical).order_by(*order).limit(BATCH)
        )
        bulk += session.execute(
            select(ScheduledJob.id, ScheduledJob.kind, ScheduledJob.target_id)
            .where(*waiting, ~critical)
            .order_by(*order)
            .limit(BATCH - len(urgent))
        ).tuples()
    for job_id in urgent:
        _run_alone(sessions, job_id, now=now, report=report)
    for start in range(0, len(bulk), JOB_CHUNK):
        chunk = bulk[start : start + JOB_CHUNK]
        try:
            done = _run_chunk(sessions, chunk, now=now)
        except Exception:  # someone's job failed: undo the chunk, then one at a time
            log.warning("job chunk failed; running its jobs one at a time", exc_info=True)
            for job_id, _, _ in chunk:
                _run_alone(sessions, job_id, now=now, report=report)
            continue
        for job, note in done:
            _report_job(report, job, note)


def _run_alone(
    sessions: sessionmaker[Session], job_id: int, *, now: datetime, report: PassReport
) -> None:
    try:
        with sessions.begin() as session:
            flag_alerts.defer_to_pass(session)
            done = _claim_and_run(session, job_id, now=now)
    except Exception:  # one bad item must not stop the pass; it stays pending
        log.exception("scheduled job failed", extra={"fields": {"job_id": job_id}})
        return
    if done is not None:
        _report_job(report, *done)


def _run_chunk(
    sessions: sessionmaker[Session], chunk: list[tuple[int, str, int]], *, now: datetime
) -> list[tuple[ScheduledJob, str]]:
    """Run a chunk of bulk jobs in one transaction, what they read of programs, owners and
    workspaces loaded up front (a few queries for the chunk, not several per job)."""
    with sessions.begin() as session:
        flag_alerts.defer_to_pass(session)
        program_ids = {target for _, kind, target in chunk if kind in PROGRAM_JOBS}
        programs = list(session.scalars(select(Program).where(Program.id.in_(program_ids))))
        # Held while the chunk runs, so the jobs find them in the session's identity map.
        held = [*programs, *scheduling.preload(session, programs)]
        done = []
        for job_id, _, _ in chunk:
            result = _claim_and_run(session, job_id, now=now)
            if result is not None:
                done.append(result)
        del held
        return done


def _claim_and_run(
    session: Session, job_id: int, *, now: datetime
) -> tuple[ScheduledJob, str] | None:
    """Claim one job (None: another pass has it) and run it in the caller's transaction."""
    job = session.scalars(
        update(ScheduledJob)
        .where(ScheduledJob.id == job_id, ScheduledJob.state == "pending")
        .values(state="done", done_at=now)
        .returning(ScheduledJob)
        .execution_options(synchronize_session=False)
    ).first()
    if job is None:
        return None
    space = session.get(Workspace, job.team_id)
    assert space is not None
    note = registry.run(session, job=job, now=now, workspace=space)
    job.note = note[:200]
    if note.startswith("skipped"):
        job.state = "skipped"
    return job, note


def _report_job(report: PassReport, job: ScheduledJob, note: str) -> None:
    report.add(f"{job.kind} {job.period} (target {job.target_id}): {note}")
    logs.event(log, "job done", kind=job.kind, target=job.target_id, period=job.period, note=note)


def _recheck_flags(sessions: sessionmaker[Session], *, now: datetime, report: PassReport) -> None:
    with sessions() as session:
        due = list(
            session.scalars(select(Program.id).where(Program.flags_recheck_at <= now).limit(BATCH))
        )
    for program_id in due:
        try:
            _recheck_program(sessions, program_id, now=now)
        except Exception:  # one bad program must not stop the pass
            log.exception("flag recheck failed", extra={"fields": {"program_id": program_id}})
            continue
        report.add(f"flags rechecked: program {program_id}")


def _recheck_program(sessions: sessionmaker[Session], program_id: int, *, now: datetime) -> None:
    with sessions.begin() as session:
        program = session.get(Program, program_id)
        if program is None or program.flags_recheck_at is None or program.flags_recheck_at > now:
            return
        space = session.get(Workspace, program.team_id)
        assert space is not None
        flag_alerts.defer_to_pass(session)
        program_flags.refresh(session, program=program, now=now, workspace=space)


def _announce_flag_changes(
    sessions: sessionmaker[Session], *, now: datetime, report: PassReport
) -> None:
    """Each workspace's flag changes not yet announced (this pass's, or an interrupted
    one's): one summary, in the transaction that marks them announced."""
    with sessions() as session:
        teams = flag_alerts.teams_waiting(session)
    for team_id in teams:
        try:
            with sessions.begin() as session:
                named = flag_alerts.announce_pass(session, team_id=team_id, now=now)
        except Exception:  # one workspace must not stop the others; it is tried next pass
            log.exception("flag summary failed", extra={"fields": {"team_id": team_id}})
            continue
        report.add(f"flag changes of {plural(named, 'program')} announced in {team_id}")


def _report_unreachable(
    sessions: sessionmaker[Session], *, now: datetime, report: PassReport
) -> bool:
    with sessions.begin() as session:
        lines = prompts.report_unreachable(session, now=now)
    for line in lines:
        report.add(line)
    return bool(lines)


def _preview(sessions: sessionmaker[Session], *, now: datetime, report: PassReport) -> None:
    with sessions() as session:
        for source in registry.SOURCES:
            for item_id in slots.due_ids(session, source=source, now=now, limit=BATCH):
                report.add(f"would open {slots.describe(session, source=source, item_id=item_id)}")
        for job in session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.state == "pending", ScheduledJob.due_at <= now)
            .limit(BATCH)
        ):
            report.add(f"would run {job.kind} {job.period} (target {job.target_id})")
        rechecks = session.scalar(
            select(func.count()).select_from(Program).where(Program.flags_recheck_at <= now)
        )
        if rechecks:
            programs = plural(rechecks, "program")
            report.add(f"would recheck the flags of {programs} whose dates passed")
        for team_id in flag_alerts.teams_waiting(session):
            report.add(f"would announce the flag changes waiting in {team_id}")
        waiting = outbox.pending_count(session, now=now)
        if waiting:
            report.add(f"would send {plural(waiting, 'queued message')}")
