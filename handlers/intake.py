"""`/pmo intake …`: file a request through the modal, read the queue, and decide requests."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import intake
from bot.blocks import intake as render
from bot.blocks.common import done_view
from bot.cadence import parse_cadence
from bot.dates import format_date
from bot.errors import UserError
from handlers.interactive import run_action, run_submission
from handlers.request import ActionRequest, CommandRequest, ModalSubmission
from handlers.router import Reply, Router
from storage.models import IntakeRequest

LIST_WORDS = (*intake.STATES, "all")
DECIDING = "decide intake requests"


def register(app: App, router: Router) -> None:
    """Route `/pmo intake`, `intake list`, `intake show`, the intake modals and buttons."""
    router.add("intake", open_form, guests=True)
    router.add("intake list", list_, mode="deferred")
    router.add("intake show", show, mode="deferred")
    app.view("intake_submit")(submit)
    app.action("intake_approve")(approve_button)
    app.action("intake_reject")(reject_button)
    app.action("intake_defer")(defer_button)
    app.view("intake_approve")(submit_approve)
    app.view("intake_reject")(submit_reject)
    app.view("intake_defer")(submit_defer)


def open_form(request: CommandRequest) -> Reply:
    """`intake`: open the intake modal (anyone, guests too)."""
    if request.words:
        raise UserError(
            "`/pmo intake` alone opens the form; `/pmo intake list` and "
            "`/pmo intake show INT-7` read the queue."
        )
    goals = intake.active_goals(request.session, team_id=request.team_id)
    request.client.views_open(trigger_id=request.trigger_id, view=render.intake_modal(goals))
    return None


def list_(request: CommandRequest) -> Reply:
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
    return render.list_message(page, which=which, decider=request.is_admin())


def show(request: CommandRequest) -> Reply:
    """`intake show INT-n`: the request, its score, duplicates and decision history."""
    if len(request.words) != 1:
        raise UserError("Name one request by its id, like `INT-7`.")
    found = intake.detail(
        request.session, workspace=request.workspace, ref=request.words[0].text, now=request.now
    )
    return render.detail_message(
        found.request,
        duplicates=found.duplicates,
        history=found.history,
        program=found.program,
        decider=request.is_admin(),
    )


def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The intake modal, with inline errors."""
    run_submission(ack, body, context["deps"], _file_from_modal)


def _file_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    values = sub.values
    data = intake.IntakeInput(
        title=values.get("title") or "",
        problem=values.get("problem") or "",
        sponsor_id=values.get("sponsor"),
        goal=intake.goal_name(sub.session, team_id=sub.team_id, value=values.get("goal")),
        business_value=intake.parse_scale(values.get("business_value"), field="business_value"),
        time_criticality=intake.parse_scale(
            values.get("time_criticality"), field="time_criticality"
        ),
        risk_reduction=intake.parse_scale(values.get("risk_reduction"), field="risk_reduction"),
        job_size=intake.parse_scale(values.get("job_size"), field="job_size"),
        desired_start=values.get("desired_start"),
        desired_finish=values.get("desired_finish"),
        notes=values.get("notes"),
    )
    filed = intake.file_request(
        sub.session,
        workspace=sub.workspace,
        requester=sub.caller,
        data=data,
        now=sub.now,
        today=sub.today,
    )
    return render.filed_view(filed, show_duplicates=not sub.caller.is_restricted)


def approve_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Approve*: confirm the program in a modal (admins only)."""
    run_action(ack, body, respond, context["deps"], _open_approve)


def reject_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Reject*: ask for the reason (admins only)."""
    run_action(ack, body, respond, context["deps"], _open_reject)


def defer_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Defer*: ask for the reason and the date (admins only)."""
    run_action(ack, body, respond, context["deps"], _open_defer)


def _decidable(request: ActionRequest) -> IntakeRequest:
    request.require_admin(DECIDING)
    return intake.decidable(
        request.session, workspace=request.workspace, request_id=int(request.value), now=request.now
    )


def _open_approve(request: ActionRequest) -> None:
    request.open_modal(render.approve_modal(_decidable(request)))


def _open_reject(request: ActionRequest) -> None:
    request.open_modal(render.reason_modal(_decidable(request), defer=False))


def _open_defer(request: ActionRequest) -> None:
    request.open_modal(render.reason_modal(_decidable(request), defer=True))


def submit_approve(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The approve modal: register the program, decide, tell everyone."""
    run_submission(ack, body, context["deps"], _approve_from_modal)


def _approve_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    sub.require_admin(DECIDING)
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: sub.person(values["owner"]))
    request = intake.get_request(sub.session, team_id=sub.team_id, request_id=int(sub.metadata))
    program = intake.approve(
        sub.session,
        workspace=sub.workspace,
        request=request,
        actor_id=sub.user_id,
        approval=intake.Approval(
            name=values.get("name") or "",
            owner=owner,
            cadence=cadence.spec,
            note=values.get("note"),
        ),
        now=sub.now,
        today=sub.today,
    )
    return done_view(
        f"{render.ref(request)} approved",
        f":white_check_mark: {render.ref(request)} approved: *{program.name}* (`{program.key}`) "
        f"is registered with owner <@{program.owner_id}>. The requester is told.",
    )


def submit_reject(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The reject modal."""
    run_submission(ack, body, context["deps"], _reject_from_modal)


def _reject_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    sub.require_admin(DECIDING)
    request = intake.get_request(sub.session, team_id=sub.team_id, request_id=int(sub.metadata))
    intake.reject(
        sub.session,
        workspace=sub.workspace,
        request=request,
        actor_id=sub.user_id,
        reason=sub.values.get("reason"),
        now=sub.now,
    )
    return done_view(
        f"{render.ref(request)} rejected",
        f"{render.ref(request)} rejected. The requester is told why.",
    )


def submit_defer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The defer modal."""
    run_submission(ack, body, context["deps"], _defer_from_modal)


def _defer_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    sub.require_admin(DECIDING)
    request = intake.get_request(sub.session, team_id=sub.team_id, request_id=int(sub.metadata))
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
    return done_view(
        f"{render.ref(request)} deferred",
        f"{render.ref(request)} deferred; it comes back to the queue on "
        f"{format_date(request.defer_until) if request.defer_until else 'its date'}.",
    )
