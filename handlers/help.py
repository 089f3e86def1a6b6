"""`/pmo help [topic]`."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks.help import help_message
from bot.commands import Token
from handlers.router import Router


def register(app: App, router: Router) -> None:
    """Route `/pmo help`."""
    router.add_static("help", show_help)


def show_help(words: list[Token]) -> dict[str, Any]:
    """Short help, or one topic's commands."""
    topic = " ".join(w.text for w in words) or None
    return help_message(topic)
