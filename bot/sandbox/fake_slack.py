"""A fake Slack Web API served over real HTTP on 127.0.0.1.

Tests and `pmo-bot shell` point slack_sdk at it with `WebClient(base_url=fake.base_url)`. It keeps
a small workspace (users, channels, DMs, messages, views, files), answers like Slack (ids, `ts`
strings, `ok: false` errors, HTTP 429 when asked), rejects invalid Block Kit the way Slack does,
and serves the `response_url`s and file upload URLs it hands out.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.sandbox.blockkit import MAX_MESSAGE_TEXT, validate_blocks, validate_message, validate_view

Json = dict[str, Any]

APP_ID = "A0PMO"
# Parameters slack_sdk sends as JSON strings in form bodies; they are recorded decoded.
_JSON_PARAMS = frozenset({"attachments", "blocks", "files", "metadata", "view"})
_MESSAGE_KEYS = ("text", "blocks", "attachments", "metadata", "thread_ts")
_FIRST_TS_MICROS = 1_764_100_000_000_100
_TS_STEP_MICROS = 100
_DEFAULT_PAGE_SIZE = 100
_POLL_SECONDS = 0.01


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


@dataclass(frozen=True)
class Call:
    """One Web API call the fake received (the token is not recorded)."""

    method: str
    params: dict[str, Any]


@dataclass
class _User:
    id: str
    name: str
    real_name: str | None = None
    tz: str = "UTC"
    is_admin: bool = False
    is_owner: bool = False
    is_restricted: bool = False
    is_bot: bool = False
    deleted: bool = False


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = True
    im_user: str | None = None


@dataclass(frozen=True)
class _ResponseTarget:
    """What a response_url was issued for, so posts to it land in the right place."""

    channel_id: str | None
    user_id: str | None
    message_ts: str | None


# --- the workspace ------------------------------------------------------------------------


class _World:
    """Everything the fake workspace holds. Callers hold FakeSlack's lock."""

    def __init__(self, team_id: str, team_domain: str, bot_user_id: str) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.origin = ""  # set once the server has a port
        self.users: dict[str, _User] = {bot_user_id: _User(bot_user_id, "pmo", is_bot=True)}
        self.channels: dict[str, _Channel] = {}
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

    def user(self, user_id: str) -> _User:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, ref: str) -> _Channel:
        """A conversation the bot can see, by id or by `#name`."""
        name = ref.removeprefix("#")
        found = self.channels.get(ref) or next(
            (c for c in self.channels.values() if c.name and c.name == name), None
        )
        if found is None or (found.is_private and not found.bot_is_member):
            raise SlackError("channel_not_found")
        return found

    def open_dm(self, user_id: str) -> _Channel:
        user = self.user(user_id)
        if user.deleted:
            raise SlackError("user_not_found")
        if user.is_bot:
            raise SlackError("cannot_dm_bot")
        dm_id = _dm_id(user_id)
        return self.channels.setdefault(
            dm_id, _Channel(dm_id, "", members=[user_id], im_user=user_id)
        )

    def postable(self, ref: str) -> _Channel:
        """Where the bot may post: a user id means the bot's DM with that user."""
        channel = self.open_dm(ref) if ref in self.users else self.channel(ref)
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def members(self, channel: _Channel) -> list[str]:
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

    def apply_response(self, target: _ResponseTarget, body: Json) -> None:
        """Do what Slack does with a valid post to a response_url."""
        if target.channel_id is None:
            return
        content = {key: body[key] for key in _MESSAGE_KEYS if key in body}
        original = self._original(target)
        if body.get("delete_original") and original is not None:
            (self.ephemerals if original.get("is_ephemeral") else self.messages).remove(original)
        elif body.get("replace_original") and original is not None:
            original.update(copy.deepcopy(content))
        elif body.get("response_type") == "in_channel":
            self.store_message(target.channel_id, content)
        elif not body.get("delete_original"):
            self.store_ephemeral(target.channel_id, target.user_id, content)

    def _original(self, target: _ResponseTarget) -> Json | None:
        for message in [*self.messages, *self.ephemerals]:
            if message["channel"] == target.channel_id and message["ts"] == target.message_ts:
                return message
        return None


