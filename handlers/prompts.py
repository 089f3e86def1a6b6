"""Status prompts: their buttons, and free-text replies in the bot's DMs."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import dedupe, outbox, programs, replies, status
from bot.blocks import prompts as render
from bot.blocks import status as status_blocks
from bot.blocks.common import message, section
from bot.blocks.programs import program_modal
from bot.dates import format_date
from bot.deps import Deps
from bot.errors import UserError
from handlers import standups
from handlers.interactive import run_action
from handlers.request import ActionRequest, Interaction, open_interaction, warm_caller
from handlers.router import Router
from storage.models import Program, Prompt, StatusUpdate


def register(app: App, router: Router) -> None:
    """Listen to prompt buttons and DMs."""
    app.action("prompt_submit")(submit_button)
    app.action("prompt_no_change")(no_change_button)
    app.action("prompt_snooze")(snooze_button)
    app.action("reply_pick_program")(pick_program_button)
    app.action("program_reassign")(reassign_button)
    app.event("message")(direct_message)


def submit_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Submit update*: the status modal for the prompt's program."""
    run_action(ack, body, respond, context["deps"], _open_status_modal)


def _open_status_modal(request: ActionRequest) -> None:
    _, program = _prompt_of(request)
    programs.require_update(request.session, program=program, person=request.caller, doing="update")
    last = status.latest(request.session, program_id=program.id)
    request.open_modal(status_blocks.status_modal(program=program, initial=last))


def _prompt_of(
    request: ActionRequest | Interaction, prompt_id: int | None = None
) -> tuple[Prompt, Program]:
    value = prompt_id if prompt_id is not None else int(getattr(request, "value", 0))
    prompt = replies.get_prompt(
        request.session, team_id=request.team_id, prompt_id=value, person=request.caller
    )
    program = programs.get(request.session, team_id=request.team_id, program_id=prompt.program_id)
    return prompt, program


def no_change_button(
    ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """*No change*: repeat the last status, marked as such."""
    run_action(ack, body, respond, context["deps"], _no_change)


def _no_change(request: ActionRequest) -> dict[str, Any]:
    prompt, program = _prompt_of(request)
    update = replies.no_change(
        request.session,
        prompt=prompt,
        program=program,
        author=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return status_blocks.receipt(program, update, needs_plan=False)


def snooze_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Snooze 1 day*: ask again tomorrow."""
    run_action(ack, body, respond, context["deps"], _snooze)


def _snooze(request: ActionRequest) -> dict[str, Any]:
    prompt, program = _prompt_of(request)
    again = replies.snooze(request.session, prompt=prompt, now=request.now)
    text = (
        f":zzz: I'll ask about *{program.name}* again {format_date(again.date())} "
        "(within your working hours)."
    )
    return message(text, [section(text)])


def pick_program_button(
    ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Which program a reply was for: store it there."""
    run_action(ack, body, respond, context["deps"], _answer_picked)


def _answer_picked(request: ActionRequest) -> dict[str, Any]:
    choice = json.loads(request.value)
    prompt, program = _prompt_of(request, int(choice["prompt"]))
    parsed = replies.parse(choice["text"])
    if parsed is None:
        return render.need_rag_message(choice["text"])
    update = replies.answer(
        request.session,
        prompt=prompt,
        program=program,
        author=request.caller,
        reply=parsed,
        now=request.now,
        workspace=request.workspace,
    )
    return status_blocks.receipt(program, update, needs_plan=False)


def reassign_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Reassign* on an unreachable-owner notice: admins get the edit modal."""
    run_action(ack, body, respond, context["deps"], _open_reassign)


def _open_reassign(request: ActionRequest) -> None:
    request.require_admin("reassign programs")
    program = programs.get(request.session, team_id=request.team_id, program_id=int(request.value))
    initial = {
        "name": program.name,
        "channel": program.channel_id,
        "cadence": program.cadence,
        "target": program.target_date,
        "portfolio": program.portfolio,
    }
    request.open_modal(
        program_modal(
            callback_id="program_edit",
            title=f"Reassign {program.key}",
            initial=initial,
            private_metadata=str(program.id),
        )
    )


def direct_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """A DM to the bot: an answer to a prompt, in its thread or when only one is waiting."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and bot messages are not answers
    deps: Deps = context["deps"]
    warm_caller(deps, team_id=body["team_id"], user_id=event["user"])
    with deps.sessions.begin() as session:
        common = open_interaction(deps, session, team_id=body["team_id"], user_id=event["user"])
        if not dedupe.first_delivery(
            session, team_id=body["team_id"], event_id=body["event_id"], now=common["now"]
        ):
            return
        interaction = Interaction(**common)
        try:
            # A stand-up answer (one line per question) first; status prompts otherwise.
            reply = standups.answer_from_dm(interaction, event) or _answer_dm(interaction, event)
        except UserError as error:
            reply = message(f":warning: {error.message}", [section(f":warning: {error.message}")])
        outbox.enqueue(
            session,
            team_id=interaction.team_id,
            channel=event["channel"],
            key=f"dm-reply:{body['event_id']}",
            now=interaction.now,
            payload={**reply, "thread_ts": event.get("thread_ts") or event["ts"]},
        )


def _answer_dm(interaction: Interaction, event: dict[str, Any]) -> dict[str, Any]:
    text = event.get("text") or ""
    session, team, user = interaction.session, interaction.team_id, interaction.user_id
    if event.get("thread_ts"):
        found = replies.prompt_in_thread(
            session, team_id=team, user_id=user, thread_ts=event["thread_ts"]
        )
        candidates = [found] if found else []
    else:
        candidates = replies.pending_for(session, team_id=team, user_id=user)
    if not candidates:
        return message(
            "No status prompt is waiting for your answer. To report anyway: "
            "`/pmo status <program> <green|amber|red> <summary>`."
        )
    parsed = replies.parse(text)
    if parsed is None:
        return render.need_rag_message(text)
    if len(candidates) > 1:
        options = [(p.name[:60], _choice_value(prompt.id, text)) for prompt, p in candidates]
        return render.choose_program_message(text, options)
    prompt, program = candidates[0]
    update = replies.answer(
        session,
        prompt=prompt,
        program=program,
        author=interaction.caller,
        reply=parsed,
        now=interaction.now,
        workspace=interaction.workspace,
    )
    return _receipt(program, update)


def _receipt(program: Program, update: StatusUpdate) -> dict[str, Any]:
    return status_blocks.receipt(program, update, needs_plan="NO_RECOVERY_PLAN" in program.flags)


def _choice_value(prompt_id: int, text: str) -> str:
    """A button value carrying the reply, within Slack's 2,000 characters however encoded."""
    value = json.dumps({"prompt": prompt_id, "text": text}, ensure_ascii=False)
    while len(value) > 1990:
        text = text[: len(text) - (len(value) - 1990) - 1]
        value = json.dumps({"prompt": prompt_id, "text": text}, ensure_ascii=False)
    return value
