"""`/pmo help [topic]`."""

from __future__ import annotations

from typing import Any

from bot.blocks.help import help_message
from bot.commands import Token
from handlers.adapters import Listeners


def register(on: Listeners) -> None:
    """Route `/pmo help`."""
    on.commands.add_static("help", show_help)


def show_help(words: list[Token]) -> dict[str, Any]:
    """Short help, or one topic's commands."""
    topic = " ".join(w.text for w in words) or None
    return help_message(topic)
