"""The fake workspace's state: users, channels and DMs, messages, views, triggers and files.

Also how Slack shows users and channels in its JSON, and the `ok: false` error every part of the
fake raises.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]

APP_ID = "A0PMO"
MESSAGE_KEYS = ("text", "blocks", "attachments", "metadata", "thread_ts")
_FIRST_TS_MICROS = 1_764_100_000_000_100
_TS_STEP_MICROS = 100


class SlackError(Exception):
    """An `ok: false` answer, raised inside a method handler or a world look-up."""

    def __init__(self, error: str, messages: Iterable[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> Json:
        """The JSON body Slack sends for this error."""
        body: Json = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class User:
    """A workspace member."""

    id: str
    name: str
    real_name: str | None = None
    tz: str = "UTC"
    is_admin: bool = False
    is_owner: bool = False
    is_restricted: bool = False
    is_bot: bool = False
    deleted: bool = False
    team_id: str | None = None  # another organisation's, for a Slack Connect user


@dataclass
class Channel:
    """A channel, or the bot's DM with `im_user`."""

    id: str
    name: str
    is_private: bool = False
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = True
    im_user: str | None = None


@dataclass(frozen=True)
class ResponseTarget:
    """What a response_url was issued for, so posts to it land in the right place."""

    channel_id: str | None
    user_id: str | None
    message_ts: str | None


# --- the workspace ------------------------------------------------------------------------


class World:
    """Everything the fake workspace holds. Callers hold FakeSlack's lock."""

    def __init__(self, team_id: str, team_domain: str, bot_user_id: str) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.origin = ""  # set once the server has a port
        self.users: dict[str, User] = {bot_user_id: User(bot_user_id, "pmo", is_bot=True)}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Json] = []
        self.ephemerals: list[Json] = []
        self.views: dict[str, Json] = {}
        self.view_owners: dict[str, str] = {}
        self.homes: dict[str, Json] = {}
        self.triggers: dict[str, str] = {}
        self.used_triggers: set[str] = set()
        self.pending_files: dict[str, Json] = {}
        self.uploads: list[Json] = []
        self._serial = itertools.count(1)
        self._ts = itertools.count()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._serial):07d}"

    def new_ts(self) -> str:
        micros = _FIRST_TS_MICROS + next(self._ts) * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_hash(self) -> str:
        return f"1764100000.{next(self._serial):08x}"

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, ref: str) -> Channel:
        """A conversation the bot can see, by id or by `#name`."""
        name = ref.removeprefix("#")
        found = self.channels.get(ref) or next(
            (c for c in self.channels.values() if c.name and c.name == name), None
        )
        if found is None or (found.is_private and not found.bot_is_member):
            raise SlackError("channel_not_found")
        return found

    def open_dm(self, user_id: str) -> Channel:
        user = self.user(user_id)
        if user.deleted:
            raise SlackError("user_not_found")
        if user.is_bot:
            raise SlackError("cannot_dm_bot")
        dm_id = dm_id_for(user_id)
        return self.channels.setdefault(
            dm_id, Channel(dm_id, "", members=[user_id], im_user=user_id)
        )

    def postable(self, ref: str) -> Channel:
        """Where the bot may post: a user id means the bot's DM with that user."""
        channel = self.open_dm(ref) if ref in self.users else self.channel(ref)
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def members(self, channel: Channel) -> list[str]:
        if channel.bot_is_member and self.bot_user_id not in channel.members:
            return [*channel.members, self.bot_user_id]
        return list(channel.members)

    def store_message(self, channel_id: str, content: Json) -> Json:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "text": "",
            **copy.deepcopy(content),
            "channel": channel_id,
            "ts": self.new_ts(),
        }
        self.messages.append(message)
        return message

    def store_ephemeral(self, channel_id: str, user_id: str | None, content: Json) -> Json:
        ephemeral = {
            "type": "message",
            "text": "",
            **copy.deepcopy(content),
            "channel": channel_id,
            "user": user_id,
            "ts": self.new_ts(),
            "is_ephemeral": True,
        }
        self.ephemerals.append(ephemeral)
        return ephemeral

    def find_message(self, channel_id: str, ts: str) -> Json:
        for message in self.messages:
            if message["channel"] == channel_id and message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def take_trigger(self, trigger_id: str) -> str:
        user_id = self.triggers.pop(trigger_id, None)
        if user_id is None:
            used = trigger_id in self.used_triggers
            raise SlackError("exchanged_trigger_id" if used else "invalid_trigger_id")
        self.used_triggers.add(trigger_id)
        return user_id

    def find_view(self, view_id: str, external_id: str) -> Json:
        for view in [*self.views.values(), *self.homes.values()]:
            if (view_id and view["id"] == view_id) or (
                external_id and view.get("external_id") == external_id
            ):
                return view
        raise SlackError("not_found")

    def user_views(self, user_id: str) -> list[Json]:
        return [view for vid, view in self.views.items() if self.view_owners[vid] == user_id]

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        pending = self.pending_files.get(file_id)
        if pending is None:
            return False
        pending["content"] = data
        return True

    def apply_response(self, target: ResponseTarget, body: Json) -> None:
        """Do what Slack does with a valid post to a response_url."""
        if target.channel_id is None:
            return
        content = {key: body[key] for key in MESSAGE_KEYS if key in body}
        original = self._original(target)
        if body.get("delete_original") and original is not None:
            (self.ephemerals if original.get("is_ephemeral") else self.messages).remove(original)
        elif body.get("replace_original") and original is not None:
            original.update(copy.deepcopy(content))
        elif body.get("response_type") == "in_channel":
            self.store_message(target.channel_id, content)
        elif not body.get("delete_original"):
            self.store_ephemeral(target.channel_id, target.user_id, content)

    def _original(self, target: ResponseTarget) -> Json | None:
        for message in [*self.messages, *self.ephemerals]:
            if message["channel"] == target.channel_id and message["ts"] == target.message_ts:
                return message
        return None


def dm_id_for(user_id: str) -> str:
    """The id of the bot's DM with a user."""
    return "D" + user_id[1:]


def user_json(user: User, team_id: str) -> Json:
    """A user as `users.info` returns it."""
    tz_offset, tz_label = _tz_fields(user.tz)
    real_name = user.real_name or user.name
    return {
        "id": user.id,
        "team_id": user.team_id or team_id,
        "name": user.name,
        "real_name": real_name,
        "deleted": user.deleted,
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": user.is_restricted,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "tz": user.tz,
        "tz_offset": tz_offset,
        "tz_label": tz_label,
        "profile": {
            "display_name": user.name,
            "real_name": real_name,
            "team": user.team_id or team_id,
        },
    }


def _tz_fields(tz: str) -> tuple[int, str]:
    now = datetime.now(UTC).astimezone(ZoneInfo(tz))
    offset = now.utcoffset()
    return (int(offset.total_seconds()) if offset else 0), (now.tzname() or tz)


def channel_json(channel: Channel, members: list[str]) -> Json:
    """A conversation as `conversations.info` returns it."""
    if channel.im_user is not None:
        return {"id": channel.id, "is_im": True, "user": channel.im_user, "is_user_deleted": False}
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_mpim": False,
        "is_private": channel.is_private,
        "is_archived": False,
        "is_general": channel.name == "general",
        "is_member": channel.bot_is_member,
        "num_members": len(members),
    }
