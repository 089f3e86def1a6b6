"""`/pmo risk …` and `/pmo risks …`: the RAID log and its buttons."""

from __future__ import annotations

from typing import Any

from bot import programs, raid
from bot.blocks import raid as render
from bot.blocks.common import done_view, escape, notice
from bot.blocks.programs import program_picker
from bot.commands import (
    LIST_FILTER_WORDS,
    one_text,
    parse_item_number,
    parse_level,
    split_options,
)
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result, UpdateModal
from handlers.request import OUT_OF_DATE, ActionRequest, CommandRequest, ModalSubmission, as_id
from storage.models import Program, RaidItem

QUICK_OPTIONS = ("impact", "likelihood", "due", "owner")
EDIT_OPTIONS = ("due", "owner")
NO_DATE = frozenset({"none", "off", "-"})


def register(on: Listeners) -> None:
    """Route `/pmo risk`, `/pmo risks`, the RAID modals and buttons."""
    on.commands.add("risk", log_item)
    on.commands.add("risk reopen", reopen_item)
    on.commands.add("risk edit", edit_item)
    on.commands.add("risks", list_items, mode="deferred")
    on.view("raid_submit", submit)
    on.action(render.KIND_ACTION, pick_kind)
    on.view("raid_mitigate", submit_mitigation)
    on.action("raid_mitigate", mitigate_button)
    on.action("raid_close", close_button)
    on.view("raid_close", submit_close)
    on.action("raid_reopen", reopen_button)
    on.action("raid_escalate", escalate_button)


