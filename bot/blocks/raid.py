"""Block Kit for the RAID log: the modal, the receipt and the open-items list."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import limits
from bot.blocks.common import (
    Block,
    actions,
    button,
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
from bot.commands import SCALE_WORDS
from bot.dates import format_date
from bot.raid import DEFAULT_LEVEL, KINDS, RaidPage, is_scored
from storage.models import Program, RaidItem

LIST_LIMIT = 15  # each item takes a section and an actions block: 2 × 15 + headers < 50
KIND_ACTION = "raid_kind"
KIND_HINT = "Decisions and assumptions are recorded, not scored."


def raid_modal(
    *, program: Program | None, program_picker: Block | None, kind: str = "risk"
) -> Block:
    """The RAID modal; `program_picker` is shown when no program was named.

    Picking the type redraws it (`redraw_for_kind`): a decision or an assumption is not
    scored, so it has no likelihood, impact or mitigation fields.

    Args:
        program: The program the item is logged on, or None when it is picked in the modal.
        program_picker: The program select to show first, or None.
        kind: The type selected.

    Returns:
        The modal view, the program id (or "") in its private metadata.
    """
    return _raid_modal(str(program.id) if program else "", program_picker, kind)


def _raid_modal(metadata: str, program_picker: Block | None, kind: str) -> Block:
    blocks: list[Block] = []
    if program_picker is not None:
        blocks.append(input_block("program", "Program", program_picker))
    blocks += [
        _kind_block(kind),
        _title_block(),
        _multiline_block("description", "Description", limits.RAID_DESCRIPTION),
        *(_score_blocks() if is_scored(kind) else []),
        _owner_block(),
        _due_block(),
        *(
            [_multiline_block("mitigation", "Mitigation", limits.MITIGATION)]
            if is_scored(kind)
            else []
        ),
        _blocking_block(),
    ]
    return modal(
        callback_id="raid_submit",
        title="Log a RAID item",
        blocks=blocks,
        submit="Log it",
        private_metadata=metadata,
    )


def redraw_for_kind(view: Block, kind: str) -> Block:
    """The RAID modal redrawn for the type just picked, keeping its program and picker.

    Inputs keep their block and action ids, so Slack keeps what was typed in them.

    Args:
        view: The open modal, as Slack sent it with the pick.
        kind: The type picked; an unknown one draws the modal for a risk.
    """
    blocks = view.get("blocks") or []
    picker = next((b.get("element") for b in blocks if b.get("block_id") == "program"), None)
    chosen = kind if kind in KINDS else "risk"
    return _raid_modal(str(view.get("private_metadata") or ""), picker, chosen)


def _score_blocks() -> list[Block]:
    return [
        input_block("likelihood", "Likelihood", _level("likelihood")),
        input_block("impact", "Impact", _level("impact")),
    ]


def _kind_block(kind: str) -> Block:
    kinds = [{"text": plain(k.capitalize(), 75), "value": k} for k in KINDS]
    element: Block = {
        "type": "static_select",
        "action_id": KIND_ACTION,
        "options": kinds,
        "initial_option": kinds[KINDS.index(kind)],
    }
    block = input_block("kind", "Type", element, hint=KIND_HINT)
    return block | {"dispatch_action": True}  # picking a type redraws the modal


def _title_block() -> Block:
    element = text_input("title", max_length=limits.RAID_TITLE.form_limit)
    return input_block("title", "Title", element)


def _multiline_block(block_id: str, label: str, field: limits.TextField) -> Block:
    element = text_input(block_id, max_length=field.form_limit, multiline=True)
    return input_block(block_id, label, element, optional=True)


def _owner_block() -> Block:
    element: Block = {"type": "users_select", "action_id": "owner"}
    return input_block(
        "owner", "Owner", element, optional=True, hint="Leave empty to own it yourself."
    )


def _due_block() -> Block:
    element: Block = {"type": "datepicker", "action_id": "due_date"}
    return input_block("due_date", "Due", element, optional=True)


def _blocking_block() -> Block:
    element: Block = {
        "type": "checkboxes",
        "action_id": "blocking",
        "options": [{"text": plain("This issue blocks the program"), "value": "yes"}],
    }
    return input_block("blocking", "Blocking", element, optional=True)


def _level(action_id: str, initial: int = 3) -> Block:
    """A 1–5 select labelled with its scale's words ("4 — likely", "4 — major")."""
    options = [
        {"text": plain(f"{n} — {level_word(action_id, n)}", 75), "value": str(n)}
        for n in range(1, 6)
    ]
    return {
        "type": "static_select",
        "action_id": action_id,
        "options": options,
        "initial_option": options[initial - 1],
    }


def level_word(what: str, level: int) -> str:
    """The 5×5 matrix word for a likelihood or impact level: `level_word("impact", 4)` is
    "major"."""
    words = list(SCALE_WORDS[what])
    return words[level - 1] if 1 <= level <= len(words) else str(level)


def item_line(item: RaidItem, program: Program, *, today: date) -> str:
    """One item: score, kind, title, program, owner, due (late marked)."""
    due = ""
    if item.due_date is not None:
        late = " ⚠️ overdue" if item.due_date < today else ""
        due = f" · due {format_date(item.due_date)}{late}"
    blocking = " · *blocking*" if item.blocking else ""
    escalated = " · escalated" if item.escalated_at else ""
    return (
        f"{score_mark(item.score)}{item.kind} · *{escape(truncate(item.title, 200))}* — "
        f"{escape(program.name)} "
        f"(`{program.key}`) · <@{item.owner_id}>{due}{blocking}{escalated}"
    )


def score_mark(score: int | None) -> str:
    """An item's score in bold before its kind ("*20* risk"); nothing for an unscored one."""
    return "" if score is None else f"*{score}* "


