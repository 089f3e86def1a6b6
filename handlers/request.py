"""What a handler works with: the caller, their workspace, a session and resolvers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import dates, people, programs, workspace
from bot.channels import resolve_postable_channel
from bot.commands import ChannelRef, Token, parse_channel, parse_user
from bot.deps import Deps
from bot.errors import UserError
from storage.models import Person, Program, Workspace

T = TypeVar("T")


@dataclass
class Interaction:
    """One Slack request by one user, inside its own transaction."""

    deps: Deps
    session: Session
    team_id: str
    user_id: str
    caller: Person
    workspace: Workspace
    now: datetime

    @property
    def client(self) -> WebClient:
        """The request path's Web API client."""
        return self.deps.client

    @property
    def timezone(self) -> str:
        """The caller's zone, else the workspace's."""
        return self.caller.tz or self.workspace.timezone

    @property
    def today(self) -> date:
        """The caller's local date."""
        return self.now.astimezone(ZoneInfo(self.timezone)).date()

    def person(self, user_id: str) -> Person:
        """The person with this Slack id (cached, refreshed daily)."""
        return people.get_person(
            self.session, client=self.client, team_id=self.team_id, user_id=user_id, now=self.now
        )

    def require_admin(self, doing: str) -> None:
        """Refuse unless the caller is a PMO admin."""
        workspace.require_admin(self.session, person=self.caller, doing=doing)

    def is_admin(self) -> bool:
        """Whether the caller is a PMO admin."""
        return workspace.is_pmo_admin(self.session, person=self.caller)

    def postable_channel(self, channel_id: str) -> str:
        """Check the bot can post in a channel picked by id."""
        return resolve_postable_channel(self.client, ChannelRef(id=channel_id, name=None))


def warm_caller(deps: Deps, *, team_id: str, user_id: str) -> None:
    """Fetch an unknown or day-old caller from Slack before the request's transaction.

    So no transaction waits on Slack (on SQLite a transaction holds the write lock).
    """
    people.prefetch(
        deps.sessions,
        client=deps.client,
        team_id=team_id,
        user_id=user_id,
        now=deps.clock(),
        default_timezone=deps.settings.pmo_timezone,
    )


def open_interaction(deps: Deps, session: Session, *, team_id: str, user_id: str) -> dict[str, Any]:
    """The common fields of an interaction: workspace (created on first use), caller, now."""
    now = deps.clock()
    space = workspace.get_workspace(
        session, team_id=team_id, default_timezone=deps.settings.pmo_timezone, now=now
    )
    caller = people.get_person(
        session, client=deps.client, team_id=team_id, user_id=user_id, now=now
    )
    return {
        "deps": deps,
        "session": session,
        "team_id": team_id,
        "user_id": user_id,
        "caller": caller,
        "workspace": space,
        "now": now,
    }


@dataclass
class CommandRequest(Interaction):
    """One `/pmo` invocation.

    Attributes:
        path: The matched subcommand, e.g. "program add".
        words: The tokens after the subcommand path.
        text: Everything the user typed after `/pmo`, echoed back on errors.
    """

    channel_id: str = ""
    trigger_id: str = ""
    text: str = ""
    path: str = ""
    words: list[Token] = field(default_factory=list)

    def user(self, text: str) -> Person:
        """Resolve `<@U…|name>`, `<@U…>` or `@name` to a person."""
        ref = parse_user(text)
        if ref is None:
            raise UserError(f"“{text}” is not a person; mention them with @.")
        if ref.id is not None:
            return self.person(ref.id)
        return people.find_by_name(
            self.session,
            client=self.client,
            team_id=self.team_id,
            name=ref.name or "",
            now=self.now,
        )

    def channel(self, text: str) -> str:
        """Resolve a channel mention to an id the bot can post in."""
        ref = parse_channel(text)
        if ref is None:
            raise UserError(f"“{text}” is not a channel; name it with #.")
        return resolve_postable_channel(self.client, ref)

    def date(self, text: str) -> date:
        """Parse a date relative to the caller's local today."""
        return dates.parse_date(text, now=self.now, tz=self.timezone)

    def program(self, token: Token) -> Program:
        """Find the program a token names (key, or quoted name)."""
        return programs.find_program(self.session, team_id=self.team_id, ref=token.text)


@dataclass
class ModalSubmission(Interaction):
    """A submitted modal: its input values by block id and its private metadata."""

    values: dict[str, Any] = field(default_factory=dict)
    metadata: str = ""

    def field(self, block_id: str, check: Callable[[], T]) -> T:
        """Run one field's check; its error is shown inline on that field."""
        try:
            return check()
        except UserError as error:
            error.field = error.field or block_id
            raise


@dataclass
class ActionRequest(Interaction):
    """A clicked button or changed select: its value, and the view it sits in, if any."""

    value: str = ""
    trigger_id: str = ""
    view: dict[str, Any] | None = None

    def open_modal(self, view: dict[str, Any]) -> None:
        """Open a modal on top of what was clicked."""
        self.client.views_open(trigger_id=self.trigger_id, view=view)
