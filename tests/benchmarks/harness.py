"""What the benchmarks share: served apps in subprocesses, a fresh database, percentiles.

Not a benchmark itself; the benchmarks beside it import it.
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
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage import migrate

START_TIMEOUT_SECONDS = 60.0
HEALTH_POLL_SECONDS = 0.02
ANSWER_TIMEOUT_SECONDS = 30.0
DATABASE_URL_HELP = (
    "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/pmo_bench; its public schema is "
    "DROPPED and recreated (default: a temporary SQLite file)"
)


# --- served apps ---------------------------------------------------------------------------


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
            record = json_line(line)
            level = str(record.get("level", "")) if record else ""
            with self._lock:
                self.tail.append(line)
                if len(self.tail) > 200:
                    del self.tail[:100]
                if level:
                    self.levels[level] = self.levels.get(level, 0) + 1
                problem = level in ("WARNING", "ERROR", "CRITICAL")
                if record and problem and len(self.first_problems) < 3:
                    self.first_problems.append(summary(record))

    def snapshot(self) -> tuple[dict[str, int], list[str]]:
        """Lines counted per level so far, and the first problems."""
        with self._lock:
            return dict(self.levels), list(self.first_problems)


def json_line(line: str) -> dict[str, object] | None:
    """A JSON log line as a dict, or None."""
    with contextlib.suppress(ValueError):
        record = json.loads(line)
        if isinstance(record, dict):
            return record
    return None


def summary(record: dict[str, object]) -> str:
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

    def print_errors(self) -> None:
        """The server's last ERROR log lines, each with the last line of its traceback."""
        sys.stderr.write(f"--- {self.name}: last errors logged ---\n")
        for line in list(self.log.tail):
            record = json_line(line)
            if record and record.get("level") == "ERROR":
                sys.stderr.write(summary(record) + "\n")

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
        record = json_line(line)
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


def server_env(fake: FakeSlack, *, database_url: str, token: str, secret: str) -> dict[str, str]:
    """The environment `pmo-bot run` gets: our settings only, this code tree first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    env.update(
        SLACK_BOT_TOKEN=token,
        SLACK_SIGNING_SECRET=secret,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        # the served app runs the code tree this harness was started from
        PYTHONPATH=os.pathsep.join(filter(None, [repo_root(), os.environ.get("PYTHONPATH")])),
    )
    return env


def start_ours_and_bare(
    fake: FakeSlack, env: dict[str, str], *, secret: str, cwd: Path, into: dict[str, Server]
) -> None:
    """Start `pmo-bot run` as `into["ours"]`, then the bare Bolt app as `into["bare"]`.

    Each is added as soon as it serves, so the caller's `finally` can stop what started.
    """
    into["ours"] = start_server("pmo-bot run", pmo_bot_argv(), env, cwd)
    bare_argv = [sys.executable, "-m", "tests.benchmarks.bare_bolt_app", "--port", "0"]
    bare_argv += ["--api-url", fake.base_url, "--signing-secret", secret]
    bare_env = {k: v for k, v in env.items() if not k.startswith("SLACK_")}
    into["bare"] = start_server("bare Bolt", bare_argv, bare_env, cwd)


def pmo_bot_argv() -> list[str]:
    """`pmo-bot run` on a free port, with this interpreter."""
    return [sys.executable, "-m", "bot.runtime.cli", "run", "--port", "0"]


# --- load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of request: which server, what the user types, how to tell a good reply.

    `answer` is set for deferred commands: the ack is an empty 200 and the answer is posted
    to the command's response_url; it tells a good answer body.
    """

    label: str
    server: str
    text: str
    check: Callable[[Reply], bool]
    answer: Callable[[Any], bool] | None = None


