"""Slack delivers events at least once; remember event ids so each changes things once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.db import insert_once
from storage.models import ProcessedEvent


def first_delivery(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record `event_id` in the caller's transaction; False if it was handled before.

    Recording inside the same transaction as the event's effects means a crash before
    commit leaves the event unrecorded, so Slack's retry still gets it done once.
    """
    return insert_once(session, ProcessedEvent(team_id=team_id, event_id=event_id, received_at=now))
