"""The door of /slack/events: strangers and broken bodies get a status, not a traceback."""

from __future__ import annotations

import logging
import time

import pytest

from bot.runtime.gate import MAX_BODY_BYTES
from bot.sandbox.driver import SlackDriver
from bot.sandbox.signing import sign
from tests.conftest import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed(body: bytes, content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, **sign(body, SIGNING_SECRET, int(time.time()))}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{x", JSON),
        (b"[1]", JSON),
        (b"null", JSON),
        (b"payload=%7B", FORM),
        (b"payload=%5B1%5D", FORM),
        (b"text=\xff\xfe", FORM),
    ],
)
def test_a_signed_malformed_body_is_400_without_a_traceback(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    with caplog.at_level(logging.INFO):
        reply = slack.raw(body, signed(body, content_type))
    assert reply.status == 400
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 3600), "X-Slack-Signature": "v0=0"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=forged"},
    ],
)
def test_an_unsigned_or_badly_signed_request_is_401_without_a_traceback(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    with caplog.at_level(logging.INFO):
        reply = slack.raw(b"{x", {"Content-Type": JSON, **headers})
    assert reply.status == 401
    assert not [r for r in caplog.records if r.exc_info]


def test_a_body_over_a_megabyte_is_413(slack: SlackDriver) -> None:
    body = b"text=" + b"a" * MAX_BODY_BYTES
    assert slack.raw(body, signed(body, FORM)).status == 413


def test_a_well_formed_signed_command_still_gets_in(slack: SlackDriver) -> None:
    assert slack.command("ULEAD", "help").status == 200
