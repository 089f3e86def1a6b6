"""`/pmo milestone add|done`."""

from __future__ import annotations

from slack_bolt import App

from bot import milestones, programs
from bot.blocks.common import message, section
from bot.commands import split_options
from bot.dates import format_date
from bot.errors import UserError
from handlers.programs import program_arg
from handlers.request import CommandRequest
from handlers.router import Reply, Router


def register(app: App, router: Router) -> None:
    """Route `/pmo milestone …`."""
    router.add("milestone add", add)
    router.add("milestone done", done)


def add(request: CommandRequest) -> Reply:
    """`milestone add <program> "<name>" due:<date>`."""
    program, rest = program_arg(request)
    names, options = split_options(rest, ("due",))
    if len(names) != 1 or "due" not in options:
        raise UserError('Give the milestone name in quotes and its date: `"Cutover" due:Dec 3`.')
    programs.require_update(
        request.session, program=program, person=request.caller, doing="add milestones to"
    )
    due = request.date(options["due"])
    milestone = milestones.add_milestone(
        request.session,
        program=program,
        actor_id=request.user_id,
        name=names[0].text,
        due=due,
        now=request.now,
        workspace=request.workspace,
    )
    text = f"Milestone “{milestone.name}” added to *{program.name}*, due {format_date(due)}."
    return message(text, [section(f":white_check_mark: {text}")])


def done(request: CommandRequest) -> Reply:
    """`milestone done <program> "<name>"`."""
    program, rest = program_arg(request)
    if len(rest) != 1:
        raise UserError("Give the milestone name in quotes.")
    programs.require_update(
        request.session, program=program, person=request.caller, doing="complete milestones of"
    )
    milestone = milestones.complete_milestone(
        request.session,
        program=program,
        actor_id=request.user_id,
        name=rest[0].text,
        now=request.now,
        workspace=request.workspace,
    )
    text = f"Milestone “{milestone.name}” of *{program.name}* is done."
    return message(text, [section(f":white_check_mark: {text}")])
