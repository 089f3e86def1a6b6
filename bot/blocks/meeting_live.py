"""Block Kit of a steering meeting as it runs and once it closed: the live message edited in
place, the *Record decision* and *Add action* modals, and the minutes.

Every text people typed (item titles, questions, options, program names and summaries,
decisions, rationales, action titles) is escaped here. The live message has a fixed number of
blocks whatever the agenda holds; the minutes pack their lines into sections and stop at
Slack's 50 blocks with a note saying where the rest is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import limits
from bot.blocks.common import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    chunk_lines,
    context,
    escape,
    escape_message,
    header,
    input_block,
    message,
    modal,
    notice,
    plain,
    plural,
    section,
    text_input,
    truncate,
)
from bot.blocks.decisions import meeting_when
from bot.dates import format_date
from bot.meetings import facts
from storage.models import ActionItem, Decision, DecisionRequest, Meeting, Program

RECORD_ACTION = "meeting_live_decide"
ADD_ACTION = "meeting_live_act"
PARK_ACTION = "meeting_live_park"
NEXT_ACTION = "meeting_live_next"
TAKE_ACTION = "meeting_live_take"
CLOSE_ACTION = "meeting_live_close"
DECISION_VIEW = "meeting_decision"
ACTION_VIEW = "meeting_action"

TITLE_MAX = 200
DETAIL_MAX = 600
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
UP_NEXT_SHOWN = 3
RECORDED_ACTIONS_SHOWN = 5  # the latest actions of the current item the live message lists
RECORDED_SECTIONS_MAX = 2  # what it recorded on the item fits in two sections

KIND_LABELS = {
    facts.DECISION: ":ballot_box_with_ballot: Decision requested",
    facts.RED: ":red_circle: Red program",
    facts.WORSENING: ":large_yellow_circle: Amber, worsening",
    facts.MISMATCH: ":mag: Colour better than the evidence",
    facts.LATE: ":hourglass: Late",
    facts.RISK: ":warning: Escalated risk",
    facts.ACTION: ":pushpin: Open action",
    facts.INTAKE: ":inbox_tray: Intake awaiting a decision",
    facts.PARKED: ":parking: Parked last time",
    facts.CARRIED: ":leftwards_arrow_with_hook: Not reached last time",
}
RAG_ICONS = {
    "green": ":large_green_circle:",
    "amber": ":large_yellow_circle:",
    "red": ":red_circle:",
}
OUTCOME_WORDS = {
    facts.DECIDED: "decided",
    facts.ACTIONED: "actioned",
    facts.PARKED_OUTCOME: "parked",
    facts.DISCUSSED: "discussed",
}


# --- the live message ----------------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """The item being discussed, with what the meeting needs to know about it now.

    Attributes:
        item: The agenda item.
        program: Its program as it stands now (status, summary, path to green).
        request: The decision request it puts to the meeting.
        since: When it became the current item; its timebox runs from then.
        decision: The decision recorded on it in this meeting, if any.
        actions: The actions added from it in this meeting, oldest first.
    """

    item: facts.AgendaItem
    program: Program | None
    request: DecisionRequest | None
    since: datetime
    decision: Decision | None = None
    actions: tuple[ActionItem, ...] = ()


@dataclass(frozen=True)
class LiveView:
    """What the live message shows.

    Attributes:
        occurrence_id: The occurrence, named in every button's value.
        channel_id: The meeting's channel.
        chair_id: Its chair.
        tz: The meeting's zone, which times are shown in.
        items: The agenda as walked, in order (scheduled items, then the rest, until the
            chair takes one up out of order).
        unscheduled: The refs of the items that did not fit the meeting's length.
        position: The index of the current item (len(items) once all are done).
        outcomes: What happened to each item so far (ref -> outcome).
        current: The current item, None once all are done.
        decisions: How many decisions were recorded.
        actions: How many actions were added.
        started_at: When the meeting started.
        started_by: Who started it.
        closed_at: When it closed (None while live).
        closed_by: Who closed it (None: it closed itself, 30 minutes after its end).
    """

    occurrence_id: int
    channel_id: str
    chair_id: str
    tz: str
    items: list[facts.AgendaItem]
    unscheduled: frozenset[str]
    position: int
    outcomes: dict[str, str]
    current: Current | None
    decisions: int
    actions: int
    started_at: datetime
    started_by: str
    closed_at: datetime | None = None
    closed_by: str | None = None


def button_value(occurrence_id: int, position: int, ref: str) -> str:
    """A live button's value: the occurrence, the index it showed as current, that item."""
    return f"{occurrence_id}:{position}:{ref}"


