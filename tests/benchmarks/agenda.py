"""Build a steering meeting's agenda for a large portfolio: time and SQL statements.

`python -m tests.benchmarks.agenda [--database-url URL] [--sizes 1000,10000] [--builds 20]
[--length 90]`

For each size N a fresh database gets, by bulk Core inserts: one workspace; N active programs
in the meeting's portfolio ("Platform"; the meeting names it "platform") and N/10 in another;
statuses spread over green, amber and red with `rag_since` and trends over the last two
months, 5% flagged RAG_MISMATCH and 5% late; 5 RAID items per program (half open, 2% of them
escalated); N/2 open actions (a tenth of this meeting's, the rest of other meetings or none,
due dates a month either side) and as many done; 200 decision requests (20 open for this
meeting, which lasts `--length` minutes); 200 intake requests; and the last meeting held,
with a frozen agenda of 40 items (some parked, some decided, the rest not reached). Then
`ANALYZE`, and `bot.meetings.agenda.build` runs once unmeasured and `--builds` times
measured, each in a new session, its SQL statements counted with the engine's
`before_cursor_execute`. A longer meeting reads more rows of each category (`--length 480`,
the longest, is the worst case).

Budget (issue 15): at 10,000 programs (50,000 RAID items, 5,000 open actions) every build
under 300 ms, and the same number of statements at every size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select

from bot.meetings import agenda, facts, plans
from storage.db import make_engine, make_sessionmaker
from storage.models import (
    ActionItem,
    DecisionRequest,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Program,
    RaidItem,
    Workspace,
)
from tests.benchmarks.harness import (
    DATABASE_URL_HELP,
    analyze,
    budget_lines,
    code_version,
    database_name,
    fresh_schema,
)

TEAM = "T0BENCH"
ZONE = "Europe/Berlin"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the meeting: Monday 10:00 Berlin
LAST = START - timedelta(days=14)  # the last one held
CHUNK = 5_000
BUDGET_MS = 300.0
BUDGET_SIZE = 10_000
MEETING_ID, OTHER_MEETING_ID = 1, 2


def seed(engine: Engine, programs: int, *, length: int = 90) -> float:
    """A fresh schema and a portfolio of `programs`, in bulk, for a meeting of `length`
    minutes; returns seconds taken."""
    began = time.perf_counter()
    fresh_schema(engine)
    total = programs + programs // 10
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace), [{"team_id": TEAM, "timezone": "UTC", "created_at": NOW}]
        )
        meetings = [_meeting(MEETING_ID, length), _meeting(OTHER_MEETING_ID, 60)]
        connection.execute(insert(Meeting), meetings)
        _insert(connection, Program, (_program(n, programs) for n in range(1, total + 1)))
        _insert(connection, RaidItem, _raid(total))
        _insert(connection, ActionItem, _actions(programs))
        _insert(connection, DecisionRequest, _requests(programs))
        _insert(connection, IntakeRequest, _intake(200))
        connection.execute(insert(MeetingOccurrence), [_last_held(programs)])
    analyze(engine)
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


def _meeting(meeting_id: int, length: int) -> dict[str, Any]:
    return {
        "id": meeting_id,
        "team_id": TEAM,
        "channel_id": f"CSTEER{meeting_id}",
        "chair_id": "UCHAIR",
        "days": "mon",
        "at": "10:00",
        "every_weeks": 2,
        "anchor": date(2026, 11, 30),
        "length_minutes": length,
        "portfolio": "platform" if meeting_id == MEETING_ID else None,
        "timezone": ZONE,
        "attendees": ["UCHAIR"],
        "created_at": NOW - timedelta(days=90),
    }


RAGS = ("green", "green", "green", "amber", "amber", "red", "green", "amber", "green", "red")


def _program(n: int, in_portfolio: int) -> dict[str, Any]:
    rag = RAGS[n % len(RAGS)]
    since = NOW - timedelta(hours=(n * 37) % (60 * 24))  # within the last 60 days
    flags: dict[str, str] = {}
    if n % 20 == 3:
        flags["RAG_MISMATCH"] = "Reported green, but: 2 blocking issues"
    if n % 20 == 7:
        flags["PAST_TARGET"] = "target date passed 4 days ago"
    if rag == "red":
        flags["RED"] = "reported red"
    return {
        "id": n,
        "team_id": TEAM,
        "key": f"p-{n:05d}",
        "name": f"Program {n:05d}",
        "owner_id": f"U{n % 2000:04d}",
        "portfolio": "Platform" if n <= in_portfolio else "Retail",
        "cadence": "weekly",
        "timezone": ZONE,
        "start_date": date(2025, 12, 1),
        "state": "active" if n % 50 else "done",
        "created_by": "UADMIN",
        "created_at": NOW - timedelta(days=365),
        "updated_at": NOW,
        "rag": rag,
        "rag_since": since,
        "last_update_at": since + timedelta(days=(n % 3) * 3),
        "last_summary": f"Summary of program {n}: " + "progress " * 20,
        "trend": [rag, RAGS[(n + 3) % len(RAGS)], *RAGS[:4]],
        "flags": flags,
        "flag_count": len(flags),
    }


def _raid(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, programs + 1):
        for k in range(5):
            row = n * 5 + k
            likelihood, impact = 1 + row % 5, 1 + (row // 5) % 5
            opened = k % 2 == 0
            yield {
                "team_id": TEAM,
                "program_id": n,
                "kind": "risk",
                "title": f"risk {n}.{k}",
                "likelihood": likelihood,
                "impact": impact,
                "score": likelihood * impact,
                "owner_id": f"U{row % 2000:04d}",
                "state": "open" if opened else "closed",
                "blocking": False,
                "escalated_at": NOW - timedelta(days=row % 30) if row % 50 == 0 else None,
                "created_by": "U0001",
                "created_at": NOW - timedelta(days=60),
                "updated_at": NOW,
            }


def _actions(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, programs + 1):  # half open, half done
        k = n // 2 % 10
        meeting = MEETING_ID if k == 0 else OTHER_MEETING_ID if k < 6 else None
        yield {
            "team_id": TEAM,
            "number": n,
            "title": f"action {n}",
            "owner_id": f"U{n % 2000:04d}",
            "due_date": START.date() + timedelta(days=(n % 61) - 30),
            "state": "open" if n % 2 else "done",
            "program_id": (n * 7) % programs + 1,
            "meeting_id": meeting,
            "created_by": "UCHAIR",
            "created_at": NOW - timedelta(days=20 + n % 30),
        }


def _requests(programs: int) -> Iterator[dict[str, Any]]:
    for n in range(1, 201):
        yield {
            "team_id": TEAM,
            "program_id": (n * 13) % programs + 1,
            "question": f"Question {n}?",
            "options": ["A", "B"],
            "by_date": START.date() + timedelta(days=n % 20) if n % 3 else None,
            "state": "open" if n <= 40 else "decided",
            "requested_by": "U0001",
            "created_at": NOW - timedelta(days=n % 10),
            "meeting_id": MEETING_ID if n <= 20 else OTHER_MEETING_ID,
        }


def _intake(count: int) -> Iterator[dict[str, Any]]:
    for n in range(1, count + 1):
        yield {
            "team_id": TEAM,
            "number": n,
            "requester_id": "U0002",
            "title": f"request {n}",
            "problem": "p",
            "business_value": n % 10 + 1,
            "time_criticality": 5,
            "risk_reduction": 5,
            "job_size": 3,
            "score": (n % 10 + 11) / 3,
            "state": "pending" if n % 2 else "approved",
            "created_at": NOW - timedelta(days=n),
        }


def _last_held(programs: int) -> dict[str, Any]:
    """The last meeting: 40 items of every kind of ref; some parked, some decided."""
    items, outcomes = [], {}
    for n in range(40):
        prefix = ("program", "raid", "action", "request", "intake")[n % 5]
        ref = f"{prefix}:{(n * 97) % programs + 1}"
        items.append({**facts.AgendaItem(ref, facts.RED, f"item {n}", "U0001", 5).as_json()})
        if n % 4 == 1:
            outcomes[ref] = facts.PARKED_OUTCOME
        elif n % 4 == 2:
            outcomes[ref] = facts.DECIDED
    return {
        "team_id": TEAM,
        "meeting_id": MEETING_ID,
        "period": "2026-11-16T10:00",
        "starts_at": LAST,
        "ends_at": LAST + timedelta(minutes=90),
        "state": "closed",
        "agenda": [{**item, "scheduled": True} for item in items],
        "outcomes": outcomes,
        "current": 0,
        "version": 0,
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


@dataclass
class Builds:
    """What the builds at one size did."""

    programs: int
    seeded: float
    times: list[float]
    cpu: list[float]
    counts: set[int]
    scheduled: int
    unscheduled: int
    not_listed: int
    kinds: dict[str, int]


def build_once(engine: Engine) -> tuple[float, float, int, facts.Agenda]:
    """One build in a new session: (seconds, this process's CPU seconds, statements,
    agenda)."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        meeting = session.get(Meeting, MEETING_ID)
        space = session.get(Workspace, TEAM)
        assert meeting is not None and space is not None
        with statements(engine) as seen:
            began, cpu = time.perf_counter(), time.process_time()
            built = agenda.build(
                session, meeting=meeting, starts_at=START, now=NOW, workspace=space
            )
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
    return took, cpu, len(seen), built


