"""`/pmo help [topic]`."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.help import help_message
from handlers.request import CommandRequest
from handlers.router import Reply, Router


def register(app: App, router: Router) -> None:
    """Route `/pmo help`."""
    router.add("help", show_help, guests=True)


def show_help(request: CommandRequest) -> Reply:
    """Short help, or one topic's commands."""
    topic = " ".join(w.text for w in request.words) or None
    return help_message(topic)
