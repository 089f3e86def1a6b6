"""`/pmo meeting start|close|show`, and the live message's buttons and modals."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks import meeting_live as render
from bot.commands import parse_channel
from bot.errors import UserError
from bot.meetings import live, log, manage, minutes
from handlers.adapters import Listeners
from handlers.effects import OpenModal, Reply, Result, UpdateModal
from handlers.request import (
    OUT_OF_DATE,
    ActionRequest,
    CommandRequest,
    ModalSubmission,
    as_id,
)
from storage.models import Meeting

REF_MAX = 64  # an agenda item's ref, as `Decision.item_ref` holds it
DUE_IN = timedelta(days=7)  # the *Add action* modal's first due date


def register(on: Listeners) -> None:
    """Route `/pmo meeting start|close|show`, the live message's buttons and its modals."""
    on.commands.add("meeting start", start)
    on.commands.add("meeting close", close)
    on.commands.add("meeting show", show, writes=False)
    on.action(render.RECORD_ACTION, record_button)
    on.action(render.ADD_ACTION, action_button)
    on.action(render.PARK_ACTION, park_button)
    on.action(render.NEXT_ACTION, next_button)
    on.action(render.TAKE_ACTION, take_select)
    on.action(render.CLOSE_ACTION, close_button)
    on.view(render.DECISION_VIEW, submit_decision)
    on.view(render.ACTION_VIEW, submit_action)


# --- commands --------------------------------------------------------------------------------


