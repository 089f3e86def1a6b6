"""Block Kit for a meeting's agenda: the preview, the posted agenda, and the owners' pre-read.

Whatever its size an agenda stays a valid message: each scheduled item is a section while
they fit in Slack's 50 blocks, several share a section beyond that (then in a short form),
and the "not scheduled" list is a few sections of one line each. Titles, details, options and
the portfolio's name are people's text and escaped; the mentions are ids the bot stored.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    Block,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    message,
    plural,
    section,
    truncate,
)
from bot.blocks.home import SUBMIT_ACTION
from bot.dates import format_date
from bot.meetings import facts
from bot.meetings.facts import Agenda, AgendaItem
from storage.models import Meeting

KIND_LABEL = {
    facts.DECISION: ":question: Decision",
    facts.RED: ":red_circle: New red",
    facts.WORSENING: ":large_yellow_circle: Amber twice running",
    facts.MISMATCH: ":warning: RAG mismatch",
    facts.LATE: ":alarm_clock: Late",
    facts.RISK: ":rotating_light: Escalated",
    facts.ACTION: ":ballot_box_with_check: Action",
    facts.INTAKE: ":inbox_tray: Intake",
    facts.PARKED: ":parking: Parked last time",
    facts.CARRIED: ":arrow_right_hook: Not reached last time",
}
TITLE_MAX = 150
DETAIL_MAX = 500
SHORT_DETAIL_MAX = 100
PREREAD_ITEMS_MAX = 20
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def agenda_message(
    meeting: Meeting, agenda: Agenda, *, starts_at: datetime, tz: str
) -> dict[str, Any]:
    """The agenda of the occurrence starting at `starts_at`, its times in `tz`."""
    local = starts_at.astimezone(ZoneInfo(tz))
    title = f"Steering agenda · {format_date(local.date())}, {local:%H:%M} ({tz})"
    later = _unscheduled(agenda)
    room = MESSAGE_BLOCKS_MAX - 2 - len(later) - (1 if later else 0)
    items = _items(agenda.items, starts_at=starts_at, tz=tz, room=room)
    if not agenda.items and not agenda.unscheduled:
        items = [section(_nothing(meeting, agenda, tz))]
    blocks = [header(title), context(_overview(meeting, agenda, tz)), *items]
    if later:
        blocks += [divider(), *later]
    text = f"{title} in <#{meeting.channel_id}>: {_count(agenda)}"
    return message(text, blocks)


def _overview(meeting: Meeting, agenda: Agenda, tz: str) -> str:
    used = sum(item.minutes for item in agenda.items)
    scope = f"the *{escape(meeting.portfolio)}* portfolio" if meeting.portfolio else "every program"
    since = (
        f"exceptions since the meeting of {_day(agenda.since, tz)}"
        if agenda.since
        else "every open exception (no earlier meeting)"
    )
    return (
        f"<#{meeting.channel_id}> · chair {mention(meeting.chair_id)} · {scope} · "
        f"{plural(len(agenda.items), 'item')}, {used} of {meeting.length_minutes} min · {since}"
    )


def _count(agenda: Agenda) -> str:
    more = len(agenda.unscheduled) + agenda.not_listed
    return plural(len(agenda.items), "item") + (f", {more} not scheduled" if more else "")


def _nothing(meeting: Meeting, agenda: Agenda, tz: str) -> str:
    scope = f" in the *{escape(meeting.portfolio)}* portfolio" if meeting.portfolio else ""
    since = f" since the meeting of {_day(agenda.since, tz)}" if agenda.since else ""
    return (
        f"Nothing on the agenda: no decision requests, exceptions or open actions{scope}"
        f"{since}. Owners can put a question to it with `/pmo decision request`."
    )


def _items(items: Sequence[AgendaItem], *, starts_at: datetime, tz: str, room: int) -> list[Block]:
    """The scheduled items, numbered with their start time: one section each while they fit
    in `room` blocks, else several to a section (short ones if need be), cut as a last resort."""
    zone, at, clocks = ZoneInfo(tz), starts_at, []
    for item in items:
        clocks.append(f"{at.astimezone(zone):%H:%M}")
        at += timedelta(minutes=item.minutes)
    numbered = list(zip(range(1, len(items) + 1), items, clocks, strict=True))
    full = [_item_text(n, item, clock) for n, item, clock in numbered]
    if len(full) <= room:
        return [section(text) for text in full]
    short = [_item_text(n, item, clock, short=True) for n, item, clock in numbered]
    for texts in (full, short):
        packed = _pack(texts)
        if len(packed) <= room:
            return [section(chunk) for chunk, _ in packed]
    kept = packed[: room - 1]
    left = len(items) - sum(count for _, count in kept)
    return [*(section(chunk) for chunk, _ in kept), section(f"…and {left} more items.")]


def _pack(texts: Sequence[str]) -> list[tuple[str, int]]:
    """Texts joined by blank lines into sections' worth: (text, how many it holds)."""
    packed: list[tuple[str, int]] = []
    for text in texts:
        if packed and len(packed[-1][0]) + 2 + len(text) <= SECTION_TEXT_MAX:
            packed[-1] = (f"{packed[-1][0]}\n\n{text}", packed[-1][1] + 1)
        else:
            packed.append((text, 1))
    return packed


