"""Bolt verifies every request's signature; forged or replayed requests change nothing."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.signing import sign
from storage.models import Program, Workspace
from tests.conftest import SIGNING_SECRET
from tests.flow import count

ADD = {
    "team_id": "T0001",
    "user_id": "UADMIN",
    "command": "/pmo",
    "channel_id": "C1",
    "text": "program add Apollo owner:<@ULEAD|lee>",
    "trigger_id": "t",
    "response_url": "",
}


def test_forged_signature_is_refused_with_401(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    body = urlencode(ADD).encode()
    headers = sign(body, "not-the-secret", int(time.time()))
    reply = slack.raw(body, {"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert reply.status == 401
    assert count(sessions, Program) == 0
    assert count(sessions, Workspace) == 0


def test_request_older_than_five_minutes_is_refused_with_401(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    body = urlencode(ADD).encode()
    headers = sign(body, SIGNING_SECRET, int(time.time()) - 6 * 60)
    reply = slack.raw(body, {"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert reply.status == 401
    assert count(sessions, Program) == 0


def test_unsigned_request_is_refused(slack: SlackDriver, sessions: sessionmaker[Session]) -> None:
    reply = slack.raw(
        urlencode(ADD).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 401
    assert count(sessions, Program) == 0


def test_correctly_signed_request_is_served(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    body = urlencode(ADD).encode()
    headers = sign(body, SIGNING_SECRET, int(time.time()))
    reply = slack.raw(body, {"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert reply.status == 200
    assert count(sessions, Program) == 1
