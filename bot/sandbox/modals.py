"""Answering a modal in the shell, field by field, the way a person fills it in Slack.

Each input is asked in turn (`Status [green/amber/red] (amber): `); an empty answer keeps the
value shown (or leaves an optional field empty), `-` clears an optional one, and `:cancel`
closes the modal. The submission goes to the app as a real `view_submission`; fields it
answers with `response_action: errors` are shown with the message under them and asked again,
the other answers kept, as Slack keeps them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from bot import dates
from bot.errors import UserError
from bot.sandbox.console import Console
from bot.sandbox.text import INDENT, Input, Names, inputs, options_of

Json = dict[str, Any]
KEEP = object()  # the answer keeps what the field holds
CANCEL = ":cancel"
_OPTION_LIST_MAX = 10


class AnswerError(Exception):
    """An answer the field cannot take; the message says what it takes."""


class Interrupted(Exception):
    """A command was typed where an answer was expected: the modal is left for it.

    Attributes:
        line: The command, to run next.
    """

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


@dataclass(frozen=True)
class AnswerContext:
    """What reading an answer needs: names, the clock, the user's zone, a search box.

    Attributes:
        is_command: Whether a line is a shell command rather than an answer.
    """

    names: Names
    now: datetime
    tz: str
    suggest: Callable[[Input, str], list[Json]]
    is_command: Callable[[str], bool] = lambda line: False


def parse_answer(field: Input, text: str, context: AnswerContext) -> object:
    """What `text` typed for `field` puts in the modal's state (see `SlackDriver.submit_view`).

    Returns:
        KEEP for an empty answer, None to clear an optional field, else the value.

    Raises:
        AnswerError: The field cannot take this answer (or must not stay empty).
    """
    text = text.strip()
    if not text:
        if not field.optional and not field.shown:
            raise AnswerError("This field is required.")
        return KEEP
    if text == "-":
        if not field.optional:
            raise AnswerError("This field is required; it can't be cleared.")
        return None
    reader = _READERS.get(field.kind, _read_text)
    return reader(field, text, context)


def _read_text(field: Input, text: str, context: AnswerContext) -> object:
    return text.replace("\\n", "\n")


def _read_number(field: Input, text: str, context: AnswerContext) -> object:
    try:
        number = float(text)
    except ValueError as exc:
        raise AnswerError(f"“{text}” is not a number.") from exc
    if not field.element.get("is_decimal_allowed") and not number.is_integer():
        raise AnswerError("Give a whole number.")
    return text


def _read_date(field: Input, text: str, context: AnswerContext) -> object:
    try:
        return dates.parse_date(text, now=context.now, tz=context.tz).isoformat()
    except UserError as exc:
        raise AnswerError(exc.message) from exc


def _read_time(field: Input, text: str, context: AnswerContext) -> object:
    try:
        return time.fromisoformat(text).strftime("%H:%M")
    except ValueError as exc:
        raise AnswerError("Give a time as HH:MM, e.g. 09:30.") from exc


def _read_user(field: Input, text: str, context: AnswerContext) -> object:
    user_id = context.names.user_id(text)
    if user_id is None:
        known = ", ".join("@" + name for name in context.names.users.values())
        raise AnswerError(f"Nobody is called {text}. People here: {known}.")
    return user_id


def _read_users(field: Input, text: str, context: AnswerContext) -> object:
    return [_read_user(field, part, context) for part in _parts(text)]


def _read_channel(field: Input, text: str, context: AnswerContext) -> object:
    channel_id = context.names.channel_id(text)
    if channel_id is None:
        known = ", ".join("#" + name for name in context.names.channels.values())
        raise AnswerError(f"No channel is called {text}. Channels here: {known}.")
    return channel_id


def _read_channels(field: Input, text: str, context: AnswerContext) -> object:
    return [_read_channel(field, part, context) for part in _parts(text)]


def _read_option(field: Input, text: str, context: AnswerContext) -> object:
    return pick_option(options_of(field.element), text)["value"]


def _read_options(field: Input, text: str, context: AnswerContext) -> object:
    chosen = [part for part in text.split(",") if part.strip()]
    return [pick_option(options_of(field.element), part)["value"] for part in chosen]


def _read_suggested(field: Input, text: str, context: AnswerContext) -> object:
    return pick_option(context.suggest(field, text), text)


def pick_option(options: list[Json], text: str) -> Json:
    """The option `text` names: its value, its text, or the one option whose text has it.

    Raises:
        AnswerError: No option, or more than one, fits.
    """
    wanted = text.strip().lower()
    for matches in (
        lambda o: str(o.get("value", "")).lower() == wanted,
        lambda o: _option_text(o).lower() == wanted,
        lambda o: _option_text(o).lower().startswith(wanted),
        lambda o: wanted in _option_text(o).lower(),
    ):
        found = [o for o in options if matches(o)]
        if len(found) == 1:
            return found[0]
        if found:
            raise AnswerError(f"“{text}” could be {_listed(found)}; say which.")
    raise AnswerError(f"“{text}” is none of {_listed(options)}.")


def _option_text(option: Json) -> str:
    return str((option.get("text") or {}).get("text", ""))


def _listed(options: list[Json]) -> str:
    shown = [_option_text(o) for o in options[:_OPTION_LIST_MAX]]
    more = f" and {len(options) - _OPTION_LIST_MAX} more" if len(options) > _OPTION_LIST_MAX else ""
    return " | ".join(shown) + more if shown else "nothing (no options)"


def _parts(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


Reader = Callable[[Input, str, AnswerContext], object]
_READERS: dict[str, Reader] = {
    "number_input": _read_number,
    "datepicker": _read_date,
    "timepicker": _read_time,
    "users_select": _read_user,
    "multi_users_select": _read_users,
    "conversations_select": _read_channel,
    "channels_select": _read_channel,
    "multi_conversations_select": _read_channels,
    "multi_channels_select": _read_channels,
    "static_select": _read_option,
    "radio_buttons": _read_option,
    "checkboxes": _read_options,
    "multi_static_select": _read_options,
    "external_select": _read_suggested,
}


# --- one modal, answered -------------------------------------------------------------------


class Cancelled(Exception):
    """The user closed the modal without submitting it."""


@dataclass
class Answers:
    """What the user has answered so far: state values, and the text typed for each field."""

    values: dict[str, object] = dataclasses.field(default_factory=dict)
    typed: dict[str, str] = dataclasses.field(default_factory=dict)

    def keep_only(self, block_ids: set[str]) -> None:
        """Forget answers to fields the (updated) view no longer has."""
        self.values = {k: v for k, v in self.values.items() if k in block_ids}
        self.typed = {k: v for k, v in self.typed.items() if k in block_ids}

    def shown(self, field: Input) -> Input:
        """The field as the user left it: what they typed is its current value."""
        typed = self.typed.get(field.block_id)
        if typed is None:
            return field
        return dataclasses.replace(field, shown="" if typed == "-" else typed)


def ask_field(console: Console, field: Input, answers: Answers, context: AnswerContext) -> object:
    """Ask for one field until the answer fits; record it in `answers` and return it.

    Raises:
        Cancelled: The user answered `:cancel`.
        Interrupted: The user typed a command instead of an answer.
        EOFError: Input ended.
    """
    field = answers.shown(field)
    while True:
        text = console.ask(field.question())
        if text.strip() == CANCEL:
            raise Cancelled
        if context.is_command(text.strip()):
            raise Interrupted(text.strip())
        try:
            value = parse_answer(field, text, context)
        except AnswerError as problem:
            console.say(f"{INDENT}! {problem}")
            continue
        if value is not KEEP:
            answers.values[field.block_id] = value
            answers.typed[field.block_id] = text.strip()
        return value


class ModalHost(Protocol):
    """The Slack side of a modal: submit it, pick in a select that dispatches, show a view."""

    def submit(self, view: Json, values: dict[str, object]) -> Json | None:
        """Submit the modal with these values; the app's answer (None when it had none)."""
        ...

    def pick(self, view: Json, field: Input, option: Json) -> Json:
        """Pick `option` in `field`, which dispatches an action; the view as it is after."""
        ...

    def show(self, view: Json) -> None:
        """Print a view that replaced the modal."""
        ...


