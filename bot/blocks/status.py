"""Block Kit for status updates: the modal, the receipt, the channel post, the trend strip."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

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
    plain,
    section,
    text_input,
    truncate,
)
from bot.dates import format_date
from storage.models import Program, StatusUpdate

RAG_ICON = {"green": "🟢", "amber": "🟡", "red": "🔴"}
RAG_LABEL = {"green": "Green — on track", "amber": "Amber — at risk", "red": "Red — off track"}
TEXT_FIELDS = (
    ("summary", "Summary", False, "Where the program stands, in a line or two"),
    ("accomplishments", "Accomplishments", True, "Done since the last update"),
    ("next_steps", "Next steps", True, "What happens next"),
    ("blockers", "Blockers", True, "Anything stopping the team (leave empty if none)"),
    ("path_to_green", "Path to green", True, "Required for amber and red: how it recovers"),
)


def rag_change(name: str, *, rag: str | None, was: str | None) -> str:
    """A program's colour as it changed, in mrkdwn: "*Atlas* is now amber (was red)".

    Args:
        name: The program's name (escaped here).
        rag: Its colour now, or None before its first update.
        was: Its colour before, or None when it had none.

    Returns:
        "*Atlas* is red" when there is no earlier colour to compare, or it is unchanged.
    """
    if rag is None:
        return f"*{escape(name)}* has no status yet"
    if was is None or was == rag:
        return f"*{escape(name)}* is {rag}"
    return f"*{escape(name)}* is now {rag} (was {was})"


def trend_strip(rags: list[str]) -> str:
    """The last updates as coloured dots, oldest first (`rags` come newest first)."""
    return "".join(RAG_ICON.get(r, "⚪") for r in reversed(rags)) or "—"


def status_modal(
    *,
    program: Program | None,
    initial: StatusUpdate | None,
    picker: Block | None = None,
    update_id: int | None = None,
) -> Block:
    """The status modal, prefilled from `initial`; with `picker` when no program is chosen.

    Args:
        program: The program the update is for, or None when it is picked in the modal.
        initial: The update to prefill from (the last one, or the one being edited).
        picker: The program select to show first (it redraws the modal on change), or None.
        update_id: The id of the update being edited; None for a new update.

    Returns:
        The modal view, the program and update ids as JSON in its private metadata.
    """
    blocks: list[Block] = []
    if picker is not None:
        blocks.append(_picker_block(picker))
    blocks.append(input_block("rag", "Status", _rag_select(initial.rag if initial else None)))
    blocks += _text_blocks(initial)
    blocks += _date_blocks(initial, update_id=update_id)
    meta = {"program_id": program.id if program else None, "update_id": update_id}
    return modal(
        callback_id="status_submit",
        title="Edit update" if update_id else "Status update",
        blocks=blocks,
        submit="Submit",
        private_metadata=json.dumps(meta),
    )


def _picker_block(picker: Block) -> Block:
    return {
        "type": "input",
        "block_id": "program",
        "dispatch_action": True,
        "label": plain("Program"),
        "element": picker,
    }


def _text_blocks(initial: StatusUpdate | None) -> list[Block]:
    blocks: list[Block] = []
    for block_id, label, optional, placeholder in TEXT_FIELDS:
        value = getattr(initial, block_id) if initial else None
        element = text_input(
            block_id,
            max_length=limits.STATUS_FIELDS[block_id].form_limit,
            initial=value,
            multiline=True,
            placeholder=placeholder,
        )
        blocks.append(input_block(block_id, label, element, optional=optional))
    return blocks


def _date_blocks(initial: StatusUpdate | None, *, update_id: int | None) -> list[Block]:
    recovery = initial.recovery_date if initial else None
    new_target = initial.new_target_date if initial and update_id else None
    return [
        input_block(
            "recovery_date",
            "Back to green by",
            _date("recovery_date", recovery),
            optional=True,
            hint="Required for amber and red.",
        ),
        input_block(
            "new_target_date",
            "New target date (if it moves)",
            _date("new_target_date", new_target),
            optional=True,
        ),
    ]


def _rag_select(rag: str | None) -> Block:
    options = [{"text": plain(label, 75), "value": value} for value, label in RAG_LABEL.items()]
    element: Block = {"type": "static_select", "action_id": "rag", "options": options}
    if rag in RAG_LABEL:
        element["initial_option"] = next(o for o in options if o["value"] == rag)
    return element


def _date(action_id: str, value: Any) -> Block:
    element: Block = {"type": "datepicker", "action_id": action_id}
    if value is not None:
        element["initial_date"] = value.isoformat()
    return element


def update_lines(update: StatusUpdate, *, kept_plan: bool = False) -> list[str]:
    """The stored fields of an update as mrkdwn lines (long text cut, stored whole).

    Args:
        kept_plan: The path to green and recovery date were kept from the last update: say so.
    """
    lines = [
        f"{RAG_ICON[update.rag]} *{update.rag.capitalize()}* — "
        f"{escape(truncate(update.summary, 1200))}"
    ]
    for label, value in (
        ("Done", update.accomplishments),
        ("Next", update.next_steps),
        ("Blockers", update.blockers),
        ("Kept your path to green" if kept_plan else "Path to green", update.path_to_green),
    ):
        if value:
            lines.append(f"*{label}:* {escape(truncate(value, 600))}")
    if update.recovery_date:
        label = "Still back to green by" if kept_plan else "Back to green by"
        lines.append(f"*{label}:* {format_date(update.recovery_date)}")
    if update.new_target_date:
        lines.append(f"*New target:* {format_date(update.new_target_date)}")
    return lines


def receipt(
    program: Program,
    update: StatusUpdate,
    *,
    needs_plan: bool,
    late_for: date | None = None,
    kept_plan: bool = False,
) -> dict[str, Any]:
    """What the submitter sees: what was stored, with *Edit* (and *Add path to green*).

    Args:
        needs_plan: Amber or red without a full plan: offer *Add path to green*.
        late_for: The due date of the prompt this answered after the program went overdue.
        kept_plan: The path to green and recovery date were kept from the last update.
    """
    verb = "Edited" if update.edited_at else "Stored"
    lines = [
        f":white_check_mark: {verb} the status of *{escape(program.name)}*:",
        *update_lines(update, kept_plan=kept_plan),
    ]
    buttons = [button("Edit", action_id="status_edit", value=str(update.id))]
    if needs_plan:
        buttons.insert(
            0,
            button(
                "Add path to green",
                action_id="status_add_plan",
                value=str(update.id),
                style="primary",
            ),
        )
    text = "\n".join(lines)
    blocks = [section(text)]
    notes = _receipt_notes(needs_plan=needs_plan, late_for=late_for, kept_plan=kept_plan)
    if notes:
        blocks.append(context(*notes))
    blocks.append(actions(*buttons, block_id=f"status-{update.id}"))
    return message("\n".join([lines[0], *notes, *lines[1:]]), blocks)  # notes survive a cut


def _receipt_notes(*, needs_plan: bool, late_for: date | None, kept_plan: bool) -> list[str]:
    notes = []
    if late_for is not None:
        notes.append(
            f":hourglass: Late: this update was due {format_date(late_for)}. "
            "It is stored, and the overdue flag is cleared."
        )
    if kept_plan:
        notes.append(
            ":leftwards_arrow_with_hook: Your update gave no path to green, so I kept the one "
            "you had. *Edit* to change it."
        )
    if needs_plan:
        notes.append(
            ":warning: Add a path to green and a recovery date; until then "
            "the program is flagged NO_RECOVERY_PLAN."
        )
    return notes


def channel_post(program: Program, update: StatusUpdate, *, trend: list[str]) -> dict[str, Any]:
    """The update as posted in the program's channel, with the trend strip."""
    was = trend[1] if len(trend) > 1 else None
    change = rag_change(program.name, rag=update.rag, was=was)
    head = f"{change} — status from <@{update.author_id}> · trend {trend_strip(trend)}"
    text = "\n".join([head, *update_lines(update)])
    return message(text, [section(text), context(f"`/pmo program show {program.key}`")])
