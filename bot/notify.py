"""Who may be messaged, and when: guests hear no portfolio news; DMs wait for working hours.

Every feature that DMs people about the portfolio (status prompts, flag alerts, intake
decisions) goes through here, so the rules are the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import outbox
from bot.hours import next_window_start
from storage.models import Person, Workspace


def may_hear(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether portfolio news may be DMed to someone: not a guest (people change)."""
    person = session.get(Person, (team_id, user_id))
    return person is None or not (person.is_restricted or person.deleted)


def is_out_of_office(person: Person, *, now: datetime, workspace: Workspace) -> bool:
    """Whether `person` is out of office on their local today."""
    return person.ooo_until is not None and person.ooo_until >= local_today(person, now, workspace)


def local_today(person: Person | None, now: datetime, workspace: Workspace) -> date:
    """The person's local date (the workspace's when their zone is unknown)."""
    return now.astimezone(ZoneInfo(zone_of(person, workspace))).date()


def zone_of(person: Person | None, workspace: Workspace) -> str:
    """A person's time zone, else the workspace's."""
    return (person.tz if person is not None else None) or workspace.timezone


def direct_message(
    session: Session,
    *,
    workspace: Workspace,
    user_id: str,
    now: datetime,
    key: str,
    payload: dict[str, object],
    purpose: str | None = None,
) -> int | None:
    """Queue a DM that waits for the recipient's Mon–Fri 08:00–20:00 window."""
    person = session.get(Person, (workspace.team_id, user_id))
    return outbox.enqueue(
        session,
        team_id=workspace.team_id,
        key=key,
        channel=user_id,
        payload=payload,
        now=now,
        not_before=next_window_start(now, zone_of(person, workspace)),
        purpose=purpose,
    )
