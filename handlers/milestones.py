"""`/pmo milestone add|done`."""

from __future__ import annotations

from bot import milestones
from bot.blocks.common import escape, message, section
from bot.commands import split_options
from bot.dates import format_date
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest


def register(on: Listeners) -> None:
    """Route `/pmo milestone …`."""
    on.commands.add("milestone add", add)
    on.commands.add("milestone done", done)


def add(request: CommandRequest) -> Result:
    """`milestone add <program> "<name>" due:<date>`."""
    program, rest = request.program_and_rest()
    names, options = split_options(rest, ("due",))
    if len(names) != 1 or "due" not in options:
        raise UserError('Give the milestone name in quotes and its date: `"Cutover" due:Dec 3`.')
    milestone = milestones.add_by(
        request.session,
        program=program,
        actor=request.caller,
        name=names[0].text,
        due=request.date(options["due"]),
        now=request.now,
        workspace=request.workspace,
    )
    due = format_date(milestone.due_date)
    text = f"Milestone “{escape(milestone.name)}” added to *{escape(program.name)}*, due {due}."
    return Reply(message(text, [section(f":white_check_mark: {text}")]))


def done(request: CommandRequest) -> Result:
    """`milestone done <program> "<name>"`."""
    program, rest = request.program_and_rest()
    if len(rest) != 1:
        raise UserError("Give the milestone name in quotes.")
    milestone = milestones.complete_by(
        request.session,
        program=program,
        actor=request.caller,
        name=rest[0].text,
        now=request.now,
        workspace=request.workspace,
    )
    text = f"Milestone “{escape(milestone.name)}” of *{escape(program.name)}* is done."
    return Reply(message(text, [section(f":white_check_mark: {text}")]))
