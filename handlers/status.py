"""`/pmo status …`: quick updates, the status modal, receipts with *Edit*."""

from __future__ import annotations

import json

from bot import home, programs, status
from bot.blocks import home as home_blocks
from bot.blocks import status as render
from bot.blocks.common import done_view
from bot.blocks.programs import program_picker
from bot.commands import parse_rag
from bot.errors import UserError
from bot.status import replies
from handlers.adapters import Listeners
from handlers.effects import OpenModal, PublishHome, Reply, Result, UpdateModal
from handlers.request import OUT_OF_DATE, ActionRequest, CommandRequest, ModalSubmission, as_id
from storage.models import Program

RAG_HELP = "green, amber or red (also g/a/r, yellow, on track, at risk, off track)"


def register(on: Listeners) -> None:
    """Route `/pmo status` and the status modal and buttons."""
    on.commands.add("status", command)
    on.view("status_submit", submit)
    on.view(home_blocks.STATUS_CALLBACK, submit_from_home)
    on.action("status_pick_program", pick_program)
    on.action("status_edit", edit_button)
    on.action("status_add_plan", edit_button)


def command(request: CommandRequest) -> Result:
    """`status`, `status <program>` (modal) or `status <program> <rag> <summary…>`."""
    if not request.words:
        return _open_for_own_programs(request)
    program, rest = request.program_and_rest()
    if not rest:
        last = status.start(request.session, program=program, person=request.caller)
        return OpenModal(render.status_modal(program=program, initial=last))
    found = parse_rag([w.text for w in rest])
    if found is None:
        raise UserError(f"“{rest[0].raw}” is not a status. Use {RAG_HELP}, then a summary.")
    rag, used = found
    return _quick(request, program, rag, " ".join(w.raw for w in rest[used:]))


def _quick(request: CommandRequest, program: Program, rag: str, text: str) -> Result:
    """`status <program> <rag> <text>`: stored, read as a reply is (the plan kept)."""
    data, kept = replies.typed_input(
        request.session, program=program, rag=rag, text=text, today=request.today
    )
    update = status.report(
        request.session,
        program=program,
        author=request.caller,
        data=data,
        now=request.now,
        workspace=request.workspace,
        today=request.today,
        quick=True,
    )
    needs_plan = "NO_RECOVERY_PLAN" in program.flags
    return Reply(render.receipt(program, update, needs_plan=needs_plan, kept_plan=kept))


def _open_for_own_programs(request: CommandRequest) -> Result:
    mine = programs.updatable_by(request.session, person=request.caller)
    if not mine:
        raise UserError(
            "You don't own or cover any active program. Name one: `/pmo status <program>`."
        )
    if len(mine) == 1:
        last = status.start(request.session, program=mine[0], person=request.caller)
        return OpenModal(render.status_modal(program=mine[0], initial=last))
    picker = program_picker(mine, action_id="status_pick_program", total=len(mine))
    return OpenModal(render.status_modal(program=None, initial=None, picker=picker))


def pick_program(request: ActionRequest) -> Result:
    """A program picked in the modal: redraw it prefilled from that program's last update."""
    program = programs.get(
        request.session, team_id=request.team_id, program_id=as_id(request.value)
    )
    last = status.start(request.session, program=program, person=request.caller)
    return UpdateModal(render.status_modal(program=program, initial=last))


def edit_button(request: ActionRequest) -> Result:
    """*Edit* / *Add path to green* on a receipt: the modal, prefilled with that update."""
    program, update = status.start_edit(
        request.session,
        team_id=request.team_id,
        update_id=as_id(request.value),
        editor=request.caller,
    )
    return OpenModal(render.status_modal(program=program, initial=update, update_id=update.id))


def submit(sub: ModalSubmission) -> Result:
    """The status modal: new update or edit, with inline errors; the receipt goes by DM."""
    meta = _metadata(sub.metadata)
    program_id = meta.get("program_id") or sub.field("program", lambda: _picked(sub))
    update_id = meta.get("update_id")
    program, update = status.report_from_modal(
        sub.session,
        program_id=as_id(str(program_id)),
        update_id=as_id(str(update_id)) if update_id is not None else None,
        author=sub.caller,
        data=_modal_input(sub),
        now=sub.now,
        workspace=sub.workspace,
        today=sub.today,
    )
    receipt = render.receipt(program, update, needs_plan=False)
    return UpdateModal(done_view("Status saved", receipt["text"]))


def submit_from_home(sub: ModalSubmission) -> Result:
    """The status modal opened from App Home: saved as above, then Home shows it."""
    saved = submit(sub)
    data = home.gather(sub.session, person=sub.caller, workspace=sub.workspace, now=sub.now)
    return (
        [saved, PublishHome(home_blocks.home_view(data))]
        if isinstance(saved, UpdateModal)
        else saved
    )


def _metadata(text: str) -> dict[str, object]:
    """The modal's `{"program_id": …, "update_id": …}`, as we wrote it."""
    try:
        meta = json.loads(text or "{}")
    except ValueError:
        raise UserError(OUT_OF_DATE) from None
    if not isinstance(meta, dict):
        raise UserError(OUT_OF_DATE)
    return meta


def _picked(sub: ModalSubmission) -> str:
    if not sub.values.get("program"):
        raise UserError("Pick the program.")
    return sub.value("program")


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
