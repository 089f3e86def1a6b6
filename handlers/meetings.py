"""`/pmo meeting schedule|list|edit|cancel|agenda`: a chair's recurring steering meetings."""

from __future__ import annotations

from bot.blocks import agenda as agenda_blocks
from bot.blocks import meetings as render
from bot.commands import Token, parse_channel, split_mentions, split_options
from bot.errors import UserError
from bot.meetings import manage, preview
from bot.meetings.plans import make_plan, plan_of
from handlers.adapters import Listeners
from handlers.effects import Reply, Result
from handlers.request import CommandRequest
from storage.models import Meeting

OPTIONS = ("every", "length", "portfolio", "tz")
NOTHING_TO_CHANGE = (
    "Say what to change: the days and time, the attendees, every:, length:, portfolio: or tz:."
)
SUBCOMMANDS = "schedule, list, agenda, start, close, show, edit or cancel"


def register(on: Listeners) -> None:
    """Route the settings of `/pmo meeting …`."""
    on.commands.add("meeting", _what)
    on.commands.add("meeting schedule", schedule, mode="deferred", writes=True)
    on.commands.add("meeting edit", edit, mode="deferred", writes=True)
    on.commands.add("meeting cancel", cancel)
    on.commands.add("meeting list", list_meetings)
    on.commands.add("meeting agenda", show_agenda, mode="deferred", writes=False)


def _what(request: CommandRequest) -> Result:
    raise UserError(f"Say what to do with steering meetings: {SUBCOMMANDS}.")


def schedule(request: CommandRequest) -> Result:
    """`meeting schedule #ch "<days> <HH:MM>" [every:] [length:] [portfolio:] [tz:] @a …`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    people, when = split_mentions(words[1:])
    tz = options.get("tz", request.timezone)
    plan = make_plan(when=when, every=options.get("every"), length=options.get("length"), tz=tz)
    meeting = manage.schedule(
        request.session,
        channel_id=channel_id,
        chair=request.caller,
        plan=plan,
        portfolio=options.get("portfolio"),
        attendees=[request.user(word.text) for word in people],
        members=request.members(channel_id),
        now=request.now,
    )
    return Reply(
        render.scheduled_message(
            meeting, verb="Scheduled", workspace=request.workspace, now=request.now
        )
    )


def edit(request: CommandRequest) -> Result:
    """`meeting edit #ch ["<days> <HH:MM>"] [every:] [length:] [portfolio:] [tz:] [@a …]`."""
    words, options = split_options(request.words, OPTIONS)
    channel_id = request.channel(_channel_word(words).text)
    meeting = manage.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    manage.require_chair(request.session, meeting=meeting, person=request.caller, doing="change")
    people, when = split_mentions(words[1:])
    if not (people or when or options):
        raise UserError(NOTHING_TO_CHANGE)
    before = manage.edit(
        request.session,
        meeting=meeting,
        actor=request.caller,
        changes=_changes(request, meeting, people=people, when=when, options=options),
        members=request.members(channel_id) if people else frozenset(),
        now=request.now,
    )
    return _changed(request, meeting, attendees_before=before)


def _changed(
    request: CommandRequest, meeting: Meeting, *, attendees_before: list[str] | None
) -> Result:
    """`meeting edit`'s receipt: the meeting as it is now, and who joined or left."""
    return Reply(
        render.scheduled_message(
            meeting,
            verb="Changed",
            workspace=request.workspace,
            now=request.now,
            attendees_before=attendees_before,
        )
    )


def _changes(
    request: CommandRequest,
    meeting: Meeting,
    *,
    people: list[Token],
    when: str,
    options: dict[str, str],
) -> manage.Changes:
    """What `edit` was told to change; the plan only when its days, time, weeks, length or
    zone were named."""
    retimed = bool(when) or any(key in options for key in ("every", "length", "tz"))
    plan = make_plan(
        when=when,
        every=options.get("every"),
        length=options.get("length"),
        tz=options.get("tz", meeting.timezone),
        base=plan_of(meeting),
    )
    return manage.Changes(
        plan=plan if retimed else None,
        portfolio=options.get("portfolio"),
        attendees=[request.user(word.text) for word in people] or None,
    )


def cancel(request: CommandRequest) -> Result:
    """`meeting cancel #ch` (the chair or an admin)."""
    if len(request.words) != 1:
        raise UserError("Name the channel whose steering meeting to cancel.")
    ref = parse_channel(request.words[0].text)
    if ref is None:
        raise UserError(f"“{request.words[0].text}” is not a channel; name it with #.")
    channel_id = ref.id or request.channel(request.words[0].text)
    meeting = manage.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    moved = manage.cancel(
        request.session,
        meeting=meeting,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    return Reply(render.cancelled_message(channel_id, moved=moved))


def list_meetings(request: CommandRequest) -> Result:
    """`meeting list`: every steering meeting in the workspace."""
    if request.words:
        raise UserError("`meeting list` takes nothing after it.")
    return Reply(
        render.list_message(
            manage.active(request.session, team_id=request.team_id), now=request.now
        )
    )


def show_agenda(request: CommandRequest) -> Result:
    """`meeting agenda [#ch]`: the next agenda as things stand, shown to the caller."""
    if len(request.words) > 1:
        raise UserError("Name at most one channel.")
    channel_id = request.channel(_channel_word(request.words).text) if request.words else None
    meeting = manage.for_channel(
        request.session, team_id=request.team_id, channel_id=channel_id or request.channel_id
    )
    coming = preview.upcoming(
        request.session, meeting=meeting, now=request.now, workspace=request.workspace
    )
    return Reply(
        agenda_blocks.agenda_message(
            meeting, coming.agenda, starts_at=coming.starts_at, tz=request.timezone
        )
    )


def _channel_word(words: list[Token]) -> Token:
    if not words or parse_channel(words[0].text) is None:
        raise UserError("Start with the channel, e.g. `/pmo meeting schedule #steering …`.")
    return words[0]
