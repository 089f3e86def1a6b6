"""Block Kit for the App Home tab: my programs, my risks, my intake, the portfolio for admins.

Every list is cut to a few rows with a pointer to the command that shows the rest, so the
view stays far inside Slack's 100 blocks whatever the portfolio size.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    VIEW_BLOCKS_MAX,
    Block,
    ago,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    plural,
    section,
    truncate,
)
from bot.blocks.raid import item_line
from bot.blocks.status import RAG_ICON, trend_strip
from bot.dates import format_date
from bot.home import OVERDUE, Home, Portfolio
from storage.models import ActionItem, IntakeRequest, Program
from storage.types import ProgramState

SUBMIT_ACTION = "home_status"
# The status modal opened from Home submits here, so Home is refreshed after it.
STATUS_CALLBACK = "home_status_submit"
GUEST_TEXT = (
    "Hi! Need a new project? Ask for it with `/pmo intake`: the PMO reviews every request "
    "and tells you the outcome here in Slack."
)


def home_view(home: Home) -> Block:
    """The Home tab for one person; a guest's shows only how to file intake."""
    if home.guest:
        return _view([header("PMO Bot"), section(GUEST_TEXT)])
    today = home.now.astimezone(ZoneInfo(home.timezone)).date()
    blocks = [*_programs(home), divider(), *_risks(home, today), divider()]
    if home.actions.items:
        blocks += [*_actions(home, today), divider()]
    blocks += _intake(home)
    if home.portfolio is not None:
        blocks += [divider(), *_portfolio(home.portfolio, home)]
    footer = [f"Updated {_local_time(home.now, home.timezone)} (your time)"]
    if home.muted:
        footer.append(f"Muted DMs: {', '.join(home.muted)} · `/pmo notify` to change")
    blocks.append(
        context(
            f"Your working time: {home.working_time} · change it with `/pmo hours` and "
            "`/pmo holidays`"
        )
    )
    blocks.append(context(*footer))
    return _view(blocks)


def _view(blocks: list[Block]) -> Block:
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS_MAX]}


def _local_time(when: datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz))
    return f"{format_date(local.date())} {local:%H:%M}"


def _more(total: int, shown: int, command: str) -> list[Block]:
    hidden = total - shown
    return [context(f"…and {hidden} more: `{command}`")] if hidden > 0 else []


def _programs(home: Home) -> list[Block]:
    page = home.programs
    title = f"Your programs ({page.total})" if page.total else "Your programs"
    if not page.items:
        return [header(title), section("You own or cover no active program.")]
    blocks = [header(title)]
    for program in page.items:
        blocks.append(
            section(
                program_text(program, now=home.now, tz=home.timezone),
                accessory=button("Submit update", action_id=SUBMIT_ACTION, value=str(program.id)),
                block_id=f"home-program-{program.id}",
            )
        )
    return blocks + _more(page.total, len(page.items), "/pmo program list mine")


def program_text(program: Program, *, now: datetime, tz: str) -> str:
    """A program's line: RAG, name, trend; then when its next update is due, in `tz`."""
    icon = RAG_ICON.get(program.rag or "", "⚪")
    updated = f"updated {ago(program.last_update_at, now)}" if program.last_update_at else None
    name = escape(truncate(program.name, 120))
    first = f"{icon} *{name}* `{program.key}` · {trend_strip(program.trend)}"
    second = [_due_text(program, tz), updated or "no update yet"]
    flags = [code for code in program.flags if code != OVERDUE]
    if flags:
        second.append("⚑ " + ", ".join(flags))
    return first + "\n" + " · ".join(second)


def _due_text(program: Program, tz: str) -> str:
    overdue = "⚠️ *update overdue* · " if OVERDUE in program.flags else ""
    if program.state == ProgramState.PAUSED:
        return f"{overdue}⏸️ paused, no prompts"
    if program.next_due_at is None:
        return f"{overdue}no update scheduled"
    return f"{overdue}next update due {_local_time(program.next_due_at, tz)}"