def live_message(view: LiveView) -> dict[str, Any]:
    """The live message: the current item and its buttons; once done, *Close meeting*; once
    closed, a closing line and no buttons."""
    if view.closed_at is not None:
        return _closed(view)
    lead = _lead(view)
    if view.current is None:
        return _all_done(view, lead)
    current = view.current
    blocks = [
        section(lead),
        section(_item_heading(view, current.item)),
        context(*_item_facts(view, current)),
        *_item_context(current),
        *_item_record(current),
        context(_tally(view)),
        _buttons(view, current),
    ]
    upcoming = _up_next(view)
    if upcoming:
        blocks.append(context(upcoming))
    text = f"Steering meeting live in <#{view.channel_id}>: item {view.position + 1} of " + (
        f"{len(view.items)}, {escape(truncate(current.item.title, TITLE_MAX))}"
    )
    return message(text, blocks)


def _lead(view: LiveView) -> str:
    return (
        f":red_circle: *Steering meeting live* in <#{view.channel_id}> · chair "
        f"<@{view.chair_id}> · started {_clock(view.started_at, view.tz)} by "
        f"<@{view.started_by}>"
    )


def _item_heading(view: LiveView, item: facts.AgendaItem) -> str:
    position = f"*Item {view.position + 1} of {len(view.items)}*"
    if item.ref in view.unscheduled:
        position += " (not scheduled)"
    kind = KIND_LABELS.get(item.kind, item.kind)
    return f"{position} · {kind}\n*{escape(truncate(item.title, TITLE_MAX))}*"


def _item_facts(view: LiveView, current: Current) -> list[str]:
    item = current.item
    until = current.since + timedelta(minutes=item.minutes)
    timebox = (
        f":stopwatch: {item.minutes} min · since {_clock(current.since, view.tz)}, "
        f"until {_clock(until, view.tz)}"
    )
    owner = f"Owner: <@{item.owner_id}>" if item.owner_id else "No owner"
    return [timebox, owner]


def _item_context(current: Current) -> list[Block]:
    """The item's context: its program's status and path to green, the question and its
    options, or the item's own line."""
    lines = []
    program, request, item = current.program, current.request, current.item
    if program is not None:
        lines += _program_lines(program)
    if request is not None:
        lines += _request_lines(request)
    elif item.detail and item.detail != item.title:
        lines.append(escape(truncate(item.detail, DETAIL_MAX)))
    return [section(text) for text in chunk_lines(lines)] if lines else []


def _item_record(current: Current) -> list[Block]:
    """What the meeting recorded on the current item so far: its decision and its latest
    actions (the message keeps its size however many there are)."""
    lines = [_decision_line(current.decision)] if current.decision is not None else []
    earlier = len(current.actions) - RECORDED_ACTIONS_SHOWN
    lines += [_action_line(action) for action in current.actions[-RECORDED_ACTIONS_SHOWN:]]
    if not lines:
        return []
    if earlier > 0:
        lines.append(f"…and {plural(earlier, 'earlier action')}")
    texts = chunk_lines(["*Recorded on this item*", *lines])
    return [section(text) for text in texts[:RECORDED_SECTIONS_MAX]]


def _program_lines(program: Program) -> list[str]:
    rag = program.rag or "no status"
    icon = RAG_ICONS.get(rag, ":white_circle:")
    lines = [f"{icon} *{escape(truncate(program.name, TITLE_MAX))}* is {rag}"]
    if program.last_summary:
        lines[0] += f": {escape(truncate(program.last_summary, DETAIL_MAX))}"
    if program.path_to_green:
        lines.append(f"_Path to green:_ {escape(truncate(program.path_to_green, DETAIL_MAX))}")
    return lines


