"""The first time someone opens the bot's Messages tab: one short DM on how to start."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.blocks.help import welcome_message
from storage.models import Person


def greet(session: Session, *, person: Person, now: datetime) -> bool:
    """Queue the welcome DM unless this person had it already; whether it was queued.

    The outbox key is the person, so opening the tab again, a retried event or a second
    replica never sends it twice.
    """
    queued = outbox.enqueue(
        session,
        team_id=person.team_id,
        key=f"welcome:{person.user_id}",
        channel=person.user_id,
        payload=welcome_message(guest=person.is_restricted),
        now=now,
    )
    return queued is not None
