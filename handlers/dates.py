"""The buttons an ambiguous date or program name is answered with: each runs the command
again with one reading (a date, a program's key)."""

from __future__ import annotations

from bot.blocks.help import PROGRAM_CHOICE_ACTIONS, READING_ACTIONS
from bot.errors import UserError
from bot.reruns import Rerun
from handlers.adapters import Listeners
from handlers.effects import Result, RunCommand
from handlers.request import OUT_OF_DATE, ActionRequest


def register(on: Listeners) -> None:
    """The reading buttons; guests too, since the command's own route decides who may run it."""
    for action_id in (*READING_ACTIONS, *PROGRAM_CHOICE_ACTIONS):
        on.action(action_id, pick_reading, guests=True)


def pick_reading(request: ActionRequest) -> Result:
    """Run the command with the picked reading, for the person who typed it only."""
    try:
        command = Rerun.read(request.value)
    except ValueError:
        raise UserError(OUT_OF_DATE) from None
    if command.user_id != request.user_id:
        raise UserError(
            f"That is <@{command.user_id}>'s command, so only they can pick for it. "
            "Type your own to do the same."
        )
    return RunCommand(command.text)
