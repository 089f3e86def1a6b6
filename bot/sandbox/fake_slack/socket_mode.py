"""Slack's end of Socket Mode: a WebSocket server on 127.0.0.1 that delivers envelopes.

`apps.connections.open`, called with an app-level (`xapp-`) token, hands out a one-time URL of
this server. Each connection is greeted with `hello`; envelopes then go out as Slack sends them,
`{"envelope_id", "type", "payload", "accepts_response_payload"}` (events also carry
`retry_attempt` and `retry_reason`), on the newest connection. Each must be acknowledged with
`{"envelope_id": …}`, plus a `payload` where the envelope accepts one, within `ack_timeout`
seconds (Slack's 3). An envelope not acknowledged in time, or whose connection closed first, is
delivered again with a fresh envelope id, `retry_attempt` counting up and `retry_reason`
"timeout", at most `max_retries` times, as Slack retries events.

Needs the `websockets` package (a test dependency); `FakeSlack.socket` imports this module on
first use, so the fake's HTTP side works without it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

Json = dict[str, Any]

ACK_TIMEOUT_S = 3.0  # Slack's: an envelope not acknowledged by then is retried
MAX_RETRIES = 3
# Interactive payloads whose ack may carry a response (view_submission's response_action,
# block_suggestion's options); block_actions and shortcuts are acknowledged empty.
ACCEPTS_RESPONSE = frozenset({"view_submission", "block_suggestion"})
_CLOSE_TIMEOUT_S = 1.0  # slack_sdk's built-in client never answers a close frame
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ack:
    """An envelope acknowledged in time: its id, the response payload if any, how long it took."""

    envelope_id: str
    payload: Json | None
    latency: float  # seconds from sending the envelope to receiving its ack
    retry_attempt: int  # 0 when the first delivery was acknowledged


@dataclass
class _Connection:
    socket: ServerConnection
    retiring: bool = False  # asked to reconnect: Slack delivers nothing more on it


@dataclass
class _Attempt:
    envelope_id: str
    retry_attempt: int
    connection: _Connection
    sent_at: float = field(default_factory=time.perf_counter)
    state: str = "open"  # "open", then "acked" or "missed"
    timer: threading.Timer | None = None
    lost: bool = False  # its ack is lost on the way back, however soon it comes


class Delivery:
    """One envelope's payload, delivered until it is acknowledged (or the retries run out)."""

    def __init__(
        self,
        kind: str,
        payload: Json,
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None,
        retry_reason: str | None,
    ) -> None:
        self.kind = kind
        self.payload = payload
        self.accepts_response_payload = accepts_response_payload
        self.attempts: list[_Attempt] = []
        self._first_retry = retry_attempt
        self._first_reason = retry_reason
        self._result: Ack | None = None
        self._finished = threading.Event()

    def ack(self, timeout: float = 30) -> Ack:
        """The acknowledgement, waiting for it (redeliveries included).

        Raises:
            TimeoutError: Not acknowledged within `timeout`, or every delivery was missed.
        """
        if not self._finished.wait(timeout) or self._result is None:
            tried = len(self.attempts)
            raise TimeoutError(f"the {self.kind} envelope was not acknowledged ({tried} sent)")
        return self._result

    def _envelope(self, attempt: _Attempt) -> Json:
        envelope: Json = {
            "envelope_id": attempt.envelope_id,
            "payload": copy.deepcopy(self.payload),
            "type": self.kind,
            "accepts_response_payload": self.accepts_response_payload,
        }
        retried = attempt is not self.attempts[0]
        if self.kind == "events_api" or retried or self._first_retry is not None:
            envelope["retry_attempt"] = attempt.retry_attempt
            envelope["retry_reason"] = "timeout" if retried else (self._first_reason or "")
        return envelope

    def _next_attempt(self, connection: _Connection) -> _Attempt:
        number = (self._first_retry or 0) + len(self.attempts)
        attempt = _Attempt(str(uuid.uuid4()), number, connection)
        self.attempts.append(attempt)
        return attempt

    def _finish(self, ack: Ack | None) -> None:
        self._result = ack
        self._finished.set()