def _request_lines(request: DecisionRequest) -> list[str]:
    lines = [f"*Question:* {escape(truncate(request.question, DETAIL_MAX))}"]
    if request.options:
        options = " · ".join(escape(truncate(str(o), OPTION_TEXT_MAX)) for o in request.options)
        lines.append(f"*Options:* {options}")
    if request.by_date is not None:
        lines.append(f"Needed by {format_date(request.by_date)}")
    return lines


def _tally(view: LiveView) -> str:
    values = list(view.outcomes.values())
    parked = values.count(facts.PARKED_OUTCOME)
    discussed = values.count(facts.DISCUSSED)
    return (
        f"So far: {plural(view.decisions, 'decision')} · {plural(view.actions, 'action')} · "
        f"{parked} parked · {discussed} discussed"
    )


def _buttons(view: LiveView, current: Current) -> Block:
    """The item's buttons; once it is decided, no second *Record decision* nor *Park*, and
    moving on is the next step."""
    value = button_value(view.occurrence_id, view.position, current.item.ref)
    if current.decision is None:
        elements = [
            button("Record decision", action_id=RECORD_ACTION, value=value, style="primary"),
            button("Add action", action_id=ADD_ACTION, value=value),
            button("Park", action_id=PARK_ACTION, value=value),
            button("Next item", action_id=NEXT_ACTION, value=value),
        ]
    else:  # decided: nothing to park or decide again
        elements = [
            button("Add action", action_id=ADD_ACTION, value=value),
            button("Next item", action_id=NEXT_ACTION, value=value, style="primary"),
        ]
    remaining = view.items[view.position + 1 :][:SELECT_OPTIONS_MAX]
    if remaining:
        elements.append(_take_select(view, remaining))
    return actions(*elements, block_id=f"meeting_live_{view.occurrence_id}")


def _take_select(view: LiveView, remaining: list[facts.AgendaItem]) -> Block:
    """The chair's reorder: take up one of the remaining items now (the current one, if it
    has no outcome yet, comes right after it)."""
    first = view.position + 2
    options = [
        {
            "text": plain(f"{first + n}. {item.title}", OPTION_TEXT_MAX),
            "value": button_value(view.occurrence_id, view.position, item.ref),
        }
        for n, item in enumerate(remaining)
    ]
    return {
        "type": "static_select",
        "action_id": TAKE_ACTION,
        "placeholder": plain("Take up now… (chair)", 150),
        "options": options,
    }


def _up_next(view: LiveView) -> str:
    upcoming = view.items[view.position + 1 : view.position + 1 + UP_NEXT_SHOWN]
    if not upcoming:
        return ""
    names = " · ".join(escape(truncate(item.title, 60)) for item in upcoming)
    more = len(view.items) - view.position - 1 - len(upcoming)
    return f"Up next: {names}" + (f" · and {more} more" if more > 0 else "")


def _all_done(view: LiveView, lead: str) -> dict[str, Any]:
    done = (
        f":checkered_flag: All done: {plural(len(view.items), 'item')}."
        if view.items
        else ":checkered_flag: The agenda is empty."
    )
    close = button(
        "Close meeting", action_id=CLOSE_ACTION, value=str(view.occurrence_id), style="primary"
    )
    blocks = [
        section(lead),
        section(f"{done} The chair or a PMO admin closes the meeting; the minutes follow here."),
        context(_tally(view)),
        actions(close, block_id=f"meeting_live_{view.occurrence_id}"),
    ]
    return message(f"Steering meeting in <#{view.channel_id}>: {done}", blocks)


def _closed(view: LiveView) -> dict[str, Any]:
    assert view.closed_at is not None
    by = f" by <@{view.closed_by}>" if view.closed_by else ""
    text = (
        f":lock: *Steering meeting* in <#{view.channel_id}> closed at "
        f"{_clock(view.closed_at, view.tz)}{by}. The minutes are in the thread."
    )
    return message(text, [section(text), context(_tally(view))])