def _dm_id(user_id: str) -> str:
    return "D" + user_id[1:]


def _user_json(user: _User, team_id: str) -> Json:
    tz_offset, tz_label = _tz_fields(user.tz)
    real_name = user.real_name or user.name
    return {
        "id": user.id,
        "team_id": team_id,
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
        "profile": {"display_name": user.name, "real_name": real_name, "team": team_id},
    }


def _tz_fields(tz: str) -> tuple[int, str]:
    now = datetime.now(UTC).astimezone(ZoneInfo(tz))
    offset = now.utcoffset()
    return (int(offset.total_seconds()) if offset else 0), (now.tzname() or tz)


def _channel_json(channel: _Channel, members: list[str]) -> Json:
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


def _channel_type(channel: _Channel) -> str:
    if channel.im_user is not None:
        return "im"
    return "private_channel" if channel.is_private else "public_channel"


# --- parameter helpers --------------------------------------------------------------------


def _text_param(params: Json, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _page(items: list[Any], params: Json) -> tuple[list[Any], str]:
    """Slack's cursor pagination: an opaque cursor and `limit` items per page."""
    start = _decode_cursor(params.get("cursor"))
    try:
        limit = int(params.get("limit") or 0) or _DEFAULT_PAGE_SIZE
    except ValueError as exc:
        raise SlackError("invalid_limit") from exc
    end = start + limit
    return items[start:end], (_encode_cursor(end) if end < len(items) else "")


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: object) -> int:
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(str(cursor)).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return int(offset)
    except ValueError as exc:
        raise SlackError("invalid_cursor") from exc


def _message_content(params: Json) -> Json:
    """The message fields of a post or update, checked like Slack checks them."""
    text, blocks = params.get("text"), params.get("blocks")
    if not text and not blocks and not params.get("attachments"):
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        problems = validate_blocks(blocks, surface="message")
        if problems:
            raise SlackError("invalid_blocks", problems)
    return {key: params[key] for key in _MESSAGE_KEYS if params.get(key) is not None}


def _checked_view(view: object, *, kind: str) -> Json:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", ["[ERROR] view is required [json-pointer:/view]"])
    problems = validate_view(view)
    if not problems and view["type"] != kind:
        problems = [f"[ERROR] must be a {kind} view [json-pointer:/view/type]"]
    if problems:
        raise SlackError("invalid_arguments", problems)
    return view


def _check_hash(params: Json, current: Json | None) -> None:
    expected = params.get("hash")
    if expected and current is not None and expected != current["hash"]:
        raise SlackError("hash_conflict")


def _stored_view(world: _World, view: Json, view_id: str, previous: Json | None = None) -> Json:
    defaults = {
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "clear_on_close": False,
        "notify_on_close": False,
    }
    return {
        **defaults,
        **copy.deepcopy(view),
        "id": view_id,
        "team_id": world.team_id,
        "state": {"values": {}},
        "hash": world.new_hash(),
        "root_view_id": previous["root_view_id"] if previous else view_id,
        "previous_view_id": previous["id"] if previous else None,
        "app_id": APP_ID,
        "app_installed_team_id": world.team_id,
        "bot_id": world.bot_id,
    }


# --- Web API methods ----------------------------------------------------------------------


def _auth_test(w: _World, p: Json) -> Json:
    return {
        "url": f"https://{w.team_domain}.slack.com/",
        "team": w.team_domain,
        "user": w.users[w.bot_user_id].name,
        "team_id": w.team_id,
        "user_id": w.bot_user_id,
        "bot_id": w.bot_id,
        "is_enterprise_install": False,
    }


def _users_info(w: _World, p: Json) -> Json:
    return {"user": _user_json(w.user(_text_param(p, "user")), w.team_id)}


