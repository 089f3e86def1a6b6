"""Ack latency of `/pmo help` and `/pmo program list`, against a bare Bolt app, over loopback.

The budget (from the issue): with 1,000 programs in the database and 8 concurrent senders,
ack p50 of `/pmo help` and `/pmo program list` within 2x of a bare Bolt app that acks inline
(both measured in the same run), p99 under 50 ms, the first `/healthz` answer under 3 s after
start, and the RSS after warm-up reported.

`help` is static (answered in the ack, no database); `program list` is deferred: the ack is an
empty 200 and the list is posted to the command's `response_url` afterwards. For the list the
harness also measures the answer latency, from sending the command to the answer arriving at
the fake Slack (each sender waits for it before sending again); it is reported, not budgeted.

    python -m tests.benchmarks.ack_latency [--requests 400] [--senders 8]
    python -m tests.benchmarks.ack_latency --database-url postgresql+psycopg://…/pmo_bench

Both servers are real subprocesses (`pmo-bot run` and `tests.benchmarks.bare_bolt_app`) on
the same waitress stack, driven by signed slash commands exactly as Slack sends them. The three
kinds of request are measured in alternating rounds so background noise hits all of them.
Exit code 1 when a budget line fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.programs import NewProgram, add_program
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.workspace import get_workspace
from storage.db import make_engine, make_sessionmaker
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
OWNERS = ("UADMIN", "ULEAD", "ULEAD2", "UOWNER3", "UOWNER4")
WARMUP_REQUESTS = 50

P50_RATIO_BUDGET = 2.0
P99_BUDGET_MS = 50.0
FIRST_HEALTH_BUDGET_SECONDS = 3.0


# --- the database --------------------------------------------------------------------------


def prepare_database(url: str, *, programs: int) -> None:
    """Migrate an empty database and register `programs` programs in one transaction.

    On PostgreSQL the `public` schema is dropped and recreated first.
    """
    engine = make_engine(url)
    try:
        fresh_schema(engine)
        now = datetime.now(UTC)
        with make_sessionmaker(engine).begin() as session:
            get_workspace(session, team_id=TEAM, default_timezone="UTC", now=now)
            for number in range(1, programs + 1):
                changed = now - timedelta(minutes=number)  # spread "most recently changed"
                add_program(
                    session,
                    team_id=TEAM,
                    actor_id="UADMIN",
                    new=NewProgram(
                        name=f"Program {number:04d}", owner_id=OWNERS[number % len(OWNERS)]
                    ),
                    timezone="UTC",
                    today=changed.date(),
                    now=changed,
                )
    finally:
        engine.dispose()


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything measured in one run."""

    samples: dict[str, Samples]
    first_health: dict[str, float]
    rss_after_warmup: dict[str, float]
    rss_after_run: dict[str, float]
    server_logs: dict[str, tuple[dict[str, int], list[str]]]
    deferred: set[str]  # labels of the kinds answered at the response_url


def sensible_help(reply: Reply) -> bool:
    """The help message, in the ack."""
    return (
        reply.status == 200
        and isinstance(reply.body, dict)
        and "/pmo program add" in json.dumps(reply.body)
    )


def bare_ok(reply: Reply) -> bool:
    """The bare Bolt app's inline ack."""
    return reply.status == 200 and reply.body == "ok"


def kinds_for(programs: int) -> list[Kind]:
    """Bare Bolt, help (static, in the ack) and program list (deferred, at the response_url)."""
    listed = f"{programs} program{'s' if programs != 1 else ''}"  # the list's title
    return [
        Kind("bare Bolt  /pmo x", "bare", "x", bare_ok),
        Kind("ours  /pmo help", "ours", "help", sensible_help),
        Kind(
            "ours  /pmo program list",
            "ours",
            "program list",
            empty_ack,
            answer=lambda body: isinstance(body, dict) and listed in json.dumps(body),
        ),
    ]


def measure(args: argparse.Namespace, workdir: Path) -> Outcome:
    """Seed the database, start both servers, warm up, measure in rounds, stop everything."""
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    prepare_database(database_url, programs=args.programs)
    kinds = kinds_for(args.programs)
    servers: dict[str, Server] = {}
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user("UADMIN", "ada", real_name="Ada Admin", is_admin=True)
        fake.add_user("ULEAD", "lee", real_name="Lee Lead")
        fake.add_user("UREAD", "rea", real_name="Rea Reader")
        env = server_env(fake, database_url=database_url, token=TOKEN, secret=SECRET)
        try:
            start_ours_and_bare(fake, env, secret=SECRET, cwd=workdir, into=servers)
            drivers = {name: SlackDriver(s.url, SECRET, fake) for name, s in servers.items()}

            def phase(kind: Kind, total: int, into: Samples, senders: int) -> None:
                server, driver = servers[kind.server], drivers[kind.server]
                run_phase(server, driver, fake, kind, senders=senders, total=total, into=into)

            # One request alone first: the first `/pmo` from a user fetches users.info and
            # stores the person; the benchmark measures the cached path.
            for kind in kinds:
                first = Samples()
                phase(kind, 1, first, 1)
                if first.errors:
                    raise RuntimeError(f"{kind.label}: {first.errors[0]}")
            warmup: dict[str, Samples] = {k.label: Samples() for k in kinds}
            for kind in kinds:
                phase(kind, WARMUP_REQUESTS, warmup[kind.label], args.senders)
            failed_warmup = {k: s.errors[:3] for k, s in warmup.items() if s.errors}
            if failed_warmup:
                for server in servers.values():
                    server.print_errors()
                raise RuntimeError(f"warm-up replies were wrong: {failed_warmup}")
            rss_warm = {name: s.rss_mib() for name, s in servers.items()}

            samples = {k.label: Samples() for k in kinds}
            for index, size in rounds_of(args.requests, args.rounds):
                shift = index % len(kinds)  # rotate who goes first each round
                for kind in kinds[shift:] + kinds[:shift]:
                    phase(kind, size, samples[kind.label], args.senders)
            rss_end = {name: s.rss_mib() for name, s in servers.items()}
        finally:
            for server in servers.values():
                server.stop()
    return Outcome(
        samples=samples,
        first_health={name: s.first_health_seconds for name, s in servers.items()},
        rss_after_warmup=rss_warm,
        rss_after_run=rss_end,
        server_logs={name: s.log.snapshot() for name, s in servers.items()},
        deferred={k.label for k in kinds if k.answer is not None},
    )


