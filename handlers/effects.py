"""What a handler asks to happen, performed by its adapter after the transaction commits.

A handler never calls Slack: it returns one of these (or a list, or None) and the adapter,
once the request's transaction has committed, answers, opens the modal or publishes Home.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import logs
from bot.blocks.common import escape_message, message, section

Message = dict[str, Any]
View = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A message back to the person who asked: ephemeral unless `in_channel`.

    In a DM conversation (no command, no click) it is posted in the thread of their message.
    """

    message: Message
    in_channel: bool = False


@dataclass(frozen=True)
class OpenModal:
    """Open a modal with the request's trigger_id."""

    view: View


@dataclass(frozen=True)
class PushModal:
    """Push a modal on top of the open one."""

    view: View


@dataclass(frozen=True)
class UpdateModal:
    """Replace the open modal (the submitted one, or the one a click happened in)."""

    view: View


@dataclass(frozen=True)
class ModalErrors:
    """Keep the submitted modal open with these messages on its fields (block id → text)."""

    errors: dict[str, str]


@dataclass(frozen=True)
class PublishHome:
    """Publish this view as the caller's App Home."""

    view: View


@dataclass(frozen=True)
class Options:
    """The options of an external select, answering an options request."""

    options: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FileToSend:
    """What a written file is called, and what to say with it."""

    filename: str
    title: str
    comment: str
    done: Message


@dataclass(frozen=True)
class SendFile:
    """Write a CSV file after the commit, upload it to the caller's DM, then delete it.

    `write` gets a session factory (the request's session has committed; it opens its own
    transaction) and a temporary path to fill; the adapter uploads the file, deletes it
    whatever happens, and answers with `done`.
    """

    kind: str
    write: Callable[[sessionmaker[Session], Path], FileToSend]


@dataclass(frozen=True)
class RunCommand:
    """Run a `/pmo` command as the person who clicked, as if they typed `text` (after `/pmo`);
    its answer replaces the clicked message. Only a click can have it."""

    text: str


Effect = (
    Reply
    | OpenModal
    | PushModal
    | UpdateModal
    | ModalErrors
    | PublishHome
    | Options
    | SendFile
    | RunCommand
)
Result = Effect | list[Effect] | None


def as_list(result: Result) -> list[Effect]:
    """A handler's result as a list of effects."""
    if result is None:
        return []
    return list(result) if isinstance(result, list) else [result]


class EffectFailed(Exception):
    """Slack refused or did not answer a call made for an effect (after the commit)."""

    def __init__(self, effect: str, error: str) -> None:
        super().__init__(f"{effect}: {error}")
        self.what = WHAT_FAILED.get(effect, "my answer")
        self.doing = DOING.get(effect, "answer")
        self.error = error

    def sentence(self) -> str:
        """What to tell the user: what Slack refused (or that it is slow), and that a retry
        is safe."""
        ref = logs.reference()
        if self.error == NO_ANSWER:
            return f"Slack is slow right now and didn't let me {self.doing}; try again {ref}."
        return f"Slack refused {self.what} (`{self.error}`); please try again {ref}."

    def message(self) -> Message:
        """The sentence as a warning message."""
        return warning(self.sentence())


NO_ANSWER = "no answer"  # the error of an effect whose Slack call timed out
# What the effect was doing, for the message when Slack is too slow for it.
DOING = {
    "OpenModal": "open the form",
    "PushModal": "open the form",
    "UpdateModal": "update the form",
    "PublishHome": "refresh your Home tab",
    "SendFile": "send the file",
}
# How a user would name what an effect made, for the message when Slack refuses it.
WHAT_FAILED = {
    "OpenModal": "to open the form",
    "PushModal": "to open the form",
    "UpdateModal": "to update the form",
    "PublishHome": "to update your Home tab",
    "SendFile": "the file",
}


def warning(text: str) -> Message:
    """A one-line warning message; user text in it (“quoted”, names) is shown as text."""
    text = escape_message(text)
    return message(f":warning: {text}", [section(f":warning: {text}")])


def went_wrong() -> Message:
    """Our own failure, with the reference to find it in the logs."""
    return warning(f"Something went wrong on my side {logs.reference()}. Nothing was changed.")
