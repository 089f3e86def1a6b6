"""Ack and answer latency of `/pmo program show` on a program with a long history.

One program has five years of weekly status updates (260) and 200 RAID items (150 open), among
50 other programs with some history of their own. `program show` is deferred: the ack is an
empty 200, and the detail is posted to the command's `response_url` afterwards. With 8
concurrent senders (each waiting for its answer before sending again) the harness measures
the ack latency (send to HTTP response) and the answer latency (send to the answer arriving at
the fake Slack). A bare Bolt app that acks inline is measured in alternating rounds as a
reference. Budget: ack p99 under 50 ms; every ack an empty 200 and every answer the right
program with the right open RAID count. Exit code 1 when a budget line fails.

    python -m tests.benchmarks.program_show [--requests 400] [--senders 8]
    python -m tests.benchmarks.program_show --database-url postgresql+psycopg://…/pmo_bench
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import raid, scheduling, status
from bot.programs import NewProgram, add_program
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.status import program_flags
from bot.workspace import get_workspace
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage, Program, RaidItem, StatusUpdate, Workspace
from tests.benchmarks.harness import (
    Kind,
    Samples,
    Server,
    budget_lines,
    code_version,
    empty_ack,
    fresh_schema,
    latency_header,
    latency_row,
    load_parser,
    parse_load_args,
    percentile,
    rounds_of,
    run_measured,
    run_phase,
    server_env,
    start_ours_and_bare,
)

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"
PEOPLE = ("ULEAD", "ULEAD2", "UOWNER3", "UOWNER4", "UOWNER5")
NAME = "Apollo Platform"
WEEKS = 260  # five years of weekly updates
RAID_ITEMS = 200
CLOSE_EVERY = 4  # every 4th RAID item is closed: 150 stay open
OTHER_PROGRAMS = 50
OTHER_WEEKS = 10
OTHER_RAID = 4
WARMUP_REQUESTS = 50

P99_BUDGET_MS = 50.0


# --- the database --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """What the database holds: the big program's key and how many of its items are open."""

    key: str
    updates: int
    raid_items: int
    open_items: int
    programs: int
    seconds: float


def prepare_database(url: str) -> Seeded:
    """Migrate an empty database (on PostgreSQL dropping `public` first) and seed it.

    Everything goes through the domain functions (`add_program`, `status.submit`, `raid.add`,
    `raid.close`) at historical times, so the denormalised columns, flags and audit trail are
    what real use leaves behind. Afterwards every program is rescheduled and its flags
    refreshed as of now, and the outbox is marked sent, so the served app finds no work due.
    """
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        fresh_schema(engine)
        now = datetime.now(UTC).replace(microsecond=0)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as session:
            space = get_workspace(session, team_id=TEAM, default_timezone="UTC", now=now)
            big = _program(session, NAME, PEOPLE[0], now - timedelta(weeks=WEEKS + 1))
            _history(session, big, space, now=now, weeks=WEEKS, items=RAID_ITEMS)
        for number in range(1, OTHER_PROGRAMS + 1):
            with sessions.begin() as session:
                space = session.get_one(Workspace, TEAM)
                owner = PEOPLE[number % len(PEOPLE)]
                start = now - timedelta(weeks=OTHER_WEEKS + 1, days=number)
                other = _program(session, f"Program {number:02d}", owner, start)
                _history(session, other, space, now=now, weeks=OTHER_WEEKS, items=OTHER_RAID)
        with sessions.begin() as session:
            space = session.get_one(Workspace, TEAM)
            for program in session.scalars(select(Program)):
                scheduling.reschedule(program, now=now)
                program_flags.refresh(session, program=program, now=now, workspace=space)
            session.flush()
            session.execute(update(OutboxMessage).values(state="sent", sent_at=now))
        with sessions() as session:
            big_id = session.scalars(select(Program.id).where(Program.name == NAME)).one()
            key = session.scalars(select(Program.key).where(Program.id == big_id)).one()
            counts = {
                "updates": select(func.count()).where(StatusUpdate.program_id == big_id),
                "raid": select(func.count()).where(RaidItem.program_id == big_id),
                "open": select(func.count()).where(
                    RaidItem.program_id == big_id, RaidItem.state == "open"
                ),
                "programs": select(func.count()).select_from(Program),
            }
            got = {name: int(session.scalar(query) or 0) for name, query in counts.items()}
    finally:
        engine.dispose()
    return Seeded(
        key=key,
        updates=got["updates"],
        raid_items=got["raid"],
        open_items=got["open"],
        programs=got["programs"],
        seconds=time.perf_counter() - started,
    )


