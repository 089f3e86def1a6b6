"""HTTP serving: Bolt's WSGI adapter on waitress, plus `GET /healthz`."""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from waitress import wasyncore
from waitress.server import create_server

from bot.clock import Clock
from bot.runtime.gate import Gate
from storage.db import is_busy, probe

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
# The in-process scheduler passes every minute; this long without one means it is stuck.
SCHEDULER_LATE_AFTER = timedelta(minutes=5)
# `/healthz` answers within a second: the probe gets this long, of which this long for a lock.
HEALTH_DEADLINE_S = 0.8
PROBE_LOCK_WAIT_S = 0.5
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    413: "Payload Too Large",
    503: "Service Unavailable",
}
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Health:
    """What `/healthz` reports: the database, and the scheduler's last completed pass.

    Attributes:
        engine: The database to check.
        clock: Measures how long ago the last pass completed.
        scheduler_expected: Whether this process runs the scheduler; if so, a scheduler
            that has not completed a pass for `SCHEDULER_LATE_AFTER` makes the check fail.
        last_pass: When the in-process scheduler last completed a pass.
        started_at: When the process started (the clock's now at construction by default);
            before the first pass, lateness counts from here.
    """

    engine: Engine
    clock: Clock
    scheduler_expected: bool = False
    last_pass: datetime | None = None
    started_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.started_at is None:
            self.started_at = self.clock()
        self._probing = threading.Lock()  # one probe at a time; a stuck one means busy

    def check(self) -> tuple[int, dict[str, Any]]:
        """HTTP status and body: 503 when the database does not answer or the scheduler is late.

        The body always carries `database`, `scheduler` ("off", "ok" or "late"),
        `last_pass` (ISO 8601 or null) and `ok`.
        """
        database = self._database()
        scheduler = self._scheduler()
        body: dict[str, Any] = {
            "database": database,
            "scheduler": scheduler,
            "last_pass": self.last_pass.isoformat() if self.last_pass else None,
        }
        status = 200 if database == "ok" and scheduler != "late" else 503
        body["ok"] = status == 200
        return status, body

    def _database(self) -> str:
        """ "ok", "busy" (locked, or no answer within the deadline) or "unreachable".

        The probe runs on a thread of its own, so `/healthz` answers within
        `HEALTH_DEADLINE_S` whatever the database does; while a probe from an earlier check
        is still stuck, the next one reports busy at once.
        """
        outcome: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()
        if not self._probing.acquire(blocking=False):
            log.warning("health check: an earlier probe is still waiting on the database")
            return "busy"
        threading.Thread(target=self._probe, args=(outcome,), daemon=True).start()
        try:
            exc = outcome.get(timeout=HEALTH_DEADLINE_S)
        except queue.Empty:
            log.warning("health check: the database did not answer in time")
            return "busy"
        if exc is not None:  # any driver error means unhealthy
            if is_busy(exc):
                log.warning("health check: the database is locked")
                return "busy"
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            return "unreachable"
        return "ok"

    def _probe(self, outcome: queue.SimpleQueue[BaseException | None]) -> None:
        try:
            probe(self.engine, PROBE_LOCK_WAIT_S)
            outcome.put(None)
        except Exception as exc:
            outcome.put(exc)
        finally:
            self._probing.release()

    def _scheduler(self) -> str:
        if not self.scheduler_expected:
            return "off"
        since = self.last_pass or self.started_at
        if since is not None and self.clock() - since > SCHEDULER_LATE_AFTER:
            return "late"
        return "ok"


def wsgi_app(app: App | None, health: Health, *, signing_secret: str | None = None) -> WSGIApp:
    """One WSGI callable: Slack requests to Bolt, `/healthz` to the health check.

    With `signing_secret`, Slack requests pass the gate first (`bot.runtime.gate`): size,
    signature and shape are checked before anything parses the body. Without an `app` (Socket
    Mode, where Slack's requests come over the WebSocket) only `/healthz` is served.
    """
    slack = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None
    gate = Gate(signing_secret) if signing_secret is not None else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            status, body = health.check()
            return _json(start_response, status, body)
        if slack is not None and path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            refused = gate.refuse(environ) if gate is not None else None
            if refused is not None:
                reason = "ignored" if refused == 200 else REASONS[refused].lower()
                return _json(start_response, refused, {"error": reason})
            return slack(environ, start_response)
        return _json(start_response, 404, {"error": "not found"})

    return application


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    reason = REASONS[status]
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
