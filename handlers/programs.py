"""`/pmo program …`: register, list, show, edit and change programs."""

from __future__ import annotations

from bot import program_names, program_view, programs
from bot.blocks import programs as render
from bot.blocks.common import done_view, escape, notice
from bot.cadence import parse_status_cadence
from bot.commands import Token, parse_key, split_options
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Options, Reply, Result, UpdateModal
from handlers.request import CommandRequest, Interaction, ModalSubmission, OptionsRequest, as_id
from storage.models import Person, Program

ADD_OPTIONS = ("owner", "channel", "cadence", "target", "portfolio", "sponsor", "key")
LIST_WORDS = ("default", "mine", "all", "red", "flagged", "overdue")


def register(on: Listeners) -> None:
    """Route `/pmo program …` and the program modals."""
    on.commands.add("program add", add)
    on.commands.add("program list", list_, mode="deferred")
    on.commands.add("program show", show, mode="deferred")
    on.commands.add("program edit", edit)
    on.commands.add("program rename", rename)
    for command in programs.TRANSITIONS:
        on.commands.add(f"program {command}", change_state)
    on.commands.add("program delegates", delegates)
    on.commands.add("program sponsor", sponsor)
    on.commands.add("program portfolio", portfolio)
    on.options("status_pick_program", search_updatable)
    on.options("raid_program", search_any)
    on.view("program_add", submit_add)
    on.view("program_edit", submit_edit)


def add(request: CommandRequest) -> Result:
    """`program add <name> owner:@lead …`, or the modal when given no arguments."""
    if not request.words:
        programs.start_register(request.session, person=request.caller)
        modal = render.program_modal(callback_id="program_add", title="Register a program")
        return OpenModal(modal)
    names, options = split_options(request.words, ADD_OPTIONS)
    if "owner" not in options:
        raise UserError("Every program needs an owner: add `owner:@lead`.")
    cadence = parse_status_cadence(options.get("cadence", "weekly"))
    new = programs.NewProgram(
        name=" ".join(t.text for t in names),
        owner_id="",
        channel_id=request.channel(options["channel"]) if "channel" in options else None,
        cadence=cadence.spec,
        target_date=request.date(options["target"]) if "target" in options else None,
        portfolio=options.get("portfolio"),
        key=parse_key(options["key"]) if "key" in options else None,
    )
    sponsor = request.user(options["sponsor"]) if "sponsor" in options else None
    program = _register(request, new, owner=request.user(options["owner"]), sponsor=sponsor)
    return Reply(render.added_message(program))


def _register(
    request: Interaction, new: programs.NewProgram, *, owner: Person, sponsor: Person | None
) -> Program:
    return programs.register(
        request.session,
        actor=request.caller,
        new=new,
        owner=owner,
        sponsor=sponsor,
        default_timezone=request.workspace.timezone,
        today=request.today,
        now=request.now,
    )


def list_(request: CommandRequest) -> Result:
    """`program list [mine|red|flagged|overdue|all]`."""
    which = request.words[0].text.lower() if request.words else "default"
    if which not in LIST_WORDS or len(request.words) > 1:
        raise UserError(
            "List `mine`, `red`, `flagged`, `overdue` or `all` programs, or leave it empty for "
            "the active ones."
        )
    listing = programs.list_programs(
        request.session,
        team_id=request.team_id,
        user_id=request.user_id,
        which=which,  # type: ignore[arg-type]
        limit=render.LIST_LIMIT,
    )
    return Reply(render.list_message(listing, which=which, now=request.now))


def show(request: CommandRequest) -> Result:
    """`program show <program>`."""
    program, rest = request.program_and_rest()
    _no_more(rest)
    detail = program_view.gather(
        request.session, program=program, workspace=request.workspace, now=request.now
    )
    return Reply(render.detail_message(detail, now=request.now))


def _no_more(rest: list[Token]) -> None:
    if rest:
        extra = " ".join(t.raw for t in rest)
        raise UserError(f"I don't know what to do with “{extra}”. Quote names with spaces.")


def edit(request: CommandRequest) -> Result:
    """`program edit <program>` opens the modal, prefilled."""
    program, rest = request.program_and_rest()
    _no_more(rest)
    programs.for_update(request.session, program=program, person=request.caller, doing="edit")
    return OpenModal(render.edit_modal(program, title=f"Edit {program.key}"))


