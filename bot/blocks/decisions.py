"""Block Kit for the decision log and actions: requests put to a meeting or a sponsor, the
sponsor's *Record decision*, the log, and action DMs with *Done*.

User text (questions, options, decisions, rationales, action titles, program names) is
escaped wherever it meets mrkdwn; the only live references are those built from ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import limits
from bot.blocks.common import (
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    message,
    modal,
    notice,
    section,
    text_input,
    truncate,
)
from bot.cadence import slot_local
from bot.dates import day_and_month, format_date
from bot.dates.names import WEEKDAY_ABBR
from bot.meetings.records import ActionLine, DecisionLine, LogPage, Placed, RequestLine
from bot.meetings.records import Page as ActionPage
from storage.models import ActionItem, Decision, DecisionRequest, Meeting, Program

RECORD_ACTION = "decision_record"
DONE_ACTION = "action_done"
LIST_LIMIT = 40  # lines of a listing: each a section, inside a message's 50 blocks
TEXT_MAX = 400  # characters of a decision, rationale or question shown in a list


def _program(name: str | None, key: str | None) -> str:
    if name is None:
        return "no program"
    return f"*{escape(truncate(name, 120))}* (`{key}`)"


def _options(options: Sequence[str]) -> str:
    return " · ".join(f"“{escape(option)}”" for option in options)


def meeting_when(meeting: Meeting, start: datetime, *, tz: str | None = None) -> str:
    """A meeting's start in its own zone: `Mon 7 Dec at 10:00`, the zone named when it is
    not `tz` (the reader's)."""
    local = slot_local(start, meeting.timezone)
    zone = f" ({meeting.timezone})" if tz is not None and tz != meeting.timezone else ""
    return f"{WEEKDAY_ABBR[local.weekday()]} {day_and_month(local.date())} at {local:%H:%M}{zone}"


# --- decision requests --------------------------------------------------------------------


def describe_request(request: DecisionRequest, program: Program) -> str:
    """`“Build or buy?” on *Apollo* (`apollo`) · by Fri 11 Dec 2026 · options “A” · “B”`."""
    facts = [f"“{escape(request.question)}” on {_program(program.name, program.key)}"]
    if request.by_date is not None:
        facts.append(f"by {format_date(request.by_date)}")
    if request.options:
        facts.append(f"options {_options(request.options)}")
    return " · ".join(facts)


def placed_message(placed: Placed, *, tz: str) -> dict[str, Any]:
    """Where `decision request` put the question: a meeting, or the sponsor by DM."""
    what = describe_request(placed.request, placed.program)
    if placed.meeting is not None and placed.start is not None:
        where = (
            f"Put to the steering meeting in <#{placed.meeting.channel_id}> on "
            f"{meeting_when(placed.meeting, placed.start, tz=tz)}"
        )
        return notice(f"{where}: {what}", done=True)
    before = f"before {format_date(placed.request.by_date)}" if placed.request.by_date else "soon"
    return notice(
        f"No steering meeting of the program comes {before}, so I asked its sponsor "
        f"<@{placed.request.sent_to_id}> by DM to decide: {what}",
        done=True,
    )


def request_past_by(
    request: DecisionRequest,
    program: Program,
    *,
    meeting: Meeting | None,
    start: datetime | None,
    tz: str,
) -> dict[str, Any]:
    """The requester's DM the working day after `by:`: still open, and where it waits."""
    assert request.by_date is not None
    what = f"“{escape(request.question)}” on {_program(program.name, program.key)}"
    text = (
        f":hourglass: Your question needed a decision by {format_date(request.by_date)} and "
        f"is still open: {what}."
    )
    if meeting is not None and start is not None:
        text += (
            f" It is on the agenda of the steering meeting in <#{meeting.channel_id}> on "
            f"{meeting_when(meeting, start, tz=tz)}."
        )
    elif request.sent_to_id is not None:
        sponsor = program.sponsor_id or request.sent_to_id
        text += f" Its sponsor <@{sponsor}> is asked by DM to decide it."
    else:
        text += (
            " No steering meeting covers it now: schedule one with `/pmo meeting schedule`, "
            "and it goes on that meeting's agenda."
        )
    return message(text, [section(text)])


def sponsor_message(
    request: DecisionRequest, program: Program, *, reminder: bool = False
) -> dict[str, Any]:
    """The sponsor's DM: the question, its options and *Record decision*; as a `reminder`,
    the working day after `by:` with the question still open."""
    asks = f"<@{request.requested_by}> asks you, as sponsor, to decide"
    if reminder and request.by_date is not None:
        text = (
            f":hourglass: Still waiting for your decision, needed by "
            f"{format_date(request.by_date)}: {asks}: {describe_request(request, program)}"
        )
    else:
        text = f":ballot_box_with_check: {asks}: {describe_request(request, program)}"
    record = button(
        "Record decision", action_id=RECORD_ACTION, value=str(request.id), style="primary"
    )
    return message(text, [section(text), actions(record, block_id=f"request-{request.id}")])


def record_modal(request: DecisionRequest, program: Program, *, recorder_id: str) -> Block:
    """The decision on a request: the option chosen (when it has options), the decision,
    the rationale and who decided. The request's id is the private metadata."""
    blocks: list[Block] = [section(describe_request(request, program))]
    if request.options:
        choices = [
            {"text": {"type": "plain_text", "text": truncate(o, 75)}, "value": str(n)}
            for n, o in enumerate(request.options)
        ]
        select = {"type": "static_select", "action_id": "option", "options": choices}
        blocks.append(input_block("option", "Option chosen", select))
    decision = text_input("decision", max_length=limits.DECISION.form_limit, multiline=True)
    hint = "Leave it empty to record the option chosen as the decision."
    blocks.append(
        input_block(
            "decision",
            "Decision",
            decision,
            optional=bool(request.options),
            hint=hint if request.options else None,
        )
    )
    rationale = text_input("rationale", max_length=limits.RATIONALE.form_limit, multiline=True)
    blocks.append(input_block("rationale", "Rationale", rationale, optional=True))
    deciders = {
        "type": "multi_users_select",
        "action_id": "decided_by",
        "initial_users": [recorder_id],
    }
    blocks.append(input_block("decided_by", "Decided by", deciders, optional=True))
    return modal(
        callback_id=RECORD_ACTION,
        title="Record decision",
        blocks=blocks,
        submit="Record",
        private_metadata=str(request.id),
    )


def describe_decision(decision: Decision) -> str:
    """`D-4 “Buy the engine” (option “Buy”) · decided by <@U1>`."""
    text = f"D-{decision.number} “{escape(truncate(decision.text, TEXT_MAX))}”"
    if decision.option and decision.option != decision.text:
        text += f" (option “{escape(decision.option)}”)"
    deciders = ", ".join(f"<@{d}>" for d in decision.decided_by)
    return f"{text} · decided by {deciders}"


def sponsor_decided(
    request: DecisionRequest, program: Program, decision: Decision
) -> dict[str, Any]:
    """The sponsor's DM, once decided: no button left."""
    text = (
        f":white_check_mark: Decided: {describe_decision(decision)} — on "
        f"{describe_request(request, program)}"
    )
    return message(text, [section(text)])


def requester_told(
    request: DecisionRequest, program: Program, decision: Decision
) -> dict[str, Any]:
    """Tell whoever asked that their question was decided."""
    text = (
        f":white_check_mark: Your question {describe_request(request, program)} was decided: "
        f"{describe_decision(decision)}"
    )
    return message(text, [section(text)])


def recorded_text(decision: Decision) -> str:
    """The confirmation in place of the submitted modal."""
    return f":white_check_mark: Recorded {describe_decision(decision)}."


# --- the log ------------------------------------------------------------------------------


def _more(page: LogPage | ActionPage, shown: int, hint: str) -> list[Block]:
    left = page.total - shown
    return [context(f"…and {left} more — {hint}")] if left > 0 else []


def decision_line(line: DecisionLine, *, tz: str) -> str:
    """`*D-4* · Fri 4 Dec 2026 · *Apollo* · “Buy” · option “Buy” · _why:_ … · by <@U1>`."""
    day = line.decided_at.astimezone(ZoneInfo(tz)).date()
    parts = [
        f"*D-{line.number}*",
        format_date(day),
        _program(line.program_name, line.program_key),
    ]
    if line.question:
        parts.append(f"on “{escape(truncate(line.question, TEXT_MAX))}”")
    parts.append(f"“{escape(truncate(line.text, TEXT_MAX))}”")
    if line.option and line.option != line.text:
        parts.append(f"option “{escape(line.option)}”")
    if line.rationale:
        parts.append(f"_why:_ {escape(truncate(line.rationale, TEXT_MAX))}")
    parts.append("decided by " + ", ".join(f"<@{d}>" for d in line.decided_by))
    return " · ".join(parts)


def log_message(
    page: LogPage, *, program: Program | None, since: date | None, tz: str
) -> dict[str, Any]:
    """`/pmo decisions`: newest first, bounded, pointing to the export for the rest."""
    title = program.name if program is not None else "all programs"
    if since is not None:
        title += f" since {format_date(since)}"
    head = f"*Decisions — {escape(title)}* ({page.total})"
    if not page.lines:
        return notice(f"{head}\nNo decisions recorded yet.")
    blocks = [section(head)]
    blocks += [section(decision_line(line, tz=tz)) for line in page.lines]
    blocks += _more(page, len(page.lines), "`/pmo export decisions`")
    return message(f"Decisions — {escape(title)}: {page.total}", blocks)


def request_line(line: RequestLine, *, tz: str, today: date | None = None) -> str:
    """An open request, and where it was put; one past its `by:` day (before `today`) says so."""
    parts = [
        _program(line.program_name, line.program_key),
        f"“{escape(truncate(line.question, TEXT_MAX))}”",
    ]
    if line.by is not None and today is not None and line.by < today:
        parts.append(f":warning: *past* its date, {format_date(line.by)}")
    else:
        parts.append(f"by {format_date(line.by)}" if line.by else "no date")
    if line.options:
        parts.append(f"options {_options(line.options)}")
    if line.meeting is not None:
        when = f" on {meeting_when(line.meeting, line.start, tz=tz)}" if line.start else ""
        parts.append(f"put to <#{line.meeting.channel_id}>{when}")
    elif line.sent_to_id:
        parts.append(f"asked of the sponsor <@{line.sent_to_id}>")
    parts.append(f"asked by <@{line.requested_by}>")
    return " · ".join(parts)


def open_message(page: LogPage, *, tz: str, today: date | None = None) -> dict[str, Any]:
    """`/pmo decisions open`: the questions waiting, soonest due first (those past their
    date marked, counted from `today`)."""
    head = f"*Open decision requests* ({page.total})"
    if not page.lines:
        return notice(f"{head}\nNo question is waiting for a decision.")
    lines = [request_line(line, tz=tz, today=today) for line in page.lines]
    blocks = [section(head)] + [section(line) for line in lines]
    blocks += _more(page, len(page.lines), "those due soonest are shown")
    return message(f"Open decision requests: {page.total}", blocks)


# --- actions ------------------------------------------------------------------------------


def describe_action(line: ActionLine, *, due: bool = True) -> str:
    """`A-3 “Send the RFP” · due Fri 11 Dec 2026 · *Apollo* · from the meeting in #ch on …`."""
    facts = [f"A-{line.number} “{escape(truncate(line.title, TEXT_MAX))}”"]
    if due:
        facts.append(f"due {format_date(line.due)}")
    if line.program_name is not None:
        facts.append(f"on {_program(line.program_name, line.program_key)}")
    if line.meeting_channel is not None:
        held = f" on {format_date(line.held_on)}" if line.held_on else ""
        facts.append(f"from the meeting in <#{line.meeting_channel}>{held}")
    return " · ".join(facts)


def _done_button(line: ActionLine) -> Block:
    return button("Done", action_id=DONE_ACTION, value=str(line.id), style="primary")


def _action_dm(text: str, line: ActionLine) -> dict[str, Any]:
    return message(text, [section(text), actions(_done_button(line), block_id=f"action-{line.id}")])


def action_assigned(line: ActionLine, *, by: str) -> dict[str, Any]:
    """The owner's DM when someone gives them an action."""
    return _action_dm(f":memo: <@{by}> gave you an action: {describe_action(line)}", line)


def action_due_soon(line: ActionLine) -> dict[str, Any]:
    """Two working days before the due date."""
    text = f":hourglass: Due on {format_date(line.due)}: {describe_action(line, due=False)}"
    return _action_dm(text, line)


def action_overdue(line: ActionLine) -> dict[str, Any]:
    """The first working day after the due date."""
    text = f":warning: Overdue since {format_date(line.due)}: {describe_action(line, due=False)}"
    return _action_dm(text, line)


def action_done(line: ActionLine) -> dict[str, Any]:
    """An action DM once the action is done: no button left."""
    text = f":white_check_mark: Done (marked by <@{line.done_by}>): {describe_action(line)}"
    return message(text, [section(text)])


def done_notice(action: ActionItem) -> dict[str, Any]:
    """The clicker's confirmation."""
    return notice(f"A-{action.number} “{escape(action.title)}” is done.", done=True)


def already_done(action: ActionItem) -> dict[str, Any]:
    """`actions done` on an action that is done: who did it, as information."""
    by = f" (marked by <@{action.done_by}>)" if action.done_by else ""
    return notice(f"A-{action.number} “{escape(action.title)}” is done already{by}.")


def action_added(line: ActionLine) -> dict[str, Any]:
    """`actions add` confirmed."""
    return notice(f"Added {describe_action(line)}, owned by <@{line.owner_id}>.", done=True)


def action_changed(line: ActionLine) -> dict[str, Any]:
    """`actions edit` confirmed: the action as it stands now."""
    return notice(f"Changed {describe_action(line)}, owned by <@{line.owner_id}>.", done=True)


def action_line(line: ActionLine, *, today: date) -> str:
    """An open action in a list: owner, due (overdue marked), program, meeting."""
    due = (
        f":warning: *overdue* since {format_date(line.due)}"
        if line.due < today
        else f"due {format_date(line.due)}"
    )
    parts = [
        f"*A-{line.number}* “{escape(truncate(line.title, TEXT_MAX))}”",
        f"<@{line.owner_id}>",
        due,
    ]
    if line.program_name is not None:
        parts.append(_program(line.program_name, line.program_key))
    if line.meeting_channel is not None:
        held = f" {day_and_month(line.held_on)}" if line.held_on else ""
        parts.append(f"from <#{line.meeting_channel}>{held}")
    return " · ".join(parts)


def actions_message(page: ActionPage, *, title: str, today: date) -> dict[str, Any]:
    """`/pmo actions`: open actions, overdue first, each with *Done*."""
    head = f"*Open actions — {escape(title)}* ({page.total})"
    if not page.lines:
        return notice(f"{head}\nNothing open.")
    blocks = [section(head)]
    blocks += [
        section(action_line(line, today=today), accessory=_done_button(line)) for line in page.lines
    ]
    blocks += _more(page, len(page.lines), "`/pmo export actions`")
    overdue = sum(line.due < today for line in page.lines)
    return message(
        f"Open actions — {escape(title)}: {page.total} ({overdue} overdue shown)", blocks
    )
