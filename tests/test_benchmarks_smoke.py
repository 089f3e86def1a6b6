"""The burst, slow-Slack and agenda benchmarks' cores, at a tiny size: they run and check what
they get.

No timing is asserted here; the budgets are the benchmarks' own (`tests/benchmarks/`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from storage.db import make_engine
from tests.benchmarks import agenda, burst, slow_slack


def test_burst_answers_every_deferred_command_at_its_response_url(tmp_path: Path) -> None:
    args = argparse.Namespace(requests=8, senders=4, rounds=1, programs=5, database_url=None)
    outcome = burst.measure(args, tmp_path)
    assert all(not s.errors for s in outcome.samples.values())
    lists = outcome.samples[burst.LIST]
    assert len(lists.latencies) == len(lists.answers) == 4
    assert len(outcome.samples[burst.HELP].latencies) == 4


def test_slow_slack_times_the_other_users_answer_beside_a_slow_modal(tmp_path: Path) -> None:
    args = argparse.Namespace(trials=1, delay=0.3, database_url=None)
    trials = slow_slack.measure(args, tmp_path)
    slow = trials["beside a slow modal"]
    assert [t.errors for runs in trials.values() for t in runs] == [[]] * (len(slow) + 5)
    assert slow[0].owner_ack_seconds >= 0.3


def test_agenda_benchmark_builds_the_same_statements_at_two_tiny_sizes(tmp_path: Path) -> None:
    results = []
    for size in (20, 60):
        engine = make_engine(f"sqlite:///{tmp_path / f'agenda-{size}.db'}")
        results.append(agenda.measure(engine, size, builds=2))
        engine.dispose()
    assert all(r.scheduled and len(r.times) == 2 for r in results)
    assert len({count for r in results for count in r.counts}) == 1
