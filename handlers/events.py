"""Events API listeners that keep our picture of the workspace current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import people
from handlers.adapters import Listeners


def register(on: Listeners) -> None:
    """Listen to `user_change`."""
    on.event("user_change", user_changed)


def user_changed(session: Session, *, team_id: str, event: dict[str, Any], now: datetime) -> None:
    """Refresh the cached person (time zone, guest status, deactivation)."""
    people.upsert_person(session, team_id=team_id, user=event["user"], now=now)
