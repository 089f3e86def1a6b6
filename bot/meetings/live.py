"""A steering meeting as it runs: start it, walk its agenda, record in it.

`start` makes today's occurrence (or an unscheduled one) live, freezes its agenda and posts
one live message, which every change edits in place: each edit is an outbox message keyed by
the occurrence's version, so edits go in order and each once. Any attendee may record a
decision, add an action, park an item or move on; the chair or a PMO admin may take an item
up out of order. Moving on is a conditional change of the occurrence row (its current item
and version), so two clicks at once move it once and the second clicker is told.

The walk is kept in `outcomes`: `outcomes[ref]` is what happened to an item, and
`outcomes["_live"]` holds the order the items are taken in and since when the current one is
discussed (its timebox runs from then).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import audit, outbox, scheduling
from bot.blocks import meeting_live as render
from bot.errors import UserError
from bot.meetings import agenda, facts, log, manage, occurrences, plans
from bot.workspace import serialize_changes
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    Meeting,
    MeetingOccurrence,
    OutboxMessage,
    Person,
    Program,
    ScheduledJob,
    Workspace,
)
from storage.types import JobState, MeetingState, OutboxState

LIVE = "_live"  # the key of `outcomes` that holds the walk, not an item's outcome
SYSTEM_ACTOR = "pmo-bot"  # who closes a meeting left open, and records one nobody started
MOVED_ON = (
    "The meeting has already moved on from that item, so I did nothing; the live message "
    "shows where it is now."
)
GONE = "That meeting is not one I know; open it again from a fresh message."
EDITS_WITHDRAWN = 20  # how many earlier edits a new one looks for, still waiting, to withdraw
CHANGE_TRIES = 3  # a concurrent recording bumps the version: try the change again this often


def live_key(occurrence_id: int) -> str:
    """The outbox key of an occurrence's live message (its edits name it)."""
    return f"meeting-live:{occurrence_id}"


# --- start -----------------------------------------------------------------------------------


def start(
    session: Session, *, meeting: Meeting, actor: Person, now: datetime, workspace: Workspace
) -> MeetingOccurrence:
    """Start today's occurrence (or, when none is scheduled today, an unscheduled one now).

    Raises:
        PermissionDenied: Not an attendee, the chair or a PMO admin; a guest.
        UserError: One is live already, or today's was held already.
    """
    manage.require_attendee(session, meeting=meeting, person=actor)
    occurrence = _to_start(session, meeting=meeting, now=now)
    _go_live(session, occurrence=occurrence, meeting=meeting, actor=actor, now=now)
    # Started late, it still has its whole length before the close job ends it.
    late_close = now + timedelta(minutes=meeting.length_minutes) + plans.CLOSE_AFTER
    occurrences.retime_close(
        session, meeting=meeting, period=occurrence.period, earliest=late_close
    )
    frozen = agenda.freeze(
        session, occurrence=occurrence, meeting=meeting, now=now, workspace=workspace
    )
    refs = [item.ref for item in (*frozen.items, *frozen.unscheduled)]
    occurrence.outcomes = {LIVE: {"order": refs, "since": now.isoformat()}}
    session.flush()
    audit.record(
        session,
        occurrence,
        actor_id=actor.user_id,
        action="start",
        now=now,
        after={"state": MeetingState.LIVE, "items": len(refs)},
    )
    outbox.enqueue(
        session,
        team_id=meeting.team_id,
        key=live_key(occurrence.id),
        channel=meeting.channel_id,
        payload=render.live_message(view(session, occurrence=occurrence, meeting=meeting)),
        now=now,
    )
    return occurrence


def _to_start(session: Session, *, meeting: Meeting, now: datetime) -> MeetingOccurrence:
    """Today's scheduled occurrence, else a new unscheduled one (with its own close job)."""
    serialize_changes(session, team_id=meeting.team_id)  # two starts at once: one wins
    _refuse_if_running(session, meeting=meeting)
    occurrence = occurrences.today(session, meeting=meeting, now=now)
    if occurrence is not None and occurrence.state == MeetingState.CLOSED:
        day = plans.local_day(meeting, occurrence.starts_at)
        raise UserError(
            f"Today's steering meeting in <#{meeting.channel_id}> was already held; see "
            f"`/pmo meeting show {day.isoformat()} <#{meeting.channel_id}>`."
        )
    if occurrence is None or occurrence.state != MeetingState.SCHEDULED:
        occurrence = occurrences.live_one(session, meeting=meeting, now=now)
        _add_close_job(session, meeting=meeting, occurrence=occurrence)
    return occurrence


