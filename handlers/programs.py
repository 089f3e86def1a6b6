"""`/pmo program …`: register, list, show, edit and change programs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import program_view, programs
from bot.blocks import programs as render
from bot.blocks.common import done_view, notice
from bot.cadence import describe, parse_cadence
from bot.commands import Token, split_options
from bot.deps import Deps
from bot.errors import UserError
from handlers.interactive import ModalSubmission, run_submission
from handlers.request import CommandRequest, open_interaction, warm_caller
from handlers.router import Reply, Router
from storage.models import Person, Program

ADD_OPTIONS = ("owner", "channel", "cadence", "target", "portfolio", "sponsor")


def register(app: App, router: Router) -> None:
    """Route `/pmo program …` and the program modals."""
    router.add("program add", add)
    router.add("program list", list_, mode="deferred")
    router.add("program show", show, mode="deferred")
    router.add("program edit", edit)
    for command in programs.TRANSITIONS:
        router.add(f"program {command}", change_state)
    router.add("program delegates", delegates)
    router.add("program sponsor", sponsor)
    router.add("program portfolio", portfolio)
    app.options("status_pick_program")(search_updatable)
    app.options("raid_program")(search_any)
    app.view("program_add")(submit_add)
    app.view("program_edit")(submit_edit)


def program_arg(request: CommandRequest) -> tuple[Program, list[Token]]:
    """The program named by the first word (key or quoted name), and the words after it."""
    if not request.words:
        raise UserError("Name the program by its key or its quoted name.")
    return request.program(request.words[0]), request.words[1:]


def add(request: CommandRequest) -> Reply:
    """`program add <name> owner:@lead …`, or the modal when given no arguments."""
    request.require_admin("register programs")
    if not request.words:
        request.client.views_open(
            trigger_id=request.trigger_id,
            view=render.program_modal(callback_id="program_add", title="Register a program"),
        )
        return None
    names, options = split_options(request.words, ADD_OPTIONS)
    if "owner" not in options:
        raise UserError("Every program needs an owner: add `owner:@lead`.")
    cadence = parse_cadence(options.get("cadence", "weekly"))
    owner = _owner(request.user(options["owner"]))
    new = programs.NewProgram(
        name=" ".join(t.text for t in names),
        owner_id=owner.user_id,
        channel_id=request.channel(options["channel"]) if "channel" in options else None,
        cadence=cadence.spec,
        target_date=request.date(options["target"]) if "target" in options else None,
        portfolio=options.get("portfolio"),
        sponsor_id=_member(request.user(options["sponsor"]), "sponsor a program").user_id
        if "sponsor" in options
        else None,
    )
    program = programs.add_program(
        request.session,
        team_id=request.team_id,
        actor_id=request.user_id,
        new=new,
        timezone=owner.tz or request.workspace.timezone,
        today=request.today,
        now=request.now,
    )
    return render.added_message(program, describe(cadence))


def _owner(person: Person) -> Person:
    return _member(person, "own a program")


def _member(person: Person, role: str) -> Person:
    """Only full members take a role on a program: it brings portfolio data by DM."""
    if person.is_bot or person.deleted or person.is_restricted:
        raise UserError(
            f"<@{person.user_id}> can't {role} (bots, guests and deactivated accounts can't)."
        )
    return person


def list_(request: CommandRequest) -> Reply:
    """`program list [mine|all]`."""
    which = request.words[0].text.lower() if request.words else "default"
    if which not in ("default", "mine", "all", "red", "flagged") or len(request.words) > 1:
        raise UserError(
            "List `mine`, `red`, `flagged` or `all` programs, or leave it empty for the "
            "active ones."
        )
    listing = programs.list_programs(
        request.session,
        team_id=request.team_id,
        user_id=request.user_id,
        which=which,  # type: ignore[arg-type]
        limit=render.LIST_LIMIT,
    )
    return render.list_message(listing, which=which, now=request.now)


def show(request: CommandRequest) -> Reply:
    """`program show <program>`."""
    program, rest = program_arg(request)
    _no_more(rest)
    detail = program_view.gather(
        request.session, program=program, workspace=request.workspace, now=request.now
    )
    cadence = describe(parse_cadence(program.cadence))
    return render.detail_message(detail, cadence_text=cadence, now=request.now)


def _no_more(rest: list[Token]) -> None:
    if rest:
        extra = " ".join(t.raw for t in rest)
        raise UserError(f"I don't know what to do with “{extra}”. Quote names with spaces.")


def edit(request: CommandRequest) -> Reply:
    """`program edit <program>` opens the modal, prefilled."""
    program, rest = program_arg(request)
    _no_more(rest)
    programs.require_update(request.session, program=program, person=request.caller, doing="edit")
    initial = {
        "name": program.name,
        "owner": program.owner_id,
        "channel": program.channel_id,
        "cadence": program.cadence,
        "target": program.target_date,
        "portfolio": program.portfolio,
    }
    request.client.views_open(
        trigger_id=request.trigger_id,
        view=render.program_modal(
            callback_id="program_edit",
            title=f"Edit {program.key}",
            initial=initial,
            private_metadata=str(program.id),
        ),
    )
    return None


def change_state(request: CommandRequest) -> Reply:
    """`program pause|resume|done|archive <program>`."""
    command = request.path.split()[1]
    program, rest = program_arg(request)
    _no_more(rest)
    programs.require_update(request.session, program=program, person=request.caller, doing=command)
    state = programs.change_state(
        request.session, program=program, actor_id=request.user_id, command=command, now=request.now
    )
    return notice(f"*{program.name}* is now {state}.", done=True)


def delegates(request: CommandRequest) -> Reply:
    """`program delegates <program> add|remove @x`."""
    program, rest = program_arg(request)
    if len(rest) != 2 or rest[0].text.lower() not in ("add", "remove"):
        raise UserError("Say `add` or `remove`, then the person.")
    _require_owner_or_admin(request, program)
    person = request.user(rest[1].text)
    if rest[0].text.lower() == "add":
        _member(person, "be a delegate")
    adding = rest[0].text.lower() == "add"
    changed = programs.change_delegate(
        request.session,
        program=program,
        actor_id=request.user_id,
        user_id=person.user_id,
        add=adding,
        now=request.now,
    )
    verb = "is now a delegate of" if adding else "is no longer a delegate of"
    if not changed:
        verb = "already is a delegate of" if adding else "was not a delegate of"
    return notice(f"<@{person.user_id}> {verb} *{program.name}*.", done=True)


def _require_owner_or_admin(request: CommandRequest, program: Program) -> None:
    if request.user_id != program.owner_id and not request.is_admin():
        raise UserError(
            f"Only the owner <@{program.owner_id}> or a PMO admin can change "
            f"the people and grouping of *{program.name}*."
        )


def sponsor(request: CommandRequest) -> Reply:
    """`program sponsor <program> @x`."""
    program, rest = program_arg(request)
    if len(rest) != 1:
        raise UserError("Name exactly one sponsor.")
    _require_owner_or_admin(request, program)
    person = _member(request.user(rest[0].text), "sponsor a program")
    programs.set_fields(
        request.session,
        program=program,
        actor_id=request.user_id,
        values={"sponsor_id": person.user_id},
        now=request.now,
        action="sponsor",
    )
    return notice(f"<@{person.user_id}> sponsors *{program.name}*.", done=True)


def portfolio(request: CommandRequest) -> Reply:
    """`program portfolio <program> <name>`."""
    program, rest = program_arg(request)
    name = " ".join(t.text for t in rest).strip()
    if not name or len(name) > 80:
        raise UserError("Give a portfolio name of up to 80 characters.")
    _require_owner_or_admin(request, program)
    programs.set_fields(
        request.session,
        program=program,
        actor_id=request.user_id,
        values={"portfolio": name},
        now=request.now,
        action="portfolio",
    )
    return notice(f"*{program.name}* is in the *{name}* portfolio.", done=True)


def submit_add(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The add modal: validate inline, then register."""
    run_submission(ack, body, context["deps"], _add_from_modal)


