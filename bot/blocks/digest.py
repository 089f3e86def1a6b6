"""The digest as Slack messages: a top message that stands alone, then a short thread.

Any portfolio size stays valid: every message is at most 45 blocks and every section at
most 3000 characters; the thread holds at most 5 replies and the last one points to
`/pmo export` for whatever did not fit.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.common import (
    Block,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    message,
    notice,
    plural,
    section,
    truncate,
)
from bot.blocks.status import RAG_ICON, trend_strip
from bot.cadence import describe, parse_cadence
from bot.dates import format_date
from bot.digest import DECISIONS_READ, Changes, ProgramLine, Snapshot, Subscribed
from storage.types import Flag

MAX_REPLIES = 5
BLOCKS_PER_MESSAGE = 45
TOP_PROGRAMS = 10
CHANGE_NAMES = 15
LOG_LINES = 10  # decisions and overdue actions listed in the thread


def render(snapshot: Snapshot, changes: Changes, *, period: str) -> list[dict[str, Any]]:
    """The messages of one digest: [top, reply, …] (at most 1 + MAX_REPLIES)."""
    attention = [p for p in snapshot.programs if p.rag == "red" or p.flags]
    top = _top(snapshot, changes, attention, period)
    replies = _thread(snapshot, attention[TOP_PROGRAMS:], changes)
    return [top, *replies]


def _top(
    snapshot: Snapshot, changes: Changes, attention: list[ProgramLine], period: str
) -> dict[str, Any]:
    scope = f" — {snapshot.portfolio}" if snapshot.portfolio else ""
    headline = _headline(snapshot)
    blocks: list[Block] = [
        header(f"Portfolio digest{scope}, {period}"),
        section(headline),
        section(_changes_text(changes)),
    ]
    if attention:
        blocks.append(divider())
        blocks.append(section(f"*Needs attention* ({len(attention)})"))
        blocks += [_program_section(p) for p in attention[:TOP_PROGRAMS]]
    blocks.append(
        context(
            "More in the thread: top risks, milestones due in 14 days, intake "
            "waiting, overdue updates"
            + (", decisions" if changes.decisions else "")
            + (", overdue actions" if snapshot.overdue_actions else "")
            + (", and every flagged program" if len(attention) > TOP_PROGRAMS else "")
            + "."
        )
    )
    fallback = f"Portfolio digest{escape(scope)}, {period}: {headline}"
    return message(fallback, blocks)


def _headline(snapshot: Snapshot) -> str:
    counts = snapshot.counts()
    return (
        f"*{plural(len(snapshot.programs), 'program')}*: 🔴 {counts['red']} red · "
        f"🟡 {counts['amber']} amber · 🟢 {counts['green']} green · "
        f"⚪ {counts['no update']} no update · ⚑ {counts['flagged']} flagged"
    )


def _changes_text(changes: Changes) -> str:
    if changes.first:
        return "*What changed*: this is the first digest here, so there is nothing to compare."
    if changes.empty:
        return "*What changed*: nothing since the last digest."
    lines = ["*What changed since the last digest*"]
    for label, programs in (
        ("New red", changes.new_red),
        ("Worsened", changes.worsened),
        ("Recovered", changes.recovered),
        ("Newly overdue", changes.newly_overdue),
    ):
        if programs:
            lines.append(f"{label} ({len(programs)}): {_names(programs)}")
    return "\n".join(lines)


def _names(programs: list[ProgramLine]) -> str:
    shown = ", ".join(
        f"{RAG_ICON.get(p.rag or '', '⚪')} {escape(p.name)}" for p in programs[:CHANGE_NAMES]
    )
    more = len(programs) - CHANGE_NAMES
    return truncate(shown + (f" and {more} more" if more > 0 else ""), 700)


def _program_section(program: ProgramLine) -> Block:
    icon = RAG_ICON.get(program.rag or "", "⚪")
    state = (
        f"{program.rag} for {program.days_in_state} d"
        if program.rag and program.days_in_state is not None
        else "no update yet"
    )
    lines = [
        f"{icon} *{escape(truncate(program.name, 120))}* `{program.key}` · <@{program.owner_id}> · "
        f"{state} · {trend_strip(program.trend)}"
    ]
    if program.summary:
        lines.append(escape(truncate(program.summary, 400)))
    if program.path_to_green:
        lines.append(f"_Path to green:_ {escape(truncate(program.path_to_green, 300))}")
    for code, reason in list(program.flags.items())[:5]:
        lines.append(f"⚑ *{code}* {escape(truncate(reason, 200))}")
    return section(
        "\n".join(lines),
        accessory=button("Details", action_id="digest_program", value=str(program.id)),
    )


def _thread(snapshot: Snapshot, more: list[ProgramLine], changes: Changes) -> list[dict[str, Any]]:
    blocks: list[Block] = [*_summary_blocks(snapshot), *_log_blocks(snapshot, changes)]
    if more:
        blocks.append(section(f"*More programs needing attention* ({len(more)})"))
        blocks += [_program_section(p) for p in more]
    pages = [blocks[i : i + BLOCKS_PER_MESSAGE] for i in range(0, len(blocks), BLOCKS_PER_MESSAGE)]
    if len(pages) > MAX_REPLIES:
        shown = sum(len(page) for page in pages[:MAX_REPLIES]) - 1
        left = len(blocks) - shown
        pages = pages[:MAX_REPLIES]
        note = context(
            f"…and {plural(left, 'more program entry', 'more program entries')}. "
            "Take everything with `/pmo export programs`."
        )
        pages[-1] = [*pages[-1][:-1], note]
    return [message(_page_text(page, n), page) for n, page in enumerate(pages, start=1)]


def _page_text(page: list[Block], n: int) -> str:
    first = next((b["text"]["text"] for b in page if b.get("type") == "section"), "")
    return truncate(f"Digest, part {n + 1}: {first}", 300)


def _summary_blocks(snapshot: Snapshot) -> list[Block]:
    risks = [
        f"*{r.score}* {escape(truncate(r.title, 150))} · `{r.program_key}` · <@{r.owner_id}>"
        for r in snapshot.risks
    ] or ["none open"]
    milestones = [
        f"{format_date(m.due)} · {escape(truncate(m.name, 150))} · `{m.program_key}`"
        for m in snapshot.milestones
    ] or ["none"]
    intake = (
        f"{snapshot.intake_waiting} waiting for a decision; oldest "
        f"{escape(truncate(snapshot.intake_oldest, 150))}"
        if snapshot.intake_oldest
        else "nothing waiting"
    )
    overdue = [
        f"`{p.key}` — <@{p.owner_id}>" for p in snapshot.programs if Flag.OVERDUE_UPDATE in p.flags
    ] or ["none"]
    texts = [
        ("Top risks", risks),
        ("Milestones due in the next 14 days", milestones),
        ("Intake", [intake]),
        ("Overdue updates (who owes them)", overdue),
    ]
    blocks: list[Block] = []
    for title, lines in texts:
        chunks = chunk_lines([f"*{title}*", *lines])
        blocks += [section(chunk) for chunk in chunks[:3]]
    return blocks


def _log_blocks(snapshot: Snapshot, changes: Changes) -> list[Block]:
    """Decisions since the last digest and overdue actions; nothing when there are none."""
    texts = []
    if changes.decisions:
        texts.append((_decisions_title(changes), _decision_lines(changes)))
    if snapshot.overdue_actions:
        texts.append(
            (f"Overdue actions ({snapshot.overdue_actions_total})", _action_lines(snapshot))
        )
    blocks: list[Block] = []
    for title, lines in texts:
        blocks += [section(chunk) for chunk in chunk_lines([f"*{title}*", *lines])[:3]]
    return blocks


def _decisions_title(changes: Changes) -> str:
    when = "since the last digest" if changes.decisions_since else "in the last 7 days"
    read = len(changes.decisions)
    return f"Decisions {when} ({read}{'+' if read >= DECISIONS_READ else ''})"


def _decision_lines(changes: Changes) -> list[str]:
    lines = [
        f"D-{d.number} · `{d.program_key or '—'}` · {escape(truncate(d.text, 200))}"
        for d in changes.decisions[:LOG_LINES]
    ]
    left = len(changes.decisions) - LOG_LINES
    if left > 0:
        since = (changes.decisions_since or changes.decisions[-1].decided_at).date()
        lines.append(f"…and {left} more: `/pmo decisions since:{since.isoformat()}`")
    return lines


def _action_lines(snapshot: Snapshot) -> list[str]:
    lines = [
        f"A-{a.number} · <@{a.owner_id}> · due {format_date(a.due)} · "
        f"`{a.program_key or '—'}` · {escape(truncate(a.title, 150))}"
        for a in snapshot.overdue_actions
    ]
    left = snapshot.overdue_actions_total - len(snapshot.overdue_actions)
    if left > 0:
        lines.append(f"…and {left} more: `/pmo actions overdue`")
    return lines


def schedule_words(cadence: str, tz: str) -> str:
    """A digest's schedule in words: `every Monday at 09:00, Europe/Berlin`."""
    return describe(parse_cadence(cadence), tz=tz)


def subscribed_message(subscribed: Subscribed) -> dict[str, Any]:
    """`digest subscribe` confirmed: where, how often, in which zone; and the schedule it
    replaced, when the channel had this digest already."""
    sub = subscribed.sub
    scope = f" for the *{escape(sub.portfolio)}* portfolio" if sub.portfolio else ""
    when = schedule_words(sub.cadence, sub.timezone)
    was = schedule_words(*subscribed.was) if subscribed.was is not None else None
    text = f"<#{sub.channel_id}> gets the digest{scope} {when}."
    if was is not None and was != when:
        text += f" (It was {was}: a channel gets each digest once, on one schedule.)"
    elif was is not None:
        text += " (It already did: nothing changed.)"
    return notice(text)
