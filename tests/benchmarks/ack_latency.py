"""Ack latency of `/pmo help` and `/pmo program list`, against a bare Bolt app, over loopback.

The budget (from the issue): with 1,000 programs in the database and 8 concurrent senders,
ack p50 of `/pmo help` and `/pmo program list` within 2x of a bare Bolt app that acks inline
(both measured in the same run), p99 under 50 ms, the first `/healthz` answer under 3 s after
start, and the RSS after warm-up reported.

    python -m tests.benchmarks.ack_latency [--requests 400] [--senders 8]
    python -m tests.benchmarks.ack_latency --database-url postgresql+psycopg://…/bench

Both servers are real subprocesses (`pmo-bot run` and `tests.benchmarks.bare_bolt_app`) on
the same waitress stack, driven by signed slash commands exactly as Slack sends them. The three
kinds of request are measured in alternating rounds so background noise hits all of them.
Exit code 1 when a budget line fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.programs import NewProgram, add_program
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.workspace import get_workspace
from storage import migrate
from storage.db import make_engine, make_sessionmaker

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"
OWNERS = ("UADMIN", "ULEAD", "ULEAD2", "UOWNER3", "UOWNER4")
START_TIMEOUT_SECONDS = 60.0
HEALTH_POLL_SECONDS = 0.02
WARMUP_REQUESTS = 50

P50_RATIO_BUDGET = 2.0
P99_BUDGET_MS = 50.0
FIRST_HEALTH_BUDGET_SECONDS = 3.0


# --- the servers ---------------------------------------------------------------------------


class ServerLog:
    """A server's stderr, read in a thread: lines for the harness, levels counted, a tail kept."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.tail: list[str] = []
        self.levels: dict[str, int] = {}
        self.first_problems: list[str] = []  # the first WARNING/ERROR messages, shortened
        self._lock = threading.Lock()
        threading.Thread(target=self._drain, args=(process,), daemon=True).start()

    def _drain(self, process: subprocess.Popen[str]) -> None:
        """Read stderr so the server never blocks on a full pipe."""
        assert process.stderr is not None
        for line in iter(process.stderr.readline, ""):
            self.lines.put(line)
            record = _json_line(line)
            level = str(record.get("level", "")) if record else ""
            with self._lock:
                self.tail.append(line)
                if len(self.tail) > 200:
                    del self.tail[:100]
                if level:
                    self.levels[level] = self.levels.get(level, 0) + 1
                problem = level in ("WARNING", "ERROR", "CRITICAL")
                if record and problem and len(self.first_problems) < 3:
                    self.first_problems.append(_summary(record))

    def snapshot(self) -> tuple[dict[str, int], list[str]]:
        """Lines counted per level so far, and the first problems."""
        with self._lock:
            return dict(self.levels), list(self.first_problems)


def _json_line(line: str) -> dict[str, object] | None:
    with contextlib.suppress(ValueError):
        record = json.loads(line)
        if isinstance(record, dict):
            return record
    return None


def _summary(record: dict[str, object]) -> str:
    """`logger: message: last line of the traceback`, at most 240 characters."""
    cause = str(record.get("exc") or "").strip().splitlines()[-1:]
    text = f"{record.get('logger')}: {record.get('msg')}" + (f": {cause[0]}" if cause else "")
    return text[:240]


@dataclass
class Server:
    """A served app in a subprocess: its URL, and how long it took to answer `/healthz`."""

    name: str
    process: subprocess.Popen[str]
    url: str
    first_health_seconds: float
    log: ServerLog

    def rss_mib(self) -> float:
        """Resident set size now, from /proc (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for pid {self.process.pid}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by all the server's threads, from /proc (Linux, ns resolution)."""
        total_ns = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(OSError):  # a thread that just ended
                total_ns += int((task / "schedstat").read_text().split()[0])
        return total_ns / 1e9

    def stop(self) -> None:
        """Terminate, then kill if it does not stop in time."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(name: str, argv: Sequence[str], env: dict[str, str], cwd: Path) -> Server:
    """Start `argv`, read its port from the "serving HTTP" log line, poll `/healthz` to 200.

    `first_health_seconds` runs from just before `Popen` to the first 200 from `/healthz`.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = ServerLog(process)
    try:
        port = _wait_for_port(process, log.lines, started)
        url = f"http://127.0.0.1:{port}"
        _wait_for_health(process, url, started)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        sys.stderr.write(f"--- {name} stderr (last lines) ---\n" + "".join(log.tail[-40:]))
        raise
    first_health = time.perf_counter() - started
    return Server(name, process, url, first_health, log)


def _wait_for_port(process: subprocess.Popen[str], lines: queue.Queue[str], since: float) -> int:
    while time.perf_counter() - since < START_TIMEOUT_SECONDS:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before serving")
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        record = _json_line(line)
        if record and record.get("msg") == "serving HTTP":
            return int(str(record["port"]))
    raise TimeoutError("no 'serving HTTP' line")


