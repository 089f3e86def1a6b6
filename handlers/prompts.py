"""Status prompts: their buttons, and what people write to the bot in a DM."""

from __future__ import annotations

from bot import dm, notify, programs
from bot.blocks import status as status_blocks
from bot.blocks.common import escape, message, section
from bot.blocks.programs import edit_modal
from bot.dates import format_date
from bot.status import replies
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result
from handlers.request import ActionRequest, MessageRequest, as_id
from storage.models import Program, Prompt


def register(on: Listeners) -> None:
    """Listen to prompt buttons and DMs."""
    on.action("prompt_submit", submit_button)
    on.action("prompt_no_change", no_change_button)
    on.action("prompt_snooze", snooze_button)
    on.action("reply_pick_program", pick_program_button)
    on.action("program_reassign", reassign_button)
    on.message(direct_message)


def submit_button(request: ActionRequest) -> Result:
    """*Submit update*: the status modal for the prompt's program."""
    program, last = replies.start_update(
        request.session,
        team_id=request.team_id,
        prompt_id=as_id(request.value),
        person=request.caller,
    )
    return OpenModal(status_blocks.status_modal(program=program, initial=last))


def no_change_button(request: ActionRequest) -> Result:
    """*No change*: repeat the last status, marked as such."""
    prompt, program = _prompt_of(request)
    answered = replies.no_change(
        request.session,
        prompt=prompt,
        program=program,
        author=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(dm.receipt(program, answered))


def snooze_button(request: ActionRequest) -> Result:
    """*Snooze 1 day*: ask again tomorrow."""
    prompt, program = _prompt_of(request)
    again = replies.snooze(
        request.session, prompt=prompt, now=request.now, workspace=request.workspace
    )
    calendar = notify.calendar_of(
        request.session, workspace=request.workspace, user_id=request.user_id
    )
    local = calendar.local(again)
    text = (
        f":zzz: I'll ask about *{escape(program.name)}* again on your next working day, "
        f"{format_date(local.date())} at {local:%H:%M}."
    )
    return Reply(message(text, [section(text)]))


def _prompt_of(request: ActionRequest) -> tuple[Prompt, Program]:
    return replies.prompt_and_program(
        request.session,
        team_id=request.team_id,
        prompt_id=as_id(request.value),
        person=request.caller,
    )


def pick_program_button(request: ActionRequest) -> Result:
    """Which program a reply was for: store it there."""
    return Reply(
        dm.answer_choice(
            request.session,
            person=request.caller,
            workspace=request.workspace,
            value=request.value,
            now=request.now,
        )
    )


def reassign_button(request: ActionRequest) -> Result:
    """*Reassign* on an unreachable-owner notice: admins get the edit modal."""
    program = programs.for_admin(
        request.session,
        team_id=request.team_id,
        program_id=as_id(request.value),
        person=request.caller,
        doing="reassign programs",
    )
    return OpenModal(edit_modal(program, title=f"Reassign {program.key}", with_owner=False))


def direct_message(request: MessageRequest) -> Result:
    """A DM to the bot, or an edit of one: what it says is stored or answered; the reply goes
    in its thread (an edit redraws the receipt in place instead)."""
    said = dm.answer(
        request.session,
        person=request.caller,
        workspace=request.workspace,
        text=request.text,
        thread_ts=request.thread_ts,
        now=request.now,
        sent=dm.Sent(request.channel_id, request.ts, request.reply_key),
        edit_delay=request.edit_delay,
    )
    return Reply(said) if said is not None else None
