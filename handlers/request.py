"""The typed requests handlers get: who asked, in which workspace, a session, and what they sent.

A request holds no Slack client. People and channels it resolves come from the look-ups
its adapter made before the transaction (see `handlers.lookups`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import dates, forms, program_names, workspace
from bot.commands import ChannelRef, Token, parse_channel, parse_user
from bot.errors import UserError
from handlers.lookups import Lookups
from storage.models import Person, Program, Workspace

T = TypeVar("T")
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
OUT_OF_DATE = (
    "That button or form is out of date, so I did nothing; open it again from a fresh one."
)


def as_id(text: str) -> int:
    """A database id from a button's value or a modal's private_metadata.

    We wrote those, so anything else is a payload Slack did not send as we built it (crafted,
    or from an older release): refused with a message, not a traceback.
    """
    if not text.isdigit() or len(text) > 18:
        raise UserError(OUT_OF_DATE)
    return int(text)


@dataclass
class Interaction:
    """One Slack request by one user, inside its own transaction."""

    session: Session
    lookups: Lookups
    team_id: str
    user_id: str
    caller: Person
    workspace: Workspace
    now: datetime
    channel_id: str = ""
    # The user and channel ids Slack itself sent as mentions (`<@U…>`, `<#C…>` in raw text).
    # One typed out as characters arrives escaped (`&lt;@U…&gt;`), reads the same once
    # decoded, and is not one of these: it stays text.
    references: frozenset[str] = frozenset()

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
        if not SLACK_USER_ID.fullmatch(user_id):  # a picker sends ids; this is not one
            raise UserError(OUT_OF_DATE)
        return self.lookups.person(self.session, user_id)

    def user(self, text: str) -> Person:
        """Resolve `<@U…|name>`, `<@U…>` or `@name` to a person."""
        ref = parse_user(text)
        if ref is None or not self._sent_by_slack(ref.id):
            raise UserError(f"“{text}” is not a person; mention them with @.")
        if ref.id is not None:
            return self.person(ref.id)
        return self.lookups.person_named(self.session, ref.name or "")

    def channel(self, text: str) -> str:
        """Resolve a channel mention to an id the bot can post in."""
        ref = parse_channel(text)
        if ref is None or not self._sent_by_slack(ref.id):
            raise UserError(f"“{text}” is not a channel; name it with #.")
        return self.lookups.channel(ref)

    def _sent_by_slack(self, ref_id: str | None) -> bool:
        return ref_id is None or ref_id in self.references

    def postable_channel(self, channel_id: str) -> str:
        """Check the bot can post in a channel picked by id."""
        return self.lookups.channel(ChannelRef(id=channel_id, name=None))

    def members(self, channel_id: str) -> frozenset[str]:
        """Everyone in a channel."""
        return self.lookups.members(channel_id)

    def date(self, text: str) -> date:
        """Parse a date relative to the caller's local today."""
        return dates.parse_date(text, now=self.now, tz=self.timezone)

    def is_admin(self) -> bool:
        """Whether the caller is a PMO admin."""
        return workspace.is_pmo_admin(self.session, person=self.caller)


@dataclass
class CommandRequest(Interaction):
    """One `/pmo` invocation.

    Attributes:
        path: The matched subcommand, e.g. "program add".
        words: The tokens after the subcommand path.
        text: Everything the user typed after `/pmo`, echoed back on errors.
    """

    trigger_id: str = ""
    text: str = ""
    path: str = ""
    words: list[Token] = field(default_factory=list)

    def program(self, token: Token) -> Program:
        """Find the program a token names (key, or quoted name)."""
        return program_names.find_program(self.session, team_id=self.team_id, ref=token.text)

    def program_and_rest(self) -> tuple[Program, list[Token]]:
        """The program the first word names, and the words after it."""
        if not self.words:
            raise UserError("Name the program by its key or its quoted name.")
        return self.program(self.words[0]), self.words[1:]


@dataclass
class ModalSubmission(Interaction):
    """A submitted modal: its input values by block id and its private metadata."""

    values: dict[str, Any] = field(default_factory=dict)
    metadata: str = ""

    def value(self, block_id: str) -> str:
        """An input's value; a missing one is refused on that field."""
        found = self.values.get(block_id)
        if found is None or found == "":
            raise UserError("Fill this in.", field=block_id)
        return str(found)

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


@dataclass
class OptionsRequest(Interaction):
    """An external select asking for options matching what the user typed."""

    query: str = ""


@dataclass
class MessageRequest(Interaction):
    """A direct message to the bot, not a command: its text and thread.

    Attributes:
        edit_delay: The person edited their message `ts` to read `text`, this long after
            sending it (None: a new message).
        reply_key: The outbox key the adapter queues the reply under.
    """

    text: str = ""
    ts: str = ""
    thread_ts: str | None = None
    event_id: str = ""
    edit_delay: timedelta | None = None
    reply_key: str = ""


# Subtypes of a person's message read like a plain one: a file sent with text, and a thread
# reply also sent to the conversation. An edit comes as `message_changed`, the message nested.
READ_AS_MESSAGE = frozenset({"file_share", "thread_broadcast"})
EDITED = "message_changed"


@dataclass(frozen=True)
class DirectMessage:
    """What a `message` event in a person's DM with the bot says, whatever its subtype."""

    user_id: str
    channel_id: str
    text: str
    ts: str
    thread_ts: str | None
    edit_delay: timedelta | None = None


def read_direct_message(event: dict[str, Any]) -> DirectMessage | None:
    """A person's message (new or edited) in their DM with the bot; None for anything else:
    other channels, bots (the bot's own included), joins, deletions, and "edits" that change
    no text (Slack sends those when a link unfurls or a reply is added to the thread)."""
    if event.get("channel_type") != "im":
        return None
    subtype = event.get("subtype")
    if subtype == EDITED:
        return _edited(event)
    if subtype is not None and subtype not in READ_AS_MESSAGE:
        return None
    return _written(event, channel=event.get("channel"))


def _edited(event: dict[str, Any]) -> DirectMessage | None:
    message, before = event.get("message"), event.get("previous_message")
    if not (isinstance(message, dict) and isinstance(before, dict)):
        return None
    if message.get("subtype") not in (None, *READ_AS_MESSAGE):
        return None
    if (message.get("text") or "") == (before.get("text") or ""):
        return None
    edit = message.get("edited")
    when = edit.get("ts") if isinstance(edit, dict) else event.get("ts")
    delay = _seconds(when) - _seconds(message.get("ts"))
    return _written(message, channel=event.get("channel"), edit_delay=timedelta(seconds=delay))


def _written(
    message: dict[str, Any], *, channel: Any, edit_delay: timedelta | None = None
) -> DirectMessage | None:
    user, ts, thread = message.get("user"), message.get("ts"), message.get("thread_ts")
    if message.get("bot_id") or not all(isinstance(v, str) and v for v in (user, ts, channel)):
        return None
    return DirectMessage(
        user_id=str(user),
        channel_id=str(channel),
        text=forms.without_nul(message.get("text") or ""),
        ts=str(ts),
        thread_ts=thread if isinstance(thread, str) and thread != ts else None,
        edit_delay=edit_delay,
    )


def _seconds(ts: Any) -> float:
    """A Slack timestamp ("1700000000.000100") as seconds; 0 for anything else."""
    try:
        return float(ts)
    except (TypeError, ValueError):
        return 0.0