class SocketModeServer:
    """Slack's Socket Mode server, with what tests need to see and to break.

    Example:
        url = server.new_url()            # what apps.connections.open answers
        server.wait_connected()           # the app connected and got its hello
        ack = server.send_event({...})    # an events_api envelope, acknowledged
        server.drop()                     # Slack closes the connection; the app reconnects
    """

    def __init__(
        self, *, app_id: str, ack_timeout: float = ACK_TIMEOUT_S, max_retries: int = MAX_RETRIES
    ) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._tickets: set[str] = set()
        self._connections: list[_Connection] = []  # open and greeted, oldest first
        self._opened = 0
        self._waiting: list[Delivery] = []  # for a connection to be sent on
        self._attempts: dict[str, tuple[Delivery, _Attempt]] = {}
        self._acks: list[Ack] = []
        self._late: list[Ack] = []
        self._problems: list[str] = []
        self._sent: list[Json] = []
        self._lose = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> SocketModeServer:
        """Listen on a free port of 127.0.0.1, serving from a thread."""
        if self._server is None:
            self._server = serve(
                self._serve,
                "127.0.0.1",
                0,
                process_request=self._check_ticket,
                compression=None,
                close_timeout=_CLOSE_TIMEOUT_S,
                logger=log,
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fake-slack-socket", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            for _, attempt in self._attempts.values():
                if attempt.timer is not None:
                    attempt.timer.cancel()
        self._server, self._thread = None, None

    def new_url(self) -> str:
        """A one-time WebSocket URL, as `apps.connections.open` returns it."""
        if self._server is None:
            raise RuntimeError("the Socket Mode server is not started")
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id={self.app_id}"

    # connections

    def wait_connected(self, count: int = 1, timeout: float = 15) -> None:
        """Wait until `count` connections have been opened in all and one is open now.

        Raises:
            TimeoutError: The app did not connect in time.
        """
        with self._changed:
            if not self._changed.wait_for(
                lambda: self._opened >= count and self._live() is not None, timeout=timeout
            ):
                raise TimeoutError(f"no Socket Mode connection #{count} within {timeout} s")

    @property
    def connections_opened(self) -> int:
        """How many connections the app has opened (and been greeted on) so far."""
        with self._lock:
            return self._opened

    @property
    def open_connections(self) -> int:
        """How many connections are open now."""
        with self._lock:
            return len(self._connections)

    def drop(self) -> None:
        """Close the newest connection from Slack's side (a close frame), as Slack may at any
        time; what it had not acknowledged is delivered again on the next connection."""
        with self._lock:
            connection = self._live() or (self._connections[-1] if self._connections else None)
        if connection is not None:
            self._cut(connection)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect with a `disconnect` message; Slack delivers nothing more on
        that connection and closes it once the app has opened another."""
        with self._lock:
            connection = self._live()
            if connection is None:
                raise RuntimeError("no open Socket Mode connection")
            connection.retiring = True
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        with contextlib.suppress(ConnectionClosed):
            connection.socket.send(json.dumps(message))

    def lose_next_ack(self) -> None:
        """Cut the connection right after sending the next envelope, before its ack can come
        back: the app gets the envelope, Slack never hears it was acknowledged."""
        with self._lock:
            self._lose += 1

    # delivering

    def deliver(
        self,
        kind: str,
        payload: Json,
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        """Send an envelope (now, or once the app is connected) without waiting for its ack."""
        delivery = Delivery(
            kind,
            copy.deepcopy(payload),
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        self._send(delivery)
        return delivery

    def send_command(self, form: Json, timeout: float = 30) -> Ack:
        """A `slash_commands` envelope with the command's fields; its ack."""
        return self.deliver("slash_commands", form, accepts_response_payload=True).ack(timeout)

    def send_interactive(self, payload: Json, timeout: float = 30) -> Ack:
        """An `interactive` envelope (block_actions, view_submission, …); its ack."""
        accepts = payload.get("type") in ACCEPTS_RESPONSE
        return self.deliver("interactive", payload, accepts_response_payload=accepts).ack(timeout)

    def send_event(
        self, body: Json, *, retry_attempt: int = 0, retry_reason: str = "", timeout: float = 30
    ) -> Ack:
        """An `events_api` envelope with an `event_callback` body; its ack."""
        delivery = self.deliver(
            "events_api",
            body,
            accepts_response_payload=False,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        return delivery.ack(timeout)

    # what happened

    @property
    def acks(self) -> list[Ack]:
        """Every acknowledgement received in time, oldest first."""
        with self._lock:
            return list(self._acks)

    @property
    def late_acks(self) -> list[Ack]:
        """Acks of envelopes already given up on (too late, or after their connection closed)."""
        with self._lock:
            return list(self._late)

    @property
    def sent(self) -> list[Json]:
        """Every envelope sent, redeliveries included, oldest first."""
        with self._lock:
            return copy.deepcopy(self._sent)

    @property
    def problems(self) -> list[str]:
        """What the app sent that Slack would not accept (unknown ids, bad JSON, …)."""
        with self._lock:
            return list(self._problems)

    # serving

    def _live(self) -> _Connection | None:
        live = [c for c in self._connections if not c.retiring]
        return live[-1] if live else None

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # a URL opens one connection
        if known:
            return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _serve(self, socket: ServerConnection) -> None:
        with self._lock:
            connection = _Connection(socket)
            hello = {
                "type": "hello",
                "num_connections": len(self._connections) + 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        try:
            socket.send(json.dumps(hello))
        except ConnectionClosed:
            return
        self._greeted(connection)
        try:
            for message in socket:
                self._received(message)
        except ConnectionClosed:
            pass
        finally:
            self._closed(connection)

    def _greeted(self, connection: _Connection) -> None:
        with self._changed:
            self._opened += 1
            retiring = [c for c in self._connections if c.retiring]
            self._connections.append(connection)
            waiting, self._waiting = self._waiting, []
            self._changed.notify_all()
        for old in retiring:  # refreshed: Slack closes the old one once the new one is up
            self._cut(old)
        for delivery in waiting:
            self._send(delivery)

    def _send(self, delivery: Delivery) -> None:
        with self._lock:
            connection = self._live()
            if connection is None:
                self._waiting.append(delivery)
                return
            attempt = delivery._next_attempt(connection)
            envelope = delivery._envelope(attempt)
            self._attempts[attempt.envelope_id] = (delivery, attempt)
            self._sent.append(copy.deepcopy(envelope))
            attempt.timer = threading.Timer(self.ack_timeout, self._timed_out, [attempt])
            attempt.timer.daemon = True
            attempt.timer.start()
            attempt.lost, self._lose = self._lose > 0, max(self._lose - 1, 0)
        with contextlib.suppress(ConnectionClosed):  # then its close counts it as missed
            connection.socket.send(json.dumps(envelope))
        if attempt.lost:
            self._cut(connection)

    def _received(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
            envelope_id = ack["envelope_id"]
        except (ValueError, TypeError, KeyError):
            with self._lock:
                self._problems.append(f"not an ack: {message[:200]!r}")
            return
        with self._lock:
            found = self._attempts.get(envelope_id)
            if found is None:
                self._problems.append(f"ack of an envelope never sent: {envelope_id}")
                return
            delivery, attempt = found
            self._acknowledged(delivery, attempt, ack.get("payload"))

    def _acknowledged(self, delivery: Delivery, attempt: _Attempt, payload: Json | None) -> None:
        latency = time.perf_counter() - attempt.sent_at
        ack = Ack(attempt.envelope_id, payload, latency, attempt.retry_attempt)
        if attempt.state == "missed" or attempt.lost:
            self._late.append(ack)
            return
        if attempt.state == "acked":
            self._problems.append(f"acknowledged twice: {ack.envelope_id}")
            return
        if payload is not None and not delivery.accepts_response_payload:
            self._problems.append(f"a payload in the ack of a {delivery.kind} envelope")
        self._settle(attempt, "acked")
        self._acks.append(ack)
        delivery._finish(ack)

    def _timed_out(self, attempt: _Attempt) -> None:
        with self._lock:
            if attempt.state != "open":
                return
            self._settle(attempt, "missed")
            delivery = self._attempts[attempt.envelope_id][0]
        self._retry(delivery)

    def _cut(self, connection: _Connection) -> None:
        """Forget a connection at once (acks still in flight on it are late) and close it."""
        self._closed(connection)
        threading.Thread(
            target=connection.socket.close, args=(1001,), name="fake-slack-close", daemon=True
        ).start()

    def _closed(self, connection: _Connection) -> None:
        with self._changed:
            if connection in self._connections:
                self._connections.remove(connection)
            missed = [
                (delivery, attempt)
                for delivery, attempt in self._attempts.values()
                if attempt.connection is connection and attempt.state == "open"
            ]
            for _, attempt in missed:
                self._settle(attempt, "missed")
            self._changed.notify_all()
        for delivery, _ in missed:
            self._retry(delivery)

    def _settle(self, attempt: _Attempt, state: str) -> None:
        attempt.state = state
        if attempt.timer is not None:
            attempt.timer.cancel()

    def _retry(self, delivery: Delivery) -> None:
        if len(delivery.attempts) > self.max_retries:
            delivery._finish(None)
            return
        self._send(delivery)
