"""A person's own settings: `/pmo ooo` (out of office, delegates cover), `/pmo hours` and
`/pmo holidays` (their working calendar), `/pmo notify` (which kinds of DM they get)."""

from __future__ import annotations

from typing import Any

from bot import notify, people, programs, working_time
from bot.blocks import config as render_config
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
    on.commands.add("hours", own_hours)
    on.commands.add("holidays", own_holidays)
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


_DEFAULT = "default"


def own_hours(request: CommandRequest) -> Result:
    """`/pmo hours [<days>] [<HH:MM-HH:MM>]`, or `default`: the caller's working days and
    message hours; alone, what they are now."""
    words = [w.text for w in request.words]
    if not words:
        return Reply(_calendar_notice(request, "Your working time"))
    if [w.lower() for w in words] == [_DEFAULT]:
        people.set_calendar(
            request.session, person=request.caller, now=request.now, reset=("workdays", "hours")
        )
        return Reply(_calendar_notice(request, "You follow the workspace's working time again"))
    spans = [w for w in words if any(c.isdigit() for c in w)]
    days = " ".join(w for w in words if w not in spans)
    if len(spans) > 1:
        raise UserError(
            "Give one span of hours, e.g. `/pmo hours sun-thu 08:00-16:00`.", echo=" ".join(words)
        )
    people.set_calendar(
        request.session,
        person=request.caller,
        now=request.now,
        workdays=working_time.parse_workdays(days) if days else None,
        hours=working_time.parse_hours(spans[0]) if spans else None,
    )
    return Reply(_calendar_notice(request, "Your working time is now"))


def own_holidays(request: CommandRequest) -> Result:
    """`/pmo holidays <CC[-REGION]>`, `none` or `default`: whose public holidays are the
    caller's days off; alone, which they are now."""
    words = [w.text for w in request.words]
    if not words:
        return Reply(_calendar_notice(request, "Your working time"))
    if len(words) != 1:
        raise UserError(
            "Give one country code such as `DE` or `US-CA`, `none`, or `default`.",
            echo=" ".join(words),
        )
    if words[0].lower() == _DEFAULT:
        people.set_calendar(
            request.session, person=request.caller, now=request.now, reset=("holidays",)
        )
        return Reply(_calendar_notice(request, "You follow the workspace's holidays again"))
    code = working_time.parse_holidays(words[0])
    # "none" is a choice of its own: no holidays, whatever the workspace has.
    people.set_calendar(
        request.session,
        person=request.caller,
        now=request.now,
        holidays=code or working_time.NO_HOLIDAYS_CODE,
    )
    return Reply(_calendar_notice(request, "Your working time is now"))


def _calendar_notice(request: CommandRequest, lead: str) -> dict[str, Any]:
    return render_config.own_calendar_message(request.caller, request.workspace, lead=lead)
