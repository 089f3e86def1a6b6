"""HTTP serving: Bolt's WSGI adapter on waitress, plus `GET /healthz`."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from waitress import wasyncore
from waitress.server import create_server

from bot.clock import Clock

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Health:
    """What `/healthz` reports: the database, and the scheduler's last completed pass."""

    engine: Engine
    clock: Clock
    scheduler_expected: bool = False
    last_pass: datetime | None = None
    started_at: datetime | None = field(default=None)

    def check(self) -> tuple[int, dict[str, Any]]:
        """HTTP status and body: 503 when the database does not answer."""
        body: dict[str, Any] = {"database": "ok"}
        status = 200
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means unhealthy
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            body["database"] = "unreachable"
            status = 503
        body["last_pass"] = self.last_pass.isoformat() if self.last_pass else None
        body["ok"] = status == 200
        return status, body


def wsgi_app(app: App, health: Health) -> WSGIApp:
    """One WSGI callable: Slack requests to Bolt, `/healthz` to the health check."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            status, body = health.check()
            return _json(start_response, status, body)
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return slack(environ, start_response)
        return _json(start_response, 404, {"error": "not found"})

    return application


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    data = json.dumps(body).encode()
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


class HttpServer:
    """A waitress server that can also be stopped from another thread (SIGTERM, tests)."""

    def __init__(
        self, application: WSGIApp, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 8
    ) -> None:
        self._server: Any = create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="pmo-bot",
            clear_untrusted_proxy_headers=True,
        )
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The bound port (the free one picked when asked for port 0)."""
        return int(self._server.effective_port)

    def serve(self) -> None:
        """Serve until `stop()`; requests in flight finish before the sockets close."""
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=30, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    def stop(self) -> None:
        """Ask the serving thread to finish, waking it from its wait for sockets."""
        self._stopping.set()
        with contextlib.suppress(OSError):  # already closed: nothing left to wake
            self._server.pull_trigger()
