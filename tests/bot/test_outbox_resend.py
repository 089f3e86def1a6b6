"""An interrupted send is repeated once after STUCK_AFTER, never more, whatever came before."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox, workspace
from bot.sandbox.fake_slack import FakeSlack
from storage.models import OutboxMessage
from tests.conftest import START, TEAM

LATER = START + outbox.STUCK_AFTER + timedelta(minutes=1)


def queue_one(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        message_id = outbox.enqueue(
            session, team_id=TEAM, key="k", channel="CPMO", payload={"text": "hello"}, now=START
        )
    assert message_id is not None
    return message_id


def crash_while_sending(sessions: sessionmaker[Session], message_id: int, **values: object) -> None:
    """As if the process died between the Slack call and marking the message sent."""
    with sessions.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(state="sending", claimed_at=START, **values)
        )


def ready(sessions: sessionmaker[Session], now: datetime) -> int:
    with sessions() as session:
        return outbox.pending_count(session, now=now)


def test_a_passing_failure_then_a_crash_still_gets_its_one_resend(
    sessions: sessionmaker[Session], fake: FakeSlack
) -> None:
    client = WebClient(token="xoxb-t", base_url=fake.base_url)
    message_id = queue_one(sessions)
    fake.fail_next("chat.postMessage", "internal_error")
    assert outbox.deliver_pending(sessions, client, now=START) == 0
    crash_while_sending(sessions, message_id, attempts=2)
    assert ready(sessions, LATER) == 1
    assert outbox.deliver_pending(sessions, client, now=LATER) == 1
    with sessions() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None and (message.state, message.error) == ("sent", outbox.RESENT)
    assert len(fake.messages("CPMO")) == 1


def test_a_resend_that_crashes_too_is_not_sent_a_third_time(
    sessions: sessionmaker[Session], fake: FakeSlack
) -> None:
    message_id = queue_one(sessions)
    crash_while_sending(sessions, message_id, attempts=2, error=outbox.RESENT)
    assert ready(sessions, LATER + timedelta(days=1)) == 0
