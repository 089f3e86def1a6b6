"""An edit of the live message whose Slack call was interrupted is not sent again after
newer edits (it would undo them)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox
from bot.blocks import meeting_live as render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import OutboxMessage
from storage.types import OutboxState
from tests.conftest import Bot, ManualClock
from tests.flow import text_of
from tests.handlers.test_meeting_live_flow import (  # noqa: F401 -- fixtures
    click,
    planned,
    started,
    steering,
    the_live_message,
)


def test_an_interrupted_older_edit_does_not_undo_a_newer_one(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,  # noqa: F811
) -> None:
    started(slack, bot, fake)
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)  # edit v2: item 2
    # v2's chat.update timed out after Slack applied it: its claim stays "sending".
    with sessions.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "meeting-live:1:v2")
            .values(state=OutboxState.SENDING, claimed_at=clock.now, error=None)
        )
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)  # edit v3: item 3
    assert "*Item 3 of 4*" in text_of(the_live_message(fake))

    later = clock.advance(minutes=11)
    outbox.deliver_pending(sessions, bot.deps.client, now=later)

    assert "*Item 3 of 4*" in text_of(the_live_message(fake)), text_of(the_live_message(fake))
