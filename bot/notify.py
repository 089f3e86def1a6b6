"""Who may be messaged, and when: guests hear no portfolio news; DMs wait for working time.

Every feature that DMs people about the portfolio (status prompts, flag alerts, intake
decisions) goes through here, so the rules are the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import outbox, working_time
from storage.models import Person, Workspace


def may_hear(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether portfolio news may be DMed to someone: not a guest (people change)."""
    person = session.get(Person, (team_id, user_id))
    return person is None or not (person.is_restricted or person.deleted)


def is_out_of_office(person: Person, *, now: datetime, workspace: Workspace) -> bool:
    """Whether `person` is away now: out of office through a date that is not past in their
    zone (`/pmo ooo`), or a Slack status that says so and has not expired."""
    if person.ooo_until is not None and person.ooo_until >= local_today(person, now, workspace):
        return True
    return person.away_status is not None and (person.away_until is None or person.away_until > now)


def local_today(person: Person | None, now: datetime, workspace: Workspace) -> date:
    """The person's local date (the workspace's when their zone is unknown)."""
    return now.astimezone(ZoneInfo(zone_of(person, workspace))).date()


def zone_of(person: Person | None, workspace: Workspace) -> str:
    """A person's time zone, else the workspace's."""
    return (person.tz if person is not None else None) or workspace.timezone


def calendar_of(
    session: Session, *, workspace: Workspace, user_id: str
) -> working_time.WorkingTime:
    """A person's working calendar (theirs where they set it, else the workspace's)."""
    return working_time.for_person(session.get(Person, (workspace.team_id, user_id)), workspace)


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
    """Queue a DM that waits for the recipient's message hours on a working day of theirs."""
    calendar = calendar_of(session, workspace=workspace, user_id=user_id)
    return outbox.enqueue(
        session,
        team_id=workspace.team_id,
        key=key,
        channel=user_id,
        payload=payload,
        now=now,
        not_before=calendar.next_window_start(now),
        purpose=purpose,
    )
