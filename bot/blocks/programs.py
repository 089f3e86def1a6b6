"""Block Kit for programs: receipts, the list, the detail view and the add/edit modal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from bot import limits
from bot.blocks.common import (
    Block,
    ago,
    chunk_lines,
    context,
    escape,
    header,
    input_block,
    message,
    modal,
    plain,
    plural,
    section,
    text_input,
    truncate,
)
from bot.blocks.raid import score_mark
from bot.blocks.status import RAG_ICON, trend_strip, update_lines
from bot.cadence import describe, parse_cadence
from bot.dates import format_date
from bot.people import mention
from bot.program_view import ProgramDetail
from bot.programs import Listing
from storage.models import Milestone, Program
from storage.types import ProgramState

LIST_LIMIT = 40
REGISTER_HINT = "Register one with `/pmo program add &lt;name&gt; owner:@lead`."
EMPTY_LIST = {
    "default": f"No active programs. {REGISTER_HINT}",
    "all": f"No programs yet. {REGISTER_HINT}",
    "mine": "You own or cover no active programs.",
    "red": "No program is red. :tada:",
    "flagged": "No program is flagged.",
    "overdue": "No program's update is overdue.",
}
STATE_ICON: dict[str, str] = {
    ProgramState.ACTIVE: "▶️",
    ProgramState.PAUSED: "⏸️",
    ProgramState.DONE: "✅",
    ProgramState.ARCHIVED: "🗄️",
}


def status_cadence(program: Program) -> str:
    """When status is asked for, in words, with the zone: "every Friday at 10:00, Europe/Berlin"."""
    return describe(parse_cadence(program.cadence), tz=program.timezone)


def saved_text(program: Program, changed: Iterable[str]) -> str:
    """The receipt of an edit: what changed, and the cadence in words when it did."""
    fields = sorted(changed)
    summary = ", ".join(fields) if fields else "nothing changed"
    if "cadence" in fields:
        summary += f"; status due {status_cadence(program)}"
    return f"*{escape(program.name)}* saved: {summary}."


def added_message(program: Program) -> dict[str, Any]:
    """The receipt for a registered program."""
    lines = [
        f":white_check_mark: Registered *{escape(program.name)}* — key `{program.key}`.",
        f"Owner {mention(program.owner_id)} · status due {status_cadence(program)}",
    ]
    if program.channel_id:
        lines.append(f"Updates will be posted in <#{program.channel_id}>.")
    if program.target_date:
        lines.append(f"Target {format_date(program.target_date)}.")
    text = "\n".join(lines)
    return message(text, [section(text)])


def list_message(listing: Listing, *, which: str, now: datetime) -> dict[str, Any]:
    """`/pmo program list`: one line per program, the first LIST_LIMIT of them."""
    if not listing.programs:
        text = EMPTY_LIST.get(which, EMPTY_LIST["default"])
        return message(text, [section(text)])
    shown = listing.programs[:LIST_LIMIT]
    lines = [_list_line(p, now) for p in shown]
    title = plural(listing.total, "program")
    if which in ("mine", "all", "overdue"):
        title += f" ({which})"
    blocks: list[Block] = [header(title)]
    blocks += [section(chunk) for chunk in chunk_lines(lines)]
    if listing.total > len(shown):
        blocks.append(
            context(
                f"Showing the {len(shown)} most recently changed. "
                "Narrow with `mine`, `red` or `flagged`."
            )
        )
    return message(f"{title}:\n" + "\n".join(lines), blocks)


def _list_line(program: Program, now: datetime) -> str:
    icon = RAG_ICON.get(program.rag or "", "⚪")
    state = "" if program.state == ProgramState.ACTIVE else f" · {program.state}"
    updated = (
        f"updated {ago(program.last_update_at, now)}" if program.last_update_at else "no update yet"
    )
    flagged = f" · ⚑ {', '.join(program.flags)}" if program.flags else ""
    return (
        f"{icon} *{escape(truncate(program.name, 80))}* `{program.key}` · "
        f"{mention(program.owner_id)}{state} · {updated}{flagged}"
    )


def detail_message(detail: ProgramDetail, *, now: datetime) -> dict[str, Any]:
    """`/pmo program show`: status and trend, flags with reasons, risks, milestones, history."""
    program = detail.program
    blocks: list[Block] = [
        header(f"{program.name} ({program.key})"),
        section(_status_text(detail, now)),
    ]
    if detail.flags:
        flag_lines = [f"⚑ *{code}* — {escape(reason)}" for code, reason in detail.flags.items()]
        blocks.append(section("*Flags*\n" + "\n".join(flag_lines)))
    blocks.append(section(_people_text(detail)))
    blocks.append(section(_risk_text(detail)))
    blocks.append(section(_milestone_text(detail.milestones, detail.today)))
    if len(detail.recent) > 1:
        history = [
            f"{RAG_ICON[u.rag]} {format_date(u.created_at.date())} — "
            f"{escape(truncate(u.summary, 150))}"
            for u in detail.recent[1:]
        ]
        blocks.append(context("*Earlier updates*\n" + "\n".join(history)))
    if detail.changes:
        lines = [f"{ago(e.at, now)} · {mention(e.actor_id)} {e.action}" for e in detail.changes]
        blocks.append(context("*Recent changes*\n" + "\n".join(reversed(lines))))
    rag = f"{program.rag} " if program.rag else ""
    return message(
        f"{escape(program.name)} ({program.key}) — {rag}owner {mention(program.owner_id)}", blocks
    )


def _status_text(detail: ProgramDetail, now: datetime) -> str:
    if not detail.recent:
        return "*Status* no update yet — `/pmo status " + detail.program.key + "`"
    latest = detail.recent[0]
    trend = trend_strip([u.rag for u in detail.recent])
    lines = [
        f"*Status* (trend {trend}) — by {mention(latest.author_id)}, {ago(latest.created_at, now)}",
        *update_lines(latest),
    ]
    return "\n".join(lines)


def _people_text(detail: ProgramDetail) -> str:
    program = detail.program
    target = format_date(program.target_date) if program.target_date else "—"
    channel = f"<#{program.channel_id}>" if program.channel_id else "—"
    return (
        f"*Owner* {mention(program.owner_id)} · *Delegates* "
        f"{', '.join(mention(d) for d in detail.delegates) or '—'} · *Sponsor* "
        f"{mention(program.sponsor_id)} · *Portfolio* {escape(program.portfolio) or '—'}\n"
        f"*State* {program.state} · *Status due* {status_cadence(program)} · "
        f"*Target* {target} · *Channel* {channel}"
    )


def _risk_text(detail: ProgramDetail) -> str:
    page = detail.risks
    if not page.items:
        return "*Open RAID items* none"
    lines = [f"*Open RAID items* ({page.total})"]
    lines += [
        f"{score_mark(item.score)}{item.kind} · {escape(truncate(item.title, 150))} · "
        f"{mention(item.owner_id)}"
        for item, _ in page.items
    ]
    if page.total > len(page.items):
        lines.append(f"…and {page.total - len(page.items)} more: `/pmo risks {detail.program.key}`")
    return "\n".join(lines)


def _milestone_text(milestones: list[Milestone], today: date) -> str:
    if not milestones:
        return (
            "*Milestones* none yet — "
            '`/pmo milestone add &lt;program&gt; "&lt;name&gt;" due:&lt;date&gt;`'
        )
    lines = ["*Milestones*"]
    for m in milestones[:20]:
        if m.done_at is not None:
            mark = "✅"
        elif m.due_date < today:
            mark = f"⚠️ {(today - m.due_date).days}d late"
        else:
            mark = "◻️"
        lines.append(f"{mark} {escape(truncate(m.name, 100))} — {format_date(m.due_date)}")
    if len(milestones) > 20:
        lines.append(f"…and {len(milestones) - 20} more")
    return "\n".join(lines)


def edit_modal(program: Program, *, title: str, with_owner: bool = True) -> Block:
    """The edit modal prefilled from a program (its id in the metadata)."""
    initial = {
        "name": program.name,
        "channel": program.channel_id,
        "cadence": program.cadence,
        "target": program.target_date,
        "portfolio": program.portfolio,
    }
    if with_owner:
        initial["owner"] = program.owner_id
    return program_modal(
        callback_id="program_edit", title=title, initial=initial, private_metadata=str(program.id)
    )


def program_modal(
    *,
    callback_id: str,
    title: str,
    initial: dict[str, Any] | None = None,
    private_metadata: str = "",
) -> Block:
    """The add/edit modal; `initial` prefills it (edit, or values kept after an error).

    Args:
        callback_id: The view's callback id (`program_add` or `program_edit`).
        title: The modal title.
        initial: Values to prefill, keyed by block id (name, owner, channel, cadence,
            target, portfolio); missing or empty values leave the field blank.
        private_metadata: Carried back on submit (the program id when editing).

    Returns:
        The modal view.
    """
    initial = initial or {}
    blocks = [
        _name_block(initial.get("name")),
        input_block("owner", "Owner (team lead)", _owner_select(initial.get("owner"))),
        _channel_block(initial.get("channel")),
        _cadence_block(initial.get("cadence")),
        input_block("target", "Target date", _target_picker(initial.get("target")), optional=True),
        _portfolio_block(initial.get("portfolio")),
    ]
    return modal(
        callback_id=callback_id, title=title, blocks=blocks, private_metadata=private_metadata
    )


def _text_input(field: limits.TextField, value: str | None, placeholder: str) -> Block:
    action = field.column.key  # the block and action ids are the column's name
    return text_input(action, max_length=field.form_limit, initial=value, placeholder=placeholder)


def _name_block(name: str | None) -> Block:
    element = _text_input(limits.PROGRAM_NAME, name, "Apollo Migration")
    return input_block("name", "Program name", element)


def _owner_select(owner: str | None) -> Block:
    element: Block = {"type": "users_select", "action_id": "owner"}
    if owner:
        element["initial_user"] = owner
    return element


def _channel_block(channel: str | None) -> Block:
    element: Block = {
        "type": "conversations_select",
        "action_id": "channel",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel:
        element["initial_conversation"] = channel
    return input_block(
        "channel",
        "Channel for updates",
        element,
        optional=True,
        hint="Invite me there first with /invite @pmo.",
    )


def _cadence_block(cadence: str | None) -> Block:
    return input_block(
        "cadence",
        "Status cadence",
        _text_input(limits.CADENCE, cadence or "weekly", "weekly mon 09:00"),
        hint="weekly, weekly mon 09:00, biweekly, monthly, daily, or a cron line",
    )


def _target_picker(target: date | None) -> Block:
    element: Block = {"type": "datepicker", "action_id": "target"}
    if target:
        element["initial_date"] = target.isoformat()
    return element


def _portfolio_block(portfolio: str | None) -> Block:
    element = _text_input(limits.PORTFOLIO, portfolio, "Payments")
    return input_block("portfolio", "Portfolio", element, optional=True)


def program_picker(choices: list[Program], *, action_id: str, total: int) -> Block:
    """A program select: static up to Slack's 100 options, a search box beyond that."""
    if total > 100:
        return {
            "type": "external_select",
            "action_id": action_id,
            "min_query_length": 1,
            "placeholder": plain("Type to search programs", 150),
        }
    options = [program_option(p) for p in choices[:100]]
    return {"type": "static_select", "action_id": action_id, "options": options}


def program_option(program: Program) -> dict[str, Any]:
    """One program as a select option."""
    return {
        "text": plain(truncate(f"{program.name} ({program.key})", 75), 75),
        "value": str(program.id),
    }
