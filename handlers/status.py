"""`/pmo status …`: quick updates, the status modal, receipts with *Edit*."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import outbox, programs, status
from bot.blocks import status as render
from bot.blocks.common import done_view
from bot.blocks.programs import program_picker
from bot.commands import parse_rag
from bot.errors import UserError
from handlers.interactive import run_action, run_submission
from handlers.programs import program_arg
from handlers.request import ActionRequest, CommandRequest, Interaction, ModalSubmission
from handlers.router import Reply, Router
from storage.models import Program, StatusUpdate

RAG_HELP = "green, amber or red (also g/a/r, yellow, on track, at risk, off track)"


def register(app: App, router: Router) -> None:
    """Route `/pmo status` and the status modal and buttons."""
    router.add("status", command)
    app.view("status_submit")(submit)
    app.action("status_pick_program")(pick_program)
    app.action("status_edit")(edit_button)
    app.action("status_add_plan")(edit_button)


def command(request: CommandRequest) -> Reply:
    """`status`, `status <program>` (modal) or `status <program> <rag> <summary…>`."""
    if not request.words:
        return _open_for_own_programs(request)
    program, rest = program_arg(request)
    programs.require_update(request.session, program=program, person=request.caller, doing="update")
    if not rest:
        _open_modal(request, program)
        return None
    found = parse_rag([w.text for w in rest])
    if found is None:
        raise UserError(f"“{rest[0].raw}” is not a status. Use {RAG_HELP}, then a summary.")
    rag, used = found
    data = status.StatusInput(rag=rag, summary=" ".join(w.raw for w in rest[used:]))
    status.validate(data, require_recovery=False, today=request.today)
    update = _record(request, program, data)
    return render.receipt(program, update, needs_plan="NO_RECOVERY_PLAN" in program.flags)


def _open_for_own_programs(request: CommandRequest) -> Reply:
    mine = programs.updatable_by(request.session, person=request.caller)
    if not mine:
        raise UserError(
            "You don't own or cover any active program. Name one: `/pmo status <program>`."
        )
    if len(mine) == 1:
        _open_modal(request, mine[0])
    else:
        picker = program_picker(mine, action_id="status_pick_program", total=len(mine))
        view = render.status_modal(program=None, initial=None, picker=picker)
        request.client.views_open(trigger_id=request.trigger_id, view=view)
    return None


def _open_modal(
    request: CommandRequest | ActionRequest, program: Program, update: StatusUpdate | None = None
) -> None:
    last = update or status.latest(request.session, program_id=program.id)
    view = render.status_modal(
        program=program, initial=last, update_id=update.id if update else None
    )
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def pick_program(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """A program picked in the modal: redraw it prefilled from that program's last update."""
    run_action(ack, body, respond, context["deps"], _redraw_for_program)


def _redraw_for_program(request: ActionRequest) -> None:
    program = programs.get(request.session, team_id=request.team_id, program_id=int(request.value))
    programs.require_update(request.session, program=program, person=request.caller, doing="update")
    view = render.status_modal(
        program=program, initial=status.latest(request.session, program_id=program.id)
    )
    assert request.view is not None
    request.client.views_update(
        view_id=request.view["id"], hash=request.view.get("hash"), view=view
    )


def edit_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Edit* / *Add path to green* on a receipt: the modal, prefilled with that update."""
    run_action(ack, body, respond, context["deps"], _open_edit)


def _open_edit(request: ActionRequest) -> None:
    update = status.get_update(
        request.session, team_id=request.team_id, update_id=int(request.value)
    )
    status.require_editable(request.session, update=update, editor=request.caller)
    program = programs.get(request.session, team_id=request.team_id, program_id=update.program_id)
    _open_modal(request, program, update)


def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The status modal: new update or edit, with inline errors."""
    run_submission(ack, body, context["deps"], _apply_modal)


def _apply_modal(sub: ModalSubmission) -> dict[str, Any]:
    meta = json.loads(sub.metadata or "{}")
    program_id = meta.get("program_id") or sub.field("program", lambda: _picked(sub))
    program = programs.get(sub.session, team_id=sub.team_id, program_id=int(program_id))
    data = _modal_input(sub)
    status.validate(data, require_recovery=True, today=sub.today)
    if meta.get("update_id"):
        previous = status.get_update(
            sub.session, team_id=sub.team_id, update_id=int(meta["update_id"])
        )
        update = status.edit(
            sub.session,
            update=previous,
            editor=sub.caller,
            data=data,
            now=sub.now,
            workspace=sub.workspace,
        )
    else:
        programs.require_update(sub.session, program=program, person=sub.caller, doing="update")
        update = _record(sub, program, data)
    receipt = render.receipt(program, update, needs_plan=False)
    # The modal closes; the receipt (with *Edit*) stays in the submitter's DM.
    outbox.enqueue(
        sub.session,
        team_id=sub.team_id,
        channel=sub.user_id,
        payload=receipt,
        key=f"receipt:{update.id}:{sub.now.isoformat()}",
        now=sub.now,
    )
    return done_view("Status saved", receipt["text"])


def _record(interaction: Interaction, program: Program, data: status.StatusInput) -> StatusUpdate:
    return status.submit(
        interaction.session,
        program=program,
        author_id=interaction.user_id,
        data=data,
        now=interaction.now,
        workspace=interaction.workspace,
    )


def _picked(sub: ModalSubmission) -> str:
    if not sub.values.get("program"):
        raise UserError("Pick the program.")
    return str(sub.values["program"])


def _modal_input(sub: ModalSubmission) -> status.StatusInput:
    values = sub.values
    return status.StatusInput(
        rag=values.get("rag") or "",
        summary=values.get("summary") or "",
        accomplishments=values.get("accomplishments"),
        next_steps=values.get("next_steps"),
        blockers=values.get("blockers"),
        path_to_green=values.get("path_to_green"),
        recovery_date=values.get("recovery_date"),
        new_target_date=values.get("new_target_date"),
        source="modal",
    )
