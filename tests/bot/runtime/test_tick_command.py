"""`pmo-bot tick` as cron runs it: a real process, one pass, against the fake Slack."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import people, programs, workspace
from bot.sandbox.fake_slack import FakeSlack
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage, ScheduledJob
from tests.conftest import TEAM
from tests.flow import count, program

CREATED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def tick(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `pmo-bot tick ARGS` and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "tick", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def posts(fake: FakeSlack) -> list[str]:
    """The channel of every chat.postMessage the fake received, oldest first."""
    return [str(call["channel"]) for call in fake.calls_to("chat.postMessage")]


@pytest.fixture
def database(tmp_path: Path) -> str:
    """The URL of a SQLite file the test and the tick process share."""
    return f"sqlite:///{tmp_path / 'tick.db'}"


@pytest.fixture
def env(fake: FakeSlack, database: str) -> dict[str, str]:
    """The tick's environment: a bot token (no signing secret), the fake, the database."""
    values = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    values.update(
        SLACK_BOT_TOKEN="xoxb-tick-test",
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database,
        LOG_LEVEL="INFO",
    )
    return values


@pytest.fixture
def sessions(database: str) -> Iterator[sessionmaker[Session]]:
    """The shared database, migrated, for setting up programs and reading results."""
    engine = make_engine(database)
    migrate.upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def add_program(sessions: sessionmaker[Session], name: str, *, owner_id: str, tz: str) -> None:
    """Register a weekly Friday 10:00 program owned by someone in `tz`, in `tz`."""
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=CREATED)
        people.upsert_person(
            session, team_id=TEAM, user={"id": owner_id, "name": name, "tz": tz}, now=CREATED
        )
        programs.add_program(
            session,
            team_id=TEAM,
            actor_id="UADMIN",
            new=programs.NewProgram(name=name, owner_id=owner_id, cadence="weekly fri 10:00"),
            timezone=tz,
            today=CREATED.date(),
            now=CREATED,
        )


# refusing clearly


def test_bad_now_exits_2_with_one_line_naming_it_and_an_example(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = tick("--now", "next friday", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "'next friday'" in result.stderr
    assert "2026-11-27T09:05:00Z" in result.stderr
    assert "Traceback" not in result.stderr


def test_tick_without_bot_token_exits_2_naming_it(env: dict[str, str], tmp_path: Path) -> None:
    del env["SLACK_BOT_TOKEN"]
    result = tick(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


# passes


def test_tick_on_a_new_database_migrates_it_and_reports_an_empty_pass(
    env: dict[str, str], tmp_path: Path, fake: FakeSlack
) -> None:
    result = tick("--now", "2026-11-27T09:05:00Z", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "pass as of 2026-11-27T09:05:00+00:00: 0 actions, 0 messages sent\n"
    assert fake.calls == []


def test_dry_run_says_what_it_would_do_needs_no_token_and_changes_nothing(
    env: dict[str, str], tmp_path: Path, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    add_program(sessions, "Apollo", owner_id="ULEAD2", tz="Asia/Tokyo")
    due_before = program(sessions, "apollo").next_due_at  # type: ignore[union-attr]
    del env["SLACK_BOT_TOKEN"]

    result = tick("--now", "2026-11-27T01:05:00Z", "--dry-run", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "would open the status slot of apollo due 2026-11-27 01:00 UTC",
        "dry run as of 2026-11-27T01:05:00+00:00: would do 1 thing; nothing was changed or sent",
    ]
    assert (count(sessions, ScheduledJob), count(sessions, OutboxMessage)) == (0, 0)
    assert program(sessions, "apollo").next_due_at == due_before  # type: ignore[union-attr]
    assert fake.calls == []


def test_tokyo_owner_is_prompted_once_at_ten_tokyo_time(
    env: dict[str, str], tmp_path: Path, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    add_program(sessions, "Apollo", owner_id="ULEAD2", tz="Asia/Tokyo")

    first = tick("--now", "2026-11-27T01:05:00Z", env=env, cwd=tmp_path)  # Fri 10:05 in Tokyo
    assert first.returncode == 0, first.stderr
    assert "prompt 2026-11-27T10:00" in first.stdout
    assert first.stdout.endswith("1 message sent\n")
    assert posts(fake) == ["ULEAD2"]  # a DM: the channel is the user id

    again = tick("--now", "2026-11-27T01:05:00Z", env=env, cwd=tmp_path)
    later = tick("--now", "2026-11-27T01:30:00Z", env=env, cwd=tmp_path)
    assert again.stdout.endswith("0 messages sent\n")
    assert later.stdout.endswith("0 messages sent\n")
    assert posts(fake) == ["ULEAD2"]


def test_berlin_owner_is_prompted_at_ten_berlin_time_not_ten_utc(
    env: dict[str, str], tmp_path: Path, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    add_program(sessions, "Hermes", owner_id="ULEAD", tz="Europe/Berlin")

    before = tick("--now", "2026-11-27T08:59:00Z", env=env, cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert posts(fake) == []

    naive_means_utc = tick("--now", "2026-11-27T09:01:00", env=env, cwd=tmp_path)
    assert "pass as of 2026-11-27T09:01:00+00:00" in naive_means_utc.stdout
    assert posts(fake) == ["ULEAD"]

    ten_utc_in_berlin_terms = tick("--now", "2026-11-27T11:00:00+01:00", env=env, cwd=tmp_path)
    assert "pass as of 2026-11-27T10:00:00+00:00" in ten_utc_in_berlin_terms.stdout
    assert posts(fake) == ["ULEAD"]


def test_dry_run_on_a_fresh_checkout_says_what_to_run_and_leaves_no_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    env = {**env, "DATABASE_URL": "sqlite:///pmo.db"}
    env.pop("SLACK_BOT_TOKEN", None)
    result = tick("--dry-run", env=env, cwd=fresh)
    assert result.returncode == 2
    assert "no database at sqlite:///pmo.db yet; `pmo-bot db upgrade` creates it" in result.stderr
    assert list(fresh.iterdir()) == []
