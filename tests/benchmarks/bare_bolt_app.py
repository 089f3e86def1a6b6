"""A bare Bolt app that acks `/pmo` inline, served through the same stack as `pmo-bot run`.

The baseline for `tests.benchmarks.ack_latency`: same Bolt settings that matter for the ack
path (signature verification, `process_before_response=True`), same WSGI callable and waitress
server, same "serving HTTP" log line on stderr, but no middleware, router or database.

    python -m tests.benchmarks.bare_bolt_app --port 0 --api-url URL --signing-secret S
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from types import FrameType

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import logs
from bot.clock import system_clock
from bot.runtime.server import Health, HttpServer, wsgi_app
from storage.db import make_engine

log = logging.getLogger("bare_bolt")
REPLY = "ok"


def create_bare_app(*, signing_secret: str, api_url: str) -> App:
    """A Bolt app with one `/pmo` listener that acks `REPLY` inline."""
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token="xoxb-bench", base_url=api_url),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/pmo")
    def pmo(ack: Ack) -> None:
        ack(REPLY)

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the bare app until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(prog="bare_bolt_app", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0: a free one)")
    parser.add_argument("--api-url", required=True, help="Slack Web API base URL (the fake)")
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logs.configure(args.log_level)
    app = create_bare_app(signing_secret=args.signing_secret, api_url=args.api_url)
    engine = make_engine("sqlite://")  # only for the unused-here Health; /healthz still answers
    health = Health(engine=engine, clock=system_clock)
    server = HttpServer(wsgi_app(app, health), host="127.0.0.1", port=args.port, threads=8)

    def stop(signum: int, frame: FrameType | None) -> None:
        server.stop()

    signal.signal(signal.SIGTERM, stop)
    logs.event(log, "serving HTTP", port=server.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve()
    engine.dispose()
    logs.event(log, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