def _item_text(number: int, item: AgendaItem, clock: str, *, short: bool = False) -> str:
    """One item: number, time, title, timebox and owner, then why, its options and date."""
    head = (
        f"*{number}. {_text(item.title, TITLE_MAX)}* · {clock} · {item.minutes} min · "
        f"{mention(item.owner_id)}"
    )
    label = KIND_LABEL.get(item.kind, item.kind)
    why = _text(item.detail, SHORT_DETAIL_MAX if short else DETAIL_MAX)
    lines = [head, f"{label} — {why}" if why else label]
    if item.options and not short:
        lines.append("Options: " + " · ".join(_text(option, 100) for option in item.options))
    if item.kind == facts.DECISION and item.due and not short:
        lines.append(f"Decide by {format_date(date.fromisoformat(item.due))}")
    return "\n".join(lines)


def _text(text: str | None, limit: int) -> str:
    """People's text, escaped, then cut to `limit` characters (no entity split)."""
    return truncate(escape(" ".join((text or "").split())), limit)


def _unscheduled(agenda: Agenda) -> list[Block]:
    """The "not scheduled" list: a line per item, and how many more were not listed."""
    if not agenda.unscheduled and not agenda.not_listed:
        return []
    total = len(agenda.unscheduled) + agenda.not_listed
    lines = [f"*Not scheduled* ({total}): no time left in the meeting's length"]
    lines += [_unscheduled_line(item) for item in agenda.unscheduled]
    if agenda.not_listed:
        lines.append(f"…and {agenda.not_listed} more.")
    return [section(chunk) for chunk in chunk_lines(lines)]


def _unscheduled_line(item: AgendaItem) -> str:
    label = KIND_LABEL.get(item.kind, item.kind)
    return f"• {_text(item.title, TITLE_MAX)} — {label} · {mention(item.owner_id)}"


def mention(user_id: str | None) -> str:
    """A stored user id as a mention; anything else (or nobody) as text."""
    if user_id and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape(user_id) if user_id else "no owner"


def _day(iso: str | None, tz: str) -> str:
    if iso is None:
        return ""
    return format_date(datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).date())


# --- the owners' pre-read -----------------------------------------------------------------------


def preread_message(
    meeting: Meeting,
    items: Sequence[AgendaItem],
    *,
    starts_at: datetime,
    post_at: datetime,
    tz: str,
    updatable: Collection[str] = (),
) -> dict[str, Any]:
    """One owner's DM a working day before: their items, and *Submit update* on each item
    whose ref is in `updatable` (a program they answer for). Times are in `tz`, theirs."""
    zone = ZoneInfo(tz)
    local, post = starts_at.astimezone(zone), f"{post_at.astimezone(zone):%H:%M}"
    on = f"on {local:%A}'s steering agenda"
    ask = f"Update before {post}?"
    shown = items[:PREREAD_ITEMS_MAX]
    if len(items) == 1:
        lead = f"*{_text(items[0].title, TITLE_MAX)}* is {on}: {_sentence(_why(items[0]))} {ask}"
        lines, blocks = [lead], []
    else:
        lead = f"You have {len(items)} items {on}. {ask}"
        lines = [f"*{_text(item.title, TITLE_MAX)}*: {_why(item)}" for item in shown]
        blocks = [section(lead)]
    for line, item in zip(lines, shown, strict=True):
        blocks.append(section(line, accessory=_update_button(item, updatable)))
    if len(items) > len(shown):
        blocks.append(section(f"…and {len(items) - len(shown)} more."))
    where = (
        f"The meeting in <#{meeting.channel_id}> starts {format_date(local.date())} at "
        f"{local:%H:%M} your time; the agenda is posted at {post}."
    )
    blocks.append(context(where))
    return message(f"{lead} {where}", blocks)


def _update_button(item: AgendaItem, updatable: Collection[str]) -> Block | None:
    """*Submit update* for a program's item: the status modal Home's button opens."""
    if item.ref not in updatable or item.program_id is None:
        return None
    return button("Submit update", action_id=SUBMIT_ACTION, value=str(item.program_id))


def _sentence(text: str) -> str:
    """`text` ending as a sentence does."""
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def _why(item: AgendaItem) -> str:
    """Why the item is on the agenda, in a line (escaped)."""
    return _text(item.detail, DETAIL_MAX) or KIND_LABEL.get(item.kind, item.kind)
