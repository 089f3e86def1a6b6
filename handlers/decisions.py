"""`/pmo decision request`, `/pmo decisions`, `/pmo actions …`, the sponsor's *Record
decision* and the actions' *Done*."""

from __future__ import annotations

from typing import Any

from bot import export
from bot.blocks import decisions as render
from bot.blocks.common import done_view
from bot.commands import Token, one_text, split_options
from bot.errors import UserError
from bot.meetings import actions, log, records, requests
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result, UpdateModal
from handlers.request import OUT_OF_DATE, ActionRequest, CommandRequest, ModalSubmission, as_id

REQUEST_OPTIONS = ("by", "options")


def register(on: Listeners) -> None:
    """Route the decision log's and the actions' commands, modal and buttons."""
    on.commands.add("decision", _what)
    on.commands.add("decision request", request_decision)
    on.commands.add("decisions", decision_log, mode="deferred")
    on.commands.add("actions", list_actions, mode="deferred")
    on.commands.add("actions done", action_done)
    on.commands.add("actions add", add_action)
    on.commands.add("actions edit", edit_action)
    on.action(render.RECORD_ACTION, record_button)
    on.view(render.RECORD_ACTION, submit_record)
    on.action(render.DONE_ACTION, done_button)


def _what(request: CommandRequest) -> Result:
    raise UserError('Say `decision request <program> "<question>"` to put a question.')


def request_decision(request: CommandRequest) -> Result:
    """`decision request <program> "<question>" [by:<date>] [options:"A|B|C"]`."""
    program, rest = request.program_and_rest()
    questions, options = split_options(rest, REQUEST_OPTIONS)
    question = one_text(questions)
    if question is None:
        raise UserError('Put the question in quotes: `/pmo decision request apollo "Buy?"`.')
    ask = requests.Ask(
        question=question,
        by=request.date(options["by"]) if "by" in options else None,
        options=requests.parse_options(options["options"]) if "options" in options else (),
    )
    placed = requests.request_decision(
        request.session,
        program=program,
        actor=request.caller,
        ask=ask,
        now=request.now,
        today=request.today,
        workspace=request.workspace,
    )
    return Reply(render.placed_message(placed, tz=request.timezone))


def decision_log(request: CommandRequest) -> Result:
    """`decisions [<program>|open|since:<date>]`: the log, newest first, or open requests."""
    words, options = split_options(request.words, ("since",))
    word = _one_word(words, "Name one program, or `open`, or `since:<date>`.")
    if word is not None and not word.quoted and word.text.lower() == "open":
        return _open_requests(request)
    program = request.program(word) if word is not None else None
    day = request.date(options["since"]) if "since" in options else None
    since = export.since_instant(day, tz=request.timezone, today=request.today) if day else None
    page = records.decision_log(
        request.session,
        team_id=request.team_id,
        limit=render.LIST_LIMIT,
        program_id=program.id if program else None,
        since=since,
    )
    return Reply(render.log_message(page, program=program, since=day, tz=request.timezone))


def _open_requests(request: CommandRequest) -> Result:
    page = records.open_requests(
        request.session, team_id=request.team_id, limit=render.LIST_LIMIT, now=request.now
    )
    return Reply(render.open_message(page, tz=request.timezone, today=request.today))


def _one_word(words: list[Token], refusal: str) -> Token | None:
    if len(words) > 1:
        raise UserError(refusal)
    return words[0] if words else None


# Words people use for the `actions` subcommands they mean.
ACTION_VERBS = {
    "complete": "done",
    "completed": "done",
    "close": "done",
    "finish": "done",
    "finished": "done",
    "new": "add",
    "create": "add",
    "change": "edit",
    "update": "edit",
    "move": "edit",
}


def list_actions(request: CommandRequest) -> Result:
    """`actions [mine|all|<program>|overdue]`: open actions, overdue first (mine by default)."""
    _refuse_verb(request.words)
    word = _one_word(request.words, "Name one program, or `mine`, `all` or `overdue`.")
    filters: dict[str, Any]
    which = word.text.lower() if word is not None and not word.quoted else "mine"
    if word is None or which == "mine":
        filters, title = {"owner_id": request.user_id}, "mine"
    elif which == "all":
        filters, title = {}, "all"
    elif which == "overdue":
        filters, title = {"due_before": request.today}, "overdue"
    else:
        program = request.program(word)
        filters, title = {"program_id": program.id}, program.name
    page = records.open_actions(
        request.session, team_id=request.team_id, limit=render.LIST_LIMIT, **filters
    )
    return Reply(render.actions_message(page, title=title, today=request.today))


