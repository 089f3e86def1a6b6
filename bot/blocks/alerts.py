"""Alerts for flag transitions, to the PMO channel and the program's owner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.common import context, escape, message, plural, section, truncate
from bot.blocks.status import rag_change
from storage.models import Program, RaidItem
from storage.types import Flag, Rag

FLAG_WORDS: dict[str, tuple[str, str]] = {
    Flag.RED: ("is red", "is no longer red"),
    Flag.OVERDUE_UPDATE: ("has an overdue status update", "has its status update in"),
    Flag.STALE: ("has gone stale", "is no longer stale"),
    Flag.HIGH_RISK: ("has a high risk", "no longer has a high risk"),
}


# The alerting flags in a word (`/pmo config alerts` takes the same words).
KIND_WORDS: dict[str, str] = {
    Flag.RED: "red",
    Flag.OVERDUE_UPDATE: "overdue",
    Flag.STALE: "stale",
    Flag.HIGH_RISK: "high-risk",
}
# A change: (flag code, raised, reason) — `bot.status.flag_alerts.Change`.
Change = tuple[str, bool, str]
NAMES_SHOWN = 12  # per line of a pass summary; the thread has every program


def change_alert(
    program: Program, changes: Sequence[Change], *, actor_id: str | None = None
) -> dict[str, Any]:
    """The flag changes of one program at one moment, in one message.

    One change reads as `flag_alert`; several as one line, "*Apollo*: newly red and
    high-risk", with each reason below. `actor_id` caused them (said in the context).
    """
    if len(changes) == 1:
        code, up, reason = changes[0]
        return flag_alert(program, code=code, raised=up, reason=reason, actor_id=actor_id)
    icon = ":rotating_light:" if any(c[1] for c in changes) else ":large_green_circle:"
    headline = f"{icon} *{escape(program.name)}*: {_newly_and_no_longer(changes)}"
    details = [f"• {_kind(code)}: {_reason(program, code, up, why)}" for code, up, why in changes]
    return message(
        headline,
        [section("\n".join([headline, *details])), context(_footer(program, actor_id))],
    )


def _newly_and_no_longer(changes: Sequence[Change]) -> str:
    """ "newly red and high-risk; no longer stale"."""
    raised = [_kind(code) for code, up, _ in changes if up]
    cleared = [_kind(code) for code, up, _ in changes if not up]
    parts = [f"newly {_and(raised)}"] if raised else []
    parts += [f"no longer {_and(cleared)}"] if cleared else []
    return "; ".join(parts)


def pass_summary(programs: Sequence[tuple[str, Sequence[Change]]]) -> dict[str, Any]:
    """One scheduler pass's flag changes in one message, grouped by what changed:
    "2 programs newly overdue: Apollo, Zeus · 1 program newly overdue and stale: Hermes ·
    1 program no longer red: Atlas". The thread holds each program's details."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for name, changes in programs:
        for up in (True, False):
            kinds = [_kind(code) for code, raised, _ in changes if raised == up]
            if kinds:
                groups.setdefault((up, _and(kinds)), []).append(escape(name))
    ordered = sorted(groups.items(), key=lambda item: not item[0][0])  # raised first
    lines = [_group_line(up, kinds, names) for (up, kinds), names in ordered]
    icon = ":rotating_light:" if any(up for (up, _), _n in ordered) else ":large_green_circle:"
    text = f"{icon} Flag changes: " + " · ".join(lines)
    return message(text, [section(text), context("Each program's details are in the thread.")])


def _group_line(up: bool, kinds: str, names: list[str]) -> str:
    shown = ", ".join(f"*{n}*" for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += f" and {len(names) - NAMES_SHOWN} more"
    return f"{plural(len(names), 'program')} {'newly' if up else 'no longer'} {kinds}: {shown}"


def _kind(code: str) -> str:
    return KIND_WORDS.get(code, code)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]}"


def _reason(program: Program, code: str, raised: bool, reason: str) -> str:
    """Why, escaped: for a new RED, the summary that said so."""
    if code == Flag.RED and raised and program.last_summary:
        return escape(truncate(program.last_summary, 300))
    return escape(reason) if raised else f"was: {escape(reason)}"


def _footer(program: Program, actor_id: str | None) -> str:
    after = f" · after <@{actor_id}>'s change" if actor_id else ""
    return f"Owner <@{program.owner_id}>{after} · `/pmo program show {program.key}`"


def flag_alert(
    program: Program, *, code: str, raised: bool, reason: str, actor_id: str | None = None
) -> dict[str, Any]:
    """One alert: what changed, why, and where to look."""
    icon = ":rotating_light:" if raised else ":large_green_circle:"
    headline = f"{icon} {_what_changed(program, code=code, raised=raised)}"
    detail = escape(reason) if raised else f"was: {escape(reason)}"
    if code == Flag.RED and program.last_summary:  # the headline says the colour; say why
        detail = escape(truncate(program.last_summary, 300))
    text = f"{headline} — {detail}"
    return message(text, [section(f"{headline}\n{detail}"), context(_footer(program, actor_id))])


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