def _users_list(w: _World, p: Json) -> Json:
    members, cursor = _page([_user_json(u, w.team_id) for u in w.users.values()], p)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def _conversations_info(w: _World, p: Json) -> Json:
    channel = w.channel(_text_param(p, "channel"))
    return {"channel": _channel_json(channel, w.members(channel))}


def _conversations_list(w: _World, p: Json) -> Json:
    wanted = set((_text_param(p, "types") or "public_channel").split(","))
    visible = [
        _channel_json(c, w.members(c))
        for c in w.channels.values()
        if _channel_type(c) in wanted and (c.bot_is_member or not c.is_private)
    ]
    channels, cursor = _page(visible, p)
    return {"channels": channels, "response_metadata": {"next_cursor": cursor}}


def _conversations_members(w: _World, p: Json) -> Json:
    members, cursor = _page(w.members(w.channel(_text_param(p, "channel"))), p)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def _conversations_open(w: _World, p: Json) -> Json:
    users = [u for u in _text_param(p, "users").split(",") if u]
    if len(users) != 1:
        raise SlackError("invalid_arguments", ["[ERROR] the fake opens 1:1 DMs only"])
    existed = _dm_id(users[0]) in w.channels
    channel = w.open_dm(users[0])
    return {"channel": {"id": channel.id}, "no_op": existed, "already_open": existed}


def _conversations_join(w: _World, p: Json) -> Json:
    channel = w.channel(_text_param(p, "channel"))
    if channel.is_private or channel.im_user is not None:
        raise SlackError("method_not_supported_for_channel_type")
    channel.bot_is_member = True
    return {"channel": _channel_json(channel, w.members(channel))}


def _chat_post_message(w: _World, p: Json) -> Json:
    channel = w.postable(_text_param(p, "channel"))
    message = w.store_message(channel.id, _message_content(p))
    return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}


def _chat_post_ephemeral(w: _World, p: Json) -> Json:
    channel = w.postable(_text_param(p, "channel"))
    user = w.user(_text_param(p, "user"))
    if user.id not in w.members(channel):
        raise SlackError("user_not_in_channel")
    ephemeral = w.store_ephemeral(channel.id, user.id, _message_content(p))
    return {"message_ts": ephemeral["ts"]}


def _chat_update(w: _World, p: Json) -> Json:
    channel = w.channel(_text_param(p, "channel"))
    message = w.find_message(channel.id, _text_param(p, "ts"))
    message.update(copy.deepcopy(_message_content(p)))
    message["edited"] = {"user": w.bot_user_id, "ts": w.new_ts()}
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": copy.deepcopy(message),
    }


def _chat_delete(w: _World, p: Json) -> Json:
    channel = w.channel(_text_param(p, "channel"))
    message = w.find_message(channel.id, _text_param(p, "ts"))
    w.messages.remove(message)
    return {"channel": channel.id, "ts": message["ts"]}


def _reactions_add(w: _World, p: Json) -> Json:
    channel = w.channel(_text_param(p, "channel"))
    message = w.find_message(channel.id, _text_param(p, "timestamp"))
    name = _text_param(p, "name")
    if not name:
        raise SlackError("invalid_name")
    reactions = message.setdefault("reactions", [])
    if any(reaction["name"] == name for reaction in reactions):
        raise SlackError("already_reacted")
    reactions.append({"name": name, "users": [w.bot_user_id], "count": 1})
    return {}


def _views_open(w: _World, p: Json) -> Json:
    user_id = w.take_trigger(_text_param(p, "trigger_id"))
    view = _stored_view(w, _checked_view(p.get("view"), kind="modal"), w.new_id("V"))
    w.views[view["id"]] = view
    w.view_owners[view["id"]] = user_id
    return {"view": copy.deepcopy(view)}


