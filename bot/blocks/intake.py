"""Block Kit for intake: the request modal, the review post, decisions, the queue and detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import limits
from bot.blocks.common import (
    Block,
    actions,
    button,
    chunk_lines,
    context,
    done_view,
    escape,
    header,
    input_block,
    message,
    modal,
    plain,
    section,
    text_input,
    truncate,
)
from bot.dates import format_date
from bot.intake.facts import SYSTEM_ACTOR, Capacity, Duplicate, Filed, IntakePage
from bot.people import mention
from storage.models import AuditEvent, IntakeRequest, Program, StrategicGoal
from storage.types import IntakeState

LIST_LIMIT = 15  # a section and an actions block each: 2 × 15 + header and footer < 50
STATE_ICON: dict[str, str] = {
    IntakeState.PENDING: "⏳",
    IntakeState.APPROVED: "✅",
    IntakeState.REJECTED: "⛔",
    IntakeState.DEFERRED: "💤",
}
DECIDE_BUTTONS = (
    ("Approve", "intake_approve", "primary"),
    ("Reject", "intake_reject", "danger"),
    ("Defer", "intake_defer", None),
)
NO_GOAL = "none"
HISTORY_VERBS = {
    "file": "filed",
    "approve": "approved",
    "reject": "rejected",
    "defer": "deferred",
    "resurface": "back in the queue",
}


def ref(request: IntakeRequest) -> str:
    """`INT-7`."""
    return f"INT-{request.number}"


def when(instant: datetime) -> str:
    """An instant each reader sees in their own zone (UTC in the fallback)."""
    fallback = f"{format_date(instant.date())} {instant:%H:%M} UTC"
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def intake_modal(goals: list[StrategicGoal]) -> Block:
    """The intake form: what, why, who, which goal, the WSJF ratings and the dates."""
    blocks = [
        input_block("title", "Title", _text("title", limits.INTAKE_TITLE)),
        input_block(
            "problem", "Problem or opportunity", _text("problem", limits.PROBLEM, multiline=True)
        ),
        input_block(
            "sponsor", "Sponsor", {"type": "users_select", "action_id": "sponsor"}, optional=True
        ),
        input_block("goal", "Strategic goal", _goal_select(goals)),
        _scale("business_value", "Business value", "How much value it brings."),
        _scale("time_criticality", "Time criticality", "How fast the value decays if we wait."),
        _scale(
            "risk_reduction",
            "Risk reduction / opportunity enablement",
            "How much risk it removes or what it makes possible.",
        ),
        _scale("job_size", "Job size", "1 = tiny, 10 = huge; the score divides by it."),
        _date("desired_start", "Desired start"),
        _date("desired_finish", "Desired finish"),
        input_block("notes", "Notes", _text("notes", limits.NOTES, multiline=True), optional=True),
    ]
    return modal(callback_id="intake_submit", title="Project intake", blocks=blocks, submit="File")


def _text(
    action_id: str, field: limits.TextField, *, multiline: bool = False, initial: str | None = None
) -> Block:
    return text_input(action_id, max_length=field.form_limit, multiline=multiline, initial=initial)


def _goal_select(goals: list[StrategicGoal]) -> Block:
    none = {"text": plain("No specific goal", 75), "value": NO_GOAL}
    options = [none] + [{"text": plain(g.name, 75), "value": str(g.id)} for g in goals[:99]]
    return {
        "type": "static_select",
        "action_id": "goal",
        "options": options,
        "initial_option": none,
    }


def _scale(block_id: str, label: str, hint: str) -> Block:
    element = {"type": "number_input", "action_id": block_id, "is_decimal_allowed": False}
    return input_block(block_id, f"{label} (1–10)", element, hint=hint)


def _date(block_id: str, label: str) -> Block:
    element = {"type": "datepicker", "action_id": block_id}
    return input_block(block_id, label, element, optional=True)


def score_text(request: IntakeRequest) -> str:
    """The WSJF score with one decimal."""
    return f"{request.score:.1f}"


def breakdown(request: IntakeRequest) -> str:
    """How the score was reached."""
    return (
        f"(business value {request.business_value} + time criticality "
        f"{request.time_criticality} + risk reduction {request.risk_reduction}) / job size "
        f"{request.job_size} = *{score_text(request)}*"
    )


def _summary(request: IntakeRequest) -> list[str]:
    lines = [
        f"*{ref(request)} · {escape(truncate(request.title, 200))}* — WSJF *{score_text(request)}*",
        f"Requested by {mention(request.requester_id)} · sponsor {mention(request.sponsor_id)}"
        f" · goal: {escape(request.goal) or 'none'}",
    ]
    if request.desired_start or request.desired_finish:
        start = format_date(request.desired_start) if request.desired_start else "—"
        finish = format_date(request.desired_finish) if request.desired_finish else "—"
        lines.append(f"Desired {start} → {finish}")
    lines.append(f">{escape(truncate(request.problem, 1500))}".replace("\n", "\n>"))
    if request.notes:
        lines.append(f"_Notes:_ {escape(truncate(request.notes, 800))}")
    return lines


def _duplicate_lines(duplicates: list[Duplicate]) -> list[str]:
    return [f"• {d.kind} {escape(d.label)} — {d.similarity:.0%} similar" for d in duplicates] or [
        "• none found"
    ]


def capacity_text(load: Capacity) -> str:
    """The portfolio load line."""
    approved = load.approved_this_quarter
    return (
        f"Current load: *{load.active}* active program{_s(load.active)} ({load.red} red, "
        f"{load.amber} amber) · *{approved}* request{_s(approved)} approved this quarter"
    )


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def decide_buttons(request: IntakeRequest) -> Block:
    """Approve / Reject / Defer for one request."""
    return actions(
        *(
            button(text, action_id=action_id, value=str(request.id), style=style)
            for text, action_id, style in DECIDE_BUTTONS
        ),
        block_id=f"intake-{request.id}",
    )


def review_message(
    request: IntakeRequest, *, duplicates: list[Duplicate], capacity: Capacity
) -> dict[str, Any]:
    """The request as posted for the PMO admins to decide."""
    summary = "\n".join(_summary(request))
    blocks = [
        header(f"New intake request {ref(request)}"),
        section(summary),
        section(f"Score: {breakdown(request)}"),
        section("*Possible duplicates*\n" + "\n".join(_duplicate_lines(duplicates))),
        context(capacity_text(capacity)),
        decide_buttons(request),
    ]
    return message(f"New intake request {ref(request)}: {escape(request.title)}", blocks)


def decision_line(request: IntakeRequest, *, program: Program | None = None) -> str:
    """Who decided what and when, and why."""
    icon = STATE_ICON.get(request.state, "")
    line = f"{icon} *{request.state.capitalize()}* by {mention(request.decided_by)}"
    if request.decided_at is not None:
        line += f" on {when(request.decided_at)}"
    if request.state == IntakeState.DEFERRED and request.defer_until is not None:
        line += f", until {format_date(request.defer_until)}"
    if program is not None:
        line += f" — program *{escape(program.name)}* (`{program.key}`) registered"
    if request.reason:
        line += f"\n_Reason:_ {escape(truncate(request.reason, 1500))}"
    return line


def decided_message(request: IntakeRequest, *, program: Program | None = None) -> dict[str, Any]:
    """The review post once decided: the request and the decision, no buttons."""
    blocks = [
        header(f"Intake request {ref(request)}"),
        section("\n".join(_summary(request))),
        section(f"Score: {breakdown(request)}"),
        section(decision_line(request, program=program)),
    ]
    return message(
        f"Intake request {ref(request)}: {escape(request.title)} — {request.state}", blocks
    )


def receipt_message(filed: Filed, *, show_duplicates: bool) -> dict[str, Any]:
    """The requester's DM receipt: the id, the score, where it went, likely duplicates."""
    request = filed.request
    lines = [
        f":inbox_tray: Your request *{ref(request)} · {escape(truncate(request.title, 200))}* is "
        "filed.",
        f"WSJF score *{score_text(request)}*: {breakdown(request)}",
        f"It is with {filed.posted_to} for a decision; I'll tell you the outcome here.",
    ]
    if show_duplicates and filed.duplicates:
        lines.append("Possibly the same as:\n" + "\n".join(_duplicate_lines(filed.duplicates)))
    text = "\n".join(lines)
    return message(text, [section(text)])


