"""Socket Mode: the Bolt app served over slack_sdk's built-in WebSocket client.

What Bolt's `SocketModeHandler` leaves to us, done here:
- Slack delivers again what it did not see acknowledged (an ack lost with its connection, or
  later than 3 s). A redelivery is answered with the first delivery's acknowledgement, payload
  and all, instead of being handled twice; envelopes are known by their event id, else their
  trigger id. Events are also deduplicated in the database (`bot.dedupe`), which holds across
  restarts; this memory covers commands and interactivity within the process's life.
- A connection Slack closes is reopened at once, not at the next ping check (10 s).
- `stop()` acknowledges the envelopes in hand before closing; Bolt's `start()` never returns.
  Envelopes received but not yet started are left unacknowledged, so Slack delivers them again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackClientNotConnectedError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.builtin.connection import Connection
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot import logs

log = logging.getLogger(__name__)
PING_INTERVAL_S = 10  # Bolt's; a connection silent for 4 pings is taken for dead
# A redelivery of an envelope still in hand waits this long for the first one's answer, and is
# then acknowledged empty (the first one finishes the work): its own ack is due in 3 s too.
REDELIVERY_WAIT_S = 2.0
REMEMBERED = 500  # envelopes (with their acks); Slack redelivers within minutes


@dataclass(frozen=True)
class Answer:
    """How an envelope was answered: acknowledged or not, and the ack's payload if any."""

    acked: bool
    payload: dict[str, Any] | None = None


@dataclass
class _Entry:
    finished: threading.Event = field(default_factory=threading.Event)
    answer: Answer = field(default_factory=lambda: Answer(acked=False))


class Deliveries:
    """The answers this process gave to envelopes, by identity, so a redelivery gets the same.

    Example:
        if (earlier := deliveries.claim(key)) is None:
            answer = handle()                  # this delivery is the one to handle
            deliveries.finish(key, answer)
        else:
            answer = earlier                   # a redelivery: repeat what was answered
    """

    def __init__(self, *, remembered: int = REMEMBERED, wait: float = REDELIVERY_WAIT_S) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._remembered = remembered
        self._wait = wait

    def claim(self, key: str) -> Answer | None:
        """None when this delivery of `key` is to be handled (then call `finish`); else the
        answer to repeat. A redelivery waits while an earlier one is in hand, and is answered
        with an empty ack if it still is; one whose earlier delivery failed is handled."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (entry.finished.is_set() and not entry.answer.acked):
                self._start(key)
                return None
        if not entry.finished.wait(self._wait):
            return Answer(acked=True)
        with self._lock:
            if entry.answer.acked:
                return entry.answer
            self._start(key)
            return None

    def finish(self, key: str, answer: Answer) -> None:
        """Record how the claimed delivery of `key` was answered."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:  # forgotten meanwhile: a very long wait
                return
            entry.answer = answer
            entry.finished.set()

    def _start(self, key: str) -> None:
        self._entries[key] = _Entry()
        self._entries.move_to_end(key)
        while len(self._entries) > self._remembered:
            self._entries.popitem(last=False)


def delivery_key(request: SocketModeRequest) -> str:
    """What stays the same when Slack delivers an envelope again: the event id of an event,
    the trigger id of a command or interaction, else the envelope id."""
    payload = request.payload
    if request.type == "events_api" and payload.get("event_id"):
        return f"event:{payload.get('team_id')}:{payload['event_id']}"
    if payload.get("trigger_id"):
        return f"trigger:{payload['trigger_id']}"
    return f"envelope:{request.envelope_id}"


