"""The Web API methods the fake answers, each a function of the world and the call's params.

`METHODS` maps a method name to its handler; handlers raise `SlackError` to answer `ok: false`.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

from bot.sandbox.blockkit import MAX_MESSAGE_TEXT, validate_blocks, validate_message, validate_view
from bot.sandbox.fake_slack.world import (
    APP_ID,
    MESSAGE_KEYS,
    Channel,
    Json,
    SlackError,
    World,
    channel_json,
    dm_id_for,
    user_json,
)

_DEFAULT_PAGE_SIZE = 100


def _channel_type(channel: Channel) -> str:
    if channel.im_user is not None:
        return "im"
    return "private_channel" if channel.is_private else "public_channel"


# --- parameter helpers --------------------------------------------------------------------


def text_param(params: Json, name: str) -> str:
    """A parameter as a string, empty when absent."""
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
    return {key: params[key] for key in MESSAGE_KEYS if params.get(key) is not None}


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


def _stored_view(world: World, view: Json, view_id: str, previous: Json | None = None) -> Json:
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


def _auth_test(w: World, p: Json) -> Json:
    return {
        "url": f"https://{w.team_domain}.slack.com/",
        "team": w.team_domain,
        "user": w.users[w.bot_user_id].name,
        "team_id": w.team_id,
        "user_id": w.bot_user_id,
        "bot_id": w.bot_id,
        "is_enterprise_install": False,
    }


def _users_info(w: World, p: Json) -> Json:
    return {"user": user_json(w.user(text_param(p, "user")), w.team_id)}


def _users_list(w: World, p: Json) -> Json:
    members, cursor = _page([user_json(u, w.team_id) for u in w.users.values()], p)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def _conversations_info(w: World, p: Json) -> Json:
    channel = w.channel(text_param(p, "channel"))
    return {"channel": channel_json(channel, w.members(channel))}


def _conversations_list(w: World, p: Json) -> Json:
    wanted = set((text_param(p, "types") or "public_channel").split(","))
    visible = [
        channel_json(c, w.members(c))
        for c in w.channels.values()
        if _channel_type(c) in wanted and (c.bot_is_member or not c.is_private)
    ]
    channels, cursor = _page(visible, p)
    return {"channels": channels, "response_metadata": {"next_cursor": cursor}}


def _conversations_members(w: World, p: Json) -> Json:
    members, cursor = _page(w.members(w.channel(text_param(p, "channel"))), p)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def _conversations_open(w: World, p: Json) -> Json:
    users = [u for u in text_param(p, "users").split(",") if u]
    if len(users) != 1:
        raise SlackError("invalid_arguments", ["[ERROR] the fake opens 1:1 DMs only"])
    existed = dm_id_for(users[0]) in w.channels
    channel = w.open_dm(users[0])
    return {"channel": {"id": channel.id}, "no_op": existed, "already_open": existed}


def _conversations_join(w: World, p: Json) -> Json:
    channel = w.channel(text_param(p, "channel"))
    if channel.is_private or channel.im_user is not None:
        raise SlackError("method_not_supported_for_channel_type")
    channel.bot_is_member = True
    return {"channel": channel_json(channel, w.members(channel))}


def _chat_post_message(w: World, p: Json) -> Json:
    channel = w.postable(text_param(p, "channel"))
    message = w.store_message(channel.id, _message_content(p))
    return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}


def _chat_post_ephemeral(w: World, p: Json) -> Json:
    channel = w.postable(text_param(p, "channel"))
    user = w.user(text_param(p, "user"))
    if user.id not in w.members(channel):
        raise SlackError("user_not_in_channel")
    ephemeral = w.store_ephemeral(channel.id, user.id, _message_content(p))
    return {"message_ts": ephemeral["ts"]}


def _chat_update(w: World, p: Json) -> Json:
    channel = w.channel(text_param(p, "channel"))
    message = w.find_message(channel.id, text_param(p, "ts"))
    message.update(copy.deepcopy(_message_content(p)))
    message["edited"] = {"user": w.bot_user_id, "ts": w.new_ts()}
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": copy.deepcopy(message),
    }


def _chat_delete(w: World, p: Json) -> Json:
    channel = w.channel(text_param(p, "channel"))
    message = w.find_message(channel.id, text_param(p, "ts"))
    w.messages.remove(message)
    return {"channel": channel.id, "ts": message["ts"]}


def _reactions_add(w: World, p: Json) -> Json:
    channel = w.channel(text_param(p, "channel"))
    message = w.find_message(channel.id, text_param(p, "timestamp"))
    name = text_param(p, "name")
    if not name:
        raise SlackError("invalid_name")
    reactions = message.setdefault("reactions", [])
    if any(reaction["name"] == name for reaction in reactions):
        raise SlackError("already_reacted")
    reactions.append({"name": name, "users": [w.bot_user_id], "count": 1})
    return {}


def _views_open(w: World, p: Json) -> Json:
    user_id = w.take_trigger(text_param(p, "trigger_id"))
    view = _stored_view(w, _checked_view(p.get("view"), kind="modal"), w.new_id("V"))
    w.views[view["id"]] = view
    w.view_owners[view["id"]] = user_id
    return {"view": copy.deepcopy(view)}


def _views_push(w: World, p: Json) -> Json:
    user_id = w.take_trigger(text_param(p, "trigger_id"))
    stack = w.user_views(user_id)
    previous = stack[-1] if stack else None
    view = _checked_view(p.get("view"), kind="modal")
    stored = _stored_view(w, view, w.new_id("V"), previous)
    w.views[stored["id"]] = stored
    w.view_owners[stored["id"]] = user_id
    return {"view": copy.deepcopy(stored)}


def _views_update(w: World, p: Json) -> Json:
    current = w.find_view(text_param(p, "view_id"), text_param(p, "external_id"))
    _check_hash(p, current)
    view = _checked_view(p.get("view"), kind=current["type"])
    updated = _stored_view(w, {"external_id": current["external_id"], **view}, current["id"])
    updated["root_view_id"] = current["root_view_id"]
    updated["previous_view_id"] = current["previous_view_id"]
    current.clear()
    current.update(updated)  # in place, so both the per-user list and homes see it
    return {"view": copy.deepcopy(current)}


def _views_publish(w: World, p: Json) -> Json:
    user = w.user(text_param(p, "user_id"))
    current = w.homes.get(user.id)
    _check_hash(p, current)
    view = _checked_view(p.get("view"), kind="home")
    w.homes[user.id] = _stored_view(w, view, current["id"] if current else w.new_id("V"))
    return {"view": copy.deepcopy(w.homes[user.id])}


def _files_get_upload_url(w: World, p: Json) -> Json:
    filename, length = text_param(p, "filename"), text_param(p, "length")
    if not filename or not length.isdigit():
        raise SlackError("invalid_arguments", ["[ERROR] filename and length are required"])
    file_id = w.new_id("F")
    w.pending_files[file_id] = {"id": file_id, "filename": filename, "content": None}
    return {"upload_url": f"{w.origin}/upload/{file_id}", "file_id": file_id}


def _files_complete_upload(w: World, p: Json) -> Json:
    files = p.get("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments", ["[ERROR] files is required"])
    channel_id = text_param(p, "channel_id") or text_param(p, "channels").split(",")[0]
    if channel_id:
        channel_id = w.postable(channel_id).id
    completed = [_complete_file(w, item, p, channel_id or None) for item in files]
    return {"files": completed}


def _complete_file(w: World, item: object, p: Json, channel_id: str | None) -> Json:
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


_Handler = Callable[[World, Json], Json]
METHODS: dict[str, _Handler] = {
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


def response_error(body: object) -> SlackError | None:
    """What Slack objects to in a post to a response_url, if anything."""
    if not isinstance(body, dict):
        return SlackError("invalid_payload")
    if body.get("delete_original"):
        return None
    if not body.get("text") and not body.get("blocks") and not body.get("attachments"):
        return SlackError("no_text")
    problems = validate_message(text=body.get("text"), blocks=body.get("blocks"))
    return SlackError("invalid_blocks", problems) if problems else None