class ModalFiller:
    """Fills one modal (and any view that replaces it) until it closes."""

    def __init__(self, host: ModalHost, console: Console, context: AnswerContext) -> None:
        self._host = host
        self._console = console
        self._context = context

    def fill(self, view: Json) -> None:
        """Ask every field, submit, re-ask fields with errors, follow updated views.

        Raises:
            Cancelled: The user answered `:cancel`.
            Interrupted: The user typed a command instead of an answer.
            EOFError: Input ended before the modal was submitted.
        """
        answers = Answers()
        todo = [field.block_id for field in self._fields(view)]
        while todo:
            view = self._ask(view, todo, answers)
            body = self._host.submit(view, answers.values) or {}
            if body.get("response_action") == "errors":
                errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
                todo = self._show_errors(view, answers, errors)
            elif body.get("response_action") in ("update", "push") and body.get("view"):
                view = {**body["view"], "id": view.get("id")}
                self._host.show(view)
                answers = Answers()
                todo = (
                    [field.block_id for field in self._fields(view)] if view.get("submit") else []
                )
            else:
                todo = []

    def _fields(self, view: Json) -> list[Input]:
        return inputs(view, self._context.names)

    def _ask(self, view: Json, todo: list[str], answers: Answers) -> Json:
        """Ask the fields in `todo`; a select that dispatches an action may redraw the view.

        After a redraw, the fields of the new view not asked yet are asked too, in its order.
        """
        queue, asked = list(todo), set[str]()
        while queue:
            fields = {field.block_id: field for field in self._fields(view)}
            field = fields.get(queue.pop(0))
            if field is None:
                continue
            asked.add(field.block_id)
            value = ask_field(self._console, field, answers, self._context)
            if field.dispatches and value is not KEEP and value is not None:
                view = self._host.pick(view, field, _option(field, value))
                order = [f.block_id for f in self._fields(view)]
                answers.keep_only(set(order))
                queue = [b for b in order if b not in asked]
        return view

    def _show_errors(self, view: Json, answers: Answers, errors: dict[str, str]) -> list[str]:
        """Print each field with an error, its value and the message under it; return them."""
        fields = [f for f in self._fields(view) if f.block_id in errors]
        for field in fields:
            shown = answers.shown(field)
            self._console.say(f"{shown.label}: {shown.shown or '(empty)'}")
            self._console.say(f"{INDENT}! {errors[field.block_id]}")
        if not fields:  # an error on no field we know: say it, ask everything again
            for message in errors.values():
                self._console.say(f"{INDENT}! {message}")
            return [field.block_id for field in self._fields(view)]
        return [field.block_id for field in fields]


def _option(field: Input, value: object) -> Json:
    if isinstance(value, dict):
        return value
    return next(o for o in options_of(field.element) if o.get("value") == value)
