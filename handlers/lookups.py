"""Slack look-ups a request needs, made before its transaction and never inside one.

A handler asks its request for a person, a channel or a channel's members. What was looked
up already is answered from here or the person cache; anything else raises `NeedsLookup`,
which ends the transaction (rolled back, nothing done). The adapter then asks Slack, with
no transaction open, and runs the handler again on a fresh transaction. A handler never
needs to know: it reads as if Slack answered inline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, people, standups, workspace
from bot.channels import resolve_postable_channel
from bot.commands import ChannelRef
from bot.errors import UserError
from storage.db import DatabaseBusy, is_busy, read_only
from storage.models import Person

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long look-ups and lock waits may take: bot.runtime.deps.Budgets (Slack's 3-s ack).
SLOW = "Slack is slow to answer just now, so I changed nothing. Please try again in a moment"
BUSY = "The database is busy just now, so I changed nothing. Please try again in a moment"
# Slack-side failures other than a clear "no such thing": the network, a 5xx, a timeout.
SLACK_DOWN = (SlackClientError, OSError, TimeoutError)


class NeedsLookup(Exception):
    """The handler needs something from Slack first; the adapter fetches it and reruns."""

    def __init__(self, kind: str, key: str, ref: ChannelRef | None = None) -> None:
        super().__init__(f"{kind} {key}")
        self.kind = kind
        self.key = key
        self.ref = ref


@dataclass
class Lookups:
    """What one request learned from Slack, outside its transaction."""

    client: WebClient
    sessions: sessionmaker[Session]
    team_id: str
    now: datetime
    default_timezone: str
    people_tried: set[str] = field(default_factory=set)
    names_tried: set[str] = field(default_factory=set)
    failures: dict[str, UserError] = field(default_factory=dict)  # by user id or @name
    channels: dict[str, str | UserError] = field(default_factory=dict)
    members_of: dict[str, frozenset[str] | UserError] = field(default_factory=dict)
    # How long look-ups may take in all before Slack is not asked again (None: no limit).
    budget: float | None = None
    spent: float = 0.0

    # --- inside the transaction -----------------------------------------------------------

    def person(self, session: Session, user_id: str) -> Person:
        """The cached person; a lookup first when unknown or older than a day."""
        person = session.get(Person, (self.team_id, user_id))
        fresh = person is not None and people.is_fresh(person, now=self.now)
        if person is not None and (fresh or user_id in self.people_tried):
            return person  # a failed refresh keeps the cached copy: Slack must not block
        if user_id in self.failures:
            raise self.failures[user_id]
        if user_id in self.people_tried:
            raise UserError(
                f"Slack is slow right now: I couldn't look up <@{user_id}>, so I changed "
                f"nothing. Try again in a moment {logs.reference()}."
            )
        raise NeedsLookup("person", user_id)

    def person_named(self, session: Session, name: str) -> Person:
        """The one person a plain `@name` means (cache first, then all users once)."""
        matches = people.named(session, team_id=self.team_id, name=name)
        if not matches and name.lower() not in self.names_tried:
            raise NeedsLookup("name", name.lower())
        if not matches and name.lower() in self.failures:
            raise self.failures[name.lower()]
        return people.only_match(matches, name=name)

    def channel(self, ref: ChannelRef) -> str:
        """The id of a channel the bot can post in, or the UserError saying why not."""
        key = ref.id or f"#{(ref.name or '').lstrip('#').lower()}"
        found = self.channels.get(key)
        if found is None:
            raise NeedsLookup("channel", key, ref)
        if isinstance(found, UserError):
            raise found
        return found

    def members(self, channel_id: str) -> frozenset[str]:
        """Everyone in a channel."""
        found = self.members_of.get(channel_id)
        if found is None:
            raise NeedsLookup("members", channel_id)
        if isinstance(found, UserError):
            raise found
        return found

    # --- outside it -----------------------------------------------------------------------

    def fetch(self, need: NeedsLookup) -> None:
        """Ask Slack for what a handler needed; remember the answer or the failure."""
        if self.budget is not None and self.spent >= self.budget:
            self._give_up(need)
            return
        if need.kind == "person":
            self.fetch_person(need.key)  # it counts its own time, and keeps the budget
            return
        started = time.monotonic()
        if need.kind == "name":
            self._fetch_everyone(need.key)
        elif need.kind == "channel" and need.ref is not None:
            ref = need.ref
            self.channels[need.key] = self._ask(lambda: resolve_postable_channel(self.client, ref))
        elif need.kind == "members":
            key = need.key
            self.members_of[key] = self._ask(lambda: standups.channel_members(self.client, key))
        self.spent += time.monotonic() - started

    def _give_up(self, need: NeedsLookup) -> None:
        """Out of time: the handler is told Slack is slow, and nothing is changed."""
        slow = UserError(f"{SLOW} {logs.reference()}.")
        if need.kind == "person":
            self.people_tried.add(need.key)
            self.failures[need.key] = slow
        elif need.kind == "name":
            self.names_tried.add(need.key)
            self.failures[need.key] = slow
        elif need.kind == "channel":
            self.channels[need.key] = slow
        else:
            self.members_of[need.key] = slow

    def fetch_person(self, user_id: str) -> None:
        """Refresh one person from users.info if the cache is stale (the caller, a mention)."""
        if user_id in self.people_tried:
            return
        if self.budget is not None and self.spent >= self.budget:
            self._give_up(NeedsLookup("person", user_id))
            return
        started = time.monotonic()
        try:
            self._refresh(user_id)
        finally:
            self.spent += time.monotonic() - started

    def _refresh(self, user_id: str) -> None:
        self.people_tried.add(user_id)
        with read_only(self.sessions)() as session:  # a read: no writer lock
            cached = session.get(Person, (self.team_id, user_id))
            if cached is not None and people.is_fresh(cached, now=self.now):
                return
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                self.failures[user_id] = UserError(f"Slack does not know the user <@{user_id}>.")
            return
        except SLACK_DOWN:
            log.warning("users.info failed", extra={"fields": {"user_id": user_id}})
            return
        self._store([user])

    def _fetch_everyone(self, name: str) -> None:
        self.names_tried.add(name)
        try:
            users = list(people.all_users(self.client))
        except SLACK_DOWN as error:
            log.warning("users.list failed", extra={"fields": {"error": type(error).__name__}})
            self.failures[name] = UserError(
                f"Slack is slow right now: I couldn't look up @{name}, so I changed nothing. "
                f"Try again in a moment {logs.reference()}."
            )
            return
        self._store(users)

    def _store(self, users: list[dict[str, Any]]) -> None:
        """Cache what Slack said; a request storing the same person at once wins, and ours
        then updates its row."""
        for attempt in (1, 2):
            try:
                with self.sessions.begin() as session:
                    workspace.get_workspace(
                        session,
                        team_id=self.team_id,
                        default_timezone=self.default_timezone,
                        now=self.now,
                    )
                    for user in users:
                        people.upsert_person(session, team_id=self.team_id, user=user, now=self.now)
                return
            except IntegrityError:
                if attempt == 2:
                    raise
            except (DBAPIError, DatabaseBusy) as error:
                if not is_busy(error):
                    raise
                log.warning("the database was busy while caching a look-up")
                raise UserError(f"{BUSY} {logs.reference()}.") from error

    def _ask(self, question: Callable[[], T]) -> T | UserError:
        try:
            return question()
        except UserError as error:
            return error
        except SLACK_DOWN:
            log.warning("channel look-up failed", exc_info=True)
            return UserError(
                "Slack is slow right now: it didn't answer about that channel, so I changed "
                f"nothing. Try again in a moment {logs.reference()}."
            )
