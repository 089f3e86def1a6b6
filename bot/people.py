"""People: Slack users as we know them, from users.info, cached and refreshed daily."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot import audit, limits, programs
from bot.commands import parse_timezone
from bot.errors import UserError
from storage.models import Person

log = logging.getLogger(__name__)
REFRESH_AFTER = timedelta(days=1)
# A Slack status that says its owner is away: Slack's own "Vacationing" and "Out sick"
# emoji, or words people type for it.
AWAY_EMOJI = frozenset({":palm_tree:", ":face_with_thermometer:"})
AWAY_WORDS = re.compile(r"\b(?:vacation(?:ing)?|out of (?:the )?office|ooo|on leave|pto)\b", re.I)


def is_fresh(person: Person, *, now: datetime) -> bool:
    """Whether the cached copy is recent enough to trust (refreshed daily, and on user_change)."""
    return now - person.fetched_at < REFRESH_AFTER


def _known_zone(tz: object, *, user_id: str) -> str | None:
    """Slack's zone for a person if the time zone database knows it; else None, so the
    workspace's zone applies (one warning: a zone Slack knows and we don't must not fail
    every later request of that person)."""
    if not isinstance(tz, str) or not tz:
        return None
    try:
        return parse_timezone(tz)
    except UserError:
        log.warning(
            "unknown time zone from Slack", extra={"fields": {"user_id": user_id, "tz": tz[:64]}}
        )
        return None


def upsert_person(session: Session, *, team_id: str, user: dict[str, Any], now: datetime) -> Person:
    """Store a Slack user object (from users.info, users.list or a user_change event).

    A user of another organisation (a Slack Connect user: their own `team_id`, or Slack's
    `is_stranger`) is kept as a guest of this workspace: never an admin, never an owner.
    """
    person = session.get(Person, (team_id, user["id"]))
    if person is None:
        person = Person(team_id=team_id, user_id=user["id"])
        session.add(person)
    profile = user.get("profile") or {}
    person.name = limits.fitted(Person.name, user.get("name") or user["id"])
    person.display_name = limits.fitted(
        Person.display_name,
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or person.name,
    )
    tz = _known_zone(user.get("tz"), user_id=user["id"])
    moved = person.tz is not None and tz and tz != person.tz
    person.tz = tz
    foreign = user.get("team_id") not in (None, team_id) or bool(user.get("is_stranger"))
    person.is_admin = bool(user.get("is_admin")) and not foreign
    person.is_owner = bool(user.get("is_owner")) and not foreign
    person.is_restricted = foreign or bool(
        user.get("is_restricted") or user.get("is_ultra_restricted")
    )
    person.is_bot = bool(user.get("is_bot"))
    person.deleted = bool(user.get("deleted"))
    person.away_status, person.away_until = away_status(profile, now=now)
    person.fetched_at = now
    session.flush()
    if moved:
        programs.follow_owner_zone(session, person=person, now=now)
    return person


def away_status(profile: dict[str, Any], *, now: datetime) -> tuple[str | None, datetime | None]:
    """What a Slack status says of being away: its text (or emoji) and when it expires.

    Returns:
        (None, None) unless the status has 🌴 or 🤒 or says "vacation", "out of office",
        "OOO", "on leave" or "PTO" and has not expired; the expiry is None when it has none.
    """
    emoji = profile.get("status_emoji") or ""
    text = profile.get("status_text") or ""
    if not isinstance(emoji, str) or not isinstance(text, str):
        return None, None
    if emoji not in AWAY_EMOJI and not AWAY_WORDS.search(text):
        return None, None
    expires = profile.get("status_expiration") or 0
    until = None
    if isinstance(expires, int | float) and expires > 0:
        until = datetime.fromtimestamp(expires, UTC)
        if until <= now:
            return None, None
    return limits.fitted(Person.away_status, text or emoji), until


def named(session: Session, *, team_id: str, name: str) -> list[Person]:
    """The cached people whose handle or display name is `name` (any case)."""
    lowered = name.lower()
    query = select(Person).where(
        Person.team_id == team_id,
        Person.deleted.is_(False),
        or_(func.lower(Person.name) == lowered, func.lower(Person.display_name) == lowered),
    )
    return list(session.scalars(query))


def only_match(matches: list[Person], *, name: str) -> Person:
    """The one person a plain `@name` means; refuse unknown or ambiguous names."""
    if not matches:
        raise UserError(
            f"No Slack user is called @{name}. Pick them from Slack's @-autocomplete "
            "so the command carries their id."
        )
    if len(matches) > 1:
        who = ", ".join(f"<@{p.user_id}>" for p in matches[:5])
        raise UserError(f"@{name} could be {who}. Pick one from Slack's @-autocomplete.")
    return matches[0]


def all_users(client: WebClient) -> Iterator[dict[str, Any]]:
    """Every user of the workspace (users.list, all pages); call with no transaction open."""
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


def set_calendar(
    session: Session,
    *,
    person: Person,
    now: datetime,
    workdays: str | None = None,
    hours: str | None = None,
    holidays: str | None = None,
    reset: tuple[str, ...] = (),
) -> None:
    """Change a person's own working calendar; what is given is set, what is in `reset`
    goes back to following the workspace's. Kept in the audit history."""
    before = {name: getattr(person, name) for name in ("workdays", "hours", "holidays")}
    for name, value in (("workdays", workdays), ("hours", hours), ("holidays", holidays)):
        if value is not None:
            setattr(person, name, value)
    for name in reset:
        setattr(person, name, None)
    after = {name: getattr(person, name) for name in before}
    audit.record(
        session,
        person,
        actor_id=person.user_id,
        action="working time",
        now=now,
        before=before,
        after=after,
    )


def checked_members(
    people: Sequence[Person],
    *,
    members: Collection[str],
    channel_id: str,
    role: str,
    joining: str,
    of: str,
    most: int,
) -> list[str]:
    """The ids of the people named for a channel's stand-up or meeting, once each, after
    checking each may join it: not a bot, guest or deactivated account, and in the channel.

    Args:
        role: What they are, plural ("participants", "attendees").
        joining: What they do ("take part", "attend").
        of: What they join, with its article ("A stand-up").
        most: How many it takes at most.

    Raises:
        UserError: Nobody named, too many, someone unfit or outside the channel.
    """
    unique = list({p.user_id: p for p in people}.values())
    if not unique:
        raise UserError(f"Name the {role} with @, e.g. `@ana @ben`.")
    if len(unique) > most:
        raise UserError(f"{of} has at most {most} {role}.")
    unfit = [p.user_id for p in unique if p.is_bot or p.deleted or p.is_restricted]
    if unfit:
        raise UserError(
            f"{_mentions(unfit)} can't {joining}: bots, guests and deactivated accounts can't."
        )
    outside = [p.user_id for p in unique if p.user_id not in members]
    if outside:
        raise UserError(
            f"{_mentions(outside)} {'is' if len(outside) == 1 else 'are'} not in "
            f"<#{channel_id}>. {role.capitalize()} must be members of the channel: invite "
            "them there first, or leave them out."
        )
    return [p.user_id for p in unique]


def _mentions(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{user_id}>" for user_id in user_ids)