def log_item(request: CommandRequest) -> Result:
    """`risk` / `risk <program>` open the modal; `risk <program> "<title>" …` logs directly."""
    if not request.words:
        return _modal_with_picker(request)
    program, rest = request.program_and_rest()
    if not rest:
        return OpenModal(render.raid_modal(program=program, program_picker=None))
    titles, options = split_options(rest, QUICK_OPTIONS)
    title = one_text(titles)
    if title is None:
        raise UserError('Put the title in quotes: `/pmo risk apollo "Vendor may slip"`.')
    item = raid.add_once(
        request.session,
        program=program,
        actor=request.caller,
        data=_quick_input(request, title, options),
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(render.added_message(item, program, today=request.today))


def _modal_with_picker(request: CommandRequest) -> Result:
    choices = programs.list_programs(
        request.session,
        team_id=request.team_id,
        user_id=request.user_id,
        which="default",
        limit=100,
    )
    picker = program_picker(choices.programs, action_id="raid_program", total=choices.total)
    return OpenModal(render.raid_modal(program=None, program_picker=picker))


def _quick_input(request: CommandRequest, title: str, options: dict[str, str]) -> raid.RaidInput:
    return raid.RaidInput(
        title=title,
        owner_id=request.user(options["owner"]).user_id if "owner" in options else request.user_id,
        likelihood=_level(options.get("likelihood"), what="likelihood"),
        impact=_level(options.get("impact"), what="impact"),
        due_date=request.date(options["due"]) if "due" in options else None,
    )


def _level(text: str | None, *, what: str) -> int | None:
    return None if text is None else parse_level(text, what=what)


def list_items(request: CommandRequest) -> Result:
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
    return Reply(render.list_message(page, title=title, today=request.today))


def submit(sub: ModalSubmission) -> Result:
    """The RAID modal, with inline errors."""
    program_id = sub.metadata or sub.field("program", lambda: _required(sub.values.get("program")))
    program = programs.get(sub.session, team_id=sub.team_id, program_id=as_id(str(program_id)))
    data = _modal_input(sub)
    if data.due_date is not None and data.due_date < sub.today:
        raise UserError("The due date is in the past.", field="due_date")
    item = raid.add_once(
        sub.session,
        program=program,
        actor=sub.caller,
        data=data,
        now=sub.now,
        workspace=sub.workspace,
    )
    text = render.added_message(item, program, today=sub.today)["text"]
    return UpdateModal(done_view("RAID item logged", text))


def _modal_input(sub: ModalSubmission) -> raid.RaidInput:
    values = sub.values
    kind = values.get("kind") or "risk"
    scored = raid.is_scored(kind)  # a modal drawn for a risk may be submitted as a decision
    return raid.RaidInput(
        title=values.get("title") or "",
        kind=kind,
        owner_id=values.get("owner") or sub.user_id,
        likelihood=_modal_level(sub, "likelihood") if scored else None,
        impact=_modal_level(sub, "impact") if scored else None,
        due_date=values.get("due_date"),
        description=values.get("description"),
        mitigation=values.get("mitigation") if scored else None,
        blocking=bool(values.get("blocking")),
    )


def _modal_level(sub: ModalSubmission, what: str) -> int | None:
    value = sub.values.get(what)
    return sub.field(what, lambda: _level(str(value), what=what)) if value else None


def pick_kind(request: ActionRequest) -> Result:
    """The type picked in the RAID modal: redraw it with the fields that type has."""
    if request.view is None:
        raise UserError(OUT_OF_DATE)
    return UpdateModal(render.redraw_for_kind(request.view, request.value))


def _required(value: str | None) -> str:
    if not value:
        raise UserError("Pick the program.")
    return value


def mitigate_button(request: ActionRequest) -> Result:
    """*Mitigate*: a modal for the mitigation note."""
    item, _ = _managed(request, doing="mitigated")
    return OpenModal(render.mitigate_modal(item))


def _managed(request: ActionRequest, doing: str | None = None) -> tuple[RaidItem, Program]:
    return raid.managed(
        request.session,
        team_id=request.team_id,
        item_id=as_id(request.value),
        person=request.caller,
        doing=doing,
    )


def submit_mitigation(sub: ModalSubmission) -> Result:
    """The mitigation modal: the note, and a new score when the levels changed."""
    item, program = raid.managed(
        sub.session, team_id=sub.team_id, item_id=as_id(sub.metadata), person=sub.caller
    )
    was = raid.mitigate(
        sub.session,
        item=item,
        program=program,
        actor_id=sub.user_id,
        data=_mitigation(sub, item),
        now=sub.now,
        workspace=sub.workspace,
    )
    return UpdateModal(done_view("Mitigation saved", render.mitigated_text(item, was=was)))


def _mitigation(sub: ModalSubmission, item: RaidItem) -> raid.Mitigation:
    return raid.Mitigation(
        note=sub.values.get("mitigation") or "",
        likelihood=_modal_level(sub, "likelihood") or item.likelihood or raid.DEFAULT_LEVEL,
        impact=_modal_level(sub, "impact") or item.impact or raid.DEFAULT_LEVEL,
    )


def close_button(request: ActionRequest) -> Result:
    """*Close*: a modal asking why (an item closed already is refused)."""
    item, program = raid.to_close(
        request.session,
        team_id=request.team_id,
        item_id=as_id(request.value),
        person=request.caller,
    )
    return OpenModal(render.close_modal(item, program))


def submit_close(sub: ModalSubmission) -> Result:
    """The close modal: close it (once) with its reason; the confirmation offers *Reopen*."""
    item, program = raid.managed(
        sub.session, team_id=sub.team_id, item_id=as_id(sub.metadata), person=sub.caller
    )
    raid.close(
        sub.session,
        item=item,
        program=program,
        actor_id=sub.user_id,
        reason=sub.values.get("reason") or "",
        now=sub.now,
        workspace=sub.workspace,
    )
    return UpdateModal(render.closed_view(item, program))


def reopen_button(request: ActionRequest) -> Result:
    """*Reopen* on the close confirmation: undo the close."""
    text = _reopen(request, as_id(request.value))
    if request.view is None:
        return Reply(notice(text, done=True))
    return UpdateModal(done_view("RAID item reopened", text))


def reopen_item(request: CommandRequest) -> Result:
    """`risk reopen #<n>`: reopen a closed item."""
    if len(request.words) != 1:
        raise UserError("Name one item by its number: `/pmo risk reopen #12`.")
    return Reply(notice(_reopen(request, parse_item_number(request.words[0].text)), done=True))


def _reopen(request: ActionRequest | CommandRequest, item_id: int) -> str:
    item, program = raid.managed(
        request.session, team_id=request.team_id, item_id=item_id, person=request.caller
    )
    reason = raid.reopen(
        request.session,
        item=item,
        program=program,
        actor_id=request.user_id,
        now=request.now,
        workspace=request.workspace,
    )
    return render.reopened_text(item, program, reason=reason)


def edit_item(request: CommandRequest) -> Result:
    """`risk edit #<n> [owner:@x] [due:<date>|none]`: another owner or due date."""
    numbers, options = split_options(request.words, EDIT_OPTIONS)
    if len(numbers) != 1 or not options:
        raise UserError("Name one item and what changes: `/pmo risk edit #12 owner:@kim`.")
    item, program = raid.managed(
        request.session,
        team_id=request.team_id,
        item_id=parse_item_number(numbers[0].text),
        person=request.caller,
    )
    changed = raid.edit(
        request.session,
        item=item,
        program=program,
        actor_id=request.user_id,
        change=_change(request, options),
        now=request.now,
        today=request.today,
        workspace=request.workspace,
    )
    return Reply(notice(render.edited_text(item, program, changed=changed), done=True))


def _change(request: CommandRequest, options: dict[str, str]) -> raid.RaidChange:
    due = options.get("due")
    clear = due is not None and due.strip().lower() in NO_DATE
    return raid.RaidChange(
        owner_id=request.user(options["owner"]).user_id if "owner" in options else None,
        due_date=request.date(due) if due is not None and not clear else None,
        clear_due=clear,
    )


def escalate_button(request: ActionRequest) -> Result:
    """*Escalate*: alert the PMO channel (once)."""
    item, program = _managed(request)
    channel = raid.escalate(
        request.session,
        item=item,
        program=program,
        actor_id=request.user_id,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(notice(f"Escalated “{escape(item.title)}” to <#{channel}>.", done=True))
