"""`/pmo standup …`: schedule, run live, close, order and the answers participants give."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import replies, standups
from bot.blocks import standups as render
from bot.blocks.common import done_view
from bot.commands import Token, parse_channel, parse_user, split_options, unescape
from bot.errors import UserError
from handlers.interactive import run_action, run_submission
from handlers.request import ActionRequest, CommandRequest, Interaction, ModalSubmission
from handlers.router import Reply, Router
from storage.models import Standup

OPTIONS = ("close", "tz", "questions")
SUBCOMMANDS = "schedule, list, start, close, order, agenda, edit or cancel"


def register(app: App, router: Router) -> None:
    """Route `/pmo standup …`, the *Answer* button and the answer modal."""
    router.add("standup", _what)
    router.add("standup schedule", schedule, mode="deferred")
    router.add("standup edit", edit, mode="deferred")
    router.add("standup cancel", cancel)
    router.add("standup list", list_standups)
    router.add("standup start", start)
    router.add("standup close", close)
    router.add("standup order", order)
    router.add("standup agenda", show_agenda)
    app.action(render.ANSWER_ACTION)(answer_button)
    app.view(render.ANSWER_ACTION)(submit_answer)


def _what(request: CommandRequest) -> Reply:
    raise UserError(f"Say what to do with stand-ups: {SUBCOMMANDS}.")


def schedule(request: CommandRequest) -> Reply:
    """`standup schedule #channel "<days> <HH:MM>" @a @b … [close:] [tz:] [questions:]`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    people, when = _people_and_when(words[1:])
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
        members=standups.channel_members(request.client, channel_id),
        now=request.now,
    )
    return render.scheduled_message(standup, verb="Scheduled")


def edit(request: CommandRequest) -> Reply:
    """`standup edit #channel ["<days> <HH:MM>"] [@a @b …] [close:] [tz:] [questions:]`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    standup = standups.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    standups.require_manage(request.session, standup=standup, person=request.caller)
    people, when = _people_and_when(words[1:])
    if not (people or when or options):
        raise UserError(
            "Say what to change: the days and time, the participants, close:, tz: or questions:."
        )
    plan = standups.change_plan(
        standup,
        when=when or None,
        close=options.get("close"),
        tz=options.get("tz"),
        questions=options.get("questions"),
    )
    standups.edit(
        request.session,
        standup=standup,
        actor=request.caller,
        plan=plan,
        participants=[request.user(word.text) for word in people] or None,
        members=standups.channel_members(request.client, channel_id) if people else frozenset(),
        now=request.now,
    )
    return render.scheduled_message(standup, verb="Changed")


def cancel(request: CommandRequest) -> Reply:
    """`standup cancel #channel` (the facilitator or an admin)."""
    if len(request.words) != 1:
        raise UserError("Name the channel whose stand-up to cancel.")
    ref = parse_channel(request.words[0].text)
    if ref is None:
        raise UserError(f"“{request.words[0].text}” is not a channel; name it with #.")
    channel_id = ref.id or request.channel(request.words[0].text)
    standup = standups.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    standups.cancel(request.session, standup=standup, actor=request.caller, now=request.now)
    return render.said(f"Cancelled the stand-up in <#{channel_id}>. Nobody will be asked again.")


def list_standups(request: CommandRequest) -> Reply:
    """`standup list`: every stand-up in the workspace."""
    if request.words:
        raise UserError("`standup list` takes nothing after it.")
    return render.list_message(standups.active(request.session, team_id=request.team_id))


def start(request: CommandRequest) -> Reply:
    """`standup start [#channel]`: run one now; its agenda goes to the channel."""
    standup = _standup_here(request)
    started = standups.start_live(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    asked = len(standup.participants) - len(started.run.skipped)
    return render.said(
        f"Started the stand-up in <#{standup.channel_id}>: asked {asked} by DM, agenda posted."
    )


def close(request: CommandRequest) -> Reply:
    """`standup close [#channel]`: close the open run now and post its summary."""
    standup = _standup_here(request)
    summary = standups.close_now(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return render.said(
        f"Closed the stand-up in <#{standup.channel_id}>; the summary is posted there "
        f"({len(summary.answers)} answered, {len(summary.blockers)} blockers)."
    )


def order(request: CommandRequest) -> Reply:
    """`standup order [#channel]`: post a random speaking order."""
    standup = _standup_here(request)
    standups.post_order(
        request.session,
        standup=standup,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return render.said(f"Posted the speaking order in <#{standup.channel_id}>.")


def show_agenda(request: CommandRequest) -> Reply:
    """`standup agenda [#channel]`: only what needs the meeting, shown to the caller."""
    standup = _standup_here(request, post=False)
    standups.require_member(request.session, standup=standup, person=request.caller)
    return render.agenda_message(standups.agenda(request.session, standup=standup))


def _channel_word(words: list[Token]) -> Token:
    if not words or parse_channel(words[0].text) is None:
        raise UserError("Start with the channel, e.g. `/pmo standup schedule #team …`.")
    return words[0]


def _people_and_when(words: list[Token]) -> tuple[list[Token], str]:
    """Split mentions (participants) from the rest (the days and time, quoted or not)."""
    people = [word for word in words if not word.quoted and parse_user(word.text)]
    when = " ".join(word.text for word in words if word not in people)
    return people, when


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


def answer_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Answer* / *Edit*: the answer modal, prefilled with what was given so far."""
    run_action(ack, body, respond, context["deps"], _open_answer_modal)


