"""Signed payloads with fields missing get 200 and are ignored with one log line."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signing import sign
from tests.conftest import SIGNING_SECRET, TEAM


def post_json(slack: SlackDriver, body: dict[str, Any]) -> int:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **sign(data, SIGNING_SECRET, int(time.time()))}
    return slack.raw(data, headers).status


def post_payload(slack: SlackDriver, payload: dict[str, Any]) -> int:
    data = urlencode({"payload": json.dumps(payload)}).encode()
    form = "application/x-www-form-urlencoded"
    headers = {"Content-Type": form, **sign(data, SIGNING_SECRET, int(time.time()))}
    return slack.raw(data, headers).status


def envelope(event: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "event_callback", "team_id": TEAM, "api_app_id": "A1", "event": event, **extra}


DM = {"type": "message", "channel_type": "im", "text": "amber - late", "channel": "D1", "ts": "1.1"}


@pytest.mark.parametrize(
    "body",
    [
        envelope({**DM, "user": "ULEAD"}),  # no event_id
        envelope(DM, event_id="Ev1"),  # no user
        envelope({**DM, "user": "ULEAD", "ts": None}, event_id="Ev2"),  # no ts
        envelope({"type": "app_home_opened", "tab": "home"}, event_id="Ev3"),  # no user
        envelope({"type": "user_change", "user": {"id": "ULEAD"}}),  # no event_id
    ],
)
def test_an_event_missing_fields_is_ignored(
    slack: SlackDriver, fake: FakeSlack, caplog: pytest.LogCaptureFixture, body: dict[str, Any]
) -> None:
    fake.clear()
    with caplog.at_level(logging.INFO):
        assert post_json(slack, body) == 200
    assert not [r for r in caplog.records if r.exc_info]
    assert not fake.calls_to("chat.postMessage")


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": "ULEAD"}, "actions": []},
        {"type": "block_actions", "team": {"id": TEAM}, "actions": [{"action_id": "raid_close"}]},
        {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": "ULEAD"}, "view": {}},
        {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": "ULEAD"},
            "view": {"type": "modal", "callback_id": "raid_submit", "id": "V1"},  # no state
        },
    ],
)
def test_an_interaction_missing_fields_is_ignored(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    with caplog.at_level(logging.INFO):
        assert post_payload(slack, payload) == 200
    assert not [r for r in caplog.records if r.exc_info]