def rename(request: CommandRequest) -> Result:
    """`program rename <program> "<new name>" [key:<new>]`: the old key stays an alias."""
    program, rest = request.program_and_rest()
    names, options = split_options(rest, ("key",))
    if len(names) != 1:
        raise UserError('Give the new name in quotes, e.g. `"Apollo Billing"`.')
    old_key = program_names.rename(
        request.session,
        program=program,
        person=request.caller,
        name=names[0].text,
        key=parse_key(options["key"]) if "key" in options else None,
        now=request.now,
    )
    kept = f" `{old_key}` still finds it." if old_key else ""
    return Reply(notice(f"Renamed to *{escape(program.name)}* (`{program.key}`).{kept}"))


def change_state(request: CommandRequest) -> Result:
    """`program pause|resume|done|archive <program>`."""
    program, rest = request.program_and_rest()
    _no_more(rest)
    state = programs.change_state_by(
        request.session,
        program=program,
        actor=request.caller,
        command=request.path.split()[1],
        now=request.now,
    )
    return Reply(notice(f"*{escape(program.name)}* is now {state}.", done=True))


def delegates(request: CommandRequest) -> Result:
    """`program delegates <program> add|remove @x`."""
    program, rest = request.program_and_rest()
    if len(rest) != 2 or rest[0].text.lower() not in ("add", "remove"):
        raise UserError("Say `add` or `remove`, then the person.")
    adding = rest[0].text.lower() == "add"
    person = request.user(rest[1].text)
    changed = programs.set_delegate(
        request.session,
        program=program,
        actor=request.caller,
        person=person,
        add=adding,
        now=request.now,
    )
    verb = "is now a delegate of" if adding else "is no longer a delegate of"
    if not changed:
        verb = "already is a delegate of" if adding else "was not a delegate of"
    return Reply(notice(f"<@{person.user_id}> {verb} *{escape(program.name)}*.", done=True))


def sponsor(request: CommandRequest) -> Result:
    """`program sponsor <program> @x`."""
    program, rest = request.program_and_rest()
    if len(rest) != 1:
        raise UserError("Name exactly one sponsor.")
    person = request.user(rest[0].text)
    programs.set_sponsor(
        request.session, program=program, actor=request.caller, person=person, now=request.now
    )
    return Reply(notice(f"<@{person.user_id}> sponsors *{escape(program.name)}*.", done=True))


def portfolio(request: CommandRequest) -> Result:
    """`program portfolio <program> <name>`."""
    program, rest = request.program_and_rest()
    name = programs.set_portfolio(
        request.session,
        program=program,
        actor=request.caller,
        name=" ".join(t.text for t in rest),
        now=request.now,
    )
    return Reply(
        notice(f"*{escape(program.name)}* is in the *{escape(name)}* portfolio.", done=True)
    )


def submit_add(sub: ModalSubmission) -> Result:
    """The add modal: validate inline, then register."""
    programs.start_register(sub.session, person=sub.caller)
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_status_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: _owner(sub))
    channel = values.get("channel")
    if channel:
        sub.field("channel", lambda: sub.postable_channel(channel))
    new = programs.NewProgram(
        name=values.get("name") or "",
        owner_id="",
        channel_id=channel,
        cadence=cadence.spec,
        target_date=values.get("target"),
        portfolio=values.get("portfolio"),
    )
    program = _register(sub, new, owner=owner, sponsor=None)
    text = render.added_message(program)["text"]
    return UpdateModal(done_view("Program registered", text))


def _owner(sub: ModalSubmission) -> Person:
    return programs.require_member(sub.person(sub.value("owner")), role="own a program")


def submit_edit(sub: ModalSubmission) -> Result:
    """The edit modal: validate inline, then apply the changes."""
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_status_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: _owner(sub))
    if values.get("channel"):
        sub.field("channel", lambda: sub.postable_channel(sub.value("channel")))
    changes = {
        "name": values.get("name"),
        "channel_id": values.get("channel"),
        "cadence": cadence.spec,
        "target_date": values.get("target"),
        "portfolio": values.get("portfolio"),
    }
    program, changed = programs.edit_by(
        sub.session,
        program_id=as_id(sub.metadata),
        actor=sub.caller,
        owner=owner,
        values=changes,
        now=sub.now,
    )
    return UpdateModal(done_view("Program saved", render.saved_text(program, changed)))


def search_updatable(request: OptionsRequest) -> Result:
    """Options for a program picker limited to what the caller may update."""
    return _search(request, only_updatable=True)


def search_any(request: OptionsRequest) -> Result:
    """Options for a program picker over all active programs."""
    return _search(request, only_updatable=False)


def _search(request: OptionsRequest, *, only_updatable: bool) -> Result:
    found = programs.search(
        request.session, person=request.caller, text=request.query, only_updatable=only_updatable
    )
    return Options([render.program_option(p) for p in found])
