"""`/pmo intake …`: file a request through the modal, read the queue, and decide requests."""

from __future__ import annotations

from bot import intake
from bot.blocks import intake as render
from bot.blocks.common import done_view
from bot.cadence import parse_status_cadence
from bot.dates import format_date
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result, UpdateModal
from handlers.request import ActionRequest, CommandRequest, ModalSubmission, as_id
from storage.models import IntakeRequest

LIST_WORDS = (*intake.STATES, "all")


def register(on: Listeners) -> None:
    """Route `/pmo intake`, `intake list`, `intake show`, the intake modals and buttons."""
    on.commands.add("intake", open_form, guests=True)
    on.commands.add("intake list", list_, mode="deferred")
    on.commands.add("intake show", show, mode="deferred")
    on.view("intake_submit", submit, guests=True)
    on.action("intake_approve", approve_button)
    on.action("intake_reject", reject_button)
    on.action("intake_defer", defer_button)
    on.view("intake_approve", submit_approve)
    on.view("intake_reject", submit_reject)
    on.view("intake_defer", submit_defer)


def open_form(request: CommandRequest) -> Result:
    """`intake`: open the intake modal (anyone, guests too)."""
    if request.words:
        raise UserError(
            "`/pmo intake` alone opens the form; `/pmo intake list` and "
            "`/pmo intake show INT-7` read the queue."
        )
    goals = intake.active_goals(request.session, team_id=request.team_id)
    return OpenModal(render.intake_modal(goals))


def list_(request: CommandRequest) -> Result:
    """`intake list [pending|approved|rejected|deferred|all]`: ranked by score."""
    which = request.words[0].text.lower() if request.words else "pending"
    if len(request.words) > 1 or which not in LIST_WORDS:
        raise UserError(
            "List `pending` (the default), `approved`, `rejected`, `deferred` or `all` requests."
        )
    page = intake.queue(
        request.session,
        workspace=request.workspace,
        state=None if which == "all" else which,
        now=request.now,
        limit=render.LIST_LIMIT,
    )
    return Reply(render.list_message(page, which=which, decider=request.is_admin()))


def show(request: CommandRequest) -> Result:
    """`intake show INT-n`: the request, its score, duplicates and decision history."""
    if len(request.words) != 1:
        raise UserError("Name one request by its id, like `INT-7`.")
    found = intake.detail(
        request.session, workspace=request.workspace, ref=request.words[0].text, now=request.now
    )
    return Reply(
        render.detail_message(
            found.request,
            duplicates=found.duplicates,
            history=found.history,
            program=found.program,
            decider=request.is_admin(),
        )
    )


def submit(sub: ModalSubmission) -> Result:
    """The intake modal, with inline errors (guests may file)."""
    filed = intake.file_request(
        sub.session,
        workspace=sub.workspace,
        requester=sub.caller,
        data=_intake_input(sub),
        now=sub.now,
        today=sub.today,
    )
    return UpdateModal(render.filed_view(filed, show_duplicates=not sub.caller.is_restricted))


def _intake_input(sub: ModalSubmission) -> intake.IntakeInput:
    values = sub.values

    def scale(field: str) -> int:
        return intake.parse_scale(values.get(field), field=field)

    return intake.IntakeInput(
        title=values.get("title") or "",
        problem=values.get("problem") or "",
        sponsor_id=values.get("sponsor"),
        goal=intake.goal_name(sub.session, team_id=sub.team_id, value=values.get("goal")),
        business_value=scale("business_value"),
        time_criticality=scale("time_criticality"),
        risk_reduction=scale("risk_reduction"),
        job_size=scale("job_size"),
        desired_start=values.get("desired_start"),
        desired_finish=values.get("desired_finish"),
        notes=values.get("notes"),
    )


def approve_button(request: ActionRequest) -> Result:
    """*Approve*: confirm the program in a modal (admins only)."""
    return OpenModal(render.approve_modal(_decidable(request)))


def reject_button(request: ActionRequest) -> Result:
    """*Reject*: ask for the reason (admins only)."""
    return OpenModal(render.reason_modal(_decidable(request), defer=False))


def defer_button(request: ActionRequest) -> Result:
    """*Defer*: ask for the reason and the date (admins only)."""
    return OpenModal(render.reason_modal(_decidable(request), defer=True))


def _decidable(request: ActionRequest) -> IntakeRequest:
    return intake.decidable(
        request.session,
        workspace=request.workspace,
        request_id=as_id(request.value),
        person=request.caller,
        now=request.now,
    )


def submit_approve(sub: ModalSubmission) -> Result:
    """The approve modal: register the program, decide, tell everyone."""
    approval = _approval(sub)
    request = intake.deciding(
        sub.session, workspace=sub.workspace, request_id=as_id(sub.metadata), person=sub.caller
    )
    program = intake.approve(
        sub.session,
        workspace=sub.workspace,
        request=request,
        actor_id=sub.user_id,
        approval=approval,
        now=sub.now,
        today=sub.today,
    )
    return UpdateModal(render.approved_view(request, program))


def _approval(sub: ModalSubmission) -> intake.Approval:
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_status_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: sub.person(sub.value("owner")))
    name = values.get("name") or ""
    return intake.Approval(name=name, owner=owner, cadence=cadence.spec, note=values.get("note"))


def submit_reject(sub: ModalSubmission) -> Result:
    """The reject modal."""
    request = intake.deciding(
        sub.session, workspace=sub.workspace, request_id=as_id(sub.metadata), person=sub.caller
    )
    intake.reject(
        sub.session,
        workspace=sub.workspace,
        request=request,
        actor_id=sub.user_id,
        reason=sub.values.get("reason"),
        now=sub.now,
    )
    return UpdateModal(
        done_view(
            f"{render.ref(request)} rejected",
            f"{render.ref(request)} rejected. The requester is told why.",
        )
    )


def submit_defer(sub: ModalSubmission) -> Result:
    """The defer modal."""
    request = intake.deciding(
        sub.session, workspace=sub.workspace, request_id=as_id(sub.metadata), person=sub.caller
    )
    intake.defer(
        sub.session,
        workspace=sub.workspace,
        request=request,
        actor_id=sub.user_id,
        reason=sub.values.get("reason"),
        until=sub.values.get("until"),
        now=sub.now,
        today=sub.today,
    )
    return UpdateModal(
        done_view(
            f"{render.ref(request)} deferred",
            f"{render.ref(request)} deferred; it comes back to the queue on "
            f"{format_date(request.defer_until) if request.defer_until else 'its date'}.",
        )
    )
