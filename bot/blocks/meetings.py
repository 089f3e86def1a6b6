"""What a chair sees of a meeting's settings: its receipt, the list, and their words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.common import chunk_lines, escape, message, plural, section
from bot.cadence import slot_local
from bot.dates import format_date
from bot.meetings.plans import AGENDA_BEFORE, plan_of, preread_at
from storage.models import Meeting, Workspace


def said(text: str) -> dict[str, Any]:
    """A one-line confirmation."""
    return message(text, [section(text)])


def when(meeting: Meeting, instant: datetime) -> str:
    """An instant as the meeting's people read it: `Mon 7 Dec 2026 10:00`."""
    local = slot_local(instant, meeting.timezone)
    return f"{format_date(local.date())} {local:%H:%M}"


def describe(meeting: Meeting) -> str:
    """The meeting in words: "mon 10:00, every 2 weeks, 60 min (Europe/Berlin), for the
    Payments portfolio"."""
    scope = (
        f"for the *{escape(meeting.portfolio)}* portfolio"
        if meeting.portfolio
        else "for every program"
    )
    return f"{plan_of(meeting).describe()}, {scope}"


def scheduled_message(meeting: Meeting, *, verb: str, workspace: Workspace) -> dict[str, Any]:
    """The receipt of `schedule` or `edit`: when, who, and how it is prepared."""
    people = ", ".join(f"<@{u}>" for u in meeting.attendees)
    text = (
        f":white_check_mark: {verb} the steering meeting in <#{meeting.channel_id}>: "
        f"{describe(meeting)}, chaired by <@{meeting.chair_id}>, with {people}."
    )
    lines = [text]
    if meeting.next_due_at is not None:
        start = meeting.next_due_at
        lines.append(
            f"Next: *{when(meeting, start)}*. The owners of its agenda items are asked to "
            f"update on {when(meeting, preread_at(meeting, start, workspace))}; the agenda "
            f"is posted at {when(meeting, start - AGENDA_BEFORE)}. Preview it any time with "
            f"`/pmo meeting agenda <#{meeting.channel_id}>`."
        )
    return message(" ".join(lines), [section(line) for line in lines])


def list_message(meetings: Sequence[Meeting]) -> dict[str, Any]:
    """Every meeting of the workspace."""
    if not meetings:
        return said(
            "No steering meetings yet. Schedule one: "
            '`/pmo meeting schedule #channel "mon 10:00" every:2w @a @b`.'
        )
    lines = [
        f"• <#{m.channel_id}> · {describe(m)} · chaired by <@{m.chair_id}> · "
        f"{plural(len(m.attendees), 'attendee')} · next "
        + (when(m, m.next_due_at) if m.next_due_at else "not scheduled")
        for m in meetings
    ]
    body = [f"*{plural(len(meetings), 'steering meeting')}*", *lines]
    return message("\n".join(body), [section(chunk) for chunk in chunk_lines(body)])
