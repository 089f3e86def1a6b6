"""`/pmo ooo until:<date>` and `/pmo ooo off`: out of office, delegates cover."""

from __future__ import annotations

from bot import people, programs
from bot.blocks.common import notice
from bot.commands import split_options
from bot.dates import format_date
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest


def register(on: Listeners) -> None:
    """Route `/pmo ooo`."""
    on.commands.add("ooo", out_of_office)


def out_of_office(request: CommandRequest) -> Result:
    """Set or clear the caller's out-of-office date."""
    words, options = split_options(request.words, ("until",))
    if [w.text.lower() for w in words] == ["off"] and not options:
        people.set_out_of_office(
            request.session, person=request.caller, until=None, today=request.today, now=request.now
        )
        return Reply(notice("Welcome back: status prompts come to you again."))
    if words or "until" not in options:
        raise UserError('Say until when you are away (`until:"next friday"`), or `off`.')
    until = request.date(options["until"])
    people.set_out_of_office(
        request.session, person=request.caller, until=until, today=request.today, now=request.now
    )
    covered = []
    for program in programs.owned_by(request.session, person=request.caller):
        delegates = programs.delegate_ids(request.session, program_id=program.id)
        who = ", ".join(f"<@{d}>" for d in delegates) or "no delegate, so no prompts"
        covered.append(f"• *{program.name}*: {who}")
    lines = [
        f":palm_tree: You're out of office through {format_date(until)}. "
        "Status prompts go to your delegates meanwhile.",
        *covered,
    ]
    return Reply(notice("\n".join(lines)))