def _program(session: Session, name: str, owner: str, created: datetime) -> Program:
    return add_program(
        session,
        team_id=TEAM,
        actor_id="UADMIN",
        new=NewProgram(name=name, owner_id=owner, target_date=date(2031, 12, 31)),
        timezone="UTC",
        today=created.date(),
        now=created,
    )


def _history(
    session: Session,
    program: Program,
    space: Workspace,
    *,
    now: datetime,
    weeks: int,
    items: int,
) -> None:
    """`weeks` weekly updates ending last week, and `items` RAID items spread over them."""
    first = now - timedelta(weeks=weeks)
    for week in range(weeks):
        at = first + timedelta(weeks=week)
        rag = "red" if week % 13 == 5 else "amber" if week % 7 == 3 else "green"
        troubled = rag != "green"
        status.submit(
            session,
            program=program,
            author_id=program.owner_id,
            data=status.StatusInput(
                rag=rag,
                summary=f"Week {week + 1}: integration of wave {week // 4 + 1} on track-ish",
                accomplishments="Migrated two services; closed the data-retention review.",
                next_steps="Cut over the reporting cluster; rehearse the rollback.",
                blockers="Vendor firmware for the edge routers" if troubled else None,
                path_to_green="Escalated to the vendor; workaround in test" if troubled else None,
                recovery_date=(at + timedelta(weeks=3)).date() if troubled else None,
            ),
            now=at,
            workspace=space,
        )
    for number in range(items):
        at = first + (now - first) * number / max(1, items)
        item = raid.add(
            session,
            program=program,
            actor_id=program.owner_id,
            data=raid.RaidInput(
                title=f"{raid.KINDS[number % len(raid.KINDS)].capitalize()} {number + 1}: "
                "supplier capacity for the Q3 cut-over may not hold",
                owner_id=PEOPLE[number % len(PEOPLE)],
                kind=raid.KINDS[number % len(raid.KINDS)],
                likelihood=1 + number % 5,
                impact=1 + (number // 5) % 5,
                due_date=(at + timedelta(days=60)).date(),
                description="Raised in the weekly steering call.",
                mitigation="Second supplier on standby." if number % 3 else None,
            ),
            now=at,
            workspace=space,
        )
        if number % CLOSE_EVERY == CLOSE_EVERY - 1:
            raid.close(
                session,
                item=item,
                program=program,
                actor_id=program.owner_id,
                now=at + timedelta(days=1),
                workspace=space,
            )


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything measured in one run."""

    seeded: Seeded
    samples: dict[str, Samples]
    first_health: float
    rss_after_run: float
    server_logs: tuple[dict[str, int], list[str]]


def _bare_ok(reply: Reply) -> bool:
    return reply.status == 200 and reply.body == "ok"


def _detail_check(seeded: Seeded) -> Kind:
    """`program show <key>`: an empty ack, then the detail of that program."""
    expected = (f"{NAME} ({seeded.key})", f"*Open RAID items* ({seeded.open_items})")

    def answered(body: object) -> bool:
        text = json.dumps(body, ensure_ascii=False)
        return isinstance(body, dict) and all(part in text for part in expected)

    text = f"program show {seeded.key}"
    return Kind("ours  /pmo program show", "ours", text, empty_ack, answer=answered)


def measure(args: argparse.Namespace, workdir: Path) -> Outcome:
    """Seed, start both servers, warm up, measure in alternating rounds, stop everything."""
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    seeded = prepare_database(database_url)
    kinds = [Kind("bare Bolt  /pmo x", "bare", "x", _bare_ok), _detail_check(seeded)]
    servers: dict[str, Server] = {}
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user("UADMIN", "ada", real_name="Ada Admin", is_admin=True)
        for user_id in PEOPLE:
            fake.add_user(user_id, user_id.lower())
        fake.add_user("UREAD", "rea", real_name="Rea Reader")
        env = server_env(fake, database_url=database_url, token=TOKEN, secret=SECRET)
        try:
            start_ours_and_bare(fake, env, secret=SECRET, cwd=workdir, into=servers)
            drivers = {name: SlackDriver(s.url, SECRET, fake) for name, s in servers.items()}

            def phase(kind: Kind, total: int, into: Samples, senders: int) -> None:
                server, driver = servers[kind.server], drivers[kind.server]
                run_phase(server, driver, fake, kind, senders=senders, total=total, into=into)

            for kind in kinds:  # the first /pmo of a user fetches users.info: not measured
                first = Samples()
                phase(kind, 1, first, 1)
                if first.errors:
                    servers["ours"].print_errors()
                    raise RuntimeError(f"{kind.label}: {first.errors[0]}")
            for kind in kinds:
                warmup = Samples()
                phase(kind, WARMUP_REQUESTS, warmup, args.senders)
                if warmup.errors:
                    raise RuntimeError(f"warm-up of {kind.label}: {warmup.errors[:3]}")
            samples = {k.label: Samples() for k in kinds}
            for index, size in rounds_of(args.requests, args.rounds):
                shift = index % len(kinds)
                for kind in kinds[shift:] + kinds[:shift]:
                    phase(kind, size, samples[kind.label], args.senders)
            rss = servers["ours"].rss_mib()
        finally:
            for server in servers.values():
                server.stop()
    return Outcome(
        seeded=seeded,
        samples=samples,
        first_health=servers["ours"].first_health_seconds,
        rss_after_run=rss,
        server_logs=servers["ours"].log.snapshot(),
    )


def report(outcome: Outcome, args: argparse.Namespace, database: str) -> bool:
    """Print the table and the budget lines; True when every budget line passes."""
    ms = 1000.0
    seeded = outcome.seeded
    print(
        f"\nprogram show: {database}, `{seeded.key}` with {seeded.updates} status updates and "
        f"{seeded.raid_items} RAID items ({seeded.open_items} open), {seeded.programs} programs "
        f"in all; {args.senders} concurrent senders, {args.requests} requests per kind in "
        f"{args.rounds} alternating rounds (client side)"
    )
    print(f"code: {code_version()}; seeding took {seeded.seconds:.1f} s\n")
    header = latency_header()
    print(header)
    print("-" * len(header))
    bare, show = list(outcome.samples)
    print(latency_row(bare, outcome.samples[bare].latencies, outcome.samples[bare]))
    print(latency_row(show + " (ack)", outcome.samples[show].latencies, outcome.samples[show]))
    print(latency_row(show + " (answer)", outcome.samples[show].answers))
    print(
        "\n(ack: send to HTTP response; answer: send to the post at the response_url, each "
        "sender waiting for it before its next command)"
    )
    print(
        f"first /healthz after start: {outcome.first_health:.2f} s; "
        f"RSS after the run {outcome.rss_after_run:.1f} MiB"
    )
    for samples in outcome.samples.values():
        for error in samples.errors[:3]:
            print(f"  bad reply: {error}")
    levels, problems = outcome.server_logs
    counted = ", ".join(f"{n} {level}" for level, n in sorted(levels.items())) or "nothing"
    print(f"pmo-bot run logged: {counted}")
    for problem in problems:
        print(f"  {problem}")
    acks, answers = outcome.samples[show].latencies, outcome.samples[show].answers
    print(
        f"\ninformational (no budget): ack p50 {percentile(acks, 50) * ms:.2f} ms "
        f"({percentile(acks, 50) / percentile(outcome.samples[bare].latencies, 50):.2f}x bare); "
        f"answer p50 {percentile(answers, 50) * ms:.2f} ms, "
        f"p99 {percentile(answers, 99) * ms:.2f} ms"
    )
    p99 = percentile(acks, 99) * ms
    return budget_lines(
        [
            (
                f"program show ack p99 under {P99_BUDGET_MS:g} ms ({p99:.2f} ms)",
                p99 < P99_BUDGET_MS,
            ),
            (
                "every ack an empty 200, every answer the detail with the open RAID count",
                not any(s.errors for s in outcome.samples.values())
                and len(answers) == len(acks) == args.requests,
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a budget line fails."""
    parser = load_parser("tests.benchmarks.program_show", __doc__, rounds=5, programs=False)
    return run_measured(parse_load_args(parser, argv), measure, report)


if __name__ == "__main__":
    sys.exit(main())
