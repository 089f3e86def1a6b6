"""Alerts for flag transitions, to the PMO channel and the program's owner."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import context, escape, message, section, truncate
from bot.blocks.status import rag_change
from storage.models import Program, RaidItem
from storage.types import Flag, Rag

FLAG_WORDS: dict[str, tuple[str, str]] = {
    Flag.RED: ("is red", "is no longer red"),
    Flag.OVERDUE_UPDATE: ("has an overdue status update", "has its status update in"),
    Flag.STALE: ("has gone stale", "is no longer stale"),
    Flag.HIGH_RISK: ("has a high risk", "no longer has a high risk"),
}


def flag_alert(program: Program, *, code: str, raised: bool, reason: str) -> dict[str, Any]:
    """One alert: what changed, why, and where to look."""
    icon = ":rotating_light:" if raised else ":large_green_circle:"
    headline = f"{icon} {_what_changed(program, code=code, raised=raised)}"
    detail = escape(reason) if raised else f"was: {escape(reason)}"
    if code == Flag.RED and program.last_summary:  # the headline says the colour; say why
        detail = escape(truncate(program.last_summary, 300))
    text = f"{headline} — {detail}"
    return message(
        text,
        [
            section(f"{headline}\n{detail}"),
            context(f"Owner <@{program.owner_id}> · `/pmo program show {program.key}`"),
        ],
    )


def _what_changed(program: Program, *, code: str, raised: bool) -> str:
    """The headline's words: "*Atlas* has gone stale", and for RED the change of colour,
    "*Atlas* is now amber (was red)", when there is an earlier colour to compare with."""
    trend = list(program.trend or [])
    if code == Flag.RED and raised and len(trend) > 1:
        return rag_change(program.name, rag=Rag.RED, was=trend[1])
    if code == Flag.RED and not raised and program.rag not in (None, Rag.RED):
        return rag_change(program.name, rag=program.rag, was=Rag.RED)
    raised_words, cleared_words = FLAG_WORDS.get(code, (f"gained {code}", f"lost {code}"))
    return f"*{escape(program.name)}* {raised_words if raised else cleared_words}"


def escalation(program: Program, item: RaidItem, *, actor_id: str) -> dict[str, Any]:
    """A RAID item escalated to the PMO channel."""
    text = (
        f":arrow_double_up: <@{actor_id}> escalated the {item.kind} “{escape(item.title)}” on "
        f"*{escape(program.name)}* (score {item.score}, owner <@{item.owner_id}>)"
    )
    lines = [text]
    if item.mitigation:
        lines.append(f"Mitigation so far: {escape(item.mitigation[:1000])}")
    return message(text, [section("\n".join(lines)), context(f"`/pmo risks {program.key}`")])