def _risks(home: Home, today: date) -> list[Block]:
    page = home.risks
    if not page.items:
        return [header("Your open risks"), section("No open RAID items on you or your programs.")]
    lines = [item_line(item, program, today=today) for item, program in page.items]
    blocks = [header(f"Your open risks ({page.total})")]
    blocks += [section(chunk) for chunk in chunk_lines(lines)]
    return blocks + _more(page.total, len(page.items), "/pmo risks mine")


def _actions(home: Home, today: date) -> list[Block]:
    page = home.actions
    lines = [action_line(action, today=today) for action in page.items]
    blocks = [header(f"Your open actions ({page.total})")]
    blocks += [section(chunk) for chunk in chunk_lines(lines)]
    return blocks + _more(page.total, len(page.items), "/pmo actions mine")


def action_line(action: ActionItem, *, today: date) -> str:
    """`A-3` Book the vendor review · due Fri 11 Dec 2026 (overdue)."""
    late = " *(overdue)*" if action.due_date < today else ""
    title = escape(truncate(action.title, 150))
    return f"• `A-{action.number}` {title} · due {format_date(action.due_date)}{late}"


def _intake(home: Home) -> list[Block]:
    page = home.intake
    if not page.items:
        text = "No request of yours is waiting for a decision. Ask for a project: `/pmo intake`."
        return [header("Your intake requests"), section(text)]
    lines = [_intake_line(request, home) for request in page.items]
    blocks = [header(f"Your intake requests waiting ({page.total})")]
    blocks += [section(chunk) for chunk in chunk_lines(lines)]
    return blocks + _more(page.total, len(page.items), "/pmo intake list")


def _intake_line(request: IntakeRequest, home: Home) -> str:
    filed = format_date(request.created_at.astimezone(ZoneInfo(home.timezone)).date())
    return (
        f"*INT-{request.number}* {escape(truncate(request.title, 150))} · score "
        f"{request.score:.1f} · "
        f"filed {filed} ({ago(request.created_at, home.now)})"
    )


def _portfolio(portfolio: Portfolio, home: Home) -> list[Block]:
    blocks = [header("Portfolio"), section(counts_text(portfolio))]
    flagged = portfolio.flagged
    if flagged.items:
        lines = [_flagged_line(program) for program in flagged.items]
        blocks.append(section(f"*Flagged ({flagged.total})*"))
        blocks += [section(chunk) for chunk in chunk_lines(lines)]
        blocks += _more(flagged.total, len(flagged.items), "/pmo program list flagged")
    blocks.append(section(_waiting_text(portfolio, home)))
    return blocks


def counts_text(portfolio: Portfolio) -> str:
    """Live programs by RAG, flagged, and with an overdue update."""
    rag = portfolio.by_rag
    return (
        f"*{plural(portfolio.total, 'live program')}* · 🟢 {rag.get('green', 0)} green · "
        f"🟡 {rag.get('amber', 0)} amber · 🔴 {rag.get('red', 0)} red · "
        f"⚪ {rag.get(None, 0)} no update yet\n"
        f"⚑ {portfolio.flagged.total} flagged · ⏰ {portfolio.overdue} update overdue"
    )


def _flagged_line(program: Program) -> str:
    icon = RAG_ICON.get(program.rag or "", "⚪")
    name = escape(truncate(program.name, 120))
    return f"{icon} *{name}* `{program.key}` — {', '.join(program.flags)}"


def _waiting_text(portfolio: Portfolio, home: Home) -> str:
    if portfolio.oldest_intake is None:
        return "*Intake awaiting a decision:* none"
    oldest = portfolio.oldest_intake
    return (
        f"*Intake awaiting a decision:* {portfolio.intake_waiting} · oldest "
        f"{_intake_line(oldest, home)} · `/pmo intake list`"
    )
