"""Block Kit for status prompts, reminders and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.blocks.common import actions, ago, button, context, escape, message, section, truncate
from bot.blocks.status import RAG_ICON
from bot.commands import parse_rag_prefix
from storage.models import Program, StatusUpdate

if TYPE_CHECKING:
    from bot.status.reports import LastStatus


def prompt_message(
    program: Program,
    *,
    prompt_id: int,
    last: StatusUpdate | LastStatus | None,
    now: datetime,
    covering_for: str | None = None,
) -> dict[str, Any]:
    """The DM asking for a status update, with *Submit update*, *No change*, *Snooze 1 day*."""
    cover = f" (covering for <@{covering_for}>, who is out of office)" if covering_for else ""
    ask = f":clipboard: Status update due for *{escape(program.name)}*{cover}."
    if last is None:
        was = "No status has been reported yet."
    else:
        was = (
            f"Last status {RAG_ICON[last.rag]} *{last.rag}*, {ago(last.created_at, now)}: "
            f"{escape(truncate(last.summary, 500))}"
        )
    buttons = [
        button("Submit update", action_id="prompt_submit", value=str(prompt_id), style="primary")
    ]
    if last is not None:
        buttons.append(button("No change", action_id="prompt_no_change", value=str(prompt_id)))
    buttons.append(button("Snooze 1 day", action_id="prompt_snooze", value=str(prompt_id)))
    hint = "Or reply in this thread, e.g. `amber - vendor late; next: escalate`."
    return message(
        f"{ask} {was}",
        [
            section(f"{ask}\n{was}"),
            actions(*buttons, block_id=f"prompt-{prompt_id}"),
            context(hint),
        ],
    )


def reminder_message(program: Program, *, prompt_id: int, due: str) -> dict[str, Any]:
    """One reminder, halfway through the grace period."""
    text = (
        f":hourglass_flowing_sand: Reminder: the status of *{escape(program.name)}* was due {due}. "
        "It will be flagged overdue at the end of the grace period."
    )
    return message(
        text,
        [
            section(text),
            actions(
                button(
                    "Submit update",
                    action_id="prompt_submit",
                    value=str(prompt_id),
                    style="primary",
                ),
                button("No change", action_id="prompt_no_change", value=str(prompt_id)),
                block_id=f"reminder-{prompt_id}",
            ),
        ],
    )


def owner_gone_message(program: Program, *, user_id: str, error: str) -> dict[str, Any]:
    """Tell the PMO channel a program's owner can't be reached, with a way to reassign."""
    role = "owner" if user_id == program.owner_id else "delegate"
    text = (
        f":ghost: I can't reach <@{user_id}>, {role} of *{escape(program.name)}* (Slack says "
        f"`{error}`): they may have left. An admin can reassign it."
    )
    return message(
        text,
        [
            section(text),
            actions(
                button("Reassign", action_id="program_reassign", value=str(program.id)),
                block_id=f"gone-{program.id}",
            ),
        ],
    )


def choose_program_message(text: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    """Ask which program a free-text reply was for; nothing is guessed."""
    head = (
        "You have several status prompts open. Which program is this for?\n> "
        f"{escape(truncate(text, 500))}"
    )
    buttons = [
        button(label, action_id="reply_pick_program", value=value) for label, value in options[:25]
    ]
    return message(head, [section(head), actions(*buttons, block_id="reply-pick")])


def need_rag_message(text: str) -> dict[str, Any]:
    """A reply without a RAG word (or only one): ask for what is missing, not guess."""
    colour = parse_rag_prefix(text.strip())
    if colour is not None and not colour[1]:  # `g`, `amber -`: the colour without a word
        example = "on plan" if colour[0] == "green" else "vendor late; next: escalate"
        head = (
            f"Got *{colour[0]}*; add a line on how it is going after it, e.g. "
            f"`{colour[0]} - {example}`.\n> {escape(truncate(text, 500))}"
        )
    else:
        head = (
            "I couldn't tell the status from your reply. Start it with green, amber or red, "
            f"e.g. `amber - vendor late; next: escalate`.\n> {escape(truncate(text, 500))}"
        )
    return message(head, [section(head)])


def held_edited_message() -> dict[str, Any]:
    """An edit of a reply still waiting for its program: the new text is the one kept."""
    text = "Got your edit: that is the reply I'll store once you pick its program above."
    return message(text, [section(text)])