def _open_answer_modal(request: ActionRequest) -> Reply:
    run, standup = standups.get_run(
        request.session, team_id=request.team_id, run_id=int(request.value), user_id=request.user_id
    )
    if run.state != "open" or request.now >= run.closes_at:
        raise UserError(f"The stand-up in <#{standup.channel_id}> has closed.")
    previous = standups.previous_answer(request.session, run=run, user_id=request.user_id)
    blocker = standups.blocker_index(standup.questions)
    request.open_modal(
        render.answer_modal(standup, run_id=run.id, previous=previous, blocker=blocker)
    )
    return None


def submit_answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """The answer modal, with inline errors."""
    run_submission(ack, body, context["deps"], _save_from_modal)


def _save_from_modal(sub: ModalSubmission) -> dict[str, Any]:
    run, standup = standups.get_run(
        sub.session, team_id=sub.team_id, run_id=int(sub.metadata), user_id=sub.user_id
    )
    texts = [sub.values.get(f"q{index}") for index in range(len(standup.questions))]
    standups.save_answer(
        sub.session, run=run, standup=standup, user_id=sub.user_id, texts=texts, now=sub.now
    )
    sent = render.receipt(standup, run_id=run.id, closes_at=run.closes_at)
    return done_view("Answer sent", sent["text"])


def answer_from_dm(interaction: Interaction, event: dict[str, Any]) -> dict[str, Any] | None:
    """A DM with one line per question of an open stand-up is its answer.

    Status prompts keep what is theirs: replies in a prompt's thread, and RAG replies while a
    prompt waits.

    Returns:
        The reply to post, or None when the DM is not for a stand-up.
    """
    session, team, user = interaction.session, interaction.team_id, interaction.user_id
    runs = standups.awaiting(session, team_id=team, user_id=user, now=interaction.now)
    if not runs:
        return None
    text = unescape(event.get("text") or "")
    thread = event.get("thread_ts")
    if thread and replies.prompt_in_thread(session, team_id=team, user_id=user, thread_ts=thread):
        return None
    prompted = bool(replies.pending_for(session, team_id=team, user_id=user))
    if prompted and replies.parse(text) is not None:
        return None
    fitting = [(r, s) for r, s in runs if standups.split_reply(text, len(s.questions))]
    if not fitting:
        return None if prompted else render.reply_hint(runs[0][1], run_id=runs[0][0].id)
    if len(fitting) > 1:
        return render.which_standup([(run.id, standup) for run, standup in fitting])
    run, standup = fitting[0]
    standups.save_answer(
        session,
        run=run,
        standup=standup,
        user_id=user,
        texts=standups.split_reply(text, len(standup.questions)) or [],
        now=interaction.now,
    )
    return render.receipt(standup, run_id=run.id, closes_at=run.closes_at)
