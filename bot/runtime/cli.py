"""`pmo-bot`: run the bot, run one scheduler pass, migrate the database, play a local sandbox."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType

from pydantic import ValidationError
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot import dates, logs
from bot.blocks.common import plural
from bot.clock import system_clock
from bot.runtime.answers import AnswerProcess
from bot.runtime.app import after_ack_executor, build_app, request_client, scheduler_client
from bot.runtime.deps import Deps
from bot.runtime.outbox_worker import OutboxWorker
from bot.runtime.server import Health, HttpServer, wsgi_app
from bot.runtime.settings import MissingSetting, Settings
from bot.runtime.socket_mode import SocketMode
from bot.sandbox import demo, shell
from schedules.dispatch import PassReport
from schedules.runner import SchedulerRunner, run_pass
from storage import migrate
from storage.db import make_engine, make_sessionmaker

log = logging.getLogger("pmo_bot")
SHELL_LOG = "pmo-bot-shell.log"
NOW_EXAMPLE = "2026-11-27T09:05:00Z"
# How long a thread computing (a deferred answer, say) keeps the GIL from one that asks for it,
# such as a thread serving an ack; Python's default is 5 ms, and an ack asks a few times.
GIL_SWITCH_INTERVAL_SECONDS = 0.001
NO_DATABASE = (
    "pmo-bot: there is no database at {url} yet; `pmo-bot db upgrade` creates it "
    "(`pmo-bot run` does too)"
)
SCHEMA_BEHIND = "pmo-bot: the database schema is behind; run `pmo-bot db upgrade` first"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pmo-bot` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        print(f"pmo-bot: {name}: {error['msg']}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        return int(args.func(settings, args))
    except MissingSetting as exc:
        print(f"pmo-bot: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmo-bot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"pmo-bot {version('pmo-bot')}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve Slack (Socket Mode or HTTP)")
    run.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT)")
    run.add_argument(
        "--no-scheduler", action="store_true", help="do not run scheduled work in this process"
    )
    run.set_defaults(func=_run)
    tick = commands.add_parser("tick", help="run one scheduler pass and say what it did")
    tick.add_argument(
        "--now", default=None, help=f"the pass's now, ISO 8601 (e.g. {NOW_EXAMPLE}); UTC if naive"
    )
    tick.add_argument(
        "--dry-run", action="store_true", help="print what would be done; change and send nothing"
    )
    tick.set_defaults(func=_tick)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the latest schema").set_defaults(
        func=_db_upgrade
    )
    _add_sandbox_commands(commands)
    return parser


def _add_sandbox_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`shell` and `demo-data`: their own database, never $DATABASE_URL."""
    database_help = f"SQLAlchemy URL (default {demo.DEFAULT_DATABASE_URL}; ignores DATABASE_URL)"
    play = commands.add_parser("shell", help="a local Slack workspace in the console, no Slack")
    play.add_argument("--database", default=demo.DEFAULT_DATABASE_URL, help=database_help)
    play.add_argument(
        "--as", dest="as_user", default="lee", metavar="NAME", help="who you are (default @lee)"
    )
    play.set_defaults(func=_shell)
    fill = commands.add_parser("demo-data", help="write a demo portfolio for the shell")
    fill.add_argument("--database", default=demo.DEFAULT_DATABASE_URL, help=database_help)
    fill.set_defaults(func=_demo_data)


def _shell(settings: Settings, args: argparse.Namespace) -> int:
    # The console is the workspace; the app's log lines go to a file the banner names.
    log_file = str(Path(tempfile.gettempdir()) / SHELL_LOG)
    logs.configure(settings.log_level, path=log_file)
    return _on_database(
        args.database,
        lambda: shell.run(
            args.database,
            user=args.as_user,
            now=system_clock(),
            stdin=sys.stdin,
            stdout=sys.stdout,
            log_file=log_file,
        ),
    )


def _demo_data(settings: Settings, args: argparse.Namespace) -> int:
    _quiet_logs(settings)
    return _on_database(
        args.database, lambda: demo.run(args.database, now=system_clock(), out=sys.stdout)
    )


def _quiet_logs(settings: Settings) -> None:
    """The console is what the sandbox commands say; only problems go to the log (stderr)."""
    logs.configure("DEBUG" if settings.log_level.upper() == "DEBUG" else "WARNING")


def _on_database(url: str, command: Callable[[], int]) -> int:
    """Run a sandbox command; a database it cannot open is one line, not a traceback."""
    try:
        return command()
    except (ArgumentError, NoSuchModuleError, OperationalError) as exc:
        reason = exc.orig if isinstance(exc, OperationalError) else exc
        print(f"pmo-bot: can't use the database {url}: {reason}", file=sys.stderr)
        return 2


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    print("database is at the latest schema")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    token, secret = settings.require_slack_credentials()
    engine = _migrated_engine(settings)
    if engine is None:
        return 2
    dates.warm_up()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    deps = Deps(
        sessions=make_sessionmaker(engine),
        settings=settings,
        clock=system_clock,
        client=request_client(settings, token),
    )
    after_ack = after_ack_executor()
    app, router = build_app(deps, signing_secret=secret, executor=after_ack)
    answers = AnswerProcess(settings, token=token, secret=secret)
    router.offload, answers.fallback = answers.answer, router.answer_here
    # The worker is off the request path: it may wait out a 429's Retry-After.
    outbox = OutboxWorker(deps.sessions, scheduler_client(settings, token), deps.clock).start()
    health = Health(engine=engine, clock=system_clock)
    runner = None if args.no_scheduler else _start_scheduler(deps, token, health)
    port = args.port if args.port is not None else settings.port
    try:
        if settings.slack_app_token is not None:
            app_token = settings.slack_app_token.get_secret_value()
            return _serve_socket_mode(app, health, port, app_token=app_token)
        return _serve_http(app, health, port, secret=secret)
    finally:
        after_ack.shutdown(wait=True)  # work after the acks already sent: done, messages queued
        if runner is not None:
            runner.shutdown(wait=True)
        outbox.stop()
        answers.stop()
        engine.dispose()
        logs.event(log, "stopped")


