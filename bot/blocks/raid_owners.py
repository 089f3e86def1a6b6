"""Block Kit for what RAID owners hear: assigned an item, due soon, overdue, a blocker raised.

Each DM names the item (number, kind, title, program, score and due date as it has them) and
carries *Mitigate* (scored kinds only) and *Close*, the RAID log's own buttons: clicking them
checks, like anywhere else, that the clicker may change the item.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.common import actions, button, escape, message, section, truncate
from bot.dates import format_date
from storage.models import Program, RaidItem

TITLE_MAX = 200


def assigned_message(item: RaidItem, program: Program, *, by: str) -> dict[str, Any]:
    """Tell the owner someone gave them an item."""
    return _item_message(f":bookmark: <@{by}> made you the owner of", item, program)


def due_soon_message(item: RaidItem, program: Program) -> dict[str, Any]:
    """Remind the owner an open item is due in two working days."""
    assert item.due_date is not None
    lead = f":hourglass: Due on {format_date(item.due_date)}:"
    return _item_message(lead, item, program, due=False)


def overdue_message(item: RaidItem, program: Program) -> dict[str, Any]:
    """Tell the owner an open item is past its due date."""
    assert item.due_date is not None
    lead = f":warning: Overdue since {format_date(item.due_date)}:"
    return _item_message(lead, item, program, due=False)


def blocker_message(
    item: RaidItem, program: Program, *, raised_by: str, channel_id: str
) -> dict[str, Any]:
    """Tell a program's owner a stand-up blocker was logged as a blocking issue on it."""
    return _item_message(
        f":construction: <@{raised_by}> raised a blocker in the stand-up in <#{channel_id}>:",
        item,
        program,
    )


def _item_message(
    lead: str, item: RaidItem, program: Program, *, due: bool = True
) -> dict[str, Any]:
    text = f"{lead} {describe(item, program, due=due)}"
    return message(text, [section(text), owner_buttons(item)])


def describe(item: RaidItem, program: Program, *, due: bool = True) -> str:
    """`risk #3 “Vendor may slip” on *Apollo* (`apollo`) · score 12 · due Mon 30 Nov 2026`.

    Args:
        due: Whether to say the due date (a reminder says it already).
    """
    facts = [
        f"{item.kind} #{item.id} “{escape(truncate(item.title, TITLE_MAX))}” on "
        f"*{escape(program.name)}* (`{program.key}`)"
    ]
    if item.score is not None:
        facts.append(f"score {item.score}")
    if due and item.due_date is not None:
        facts.append(f"due {format_date(item.due_date)}")
    if item.blocking:
        facts.append("*blocking*")
    return " · ".join(facts)


def owner_buttons(item: RaidItem) -> dict[str, Any]:
    """*Mitigate* and *Close*; only *Close* for an unscored item (a decision, an assumption)."""
    value = str(item.id)
    close = button("Close", action_id="raid_close", value=value)
    # Unscored kinds hold no score, and have nothing to mitigate.
    if item.score is None:
        return actions(close, block_id=f"raid-owner-{item.id}")
    mitigate = button("Mitigate", action_id="raid_mitigate", value=value)
    return actions(mitigate, close, block_id=f"raid-owner-{item.id}")
