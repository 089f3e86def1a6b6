"""Slack delivers events at least once; remember event ids so each changes things once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import AlreadyRecorded
from storage.db import insert_once
from storage.models import ProcessedEvent

# A repeat this soon is someone retrying a command that answered slowly, not news.
REPEAT_WINDOW = timedelta(minutes=10)


def first_delivery(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record `event_id` in the caller's transaction; False if it was handled before.

    Recording inside the same transaction as the event's effects means a crash before
    commit leaves the event unrecorded, so Slack's retry still gets it done once.
    """
    return insert_once(session, ProcessedEvent(team_id=team_id, event_id=event_id, received_at=now))


def refuse_repeat(
    session: Session,
    model: Any,
    *,
    tz: str,
    now: datetime,
    what: str,
    then: Callable[[Any], str] | None = None,
    **same: Any,
) -> None:
    """Refuse a row identical to one stored in the last `REPEAT_WINDOW`.

    Args:
        tz: The zone to tell the time in (the author's).
        model: The table (a status update, a RAID item) with `created_at`.
        what: How to name the earlier row to the user, e.g. "this update of *Apollo*".
        then: What to say after, given the earlier row (say, how to change it instead).
        same: The columns that make two rows the same (program, author, colour, text…).

    Raises:
        AlreadyRecorded: "Already recorded at 14:02", in the author's local time.
    """
    query = (
        select(model)
        .filter_by(**same)
        .where(model.created_at >= now - REPEAT_WINDOW)
        .order_by(model.created_at.desc())
        .limit(1)
    )
    earlier = session.scalar(query)
    if earlier is None:
        return
    at = earlier.created_at.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    after = f" {then(earlier)}" if then is not None else ""
    raise AlreadyRecorded(f"Already recorded at {at}: {what}. Nothing was stored twice.{after}")