def _wait_for_health(process: subprocess.Popen[str], url: str, since: float) -> None:
    while time.perf_counter() - since < START_TIMEOUT_SECONDS:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before /healthz answered")
        # refused, reset, or an HTTP error status (urllib's HTTPError is an OSError)
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(HEALTH_POLL_SECONDS)
    raise TimeoutError("/healthz never answered 200")


# --- the database --------------------------------------------------------------------------


def prepare_database(url: str, *, programs: int) -> None:
    """Migrate an empty database and register `programs` programs in one transaction.

    On PostgreSQL the `public` schema is dropped and recreated first.
    """
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            where = engine.url.render_as_string(hide_password=True)
            print(f"dropping and recreating schema public in {where}", file=sys.stderr)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
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


# --- load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of request: which server, what the user types, how to tell a good reply."""

    label: str
    server: str
    text: str
    check: Callable[[Reply], bool]


@dataclass
class Samples:
    """Client-side latencies in seconds, and replies that were not 200 and sensible."""

    latencies: list[float] = field(default_factory=list)
    server_cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def run_phase(
    server: Server, driver: SlackDriver, kind: Kind, *, senders: int, total: int, into: Samples
) -> None:
    """`senders` threads send `total` commands between them, all starting together.

    Also adds the server's CPU time over the phase to `into.server_cpu_seconds`.
    """
    barrier = threading.Barrier(senders)
    per_sender = [total // senders + (1 if i < total % senders else 0) for i in range(senders)]
    results = [Samples() for _ in range(senders)]

    def send(index: int) -> None:
        mine = results[index]
        barrier.wait()
        for _ in range(per_sender[index]):
            began = time.perf_counter()
            try:
                reply = driver.command("UREAD", kind.text)
            except OSError as exc:
                mine.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            mine.latencies.append(time.perf_counter() - began)
            if not kind.check(reply):
                mine.errors.append(f"HTTP {reply.status}: {str(reply.body)[:200]}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    into.server_cpu_seconds += server.cpu_seconds() - cpu_before
    for result in results:
        into.latencies += result.latencies
        into.errors += result.errors


def rounds_of(total: int, rounds: int) -> Iterator[tuple[int, int]]:
    """(round index, requests in that round) splitting `total` over `rounds`."""
    for index in range(rounds):
        yield index, total // rounds + (1 if index < total % rounds else 0)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything measured in one run."""

    samples: dict[str, Samples]
    first_health: dict[str, float]
    rss_after_warmup: dict[str, float]
    rss_after_run: dict[str, float]
    server_logs: dict[str, tuple[dict[str, int], list[str]]]


def _sensible_help(reply: Reply) -> bool:
    return (
        reply.status == 200
        and isinstance(reply.body, dict)
        and "/pmo program add" in json.dumps(reply.body)
    )


def _bare_ok(reply: Reply) -> bool:
    return reply.status == 200 and reply.body == "ok"


def measure(args: argparse.Namespace, workdir: Path) -> Outcome:
    """Seed the database, start both servers, warm up, measure in rounds, stop everything."""
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    prepare_database(database_url, programs=args.programs)
    listed = f"{args.programs} program{'s' if args.programs != 1 else ''}"  # the list's title
    kinds = [
        Kind("bare Bolt  /pmo x", "bare", "x", _bare_ok),
        Kind("ours  /pmo help", "ours", "help", _sensible_help),
        Kind(
            "ours  /pmo program list",
            "ours",
            "program list",
            lambda r: r.status == 200 and isinstance(r.body, dict) and listed in str(r.body),
        ),
    ]
    servers: dict[str, Server] = {}
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user("UADMIN", "ada", real_name="Ada Admin", is_admin=True)
        fake.add_user("ULEAD", "lee", real_name="Lee Lead")
        fake.add_user("UREAD", "rea", real_name="Rea Reader")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=database_url,
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            # both servers run the code tree this harness was started from
            PYTHONPATH=os.pathsep.join(filter(None, [_repo_root(), os.environ.get("PYTHONPATH")])),
        )
        try:
            ours_argv = [sys.executable, "-m", "bot.cli", "run", "--port", "0"]
            servers["ours"] = start_server("pmo-bot run", ours_argv, env, workdir)
            bare_argv = [sys.executable, "-m", "tests.benchmarks.bare_bolt_app", "--port", "0"]
            bare_argv += ["--api-url", fake.base_url, "--signing-secret", SECRET]
            bare_env = {k: v for k, v in env.items() if not k.startswith("SLACK_")}
            servers["bare"] = start_server("bare Bolt", bare_argv, bare_env, workdir)
            drivers = {name: SlackDriver(s.url, SECRET, fake) for name, s in servers.items()}

            # One request alone first: the first `/pmo` from a user fetches users.info and
            # stores the person; the benchmark measures the cached path.
            for kind in kinds:
                reply = drivers[kind.server].command("UREAD", kind.text)
                if not kind.check(reply):
                    raise RuntimeError(f"{kind.label}: HTTP {reply.status}: {reply.body}")
            warmup: dict[str, Samples] = {k.label: Samples() for k in kinds}
            for kind in kinds:
                run_phase(
                    servers[kind.server],
                    drivers[kind.server],
                    kind,
                    senders=args.senders,
                    total=WARMUP_REQUESTS,
                    into=warmup[kind.label],
                )
            failed_warmup = {k: s.errors[:3] for k, s in warmup.items() if s.errors}
            if failed_warmup:
                for server in servers.values():
                    _print_errors(server)
                raise RuntimeError(f"warm-up replies were wrong: {failed_warmup}")
            rss_warm = {name: s.rss_mib() for name, s in servers.items()}

            samples = {k.label: Samples() for k in kinds}
            for index, size in rounds_of(args.requests, args.rounds):
                shift = index % len(kinds)  # rotate who goes first each round
                for kind in kinds[shift:] + kinds[:shift]:
                    run_phase(
                        servers[kind.server],
                        drivers[kind.server],
                        kind,
                        senders=args.senders,
                        total=size,
                        into=samples[kind.label],
                    )
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
    )


