"""Block Kit as readable text, the way errbot's text backend shows a chat: for `pmo-bot shell`.

Headers read `== Title ==`, sections keep their mrkdwn (`*bold*` stays) with mentions turned
back into names (`<@U123>` → `@lee`, `<#C1>` → `#pmo`), context lines are indented, dividers
are `---`, section fields read `label: value`, and buttons are numbered so they can be
clicked by number. Numbering is the caller's: every button found is handed to a `Numberer`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]
# Given a button element and its block's id, return the number to show it under.
Numberer = Callable[[Json, str], int]
INDENT = "    "
_LINK = re.compile(r"<([^<>]+)>")
_LABEL_COLON = re.compile(r":(\*?)$")  # `*Due:*` → `*Due*`, `Due:` → `Due`
_VALUE_WIDTH = 40


@dataclass(frozen=True)
class Names:
    """Who and what the ids in a workspace are: user id → name, channel id → name."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    zones: Mapping[str, str] = field(default_factory=dict)  # user id → IANA zone
    reader: str | None = None  # whose screen it is: `<!date>` shows their local time

    def reading(self, user_id: str | None) -> Names:
        """The same names, for `user_id`'s screen."""
        return replace(self, reader=user_id) if user_id else self

    def user(self, user_id: str) -> str:
        """`@name` for a user id (the id itself when unknown)."""
        return "@" + self.users.get(user_id, user_id)

    def channel(self, channel_id: str) -> str:
        """`#name` for a channel id (the id itself when unknown)."""
        return "#" + self.channels.get(channel_id, channel_id)

    def user_id(self, name: str) -> str | None:
        """The id of `@name` (or of an id given as is), None when nobody is called that."""
        return _lookup(self.users, name.strip().removeprefix("@"))

    def channel_id(self, name: str) -> str | None:
        """The id of `#name` (or of an id given as is), None when no channel is called that."""
        return _lookup(self.channels, name.strip().removeprefix("#"))