# --- the report ------------------------------------------------------------------------------


def report(outcome: Outcome, args: argparse.Namespace, database: str) -> bool:
    """Print the table and the budget lines; True when every budget line passes."""
    ms = 1000.0
    print(
        f"\nack latency: {database}, {args.programs} programs, {args.senders} concurrent senders, "
        f"{args.requests} requests per kind in {args.rounds} alternating rounds (client side)"
    )
    print(f"code: {code_version()}\n")
    header = latency_header()
    print(header)
    print("-" * len(header))
    p50: dict[str, float] = {}
    p99: dict[str, float] = {}
    for label, samples in outcome.samples.items():
        p50[label] = percentile(samples.latencies, 50)
        p99[label] = percentile(samples.latencies, 99)
        deferred = label in outcome.deferred
        print(latency_row(label + (" (ack)" if deferred else ""), samples.latencies, samples))
        if deferred:
            print(latency_row(label + " (answer)", samples.answers))
    bare, help_, list_ = list(outcome.samples)
    answers = outcome.samples[list_].answers
    print(
        "\n(ack: send to HTTP response; answer: send to the post at the response_url, each "
        "sender waiting for it before its next command)"
    )
    print(
        f"first /healthz after start: pmo-bot run {outcome.first_health['ours']:.2f} s, "
        f"bare Bolt {outcome.first_health['bare']:.2f} s"
    )
    print(
        f"RSS pmo-bot run: {outcome.rss_after_warmup['ours']:.1f} MiB after warm-up, "
        f"{outcome.rss_after_run['ours']:.1f} MiB after the run "
        f"(bare Bolt: {outcome.rss_after_warmup['bare']:.1f} / "
        f"{outcome.rss_after_run['bare']:.1f} MiB)"
    )
    for samples in outcome.samples.values():
        for error in samples.errors[:3]:
            print(f"  bad reply: {error}")
    for name, title in (("ours", "pmo-bot run"), ("bare", "bare Bolt")):
        levels, problems = outcome.server_logs[name]
        counted = ", ".join(f"{n} {level}" for level, n in sorted(levels.items())) or "nothing"
        print(f"{title} logged: {counted}")
        for problem in problems:
            print(f"  {problem}")
    print(
        f"\ninformational (no budget): program list answer p50 "
        f"{percentile(answers, 50) * ms:.2f} ms, p99 {percentile(answers, 99) * ms:.2f} ms"
    )
    return budget_lines(
        [
            (
                f"help p50 within {P50_RATIO_BUDGET:g}x bare (ratio {p50[help_] / p50[bare]:.2f})",
                p50[help_] <= P50_RATIO_BUDGET * p50[bare],
            ),
            (
                f"program list ack p50 within {P50_RATIO_BUDGET:g}x bare "
                f"(ratio {p50[list_] / p50[bare]:.2f})",
                p50[list_] <= P50_RATIO_BUDGET * p50[bare],
            ),
            (
                f"help p99 under {P99_BUDGET_MS:g} ms ({p99[help_] * ms:.2f} ms)",
                p99[help_] * ms < P99_BUDGET_MS,
            ),
            (
                f"program list ack p99 under {P99_BUDGET_MS:g} ms ({p99[list_] * ms:.2f} ms)",
                p99[list_] * ms < P99_BUDGET_MS,
            ),
            (
                f"first /healthz under {FIRST_HEALTH_BUDGET_SECONDS:g} s "
                f"({outcome.first_health['ours']:.2f} s)",
                outcome.first_health["ours"] < FIRST_HEALTH_BUDGET_SECONDS,
            ),
            (
                f"every reply HTTP 200 and sensible, every list answered with "
                f'"{args.programs} programs"',
                not any(s.errors for s in outcome.samples.values())
                and len(answers) == len(outcome.samples[list_].latencies),
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a budget line fails."""
    parser = load_parser("tests.benchmarks.ack_latency", __doc__, rounds=5, programs=True)
    return run_measured(parse_load_args(parser, argv), measure, report)


if __name__ == "__main__":
    sys.exit(main())
