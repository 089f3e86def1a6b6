"""Two schedulers on one PostgreSQL at the same moment: every prompt goes out exactly once.

Each scheduler has its own engine (its own connections), as two replicas would.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from schedules import dispatch
from schedules.dispatch import PassReport, dispatch_due
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage, Prompt, ScheduledJob
from tests.schedules.conftest import FRIDAY_10, World, frozen, make_client, populate

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL naming PostgreSQL"
)
PROGRAMS = 50


@pytest.fixture
def replicas(engine: Engine) -> Iterator[list[sessionmaker[Session]]]:
    """Two session factories on two engines of the test database (already truncated)."""
    engines = [make_engine(URL), make_engine(URL)]
    yield [make_sessionmaker(e) for e in engines]
    for e in engines:
        e.dispose()


def run_together(
    world: World, replicas: list[sessionmaker[Session]]
) -> tuple[list[PassReport], list[BaseException]]:
    """One pass per replica, started at the same instant on two threads."""
    start = threading.Barrier(len(replicas))
    reports: list[PassReport] = []
    errors: list[BaseException] = []

    def replica(sessions: sessionmaker[Session]) -> None:
        client = make_client(world.fake.base_url)
        try:
            start.wait(timeout=10)
            reports.append(dispatch_due(sessions, client, now=FRIDAY_10))
        except BaseException as error:  # reported to the test thread
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(s,)) for s in replicas]
    with frozen(FRIDAY_10):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return reports, errors


def assert_each_owner_prompted_once(world: World, users: list[str]) -> None:
    posts = Counter(call["channel"] for call in world.fake.calls_to("chat.postMessage"))
    assert posts == Counter({user_id: 1 for user_id in users})
    with world.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Prompt)) == PROGRAMS
        assert (
            session.scalar(
                select(func.count()).select_from(ScheduledJob).where(ScheduledJob.kind == "prompt")
            )
            == PROGRAMS
        )
        states = session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    assert dict(states) == {"sent": PROGRAMS}


def test_two_replicas_at_the_same_now_prompt_each_owner_once(
    world: World, replicas: list[sessionmaker[Session]]
) -> None:
    users = populate(world, PROGRAMS)

    reports, errors = run_together(world, replicas)

    assert errors == []
    assert sum(r.sent for r in reports) == PROGRAMS
    assert_each_owner_prompted_once(world, users)
    # With the advisory lock, a replica that overlaps the other stands aside (not required:
    # the first may finish before the second starts).
    assert sum(r.skipped_lock for r in reports) <= 1


def test_without_the_advisory_lock_the_claims_alone_keep_it_once(
    world: World, replicas: list[sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def no_lock(_sessions: sessionmaker[Session]) -> Iterator[bool]:
        yield True

    lock: Callable[[sessionmaker[Session]], object] = no_lock
    monkeypatch.setattr(dispatch, "_pass_lock", lock)
    users = populate(world, PROGRAMS)

    reports, errors = run_together(world, replicas)

    assert errors == []
    assert not any(r.skipped_lock for r in reports)
    assert sum(r.sent for r in reports) == PROGRAMS
    assert_each_owner_prompted_once(world, users)