def measure(engine: Engine, programs: int, builds: int, *, length: int = 90) -> Builds:
    """Seed `programs`, then one unmeasured build and `builds` measured ones."""
    seeded = seed(engine, programs, length=length)
    build_once(engine)
    times, cpus, counts = [], [], set()
    built = None
    for _ in range(builds):
        took, cpu, count, built = build_once(engine)
        times.append(took)
        cpus.append(cpu)
        counts.add(count)
    assert built is not None
    every = (*built.items, *built.unscheduled)
    kinds = {kind: sum(1 for item in every if item.kind == kind) for kind in facts.KINDS}
    return Builds(
        programs=programs,
        seeded=seeded,
        times=times,
        cpu=cpus,
        counts=counts,
        scheduled=len(built.items),
        unscheduled=len(built.unscheduled),
        not_listed=built.not_listed,
        kinds={kind: n for kind, n in kinds.items() if n},
    )


def check_plans(engine: Engine) -> None:
    """The start the benchmark builds for is one of the meeting's (a sanity check)."""
    with make_sessionmaker(engine)() as session:
        meeting = session.scalar(select(Meeting).where(Meeting.id == MEETING_ID))
        assert meeting is not None and plans.is_start(meeting, START)


def report(results: list[Builds], database: str, length: int) -> bool:
    """Print the table and the budget lines; whether every line passed."""
    print(f"agenda build — {database}, a {length}-minute meeting, {code_version()}")
    print(f"{'programs':>9}{'raid':>8}{'actions':>9}{'seed s':>8}{'median ms':>11}{'max ms':>8}"
          f"{'cpu ms':>8}{'statements':>12}{'sched':>7}{'unsched':>9}{'more':>6}")  # fmt: skip
    for r in results:
        print(
            f"{r.programs:>9}{r.programs * 55 // 10:>8}{r.programs // 2:>9}{r.seeded:>8.1f}"
            f"{statistics.median(r.times) * 1000:>11.1f}{max(r.times) * 1000:>8.1f}"
            f"{statistics.median(r.cpu) * 1000:>8.1f}{','.join(map(str, sorted(r.counts))):>12}"
            f"{r.scheduled:>7}{r.unscheduled:>9}{r.not_listed:>6}"
        )
        print(f"{'':>9}  items by kind: {r.kinds}")
    print("cpu ms: the median CPU time of this process (with SQLite, the database's too)")
    big = [r for r in results if r.programs >= BUDGET_SIZE]
    counts = {count for r in results for count in r.counts}
    lines = [
        (
            f"every build under {BUDGET_MS:.0f} ms at {r.programs} programs "
            f"(max {max(r.times) * 1000:.1f} ms)",
            max(r.times) * 1000 < BUDGET_MS,
        )
        for r in big
    ]
    lines.append((f"the same statements at every size ({sorted(counts)})", len(counts) == 1))
    lines.append(("every agenda has items", all(r.scheduled for r in results)))
    return budget_lines(lines)


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report; exit 1 when a budget line fails."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.agenda",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=None, help=DATABASE_URL_HELP)
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 10_000], help="programs")
    parser.add_argument("--builds", type=int, default=20, help="measured builds per size")
    parser.add_argument(
        "--length",
        type=int,
        default=90,
        help="the meeting's minutes (the longer, the more each category reads; at most 480)",
    )
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as workdir:
        for size in args.sizes:
            url = args.database_url or f"sqlite:///{Path(workdir) / f'agenda-{size}.db'}"
            engine = make_engine(url)
            results.append(measure(engine, size, args.builds, length=args.length))
            check_plans(engine)
            engine.dispose()
    return 0 if report(results, database_name(args.database_url), args.length) else 1


if __name__ == "__main__":
    sys.exit(main())