def _add_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    sub.require_admin("register programs")
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: _owner(sub.person(values["owner"])))
    channel = values.get("channel")
    if channel:
        sub.field("channel", lambda: sub.postable_channel(channel))
    new = programs.NewProgram(
        name=values.get("name") or "",
        owner_id=owner.user_id,
        channel_id=channel,
        cadence=cadence.spec,
        target_date=values.get("target"),
        portfolio=values.get("portfolio"),
    )
    program = programs.add_program(
        sub.session,
        team_id=sub.team_id,
        actor_id=sub.user_id,
        new=new,
        timezone=owner.tz or sub.workspace.timezone,
        today=sub.today,
        now=sub.now,
    )
    return done_view("Program registered", render.added_message(program, describe(cadence))["text"])


def submit_edit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The edit modal: validate inline, then apply the changes."""
    run_submission(ack, body, context["deps"], _edit_from_modal)


def _edit_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    program = sub.session.get(Program, int(sub.metadata))
    if program is None or program.team_id != sub.team_id:
        raise UserError("That program no longer exists.", field="name")
    programs.require_update(sub.session, program=program, person=sub.caller, doing="edit")
    values = sub.values
    cadence = sub.field("cadence", lambda: parse_cadence(values.get("cadence") or "weekly"))
    owner = sub.field("owner", lambda: _owner(sub.person(values["owner"])))
    if values.get("channel"):
        sub.field("channel", lambda: sub.postable_channel(values["channel"]))
    changes = {
        "name": values.get("name") or program.name,
        "owner_id": owner.user_id,
        "channel_id": values.get("channel"),
        "cadence": cadence.spec,
        "target_date": values.get("target"),
        "portfolio": values.get("portfolio"),
    }
    changed = programs.set_fields(
        sub.session, program=program, actor_id=sub.user_id, values=changes, now=sub.now
    )
    summary = ", ".join(sorted(changed)) if changed else "nothing changed"
    return done_view("Program saved", f"*{program.name}* saved: {summary}.")


def search_updatable(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Options for a program picker limited to what the caller may update."""
    _search(ack, body, context["deps"], only_updatable=True)


def search_any(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """Options for a program picker over all active programs."""
    _search(ack, body, context["deps"], only_updatable=False)


def _search(ack: Ack, body: dict[str, Any], deps: Deps, *, only_updatable: bool) -> None:
    warm_caller(deps, team_id=body["team"]["id"], user_id=body["user"]["id"])
    with deps.sessions.begin() as session:
        common = open_interaction(
            deps, session, team_id=body["team"]["id"], user_id=body["user"]["id"]
        )
        caller = common["caller"]
        found = (
            []
            if caller.is_restricted
            else programs.search(
                session, person=caller, text=body.get("value", ""), only_updatable=only_updatable
            )
        )
        ack(options=[render.program_option(p) for p in found])