def _clock(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%H:%M")


# --- the modals ----------------------------------------------------------------------------


def modal_metadata(occurrence_id: int, ref: str) -> str:
    """What a modal carries back: the occurrence and the item it is about."""
    return f"{occurrence_id}:{ref}"


def decision_modal(
    *,
    occurrence_id: int,
    item: facts.AgendaItem,
    options: list[str],
    chair_id: str,
) -> Block:
    """*Record decision*: the decision, the option chosen (when the question has options),
    the rationale and who decided (the chair unless changed)."""
    blocks: list[Block] = [section(f"*{escape(truncate(item.title, TITLE_MAX))}*")]
    blocks.append(
        input_block(
            "decision",
            "Decision",
            text_input("value", max_length=limits.DECISION.form_limit, multiline=True),
        )
    )
    if options:
        blocks.append(_option_input(options))
    blocks.append(
        input_block(
            "rationale",
            "Rationale",
            text_input("value", max_length=limits.RATIONALE.form_limit, multiline=True),
            optional=True,
        )
    )
    deciders = {"type": "multi_users_select", "action_id": "value", "initial_users": [chair_id]}
    blocks.append(input_block("decided_by", "Who decided", deciders))
    return modal(
        callback_id=DECISION_VIEW,
        title="Record decision",
        blocks=blocks,
        submit="Record",
        private_metadata=modal_metadata(occurrence_id, item.ref),
    )


def _option_input(options: list[str]) -> Block:
    choices = [
        {"text": plain(option, OPTION_TEXT_MAX), "value": option[:OPTION_VALUE_MAX]}
        for option in options[:SELECT_OPTIONS_MAX]
    ]
    select = {"type": "static_select", "action_id": "value", "options": choices}
    return input_block("option", "Option chosen", select, optional=True)


def action_modal(*, occurrence_id: int, item: facts.AgendaItem, due: date) -> Block:
    """*Add action*: what is to be done, by whom, by when (not in the past)."""
    owner: Block = {"type": "users_select", "action_id": "value"}
    if item.owner_id:
        owner["initial_user"] = item.owner_id
    picker = {"type": "datepicker", "action_id": "value", "initial_date": due.isoformat()}
    blocks = [
        section(f"*{escape(truncate(item.title, TITLE_MAX))}*"),
        input_block(
            "title", "Action", text_input("value", max_length=limits.ACTION_TITLE.form_limit)
        ),
        input_block("owner", "Owner", owner),
        input_block("due", "Due", picker),
    ]
    return modal(
        callback_id=ACTION_VIEW,
        title="Add action",
        blocks=blocks,
        submit="Add",
        private_metadata=modal_metadata(occurrence_id, item.ref),
    )


def recorded_view(title: str, text: str) -> Block:
    """What replaces a submitted modal: what was recorded, or that someone was first."""
    view = modal(callback_id="done", title=title, blocks=[section(text)], submit=None)
    view["close"] = plain("Close", 24)
    return view


def decision_recorded(decision: Decision) -> str:
    """The receipt of a recorded decision."""
    return f":white_check_mark: Recorded *D-{decision.number}*: {escape(decision.text)}"


def action_added(action: ActionItem) -> str:
    """The receipt of an added action."""
    return (
        f":white_check_mark: Added *A-{action.number}*: {escape(action.title)} · "
        f"<@{action.owner_id}> · due {format_date(action.due_date)}"
    )


def first_was_quicker(said: str, typed: str | None) -> str:
    """Someone settled the item a moment earlier: say who, and give back what was typed."""
    text = f":information_source: {escape_message(said)}"
    if typed:
        text += f"\nYou wrote: {escape(truncate(typed, DETAIL_MAX))}"
    return text


# --- the minutes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesFacts:
    """What the minutes say, gathered once when the meeting closes.

    Attributes:
        channel_id: The meeting's channel.
        chair_id: Its chair.
        tz: Its zone.
        starts_at: When it started (or was to start, for a missed one).
        closed_at: When it closed (or was recorded as missed).
        attendees: Its attendees.
        decisions: The decisions recorded in it, by number.
        actions: The actions added in it, by number.
        parked: Items parked.
        discussed: Items discussed without a decision or action.
        not_reached: Items never reached, carried to the next agenda.
        missed: Nobody started it.
        next_start: The next start, where a missed meeting's agenda carries over to.
    """

    channel_id: str
    chair_id: str
    tz: str
    starts_at: datetime
    closed_at: datetime
    attendees: list[str]
    decisions: list[Decision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    parked: list[facts.AgendaItem] = field(default_factory=list)
    discussed: list[facts.AgendaItem] = field(default_factory=list)
    not_reached: list[facts.AgendaItem] = field(default_factory=list)
    missed: bool = False
    next_start: datetime | None = None
    items: dict[str, facts.AgendaItem] = field(default_factory=dict)  # by ref: what each was on


def minutes_message(minutes: MinutesFacts) -> dict[str, Any]:
    """The minutes as posted and kept: a dict of `text` and `blocks`, at most 50 blocks."""
    if minutes.missed:
        return _missed_minutes(minutes)
    day = _local_day(minutes.starts_at, minutes.tz)
    span = f"{_clock(minutes.starts_at, minutes.tz)}–{_clock(minutes.closed_at, minutes.tz)}"
    blocks = [
        header(f"Minutes: steering meeting, {format_date(day)}"),
        section(
            f"<#{minutes.channel_id}> · {format_date(day)}, {span} ({minutes.tz}) · chair "
            f"<@{minutes.chair_id}>"
        ),
        section(f"*Attendees:* {_people(minutes.attendees) or 'none listed'}"),
    ]
    groups = [
        ("Decisions", [_decision_line(d, on=_on(minutes, d.item_ref)) for d in minutes.decisions]),
        ("Actions", [_action_line(a, on=_on(minutes, a.item_ref)) for a in minutes.actions]),
        ("Parked", [_item_line(i) for i in minutes.parked]),
        ("Discussed", [_item_line(i) for i in minutes.discussed]),
        ("Not reached (carried to the next agenda)", [_item_line(i) for i in minutes.not_reached]),
    ]
    for title, lines in groups:
        blocks += _group(title, lines)
    text = (
        f"Minutes of the steering meeting in <#{minutes.channel_id}>, {format_date(day)}: "
        f"{plural(len(minutes.decisions), 'decision')}, {plural(len(minutes.actions), 'action')}"
        f", {len(minutes.parked)} parked, {len(minutes.not_reached)} not reached."
    )
    return message(text, _bounded(blocks))


def _missed_minutes(minutes: MinutesFacts) -> dict[str, Any]:
    day = _local_day(minutes.starts_at, minutes.tz)
    text = (
        f"The steering meeting in <#{minutes.channel_id}> on {format_date(day)} was not "
        "started: it is recorded as missed."
    )
    if minutes.next_start is not None:
        nxt = format_date(_local_day(minutes.next_start, minutes.tz))
        text += f" Its agenda carries over to {nxt}."
    blocks = [header(f"Missed: steering meeting, {format_date(day)}"), section(text)]
    blocks += _group("Carried over", [_item_line(i) for i in minutes.not_reached])
    return message(text, _bounded(blocks))


def missed_dm(minutes: MinutesFacts) -> dict[str, Any]:
    """What the chair of a meeting nobody started is told."""
    day = _local_day(minutes.starts_at, minutes.tz)
    text = (
        f":calendar: The steering meeting in <#{minutes.channel_id}> on "
        f"{_short_day(day)} was not started"
    )
    if minutes.next_start is not None:
        nxt = _short_day(_local_day(minutes.next_start, minutes.tz))
        text += f"; its agenda carries over to {nxt}."
    else:
        text += "; it is recorded as missed."
    return message(text, [section(text)])


def _group(title: str, lines: list[str]) -> list[Block]:
    if not lines:
        return []
    texts = chunk_lines([f"*{title}* ({len(lines)})", *lines])
    return [section(text) for text in texts]


def _bounded(blocks: list[Block]) -> list[Block]:
    """At most Slack's 50 blocks; what does not fit is pointed to, not lost."""
    if len(blocks) <= MESSAGE_BLOCKS_MAX:
        return blocks
    note = context(
        "The minutes go on beyond what one message holds: `/pmo decisions` and `/pmo actions` "
        "list every decision and action."
    )
    return [*blocks[: MESSAGE_BLOCKS_MAX - 1], note]


def _on(minutes: MinutesFacts, ref: str | None) -> str:
    """` on Hermes — Extend the contract?`: the agenda item a decision or action came from."""
    item = minutes.items.get(ref or "")
    if item is None:
        return ""
    asked = f" — {item.detail}" if item.kind == facts.DECISION and item.detail != item.title else ""
    return f" on {escape(truncate(item.title + asked, TITLE_MAX))}"


def _decision_line(decision: Decision, *, on: str = "") -> str:
    text = escape(truncate(decision.text, DETAIL_MAX))
    line = f"• *D-{decision.number}*{on}: {text}" if on else f"• *D-{decision.number}* {text}"
    if decision.option:
        line += f" — option: {escape(decision.option)}"
    if decision.rationale:
        line += f"\n    _Rationale:_ {escape(truncate(decision.rationale, DETAIL_MAX))}"
    line += f"\n    Decided by {_people(list(decision.decided_by))}"
    return line


def _action_line(action: ActionItem, *, on: str = "") -> str:
    title = escape(truncate(action.title, TITLE_MAX))
    head = f"• *A-{action.number}*{on}: {title}" if on else f"• *A-{action.number}* {title}"
    return f"{head} · <@{action.owner_id}> · due {format_date(action.due_date)}"


def _item_line(item: facts.AgendaItem) -> str:
    """`• Hermes — Extend the vendor contract? · @kim`: a question is named with its program."""
    owner = f" · <@{item.owner_id}>" if item.owner_id else ""
    question = (
        f" — {escape(truncate(item.detail, TITLE_MAX))}" if item.kind == facts.DECISION else ""
    )
    return f"• {escape(truncate(item.title, TITLE_MAX))}{question}{owner}"


def _people(user_ids: list[str]) -> str:
    return ", ".join(f"<@{user_id}>" for user_id in user_ids)


def _local_day(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def _short_day(day: date) -> str:
    """`Mon 7 Dec`: a date whose year goes without saying."""
    return format_date(day).rsplit(" ", 1)[0]


# --- what the commands answer ----------------------------------------------------------------


def started_notice(
    meeting: Meeting, *, items: int, extra_before: datetime | None = None
) -> dict[str, Any]:
    """`meeting start`: where the live message is; for a meeting started on a day it does
    not meet, that it is an extra one and when the next scheduled one is (`extra_before`)."""
    text = (
        f"Started the steering meeting in <#{meeting.channel_id}> with {plural(items, 'item')}; "
        "the live message is posted there."
    )
    if extra_before is not None:
        text += (
            f" Today is not one of its days, so this is an extra meeting; the next scheduled "
            f"one, {meeting_when(meeting, extra_before)}, still takes place."
        )
    return notice(text, done=True)


def closed_notice(channel_id: str, *, decisions: int, actions: int) -> dict[str, Any]:
    """`meeting close`: where the minutes are."""
    return notice(
        f"Closed the steering meeting in <#{channel_id}>: {plural(decisions, 'decision')}, "
        f"{plural(actions, 'action')}. The minutes are posted in the live message's thread; "
        "`/pmo meeting show` shows them again.",
        done=True,
    )


def no_minutes_message(
    channel_id: str,
    day: date,
    *,
    live: bool,
    before: tuple[date, ...],
    after: tuple[date, ...],
) -> dict[str, Any]:
    """`meeting show <date>` for a day with no minutes: why, and the nearest days held."""
    if live:
        text = (
            f"The steering meeting in <#{channel_id}> on {format_date(day)} is live now; its "
            "minutes come when it closes."
        )
    else:
        text = f"No steering meeting was held in <#{channel_id}> on {format_date(day)}."
    nearest = [*before, *after]
    if nearest:
        days = ", ".join(f"`{d.isoformat()}` ({format_date(d)})" for d in nearest)
        text += f" Held nearest to it: {days}."
    elif not live:
        text += " None has been held there yet."
    return notice(text)
