"""The in-process scheduler: one job a minute, passes that survive errors, and `/healthz`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.server import Health
from bot.sandbox.fake_slack import FakeSlack
from schedules.runner import SchedulerRunner
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from tests.conftest import ManualClock
from tests.schedules.conftest import TOKYO, World, make_client

CREATED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
TOKYO_FRIDAY_10_05 = datetime(2026, 11, 27, 1, 5, tzinfo=UTC)


@pytest.fixture
def health(engine: Engine, clock: ManualClock) -> Health:
    return Health(engine=engine, clock=clock, scheduler_expected=True)


@pytest.fixture
def unmigrated(tmp_path: Path) -> Iterator[Engine]:
    """A database whose tables do not exist yet: every pass on it fails."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    yield engine
    engine.dispose()


# a pass


def test_a_pass_prompts_the_due_owner_and_records_the_pass_time(
    world: World, fake: FakeSlack, clock: ManualClock, health: Health
) -> None:
    world.workspace(now=CREATED)
    world.person("ULEAD2", TOKYO, now=CREATED)
    world.program("Apollo", owner="ULEAD2", cadence="weekly fri 10:00", tz=TOKYO, now=CREATED)
    clock.now = TOKYO_FRIDAY_10_05
    runner = SchedulerRunner(world.sessions, world.client, clock, health)

    report = runner.run_once()

    assert report is not None and report.sent == 1
    assert [m["channel"] for m in fake.calls_to("chat.postMessage")] == ["ULEAD2"]
    assert health.last_pass == TOKYO_FRIDAY_10_05


def test_a_failed_pass_is_logged_and_the_next_pass_still_runs(
    unmigrated: Engine, fake: FakeSlack, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    health = Health(engine=unmigrated, clock=clock, scheduler_expected=True)
    runner = SchedulerRunner(
        make_sessionmaker(unmigrated), make_client(fake.base_url), clock, health
    )

    with caplog.at_level(logging.ERROR, logger="schedules.runner"):
        assert runner.run_once() is None
    failure = next(r for r in caplog.records if r.getMessage() == "scheduler pass failed")
    assert failure.exc_info is not None
    assert health.last_pass is None

    migrate.upgrade(unmigrated)  # whatever broke the pass is fixed before the next minute
    clock.advance(minutes=1)
    assert runner.run_once() is not None
    assert health.last_pass == clock.now


def test_start_registers_one_coalescing_job_a_minute_whose_first_pass_runs_at_once(
    sessions: sessionmaker[Session], fake: FakeSlack, clock: ManualClock, health: Health
) -> None:
    runner = SchedulerRunner(sessions, make_client(fake.base_url), clock, health)
    first_pass = threading.Event()

    def on_executed(event: JobExecutionEvent) -> None:
        first_pass.set()

    runner.scheduler.add_listener(on_executed, EVENT_JOB_EXECUTED)
    runner.start()
    try:
        jobs = runner.scheduler.get_jobs()
        assert first_pass.wait(timeout=30), "the first pass did not run at start"
    finally:
        runner.shutdown(wait=True)

    assert len(jobs) == 1
    job = jobs[0]
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 120)
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=1)
    assert job.func == runner.run_once
    assert health.last_pass == clock.now
    assert not runner.scheduler.running


# what /healthz says about it


def test_health_says_scheduler_off_when_this_process_does_not_run_it(
    engine: Engine, clock: ManualClock
) -> None:
    health = Health(engine=engine, clock=clock)
    clock.advance(hours=1)
    assert health.check() == (
        200,
        {"database": "ok", "scheduler": "off", "last_pass": None, "ok": True},
    )


def test_health_counts_from_start_until_the_first_pass(health: Health, clock: ManualClock) -> None:
    clock.advance(minutes=4, seconds=59)
    assert health.check()[0] == 200
    assert health.check()[1]["scheduler"] == "ok"
    clock.advance(seconds=2)
    status, body = health.check()
    assert (status, body["scheduler"], body["ok"]) == (503, "late", False)


def test_health_is_503_when_no_pass_completed_for_five_minutes(
    health: Health, clock: ManualClock
) -> None:
    health.last_pass = clock.advance(minutes=30)
    assert health.check()[1]["last_pass"] == "2026-11-25T14:30:00+00:00"
    clock.advance(minutes=5)
    assert health.check()[0] == 200
    clock.advance(minutes=1)
    status, body = health.check()
    assert (status, body["scheduler"], body["last_pass"]) == (
        503,
        "late",
        "2026-11-25T14:30:00+00:00",
    )


def test_health_is_503_when_the_database_does_not_answer(
    tmp_path: Path, clock: ManualClock
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    status, body = Health(engine=engine, clock=clock).check()
    engine.dispose()
    assert (status, body["database"], body["scheduler"]) == (503, "unreachable", "off")


def test_health_started_at_defaults_to_the_clock(clock: ManualClock, engine: Engine) -> None:
    assert Health(engine=engine, clock=clock).started_at == clock.now
    assert Health(engine=engine, clock=clock, started_at=CREATED).started_at == CREATED
