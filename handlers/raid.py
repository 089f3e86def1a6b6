"""`/pmo risk …` and `/pmo risks …`: the RAID log and its buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import programs, raid
from bot.blocks import raid as render
from bot.blocks.common import done_view, notice
from bot.blocks.programs import program_picker
from bot.commands import LIST_FILTER_WORDS, parse_level, split_options
from bot.errors import UserError
from handlers.interactive import run_action, run_submission
from handlers.programs import program_arg
from handlers.request import ActionRequest, CommandRequest, ModalSubmission
from handlers.router import Reply, Router

QUICK_OPTIONS = ("impact", "likelihood", "due", "owner")


def register(app: App, router: Router) -> None:
    """Route `/pmo risk`, `/pmo risks`, the RAID modals and buttons."""
    router.add("risk", log_item)
    router.add("risks", list_items, mode="deferred")
    app.view("raid_submit")(submit)
    app.view("raid_mitigate")(submit_mitigation)
    app.action("raid_mitigate")(mitigate_button)
    app.action("raid_close")(close_button)
    app.action("raid_escalate")(escalate_button)


def log_item(request: CommandRequest) -> Reply:
    """`risk` / `risk <program>` open the modal; `risk <program> "<title>" …` logs directly."""
    if not request.words:
        choices = programs.list_programs(
            request.session,
            team_id=request.team_id,
            user_id=request.user_id,
            which="default",
            limit=100,
        )
        picker = program_picker(choices.programs, action_id="raid_program", total=choices.total)
        request.client.views_open(
            trigger_id=request.trigger_id,
            view=render.raid_modal(program=None, program_picker=picker),
        )
        return None
    program, rest = program_arg(request)
    if not rest:
        request.client.views_open(
            trigger_id=request.trigger_id,
            view=render.raid_modal(program=program, program_picker=None),
        )
        return None
    titles, options = split_options(rest, QUICK_OPTIONS)
    if len(titles) != 1:
        raise UserError('Put the title in quotes: `/pmo risk apollo "Vendor may slip"`.')
    data = raid.RaidInput(
        title=titles[0].text,
        owner_id=request.user(options["owner"]).user_id if "owner" in options else request.user_id,
        likelihood=parse_level(options.get("likelihood", "3"), what="likelihood"),
        impact=parse_level(options.get("impact", "3"), what="impact"),
        due_date=request.date(options["due"]) if "due" in options else None,
    )
    item = raid.add(
        request.session,
        program=program,
        actor_id=request.user_id,
        data=data,
        now=request.now,
        workspace=request.workspace,
    )
    return render.added_message(item, program, today=request.today)


def list_items(request: CommandRequest) -> Reply:
    """`risks [<program>|mine|overdue]`: open items, highest score first."""
    word = request.words[0] if request.words else None
    if len(request.words) > 1:
        raise UserError("Name one program, or `mine`, or `overdue`.")
    which = word.text.lower() if word and not word.quoted else None
    filters: dict[str, Any] = {}
    title = "all programs"
    if which == "mine":
        filters, title = {"owner_id": request.user_id}, "mine"
    elif which == "overdue":
        filters, title = {"due_before": request.today}, "overdue"
    elif word is not None and which not in LIST_FILTER_WORDS:
        program = request.program(word)
        filters, title = {"program_id": program.id}, program.name
    elif word is not None:
        raise UserError(f"“{word.text}” is not a RAID list: use a program, `mine` or `overdue`.")
    page = raid.open_items(
        request.session, team_id=request.team_id, limit=render.LIST_LIMIT, **filters
    )
    return render.list_message(page, title=title, today=request.today)


def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The RAID modal, with inline errors."""
    run_submission(ack, body, context["deps"], _log_from_modal)


def _log_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    values = sub.values
    program_id = sub.metadata or sub.field("program", lambda: _required(values.get("program")))
    program = programs.get(sub.session, team_id=sub.team_id, program_id=int(program_id))
    data = raid.RaidInput(
        title=values.get("title") or "",
        kind=values.get("kind") or "risk",
        owner_id=values.get("owner") or sub.user_id,
        likelihood=int(values.get("likelihood") or 3),
        impact=int(values.get("impact") or 3),
        due_date=values.get("due_date"),
        description=values.get("description"),
        mitigation=values.get("mitigation"),
        blocking=bool(values.get("blocking")),
    )
    if data.due_date is not None and data.due_date < sub.today:
        raise UserError("The due date is in the past.", field="due_date")
    item = raid.add(
        sub.session,
        program=program,
        actor_id=sub.user_id,
        data=data,
        now=sub.now,
        workspace=sub.workspace,
    )
    return done_view(
        "RAID item logged", render.added_message(item, program, today=sub.today)["text"]
    )


def _required(value: str | None) -> str:
    if not value:
        raise UserError("Pick the program.")
    return value


def mitigate_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Mitigate*: a modal for the mitigation note."""
    run_action(ack, body, respond, context["deps"], _open_mitigation)


def _open_mitigation(request: ActionRequest) -> None:
    item, program = raid.get_item(
        request.session, team_id=request.team_id, item_id=int(request.value)
    )
    raid.require_manage(request.session, item=item, program=program, person=request.caller)
    request.open_modal(render.mitigate_modal(item))


def submit_mitigation(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The mitigation modal."""
    run_submission(ack, body, context["deps"], _save_mitigation)


def _save_mitigation(sub: ModalSubmission) -> dict[str, Any]:
    item, program = raid.get_item(sub.session, team_id=sub.team_id, item_id=int(sub.metadata))
    raid.require_manage(sub.session, item=item, program=program, person=sub.caller)
    raid.mitigate(
        sub.session,
        item=item,
        actor_id=sub.user_id,
        note=sub.values.get("mitigation") or "",
        now=sub.now,
    )
    return done_view("Mitigation saved", f"Mitigation of “{item.title}” saved.")


def close_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Close*: close the item (once, however often it is clicked)."""
    run_action(ack, body, respond, context["deps"], _close)


def _close(request: ActionRequest) -> Reply:
    item, program = raid.get_item(
        request.session, team_id=request.team_id, item_id=int(request.value)
    )
    raid.require_manage(request.session, item=item, program=program, person=request.caller)
    raid.close(
        request.session,
        item=item,
        program=program,
        actor_id=request.user_id,
        now=request.now,
        workspace=request.workspace,
    )
    return notice(f"Closed “{item.title}” on *{program.name}*.", done=True)


def escalate_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Escalate*: alert the PMO channel (once)."""
    run_action(ack, body, respond, context["deps"], _escalate)


def _escalate(request: ActionRequest) -> Reply:
    item, program = raid.get_item(
        request.session, team_id=request.team_id, item_id=int(request.value)
    )
    raid.require_manage(request.session, item=item, program=program, person=request.caller)
    channel = raid.escalate(
        request.session,
        item=item,
        program=program,
        actor_id=request.user_id,
        now=request.now,
        workspace=request.workspace,
    )
    return notice(f"Escalated “{item.title}” to <#{channel}>.", done=True)
