"""What users of the sandbox see: what is new in the fake Slack, printed with numbers.

`Feed` compares the fake workspace with what it has shown before: new and edited messages in
channels and DMs, ephemeral messages, modals opened or updated, App Homes republished.
`Transcript` prints them as `[DM to @lee] msg 4` followed by the text, numbering messages (to
reply in their thread) and buttons (to click them), and finds them again by number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.text import Names, render_message, render_view, text_of

Json = dict[str, Any]
MESSAGE, EPHEMERAL, ACK, MODAL, HOME = "message", "ephemeral", "ack", "modal", "home"
FILE = "file"
BODY_INDENT = "  "
FILE_PREVIEW_LINES = 5  # an exported CSV is shown by its name, size and first lines


@dataclass(frozen=True)
class Item:
    """Something a user or channel received.

    Attributes:
        kind: MESSAGE (in a channel or a DM), EPHEMERAL, ACK (a command's direct answer,
            an ephemeral Slack keeps nowhere else), MODAL, HOME or FILE (an upload).
        payload: The message or view as it is now.
        user: Whose DM, ephemeral, modal or Home it is; None in a channel.
        channel: The conversation of a message or ephemeral.
        key: The message `ts` or the view id.
        edited: It was shown before and has changed since.
    """

    kind: str
    payload: Json
    user: str | None = None
    channel: str | None = None
    key: str = ""
    edited: bool = False


class Feed:
    """Finds what is new or changed in the fake since the last look."""

    def __init__(self, fake: FakeSlack, users: Iterable[str], channels: Iterable[str]) -> None:
        self._fake = fake
        self._users = list(users)
        self._channels = list(channels)
        self._seen: dict[tuple[str, str], str] = {}

    def new(self) -> list[Item]:
        """Items not shown yet or changed since: messages in time order, then views."""
        found = [item for item in self._everything() if self._is_new(item)]
        for item in found:
            self.saw(item)
        messages = [i for i in found if i.kind in (MESSAGE, EPHEMERAL)]
        views = [i for i in found if i.kind not in (MESSAGE, EPHEMERAL)]  # files too
        return sorted(messages, key=lambda i: float(i.key)) + views

    def saw(self, item: Item) -> None:
        """Remember `item` as shown, as it is now."""
        self._seen[(item.kind, _identity(item))] = _fingerprint(item.payload)

    def _is_new(self, item: Item) -> bool:
        before = self._seen.get((item.kind, _identity(item)))
        return before != _fingerprint(item.payload)

    def _everything(self) -> list[Item]:
        fake, items = self._fake, []
        for channel in self._channels:
            items += [_message(m, None) for m in fake.messages(channel)]
        for user in self._users:
            items += [_message(m, user) for m in fake.dms(user)]
            items += [
                Item(EPHEMERAL, e, user=user, channel=e["channel"], key=e["ts"])
                for e in fake.ephemerals(user)
            ]
            items += [Item(MODAL, v, user=user, key=v["id"]) for v in fake.views(user)]
            with contextlib.suppress(LookupError):  # no Home published for them yet
                items.append(Item(HOME, fake.home(user), user=user, key=user))
        items += self._files()
        return [self._mark_edited(item) for item in items]

    def _files(self) -> list[Item]:
        """Uploads in a watched channel or in a watched person's DM."""
        dms = {self._fake.dm_channel_id(user): user for user in self._users}
        return [
            Item(
                FILE,
                upload,
                user=dms.get(upload["channel_id"]),
                channel=upload["channel_id"],
                key=upload["id"],
            )
            for upload in self._fake.uploaded_files()
            if upload["channel_id"] in dms or upload["channel_id"] in self._channels
        ]

    def _mark_edited(self, item: Item) -> Item:
        if (item.kind, _identity(item)) not in self._seen:
            return item
        return Item(item.kind, item.payload, item.user, item.channel, item.key, edited=True)


def _message(message: Json, user: str | None) -> Item:
    return Item(MESSAGE, message, user=user, channel=message["channel"], key=message["ts"])


def _identity(item: Item) -> str:
    return f"{item.user}:{item.channel}:{item.key}"