def _migrated_engine(settings: Settings, *, migrate_sqlite: bool = True) -> Engine | None:
    """The database engine at the latest schema, or None (after saying why) when it is behind.

    SQLite is migrated in place (one machine, no one else to coordinate with); PostgreSQL is
    left to `pmo-bot db upgrade`, run once per release rather than by every replica.
    """
    engine = make_engine(settings.database_url)
    if settings.is_sqlite and migrate_sqlite:
        migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        print(SCHEMA_BEHIND, file=sys.stderr)
        engine.dispose()
        return None
    return engine


def _start_scheduler(deps: Deps, token: str, health: Health) -> SchedulerRunner:
    runner = SchedulerRunner(
        deps.sessions,
        scheduler_client(deps.settings, token),
        deps.clock,
        health,
    )
    health.scheduler_expected = True
    runner.start()
    return runner


def _serve_http(app: App, health: Health, port: int, *, secret: str) -> int:
    server = HttpServer(wsgi_app(app, health, signing_secret=secret), port=port)
    _on_sigterm(server.stop)
    logs.event(log, "serving HTTP", port=server.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve()
    return 0


def _serve_socket_mode(app: App, health: Health, port: int, *, app_token: str) -> int:
    """Slack's requests over the WebSocket; `/healthz` (only) over HTTP on `port`."""
    socket_mode = SocketMode(app, app_token)
    try:
        logs.event(log, "connecting in Socket Mode")
        socket_mode.connect()
        server = HttpServer(wsgi_app(None, health), port=port)
        _on_sigterm(server.stop)
        logs.event(log, "serving HTTP", port=server.port, paths="/healthz")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve()
    except SlackApiError as exc:
        refusal = f"Slack refused Socket Mode ({exc.response.get('error')})"
        print(f"pmo-bot: {refusal}; check SLACK_APP_TOKEN (xapp-…)", file=sys.stderr)
        return 2
    finally:
        socket_mode.stop()  # envelopes in hand are finished and acknowledged first
    return 0


def _on_sigterm(stop: Callable[[], object]) -> None:
    """Stop cleanly on SIGTERM (what container platforms send) and on Ctrl-C."""

    def handle(signum: int, frame: FrameType | None) -> None:
        logs.event(log, "stopping", signal=signum)
        stop()

    signal.signal(signal.SIGTERM, handle)


def _tick(settings: Settings, args: argparse.Namespace) -> int:
    now = _parse_now(args.now) if args.now is not None else system_clock()
    if now is None:
        return 2
    client = _tick_client(settings, dry_run=args.dry_run)
    if args.dry_run and _missing_sqlite_file(settings):
        print(NO_DATABASE.format(url=settings.database_url), file=sys.stderr)
        return 2
    # A dry run changes nothing, not even the schema: it refuses a database that is behind.
    engine = _migrated_engine(settings, migrate_sqlite=not args.dry_run)
    if engine is None:
        return 2
    try:
        report = run_pass(
            make_sessionmaker(engine),
            client,
            now=now,
            dry_run=args.dry_run,
        )
    finally:
        engine.dispose()
    for line in report.actions:
        print(line)
    print(_summary(report, dry_run=args.dry_run))
    return 0


def _missing_sqlite_file(settings: Settings) -> bool:
    """Whether the SQLite database is a file that does not exist yet (opening would create it)."""
    database = make_url(settings.database_url).database
    return (
        settings.is_sqlite
        and database not in (None, "", ":memory:")
        and not Path(database).exists()
    )


def _parse_now(text: str) -> datetime | None:
    """`--now` as an aware UTC instant (naive means UTC), or None after saying what is wrong."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        print(
            f"pmo-bot: --now {text!r} is not an ISO 8601 time; use e.g. {NOW_EXAMPLE}",
            file=sys.stderr,
        )
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _tick_client(settings: Settings, *, dry_run: bool) -> WebClient:
    """The scheduler's client; a dry run sends nothing, so it needs no token."""
    token = "" if dry_run else settings.require_bot_token()
    return scheduler_client(settings, token)


def _summary(report: PassReport, *, dry_run: bool) -> str:
    when = report.now.isoformat()
    count = len(report.actions)
    if report.skipped_lock:
        return f"pass as of {when}: skipped; another process is running a pass right now"
    if dry_run:
        return (
            f"dry run as of {when}: would do {plural(count, 'thing')}; nothing was changed or sent"
        )
    return f"pass as of {when}: {plural(count, 'action')}, {plural(report.sent, 'message')} sent"


if __name__ == "__main__":
    sys.exit(main())