def next_if_extra(
    meeting: Meeting, *, occurrence: MeetingOccurrence, now: datetime
) -> datetime | None:
    """For an occurrence started on a day the meeting does not meet, the meeting's next
    scheduled start; None for a scheduled one (or when none comes)."""
    if not occurrence.period.startswith(occurrences.LIVE_PREFIX):
        return None
    return plans.next_start(meeting, after=now)


def _refuse_if_running(session: Session, *, meeting: Meeting) -> None:
    running = occurrences.open_one(session, meeting=meeting)
    if running is not None:
        raise UserError(
            f"The steering meeting in <#{meeting.channel_id}> is already live (started by "
            f"<@{running.started_by}>); close it with `/pmo meeting close "
            f"<#{meeting.channel_id}>`."
        )


def _go_live(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    actor: Person,
    now: datetime,
) -> None:
    changed = session.execute(
        update(MeetingOccurrence)
        .where(
            MeetingOccurrence.id == occurrence.id,
            MeetingOccurrence.state == MeetingState.SCHEDULED,
        )
        .values(
            state=MeetingState.LIVE,
            started_at=now,
            started_by=actor.user_id,
            current=0,
            version=MeetingOccurrence.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(occurrence)
    if not changed:
        raise UserError(f"The steering meeting in <#{meeting.channel_id}> was started already.")


def _add_close_job(session: Session, *, meeting: Meeting, occurrence: MeetingOccurrence) -> None:
    """An unscheduled meeting closes itself too, 30 minutes after its length is up."""
    scheduling.add_job(
        session,
        job=ScheduledJob(
            team_id=meeting.team_id,
            kind=plans.CLOSE,
            target_id=meeting.id,
            period=occurrence.period,
            slot_at=occurrence.starts_at,
            due_at=occurrence.ends_at + plans.CLOSE_AFTER,
            state=JobState.PENDING,
        ),
    )


# --- the walk --------------------------------------------------------------------------------


def walk(occurrence: MeetingOccurrence) -> list[facts.AgendaItem]:
    """The occurrence's items in the order they are taken (the agenda's, until reordered)."""
    frozen = agenda.stored(occurrence)
    if frozen is None:
        return []
    items = [*frozen.items, *frozen.unscheduled]
    by_ref = {item.ref: item for item in items}
    order = _walk_state(occurrence).get("order")
    if not isinstance(order, list):
        return items
    return [by_ref[ref] for ref in order if ref in by_ref]


def unscheduled_refs(occurrence: MeetingOccurrence) -> frozenset[str]:
    """The items that did not fit the meeting's length."""
    frozen = agenda.stored(occurrence)
    return frozenset(item.ref for item in frozen.unscheduled) if frozen else frozenset()


def item_outcomes(occurrence: MeetingOccurrence) -> dict[str, str]:
    """What happened to each item so far (ref -> outcome)."""
    return {ref: str(v) for ref, v in (occurrence.outcomes or {}).items() if ref != LIVE}


def _walk_state(occurrence: MeetingOccurrence) -> dict[str, Any]:
    state = (occurrence.outcomes or {}).get(LIVE)
    return state if isinstance(state, dict) else {}


def _since(occurrence: MeetingOccurrence) -> datetime:
    since = _walk_state(occurrence).get("since")
    if isinstance(since, str):
        return datetime.fromisoformat(since)
    return occurrence.started_at or occurrence.starts_at


def view(session: Session, *, occurrence: MeetingOccurrence, meeting: Meeting) -> render.LiveView:
    """What the live message shows now."""
    items = walk(occurrence)
    position = min(occurrence.current, len(items))
    current = None
    if occurrence.state == MeetingState.LIVE and position < len(items):
        current = _current(session, occurrence=occurrence, item=items[position])
    return render.LiveView(
        occurrence_id=occurrence.id,
        channel_id=meeting.channel_id,
        chair_id=meeting.chair_id,
        tz=meeting.timezone,
        items=items,
        unscheduled=unscheduled_refs(occurrence),
        position=position,
        outcomes=item_outcomes(occurrence),
        current=current,
        decisions=decision_count(session, occurrence=occurrence),
        actions=action_count(session, occurrence=occurrence),
        started_at=occurrence.started_at or occurrence.starts_at,
        started_by=occurrence.started_by or meeting.chair_id,
        closed_at=occurrence.closed_at if occurrence.state == MeetingState.CLOSED else None,
        closed_by=None if occurrence.closed_by == SYSTEM_ACTOR else occurrence.closed_by,
    )


def _current(
    session: Session, *, occurrence: MeetingOccurrence, item: facts.AgendaItem
) -> render.Current:
    actions = select(ActionItem).where(
        ActionItem.occurrence_id == occurrence.id, ActionItem.item_ref == item.ref
    )
    return render.Current(
        item=item,
        program=_program(session, occurrence=occurrence, item=item),
        request=_request(session, occurrence=occurrence, item=item),
        since=_since(occurrence),
        decision=_decision_on(session, occurrence=occurrence, ref=item.ref),
        actions=tuple(session.scalars(actions.order_by(ActionItem.number))),
    )


def _program(
    session: Session, *, occurrence: MeetingOccurrence, item: facts.AgendaItem
) -> Program | None:
    program = session.get(Program, item.program_id) if item.program_id else None
    return program if program is not None and program.team_id == occurrence.team_id else None


def _request(
    session: Session, *, occurrence: MeetingOccurrence, item: facts.AgendaItem
) -> DecisionRequest | None:
    request = session.get(DecisionRequest, item.request_id) if item.request_id else None
    return request if request is not None and request.team_id == occurrence.team_id else None


def decision_count(session: Session, *, occurrence: MeetingOccurrence) -> int:
    """How many decisions the occurrence recorded."""
    query = select(func.count()).where(Decision.occurrence_id == occurrence.id)
    return session.scalar(query) or 0


def action_count(session: Session, *, occurrence: MeetingOccurrence) -> int:
    """How many actions the occurrence added."""
    query = select(func.count()).where(ActionItem.occurrence_id == occurrence.id)
    return session.scalar(query) or 0


def refresh_message(
    session: Session, *, occurrence: MeetingOccurrence, meeting: Meeting, now: datetime
) -> None:
    """Edit the live message to show the occurrence as it is now (once per version).

    Each edit carries the whole message, so an older edit still waiting (its Slack call
    failed and waits for a retry, or was interrupted and would be resent) is withdrawn: sent
    after this one, it would undo it.
    """
    payload = render.live_message(view(session, occurrence=occurrence, meeting=meeting))
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id == meeting.team_id,
            OutboxMessage.dedupe_key.in_(_earlier_edits(occurrence)),
            # Waiting, or interrupted mid-send (resent later, it would land after this one).
            OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)),
        )
        .values(state=OutboxState.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    outbox.enqueue(
        session,
        team_id=meeting.team_id,
        key=edit_key(occurrence.id, occurrence.version),
        channel=meeting.channel_id,
        payload=payload | {outbox.UPDATE_OF: live_key(occurrence.id)},
        now=now,
    )


def edit_key(occurrence_id: int, version: int) -> str:
    """The outbox key of the live message's edit showing `version`."""
    return f"{live_key(occurrence_id)}:v{version}"


def _earlier_edits(occurrence: MeetingOccurrence) -> list[str]:
    """The keys of the last edits before this version (found by the unique index)."""
    first = max(1, occurrence.version - EDITS_WITHDRAWN)
    return [edit_key(occurrence.id, version) for version in range(first, occurrence.version)]


# --- who may act on which occurrence ---------------------------------------------------------


@dataclass(frozen=True)
class Click:
    """What a live button (or the reorder select) says it was clicked on.

    Attributes:
        occurrence_id: The occurrence.
        position: The index of the item the message showed as current.
        ref: That item (for the reorder select: the item to take up).
    """

    occurrence_id: int
    position: int
    ref: str


@dataclass(frozen=True)
class Clicked:
    """A click's live occurrence, its meeting and the current item it was clicked on."""

    occurrence: MeetingOccurrence
    meeting: Meeting
    item: facts.AgendaItem
    request: DecisionRequest | None


def taking_part(
    session: Session, *, team_id: str, occurrence_id: int, person: Person
) -> tuple[MeetingOccurrence, Meeting]:
    """A live occurrence of the workspace (from a button or a modal), once `person` may take
    part in it.

    Raises:
        UserError: No such occurrence in this workspace, or it is not live.
        PermissionDenied: Not an attendee, the chair or a PMO admin; a guest.
    """
    occurrence, meeting = occurrence_of(session, team_id=team_id, occurrence_id=occurrence_id)
    manage.require_attendee(session, meeting=meeting, person=person)
    if occurrence.state != MeetingState.LIVE:
        raise UserError(
            f"The steering meeting in <#{meeting.channel_id}> is {occurrence.state}, not live; "
            "nothing was changed."
        )
    return occurrence, meeting


def occurrence_of(
    session: Session, *, team_id: str, occurrence_id: int
) -> tuple[MeetingOccurrence, Meeting]:
    """An occurrence of the workspace and its meeting (cancelled meetings included: a live one
    can still be run and closed).

    Raises:
        UserError: No such occurrence in this workspace.
    """
    occurrence = session.get(MeetingOccurrence, occurrence_id)
    if occurrence is None or occurrence.team_id != team_id:
        raise UserError(GONE)
    meeting = session.get(Meeting, occurrence.meeting_id)
    assert meeting is not None and meeting.team_id == team_id
    return occurrence, meeting


def clicked(session: Session, *, team_id: str, click: Click, person: Person) -> Clicked:
    """The current item a live button was clicked on, as long as the message that showed it
    is still current (*Record decision*, *Add action* open their modal on it).

    Raises:
        UserError: No such occurrence here, not live, or the meeting moved on since.
        PermissionDenied: `person` does not take part in it.
    """
    occurrence, meeting = taking_part(
        session, team_id=team_id, occurrence_id=click.occurrence_id, person=person
    )
    items = walk(occurrence)
    position = click.position
    if position != occurrence.current or position >= len(items) or items[position].ref != click.ref:
        raise UserError(MOVED_ON)
    item = items[position]
    return Clicked(occurrence, meeting, item, _request(session, occurrence=occurrence, item=item))


def to_decide(session: Session, *, team_id: str, click: Click, person: Person) -> Clicked:
    """The current item *Record decision* was clicked on, when it is not decided yet (an
    older copy of the live message still shows the button).

    Raises:
        UserError: What `clicked` refuses, or the item has its decision already.
        PermissionDenied: `person` does not take part in it.
    """
    found = clicked(session, team_id=team_id, click=click, person=person)
    earlier = _decision_on(session, occurrence=found.occurrence, ref=found.item.ref)
    if earlier is not None:
        raise UserError(
            f"This item is decided already: D-{earlier.number}, recorded by "
            f"<@{earlier.recorded_by}>. Add an action, or move on."
        )
    return found


def _decision_on(session: Session, *, occurrence: MeetingOccurrence, ref: str) -> Decision | None:
    query = select(Decision).where(
        Decision.occurrence_id == occurrence.id, Decision.item_ref == ref
    )
    return session.scalar(query)


def _item_of(occurrence: MeetingOccurrence, *, ref: str) -> facts.AgendaItem:
    """An item of the occurrence's agenda (a modal may be submitted after the meeting moved
    on: what was decided about it still counts).

    Raises:
        UserError: The occurrence has no such item.
    """
    for item in walk(occurrence):
        if item.ref == ref:
            return item
    raise UserError(GONE)


# --- moving on: park, next, take up ----------------------------------------------------------


def park(session: Session, *, team_id: str, click: Click, actor: Person, now: datetime) -> None:
    """*Park*: the current item comes back on the next agenda; the meeting moves on.

    Raises:
        UserError: Not live, or it moved on already (a double click, a stale message).
        PermissionDenied: `actor` does not take part in it.
    """
    _advance(session, team_id=team_id, click=click, actor=actor, now=now, park=True)


def next_item(
    session: Session, *, team_id: str, click: Click, actor: Person, now: datetime
) -> None:
    """*Next item*: the current item, with no outcome yet, was discussed; the meeting moves on.

    Raises:
        UserError: Not live, or it moved on already (a double click, a stale message).
        PermissionDenied: `actor` does not take part in it.
    """
    _advance(session, team_id=team_id, click=click, actor=actor, now=now, park=False)


def _advance(
    session: Session, *, team_id: str, click: Click, actor: Person, now: datetime, park: bool
) -> None:
    found = clicked(session, team_id=team_id, click=click, person=actor)
    occurrence, ref, position = found.occurrence, click.ref, click.position

    def values(row: MeetingOccurrence) -> dict[str, Any]:
        outcomes = _with_since(row, now)
        if park and outcomes.get(ref) != facts.DECIDED:  # a decided item stays decided
            outcomes[ref] = facts.PARKED_OUTCOME
        else:
            outcomes.setdefault(ref, facts.DISCUSSED)
        return {"outcomes": outcomes, "current": position + 1}

    _change(session, occurrence, values, position=position)
    audit.record(
        session,
        occurrence,
        actor_id=actor.user_id,
        action="park" if park else "next",
        now=now,
        after={"item": ref, "outcome": item_outcomes(occurrence).get(ref), "current": position + 1},
    )
    refresh_message(session, occurrence=occurrence, meeting=found.meeting, now=now)


def take_up(session: Session, *, team_id: str, click: Click, actor: Person, now: datetime) -> None:
    """Take a later item (`click.ref`) up now: the chair or a PMO admin. The current item,
    unless it has an outcome already, comes right after it.

    Raises:
        PermissionDenied: Not the chair or a PMO admin.
        UserError: Not live, the meeting moved on, or the item is not still to come.
    """
    occurrence, meeting = taking_part(
        session, team_id=team_id, occurrence_id=click.occurrence_id, person=actor
    )
    manage.require_chair(session, meeting=meeting, person=actor, doing="reorder")
    before = [item.ref for item in walk(occurrence)]
    ref, position = click.ref, click.position
    if position != occurrence.current or ref not in before[position + 1 :]:
        raise UserError(MOVED_ON)

    def values(row: MeetingOccurrence) -> dict[str, Any]:
        outcomes = _with_since(row, now)
        order = [item for item in outcomes[LIVE]["order"] if item != ref]
        settled = order[position] in outcomes  # the current item has its outcome: it is done
        order.insert(position + 1 if settled else position, ref)
        outcomes[LIVE]["order"] = order
        return {"outcomes": outcomes, "current": position + 1 if settled else position}

    _change(session, occurrence, values, position=position)
    after = [item.ref for item in walk(occurrence)]
    audit.record(
        session,
        occurrence,
        actor_id=actor.user_id,
        action="reorder",
        now=now,
        before={"order": before},
        after={"order": after, "item": ref},
    )
    refresh_message(session, occurrence=occurrence, meeting=meeting, now=now)


def _with_since(row: MeetingOccurrence, now: datetime) -> dict[str, Any]:
    """A copy of the row's outcomes whose current item starts its timebox now."""
    outcomes = copy.deepcopy(dict(row.outcomes or {}))
    order = [item.ref for item in walk(row)]
    outcomes[LIVE] = {**_walk_state(row), "order": order, "since": now.isoformat()}
    return outcomes


def _change(
    session: Session,
    occurrence: MeetingOccurrence,
    values: Callable[[MeetingOccurrence], dict[str, Any]],
    *,
    position: int | None = None,
) -> None:
    """Change a live occurrence if nobody changed it since it was read (its version), and, for
    a move, while it is still at `position`; its version goes up by one.

    Raises:
        UserError: It moved on from `position` meanwhile, or is no longer live.
    """
    for _ in range(CHANGE_TRIES):
        query = update(MeetingOccurrence).where(
            MeetingOccurrence.id == occurrence.id,
            MeetingOccurrence.state == MeetingState.LIVE,
            MeetingOccurrence.version == occurrence.version,
        )
        if position is not None:
            query = query.where(MeetingOccurrence.current == position)
        changed = session.execute(
            query.values(**values(occurrence), version=occurrence.version + 1).execution_options(
                synchronize_session=False
            )
        ).rowcount  # type: ignore[attr-defined]
        session.refresh(occurrence)
        if changed:
            return
        if occurrence.state != MeetingState.LIVE:
            raise UserError("The meeting was closed a moment ago; nothing was changed.")
        if position is not None and occurrence.current != position:
            raise UserError(MOVED_ON)
    raise UserError("The meeting is changing quickly; try again.")


# --- recording: decisions and actions --------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    """What the *Record decision* modal says."""

    text: str
    rationale: str | None
    decided_by: list[str]
    option: str | None


def record_decision(
    session: Session,
    *,
    team_id: str,
    occurrence_id: int,
    ref: str,
    actor: Person,
    given: DecisionInput,
    now: datetime,
) -> Decision:
    """Record the decision on an item (`D-n`, which closes its request and goes in its
    program's RAID log); the item is decided.

    Raises:
        UserError: Not live, or bad input (on its field). PermissionDenied: not taking part.
        log.AlreadyRecorded: Someone recorded this item's decision a moment ago.
    """
    occurrence, meeting = taking_part(
        session, team_id=team_id, occurrence_id=occurrence_id, person=actor
    )
    item = _item_of(occurrence, ref=ref)
    request = _request(session, occurrence=occurrence, item=item)
    if given.option is not None and not (request is not None and request.options):
        raise UserError("That question has no options to choose from.", field="option")
    decision = log.record_decision(
        session,
        actor=actor,
        text=given.text,
        rationale=given.rationale,
        decided_by=given.decided_by or [meeting.chair_id],
        option=given.option,
        now=now,
        program=_program(session, occurrence=occurrence, item=item),
        request=request,
        occurrence=occurrence,
        item_ref=ref,
    )
    _settle(session, occurrence, ref=ref, outcome=facts.DECIDED)
    refresh_message(session, occurrence=occurrence, meeting=meeting, now=now)
    return decision


def add_action(
    session: Session,
    *,
    team_id: str,
    occurrence_id: int,
    ref: str,
    actor: Person,
    title: str,
    owner: Person,
    due: date | None,
    now: datetime,
    workspace: Workspace,
) -> ActionItem:
    """Add an action from an item (`A-n`); the item is actioned unless it was decided.

    Raises:
        UserError: Not live, or bad input (on its field). PermissionDenied: not taking part.
        log.AlreadyRecorded: The same action was added from this item a moment ago.
    """
    occurrence, meeting = taking_part(
        session, team_id=team_id, occurrence_id=occurrence_id, person=actor
    )
    item = _item_of(occurrence, ref=ref)
    if due is None:
        raise UserError("Pick the due date.", field="due")
    action = log.add_action(
        session,
        actor=actor,
        title=title,
        owner=owner,
        due=due,
        now=now,
        workspace=workspace,
        program=_program(session, occurrence=occurrence, item=item),
        occurrence=occurrence,
        item_ref=ref,
    )
    _settle(session, occurrence, ref=ref, outcome=facts.ACTIONED)
    refresh_message(session, occurrence=occurrence, meeting=meeting, now=now)
    return action


def _settle(session: Session, occurrence: MeetingOccurrence, *, ref: str, outcome: str) -> None:
    session.refresh(occurrence)  # the log serialised on the row: read it as it is now

    def values(row: MeetingOccurrence) -> dict[str, Any]:
        outcomes = copy.deepcopy(dict(row.outcomes or {}))
        if not (outcome == facts.ACTIONED and outcomes.get(ref) == facts.DECIDED):
            outcomes[ref] = outcome
        return {"outcomes": outcomes}

    _change(session, occurrence, values)
