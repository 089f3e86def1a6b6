"""A slow Slack or a locked database costs the user a retry, never a lost ack or their text.

The ack is sent within Slack's 3 s: a modal call waits at most 1.5 s for Slack, a
transaction at most 1 s for a lock; either way the answer says what happened, echoes what
was typed, and nothing is stored. `/healthz` answers within a second, 503 while locked.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.deps import Budgets
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import StatusUpdate
from tests.conftest import SIGNING_SECRET, Bot
from tests.flow import count, text_of


@pytest.fixture
def budgets() -> Budgets:
    """These tests are of what the production budgets answer (Slack's 3-s ack)."""
    return Budgets()


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


@contextlib.contextmanager
def locked(engine: Engine, program_key: str = "apollo") -> Iterator[None]:
    """Another process holds the database: SQLite's write lock, or the program's row lock."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(str(engine.url.database), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with engine.connect() as other, other.begin():
        other.execute(text("SELECT id FROM program WHERE key = :k FOR UPDATE"), {"k": program_key})
        yield


def healthz(bot: Bot) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_locked_database_is_answered_in_time_with_the_text_echoed(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    engine: Engine,
    sessions: sessionmaker[Session],
    apollo: str,
) -> None:
    as_slack = SlackDriver(bot.url, SIGNING_SECRET, fake)  # the ack alone, no settling
    with locked(engine):
        started = time.perf_counter()
        reply = as_slack.command("ULEAD", "status apollo red vendor late")
        acked = time.perf_counter() - started
    said = text_of(reply.body)
    assert acked < 3.0, f"acked after {acked:.2f} s"
    assert "The database is busy just now, so I changed nothing" in said
    assert "You typed: `/pmo status apollo red vendor late`" in said
    assert count(sessions, StatusUpdate) == 0
    assert "Stored the status" in text_of(
        slack.command("ULEAD", "status apollo red vendor late").body
    )


def test_healthz_answers_within_a_second_while_the_database_is_locked(
    bot: Bot, engine: Engine, apollo: str
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock to hold")
    assert healthz(bot)[0] == 200
    with locked(engine):
        started = time.perf_counter()
        status, body = healthz(bot)
        waited = time.perf_counter() - started
    assert waited < 1.0, f"/healthz took {waited:.2f} s"
    assert (status, body["database"], body["ok"]) == (503, "busy", False)
    assert healthz(bot)[0] == 200


def test_a_slow_modal_is_answered_in_time_saying_slack_is_slow(
    fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    fake.delay("views.open", 2.5, user_id="ULEAD")
    started = time.perf_counter()
    reply = SlackDriver(bot.url, SIGNING_SECRET, fake).command("ULEAD", "status apollo")
    acked = time.perf_counter() - started
    said = text_of(reply.body)
    assert acked < 3.0, f"acked after {acked:.2f} s"
    assert "Slack is slow right now and didn't let me open the form; try again" in said
    assert "You typed: `/pmo status apollo`" in said


def test_a_rate_limited_users_list_is_answered_slack_is_slow_with_a_reference(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    fake.fail_next("users.list", "ratelimited")
    said = text_of(slack.command("UADMIN", "program add Mercury owner:@someone").body)
    assert "Slack is slow right now: I couldn't look up @someone" in said
    assert "You typed: `/pmo program add Mercury owner:@someone`" in said
    assert "(ref `" in said and "(ref `-`)" not in said


def test_a_failing_users_info_is_answered_slack_is_slow_with_a_reference(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    fake.fail_next("users.info", "internal_error")
    said = text_of(slack.command("ULEAD2", "status apollo red vendor late").body)
    assert "Slack is slow right now: I couldn't look up <@ULEAD2>" in said
    assert "You typed: `/pmo status apollo red vendor late`" in said
    assert "(ref `" in said and "(ref `-`)" not in said
    assert count(sessions, StatusUpdate) == 0


def test_a_locked_database_while_caching_a_new_person_is_answered_busy_in_time(
    fake: FakeSlack, bot: Bot, engine: Engine, sessions: sessionmaker[Session], apollo: str
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock to hold")
    as_slack = SlackDriver(bot.url, SIGNING_SECRET, fake)
    with locked(engine):  # Kim has never been seen: her users.info answer must be stored
        started = time.perf_counter()
        reply = as_slack.command("ULEAD2", "status apollo red vendor late")
        acked = time.perf_counter() - started
    said = text_of(reply.body)
    assert acked < 3.0, f"acked after {acked:.2f} s"
    assert "The database is busy just now, so I changed nothing" in said
    assert "You typed: `/pmo status apollo red vendor late`" in said
    assert count(sessions, StatusUpdate) == 0
