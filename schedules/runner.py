"""The in-process scheduler: APScheduler calls one dispatch pass a minute.

The schedule itself lives in the database (`next_due_at`, jobs, the outbox); APScheduler only
provides the heartbeat. One interval job, one instance at a time, coalesced: a pass that
overruns or a process that was suspended leads to one catch-up pass, never a burst. The
misfire grace is minutes, not APScheduler's 1 s default, so a busy moment does not drop a pass.
`pmo-bot tick` runs the same `run_pass` once, from outside.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot import logs
from bot.clock import Clock
from bot.runtime.server import Health
from schedules.dispatch import PassReport, dispatch_due

log = logging.getLogger(__name__)
JOB_ID = "dispatch_due"
INTERVAL_SECONDS = 60
MISFIRE_GRACE_SECONDS = 120


def run_pass(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: datetime,
    dry_run: bool = False,
) -> PassReport:
    """Run one dispatch pass as of `now` and log it as one event.

    Args:
        sessions: The session factory of the bot's database.
        client: The scheduler's Web API client (with the rate-limit retry handler).
        now: What the pass considers the current instant (aware).
        dry_run: Only report what would be done; change and send nothing.

    Returns:
        What the pass did (or, dry, would do).
    """
    started = time.monotonic()
    report = dispatch_due(sessions, client, now=now, dry_run=dry_run)
    logs.event(
        log,
        "scheduler pass",
        now=now.isoformat(),
        dry_run=dry_run,
        actions=len(report.actions),
        sent=report.sent,
        skipped_lock=report.skipped_lock,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
    return report


class SchedulerRunner:
    """Runs `run_pass` every minute on a background thread and reports it to `/healthz`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: WebClient,
        clock: Clock,
        health: Health,
        *,
        interval: int = INTERVAL_SECONDS,
    ) -> None:
        """Prepare the scheduler; nothing runs until `start()`.

        Args:
            sessions: The session factory of the bot's database.
            client: The scheduler's Web API client.
            clock: Gives each pass its `now`.
            health: Receives the time of each completed pass.
            interval: Seconds between passes.
        """
        self._sessions = sessions
        self._client = client
        self._clock = clock
        self._health = health
        self._interval = interval
        self.scheduler = BackgroundScheduler(timezone=UTC)

    def start(self) -> None:
        """Register the pass job, first run now, and start the scheduler thread."""
        self.scheduler.add_job(
            self.run_once,
            IntervalTrigger(seconds=self._interval, timezone=UTC),
            id=JOB_ID,
            name="dispatch due work",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            # APScheduler keeps wall time itself, so its first run is a wall-clock instant.
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()
        logs.event(log, "scheduler started", interval_s=self._interval)

    def run_once(self) -> PassReport | None:
        """One pass as of the clock's now; a failure is logged, never raised.

        Returns:
            The pass's report, or None when it failed (the next pass tries again).
        """
        try:
            report = run_pass(
                self._sessions,
                self._client,
                now=self._clock(),
            )
        except Exception:  # the scheduler must keep running; the next pass retries
            log.exception("scheduler pass failed")
            return None
        self._health.last_pass = self._clock()
        return report

    def shutdown(self, wait: bool = True) -> None:
        """Stop the scheduler; with `wait`, let a pass in progress finish first."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
            logs.event(log, "scheduler stopped")