def filed_view(filed: Filed, *, show_duplicates: bool) -> Block:
    """The modal's closing confirmation."""
    text = receipt_message(filed, show_duplicates=show_duplicates)["text"]
    return done_view(f"{ref(filed.request)} filed", text)


def decision_message(request: IntakeRequest, *, program: Program | None = None) -> dict[str, Any]:
    """The requester's DM with the outcome and the reason."""
    text = (
        f"Your intake request *{ref(request)} · {escape(truncate(request.title, 200))}* was "
        "decided:\n" + decision_line(request, program=program)
    )
    return message(text, [section(text)])


def approve_modal(request: IntakeRequest) -> Block:
    """Confirm the program that approval registers."""
    name = _text("name", limits.PROGRAM_NAME, initial=request.title)
    owner = {"type": "users_select", "action_id": "owner", "initial_user": request.requester_id}
    cadence = _text("cadence", limits.CADENCE, initial="weekly")
    blocks = [
        section(
            f"*{ref(request)} · {escape(truncate(request.title, 200))}* — WSJF "
            f"{score_text(request)}"
        ),
        input_block("name", "Program name", name),
        input_block("owner", "Owner", owner),
        input_block(
            "cadence", "Status cadence", cadence, hint="weekly, weekly mon 09:00, biweekly…"
        ),
        input_block(
            "note",
            "Note to the requester",
            _text("note", limits.REASON, multiline=True),
            optional=True,
        ),
    ]
    return modal(
        callback_id="intake_approve",
        title=f"Approve {ref(request)}",
        blocks=blocks,
        submit="Approve",
        private_metadata=str(request.id),
    )


