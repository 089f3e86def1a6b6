"""What `/pmo config` answers: the settings, and each change confirmed."""

from __future__ import annotations

from typing import Any

from bot import working_time
from bot.blocks.common import notice
from storage.models import Person, Workspace


def settings_message(space: Workspace, *, admins: list[str]) -> dict[str, Any]:
    """The workspace's settings, for an admin."""
    who = ", ".join(f"<@{a}>" for a in admins)
    lines = [
        "*PMO configuration*",
        "Admins: " + (who or "none yet (Slack workspace admins and owners act as PMO admins)"),
        f"PMO channel: {f'<#{space.pmo_channel_id}>' if space.pmo_channel_id else 'not set'}",
        "Intake channel: "
        + (f"<#{space.intake_channel_id}>" if space.intake_channel_id else "not set (PMO channel)"),
        f"Time zone: {space.timezone}",
        f"Grace period: {space.grace_hours} working hours "
        f"(reminder after {space.grace_hours / 2:g}, in message hours)",
        f"Working time: {calendar_line(space)}",
        f"Flag alerts in the PMO channel: {describe_alerts(space.pmo_alerts)}",
    ]
    return notice("\n".join(lines))


def admin_changed(user_id: str, *, added: bool, changed: bool) -> dict[str, Any]:
    """`config admins add|remove` confirmed."""
    if not added:
        return notice(f"<@{user_id}> is no longer a PMO admin.")
    return notice(f"<@{user_id}> {'is now' if changed else 'already is'} a PMO admin.")


def grace_changed(hours: int) -> dict[str, Any]:
    """`config grace` confirmed, with when the reminder goes."""
    return notice(
        f"Updates are now overdue {hours} working hours after they are asked for (weekends "
        f"and holidays don't count); one reminder goes out after {hours / 2:g}, in the "
        "owner's message hours. This applies from the next status slot."
    )


def calendar_line(space: Workspace) -> str:
    """The workspace's working days, message hours and holidays in one line."""
    calendar = working_time.for_workspace(space)
    days = working_time.format_workdays(space.workdays)
    holidays = space.holidays or "none"
    return (
        f"{days}, messages {calendar.opens:%H:%M}–{calendar.closes:%H:%M} in each person's "
        f"zone; public holidays: {holidays}"
    )


def calendar_changed(space: Workspace) -> dict[str, Any]:
    """`config workweek|hours|holidays` confirmed."""
    return notice(
        f"Working time is now {calendar_line(space)}. Prompts, reminders, stand-up "
        "questions and grace follow it, except for people who set their own with "
        "`/pmo hours` or `/pmo holidays`; jobs already scheduled keep their times."
    )


def describe_alerts(setting: str) -> str:
    """A stored `config alerts` setting in words: "all", "red and stale", "none (digest only)"."""
    if setting == "all":
        return "all (red, overdue, stale, high-risk)"
    if setting == "digest-only":
        return "none (digest only: digests still show every flag)"
    kinds = setting.split(",")
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + f" and {kinds[-1]}"


def alerts_changed(setting: str) -> dict[str, Any]:
    """`config alerts` confirmed."""
    if setting == "digest-only":
        return notice(
            "Flag changes are no longer posted to the PMO channel; digests still show every "
            "flag, and owners are still told by DM."
        )
    return notice(f"The PMO channel will hear of flag changes: {describe_alerts(setting)}.")


def own_calendar_message(person: Person, space: Workspace, *, lead: str) -> dict[str, Any]:
    """A person's working time (`/pmo hours`, `/pmo holidays`), and which parts are their own."""
    own = [
        name
        for name, value in (
            ("days", person.workdays),
            ("hours", person.hours),
            ("holidays", person.holidays),
        )
        if value is not None
    ]
    whose = (
        f"your own {', '.join(own)}; the rest follows the workspace" if own else "the workspace's"
    )
    calendar = working_time.for_person(person, space)
    return notice(
        f"{lead}: {working_time.describe(calendar)} ({whose}). Prompts, reminders and "
        "stand-up questions reach you then; weekends and holidays don't count towards grace.\n"
        "Change it with `/pmo hours &lt;days&gt; &lt;HH:MM-HH:MM&gt;` and "
        "`/pmo holidays &lt;country&gt;`, or go back with `default`."
    )
