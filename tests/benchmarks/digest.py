"""Build the leadership digest for a large portfolio: time and SQL statements.

`python -m tests.benchmarks.digest [--database-url URL] [--programs 10000]`

Seeds 10,000 programs with 52 weekly status updates each (520,000), 5 RAID items each (50,000),
milestones and intake requests, then times building the digest (snapshot, what changed
against a stored snapshot, rendering every message) and counts its SQL statements at two
portfolio sizes. Budget: under 1 s, with a statement count that does not grow.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, update

from bot import digest
from bot.blocks import digest as render
from bot.sandbox.blockkit import validate_message
from storage.db import make_engine, make_sessionmaker
from storage.models import IntakeRequest, Milestone, Program, RaidItem, StatusUpdate, Workspace
from tests.benchmarks.harness import budget_lines, code_version, database_name, fresh_schema

TEAM = "TBENCH"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHUNK = 5_000
RAGS = ("green", "green", "amber", "red")


def seed(engine: Engine, programs: int) -> float:
    """Fresh schema and a portfolio of `programs`, in bulk; returns seconds taken."""
    began = time.perf_counter()
    fresh_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace),
            [{"team_id": TEAM, "timezone": "UTC", "grace_hours": 24, "created_at": NOW}],
        )
        _insert(connection, Program, (_program(n) for n in range(1, programs + 1)))
        _insert(connection, StatusUpdate, _updates(programs))
        _insert(connection, RaidItem, _risks(programs))
        _insert(connection, Milestone, _milestones(programs))
        _insert(connection, IntakeRequest, _intake(200))
    return time.perf_counter() - began


def _insert(connection: Any, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            connection.execute(insert(model), batch)
            batch = []
    if batch:
        connection.execute(insert(model), batch)


def _program(n: int) -> dict[str, Any]:
    rag = RAGS[n % 4]
    flags = {"RED": "reported red"} if rag == "red" else {}
    if n % 7 == 0:
        flags["OVERDUE_UPDATE"] = "no status update since it was due Fri 27 Nov 2026"
    return {
        "id": n,
        "team_id": TEAM,
        "key": f"p-{n:05d}",
        "name": f"Program {n:05d}",
        "owner_id": f"U{n % 2000:04d}",
        "cadence": "weekly fri 10:00",
        "timezone": "UTC",
        "start_date": date(2025, 12, 1),
        "state": "active",
        "created_by": "UADMIN",
        "created_at": NOW - timedelta(days=365),
        "updated_at": NOW,
        "rag": rag,
        "rag_since": NOW - timedelta(days=n % 40),
        "last_update_at": NOW - timedelta(days=3),
        "last_summary": f"Summary of program {n}: " + "progress " * 20,
        "path_to_green": "second supplier" if rag != "green" else None,
        "trend": [RAGS[(n + k) % 4] for k in range(6)],
        "flags": flags,
        "flag_count": len(flags),
        "portfolio": f"Portfolio {n % 10}",
    }


def _updates(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, programs + 1):
        for week in range(52):
            yield {
                "team_id": TEAM,
                "program_id": n,
                "author_id": "U0001",
                "created_at": NOW - timedelta(weeks=52 - week),
                "rag": RAGS[(n + week) % 4],
                "summary": f"week {week}",
                "source": "command",
            }


def _risks(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, programs + 1):
        for k in range(5):
            likelihood, impact = 1 + (n + k) % 5, 1 + (n * k) % 5
            yield {
                "team_id": TEAM,
                "program_id": n,
                "kind": "risk",
                "title": f"risk {n}.{k}",
                "likelihood": likelihood,
                "impact": impact,
                "score": likelihood * impact,
                "owner_id": "U0001",
                "state": "open" if k % 2 == 0 else "closed",
                "blocking": False,
                "created_by": "U0001",
                "created_at": NOW,
                "updated_at": NOW,
            }


def _milestones(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, programs + 1, 3):
        yield {
            "team_id": TEAM,
            "program_id": n,
            "name": f"milestone {n}",
            "due_date": NOW.date() + timedelta(days=n % 60),
            "created_by": "U0001",
            "created_at": NOW,
        }


def _intake(count: int) -> Iterator[dict[str, Any]]:
    for n in range(1, count + 1):
        yield {
            "team_id": TEAM,
            "number": n,
            "requester_id": "U0002",
            "title": f"request {n}",
            "problem": "p",
            "business_value": 5,
            "time_criticality": 5,
            "risk_reduction": 5,
            "job_size": 3,
            "score": 5.0,
            "state": "pending" if n % 2 else "approved",
            "created_at": NOW - timedelta(days=n),
        }


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def build_once(engine: Engine, previous: dict[str, Any] | None) -> tuple[float, int, list[Any]]:
    """Snapshot, compare and render once: (seconds, statements, messages)."""
    sessions = make_sessionmaker(engine)
    with statements(engine) as seen, sessions() as session:
        began = time.perf_counter()
        snapshot = digest.take_snapshot(session, team_id=TEAM, portfolio=None, now=NOW, tz="UTC")
        messages = render.render(
            snapshot, digest.changes_since(previous, snapshot), period="Mon 30 Nov 2026"
        )
        took = time.perf_counter() - began
    return took, len(seen), messages


def previous_for(engine: Engine) -> dict[str, Any]:
    """A stored snapshot from last week, where every tenth program was green."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        snapshot = digest.take_snapshot(session, team_id=TEAM, portfolio=None, now=NOW, tz="UTC")
    compact = snapshot.compact()
    for key in list(compact["programs"])[::10]:
        compact["programs"][key] = ["green", []]
    return compact


def measure(engine: Engine, programs: int) -> dict[str, Any]:
    """Seed, then time five builds and count statements at two sizes."""
    seeded = seed(engine, programs)
    previous = previous_for(engine)
    times, counts, messages = [], set(), []
    for _ in range(5):
        took, count, messages = build_once(engine, previous)
        times.append(took)
        counts.add(count)
    invalid = sum(bool(validate_message(text=m["text"], blocks=m["blocks"])) for m in messages)
    with engine.begin() as connection:  # a tenth of the portfolio: same statements?
        connection.execute(
            update(Program).where(Program.id > programs // 10).values(state="archived")
        )
    _, small_count, _ = build_once(engine, previous)
    return {
        "seeded": seeded,
        "times": times,
        "counts": counts,
        "small_count": small_count,
        "messages": len(messages),
        "invalid": invalid,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report; exit 1 when a budget fails."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--programs", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'digest.db'}"
        engine = make_engine(url)
        result = measure(engine, args.programs)
        engine.dispose()
    median, worst = statistics.median(result["times"]), max(result["times"])
    print(f"digest build — {database_name(args.database_url)}, {code_version()}")
    print(
        f"seeded {args.programs} programs, {args.programs * 52} updates, "
        f"{args.programs * 5} RAID items in {result['seeded']:.1f} s"
    )
    print(
        f"build: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms over 5 builds; "
        f"{result['messages']} messages, {result['invalid']} invalid"
    )
    print(
        f"SQL statements per build: {sorted(result['counts'])} at {args.programs} programs, "
        f"{result['small_count']} at {args.programs // 10}"
    )
    ok = budget_lines(
        [
            (f"build under 1 s (max {worst:.2f} s)", worst < 1.0),
            (
                "statement count does not grow with the portfolio",
                result["counts"] == {result["small_count"]},
            ),
            ("every message valid Block Kit", result["invalid"] == 0),
        ]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