def _views_push(w: _World, p: Json) -> Json:
    user_id = w.take_trigger(_text_param(p, "trigger_id"))
    stack = w.user_views(user_id)
    previous = stack[-1] if stack else None
    view = _checked_view(p.get("view"), kind="modal")
    stored = _stored_view(w, view, w.new_id("V"), previous)
    w.views[stored["id"]] = stored
    w.view_owners[stored["id"]] = user_id
    return {"view": copy.deepcopy(stored)}


def _views_update(w: _World, p: Json) -> Json:
    current = w.find_view(_text_param(p, "view_id"), _text_param(p, "external_id"))
    _check_hash(p, current)
    view = _checked_view(p.get("view"), kind=current["type"])
    updated = _stored_view(w, {"external_id": current["external_id"], **view}, current["id"])
    updated["root_view_id"] = current["root_view_id"]
    updated["previous_view_id"] = current["previous_view_id"]
    current.clear()
    current.update(updated)  # in place, so both the per-user list and homes see it
    return {"view": copy.deepcopy(current)}


def _views_publish(w: _World, p: Json) -> Json:
    user = w.user(_text_param(p, "user_id"))
    current = w.homes.get(user.id)
    _check_hash(p, current)
    view = _checked_view(p.get("view"), kind="home")
    w.homes[user.id] = _stored_view(w, view, current["id"] if current else w.new_id("V"))
    return {"view": copy.deepcopy(w.homes[user.id])}


def _files_get_upload_url(w: _World, p: Json) -> Json:
    filename, length = _text_param(p, "filename"), _text_param(p, "length")
    if not filename or not length.isdigit():
        raise SlackError("invalid_arguments", ["[ERROR] filename and length are required"])
    file_id = w.new_id("F")
    w.pending_files[file_id] = {"id": file_id, "filename": filename, "content": None}
    return {"upload_url": f"{w.origin}/upload/{file_id}", "file_id": file_id}


def _files_complete_upload(w: _World, p: Json) -> Json:
    files = p.get("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments", ["[ERROR] files is required"])
    channel_id = _text_param(p, "channel_id") or _text_param(p, "channels").split(",")[0]
    if channel_id:
        channel_id = w.postable(channel_id).id
    completed = [_complete_file(w, item, p, channel_id or None) for item in files]
    return {"files": completed}


def _complete_file(w: _World, item: object, p: Json, channel_id: str | None) -> Json:
    file_id = item.get("id") if isinstance(item, dict) else None
    pending = w.pending_files.get(str(file_id))
    if pending is None or pending["content"] is None:
        raise SlackError("file_not_found")
    title = (item.get("title") if isinstance(item, dict) else None) or pending["filename"]
    w.uploads.append(
        {
            **pending,
            "title": title,
            "channel_id": channel_id,
            "initial_comment": p.get("initial_comment"),
            "thread_ts": p.get("thread_ts"),
        }
    )
    size = len(pending["content"])
    return {"id": pending["id"], "name": pending["filename"], "title": title, "size": size}


_Handler = Callable[[_World, Json], Json]
_METHODS: dict[str, _Handler] = {
    "auth.test": _auth_test,
    "chat.delete": _chat_delete,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.postMessage": _chat_post_message,
    "chat.update": _chat_update,
    "conversations.info": _conversations_info,
    "conversations.join": _conversations_join,
    "conversations.list": _conversations_list,
    "conversations.members": _conversations_members,
    "conversations.open": _conversations_open,
    "files.completeUploadExternal": _files_complete_upload,
    "files.getUploadURLExternal": _files_get_upload_url,
    "reactions.add": _reactions_add,
    "users.info": _users_info,
    "users.list": _users_list,
    "views.open": _views_open,
    "views.publish": _views_publish,
    "views.push": _views_push,
    "views.update": _views_update,
}


def _response_error(body: object) -> SlackError | None:
    """What Slack objects to in a post to a response_url, if anything."""
    if not isinstance(body, dict):
        return SlackError("invalid_payload")
    if body.get("delete_original"):
        return None
    if not body.get("text") and not body.get("blocks") and not body.get("attachments"):
        return SlackError("no_text")
    problems = validate_message(text=body.get("text"), blocks=body.get("blocks"))
    return SlackError("invalid_blocks", problems) if problems else None


