"""The fake Slack's Socket Mode end, exercised by a plain WebSocket client playing the app."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.sandbox.fake_slack import APP_ID, FakeSlack
from bot.sandbox.fake_slack.socket_mode import SocketModeServer

Json = dict[str, Any]
COMMAND = {"command": "/pmo", "text": "help", "trigger_id": "1.2.abc", "team_id": "T0001"}
CLICK = {"type": "block_actions", "trigger_id": "1.3.abc", "actions": [{"action_id": "go"}]}
SUBMISSION = {"type": "view_submission", "trigger_id": "1.4.abc", "view": {"id": "V1"}}
EVENT = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened"}}


@pytest.fixture
def server() -> Iterator[SocketModeServer]:
    """A Socket Mode server quick to give up on an ack, so retries are seen at once."""
    socket = SocketModeServer(app_id=APP_ID, ack_timeout=0.2, max_retries=2).start()
    yield socket
    socket.stop()


@contextlib.contextmanager
def app_connects(server: SocketModeServer) -> Iterator[ClientConnection]:
    """Connect as an app does, read the hello, and wait for the server to count it open."""
    opened = server.connections_opened
    with connect(server.new_url(), open_timeout=5) as connection:
        assert json.loads(connection.recv(timeout=5))["type"] == "hello"
        server.wait_connected(count=opened + 1)
        yield connection


def receive(connection: ClientConnection) -> Json:
    message: Json = json.loads(connection.recv(timeout=5))
    return message


def acknowledge(connection: ClientConnection, envelope: Json, payload: Json | None = None) -> None:
    ack: Json = {"envelope_id": envelope["envelope_id"]}
    if payload is not None:
        ack["payload"] = payload
    connection.send(json.dumps(ack))


# --- connecting ------------------------------------------------------------------------------


def test_connections_open_takes_the_app_token_and_nothing_else_does() -> None:
    with FakeSlack() as fake:
        app = WebClient(base_url=fake.base_url, token="xapp-1-A0PMO-1")
        bot = WebClient(base_url=fake.base_url, token="xoxb-test")
        url = app.apps_connections_open(app_token="xapp-1-A0PMO-1")["url"]
        assert url.startswith("ws://127.0.0.1:") and f"app_id={APP_ID}" in url
        for refused in (
            lambda: bot.apps_connections_open(app_token="xoxb-test"),
            lambda: app.chat_postMessage(channel="C1", text="hi"),
        ):
            with pytest.raises(SlackApiError) as raised:
                refused()
            assert raised.value.response["error"] == "not_allowed_token_type"
        assert [c.method for c in fake.calls] == ["apps.connections.open"] * 2 + [
            "chat.postMessage"
        ]


def test_a_connection_url_opens_one_connection(server: SocketModeServer) -> None:
    url = server.new_url()
    with connect(url, open_timeout=5):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=5)
        assert refused.value.response.status_code == 401


def test_a_connection_is_greeted_with_hello(server: SocketModeServer) -> None:
    with connect(server.new_url(), open_timeout=5) as connection:
        hello = receive(connection)
        server.wait_connected()
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": APP_ID}
    assert server.connections_opened == 1


def test_slacks_ack_timeout_is_three_seconds() -> None:
    with FakeSlack() as fake:
        assert fake.socket.ack_timeout == 3.0


# --- envelopes and acks ----------------------------------------------------------------------


def test_envelopes_are_shaped_as_slack_sends_them(server: SocketModeServer) -> None:
    with app_connects(server) as connection:
        sent = [
            server.deliver("slash_commands", COMMAND, accepts_response_payload=True),
            server.deliver("interactive", CLICK, accepts_response_payload=False),
            server.deliver("events_api", EVENT, accepts_response_payload=False, retry_attempt=0),
        ]
        received = [receive(connection) for _ in sent]
        for envelope in received:
            acknowledge(connection, envelope)
        for delivery in sent:
            delivery.ack()
    command, click, event = received
    assert set(command) == {"envelope_id", "payload", "type", "accepts_response_payload"}
    assert (command["type"], command["payload"], command["accepts_response_payload"]) == (
        "slash_commands",
        COMMAND,
        True,
    )
    assert (click["type"], click["accepts_response_payload"]) == ("interactive", False)
    assert (event["type"], event["retry_attempt"], event["retry_reason"]) == ("events_api", 0, "")
    assert len({e["envelope_id"] for e in received}) == 3


def test_an_ack_carries_its_payload_and_how_long_it_took(server: SocketModeServer) -> None:
    with app_connects(server) as connection:
        delivery = server.deliver("interactive", SUBMISSION, accepts_response_payload=True)
        envelope = receive(connection)
        acknowledge(connection, envelope, {"response_action": "clear"})
        ack = delivery.ack()
    assert (ack.envelope_id, ack.payload, ack.retry_attempt) == (
        envelope["envelope_id"],
        {"response_action": "clear"},
        0,
    )
    assert ack.latency >= 0 and server.acks == [ack] and server.problems == []


def test_what_slack_would_not_accept_is_reported(server: SocketModeServer) -> None:
    with app_connects(server) as connection:
        server.deliver("interactive", CLICK, accepts_response_payload=False)
        envelope = receive(connection)
        acknowledge(connection, envelope, {"text": "a payload block_actions cannot take"})
        acknowledge(connection, envelope)
        connection.send("not json")
        connection.send(json.dumps({"envelope_id": "never-sent"}))
        fence = server.deliver("events_api", EVENT, accepts_response_payload=False)
        acknowledge(connection, receive(connection))
        fence.ack()  # acks are read in order: the ones before it were read too
    assert len(server.problems) == 4


def test_an_envelope_sent_before_the_app_connects_waits_for_it(server: SocketModeServer) -> None:
    delivery = server.deliver("slash_commands", COMMAND, accepts_response_payload=True)
    with app_connects(server) as connection:
        acknowledge(connection, receive(connection), {"text": "PMO Bot help"})
        assert delivery.ack().payload == {"text": "PMO Bot help"}


# --- redelivery ------------------------------------------------------------------------------


def test_an_envelope_not_acknowledged_in_time_is_delivered_again(
    server: SocketModeServer,
) -> None:
    with app_connects(server) as connection:
        delivery = server.deliver("slash_commands", COMMAND, accepts_response_payload=True)
        first = receive(connection)
        again = receive(connection)  # nothing acknowledged the first within the timeout
        acknowledge(connection, first)
        acknowledge(connection, again)
        ack = delivery.ack()
    assert again["payload"] == first["payload"] and again["envelope_id"] != first["envelope_id"]
    assert (again["retry_attempt"], again["retry_reason"]) == (1, "timeout")
    assert (ack.envelope_id, ack.retry_attempt) == (again["envelope_id"], 1)
    assert [late.envelope_id for late in server.late_acks] == [first["envelope_id"]]


def test_delivery_gives_up_when_the_retries_run_out(server: SocketModeServer) -> None:
    with app_connects(server) as connection:
        delivery = server.deliver("events_api", EVENT, accepts_response_payload=False)
        attempts = [receive(connection) for _ in range(3)]
        with pytest.raises(TimeoutError):
            delivery.ack()
    assert [a["retry_attempt"] for a in attempts] == [0, 1, 2]
    assert len(server.sent) == 3


def test_what_a_dropped_connection_had_not_acknowledged_comes_on_the_next(
    server: SocketModeServer,
) -> None:
    with app_connects(server) as first:
        delivery = server.deliver("slash_commands", COMMAND, accepts_response_payload=True)
        lost = receive(first)
        server.drop()
        with pytest.raises(ConnectionClosed):
            receive(first)
    with app_connects(server) as second:
        again = receive(second)
        acknowledge(second, again)
        assert delivery.ack().retry_attempt == 1
    assert again["payload"] == lost["payload"] and again["retry_reason"] == "timeout"
    assert server.connections_opened == 2


def test_a_lost_ack_cuts_the_connection_after_the_envelope(server: SocketModeServer) -> None:
    server.lose_next_ack()
    with app_connects(server) as first:
        delivery = server.deliver("interactive", SUBMISSION, accepts_response_payload=True)
        envelope = receive(first)  # it reached the app...
        with pytest.raises(ConnectionClosed):
            receive(first)  # ...and its connection was cut before the ack could return
    with app_connects(server) as second:
        acknowledge(second, receive(second), {"response_action": "clear"})
        assert delivery.ack().payload == {"response_action": "clear"}
    assert envelope["payload"] == SUBMISSION


def test_disconnect_asks_for_a_new_connection_and_closes_the_old_once_it_is_up(
    server: SocketModeServer,
) -> None:
    with app_connects(server) as old:
        server.send_disconnect("refresh_requested")
        message = receive(old)
        assert (message["type"], message["reason"]) == ("disconnect", "refresh_requested")
        with app_connects(server) as new:
            with pytest.raises(ConnectionClosed):
                receive(old)
            server.deliver("events_api", EVENT, accepts_response_payload=False)
            assert receive(new)["type"] == "events_api"  # delivered on the new one
            assert server.open_connections == 1
