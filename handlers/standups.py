"""`/pmo standup …`: schedule, run live, close, order and the answers participants give."""

from __future__ import annotations

from bot import standups
from bot.blocks import standups as render
from bot.blocks.common import done_view, plural
from bot.commands import Token, parse_channel, split_mentions, split_options
from bot.errors import UserError
from bot.standups.plans import Plan
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result, UpdateModal
from handlers.request import ActionRequest, CommandRequest, ModalSubmission, as_id
from storage.models import Standup

OPTIONS = ("close", "tz", "questions")
SUBCOMMANDS = "schedule, list, start, close, order, agenda, edit or cancel"


def register(on: Listeners) -> None:
    """Route `/pmo standup …`, the *Answer* button and the answer modal."""
    on.commands.add("standup", _what)
    on.commands.add("standup schedule", schedule, mode="deferred", writes=True)
    on.commands.add("standup edit", edit, mode="deferred", writes=True)
    on.commands.add("standup cancel", cancel)
    on.commands.add("standup list", list_standups)
    on.commands.add("standup start", start)
    on.commands.add("standup close", close)
    on.commands.add("standup order", order)
    on.commands.add("standup agenda", show_agenda)
    on.action(render.ANSWER_ACTION, answer_button)
    on.action(render.RESUME_ACTION, resume_button)
    on.view(render.ANSWER_ACTION, submit_answer)


def _what(request: CommandRequest) -> Result:
    raise UserError(f"Say what to do with stand-ups: {SUBCOMMANDS}.")


def schedule(request: CommandRequest) -> Result:
    """`standup schedule #channel "<days> <HH:MM> [local]" @a @b … [close:] [tz:] [questions:]`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    people, when = split_mentions(words[1:])
    if not when:
        raise UserError('Give the days and opening time in quotes, e.g. "mon-fri 09:30".')
    plan = standups.make_plan(
        when=when,
        close=options.get("close"),
        tz=options.get("tz", request.timezone),
        questions=options.get("questions"),
    )
    standup = standups.schedule(
        request.session,
        channel_id=channel_id,
        facilitator=request.caller,
        plan=plan,
        participants=[request.user(word.text) for word in people],
        members=request.members(channel_id),
        now=request.now,
    )
    return Reply(render.scheduled_message(standup, verb="Scheduled"))


def edit(request: CommandRequest) -> Result:
    """`standup edit #channel ["<days> <HH:MM>"] [@a @b …] [close:] [tz:] [questions:]`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    standup = standups.managed(
        request.session, team_id=request.team_id, channel_id=channel_id, person=request.caller
    )
    people, when = split_mentions(words[1:])
    if not (people or when or options):
        raise UserError(
            "Say what to change: the days and time, the participants, close:, tz: or questions:."
        )
    standups.edit(
        request.session,
        standup=standup,
        actor=request.caller,
        plan=_changed_plan(standup, when, options),
        participants=[request.user(word.text) for word in people] or None,
        members=request.members(channel_id) if people else frozenset(),
        now=request.now,
    )
    return Reply(render.scheduled_message(standup, verb="Changed"))


def _changed_plan(standup: Standup, when: str, options: dict[str, str]) -> Plan:
    return standups.change_plan(
        standup,
        when=when or None,
        close=options.get("close"),
        tz=options.get("tz"),
        questions=options.get("questions"),
    )


def cancel(request: CommandRequest) -> Result:
    """`standup cancel #channel` (the facilitator or an admin)."""
    if len(request.words) != 1:
        raise UserError("Name the channel whose stand-up to cancel.")
    ref = parse_channel(request.words[0].text)
    if ref is None:
        raise UserError(f"“{request.words[0].text}” is not a channel; name it with #.")
    channel_id = ref.id or request.channel(request.words[0].text)
    standup = standups.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    standups.cancel(request.session, standup=standup, actor=request.caller, now=request.now)
    return Reply(
        render.said(f"Cancelled the stand-up in <#{channel_id}>. Nobody will be asked again.")
    )