def _print_errors(server: Server) -> None:
    """The server's last ERROR log lines, each with the last line of its traceback."""
    sys.stderr.write(f"--- {server.name}: last errors logged ---\n")
    for line in list(server.log.tail):
        record = _json_line(line)
        if record and record.get("level") == "ERROR":
            sys.stderr.write(_summary(record) + "\n")


def _repo_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def _code_version() -> str:
    """The commit measured, and whether the working tree had changes."""
    git = ["git", "-C", _repo_root()]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" + uncommitted changes" if dirty else "")


# --- the report ------------------------------------------------------------------------------


def report(outcome: Outcome, args: argparse.Namespace, database: str) -> bool:
    """Print the table and the budget lines; True when every budget line passes."""
    ms = 1000.0
    print(
        f"\nack latency: {database}, {args.programs} programs, {args.senders} concurrent senders, "
        f"{args.requests} requests per kind in {args.rounds} alternating rounds (client side)"
    )
    print(f"code: {_code_version()}\n")
    header = f"{'request':<26}{'n':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    header += f"{'bad':>5}{'srv CPU ms/req':>16}"
    print(header)
    print("-" * len(header))
    p50: dict[str, float] = {}
    p99: dict[str, float] = {}
    for label, samples in outcome.samples.items():
        values = samples.latencies or [math.nan]
        p50[label], p99[label] = percentile(values, 50), percentile(values, 99)
        print(
            f"{label:<26}{len(samples.latencies):>6}"
            f"{p50[label] * ms:>9.2f}{percentile(values, 90) * ms:>9.2f}"
            f"{p99[label] * ms:>9.2f}{max(values) * ms:>9.2f}{len(samples.errors):>5}"
            f"{samples.server_cpu_seconds * ms / max(1, len(samples.latencies)):>16.2f}"
        )
    bare, help_, list_ = list(outcome.samples)
    print()
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
    print("\nbudget")
    lines = [
        (
            f"help p50 within {P50_RATIO_BUDGET:g}x bare (ratio {p50[help_] / p50[bare]:.2f})",
            p50[help_] <= P50_RATIO_BUDGET * p50[bare],
        ),
        (
            f"program list p50 within {P50_RATIO_BUDGET:g}x bare "
            f"(ratio {p50[list_] / p50[bare]:.2f})",
            p50[list_] <= P50_RATIO_BUDGET * p50[bare],
        ),
        (
            f"help p99 under {P99_BUDGET_MS:g} ms ({p99[help_] * ms:.2f} ms)",
            p99[help_] * ms < P99_BUDGET_MS,
        ),
        (
            f"program list p99 under {P99_BUDGET_MS:g} ms ({p99[list_] * ms:.2f} ms)",
            p99[list_] * ms < P99_BUDGET_MS,
        ),
        (
            f"first /healthz under {FIRST_HEALTH_BUDGET_SECONDS:g} s "
            f"({outcome.first_health['ours']:.2f} s)",
            outcome.first_health["ours"] < FIRST_HEALTH_BUDGET_SECONDS,
        ),
        (
            "every reply HTTP 200 and sensible",
            not any(s.errors for s in outcome.samples.values()),
        ),
    ]
    for description, passed in lines:
        print(f"  {'PASS' if passed else 'FAIL'}  {description}")
    return all(passed for _, passed in lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a budget line fails."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.ack_latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=400, help="measured requests per kind")
    parser.add_argument("--senders", type=int, default=8, help="concurrent sender threads")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per kind")
    parser.add_argument("--programs", type=int, default=1000, help="programs in the database")
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench; its public schema is "
        "DROPPED and recreated (default: a temporary SQLite file)",
    )
    args = parser.parse_args(argv)
    if args.requests < args.rounds or args.senders < 1:
        parser.error("need --requests >= --rounds and --senders >= 1")
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as tmp:
        outcome = measure(args, Path(tmp))
    database = "PostgreSQL" if args.database_url else "SQLite"
    return 0 if report(outcome, args, database) else 1


if __name__ == "__main__":
    sys.exit(main())
