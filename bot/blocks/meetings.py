"""What a chair sees of a meeting's settings: its receipt, the list, and their words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.common import chunk_lines, escape, message, plural, section
from bot.cadence import slot_local
from bot.dates import format_date
from bot.meetings.plans import AGENDA_BEFORE, next_start, plan_of, preread_at, preread_missed
from storage.models import Meeting, Workspace


def said(text: str) -> dict[str, Any]:
    """A one-line confirmation."""
    return message(text, [section(text)])


def when(meeting: Meeting, instant: datetime) -> str:
    """An instant as the meeting's people read it: `Mon 7 Dec 2026 10:00`."""
    local = slot_local(instant, meeting.timezone)
    return f"{format_date(local.date())} {local:%H:%M}"


def cancelled_message(channel_id: str, *, moved: int) -> dict[str, Any]:
    """The receipt of `cancel`: what becomes of its log and its open questions."""
    questions = (
        f" Its {plural(moved, 'open question')} went to the next meeting of each program, "
        "or to its sponsor."
        if moved
        else ""
    )
    return said(
        f"Cancelled the steering meeting in <#{channel_id}>. Its decisions and actions stay "
        f"in the log; open actions are still followed up.{questions}"
    )


def describe(meeting: Meeting) -> str:
    """The meeting in words: "mon 10:00, every 2 weeks, 60 min (Europe/Berlin), for the
    Payments portfolio"."""
    scope = (
        f"for the *{escape(meeting.portfolio)}* portfolio"
        if meeting.portfolio
        else "for every program"
    )
    return f"{plan_of(meeting).describe()}, {scope}"


def scheduled_message(
    meeting: Meeting,
    *,
    verb: str,
    workspace: Workspace,
    now: datetime,
    attendees_before: list[str] | None = None,
) -> dict[str, Any]:
    """The receipt of `schedule` or `edit`: when, who, and how it is prepared; after an
    edit that named attendees (`attendees_before`), who joined and who left."""
    people = ", ".join(f"<@{u}>" for u in meeting.attendees)
    text = (
        f":white_check_mark: {verb} the steering meeting in <#{meeting.channel_id}>: "
        f"{describe(meeting)}, chaired by <@{meeting.chair_id}>, with {people}."
    )
    lines = [text]
    if attendees_before is not None:
        lines.append(_attendee_change(attendees_before, list(meeting.attendees)))
    start = next_start(meeting, after=now)
    if start is not None:
        lines.append(
            f"Next: *{when(meeting, start)}*. {_preparation(meeting, start, workspace, now)}"
        )
    return message(" ".join(lines), [section(line) for line in lines])


def _attendee_change(before: list[str], after: list[str]) -> str:
    """`Added @kim; no longer attending: @otto.` (the names given replace the list)."""
    added = [f"<@{u}>" for u in after if u not in before]
    gone = [f"<@{u}>" for u in before if u not in after]
    parts = [
        f"Added {', '.join(added)}" if added else "",
        f"no longer attending: {', '.join(gone)}" if gone else "",
    ]
    said = "; ".join(part for part in parts if part) or "The attendees are as they were"
    return f"{said[0].upper()}{said[1:]} (the people named replace the list of attendees)."


def _next(meeting: Meeting, now: datetime) -> str:
    start = next_start(meeting, after=now)
    return when(meeting, start) if start is not None else "not scheduled"


def _preparation(meeting: Meeting, start: datetime, workspace: Workspace, now: datetime) -> str:
    """When the next occurrence is prepared, saying so when it is too late for a step."""
    preread, post = preread_at(meeting, start, workspace), start - AGENDA_BEFORE
    if preread > now:
        asked = f"The owners of its agenda items are asked to update on {when(meeting, preread)}"
    elif not preread_missed(start, due_at=preread, now=now):
        asked = "The owners of its agenda items are asked to update now (in their hours)"
    else:
        asked = "It is too late to ask the owners of its agenda items to update first"
    posted = (
        f"the agenda is posted at {when(meeting, post)}"
        if post > now
        else "the agenda is posted on the next scheduler pass"
    )
    return (
        f"{asked}; {posted}. Preview it any time with "
        f"`/pmo meeting agenda <#{meeting.channel_id}>`."
    )


def list_message(meetings: Sequence[Meeting], *, now: datetime) -> dict[str, Any]:
    """Every meeting of the workspace."""
    if not meetings:
        return said(
            "No steering meetings yet. Schedule one: "
            '`/pmo meeting schedule #channel "mon 10:00" every:2w @a @b`.'
        )
    lines = [
        f"• <#{m.channel_id}> · {describe(m)} · chaired by <@{m.chair_id}> · "
        f"{plural(len(m.attendees), 'attendee')} · next " + _next(m, now)
        for m in meetings
    ]
    body = [f"*{plural(len(meetings), 'steering meeting')}*", *lines]
    return message("\n".join(body), [section(chunk) for chunk in chunk_lines(body)])
