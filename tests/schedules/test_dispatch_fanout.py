"""Fan-out: hundreds of prompts due at once go out through Slack's rate limits, each once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from slack_sdk.http_retry import builtin_handlers
from sqlalchemy import func, select

from schedules.dispatch import dispatch_due
from storage.models import OutboxMessage
from tests.schedules.conftest import FRIDAY_10, World, frozen, populate


def posts_per_channel(world: World) -> Counter[str]:
    return Counter(call["channel"] for call in world.fake.calls_to("chat.postMessage"))


def outbox_states(world: World) -> dict[str, int]:
    with world.sessions() as session:
        rows = session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    return {state: n for state, n in rows}


def test_five_hundred_prompts_go_out_through_rate_limits_each_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=waits.append))
    users = populate(world, 500)
    world.fake.rate_limit_every(10, retry_after=1)

    report = world.tick(FRIDAY_10)

    assert report.sent == 500
    assert posts_per_channel(world) == Counter({user_id: 1 for user_id in users})
    assert all(len(world.prompts_to(user_id)) == 1 for user_id in users[::50])
    assert outbox_states(world) == {"sent": 500}
    # Slack said 429 about one call in ten; the client waited as told each time, then retried.
    assert len(waits) >= 45 and all(wait >= 1 for wait in waits)

    again = world.tick(FRIDAY_10 + timedelta(minutes=1))
    assert again.sent == 0
    assert len(world.fake.calls_to("chat.postMessage")) == 500


def test_a_pass_out_of_time_leaves_the_rest_for_the_next_pass_none_twice(world: World) -> None:
    users = populate(world, 60)

    with frozen(FRIDAY_10, tick=True):  # the budget is wall-clock time, so let it run
        first = dispatch_due(world.sessions, world.client, now=FRIDAY_10, budget=timedelta(0))
    assert first.sent == 0
    assert world.fake.calls_to("chat.postMessage") == []
    assert outbox_states(world) == {"pending": 60}
    assert len(world.jobs(1, "prompt")) == 1  # the jobs ran; only sending waits

    later: datetime = FRIDAY_10 + timedelta(minutes=1)
    second = world.tick(later)
    third = world.tick(later + timedelta(minutes=1))
    assert (second.sent, third.sent) == (60, 0)
    assert posts_per_channel(world) == Counter({user_id: 1 for user_id in users})
    assert outbox_states(world) == {"sent": 60}