@dataclass
class Samples:
    """Client-side latencies in seconds, and replies that were not 200 and sensible.

    `latencies` run from sending the command to its HTTP response (the ack); `answers`, for
    deferred commands, from sending it to its answer arriving at the response_url.
    """

    latencies: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    server_cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def run_phase(
    server: Server,
    driver: SlackDriver,
    fake: FakeSlack,
    kind: Kind,
    *,
    senders: int,
    total: int,
    into: Samples,
    user_id: str = "UREAD",
) -> None:
    """`senders` threads send `total` commands between them, all starting together.

    For a deferred kind each sender waits for the answer at the response_url before sending
    its next command (`fake.wait_for_response`, woken by the fake's condition variable as the
    post is recorded), so the answer latency includes the wake-up, nothing more. Also adds
    the server's CPU time over the phase to `into.server_cpu_seconds`, and forgets the fake's
    recorded calls and responses afterwards so waiting stays cheap.
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
                reply = driver.command(user_id, kind.text)
            except OSError as exc:
                mine.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            mine.latencies.append(time.perf_counter() - began)
            if not kind.check(reply):
                mine.errors.append(f"HTTP {reply.status}: {str(reply.body)[:200]}")
                continue
            if kind.answer is None:
                continue
            assert reply.response_url is not None
            try:
                response = fake.wait_for_response(reply.response_url, ANSWER_TIMEOUT_SECONDS)
            except TimeoutError:
                mine.errors.append(f"no answer at the response_url in {ANSWER_TIMEOUT_SECONDS}s")
                continue
            mine.answers.append(time.perf_counter() - began)
            if response["errors"] or not kind.answer(response["body"]):
                mine.errors.append(f"answer {response['errors']}: {str(response['body'])[:200]}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    into.server_cpu_seconds += server.cpu_seconds() - cpu_before
    fake.clear()
    for result in results:
        into.latencies += result.latencies
        into.answers += result.answers
        into.errors += result.errors


def run_burst(
    server: Server,
    driver: SlackDriver,
    fake: FakeSlack,
    kinds: Sequence[Kind],
    *,
    senders: int,
    total: int,
    into: dict[str, Samples],
    user_id: str = "UREAD",
) -> None:
    """`senders` threads send `total` commands, cycling through `kinds`, never waiting for answers.

    Unlike `run_phase`, a sender sends its next command as soon as the ack is back, so
    deferred answers pile up behind the acks. Once every sender is done, each deferred
    answer is awaited (`ANSWER_TIMEOUT_SECONDS` in all) and timed from sending its command
    to its arrival at the fake (`fake.arrived_at`), not to the wait. The server's CPU time,
    from the first send to the last answer, is shared among the kinds by request count.
    """
    barrier = threading.Barrier(senders)
    per_sender = [total // senders + (1 if i < total % senders else 0) for i in range(senders)]
    sent: list[list[tuple[Kind, float, Reply]]] = [[] for _ in range(senders)]
    failed: list[list[tuple[str, str]]] = [[] for _ in range(senders)]

    def send(index: int) -> None:
        barrier.wait()
        for number in range(per_sender[index]):
            kind = kinds[(index + number) % len(kinds)]  # senders start on different kinds
            began = time.perf_counter()
            try:
                reply = driver.command(user_id, kind.text)
            except OSError as exc:
                failed[index].append((kind.label, f"{type(exc).__name__}: {exc}"))
                continue
            sent[index].append((kind, began, reply))
            into[kind.label].latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.perf_counter() + ANSWER_TIMEOUT_SECONDS
    for kind, began, reply in (item for mine in sent for item in mine):
        _check_burst_reply(fake, kind, began, reply, into[kind.label], deadline)
    cpu = server.cpu_seconds() - cpu_before
    fake.clear()
    for label, error in (item for mine in failed for item in mine):
        into[label].errors.append(error)
    counts = {k.label: sum(1 for m in sent for item in m if item[0] is k) for k in kinds}
    for label, count in counts.items():
        into[label].server_cpu_seconds += cpu * count / max(1, sum(counts.values()))


def _check_burst_reply(
    fake: FakeSlack, kind: Kind, began: float, reply: Reply, into: Samples, deadline: float
) -> None:
    """Check one burst reply; for a deferred kind, wait for its answer and time its arrival."""
    if not kind.check(reply):
        into.errors.append(f"HTTP {reply.status}: {str(reply.body)[:200]}")
        return
    if kind.answer is None:
        return
    assert reply.response_url is not None
    try:
        left = max(0.0, deadline - time.perf_counter())
        response = fake.wait_for_response(reply.response_url, left)
    except TimeoutError:
        into.errors.append(f"no answer at the response_url in {ANSWER_TIMEOUT_SECONDS}s")
        return
    into.answers.append(fake.arrived_at(reply.response_url) - began)
    if response["errors"] or not kind.answer(response["body"]):
        into.errors.append(f"answer {response['errors']}: {str(response['body'])[:200]}")


def rounds_of(total: int, rounds: int) -> Iterator[tuple[int, int]]:
    """(round index, requests in that round) splitting `total` over `rounds`."""
    for index in range(rounds):
        yield index, total // rounds + (1 if index < total % rounds else 0)


def empty_ack(reply: Reply) -> bool:
    """A deferred command's ack: HTTP 200 with an empty body."""
    return reply.status == 200 and reply.body is None


