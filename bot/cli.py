"""`pmo-bot`: run the bot, migrate the database, print the version."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from importlib.metadata import version
from types import FrameType

from pydantic import ValidationError

from bot import dates, logs
from bot.app import create_app, request_client
from bot.clock import system_clock
from bot.deps import Deps
from bot.server import Health, HttpServer, wsgi_app
from bot.settings import MissingSetting, Settings
from storage import migrate
from storage.db import make_engine, make_sessionmaker

log = logging.getLogger("pmo_bot")


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
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the latest schema").set_defaults(
        func=_db_upgrade
    )
    return parser


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    print("database is at the latest schema")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    token, secret = settings.require_slack_credentials()
    engine = make_engine(settings.database_url)
    if settings.is_sqlite:
        migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        print(
            "pmo-bot: the database schema is behind; run `pmo-bot db upgrade` first",
            file=sys.stderr,
        )
        return 2
    dates.warm_up()
    deps = Deps(
        sessions=make_sessionmaker(engine),
        settings=settings,
        clock=system_clock,
        client=request_client(settings, token),
    )
    app = create_app(deps, signing_secret=secret)
    health = Health(engine=engine, clock=system_clock)
    if settings.slack_app_token is not None:
        return _serve_socket_mode(app, settings.slack_app_token.get_secret_value())
    server = HttpServer(
        wsgi_app(app, health), port=args.port if args.port is not None else settings.port
    )
    _on_sigterm(server.stop)
    logs.event(log, "serving HTTP", port=server.port)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
        logs.event(log, "stopped")
    return 0


def _serve_socket_mode(app: object, app_token: str) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)  # type: ignore[arg-type]
    _on_sigterm(handler.close)
    logs.event(log, "connecting in Socket Mode")
    with contextlib.suppress(KeyboardInterrupt):
        handler.start()
    return 0


def _on_sigterm(stop: Callable[[], object]) -> None:
    """Stop cleanly on SIGTERM (what container platforms send) and on Ctrl-C."""

    def handle(signum: int, frame: FrameType | None) -> None:
        logs.event(log, "stopping", signal=signum)
        stop()

    signal.signal(signal.SIGTERM, handle)


if __name__ == "__main__":
    sys.exit(main())