def _lookup(names: Mapping[str, str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    lowered = wanted.lower()
    return next((key for key, name in names.items() if name.lower() == lowered), None)


def mrkdwn(text: str, names: Names) -> str:
    """Slack's mrkdwn as plain text: mentions, channel links, URLs and entities resolved."""
    return html.unescape(_LINK.sub(lambda match: _link(match.group(1), names), text))


def _link(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return names.user(target[1:]) if target[1:] in names.users or not label else "@" + label
    if target.startswith("#"):
        return (
            names.channel(target[1:]) if target[1:] in names.channels or not label else "#" + label
        )
    if target.startswith("!"):
        return _special(target[1:], label, names)
    return f"{label} ({target})" if label and label != target else target


def _special(command: str, label: str, names: Names) -> str:
    """`<!here>`, `<!channel>`, `<!subteam^S1|@team>`, `<!date^…|fallback>` (in the reader's
    zone, as Slack shows it, when the reader's zone is known)."""
    zone = names.zones.get(names.reader or "")
    if command.startswith("date^") and zone:
        return _local_date(command, zone) or label
    if label:
        return label
    return "@" + command.split("^")[0]


_DATE_TOKENS = {
    "{time}": "%H:%M",
    "{time_secs}": "%H:%M:%S",
    "{date_num}": "%Y-%m-%d",
    "{date_short}": "%b %-d, %Y",
    "{date}": "%B %-d, %Y",
    "{date_long}": "%A, %B %-d, %Y",
    "{date_short_pretty}": "%b %-d, %Y",
    "{date_pretty}": "%B %-d, %Y",
    "{date_long_pretty}": "%A, %B %-d, %Y",
}


def _local_date(command: str, zone: str) -> str | None:
    """`date^<unix>^<format with tokens>` as Slack renders it in `zone`; None if malformed."""
    parts = command.split("^")
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    local = datetime.fromtimestamp(int(parts[1]), tz=ZoneInfo(zone))
    text = parts[2]
    for token, pattern in _DATE_TOKENS.items():
        text = text.replace(token, local.strftime(pattern))
    return text


def render_message(message: Json, names: Names, number: Numberer) -> list[str]:
    """A message (or an ack body) as lines: its blocks, else its text; attachments indented."""
    blocks = message.get("blocks") or []
    lines = render_blocks(blocks, names, number) if blocks else _text_lines(message, names)
    for attachment in message.get("attachments") or []:
        inner = render_message(attachment, names, number)
        lines += [INDENT + line for line in inner]
    return lines


def _text_lines(message: Json, names: Names) -> list[str]:
    text = message.get("text") or message.get("fallback") or ""
    return mrkdwn(str(text), names).splitlines()


def render_blocks(blocks: list[Json], names: Names, number: Numberer) -> list[str]:
    """Blocks as lines of text."""
    lines: list[str] = []
    for index, block in enumerate(blocks):
        render = _RENDERERS.get(str(block.get("type")), _unknown)
        lines += render(block, str(block.get("block_id") or f"block_{index}"), names, number)
    return lines


def text_of(obj: object, names: Names) -> str:
    """A text object (plain_text or mrkdwn) or a string, as plain text."""
    if isinstance(obj, Mapping):
        raw = str(obj.get("text") or "")
        return mrkdwn(raw, names) if obj.get("type") == "mrkdwn" else raw
    return mrkdwn(str(obj or ""), names)


def _header(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    return [f"== {text_of(block.get('text'), names)} =="]


def _section(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    lines = text_of(block.get("text"), names).splitlines() if block.get("text") else []
    for item in block.get("fields") or []:
        lines.append(_field(text_of(item, names)))
    accessory = block.get("accessory")
    if isinstance(accessory, Mapping):
        lines.append(INDENT + _element(dict(accessory), block_id, names, number))
    return lines


def _field(text: str) -> str:
    """A section field `*Owner*\\n@lee` as `*Owner*: @lee`."""
    label, _, value = text.partition("\n")
    if not value:
        return label
    label = _LABEL_COLON.sub(r"\1", label.strip())
    return f"{label}: {' '.join(value.split())}"


def _context(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    lines = []
    for element in block.get("elements") or []:
        text = f"[image: {element.get('alt_text', '')}]"
        if element.get("type") != "image":
            text = text_of(element, names)
        lines += [INDENT + line for line in text.splitlines()]
    return lines


def _divider(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    return ["---"]


def _actions(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    shown = [_element(e, block_id, names, number) for e in block.get("elements") or []]
    return ["  ".join(shown)]


def _element(element: Json, block_id: str, names: Names, number: Numberer) -> str:
    """An interactive element: buttons numbered, anything else described."""
    label = text_of(element.get("text"), names) or element.get("action_id", "")
    if element.get("type") == "button":
        url = f" ({element['url']})" if element.get("url") else ""
        return f"[{number(element, block_id)}] {label}{url}"
    if element.get("type") == "image":
        return f"[image: {element.get('alt_text', '')}]"
    return f"({str(element.get('type', '')).replace('_', ' ')})"


def _image(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    return [f"[image: {block.get('alt_text', '')}]"]


def _markdown(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    return mrkdwn(str(block.get("text") or ""), names).splitlines()


def _input(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    """An input of a modal: `Label [kind]: current value`."""
    described = describe_input(block, names)
    value = f": {described.shown}" if described.shown else ""
    line = f"{described.label} [{described.kind_text}]{value}"
    return [line, INDENT + described.hint] if described.hint else [line]


def _rich_text(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    parts: list[str] = []
    _collect_rich(block.get("elements") or [], parts, names)
    return "".join(parts).splitlines()


def _collect_rich(elements: list[Json], parts: list[str], names: Names) -> None:
    for element in elements:
        kind = element.get("type")
        if kind == "text":
            parts.append(str(element.get("text", "")))
        elif kind == "user":
            parts.append(names.user(str(element.get("user_id", ""))))
        elif kind == "channel":
            parts.append(names.channel(str(element.get("channel_id", ""))))
        elif kind == "link":
            parts.append(str(element.get("text") or element.get("url", "")))
        _collect_rich(element.get("elements") or [], parts, names)
        if str(kind).startswith("rich_text_") and kind != "rich_text_section":
            parts.append("\n")


def _unknown(block: Json, block_id: str, names: Names, number: Numberer) -> list[str]:
    return [f"[{block.get('type')} block]"]


Renderer = Callable[[Json, str, Names, Numberer], list[str]]
_RENDERERS: dict[str, Renderer] = {
    "actions": _actions,
    "context": _context,
    "divider": _divider,
    "header": _header,
    "image": _image,
    "input": _input,
    "markdown": _markdown,
    "rich_text": _rich_text,
    "section": _section,
}


def render_view(view: Json, names: Names, number: Numberer) -> list[str]:
    """A modal (`== Title ==` first) or an App Home, as lines."""
    lines = render_blocks(view.get("blocks") or [], names, number)
    if view.get("type") == "modal":
        return [f"== {text_of(view.get('title'), names)} ==", *lines]
    return lines


# --- modal inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """An input block of a modal, described for asking the user about it.

    Attributes:
        block_id: The input's block_id (what `submit_view` fills).
        element: The input element as rendered.
        label: What the field is called.
        kind_text: What kind of answer it takes, e.g. `green/amber/red` or `date, optional`.
        shown: Its current (initial) value as the user reads it, "" when empty.
        optional: Whether it may stay empty.
        hint: The hint under the field, if any.
    """

    block_id: str
    element: Json
    label: str
    kind_text: str
    shown: str
    optional: bool
    hint: str
    dispatches: bool = False

    @property
    def kind(self) -> str:
        """The element type (`static_select`, `datepicker`…)."""
        return str(self.element.get("type"))

    def question(self) -> str:
        """The prompt: `Status [green/amber/red] (amber)`."""
        current = f" ({_clip(self.shown)})" if self.shown else ""
        return f"{self.label} [{self.kind_text}]{current}"


_KINDS = {
    "plain_text_input": "text",
    "email_text_input": "email",
    "url_text_input": "url",
    "number_input": "number",
    "datepicker": "date",
    "timepicker": "HH:MM",
    "users_select": "@user",
    "multi_users_select": "@users, comma-separated",
    "conversations_select": "#channel",
    "channels_select": "#channel",
    "multi_conversations_select": "#channels, comma-separated",
    "multi_channels_select": "#channels, comma-separated",
    "external_select": "type to search",
}


def inputs(view: Json, names: Names) -> list[Input]:
    """The input blocks of a modal, in order."""
    return [
        describe_input(block, names, block_id=str(block.get("block_id") or f"block_{index}"))
        for index, block in enumerate(view.get("blocks") or [])
        if block.get("type") == "input"
    ]


def describe_input(block: Json, names: Names, *, block_id: str = "") -> Input:
    """An input block as an `Input`."""
    element = dict(block.get("element") or {})
    optional = bool(block.get("optional"))
    kind = _KINDS.get(str(element.get("type")), "")
    if "options" in element or "option_groups" in element:
        kind = option_list(element)
        if element.get("type") in ("checkboxes", "multi_static_select"):
            kind += ", comma-separated"
    kind = f"{kind}, optional" if optional else kind
    dispatches = bool(block.get("dispatch_action"))
    return Input(
        block_id=block_id or str(block.get("block_id") or ""),
        element=element,
        label=text_of(block.get("label"), names),
        kind_text=kind,
        shown=initial_shown(element, names),
        optional=optional,
        hint=text_of(block.get("hint"), names) if block.get("hint") else "",
        dispatches=dispatches,
    )


def options_of(element: Json) -> list[Json]:
    """A select's options, groups flattened."""
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += group.get("options") or []
    return found


def option_shown(option: Json, *, short: bool) -> str:
    """An option as listed: its value when `short` (`green`), else its text."""
    if short:
        return str(option.get("value", ""))
    return str((option.get("text") or {}).get("text", ""))


def option_list(element: Json) -> str:
    """`green/amber/red` when each option's text starts with its one-word value, else texts."""
    options = options_of(element)
    short = all(_is_short(option) for option in options)
    shown = [option_shown(option, short=short) for option in options]
    return ("/" if short else " | ").join(shown)


def _is_short(option: Json) -> bool:
    text = str((option.get("text") or {}).get("text", "")).lower()
    value = str(option.get("value", "")).lower()
    return value.isalpha() and text.startswith(value)


def initial_shown(element: Json, names: Names) -> str:
    """An element's initial value as the user reads it."""
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = element.get("initial_option")
        return option_shown(option, short=_is_short(option)) if option else ""
    if kind in ("checkboxes", "multi_static_select"):
        chosen = element.get("initial_options") or []
        return ", ".join(option_shown(o, short=_is_short(o)) for o in chosen)
    if kind == "users_select" and element.get("initial_user"):
        return names.user(str(element["initial_user"]))
    if kind == "multi_users_select":
        return ", ".join(names.user(u) for u in element.get("initial_users") or [])
    for key in ("initial_conversation", "initial_channel"):
        if element.get(key):
            return names.channel(str(element[key]))
    for key in ("initial_value", "initial_date", "initial_time"):
        if element.get(key):
            return str(element[key])
    return ""


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _VALUE_WIDTH else flat[: _VALUE_WIDTH - 1] + "…"