def latency_header() -> str:
    """The latency table's header row."""
    header = f"{'request':<34}{'n':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    return header + f"{'bad':>5}{'srv CPU ms/req':>16}"


def latency_row(label: str, values: Sequence[float], samples: Samples | None = None) -> str:
    """One row of the latency table (`values` in seconds); errors and CPU from `samples`."""
    ms = 1000.0
    row = (
        f"{label:<34}{len(values):>6}{percentile(values, 50) * ms:>9.2f}"
        f"{percentile(values, 90) * ms:>9.2f}{percentile(values, 99) * ms:>9.2f}"
        f"{(max(values) if values else math.nan) * ms:>9.2f}"
    )
    if samples is None:
        return row + f"{'':>5}{'(same requests)':>16}"
    cpu = samples.server_cpu_seconds * ms / max(1, len(samples.latencies))
    return row + f"{len(samples.errors):>5}{cpu:>16.2f}"


# --- the database --------------------------------------------------------------------------


def fresh_schema(engine: Engine) -> None:
    """Migrate an empty database; on PostgreSQL drop and recreate `public` first."""
    if engine.dialect.name == "postgresql":
        where = engine.url.render_as_string(hide_password=True)
        print(f"dropping and recreating schema public in {where}", file=sys.stderr)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics after bulk seeding, as autovacuum would in a while.

    Without it PostgreSQL plans the first queries on a freshly loaded table as if it were
    tiny (a sequential scan of 10,000 programs where an index answers at once). SQLite: the
    same, with `ANALYZE`.
    """
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def database_name(url: str | None) -> str:
    """How the report names the database."""
    return "PostgreSQL" if url and url.startswith("postgresql") else "SQLite"


# --- numbers and provenance ----------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def repo_root() -> str:
    """The repository this file belongs to."""
    return str(Path(__file__).resolve().parents[2])


def code_version() -> str:
    """The commit measured, and whether the working tree had changes."""
    git = ["git", "-C", repo_root()]
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


def budget_lines(lines: Sequence[tuple[str, bool]]) -> bool:
    """Print `budget` and one PASS/FAIL line each; True when all pass."""
    print("\nbudget")
    for description, passed in lines:
        print(f"  {'PASS' if passed else 'FAIL'}  {description}")
    return all(passed for _, passed in lines)


# --- command line ----------------------------------------------------------------------------


def load_parser(
    prog: str, doc: str | None, *, rounds: int, programs: bool
) -> argparse.ArgumentParser:
    """The options of the served load benchmarks: requests, senders, rounds, database."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {prog}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=400, help="measured requests per kind")
    parser.add_argument("--senders", type=int, default=8, help="concurrent sender threads")
    parser.add_argument("--rounds", type=int, default=rounds, help="alternating rounds")
    if programs:
        parser.add_argument("--programs", type=int, default=1000, help="programs in the database")
    parser.add_argument("--database-url", default=None, help=DATABASE_URL_HELP)
    return parser


def parse_load_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The parsed options, refusing fewer requests than rounds or no sender."""
    args = parser.parse_args(argv)
    if args.requests < args.rounds or args.senders < 1:
        parser.error("need --requests >= --rounds and --senders >= 1")
    return args


def run_measured(
    args: argparse.Namespace,
    measure: Callable[[argparse.Namespace, Path], Any],
    report: Callable[[Any, argparse.Namespace, str], bool],
) -> int:
    """Measure in a temporary directory, report; the exit code (1 when a budget line fails)."""
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as tmp:
        outcome = measure(args, Path(tmp))
    return 0 if report(outcome, args, database_name(args.database_url)) else 1
