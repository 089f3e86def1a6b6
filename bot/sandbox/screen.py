"""The shell's screen: what everyone received after each action, and the modals you fill in.

After every action the screen waits for the app to settle, then prints the action's direct
answer and everything new in the workspace, numbered (`bot.sandbox.feed`). A modal opened
for the current user is filled in right away (`bot.sandbox.modals`); the screen is its
Slack side, submitting it and picking in its selects as that user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from bot.sandbox import demo
from bot.sandbox.console import Console
from bot.sandbox.demo import DemoUser
from bot.sandbox.driver import Reply
from bot.sandbox.feed import (
    ACK,
    EPHEMERAL,
    HOME,
    MESSAGE,
    MODAL,
    Button,
    Feed,
    Item,
    Printed,
    Transcript,
)
from bot.sandbox.modals import AnswerContext, Cancelled, Interrupted, ModalFiller
from bot.sandbox.runtime import Sandbox
from bot.sandbox.text import Input, Names, options_of

Json = dict[str, Any]


class Screen:
    """Prints what users see, fills the current user's modals, finds and presses buttons.

    Attributes:
        user: Who is acting now (the shell's `:as` changes it).
        is_command: Whether a line typed into a modal field is a shell command instead.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        console: Console,
        *,
        user: DemoUser,
        is_command: Callable[[str], bool],
    ) -> None:
        self.sandbox = sandbox
        self.console = console
        self.user = user
        self.is_command = is_command
        self.names = Names(
            users={u.id: u.name for u in demo.USERS},
            channels={c.id: c.name for c in demo.CHANNELS},
            zones={u.id: u.tz for u in demo.USERS},
        )
        self.feed = Feed(sandbox.fake, [u.id for u in demo.USERS], [c.id for c in demo.CHANNELS])
        self.transcript = Transcript(self.names)

    def say(self, line: str = "") -> None:
        """Print a line."""
        self.console.say(line)

    # after every action: what everyone sees

    def after(self, reply: Reply | None, *, channel: str | None = None) -> None:
        """Wait for the app, then print the direct answer and everything new."""
        self.sandbox.settle()
        items = self._reply_items(reply, channel) if reply is not None else []
        self.print_items(items + self.feed.new())

    def show_new(self, *, announce_empty: bool = True) -> None:
        """Print everything new (after the app has settled)."""
        items = self.feed.new()
        if items or announce_empty:
            self.print_items(items)

    def _reply_items(self, reply: Reply, channel: str | None) -> list[Item]:
        """A command's direct answer (its ack body): an ephemeral Slack keeps nowhere else."""
        if reply.status >= 400:
            self.say(f"[error] the app answered HTTP {reply.status}: {reply.body}")
            return []
        body = reply.body if isinstance(reply.body, dict) else {}
        if not (body.get("text") or body.get("blocks")):
            return []
        return [Item(ACK, body, user=self.user.id, channel=channel, key="ack")]

    def print_items(self, items: list[Item]) -> None:
        """Print items (the current user's ephemerals first), then fill a modal opened for them."""
        if not items:
            self.say("(nothing new)")
            self.say()
            return
        mine = [i for i in items if i.kind in (ACK, EPHEMERAL) and i.user == self.user.id]
        for item in mine + [i for i in items if i not in mine]:
            for line in self.transcript.lines(item, viewer=self.user.id):
                self.say(line)
            self.say()
        modals = [i for i in items if i.kind == MODAL and i.user == self.user.id]
        if modals and _answerable(modals[-1].payload):
            self._fill(modals[-1].payload)

    def _fill(self, view: Json) -> None:
        context = AnswerContext(
            names=self.names,
            now=self.sandbox.clock.now,
            tz=self.user.tz,
            suggest=lambda field, text: self.suggest(view, field, text),
            is_command=self.is_command,
        )
        try:
            ModalFiller(self, self.console, context).fill(view)
        except Cancelled:
            self.say("(modal closed without submitting)")
            self.say()
        except Interrupted as command:
            self.say(f"(modal closed without submitting, to run {command.line})")
            self.say()
            self.show_new()
            raise
        self.show_new()

    # the Slack side of a modal (bot.sandbox.modals.ModalHost)

    def submit(self, view: Json, values: dict[str, object]) -> Json | None:
        """Submit the modal as the current user; the app's answer."""
        try:
            reply = self.sandbox.driver.submit_view(self.user.id, view, values)
        except ValueError as problem:  # Slack itself would not have let it be submitted
            self.say(f"(not submitted: {problem})")
            return None
        self.sandbox.settle()
        if reply.status >= 400:
            self.say(f"[error] the app answered HTTP {reply.status}: {reply.body}")
            return None
        return reply.body if isinstance(reply.body, dict) else None

    def pick(self, view: Json, field: Input, option: Json) -> Json:
        """Pick in a select that dispatches an action; print the modal if the app redrew it."""
        self.sandbox.driver.select(
            self.user.id,
            view,
            block_id=field.block_id,
            action_id=str(field.element.get("action_id") or ""),
            option=option,
        )
        self.sandbox.settle()
        views = self.sandbox.fake.views(self.user.id)
        current = next((v for v in views if v["id"] == view["id"]), view)
        if current != view:
            self.show(current)
            self.feed.saw(Item(MODAL, current, user=self.user.id, key=current["id"]))
        return current

    def suggest(self, view: Json, field: Input, text: str) -> list[Json]:
        """The options an external select offers for `text`."""
        reply = self.sandbox.driver.suggest(
            self.user.id,
            view,
            action_id=str(field.element.get("action_id") or ""),
            block_id=field.block_id,
            value=text,
        )
        return options_of(reply.body) if isinstance(reply.body, dict) else []

    def show(self, view: Json) -> None:
        """Print a view that replaced the modal."""
        item = Item(MODAL, view, user=self.user.id, key=str(view.get("id")), edited=True)
        for line in self.transcript.lines(item, viewer=self.user.id):
            self.say(line)
        self.say()

    # buttons

    def find_button(self, argument: str) -> Button | None:
        """Button N, or the latest one shown to the current user with that label."""
        buttons = self.transcript.buttons
        if argument.isdigit():
            found = buttons.get(int(argument))
            if found is None:
                self.say(f"No button {argument} has been printed.")
            return found
        wanted = argument.lower()
        mine = [b for b in reversed(buttons.values()) if not self.not_yours(b.where)]
        for matches in (lambda b: b.label.lower() == wanted, lambda b: wanted in b.label.lower()):
            found = next((b for b in mine if wanted and matches(b)), None)
            if found is not None:
                return found
        self.say(f"No button “{argument}” is shown to you. Usage: :click N or :click <label>")
        return None

    def not_yours(self, where: Printed) -> str:
        """Why the current user cannot click there ("" when they can)."""
        if where.user is None or where.user == self.user.id:
            return ""
        owner = self.names.user(where.user)
        surface = {MESSAGE: "DMs", MODAL: "modal", HOME: "App Home"}.get(where.kind, "ephemeral")
        return f"That button is in {owner}'s {surface}; `:as {owner}` first."

    def press(self, button: Button) -> Reply | None:
        """Click the button as the current user; None (after saying why) if it is gone."""
        source = self._lookup(button.where)
        if source is None or not _has_button(source, button):
            self.say(f"Button {button.number} is gone: its message or view has changed since.")
            return None
        where, element = button.where, button.element
        click = self.sandbox.driver.click
        common: dict[str, Any] = {"value": element.get("value"), "block_id": button.block_id}
        if where.kind in (MODAL, HOME):
            return click(self.user.id, element["action_id"], view=source, **common)
        if where.kind == ACK:
            source = {**source, "is_ephemeral": True, "channel": where.channel}
        return click(
            self.user.id, element["action_id"], message=source, channel_id=where.channel, **common
        )

    def _lookup(self, where: Printed) -> Json | None:
        """The message or view as it is now."""
        fake = self.sandbox.fake
        if where.kind == ACK:
            return where.payload
        if where.kind == HOME:
            with contextlib.suppress(LookupError):
                return fake.home(str(where.user))
            return None
        if where.kind == MODAL:
            views = fake.views(str(where.user))
            return next((v for v in views if v["id"] == where.key), None)
        if where.kind == MESSAGE:
            pool = fake.messages(str(where.channel))
        else:
            pool = fake.ephemerals(str(where.user))
        return next((m for m in pool if m["ts"] == where.key), None)


def _answerable(view: Json) -> bool:
    """A modal with inputs and a submit button (not a closing confirmation)."""
    blocks = view.get("blocks") or []
    return bool(view.get("submit")) and any(b.get("type") == "input" for b in blocks)


def _has_button(source: Json, button: Button) -> bool:
    """Whether the button (same action and value) is still rendered in `source`."""
    for block in source.get("blocks") or []:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            same = element.get("action_id") == button.element.get("action_id")
            if same and element.get("value") == button.element.get("value"):
                return True
    return False