# --- failure injection --------------------------------------------------------------------


class _Faults:
    def __init__(self) -> None:
        self.queued: dict[str, list[str]] = {}
        self.every = 0
        self.retry_after = 1
        self._count = 0

    def rate_limit_every(self, n: int, retry_after: int) -> None:
        self.every, self.retry_after, self._count = n, retry_after, 0

    def rate_limited(self) -> bool:
        self._count += 1
        return self.every > 0 and self._count % self.every == 0

    def injected(self, method: str) -> str | None:
        queue = self.queued.get(method)
        return queue.pop(0) if queue else None


# --- HTTP transport -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    path: str
    query: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(
        cls, status: int, payload: Json, headers: Mapping[str, str] | None = None
    ) -> _Reply:
        return cls(status, json.dumps(payload).encode(), headers=headers or {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of concurrent clients (1 s SYN retry)

    def __init__(self, serve: Callable[[_Request], _Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.serve = serve


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    # http.server dispatches on these exact names.
    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet: the fake records calls instead of logging them."""

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.serve(_Request(url.path, url.query, headers, self.rfile.read(length)))
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


def _parse_params(request: _Request) -> Json:
    """Merge query-string and body parameters the way Slack accepts them."""
    params: Json = dict(parse_qsl(request.query, keep_blank_values=True))
    if request.headers.get("content-type", "").startswith("application/json"):
        decoded = json.loads(request.body or b"{}")
        params.update(decoded if isinstance(decoded, dict) else {})
    elif request.body:
        form = request.body.decode("utf-8", "replace")
        params.update(parse_qsl(form, keep_blank_values=True))
    return {key: _decode_json_param(key, value) for key, value in params.items()}


def _decode_json_param(key: str, value: Any) -> Any:
    if key in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# --- the public fake ----------------------------------------------------------------------


class FakeSlack:
    """A fake Slack workspace and Web API, served over HTTP on 127.0.0.1.

    Example:
        with FakeSlack() as slack:
            slack.add_user("UALICE", "alice")
            client = WebClient(base_url=slack.base_url, token="xoxb-test")
            client.chat_postMessage(channel="UALICE", text="hi")
            assert slack.dms("UALICE")[0]["text"] == "hi"
    """

    def __init__(
        self, team_id: str = "T0001", team_domain: str = "acme", bot_user_id: str = "UBOT"
    ) -> None:
        self._world = _World(team_id, team_domain, bot_user_id)
        self._faults = _Faults()
        self._lock = threading.RLock()
        self._recorded = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._responses: list[Json] = []
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._routes: dict[str, Callable[[str, _Request], _Reply]] = {
            "api": self._serve_api,
            "response": self._serve_response,
            "upload": self._serve_upload,
        }

    # lifecycle

    def start(self) -> FakeSlack:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread.

        Returns:
            The fake itself, so `slack = FakeSlack().start()` reads naturally.
        """
        if self._server is None:
            self._server = _Server(self._serve)
            self._world.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},  # how long stop() may wait
                name="fake-slack",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # identity and addresses

    @property
    def base_url(self) -> str:
        """The Web API base URL, for `WebClient(base_url=...)`."""
        return f"{self._origin()}/api/"

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self._world.team_id

    @property
    def team_domain(self) -> str:
        """The workspace domain (`acme` in `acme.slack.com`)."""
        return self._world.team_domain

    @property
    def bot_user_id(self) -> str:
        """The bot's user id."""
        return self._world.bot_user_id

    @property
    def bot_id(self) -> str:
        """The bot's bot id (`B…`)."""
        return self._world.bot_id

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Issue a response_url served by the fake.

        Args:
            channel_id: The conversation the interaction happened in.
            user_id: The user who will see ephemeral responses.
            message_ts: The message `replace_original`/`delete_original` act on.

        Returns:
            A unique URL; posts to it are recorded in `responses`.
        """
        with self._lock:
            key = str(len(self._response_targets) + 1)
            self._response_targets[key] = _ResponseTarget(channel_id, user_id, message_ts)
        return f"{self._origin()}/response/{key}"

    def new_ts(self) -> str:
        """A fresh message timestamp, later than every earlier one."""
        with self._lock:
            return self._world.new_ts()

    # building the world

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        is_restricted: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """Add (or replace) a workspace member."""
        ZoneInfo(tz)  # fail here, not inside a request, on a bad zone name
        user = _User(
            user_id, name, real_name, tz, is_admin, is_owner, is_restricted, is_bot, deleted
        )
        with self._lock:
            self._world.users[user_id] = user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = False,
        bot_is_member: bool = True,
    ) -> None:
        """Add (or replace) a channel; `members` are user ids besides the bot."""
        channel = _Channel(channel_id, name, is_private, list(members), bot_is_member)
        with self._lock:
            self._world.channels[channel_id] = channel

    def issue_trigger(self, user_id: str) -> str:
        """Issue a trigger_id for `user_id`, usable once for `views.open` or `views.push`."""
        with self._lock:
            trigger_id = f"{self._world.new_id('')}.{self._world.team_id}.trigger"
            self._world.triggers[trigger_id] = user_id
        return trigger_id

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the bot's DM with a user, opening it as `conversations.open` would.

        Raises:
            SlackError: The user is unknown, deactivated or a bot.
        """
        with self._lock:
            return self._world.open_dm(user_id).id

    def user(self, user_id: str) -> Json | None:
        """The user as `users.info` returns it, or None when unknown."""
        with self._lock:
            user = self._world.users.get(user_id)
            return _user_json(user, self.team_id) if user else None

    def channel(self, channel_id: str) -> Json | None:
        """The channel as `conversations.info` returns it, or None when unknown."""
        with self._lock:
            channel = self._world.channels.get(channel_id)
            return _channel_json(channel, self._world.members(channel)) if channel else None

    # failure injection

    def fail_next(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with `{"ok": false, "error": error}`."""
        with self._lock:
            self._faults.queued.setdefault(method, []).extend([error] * times)

    def rate_limit_every(self, n: int, retry_after: int = 1) -> None:
        """Answer every n-th Web API call with HTTP 429 and `Retry-After`; 0 turns it off."""
        with self._lock:
            self._faults.rate_limit_every(n, retry_after)

    # what happened

    @property
    def calls(self) -> list[Call]:
        """Every Web API call received (rate-limited attempts excluded), oldest first."""
        with self._lock:
            return copy.deepcopy(self._calls)

    def calls_to(self, method: str) -> list[Json]:
        """The params of every call to `method`, oldest first."""
        return [call.params for call in self.calls if call.method == method]

    @property
    def responses(self) -> list[Json]:
        """Posts to response_urls: `url`, `body` and `errors` (empty when Slack accepts it)."""
        with self._lock:
            return copy.deepcopy(self._responses)

    def wait_for_response(self, url: str, timeout: float = 10) -> Json:
        """The first post to `url`, waiting for it (an app that answers after its ack).

        Raises:
            TimeoutError: nothing was posted there in time.
        """
        with self._recorded:
            found = self._recorded.wait_for(
                lambda: [r for r in self._responses if r["url"] == url], timeout=timeout
            )
            if not found:
                raise TimeoutError(f"nothing was posted to {url}")
            return copy.deepcopy(found[0])

    def clear(self) -> None:
        """Forget recorded calls and responses; the workspace (messages, views…) stays."""
        with self._lock:
            self._calls.clear()
            self._responses.clear()

    def messages(self, channel_or_user: str) -> list[Json]:
        """Messages in a conversation, oldest first; a user id means the bot's DM with them."""
        channel_id = channel_or_user
        with self._lock:
            if channel_or_user in self._world.users:
                channel_id = _dm_id(channel_or_user)
            return copy.deepcopy([m for m in self._world.messages if m["channel"] == channel_id])

    def dms(self, user_id: str) -> list[Json]:
        """Messages the bot sent to a user's DM, oldest first."""
        return self.messages(user_id)

    def ephemerals(self, user_id: str) -> list[Json]:
        """Ephemeral messages shown to a user (postEphemeral and response_url), oldest first."""
        with self._lock:
            return copy.deepcopy([e for e in self._world.ephemerals if e["user"] == user_id])

    def views(self, user_id: str) -> list[Json]:
        """Modals opened or pushed for a user, latest last, each in its current version."""
        with self._lock:
            return copy.deepcopy(self._world.user_views(user_id))

    def last_view(self, user_id: str) -> Json:
        """The modal most recently opened or pushed for a user.

        Raises:
            LookupError: No modal was opened for the user.
        """
        views = self.views(user_id)
        if not views:
            raise LookupError(f"no view was opened for {user_id}")
        return views[-1]

    def home(self, user_id: str) -> Json:
        """The App Home view published for a user.

        Raises:
            LookupError: No home view was published for the user.
        """
        with self._lock:
            home = self._world.homes.get(user_id)
            if home is None:
                raise LookupError(f"no home view was published for {user_id}")
            return copy.deepcopy(home)

    def uploaded_files(self) -> list[Json]:
        """Completed uploads: `id`, `filename`, `title`, `content` (bytes), `channel_id`…"""
        with self._lock:
            return copy.deepcopy(self._world.uploads)

    # serving

    def _origin(self) -> str:
        if not self._world.origin:
            raise RuntimeError("FakeSlack is not started; call start() first")
        return self._world.origin

    def _serve(self, request: _Request) -> _Reply:
        section, _, rest = request.path.lstrip("/").partition("/")
        route = self._routes.get(section)
        if route is None:
            return _Reply.of_json(404, {"ok": False, "error": "not_found"})
        return route(rest, request)

    def _serve_api(self, method: str, request: _Request) -> _Reply:
        with self._lock:
            if self._faults.rate_limited():
                retry = {"Retry-After": str(self._faults.retry_after)}
                return _Reply.of_json(429, {"ok": False, "error": "ratelimited"}, retry)
            try:
                params = _parse_params(request)
            except ValueError:
                return _Reply.of_json(200, {"ok": False, "error": "invalid_json"})
            token = _bearer_token(request.headers) or _text_param(params, "token")
            params.pop("token", None)
            if not token:
                return _Reply.of_json(200, {"ok": False, "error": "not_authed"})
            self._calls.append(Call(method, copy.deepcopy(params)))
            return _Reply.of_json(200, self._call_method(method, params))

    def _call_method(self, method: str, params: Json) -> Json:
        try:
            injected = self._faults.injected(method)
            if injected is not None:
                raise SlackError(injected)
            handler = _METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            return {"ok": True, **handler(self._world, params)}
        except SlackError as error:
            return error.body()

    def _serve_response(self, key: str, request: _Request) -> _Reply:
        with self._lock:
            target = self._response_targets.get(key)
            if target is None:
                return _Reply.of_json(404, {"ok": False, "error": "no_service"})
            try:
                body = json.loads(request.body)
            except ValueError:
                body = request.body.decode("utf-8", "replace")
            error = _response_error(body)
            errors = [error.error, *error.messages] if error else []
            url = f"{self._origin()}/response/{key}"
            self._responses.append({"url": url, "body": body, "errors": errors})
            self._recorded.notify_all()
            if error is not None:
                return _Reply.of_json(400, error.body())
            self._world.apply_response(target, body)
        return _Reply.of_json(200, {"ok": True})

    def _serve_upload(self, file_id: str, request: _Request) -> _Reply:
        with self._lock:
            received = self._world.receive_upload(file_id, request.body)
        if not received:
            return _Reply(404, b"file_not_found", "text/plain")
        return _Reply(200, f"OK - {len(request.body)}".encode(), "text/plain")
