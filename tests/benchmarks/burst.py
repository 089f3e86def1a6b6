"""Acks under a burst: senders that never wait for deferred answers, against a bare Bolt app.

With 1,000 programs, 8 senders fire `/pmo help` (answered in the ack) and `/pmo program list
all` (acked empty, answered later at the response_url) alternately, each sending its next
command as soon as the previous ack is back, 400 commands in all. The deferred answers pile
up while acks are still being served, so this measures whether acks wait behind them.

The budget: ack p50 of both kinds within 1.5x of the bare Bolt app measured in the same run,
and every deferred answer arriving at its response_url. Reported besides: ack p99, and the
answers' p50/p99 from sending the command to the answer's arrival at the fake Slack.

    python -m tests.benchmarks.burst [--requests 400] [--senders 8] [--rounds 4]
    python -m tests.benchmarks.burst --database-url postgresql+psycopg://…/pmo_bench_burst

Rounds alternate the bare app and the burst (who goes first rotates); each burst's answers
are all awaited before the next phase, so the bare app never runs beside leftover work.
Exit code 1 when a budget line fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from tests.benchmarks.ack_latency import (
    SECRET,
    TEAM,
    TOKEN,
    bare_ok,
    prepare_database,
    sensible_help,
)
from tests.benchmarks.harness import (
    Kind,
    Samples,
    Server,
    budget_lines,
    code_version,
    empty_ack,
    latency_header,
    latency_row,
    load_parser,
    parse_load_args,
    percentile,
    rounds_of,
    run_burst,
    run_measured,
    run_phase,
    server_env,
    start_ours_and_bare,
)

P50_RATIO_BUDGET = 1.5
WARMUP_REQUESTS = 50
BARE = "bare Bolt  /pmo x"
HELP = "ours  /pmo help"
LIST = "ours  program list all"


def kinds_for(programs: int) -> tuple[Kind, list[Kind]]:
    """The bare app's kind, and the burst's two: help (in the ack) and list all (deferred)."""
    title = f"{programs} program{'s' if programs != 1 else ''} (all)"
    listed = Kind(
        LIST,
        "ours",
        "program list all",
        empty_ack,
        answer=lambda body: isinstance(body, dict) and title in json.dumps(body),
    )
    return Kind(BARE, "bare", "x", bare_ok), [Kind(HELP, "ours", "help", sensible_help), listed]


@dataclass
class Outcome:
    """Everything measured in one run: samples by kind label, and what the servers logged."""

    samples: dict[str, Samples]
    server_logs: dict[str, tuple[dict[str, int], list[str]]]


def measure(args: argparse.Namespace, workdir: Path) -> Outcome:
    """Seed the database, start both servers, warm up, alternate bare phases and bursts."""
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    prepare_database(database_url, programs=args.programs)
    bare, burst = kinds_for(args.programs)
    servers: dict[str, Server] = {}
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user("UREAD", "rea", real_name="Rea Reader")
        env = server_env(fake, database_url=database_url, token=TOKEN, secret=SECRET)
        try:
            start_ours_and_bare(fake, env, secret=SECRET, cwd=workdir, into=servers)
            drivers = {name: SlackDriver(s.url, SECRET, fake) for name, s in servers.items()}

            def bare_phase(size: int, into: Samples, senders: int) -> None:
                server, driver = servers["bare"], drivers["bare"]
                run_phase(server, driver, fake, bare, senders=senders, total=size, into=into)

            def burst_phase(size: int, into: dict[str, Samples], senders: int) -> None:
                server, driver = servers["ours"], drivers["ours"]
                run_burst(server, driver, fake, burst, senders=senders, total=size, into=into)

            # Alone first (the first `/pmo` from a user fetches users.info), then warm-up.
            warmup = {k.label: Samples() for k in (bare, *burst)}
            bare_phase(1, warmup[BARE], 1)
            burst_phase(len(burst), warmup, 1)
            bare_phase(WARMUP_REQUESTS, warmup[BARE], args.senders)
            burst_phase(WARMUP_REQUESTS, warmup, args.senders)
            failed = {label: s.errors[:3] for label, s in warmup.items() if s.errors}
            if failed:
                servers["ours"].print_errors()
                raise RuntimeError(f"warm-up replies were wrong: {failed}")

            samples = {k.label: Samples() for k in (bare, *burst)}
            for index, size in rounds_of(args.requests, args.rounds):
                bare_first = index % 2 == 0  # who goes first rotates
                if bare_first:
                    bare_phase(size, samples[BARE], args.senders)
                burst_phase(size, samples, args.senders)
                if not bare_first:
                    bare_phase(size, samples[BARE], args.senders)
        finally:
            for server in servers.values():
                server.stop()
    return Outcome(samples, {name: s.log.snapshot() for name, s in servers.items()})


def report(outcome: Outcome, args: argparse.Namespace, database: str) -> bool:
    """Print the table and the budget lines; True when every budget line passes."""
    ms = 1000.0
    samples = outcome.samples
    print(
        f"\nburst: {database}, {args.programs} programs, {args.senders} senders not waiting for "
        f"answers, {args.requests} burst commands (help and list all alternating) and as many "
        f"bare ones, in {args.rounds} alternating rounds (client side)"
    )
    print(f"code: {code_version()}\n")
    header = latency_header()
    print(header)
    print("-" * len(header))
    print(latency_row(BARE, samples[BARE].latencies, samples[BARE]))
    print(latency_row(HELP, samples[HELP].latencies, samples[HELP]))
    print(latency_row(LIST + " (ack)", samples[LIST].latencies, samples[LIST]))
    print(latency_row(LIST + " (answer)", samples[LIST].answers))
    print(
        "\n(ack: send to HTTP response; answer: send to its arrival at the response_url; "
        "burst rows share the burst's server CPU, answers included)"
    )
    for kind_samples in samples.values():
        for error in kind_samples.errors[:3]:
            print(f"  bad reply: {error}")
    for name, title in (("ours", "pmo-bot run"), ("bare", "bare Bolt")):
        levels, problems = outcome.server_logs[name]
        counted = ", ".join(f"{n} {level}" for level, n in sorted(levels.items())) or "nothing"
        print(f"{title} logged: {counted}")
        for problem in problems:
            print(f"  {problem}")
    answers, lists = samples[LIST].answers, len(samples[LIST].latencies)
    print(
        f"\ninformational (no budget): list answers p50 {percentile(answers, 50) * ms:.1f} ms, "
        f"p99 {percentile(answers, 99) * ms:.1f} ms; ack p99 help "
        f"{percentile(samples[HELP].latencies, 99) * ms:.2f} ms, list "
        f"{percentile(samples[LIST].latencies, 99) * ms:.2f} ms, bare "
        f"{percentile(samples[BARE].latencies, 99) * ms:.2f} ms"
    )
    bare_p50 = percentile(samples[BARE].latencies, 50)
    lines = [
        (
            f"{label.removeprefix('ours  ')} ack p50 within {P50_RATIO_BUDGET:g}x bare "
            f"(ratio {percentile(samples[label].latencies, 50) / bare_p50:.2f})",
            percentile(samples[label].latencies, 50) <= P50_RATIO_BUDGET * bare_p50,
        )
        for label in (HELP, LIST)
    ]
    lines.append(
        (
            f"every reply HTTP 200 and sensible; every list answered at its response_url "
            f"({len(answers)} of {lists})",
            not any(s.errors for s in samples.values()) and len(answers) == lists,
        )
    )
    return budget_lines(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a budget line fails."""
    parser = load_parser("tests.benchmarks.burst", __doc__, rounds=4, programs=True)
    return run_measured(parse_load_args(parser, argv), measure, report)


if __name__ == "__main__":
    sys.exit(main())