def reason_modal(request: IntakeRequest, *, defer: bool) -> Block:
    """Ask why a request is rejected or deferred (and, to defer, until when)."""
    verb = "Defer" if defer else "Reject"
    blocks = [
        section(
            f"*{ref(request)} · {escape(truncate(request.title, 200))}* — WSJF "
            f"{score_text(request)}"
        ),
        input_block(
            "reason",
            "Reason (the requester sees it)",
            _text("reason", limits.REASON, multiline=True),
        ),
    ]
    if defer:
        until = {"type": "datepicker", "action_id": "until"}
        blocks.append(input_block("until", "Back in the queue on", until))
    return modal(
        callback_id=f"intake_{verb.lower()}",
        title=f"{verb} {ref(request)}",
        blocks=blocks,
        submit=verb,
        private_metadata=str(request.id),
    )


def _line(request: IntakeRequest) -> str:
    state = request.state
    if state == "deferred" and request.defer_until is not None:
        state += f" until {format_date(request.defer_until)}"
    return (
        f"*{score_text(request)}* {STATE_ICON.get(request.state, '')} {ref(request)} · "
        f"*{escape(truncate(request.title, 200))}* · {mention(request.requester_id)} · "
        f"goal: {escape(request.goal) or 'none'} · {state}"
    )


def list_message(page: IntakePage, *, which: str, decider: bool) -> dict[str, Any]:
    """The queue ranked by score; deciders get the buttons on pending requests."""
    if not page.requests:
        text = f"No {which} intake requests." if which != "all" else "No intake requests yet."
        return message(text, [section(text)])
    kind = "" if which == "all" else f"{which} "
    title = f"{page.total} {kind}intake request{_s(page.total)}, by score"
    blocks: list[Block] = [header(title)]
    for request in page.requests[:LIST_LIMIT]:
        blocks.append(section(_line(request)))
        if decider and request.state == IntakeState.PENDING:
            blocks.append(decide_buttons(request))
    if page.total > LIST_LIMIT:
        blocks.append(context(f"Showing the {LIST_LIMIT} highest scores of {page.total}."))
    lines = [_line(r) for r in page.requests]
    return message(f"{title}:\n" + "\n".join(lines), blocks)


def detail_message(
    request: IntakeRequest,
    *,
    duplicates: list[Duplicate],
    history: list[AuditEvent],
    program: Program | None,
    decider: bool,
) -> dict[str, Any]:
    """`intake show`: the request, its score breakdown, duplicates and decision history."""
    blocks: list[Block] = [header(f"Intake request {ref(request)}")]
    blocks += [section(chunk) for chunk in chunk_lines(_summary(request))]
    blocks.append(section(f"Score: {breakdown(request)}"))
    if request.state != IntakeState.PENDING:
        blocks.append(section(decision_line(request, program=program)))
    blocks.append(section("*Possible duplicates*\n" + "\n".join(_duplicate_lines(duplicates))))
    blocks += [section(c) for c in chunk_lines(["*History*", *map(_history_line, history)])][:20]
    if decider and request.state == IntakeState.PENDING:
        blocks.append(decide_buttons(request))
    return message(f"{ref(request)} {escape(request.title)} ({request.state})", blocks)


def _history_line(event: AuditEvent) -> str:
    who = "PMO Bot" if event.actor_id == SYSTEM_ACTOR else mention(event.actor_id)
    verb = HISTORY_VERBS.get(event.action, event.action)
    reason = (event.after or {}).get("reason") if event.action != "file" else None
    tail = f": {escape(truncate(str(reason), 300))}" if reason else ""
    return f"• {when(event.at)} — {verb} by {who}{tail}"


def goals_message(goals: list[StrategicGoal]) -> dict[str, Any]:
    """The configured strategic goals."""
    if not goals:
        text = 'No strategic goals yet. Add one with `/pmo config goals add "&lt;goal&gt;"`.'
    else:
        text = "*Strategic goals*\n" + "\n".join(f"• {escape(g.name)}" for g in goals)
    return message(text, [section(chunk) for chunk in chunk_lines(text.split("\n"))])


def approved_view(request: IntakeRequest, program: Program) -> Block:
    """What replaces the approve modal: the new program, and that the requester is told."""
    return done_view(
        f"{ref(request)} approved",
        f":white_check_mark: {ref(request)} approved: *{escape(program.name)}* "
        f"(`{program.key}`) is registered with owner <@{program.owner_id}>. "
        "The requester is told.",
    )
