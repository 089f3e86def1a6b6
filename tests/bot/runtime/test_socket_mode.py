"""Socket Mode: the core flows over the WebSocket as over HTTP; reconnects; redeliveries once.

The app is the same one the `bot` fixture serves over HTTP, connected to the fake Slack's
Socket Mode end by `bot.runtime.socket_mode.SocketMode`, as `pmo-bot run` connects it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.socket_mode import Answer, Deliveries, delivery_key
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Program, Prompt, StatusUpdate
from tests.conftest import TEAM, Bot, SettlingDriver
from tests.flow import count, program, text_of

FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
NEW_PROGRAM = {"name": "Apollo Migration", "owner": "ULEAD", "cadence": "weekly tue 11:00"}


@pytest.fixture(params=["http", "socket_mode"])
def either(request: pytest.FixtureRequest, bot: Bot, fake: FakeSlack) -> SlackDriver:
    """The app driven over signed HTTP, then over Socket Mode: a flow test runs both ways."""
    over_socket = request.param == "socket_mode"
    if over_socket:
        request.getfixturevalue("socket_mode")
    return SettlingDriver(bot, fake, socket_mode=over_socket)


@pytest.fixture
def apollo(either: SlackDriver) -> None:
    either.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    either.command("UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    either.command("ULEAD", "status apollo green all good")


def prompt_dm(fake: FakeSlack) -> dict:
    return [m for m in fake.dms("ULEAD") if "Status update due" in m.get("text", "")][-1]


# --- the core flows, over HTTP and over Socket Mode -----------------------------------------


def test_commands_are_answered_in_the_ack_or_after_it(
    either: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    assert "/pmo program add" in text_of(either.command("ULEAD", "help").body)
    added = either.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    assert "Registered *Apollo*" in text_of(added.body)
    assert "Apollo" in text_of(either.command("ULEAD", "program list").body)  # deferred
    assert count(sessions, Program) == 1


def test_the_add_modal_opens_and_its_submission_registers_the_program(
    either: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    opened = either.command("UADMIN", "program add")
    assert opened.status == 200 and opened.body is None
    assert len(fake.calls_to("views.open")) == 1
    reply = either.submit_view("UADMIN", fake.last_view("UADMIN"), NEW_PROGRAM)
    assert isinstance(reply.body, dict) and reply.body["response_action"] == "update"
    stored = program(sessions, "apollo-migration")
    assert stored is not None and stored.cadence == "weekly tue 11:00"


def test_a_dm_reply_to_a_prompt_is_stored_and_confirmed_in_its_thread(
    either: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
    apollo: None,
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    prompt = prompt_dm(fake)
    assert either.dm("ULEAD", "amber - vendor late", thread_ts=prompt["ts"]).status == 200
    bot.settle()
    stored = program(sessions, "apollo")
    assert stored is not None and stored.rag == "amber"
    confirmation = fake.dms("ULEAD")[-1]
    assert "Stored the status of *Apollo*" in confirmation["text"]
    assert confirmation.get("thread_ts") == prompt["ts"]


def test_opening_app_home_publishes_my_programs(
    either: SlackDriver, fake: FakeSlack, bot: Bot, apollo: None
) -> None:
    assert either.app_home_opened("ULEAD").status == 200
    bot.settle()
    assert "*Apollo* `apollo`" in text_of(fake.home("ULEAD"))
    assert len(fake.calls_to("views.publish")) == 1


# --- the protocol ----------------------------------------------------------------------------


def test_every_envelope_is_acknowledged_in_time_with_its_own_id(
    socket_slack: SlackDriver, fake: FakeSlack
) -> None:
    socket_slack.command("UADMIN", "program add")
    socket_slack.submit_view("UADMIN", fake.last_view("UADMIN"), NEW_PROGRAM)
    socket_slack.app_home_opened("ULEAD")
    sent = fake.socket.sent
    assert [(e["type"], e["accepts_response_payload"]) for e in sent] == [
        ("slash_commands", True),
        ("interactive", True),
        ("events_api", False),
    ]
    assert (sent[2]["retry_attempt"], sent[2]["retry_reason"]) == (0, "")
    assert [ack.envelope_id for ack in fake.socket.acks] == [e["envelope_id"] for e in sent]
    assert fake.socket.late_acks == [] and fake.socket.problems == []


def test_a_connection_slack_closes_is_opened_again_with_a_new_url(
    socket_slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.socket.drop()
    fake.socket.wait_connected(count=2)
    assert len(fake.calls_to("apps.connections.open")) == 2
    assert "/pmo program add" in text_of(socket_slack.command("ULEAD", "help").body)


def test_asked_to_refresh_the_app_moves_to_a_new_connection(
    socket_slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.socket.send_disconnect("refresh_requested")
    fake.socket.wait_connected(count=2)
    assert "/pmo program add" in text_of(socket_slack.command("ULEAD", "help").body)
    assert len(fake.calls_to("apps.connections.open")) == 2
    assert fake.socket.open_connections == 1


# --- redelivered envelopes are handled once --------------------------------------------------


def test_a_command_whose_ack_was_lost_is_redelivered_and_done_once(
    socket_slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    socket_slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    fake.socket.lose_next_ack()
    reply = socket_slack.command("ULEAD", "status apollo red budget frozen")
    assert fake.socket.acks[-1].retry_attempt == 1  # the redelivery was acknowledged
    assert "Stored the status of *Apollo*" in text_of(reply.body)  # the same answer again
    assert count(sessions, StatusUpdate) == 1
    assert len(fake.messages("CPMO")) <= 1  # no second alert either


def test_a_modal_submission_redelivered_saves_once_and_updates_the_modal(
    socket_slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    socket_slack.command("UADMIN", "program add")
    fake.socket.lose_next_ack()
    reply = socket_slack.submit_view("UADMIN", fake.last_view("UADMIN"), NEW_PROGRAM)
    assert isinstance(reply.body, dict) and reply.body["response_action"] == "update"
    assert "already exists" not in text_of(reply.body)
    assert count(sessions, Program) == 1


def test_a_click_redelivered_answers_once(
    socket_slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
) -> None:
    socket_slack.command(
        "UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"'
    )
    socket_slack.command("ULEAD", "status apollo green all good")
    run_pass(FRIDAY_10_BERLIN)
    fake.clear()
    fake.socket.lose_next_ack()
    socket_slack.click_button("ULEAD", prompt_dm(fake), "prompt_no_change")
    bot.settle()
    assert count(sessions, StatusUpdate) == 2
    said = [text_of(r["body"]) for r in fake.responses]
    assert len(said) == 1 and "already answered" not in said[0]


def test_a_dm_redelivered_is_stored_and_confirmed_once(
    socket_slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
) -> None:
    socket_slack.command(
        "UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"'
    )
    socket_slack.command("ULEAD", "status apollo green all good")
    run_pass(FRIDAY_10_BERLIN)
    before = len(fake.dms("ULEAD"))
    fake.socket.lose_next_ack()
    socket_slack.dm("ULEAD", "amber - vendor late")
    bot.settle()
    assert count(sessions, StatusUpdate) == 2
    with sessions() as session:
        assert session.scalars(select(Prompt)).one().state == "answered"
    assert len(fake.dms("ULEAD")) == before + 1  # one confirmation


def test_an_event_replayed_with_a_retry_attempt_changes_nothing_twice(
    socket_slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
) -> None:
    socket_slack.command(
        "UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"'
    )
    socket_slack.command("ULEAD", "status apollo green all good")
    run_pass(FRIDAY_10_BERLIN)
    event = {
        "type": "message",
        "channel": fake.dm_channel_id("ULEAD"),
        "user": "ULEAD",
        "text": "red - budget frozen",
        "ts": fake.new_ts(),
        "channel_type": "im",
        "team": TEAM,
    }
    socket_slack.event(event, event_id="EvSAME")
    socket_slack.event(event, event_id="EvSAME", retry_num=1, retry_reason="timeout")
    bot.settle()
    assert count(sessions, StatusUpdate) == 2


# --- what a redelivery is answered with ------------------------------------------------------


def envelope(kind: str, payload: dict, envelope_id: str = "e-1") -> SocketModeRequest:
    return SocketModeRequest(type=kind, envelope_id=envelope_id, payload=payload)


def test_envelopes_are_known_by_event_id_then_trigger_id_then_envelope_id() -> None:
    event = envelope("events_api", {"team_id": "T1", "event_id": "Ev1", "event": {}})
    command = envelope("slash_commands", {"trigger_id": "1.2.abc", "text": "help"})
    other = envelope("interactive", {"type": "view_closed"}, envelope_id="e-9")
    assert [delivery_key(e) for e in (event, command, other)] == [
        "event:T1:Ev1",
        "trigger:1.2.abc",
        "envelope:e-9",
    ]


def test_a_redelivery_gets_the_first_answer_and_is_not_handled() -> None:
    deliveries = Deliveries()
    assert deliveries.claim("trigger:1") is None
    deliveries.finish("trigger:1", Answer(acked=True, payload={"text": "Stored"}))
    assert deliveries.claim("trigger:1") == Answer(acked=True, payload={"text": "Stored"})
    assert deliveries.claim("trigger:2") is None


def test_a_redelivery_after_a_failed_first_delivery_is_handled() -> None:
    deliveries = Deliveries()
    assert deliveries.claim("event:T1:Ev1") is None
    deliveries.finish("event:T1:Ev1", Answer(acked=False))
    assert deliveries.claim("event:T1:Ev1") is None


def test_a_redelivery_waits_for_the_delivery_in_hand() -> None:
    deliveries = Deliveries()
    assert deliveries.claim("trigger:1") is None
    waiting: list[Answer | None] = []
    redelivery = threading.Thread(target=lambda: waiting.append(deliveries.claim("trigger:1")))
    redelivery.start()
    deliveries.finish("trigger:1", Answer(acked=True, payload={"response_action": "clear"}))
    redelivery.join()
    assert waiting == [Answer(acked=True, payload={"response_action": "clear"})]


def test_a_redelivery_of_one_still_in_hand_is_acknowledged_empty() -> None:
    deliveries = Deliveries(wait=0)
    assert deliveries.claim("trigger:1") is None
    assert deliveries.claim("trigger:1") == Answer(acked=True, payload=None)


def test_only_the_latest_envelopes_are_remembered() -> None:
    deliveries = Deliveries(remembered=2)
    for key in ("a", "b", "c"):
        assert deliveries.claim(key) is None
        deliveries.finish(key, Answer(acked=True))
    assert deliveries.claim("a") is None  # forgotten: handled (events are deduplicated anyway)
    assert deliveries.claim("c") == Answer(acked=True)