def added_message(item: RaidItem, program: Program, *, today: date) -> dict[str, Any]:
    """The receipt for a logged item."""
    text = (
        f":white_check_mark: Logged on *{escape(program.name)}*: "
        f"{item_line(item, program, today=today)}\n{scores(item)}"
    ).rstrip()
    return message(text, [section(text)])


def scores(item: RaidItem) -> str:
    """How an item scores, in words: "Likelihood 4 (likely) × impact 5 (severe) = 20"; ""
    for a decision or an assumption."""
    if item.likelihood is None or item.impact is None:
        return ""
    levels = (
        f"likelihood {item.likelihood} ({level_word('likelihood', item.likelihood)}) × "
        f"impact {item.impact} ({level_word('impact', item.impact)})"
    )
    return f"{levels.capitalize()} = {item.score}"


def list_message(page: RaidPage, *, title: str, today: date) -> dict[str, Any]:
    """Open items, highest score first, each with its buttons (`item_buttons`)."""
    if not page.items:
        text = f"No open RAID items ({escape(title)})."
        return message(text, [section(text)])
    blocks: list[Block] = [header(f"{plural(page.total, 'open RAID item')} — {title}")]
    for item, program in page.items[:LIST_LIMIT]:
        blocks.append(section(item_line(item, program, today=today)))
        blocks.append(item_buttons(item))
    if page.total > LIST_LIMIT:
        blocks.append(
            context(
                f"Showing the {LIST_LIMIT} highest scores of {page.total}. "
                "Narrow it with a program or `mine`."
            )
        )
    lines = [item_line(i, p, today=today) for i, p in page.items]
    fallback = f"{plural(page.total, 'open RAID item')} — {escape(title)}"
    return message(fallback + "\n" + "\n".join(lines), blocks)


def item_buttons(item: RaidItem) -> Block:
    """*Mitigate*, *Close*, *Escalate*; only *Close* for a decision or an assumption."""
    value = str(item.id)
    close = button("Close", action_id="raid_close", value=value)
    if not is_scored(item.kind):
        return actions(close, block_id=f"raid-{item.id}")
    return actions(
        button("Mitigate", action_id="raid_mitigate", value=value),
        close,
        button("Escalate", action_id="raid_escalate", value=value, style="danger"),
        block_id=f"raid-{item.id}",
    )


def mitigate_modal(item: RaidItem) -> Block:
    """Ask for the mitigation note of one item, and its likelihood and impact (prefilled)."""
    element = text_input(
        "mitigation",
        max_length=limits.MITIGATION.form_limit,
        initial=item.mitigation,
        multiline=True,
    )
    return modal(
        callback_id="raid_mitigate",
        title="Mitigation",
        submit="Save",
        private_metadata=str(item.id),
        blocks=[
            section(f"*{escape(truncate(item.title, 2000))}*\n{scores(item)}"),
            input_block("mitigation", "What is being done", element),
            input_block(
                "likelihood",
                "Likelihood now",
                _level("likelihood", item.likelihood or DEFAULT_LEVEL),
                hint="Re-score it if the mitigation changed the odds or the impact.",
            ),
            input_block("impact", "Impact now", _level("impact", item.impact or DEFAULT_LEVEL)),
        ],
    )


def close_modal(item: RaidItem, program: Program) -> Block:
    """Ask why an item is closed: a short reason, kept in its history."""
    element = text_input(
        "reason",
        max_length=limits.CLOSE_REASON.form_limit,
        placeholder="e.g. mitigated: second supplier signed",
    )
    return modal(
        callback_id="raid_close",
        title="Close RAID item",
        submit="Close it",
        private_metadata=str(item.id),
        blocks=[
            section(
                f"{score_mark(item.score)}{item.kind} #{item.id} · "
                f"*{escape(truncate(item.title, 2000))}* on *{escape(program.name)}*"
            ),
            input_block("reason", "Why is it closed?", element),
        ],
    )


def closed_view(item: RaidItem, program: Program) -> Block:
    """The close confirmation, with *Reopen* to undo it."""
    text = (
        f":white_check_mark: Closed {item.kind} #{item.id} “{escape(item.title)}” on "
        f"*{escape(program.name)}*: {escape(item.close_reason)}"
    )
    view = modal(
        callback_id="done",
        title="RAID item closed",
        submit=None,
        blocks=[
            section(text),
            actions(button("Reopen", action_id="raid_reopen", value=str(item.id))),
            context(f"Or later: `/pmo risk reopen #{item.id}`"),
        ],
    )
    view["close"] = plain("Done", 24)
    return view


def reopened_text(item: RaidItem, program: Program, *, reason: str | None) -> str:
    """What reopening says: the item, and why it had been closed."""
    was = f"; it had been closed as “{escape(reason)}”" if reason else ""
    return (
        f"Reopened {item.kind} #{item.id} “{escape(item.title)}” on *{escape(program.name)}*{was}."
    )


def mitigated_text(item: RaidItem, *, was: int | None) -> str:
    """The mitigation saved, and the new score when it changed (`was`, the old one)."""
    text = f"Mitigation of “{escape(item.title)}” saved."
    return f"{text} Re-scored: {scores(item)} (was {was})." if was is not None else text


def edited_text(item: RaidItem, program: Program, *, changed: dict[str, Any]) -> str:
    """What `risk edit` says: the item, and its new owner and due date as changed."""
    news = []
    if "owner_id" in changed:
        news.append(f"owner <@{item.owner_id}>")
    if "due_date" in changed:
        news.append(f"due {format_date(item.due_date)}" if item.due_date else "no due date")
    return (
        f"{item.kind.capitalize()} #{item.id} “{escape(item.title)}” on "
        f"*{escape(program.name)}*: {', '.join(news)}."
    )
