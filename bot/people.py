"""People: Slack users as we know them, from users.info, cached and refreshed daily."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot import audit, programs, workspace
from bot.errors import UserError
from storage.models import Person

REFRESH_AFTER = timedelta(days=1)


def get_person(
    session: Session, *, client: WebClient, team_id: str, user_id: str, now: datetime
) -> Person:
    """The cached person, fetched from users.info when unknown or older than a day.

    A failed refresh of a known person keeps the cached data: Slack being slow or
    rate-limited must not block the user's request.
    """
    person = session.get(Person, (team_id, user_id))
    if person is not None and now - person.fetched_at < REFRESH_AFTER:
        return person
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        if person is not None:
            return person
        if exc.response.get("error") == "user_not_found":
            raise UserError(f"Slack does not know the user <@{user_id}>.") from exc
        raise
    return upsert_person(session, team_id=team_id, user=user, now=now)


def prefetch(
    sessions: sessionmaker[Session],
    *,
    client: WebClient,
    team_id: str,
    user_id: str,
    now: datetime,
    default_timezone: str,
) -> None:
    """Refresh a person from users.info outside any transaction, if the cache is stale.

    A failure is left for `get_person` to handle inside the request (cache, or an error).
    """
    with sessions() as session:
        person = session.get(Person, (team_id, user_id))
        if person is not None and now - person.fetched_at < REFRESH_AFTER:
            return
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return
    with sessions.begin() as session:
        workspace.get_workspace(
            session, team_id=team_id, default_timezone=default_timezone, now=now
        )
        upsert_person(session, team_id=team_id, user=user, now=now)


def upsert_person(session: Session, *, team_id: str, user: dict[str, Any], now: datetime) -> Person:
    """Store a Slack user object (from users.info, users.list or a user_change event)."""
    person = session.get(Person, (team_id, user["id"]))
    if person is None:
        person = Person(team_id=team_id, user_id=user["id"])
        session.add(person)
    profile = user.get("profile") or {}
    person.name = user.get("name") or user["id"]
    person.display_name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or person.name
    )
    moved = person.tz is not None and user.get("tz") and user.get("tz") != person.tz
    person.tz = user.get("tz")
    person.is_admin = bool(user.get("is_admin"))
    person.is_owner = bool(user.get("is_owner"))
    person.is_restricted = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
    person.is_bot = bool(user.get("is_bot"))
    person.deleted = bool(user.get("deleted"))
    person.fetched_at = now
    session.flush()
    if moved:
        programs.follow_owner_zone(session, person=person, now=now)
    return person


def find_by_name(
    session: Session, *, client: WebClient, team_id: str, name: str, now: datetime
) -> Person:
    """Resolve a plain `@name` to one person; refuse unknown or ambiguous names.

    Looks in the cache first, then once through users.list (which fills the cache).
    """
    matches = _cached_matches(session, team_id=team_id, name=name)
    if not matches:
        for user in _all_users(client):
            upsert_person(session, team_id=team_id, user=user, now=now)
        matches = _cached_matches(session, team_id=team_id, name=name)
    if not matches:
        raise UserError(
            f"No Slack user is called @{name}. Pick them from Slack's @-autocomplete "
            "so the command carries their id."
        )
    if len(matches) > 1:
        who = ", ".join(f"<@{p.user_id}>" for p in matches[:5])
        raise UserError(f"@{name} could be {who}. Pick one from Slack's @-autocomplete.")
    return matches[0]


def _cached_matches(session: Session, *, team_id: str, name: str) -> list[Person]:
    lowered = name.lower()
    query = select(Person).where(
        Person.team_id == team_id,
        Person.deleted.is_(False),
        or_(func.lower(Person.name) == lowered, func.lower(Person.display_name) == lowered),
    )
    return list(session.scalars(query))


def _all_users(client: WebClient) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = client.users_list(limit=200, cursor=cursor)
        yield from page.get("members", [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def mention(user_id: str | None) -> str:
    """A Slack mention for a user id, or an em dash when nobody is set."""
    return f"<@{user_id}>" if user_id else "—"


def set_out_of_office(
    session: Session, *, person: Person, until: date | None, today: date, now: datetime
) -> None:
    """Mark a person out of office through `until` (inclusive), or back (None)."""
    if until is not None and until < today:
        raise UserError("That date is in the past; give the last day you are away.")
    before = person.ooo_until
    person.ooo_until = until
    audit.record(
        session,
        person,
        actor_id=person.user_id,
        action="ooo",
        now=now,
        before={"ooo_until": before},
        after={"ooo_until": until},
    )