class _Client(SocketModeClient):
    """slack_sdk's client, reopening a connection Slack closed without waiting for its monitor.

    On a close frame its own reconnect finds the socket not yet closed and does nothing; the
    connection's loop ends right after, and this reconnects then (once: should that fail, the
    monitor retries every ping interval, so a Slack outage is not hammered).
    """

    def _run_current_session(self) -> None:
        session = self.current_session
        was_open = session is not None and session.is_active()
        super()._run_current_session()
        ended = session is self.current_session and session is not None and not session.is_active()
        if was_open and ended and self.auto_reconnect_enabled and not self.closed:
            logs.event(log, "Socket Mode connection closed by Slack; reconnecting")
            self.connect_to_new_endpoint()


class SocketMode:
    """The app connected to Slack over Socket Mode.

    Example:
        socket_mode = SocketMode(app, "xapp-…")
        socket_mode.connect()   # apps.connections.open, then the WebSocket
        ...
        socket_mode.stop()      # envelopes in hand are finished and acknowledged first
    """

    def __init__(self, app: App, app_token: str, *, deliveries: Deliveries | None = None) -> None:
        self._app = app
        self._deliveries = deliveries or Deliveries()
        self._client = _Client(
            app_token=app_token,
            logger=logging.getLogger("slack_sdk.socket_mode"),
            web_client=app.client,
            ping_interval=PING_INTERVAL_S,
        )
        self._client.socket_mode_request_listeners.append(self._handle)

    def connect(self) -> None:
        """Open the first connection.

        Raises:
            SlackApiError: Slack refused to open one (a wrong or revoked app token).
        """
        self._client.connect()

    def stop(self) -> None:
        """Stop taking envelopes, finish and acknowledge those in hand, then disconnect."""
        client = self._client
        client.auto_reconnect_enabled = False
        client.closed = True  # the message processor takes nothing more off the queue...
        client.message_queue.put(None)  # ...once woken from its wait for the next message
        client.message_processor.shutdown()
        client.message_workers.shutdown(wait=True)  # acks go out on the open connection
        left = client.message_queue.qsize()
        client.current_session_state.terminated = True
        _wake_reader(client.current_session)
        client.close()
        logs.event(log, "Socket Mode closed", left_for_slack_to_redeliver=left)

    def _handle(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        key = delivery_key(request)
        answer = self._deliveries.claim(key)
        if answer is not None:
            logs.event(
                log,
                "answered a redelivered envelope as before",
                kind=request.type,
                retry_attempt=request.retry_attempt,
            )
        else:
            answer = Answer(acked=False)
            try:
                answer = _answer(self._app.dispatch(_bolt_request(request)))
            finally:
                self._deliveries.finish(key, answer)
        _acknowledge(client, request, answer)


def _wake_reader(session: Connection | None) -> None:
    """Wake the thread blocked reading the connection, so it sees it is to stop now rather
    than at its receive timeout (3 s): closing a socket does not interrupt a read on Linux."""
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _bolt_request(request: SocketModeRequest) -> BoltRequest:
    """The envelope as Bolt takes it, retries marked as the HTTP headers would mark them."""
    headers: dict[str, str | Sequence[str]] = {}
    if request.retry_attempt is not None:
        headers["x-slack-retry-num"] = str(request.retry_attempt)
    if request.retry_reason is not None:
        headers["x-slack-retry-reason"] = request.retry_reason
    return BoltRequest(mode="socket_mode", body=request.payload, headers=headers)


def _answer(response: BoltResponse) -> Answer:
    """Bolt's response as an ack, as its own handler sends it (nothing for a failure)."""
    if response.status != 200:
        log.info("not acknowledged: the app answered %s", response.status)
        return Answer(acked=False)
    if not response.body:
        return Answer(acked=True)
    content_type = response.headers.get("content-type", [""])[0]
    if content_type.startswith("application/json"):
        return Answer(acked=True, payload=json.loads(response.body))
    return Answer(acked=True, payload={"text": response.body})


def _acknowledge(client: BaseSocketModeClient, request: SocketModeRequest, answer: Answer) -> None:
    if not answer.acked:
        return
    try:
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, answer.payload))
    except SlackClientNotConnectedError:
        log.warning("could not acknowledge an envelope: the connection closed; Slack redelivers")
