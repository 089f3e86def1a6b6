"""`/pmo ooo until:<date>` and `/pmo ooo off`: out of office, delegates cover. `/pmo notify`:
which kinds of DM a person gets."""

from __future__ import annotations

from bot import notify, people, programs
from bot.blocks import notify as render_notify
from bot.blocks.common import notice
from bot.commands import split_options
from bot.dates import format_date
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest


def register(on: Listeners) -> None:
    """Route `/pmo ooo` and `/pmo notify` (guests are told notify doesn't apply to them)."""
    on.commands.add("ooo", out_of_office)
    on.commands.add("notify", notify_settings, guests=True)
    on.commands.add("notify mute", change_notify, guests=True)
    on.commands.add("notify unmute", change_notify, guests=True)


def notify_settings(request: CommandRequest) -> Result:
    """`notify` alone: the caller's DM settings."""
    if request.words:
        raise UserError("Say `mute` or `unmute`, then the kinds of DM.")
    muted = notify.settings_of(request.caller)
    return Reply(render_notify.settings_message(notify.KINDS, muted=muted))


def change_notify(request: CommandRequest) -> Result:
    """`notify mute|unmute <kind>…`."""
    muted = notify.change_muted(
        request.session,
        person=request.caller,
        words=[request.path.rpartition(" ")[2], *(w.text for w in request.words)],
        now=request.now,
    )
    return Reply(render_notify.muted_changed(muted=muted))


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
