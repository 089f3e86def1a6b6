"""Block Kit for questions asked in a DM: the short help, what is due, answers put together."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.blocks.common import Block, chunk_lines, escape, header, message, section, truncate
from bot.blocks.raid import item_line
from bot.dates import format_date
from bot.raid import RaidPage
from storage.models import Milestone, Program

Message = dict[str, Any]
ASK_EXAMPLES = (
    "• `apollo?` or `how is apollo` — a program's status card\n"
    "• `what's red` · `flagged` · `overdue` — the programs that need attention\n"
    "• `my risks` · `risks` — open RAID items, highest score first\n"
    "• `my programs` · `what's due this week`"
)
GUEST_HELP = (
    ":wave: I'm the PMO bot. To ask the PMO for a new project, type `/pmo intake`; "
    "I'll tell you here when it is decided."
)


def dm_help(*, guest: bool, unclear: str | None = None) -> Message:
    """The short help a DM gets: what to ask, how to answer a prompt; `unclear` is the
    message it answers when that was not understood, quoted back (cut, escaped)."""
    lines = []
    if unclear is not None and unclear.strip():
        lines.append(f"I didn't understand this:\n> {escape(truncate(_one_line(unclear), 300))}")
    if guest:
        lines.append(GUEST_HELP)
    else:
        lines += [
            "*Ask me here, no command needed:*",
            ASK_EXAMPLES,
            "When I ask for a status update, reply with its colour first: "
            "`amber - vendor late; next: escalate`.",
            "Everything else: `/pmo help`.",
        ]
    text = "\n".join(lines)
    return message(text, [section(text)])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def thanks() -> Message:
    """An answer to "thanks"."""
    text = ":slightly_smiling_face: Any time. Ask `help` to see what I can tell you."
    return message(text, [section(text)])


def nothing_overdue() -> Message:
    """`overdue` when no update and no RAID item is overdue."""
    text = "Nothing is overdue: every update is in and no open RAID item is past due. :tada:"
    return message(text, [section(text)])


def due_message(
    *,
    first: date,
    last: date,
    updates: list[tuple[Program, str]],
    milestones: list[tuple[Milestone, Program]],
    risks: RaidPage,
) -> Message:
    """What is due from `first` to `last`: the caller's status updates, milestones, and open
    RAID items (one line each, so the whole week fits in one message).

    Args:
        updates: The caller's programs with when their update is due, as words.
    """
    span = f"{format_date(first)} – {format_date(last)}"
    parts = [
        ("Your status updates", [f"*{escape(p.name)}* `{p.key}` — {when}" for p, when in updates]),
        ("Milestones", [_milestone_line(m, p) for m, p in milestones]),
        ("RAID items", [item_line(item, p, today=first) for item, p in risks.items]),
    ]
    if not any(lines for _, lines in parts):
        text = f"Nothing is due this week ({span}). :tada:"
        return message(text, [section(text)])
    blocks: list[Block] = [header(f"Due this week · {span}")]
    for title, lines in parts:
        if lines:
            blocks += [section(chunk) for chunk in chunk_lines([f"*{title}*", *lines])]
    if risks.total > len(risks.items):
        blocks.append(section(f"…and {risks.total - len(risks.items)} more RAID items."))
    fallback = [f"Due this week ({span}):"] + [line for _, lines in parts for line in lines]
    return message("\n".join(fallback), blocks)


def _milestone_line(milestone: Milestone, program: Program) -> str:
    return (
        f"{format_date(milestone.due_date)} · *{escape(truncate(milestone.name, 200))}* — "
        f"{escape(program.name)} (`{program.key}`)"
    )


def due_words(program: Program, *, waiting: bool, tz_now: datetime) -> str:
    """When a program's update is due, as the "what's due" list says it."""
    if waiting:
        return "waiting for your answer now"
    if program.next_due_at is None:
        return "not scheduled"
    return f"due {format_date(program.next_due_at.astimezone(tz_now.tzinfo).date())}"


def together(*messages: Message) -> Message:
    """Several answers as one message (their blocks in order, cut to Slack's 50)."""
    blocks = [block for m in messages for block in m.get("blocks", [])]
    return message("\n".join(m["text"] for m in messages), blocks)