def _refuse_verb(words: list[Token]) -> None:
    """`actions complete A-3` means `actions done A-3`: say so rather than look for a
    program called "complete"."""
    if words and not words[0].quoted and words[0].text.lower() in ACTION_VERBS:
        meant = ACTION_VERBS[words[0].text.lower()]
        rest = " ".join(word.text for word in words[1:])
        raise UserError(f"Did you mean `/pmo actions {meant} {rest}`?".replace(" `?", "`?"))


def action_done(request: CommandRequest) -> Result:
    """`actions done A-<n>`."""
    word = _one_word(request.words, "Name one action by its number: `/pmo actions done A-12`.")
    if word is None:
        raise UserError("Name the action by its number: `/pmo actions done A-12`.")
    action = actions.by_number(request.session, team_id=request.team_id, text=word.text)
    if actions.done_already(request.session, action=action, person=request.caller):
        return Reply(render.already_done(action))
    actions.mark_done(request.session, action=action, actor=request.caller, now=request.now)
    return Reply(render.done_notice(action))


def add_action(request: CommandRequest) -> Result:
    """`actions add [<program>] "<title>" due:<date> [owner:@x]` (outside a meeting)."""
    words, options = split_options(request.words, ("owner", "due"))
    if not 1 <= len(words) <= 2 or "due" not in options:
        raise UserError('Give the title in quotes and a due date: `"Send the RFP" due:friday`.')
    action = log.add_action_once(
        request.session,
        actor=request.caller,
        title=words[-1].text,
        owner=request.user(options["owner"]) if "owner" in options else request.caller,
        due=request.date(options["due"]),
        now=request.now,
        workspace=request.workspace,
        program=request.program(words[0]) if len(words) == 2 else None,
    )
    return Reply(render.action_added(records.line_of(request.session, action)))


def edit_action(request: CommandRequest) -> Result:
    """`actions edit A-<n> ["<new title>"] [due:<date>] [owner:@x]`."""
    words, options = split_options(request.words, ("owner", "due"))
    if not 1 <= len(words) <= 2 or (len(words) == 1 and not options):
        raise UserError(
            "Name the action, then what changes: `/pmo actions edit A-12 due:friday`, "
            "`owner:@kim` or a new title in quotes."
        )
    action = actions.by_number(request.session, team_id=request.team_id, text=words[0].text)
    change = log.ActionChange(
        title=words[1].text if len(words) == 2 else None,
        owner=request.user(options["owner"]) if "owner" in options else None,
        due=request.date(options["due"]) if "due" in options else None,
    )
    log.edit_action(
        request.session,
        action=action,
        actor=request.caller,
        change=change,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(render.action_changed(records.line_of(request.session, action)))


def record_button(request: ActionRequest) -> Result:
    """*Record decision* in the sponsor's DM: the modal (the sponsor or a PMO admin)."""
    decision_request, program = requests.for_recording(
        request.session,
        team_id=request.team_id,
        request_id=as_id(request.value),
        person=request.caller,
    )
    return OpenModal(render.record_modal(decision_request, program, recorder_id=request.user_id))


def submit_record(sub: ModalSubmission) -> Result:
    """The decision modal: `D-n` recorded once, errors inline."""
    decision_request, program = requests.for_recording(
        sub.session, team_id=sub.team_id, request_id=as_id(sub.metadata), person=sub.caller
    )
    decision = requests.record(
        sub.session,
        request=decision_request,
        program=program,
        actor=sub.caller,
        outcome=_outcome(sub, decision_request.options),
        now=sub.now,
        workspace=sub.workspace,
    )
    return UpdateModal(done_view("Decision recorded", render.recorded_text(decision)))


def _outcome(sub: ModalSubmission, options: list[str]) -> requests.Outcome:
    picked = sub.values.get("option")
    if picked is not None and not (str(picked).isdigit() and int(picked) < len(options)):
        raise UserError(OUT_OF_DATE, field="option")
    deciders = [sub.person(str(user_id)).user_id for user_id in sub.values.get("decided_by") or []]
    return requests.Outcome(
        text=sub.values.get("decision") or "",
        rationale=sub.values.get("rationale"),
        option=options[int(picked)] if picked is not None else None,
        decided_by=tuple(deciders or [sub.user_id]),
    )


def done_button(request: ActionRequest) -> Result:
    """*Done* on an action DM or list: marked done once; a second click is told by whom."""
    action = actions.get(request.session, team_id=request.team_id, action_id=as_id(request.value))
    actions.mark_done(request.session, action=action, actor=request.caller, now=request.now)
    return Reply(render.done_notice(action))