def list_standups(request: CommandRequest) -> Result:
    """`standup list`: every stand-up in the workspace."""
    if request.words:
        raise UserError("`standup list` takes nothing after it.")
    return Reply(render.list_message(standups.active(request.session, team_id=request.team_id)))


def start(request: CommandRequest) -> Result:
    """`standup start [#channel]`: run one now; its agenda goes to the channel."""
    standup = _standup_here(request)
    started = standups.start_live(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(render.started_message(standup, skipped=standups.skip_reasons(started.run)))


def close(request: CommandRequest) -> Result:
    """`standup close [#channel]`: close the open run now and post its summary."""
    standup = _standup_here(request)
    summary = standups.close_now(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(
        render.said(
            f"Closed the stand-up in <#{standup.channel_id}>; the summary is posted there "
            f"({len(summary.answers)} answered, {plural(len(summary.blockers), 'blocker')})."
        )
    )


def order(request: CommandRequest) -> Result:
    """`standup order [#channel]`: post a random speaking order."""
    standup = _standup_here(request)
    standups.post_order(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(render.said(f"Posted the speaking order in <#{standup.channel_id}>."))


def show_agenda(request: CommandRequest) -> Result:
    """`standup agenda [#channel]`: only what needs the meeting, shown to the caller."""
    standup = _standup_here(request, post=False)
    standups.require_member(request.session, standup=standup, person=request.caller)
    return Reply(render.agenda_message(standups.agenda(request.session, standup=standup)))


def _channel_word(words: list[Token]) -> Token:
    if not words or parse_channel(words[0].text) is None:
        raise UserError("Start with the channel, e.g. `/pmo standup schedule #team …`.")
    return words[0]


def _standup_here(request: CommandRequest, *, post: bool = True) -> Standup:
    """The stand-up of the channel named, else of the channel the command was typed in."""
    if len(request.words) > 1:
        raise UserError("Name at most one channel.")
    if request.words:
        _channel_word(request.words)
        channel_id = request.channel(request.words[0].text)
    else:
        channel_id = request.channel_id
    standup = standups.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    if post and not request.words:
        request.postable_channel(channel_id)
    return standup


# --- answers -----------------------------------------------------------------------------------


def answer_button(request: ActionRequest) -> Result:
    """*Answer* / *Edit*: the answer modal, prefilled with what was given so far."""
    run, standup = standups.open_run(
        request.session,
        team_id=request.team_id,
        run_id=as_id(request.value),
        user_id=request.user_id,
        now=request.now,
    )
    previous = standups.previous_answer(request.session, run=run, user_id=request.user_id)
    blocker = standups.blocker_index(standup.questions)
    return OpenModal(
        render.answer_modal(standup, run_id=run.id, previous=previous, blocker=blocker)
    )


def resume_button(request: ActionRequest) -> Result:
    """*Resume* on the pause DM (the facilitator or a PMO admin)."""
    standup, resumed = standups.resume(
        request.session,
        team_id=request.team_id,
        standup_id=as_id(request.value),
        actor=request.caller,
        now=request.now,
    )
    return Reply(render.resumed_message(standup, resumed=resumed))


def submit_answer(sub: ModalSubmission) -> Result:
    """The answer modal, with inline errors."""
    run, standup = standups.get_run(
        sub.session, team_id=sub.team_id, run_id=as_id(sub.metadata), user_id=sub.user_id
    )
    texts = [sub.values.get(f"q{index}") for index in range(len(standup.questions))]
    standups.save_answer(
        sub.session, run=run, standup=standup, user_id=sub.user_id, texts=texts, now=sub.now
    )
    sent = render.receipt(standup, run_id=run.id, closes_at=run.closes_at)
    return UpdateModal(done_view("Answer sent", sent["text"]))
