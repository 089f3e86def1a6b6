"""The driver sends Slack-shaped, correctly signed requests, and a real Bolt app accepts them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.sandbox.driver import SlackDriver, build_state_values
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signing import sign

SECRET = "test-signing-secret"
NOW = 1_764_100_000

Json = dict[str, Any]


def plain(text: str) -> Json:
    return {"type": "plain_text", "text": text}


def option(value: str) -> Json:
    return {"text": plain(value.title()), "value": value}


APPROVAL_BLOCKS: list[Json] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Approve *Apollo*?"}},
    {
        "type": "actions",
        "block_id": "approval",
        "elements": [
            {"type": "button", "text": plain("Approve"), "action_id": "approve", "value": "42"},
            {"type": "button", "text": plain("Reject"), "action_id": "reject", "value": "42"},
        ],
    },
]


def field_input(block_id: str, element: Json, *, optional: bool = False) -> Json:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(block_id),
        "element": {"action_id": f"{block_id}_input", **element},
        "optional": optional,
    }


FORM = {
    "type": "modal",
    "callback_id": "new_program",
    "private_metadata": "ctx-1",
    "title": plain("New program"),
    "submit": plain("Create"),
    "blocks": [
        field_input("name", {"type": "plain_text_input"}),
        field_input("budget", {"type": "number_input", "is_decimal_allowed": False}, optional=True),
        field_input(
            "status", {"type": "static_select", "options": [option("green"), option("red")]}
        ),
        field_input("health", {"type": "radio_buttons", "options": [option("ok"), option("bad")]}),
        field_input("tags", {"type": "multi_static_select", "options": [option("a"), option("b")]}),
        field_input(
            "flags", {"type": "checkboxes", "options": [option("x"), option("y")]}, optional=True
        ),
        field_input("lead", {"type": "users_select"}),
        field_input("watchers", {"type": "multi_users_select"}, optional=True),
        field_input("room", {"type": "conversations_select"}, optional=True),
        field_input("channel", {"type": "channels_select"}, optional=True),
        field_input("due", {"type": "datepicker"}),
        field_input("notes", {"type": "plain_text_input", "initial_value": "n/a"}, optional=True),
        field_input(
            "phase",
            {
                "type": "static_select",
                "options": [option("plan")],
                "initial_option": option("plan"),
            },
        ),
    ],
}


# --- a stand-in app that records what the driver sends -----------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def payload(self) -> Json:
        return json.loads(self.form()["payload"])

    def envelope(self) -> Json:
        return json.loads(self.body)


@dataclass
class RecordingApp:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answer: tuple[int, bytes, str] = (200, b"", "text/plain")

    @property
    def last(self) -> Received:
        return self.received[-1]


def recording_handler(app: RecordingApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            assert self.path == "/slack/events"
            body = self.rfile.read(int(self.headers["Content-Length"]))
            app.received.append(Received(dict(self.headers.items()), body))
            status, reply, content_type = app.answer
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.add_user("UALICE", "alice")
        slack.add_user("UBOB", "bob")
        slack.add_channel("CGEN", "general", members=["UALICE", "UBOB"])
        yield slack


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.base_url, token="xoxb-test")


@pytest.fixture
def app() -> Iterator[RecordingApp]:
    recording = RecordingApp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), recording_handler(recording))
    recording.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield recording
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def driver(app: RecordingApp, fake: FakeSlack) -> SlackDriver:
    return SlackDriver(app.url, SECRET, fake, clock=lambda: NOW)


class FrozenClock(Clock):
    def now(self) -> float:
        return NOW


def verifies(received: Received, secret: str = SECRET) -> bool:
    verifier = SignatureVerifier(secret, clock=FrozenClock())
    return verifier.is_valid_request(received.body, received.headers)


# --- signing ---------------------------------------------------------------------------------


def test_sign_matches_slacks_documented_example() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )

    headers = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", 1531420618)

    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


def test_every_kind_of_request_verifies_with_slack_sdk_and_the_injected_clock(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=FORM)
    driver.command("UALICE", "help")
    driver.click("UALICE", "approve", value="1")
    driver.submit_view(
        "UALICE",
        fake.last_view("UALICE"),
        {
            "name": "x",
            "status": "green",
            "health": "ok",
            "tags": ["a"],
            "lead": "UBOB",
            "due": "2026-12-01",
        },
    )
    driver.dm("UALICE", "hi")

    assert len(app.received) == 4
    assert all(r.headers["X-Slack-Request-Timestamp"] == str(NOW) for r in app.received)
    assert all(verifies(r) for r in app.received)
    assert not verifies(app.last, secret="another-secret")


# --- slash commands --------------------------------------------------------------------------


def test_command_posts_slacks_slash_command_form(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    driver.command("UALICE", "status apollo green", channel_id="CGEN")

    form = app.last.form()
    assert app.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form | {"token": "", "response_url": "", "trigger_id": ""} == {
        "token": "",
        "team_id": "T0001",
        "team_domain": "acme",
        "channel_id": "CGEN",
        "channel_name": "general",
        "user_id": "UALICE",
        "user_name": "alice",
        "command": "/pmo",
        "text": "status apollo green",
        "api_app_id": "A0PMO",
        "is_enterprise_install": "false",
        "response_url": "",
        "trigger_id": "",
    }
    assert form["token"]
    assert client.views_open(trigger_id=form["trigger_id"], view=FORM)["ok"]
    WebhookClient(form["response_url"]).send(text="Done")
    assert fake.ephemerals("UALICE")[0]["text"] == "Done"


# --- clicks ----------------------------------------------------------------------------------


def test_click_button_sends_the_rendered_button_with_a_message_container(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="CGEN", text="Approve?", blocks=APPROVAL_BLOCKS)
    message = fake.messages("CGEN")[0]

    driver.click_button("UBOB", message, "approve")

    payload = app.last.payload()
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "UBOB", "username": "bob", "name": "bob", "team_id": "T0001"}
    assert payload["team"] == {"id": "T0001", "domain": "acme"}
    assert payload["api_app_id"] == "A0PMO"
    assert payload["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": "CGEN",
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": "CGEN", "name": "general"}
    assert payload["message"] == message
    [action] = payload["actions"]
    assert action == {
        "action_id": "approve",
        "block_id": "approval",
        "type": "button",
        "text": plain("Approve"),
        "value": "42",
        "action_ts": f"{NOW}.000000",
    }
    assert payload["trigger_id"] and payload["token"]


def test_click_response_url_can_replace_the_clicked_message(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="CGEN", text="Approve?", blocks=APPROVAL_BLOCKS)
    driver.click_button("UBOB", fake.messages("CGEN")[0], "reject")

    WebhookClient(app.last.payload()["response_url"]).send(text="Rejected", replace_original=True)

    assert [m["text"] for m in fake.messages("CGEN")] == ["Rejected"]


def test_click_button_in_a_view_uses_a_view_container(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    home = {
        "type": "home",
        "blocks": [
            {
                "type": "section",
                "block_id": "top",
                "text": {"type": "mrkdwn", "text": "Your programs"},
                "accessory": {"type": "button", "text": plain("Refresh"), "action_id": "refresh"},
            }
        ],
    }
    client.views_publish(user_id="UALICE", view=home)

    driver.click_button("UALICE", fake.home("UALICE"), "refresh")

    payload = app.last.payload()
    assert payload["container"] == {"type": "view", "view_id": fake.home("UALICE")["id"]}
    assert payload["view"]["id"] == fake.home("UALICE")["id"]
    assert payload["actions"][0]["block_id"] == "top"
    assert "response_url" not in payload


def test_click_on_an_ephemeral_message_does_not_echo_the_message(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postEphemeral(
        channel="CGEN", user="UALICE", text="Approve?", blocks=APPROVAL_BLOCKS
    )

    driver.click_button("UALICE", fake.ephemerals("UALICE")[0], "approve")

    payload = app.last.payload()
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload


def test_click_button_raises_when_the_button_is_not_rendered(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="CGEN", text="Approve?", blocks=APPROVAL_BLOCKS)

    with pytest.raises(LookupError, match="archive"):
        driver.click_button("UBOB", fake.messages("CGEN")[0], "archive")
    assert app.received == []


# --- modal submissions -----------------------------------------------------------------------


def test_submit_view_sends_the_rendered_view_with_state_per_element_type(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=FORM)
    view = fake.last_view("UALICE")

    driver.submit_view(
        "UALICE",
        view,
        {
            "name": "Apollo",
            "budget": 1200,
            "status": "red",
            "health": "ok",
            "tags": ["a", "b"],
            "flags": ["y"],
            "lead": "UBOB",
            "watchers": ["UALICE", "UBOB"],
            "room": "CGEN",
            "channel": "CGEN",
            "due": date(2026, 12, 1),
        },
    )

    payload = app.last.payload()
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == "UALICE"
    for key in ("id", "hash", "callback_id", "private_metadata", "blocks"):
        assert payload["view"][key] == view[key]
    assert payload["view"]["state"]["values"] == {
        "name": {"name_input": {"type": "plain_text_input", "value": "Apollo"}},
        "budget": {"budget_input": {"type": "number_input", "value": "1200"}},
        "status": {"status_input": {"type": "static_select", "selected_option": option("red")}},
        "health": {"health_input": {"type": "radio_buttons", "selected_option": option("ok")}},
        "tags": {
            "tags_input": {
                "type": "multi_static_select",
                "selected_options": [option("a"), option("b")],
            }
        },
        "flags": {"flags_input": {"type": "checkboxes", "selected_options": [option("y")]}},
        "lead": {"lead_input": {"type": "users_select", "selected_user": "UBOB"}},
        "watchers": {
            "watchers_input": {"type": "multi_users_select", "selected_users": ["UALICE", "UBOB"]}
        },
        "room": {"room_input": {"type": "conversations_select", "selected_conversation": "CGEN"}},
        "channel": {"channel_input": {"type": "channels_select", "selected_channel": "CGEN"}},
        "due": {"due_input": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "notes": {"notes_input": {"type": "plain_text_input", "value": "n/a"}},
        "phase": {"phase_input": {"type": "static_select", "selected_option": option("plan")}},
    }


def test_inputs_not_given_keep_initial_values_or_are_empty_like_slack() -> None:
    values = {
        "name": "Apollo",
        "status": "green",
        "health": "bad",
        "tags": "a",
        "lead": "UBOB",
        "due": "2026-12-01",
    }

    state = build_state_values(FORM, values)

    assert state["notes"]["notes_input"]["value"] == "n/a"
    assert state["phase"]["phase_input"]["selected_option"] == option("plan")
    assert state["budget"]["budget_input"]["value"] is None
    assert state["flags"]["flags_input"]["selected_options"] == []
    assert state["watchers"]["watchers_input"]["selected_users"] == []
    assert state["room"]["room_input"]["selected_conversation"] is None
    assert state["tags"]["tags_input"]["selected_options"] == [option("a")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "purple"}, "'purple' is not an option"),
        ({"nmae": "typo"}, "no input block with block_id \\['nmae'\\]"),
        ({"name": ""}, "required input 'name' is empty"),
        ({"due": "next week"}, "Invalid isoformat"),
    ],
    ids=["unknown_option", "unknown_block_id", "required_input_empty", "bad_date"],
)
def test_submit_view_refuses_what_a_user_could_not_submit(
    driver: SlackDriver, app: RecordingApp, change: Json, message: str
) -> None:
    values = {
        "name": "Apollo",
        "status": "green",
        "health": "ok",
        "tags": ["a"],
        "lead": "UBOB",
        "due": "2026-12-01",
        **change,
    }

    with pytest.raises(ValueError, match=message):
        driver.submit_view("UALICE", {**FORM, "id": "V1"}, values)
    assert app.received == []


# --- events ----------------------------------------------------------------------------------


def test_event_is_wrapped_in_an_event_callback_envelope_with_retry_headers(
    driver: SlackDriver, app: RecordingApp
) -> None:
    inner = {"type": "member_joined_channel", "user": "UBOB", "channel": "CGEN"}

    driver.event(inner, event_id="Ev123", retry_num=1, retry_reason="http_timeout")

    envelope = app.last.envelope()
    assert app.last.headers["Content-Type"] == "application/json"
    assert app.last.headers["X-Slack-Retry-Num"] == "1"
    assert app.last.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert envelope["type"] == "event_callback"
    assert envelope["event"] == inner
    assert envelope["event_id"] == "Ev123"
    assert envelope["event_time"] == NOW
    assert envelope["team_id"] == "T0001"
    assert envelope["api_app_id"] == "A0PMO"
    assert envelope["token"]


def test_events_get_fresh_ids_and_no_retry_headers_by_default(
    driver: SlackDriver, app: RecordingApp
) -> None:
    driver.event({"type": "app_mention", "text": "hi"})
    driver.event({"type": "app_mention", "text": "hi"})

    first, second = (r.envelope()["event_id"] for r in app.received)
    assert first.startswith("Ev")
    assert first != second
    assert "X-Slack-Retry-Num" not in app.last.headers


def test_dm_is_an_im_message_in_the_users_dm_channel(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack
) -> None:
    driver.dm("UALICE", "status?", thread_ts="1764100000.000100")

    event = app.last.envelope()["event"]
    assert event["type"] == "message"
    assert event["channel_type"] == "im"
    assert event["channel"] == fake.dm_channel_id("UALICE")
    assert event["user"] == "UALICE"
    assert event["text"] == "status?"
    assert event["thread_ts"] == "1764100000.000100"
    assert event["ts"] == event["event_ts"]


def test_an_edit_is_a_hidden_message_changed_with_the_message_and_the_one_before(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack
) -> None:
    sent = driver.dm_event("UALICE", "amber - late")
    driver.edit_dm(sent, "red - later", after_seconds=90)

    event = app.last.envelope()["event"]
    assert (event["type"], event["subtype"], event["hidden"]) == (
        "message",
        "message_changed",
        True,
    )
    assert (event["channel"], event["channel_type"]) == (fake.dm_channel_id("UALICE"), "im")
    assert "user" not in event  # Slack names the author inside the message only
    assert event["message"]["ts"] == sent["ts"] == event["previous_message"]["ts"]
    assert (event["message"]["text"], event["previous_message"]["text"]) == (
        "red - later",
        "amber - late",
    )
    assert event["message"]["edited"] == {"user": "UALICE", "ts": event["ts"]}
    assert float(event["ts"]) - float(sent["ts"]) == pytest.approx(90)


def test_a_file_share_carries_its_text_and_files_but_no_team(
    driver: SlackDriver, app: RecordingApp
) -> None:
    driver.event(driver.file_dm_event("UALICE", "green - see the plan", name="plan.pdf"))

    event = app.last.envelope()["event"]
    assert (event["subtype"], event["text"], event["user"]) == (
        "file_share",
        "green - see the plan",
        "UALICE",
    )
    assert event["files"][0]["name"] == "plan.pdf" and "team" not in event


def test_a_thread_broadcast_names_its_thread_and_root(
    driver: SlackDriver, app: RecordingApp
) -> None:
    driver.event(driver.broadcast_event("UALICE", "red - blocked", thread_ts="1764100000.000100"))

    event = app.last.envelope()["event"]
    assert (event["subtype"], event["thread_ts"]) == ("thread_broadcast", "1764100000.000100")
    assert event["root"]["ts"] == event["root"]["thread_ts"] == "1764100000.000100"


def test_app_home_opened_carries_the_published_home_view(
    driver: SlackDriver, app: RecordingApp, fake: FakeSlack, client: WebClient
) -> None:
    driver.app_home_opened("UALICE")
    first = app.last.envelope()["event"]
    client.views_publish(user_id="UALICE", view={"type": "home", "blocks": []})
    driver.app_home_opened("UALICE")
    second = app.last.envelope()["event"]

    assert first["type"] == "app_home_opened"
    assert first["tab"] == "home"
    assert first["user"] == "UALICE"
    assert "view" not in first
    assert second["view"]["id"] == fake.home("UALICE")["id"]


# --- replies and raw requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, b"", "text/plain"), None),
        ((200, b'{"text": "ok"}', "application/json"), {"text": "ok"}),
        ((401, b"invalid request", "text/plain"), "invalid request"),
    ],
    ids=["empty_is_none", "json_is_parsed", "text_is_kept"],
)
def test_reply_holds_status_and_parsed_body(
    driver: SlackDriver, app: RecordingApp, answer: tuple[int, bytes, str], expected: object
) -> None:
    app.answer = answer

    reply = driver.command("UALICE", "help")

    assert reply.status == answer[0]
    assert reply.body == expected
    assert reply.headers["Content-Type"] == answer[2]


def test_raw_sends_exactly_the_given_body_and_headers(
    driver: SlackDriver, app: RecordingApp
) -> None:
    driver.raw(b"a=1", {"Content-Type": "application/x-www-form-urlencoded", "X-Custom": "y"})

    assert app.last.body == b"a=1"
    assert app.last.headers["X-Custom"] == "y"
    assert "X-Slack-Signature" not in app.last.headers


# --- against a real Bolt app -----------------------------------------------------------------


class QuietWSGIRequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def echo_app(client: WebClient) -> App:
    bolt = App(signing_secret=SECRET, client=client, process_before_response=True)

    @bolt.command("/pmo")
    def on_command(ack: Ack, command: Json, respond: Respond) -> None:
        ack()
        respond(f"You said: {command['text']}")

    @bolt.action("approve")
    def on_approve(ack: Ack, body: Json, client: WebClient) -> None:
        ack()
        channel, ts = body["channel"]["id"], body["message"]["ts"]
        client.chat_update(channel=channel, ts=ts, text=f"Approved by <@{body['user']['id']}>")

    @bolt.view("new_program")
    def on_submit(ack: Ack, view: Json) -> None:
        name = view["state"]["values"]["name"]["name_input"]["value"]
        ack(response_action="errors", errors={"name": f"{name} exists"})

    @bolt.event("message")
    def on_dm(event: Json, say: Callable[..., Any]) -> None:
        say(f"echo: {event['text']}")

    return bolt


@pytest.fixture
def bolt_url(client: WebClient) -> Iterator[str]:
    server: WSGIServer = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(echo_app(client)),
        handler_class=QuietWSGIRequestHandler,
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_real_bolt_app_accepts_every_kind_of_request(
    bolt_url: str, fake: FakeSlack, client: WebClient
) -> None:
    slack = SlackDriver(bolt_url, SECRET, fake)
    client.chat_postMessage(channel="CGEN", text="Approve?", blocks=APPROVAL_BLOCKS)
    client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=FORM)

    assert slack.command("UALICE", "hello", channel_id="CGEN").status == 200
    assert slack.click_button("UBOB", fake.messages("CGEN")[0], "approve").status == 200
    submitted = slack.submit_view(
        "UALICE",
        fake.last_view("UALICE"),
        {
            "name": "Apollo",
            "status": "green",
            "health": "ok",
            "tags": ["a"],
            "lead": "UBOB",
            "due": "2026-12-01",
        },
    )
    assert slack.dm("UALICE", "ping").status == 200

    assert fake.ephemerals("UALICE")[0]["text"] == "You said: hello"
    assert fake.messages("CGEN")[0]["text"] == "Approved by <@UBOB>"
    assert submitted.body == {"response_action": "errors", "errors": {"name": "Apollo exists"}}
    assert fake.dms("UALICE")[0]["text"] == "echo: ping"


def test_a_real_bolt_app_refuses_a_forged_signature(bolt_url: str, fake: FakeSlack) -> None:
    slack = SlackDriver(bolt_url, "not-the-secret", fake)

    assert slack.command("UALICE", "hello").status == 401
    assert fake.responses == []