def start(request: CommandRequest) -> Result:
    """`meeting start [#channel]`: today's meeting goes live; its live message is posted."""
    meeting = _meeting_here(request)
    occurrence = live.start(
        request.session,
        meeting=meeting,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    extra = live.next_if_extra(meeting, occurrence=occurrence, now=request.now)
    items = len(live.walk(occurrence))
    return Reply(render.started_notice(meeting, items=items, extra_before=extra))


def close(request: CommandRequest) -> Result:
    """`meeting close [#channel]`: close the live meeting; its minutes go in the thread."""
    meeting = _meeting_here(request)
    occurrence = minutes.close(
        request.session,
        meeting=meeting,
        actor=request.caller,
        now=request.now,
        workspace=request.workspace,
    )
    shown = live.view(request.session, occurrence=occurrence, meeting=meeting)
    return Reply(
        render.closed_notice(meeting.channel_id, decisions=shown.decisions, actions=shown.actions)
    )


def show(request: CommandRequest) -> Result:
    """`meeting show <date> [#channel]`: the minutes of that day's meeting, as posted."""
    words = list(request.words)
    channel_id = request.channel_id
    if words and parse_channel(words[-1].text) is not None:
        channel_id = request.channel(words.pop().text)
    text = " ".join(word.text for word in words)
    if not text:
        raise UserError("Give the date the meeting was held, e.g. `/pmo meeting show 7 Dec`.")
    day = minutes.held_day(text, today=request.today, parse=request.date)
    found = minutes.show(request.session, team_id=request.team_id, channel_id=channel_id, day=day)
    if found.minutes is not None:
        return Reply(found.minutes)
    return Reply(
        render.no_minutes_message(
            channel_id, day, live=found.live, before=found.before, after=found.after
        )
    )


def _meeting_here(request: CommandRequest) -> Meeting:
    """The meeting of the channel named, else of the channel the command was typed in (where
    the bot must be able to post)."""
    if len(request.words) > 1:
        raise UserError("Name at most one channel.")
    if request.words:
        word = request.words[0].text
        if parse_channel(word) is None:
            raise UserError(f"“{word}” is not a channel; name it with #.")
        channel_id = request.channel(word)
    else:
        channel_id = request.channel_id
    meeting = manage.for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    if not request.words:
        request.postable_channel(channel_id)
    return meeting


# --- the live message ------------------------------------------------------------------------


def record_button(request: ActionRequest) -> Result:
    """*Record decision*: its modal, for the item the message showed (not decided yet)."""
    found = live.to_decide(
        request.session, team_id=request.team_id, click=_click(request.value), person=request.caller
    )
    options = list(found.request.options or []) if found.request is not None else []
    return OpenModal(
        render.decision_modal(
            occurrence_id=found.occurrence.id,
            item=found.item,
            options=[str(option) for option in options],
            chair_id=found.meeting.chair_id,
        )
    )


def action_button(request: ActionRequest) -> Result:
    """*Add action*: its modal, for the item the message showed."""
    found = live.clicked(
        request.session, team_id=request.team_id, click=_click(request.value), person=request.caller
    )
    return OpenModal(
        render.action_modal(
            occurrence_id=found.occurrence.id, item=found.item, due=request.today + DUE_IN
        )
    )


def park_button(request: ActionRequest) -> Result:
    """*Park*: the item comes back next time; the meeting moves on."""
    live.park(
        request.session,
        team_id=request.team_id,
        click=_click(request.value),
        actor=request.caller,
        now=request.now,
    )
    return None


def next_button(request: ActionRequest) -> Result:
    """*Next item*: the meeting moves on."""
    live.next_item(
        request.session,
        team_id=request.team_id,
        click=_click(request.value),
        actor=request.caller,
        now=request.now,
    )
    return None


def take_select(request: ActionRequest) -> Result:
    """*Take up now…*: the chair (or a PMO admin) takes a later item up now."""
    live.take_up(
        request.session,
        team_id=request.team_id,
        click=_click(request.value),
        actor=request.caller,
        now=request.now,
    )
    return None


def close_button(request: ActionRequest) -> Result:
    """*Close meeting*, once every item is done (the chair or a PMO admin)."""
    minutes.close_clicked(
        request.session,
        team_id=request.team_id,
        occurrence_id=as_id(request.value),
        actor=request.caller,
        now=request.now,
    )
    return None


def _click(value: str) -> live.Click:
    """A live button's value as we wrote it: `<occurrence id>:<position>:<item ref>`."""
    occurrence, _, rest = value.partition(":")
    position, _, ref = rest.partition(":")
    if not ref or len(ref) > REF_MAX:
        raise UserError(OUT_OF_DATE)
    return live.Click(occurrence_id=as_id(occurrence), position=as_id(position), ref=ref)


def _metadata(metadata: str) -> tuple[int, str]:
    """A modal's private metadata as we wrote it: `<occurrence id>:<item ref>`."""
    occurrence, _, ref = metadata.partition(":")
    if not ref or len(ref) > REF_MAX:
        raise UserError(OUT_OF_DATE)
    return as_id(occurrence), ref


# --- the modals ------------------------------------------------------------------------------


def submit_decision(sub: ModalSubmission) -> Result:
    """The *Record decision* modal: `D-n`, or who was first."""
    occurrence_id, ref = _metadata(sub.metadata)
    given = live.DecisionInput(
        text=sub.value("decision"),
        rationale=sub.values.get("rationale"),
        decided_by=sub.field("decided_by", lambda: _people(sub, "decided_by")),
        option=sub.values.get("option"),
    )
    try:
        decision = live.record_decision(
            sub.session,
            team_id=sub.team_id,
            occurrence_id=occurrence_id,
            ref=ref,
            actor=sub.caller,
            given=given,
            now=sub.now,
        )
    except log.AlreadyRecorded as first:
        said = render.first_was_quicker(first.message, given.text)
        return UpdateModal(render.recorded_view("Already recorded", said))
    receipt = render.decision_recorded(decision)
    return UpdateModal(render.recorded_view("Decision recorded", receipt))


def submit_action(sub: ModalSubmission) -> Result:
    """The *Add action* modal: `A-n`, or that it was just added."""
    occurrence_id, ref = _metadata(sub.metadata)
    title = sub.value("title")
    try:
        action = live.add_action(
            sub.session,
            team_id=sub.team_id,
            occurrence_id=occurrence_id,
            ref=ref,
            actor=sub.caller,
            title=title,
            owner=sub.field("owner", lambda: sub.person(sub.value("owner"))),
            due=sub.values.get("due"),
            now=sub.now,
            workspace=sub.workspace,
        )
    except log.AlreadyRecorded as first:
        said = render.first_was_quicker(first.message, title)
        return UpdateModal(render.recorded_view("Already added", said))
    return UpdateModal(render.recorded_view("Action added", render.action_added(action)))


def _people(sub: ModalSubmission, block_id: str) -> list[str]:
    picked = sub.values.get(block_id) or []
    return [sub.person(str(user_id)).user_id for user_id in picked]
