"""Play Slack towards our app: signed slash commands, clicks, modal submissions and events.

Payloads have the shape Slack sends, and what the user acts on comes from what the app
actually rendered into the fake (`click_button` finds the button, `submit_view` fills the
modal's inputs), so a flow test exercises the same contract production does. The same payloads
go either as signed HTTP requests to the app's `/slack/events`, or, with `socket_mode=True`, as
Socket Mode envelopes through the fake's WebSocket (`FakeSlack.socket`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bot.sandbox.fake_slack import APP_ID, FakeSlack
from bot.sandbox.signing import sign

if TYPE_CHECKING:
    from bot.sandbox.fake_slack.socket_mode import Ack

Json = dict[str, Any]

VERIFICATION_TOKEN = "sandbox-verification-token"
_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Reply:
    """The app's HTTP answer: the JSON body parsed when it is JSON, None when empty."""

    status: int
    body: Json | str | None
    headers: dict[str, str]
    response_url: str | None = None


class SlackDriver:
    """Sends Slack's requests, signed, to the app's `/slack/events` endpoint.

    With `socket_mode`, the same payloads go as Socket Mode envelopes through `fake.socket` to
    the app connected there (`app_url` and `signing_secret` are then unused); a reply's body is
    the ack's payload. `SlackDriver.over_socket_mode(fake)` says so shortly.
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        clock: Callable[[], float] = time.time,
        socket_mode: bool = False,
    ) -> None:
        self._url = f"{app_url.rstrip('/')}/slack/events"
        self._secret = signing_secret
        self._fake = fake
        self._clock = clock
        self._socket_mode = socket_mode

    @classmethod
    def over_socket_mode(
        cls, fake: FakeSlack, *, clock: Callable[[], float] = time.time
    ) -> SlackDriver:
        """A driver delivering Socket Mode envelopes to the app connected to `fake.socket`."""
        return cls("", "", fake, clock=clock, socket_mode=True)

    # slash commands

    def command(
        self, user_id: str, text: str, *, channel_id: str = "C0GENERAL", command: str = "/pmo"
    ) -> Reply:
        """Run a slash command as `user_id` typed it in `channel_id`.

        Returns:
            The app's answer to the command request.
        """
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self._fake.team_of(user_id),
            "team_domain": self._fake.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._fake.new_response_url(channel_id=channel_id, user_id=user_id),
            "trigger_id": self._fake.issue_trigger(user_id),
        }
        if self._socket_mode:
            reply = _acked(self._fake.socket.send_command(form))
        else:
            reply = self._post(urlencode(form).encode(), "application/x-www-form-urlencoded")
        return dataclasses.replace(reply, response_url=form["response_url"])

    # interactivity

    def click(
        self,
        user_id: str,
        action_id: str,
        *,
        value: str | None = None,
        block_id: str = "b",
        message: Json | None = None,
        view: Json | None = None,
        channel_id: str | None = None,
    ) -> Reply:
        """Click a button as `user_id`, in a message or a view.

        Prefer `click_button`, which clicks what the app actually rendered.

        Returns:
            The app's answer to the `block_actions` request.
        """
        action: Json = {"action_id": action_id, "block_id": block_id, "type": "button"}
        if value is not None:
            action["value"] = value
        return self._block_actions(user_id, action, message, view, channel_id)

    def click_button(self, user_id: str, message_or_view: Json, action_id: str) -> Reply:
        """Click the button with `action_id` found in a rendered message or view.

        Args:
            user_id: Who clicks.
            message_or_view: A message from `fake.messages()`/`ephemerals()` or a view from
                `fake.last_view()`/`home()`.
            action_id: The button's action_id.

        Returns:
            The app's answer to the `block_actions` request.

        Raises:
            LookupError: No button with that action_id is rendered.
        """
        block_id, button = _find_button(message_or_view.get("blocks") or [], action_id)
        action = {"action_id": action_id, "block_id": block_id, "type": "button"}
        action |= {key: button[key] for key in ("text", "value", "style") if key in button}
        if message_or_view.get("type") in ("modal", "home"):
            return self._block_actions(user_id, action, None, message_or_view, None)
        return self._block_actions(user_id, action, message_or_view, None, None)

    def submit_view(self, user_id: str, view: Json, values: Mapping[str, object]) -> Reply:
        """Submit a modal as rendered, with the inputs filled from `values`.

        Args:
            user_id: Who submits.
            view: The modal as the fake holds it (`fake.last_view(user_id)`).
            values: Input block_id → what the user entered: a string for text and number
                inputs, an option value (or list of them) for selects, radio buttons and
                checkboxes, user/conversation ids, a `date` or "YYYY-MM-DD" for date pickers.

        Returns:
            The app's answer to the `view_submission` request.

        Raises:
            ValueError: A value targets no input, is not an option, or a required input is empty.
        """
        submitted = {**view, "state": {"values": build_state_values(view, values)}}
        payload = {
            **self._interaction_base("view_submission", user_id),
            "view": submitted,
            "response_urls": [],
        }
        return self._post_payload(payload)

    # events

    def event(
        self,
        event: Json,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Reply:
        """Deliver an Events API event in its `event_callback` envelope.

        Args:
            event: The inner event, e.g. from `dm()` or `app_home_opened()`'s builders.
            event_id: The envelope's id; a fresh `Ev…` id when None. Reuse one to replay.
            retry_num: Sent as `X-Slack-Retry-Num`, as Slack does when redelivering.
            retry_reason: Sent as `X-Slack-Retry-Reason`.

        Returns:
            The app's answer.
        """
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self._fake.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(self._clock()),
            "authorizations": [self._authorization()],
            "is_ext_shared_channel": False,
        }
        if self._socket_mode:
            socket = self._fake.socket
            ack = socket.send_event(
                envelope, retry_attempt=retry_num or 0, retry_reason=retry_reason or ""
            )
            return _acked(ack)
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self._post(json.dumps(envelope).encode(), "application/json", headers)

    def dm(self, user_id: str, text: str, *, thread_ts: str | None = None) -> Reply:
        """Deliver a `message` event: `user_id` wrote `text` in their DM with the bot."""
        return self.event(self.dm_event(user_id, text, thread_ts=thread_ts))

    def dm_event(self, user_id: str, text: str, *, thread_ts: str | None = None) -> Json:
        """The `message` event Slack sends when `user_id` writes `text` in their DM with the
        bot (in a thread when `thread_ts` is given). Not delivered: pass it to `event`, and
        keep it to edit it later (`edit_dm`)."""
        ts = self._fake.new_ts()
        event: Json = {
            "type": "message",
            "channel": self._fake.dm_channel_id(user_id),
            "user": user_id,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            "team": self._fake.team_of(user_id),
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = self._fake.bot_user_id
        return event

    def file_dm_event(self, user_id: str, text: str, *, name: str = "plan.pdf") -> Json:
        """A file sent with `text` in the DM: subtype `file_share`, the file in `files`, and
        no `team` (Slack leaves it out of file shares)."""
        event = self.dm_event(user_id, text)
        del event["team"]
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        event.update(
            subtype="file_share",
            upload=False,
            display_as_bot=False,
            files=[
                {
                    "id": file_id,
                    "name": name,
                    "title": name,
                    "mimetype": "application/pdf",
                    "user": user_id,
                    "url_private": f"https://files.slack.com/files-pri/{file_id}/{name}",
                }
            ],
        )
        return event

    def broadcast_event(self, user_id: str, text: str, *, thread_ts: str) -> Json:
        """A reply in the thread of `thread_ts` also sent to the conversation: subtype
        `thread_broadcast`, with the thread's first message as `root`."""
        event = self.dm_event(user_id, text, thread_ts=thread_ts)
        del event["parent_user_id"]
        root = next(
            (m for m in self._fake.dms(user_id) if m["ts"] == thread_ts),
            {"type": "message", "user": self._fake.bot_user_id, "text": "", "ts": thread_ts},
        )
        event.update(
            subtype="thread_broadcast",
            root={
                "type": "message",
                "user": root.get("user"),
                "text": root.get("text", ""),
                "ts": thread_ts,
                "thread_ts": thread_ts,
                "reply_count": 1,
                "reply_users": [user_id],
                "reply_users_count": 1,
                "latest_reply": event["ts"],
            },
        )
        return event

    def edited_event(self, original: Json, text: str, *, after_seconds: float = 60) -> Json:
        """The `message_changed` event Slack sends when the message `original` (an event
        from `dm_event` and its kin) is edited to `text`, `after_seconds` after it was sent:
        hidden, the edited message nested with `edited`, and the one before it beside it."""
        sent_us = round(float(original["ts"]) * 1_000_000)
        edit_us = sent_us + round(after_seconds * 1_000_000)
        edit_ts = f"{edit_us // 1_000_000}.{edit_us % 1_000_000:06d}"
        kept = ("type", "user", "text", "ts", "thread_ts", "parent_user_id", "client_msg_id")
        before = {key: original[key] for key in kept if key in original}
        if original.get("team"):
            before["team"] = original["team"]
        return {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": original["channel"],
            "channel_type": "im",
            "ts": edit_ts,
            "event_ts": edit_ts,
            "message": {
                **before,
                "text": text,
                "edited": {"user": original["user"], "ts": edit_ts},
            },
            "previous_message": before,
        }

    def edit_dm(self, original: Json, text: str, *, after_seconds: float = 60) -> Reply:
        """Deliver the edit of a DM (see `edited_event`)."""
        return self.event(self.edited_event(original, text, after_seconds=after_seconds))

    def app_home_opened(self, user_id: str) -> Reply:
        """Deliver an `app_home_opened` event for the Home tab, with the current home view."""
        event: Json = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self._fake.dm_channel_id(user_id),
            "tab": "home",
            "event_ts": self._fake.new_ts(),
        }
        with contextlib.suppress(LookupError):  # Slack omits `view` until one is published
            event["view"] = self._fake.home(user_id)
        return self.event(event)

    # transport

    def raw(self, body: bytes, headers: Mapping[str, str]) -> Reply:
        """POST `body` with exactly `headers` (no signing), e.g. to test forged signatures."""
        if self._socket_mode:
            raise TypeError("raw() posts HTTP; a Socket Mode driver has no URL to post to")
        request = urllib.request.Request(self._url, data=body, headers=dict(headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return _reply(response.status, response.read(), dict(response.headers.items()))
        except urllib.error.HTTPError as error:
            return _reply(error.code, error.read(), dict(error.headers.items()))

    def _post(
        self, body: bytes, content_type: str, extra_headers: Mapping[str, str] | None = None
    ) -> Reply:
        headers = {"Content-Type": content_type, **sign(body, self._secret, int(self._clock()))}
        return self.raw(body, {**headers, **(extra_headers or {})})

    def _post_payload(self, payload: Json) -> Reply:
        if self._socket_mode:
            return _acked(self._fake.socket.send_interactive(payload))
        form = urlencode({"payload": json.dumps(payload)}).encode()
        return self._post(form, "application/x-www-form-urlencoded")

    # payload parts

    def suggest(
        self, user_id: str, view: Json, *, action_id: str, block_id: str, value: str
    ) -> Reply:
        """Type `value` into an external_select in a view: a `block_suggestion` request.

        Returns:
            The app's answer, whose body holds the `options` to show.
        """
        payload = {
            **self._interaction_base("block_suggestion", user_id),
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "container": {"type": "view", "view_id": view.get("id")},
            "view": {"state": {"values": {}}, **view},
        }
        return self._post_payload(payload)

    def _block_actions(
        self,
        user_id: str,
        action: Json,
        message: Json | None,
        view: Json | None,
        channel_id: str | None,
    ) -> Reply:
        action["action_ts"] = f"{self._clock():.6f}"
        payload = {**self._interaction_base("block_actions", user_id), "actions": [action]}
        if view is not None:
            payload |= {
                "container": {"type": "view", "view_id": view.get("id")},
                "view": {"state": {"values": {}}, **view},
            }
        else:
            payload |= self._message_context(user_id, message, channel_id)
        return self._post_payload(payload)

    def _message_context(self, user_id: str, message: Json | None, channel_id: str | None) -> Json:
        message = message or {}
        channel = channel_id or message.get("channel")
        ts, is_ephemeral = message.get("ts"), bool(message.get("is_ephemeral"))
        context: Json = {
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": is_ephemeral,
            },
            "channel": {"id": channel, "name": self._channel_name(channel or "")},
            "state": {"values": {}},
            "response_url": self._fake.new_response_url(
                channel_id=channel, user_id=user_id, message_ts=ts
            ),
        }
        if message and not is_ephemeral:  # Slack does not echo ephemeral messages back
            context["message"] = message
        return context

    def _interaction_base(self, kind: str, user_id: str) -> Json:
        return {
            "type": kind,
            "team": {"id": self._fake.team_of(user_id), "domain": self._fake.team_domain},
            "user": {
                "id": user_id,
                "username": self._user_name(user_id),
                "name": self._user_name(user_id),
                "team_id": self._fake.team_of(user_id),
            },
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._fake.issue_trigger(user_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _authorization(self) -> Json:
        return {
            "enterprise_id": None,
            "team_id": self._fake.team_id,
            "user_id": self._fake.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }

    def _user_name(self, user_id: str) -> str:
        user = self._fake.user(user_id)
        return str(user["name"]) if user else user_id.lower()

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        channel = self._fake.channel(channel_id)
        return str(channel["name"]) if channel else channel_id.lower()


def _acked(ack: Ack) -> Reply:
    """A Socket Mode ack as a reply: acknowledged is 200, the body is the ack's payload."""
    return Reply(200, ack.payload, {})


def _reply(status: int, raw: bytes, headers: dict[str, str]) -> Reply:
    if not raw:
        return Reply(status, None, headers)
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return Reply(status, text, headers)
    return Reply(status, parsed if isinstance(parsed, dict) else text, headers)


def _find_button(blocks: list[Json], action_id: str) -> tuple[str, Json]:
    for index, block in enumerate(blocks):
        for element in _interactive_elements(block):
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return str(block.get("block_id") or f"block_{index}"), element
    raise LookupError(f"no button with action_id {action_id!r} is rendered")


def _interactive_elements(block: Json) -> Iterator[Json]:
    if block.get("type") == "actions":
        yield from block.get("elements") or []
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        yield accessory


# --- view_submission state ----------------------------------------------------------------


@dataclass(frozen=True)
class _StateRule:
    key: str  # the state field Slack fills, e.g. "selected_user"
    initial: str  # the element field holding its initial value
    convert: Callable[[Json, Any], Any]  # (element, what the user gave) -> state value


def build_state_values(view: Json, values: Mapping[str, object]) -> dict[str, dict[str, Json]]:
    """Build a view's `state.values` as Slack would after the user filled it in.

    Args:
        view: The rendered modal.
        values: Input block_id → what the user entered (see `SlackDriver.submit_view`).
            Inputs not given keep their `initial_*` value, or are empty.

    Returns:
        `{block_id: {action_id: {"type": ..., <state field>: ...}}}`.

    Raises:
        ValueError: A value targets no input, is not an option of its select, or a required
            input is left empty (Slack would not let the user submit).
    """
    inputs = dict(_input_blocks(view))
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise ValueError(f"the view has no input block with block_id {unknown}")
    state: dict[str, dict[str, Json]] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        entry = _element_state(element, values.get(block_id), given=block_id in values)
        if not block.get("optional") and _is_empty(entry):
            raise ValueError(f"required input {block_id!r} is empty; Slack would not submit")
        state[block_id] = {str(element.get("action_id") or f"{block_id}_action"): entry}
    return state


def _input_blocks(view: Json) -> Iterator[tuple[str, Json]]:
    for index, block in enumerate(view.get("blocks") or []):
        if block.get("type") == "input":
            yield str(block.get("block_id") or f"block_{index}"), block


def _element_state(element: Json, value: object, *, given: bool) -> Json:
    kind = str(element.get("type"))
    rule = _STATE_RULES.get(kind)
    if rule is None:
        raise ValueError(f"the driver cannot fill a {kind} element")
    raw = value if given else element.get(rule.initial)
    return {"type": kind, rule.key: rule.convert(element, raw)}


def _is_empty(entry: Json) -> bool:
    return all(value in (None, []) for key, value in entry.items() if key != "type")


def _as_text(element: Json, raw: object) -> str | None:
    return None if raw is None or raw == "" else str(raw)


def _as_texts(element: Json, raw: object) -> list[str]:
    return [str(item) for item in _as_list(raw)]


def _as_date(element: Json, raw: object) -> str | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return raw.isoformat()
    return date.fromisoformat(str(raw)).isoformat()  # ValueError on anything else


def _as_option(element: Json, raw: object) -> Json | None:
    if raw is None:
        return None
    wanted = raw.get("value") if isinstance(raw, Mapping) else raw
    for option in _options(element):
        if option.get("value") == wanted:
            return option
    raise ValueError(f"{wanted!r} is not an option of {element.get('action_id')!r}")


def _as_suggested(element: Json, raw: object) -> Json | None:
    """An external_select's options come from the app: pass the option given (or a value)."""
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        return dict(raw)
    return {"text": {"type": "plain_text", "text": str(raw)}, "value": str(raw)}


def _as_options(element: Json, raw: object) -> list[Json]:
    options = (_as_option(element, item) for item in _as_list(raw))
    return [option for option in options if option is not None]


def _as_list(raw: object) -> list[object]:
    if raw is None:
        return []
    if isinstance(raw, str | Mapping) or not isinstance(raw, Iterable):
        return [raw]
    return list(raw)


def _options(element: Json) -> Iterator[Json]:
    yield from element.get("options") or []
    for group in element.get("option_groups") or []:
        yield from group.get("options") or []


_TEXT = partial(_StateRule, "value", "initial_value", _as_text)
_SINGLE_OPTION = partial(_StateRule, "selected_option", "initial_option", _as_option)
_MANY_OPTIONS = partial(_StateRule, "selected_options", "initial_options", _as_options)
_STATE_RULES: dict[str, _StateRule] = {
    "plain_text_input": _TEXT(),
    "email_text_input": _TEXT(),
    "url_text_input": _TEXT(),
    "number_input": _TEXT(),
    "static_select": _SINGLE_OPTION(),
    "radio_buttons": _SINGLE_OPTION(),
    "external_select": _StateRule("selected_option", "initial_option", _as_suggested),
    "multi_static_select": _MANY_OPTIONS(),
    "checkboxes": _MANY_OPTIONS(),
    "users_select": _StateRule("selected_user", "initial_user", _as_text),
    "multi_users_select": _StateRule("selected_users", "initial_users", _as_texts),
    "conversations_select": _StateRule("selected_conversation", "initial_conversation", _as_text),
    "multi_conversations_select": _StateRule(
        "selected_conversations", "initial_conversations", _as_texts
    ),
    "channels_select": _StateRule("selected_channel", "initial_channel", _as_text),
    "multi_channels_select": _StateRule("selected_channels", "initial_channels", _as_texts),
    "datepicker": _StateRule("selected_date", "initial_date", _as_date),
    "timepicker": _StateRule("selected_time", "initial_time", _as_text),
}