def _fingerprint(payload: Json) -> str:
    shown = {k: payload.get(k) for k in ("text", "blocks", "attachments", "title", "submit")}
    shown["file"] = payload.get("id") if "filename" in payload else None
    return json.dumps(shown, sort_keys=True, default=str)


def file_lines(upload: Json) -> list[str]:
    """An uploaded file as the shell shows it: its comment, name and size, its first lines."""
    content: bytes = upload.get("content") or b""
    lines = content.decode("utf-8-sig", "replace").splitlines()  # CSVs carry a BOM for Excel
    shown = [f"📎 {upload['filename']} ({len(content):,} bytes, {len(lines)} lines)"]
    if upload.get("initial_comment"):
        shown.insert(0, str(upload["initial_comment"]))
    shown += [f"│ {line}" for line in lines[:FILE_PREVIEW_LINES]]
    if len(lines) > FILE_PREVIEW_LINES:
        shown.append(f"│ … {len(lines) - FILE_PREVIEW_LINES} more lines")
    return shown


# --- printing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Printed:
    """A printed message or view, to find its current version when a button in it is clicked."""

    kind: str
    user: str | None
    channel: str | None
    key: str
    payload: Json


@dataclass(frozen=True)
class Button:
    """A numbered button and where it was printed."""

    number: int
    label: str
    element: Json
    block_id: str
    where: Printed


@dataclass
class Transcript:
    """Numbers printed messages and buttons, and prints items as the users see them."""

    names: Names
    buttons: dict[int, Button] = field(default_factory=dict)
    messages: dict[int, Printed] = field(default_factory=dict)
    _message_numbers: dict[tuple[str, str], int] = field(default_factory=dict)

    def lines(self, item: Item, *, viewer: str | None = None) -> list[str]:
        """The item's heading line and its body, indented; its buttons get numbers. Times
        are shown in the zone of whoever sees it: its user, else `viewer`."""
        where = Printed(item.kind, item.user, item.channel, item.key, item.payload)
        body = self._body(item, where, self.names.reading(item.user or viewer))
        return [self._heading(item), *(BODY_INDENT + line for line in body)]

    def _body(self, item: Item, where: Printed, names: Names) -> list[str]:
        def number(element: Json, block_id: str) -> int:
            return self._number_button(element, block_id, where)

        if item.kind in (MODAL, HOME):
            return render_view(item.payload, names, number)
        if item.kind == FILE:
            return file_lines(item.payload)
        return render_message(item.payload, names, number) or ["(empty message)"]

    def _number_button(self, element: Json, block_id: str, where: Printed) -> int:
        number = len(self.buttons) + 1
        label = text_of(element.get("text"), self.names)
        self.buttons[number] = Button(number, label, element, block_id, where)
        return number

    def _heading(self, item: Item) -> str:
        who = self.names.user(item.user) if item.user else ""
        if item.kind == MODAL:
            return f"[modal for {who}]" + (" updated" if item.edited else "")
        if item.kind == HOME:
            return f"[home of {who}]"
        if item.kind in (EPHEMERAL, ACK):
            return f"[ephemeral to {who}]" + (" updated" if item.edited else "")
        if item.kind == FILE:
            where = f"DM to {who}" if item.user else self.names.channel(item.channel or "")
            return f"[{where}] file"
        return self._message_heading(item)

    def _message_heading(self, item: Item) -> str:
        assert item.channel is not None
        where = f"DM to {self.names.user(item.user)}" if item.user else ""
        where = where or self.names.channel(item.channel)
        number = self._message_number(item)
        heading = f"[{where}] msg {number}"
        thread = item.payload.get("thread_ts")
        if thread and thread != item.key:
            parent = self._message_numbers.get((item.channel, str(thread)))
            heading += f", in the thread of msg {parent}" if parent else ", in a thread"
        return heading + (", edited" if item.edited else "")

    def _message_number(self, item: Item) -> int:
        assert item.channel is not None
        known = self._message_numbers.get((item.channel, item.key))
        if known is None:
            known = len(self.messages) + 1
            self._message_numbers[(item.channel, item.key)] = known
        self.messages[known] = Printed(item.kind, item.user, item.channel, item.key, item.payload)
        return known
