"""The decision log and the action list: recording a decision (`D-n`) and adding an action
(`A-n`), in a meeting or outside one.

Numbers are gapless per workspace: each is taken under the workspace row's write lock in the
transaction that records it, so a rolled-back one gives its number back. An agenda item is
settled once: a second *Record decision* on the same item of the same meeting (two people at
once) is refused with who recorded it, and the same action added twice from one item is too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot import audit, dedupe, limits
from bot.dates import format_date
from bot.errors import UserError
from bot.meetings import actions
from bot.notify import local_today
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    MeetingOccurrence,
    Person,
    Program,
    RaidItem,
    Workspace,
)
from storage.types import ActionState, DecisionRequestState, RaidKind, RaidState


class AlreadyRecorded(UserError):
    """Someone else settled this agenda item a moment ago; nothing was recorded twice."""


def next_number(session: Session, *, team_id: str, counter: InstrumentedAttribute[int]) -> int:
    """The workspace's next number of `counter` (`Workspace.decision_seq`, `action_seq`),
    taken under the workspace row's write lock: never repeated, never skipped."""
    number = session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values({counter.key: counter + 1})
        .returning(counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(number)


def record_decision(
    session: Session,
    *,
    actor: Person,
    text: str,
    rationale: str | None,
    decided_by: Sequence[str],
    option: str | None,
    now: datetime,
    program: Program | None = None,
    request: DecisionRequest | None = None,
    occurrence: MeetingOccurrence | None = None,
    item_ref: str | None = None,
) -> Decision:
    """Record `D-n`; closes `request`, and keeps the decision in the program's RAID log.

    Raises:
        UserError: No decision text, text too long, or an option that is not the request's.
        AlreadyRecorded: The agenda item already has its decision, or the request was closed.
    """
    text = _checked_decision(text, rationale=rationale, option=option, request=request)
    _refuse_twice(session, occurrence=occurrence, item_ref=item_ref, request=request)
    decision = Decision(
        team_id=actor.team_id,
        number=next_number(session, team_id=actor.team_id, counter=Workspace.decision_seq),
        program_id=program.id if program is not None else None,
        occurrence_id=occurrence.id if occurrence is not None else None,
        item_ref=item_ref,
        text=text,
        rationale=(rationale or "").strip() or None,
        option=option,
        decided_by=list(dict.fromkeys(decided_by)) or [actor.user_id],
        recorded_by=actor.user_id,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    _file(session, decision=decision, program=program, request=request, now=now)
    return decision


def _refuse_twice(
    session: Session,
    *,
    occurrence: MeetingOccurrence | None,
    item_ref: str | None,
    request: DecisionRequest | None,
) -> None:
    """Refuse a second decision on an agenda item, or on a request closed already."""
    if occurrence is not None and item_ref is not None:
        _refuse_second_decision(session, occurrence=occurrence, item_ref=item_ref)
    if request is not None and request.state != DecisionRequestState.OPEN:
        raise AlreadyRecorded(f"That question was closed already ({request.state}).")


def _file(
    session: Session,
    *,
    decision: Decision,
    program: Program | None,
    request: DecisionRequest | None,
    now: datetime,
) -> None:
    """Keep the decision in the program's RAID log, close its request, audit it."""
    if program is not None:
        decision.raid_item_id = _raid_entry(session, program=program, decision=decision, now=now)
    if request is not None:
        _close_request(session, request=request, decision=decision, now=now)
    audit.record(
        session,
        decision,
        actor_id=decision.recorded_by,
        action="record",
        now=now,
        after=decision_values(decision),
    )


def _checked_decision(
    text: str, *, rationale: str | None, option: str | None, request: DecisionRequest | None
) -> str:
    """The decision's text, spaces collapsed, once it and its rationale and option fit."""
    text = " ".join(text.split()) if text else ""
    if not text:
        raise UserError("Say what was decided.", field="decision")
    limits.check(limits.DECISION, text, block_id="decision")
    limits.check(limits.RATIONALE, rationale, block_id="rationale")
    if option is not None:
        limits.check(limits.OPTION, option, block_id="option")
        if request is not None and request.options and option not in request.options:
            raise UserError(
                f"“{option}” is not one of the options: {', '.join(request.options)}.",
                field="option",
            )
    return text


def _close_request(
    session: Session, *, request: DecisionRequest, decision: Decision, now: datetime
) -> None:
    before = {"state": request.state}
    request.state = DecisionRequestState.DECIDED
    request.decision_id = decision.id
    request.closed_at = now
    audit.record(
        session,
        request,
        actor_id=decision.recorded_by,
        action="decide",
        now=now,
        before=before,
        after={"state": request.state, "decision": decision.number},
    )


def _refuse_second_decision(
    session: Session, *, occurrence: MeetingOccurrence, item_ref: str
) -> None:
    # Serialise on the occurrence row: the second of two submissions waits, then is told.
    session.execute(
        update(MeetingOccurrence)
        .where(MeetingOccurrence.id == occurrence.id)
        .values(version=MeetingOccurrence.version)
        .execution_options(synchronize_session=False)
    )
    earlier = session.scalar(
        select(Decision).where(
            Decision.occurrence_id == occurrence.id, Decision.item_ref == item_ref
        )
    )
    if earlier is not None:
        raise AlreadyRecorded(
            f"D-{earlier.number} was recorded for this item by <@{earlier.recorded_by}> "
            "a moment ago; nothing was recorded twice."
        )


def _raid_entry(session: Session, *, program: Program, decision: Decision, now: datetime) -> int:
    """The decision as a (closed) RAID item of the program, so its log keeps it."""
    item = RaidItem(
        team_id=program.team_id,
        program_id=program.id,
        kind=RaidKind.DECISION,
        title=limits.fitted(RaidItem.title, f"D-{decision.number}: {decision.text}"),
        description=decision.rationale,
        owner_id=decision.decided_by[0] if decision.decided_by else decision.recorded_by,
        state=RaidState.CLOSED,
        created_by=decision.recorded_by,
        created_at=now,
        updated_at=now,
        closed_at=now,
        close_reason=f"Decided: D-{decision.number}",
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        item,
        actor_id=decision.recorded_by,
        action="add",
        now=now,
        after={"kind": item.kind, "title": item.title, "decision": decision.number},
    )
    return item.id


def decision_values(decision: Decision) -> dict[str, Any]:
    """A decision's fields, for its audit history."""
    names = ("number", "program_id", "occurrence_id", "text", "rationale", "option")
    return {name: getattr(decision, name) for name in names} | {
        "decided_by": list(decision.decided_by)
    }


def add_action(
    session: Session,
    *,
    actor: Person,
    title: str,
    owner: Person,
    due: date,
    now: datetime,
    workspace: Workspace,
    program: Program | None = None,
    occurrence: MeetingOccurrence | None = None,
    item_ref: str | None = None,
) -> ActionItem:
    """Add `A-n`, owned by `owner`, due on `due`.

    Raises:
        UserError: No title, a title too long, a due date in the past (the actor's today), or
            an owner who can't own one (a guest, a bot, a deactivated account).
        AlreadyRecorded: The same action was just added from the same agenda item.
    """
    title = _checked_action(title, owner=owner, due=due, today=local_today(actor, now, workspace))
    if occurrence is not None and item_ref is not None:
        _refuse_same_action(session, occurrence=occurrence, item_ref=item_ref, title=title)
    action = _new_action(
        session, actor=actor, title=title, owner=owner, due=due, now=now, program=program
    )
    action.meeting_id, action.occurrence_id, action.item_ref = _from_meeting(occurrence, item_ref)
    session.flush()
    audit.record(
        session, action, actor_id=actor.user_id, action="add", now=now, after=action_values(action)
    )
    actions.created(session, action=action, actor_id=actor.user_id, now=now, workspace=workspace)
    return action


def _new_action(
    session: Session,
    *,
    actor: Person,
    title: str,
    owner: Person,
    due: date,
    now: datetime,
    program: Program | None,
) -> ActionItem:
    """`A-n`, numbered and added to the session (the caller sets its meeting, then flushes)."""
    action = ActionItem(
        team_id=actor.team_id,
        number=next_number(session, team_id=actor.team_id, counter=Workspace.action_seq),
        title=title,
        owner_id=owner.user_id,
        due_date=due,
        state=ActionState.OPEN,
        program_id=program.id if program is not None else None,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(action)
    return action


def _from_meeting(
    occurrence: MeetingOccurrence | None, item_ref: str | None
) -> tuple[int | None, int | None, str | None]:
    """The meeting, occurrence and agenda item an action comes from (none, outside one)."""
    if occurrence is None:
        return None, None, item_ref
    return occurrence.meeting_id, occurrence.id, item_ref


def _checked_action(title: str, *, owner: Person, due: date, today: date) -> str:
    """The action's title, spaces collapsed, once it fits and the owner and date may be."""
    title = " ".join(title.split()) if title else ""
    if not title:
        raise UserError("Say what is to be done.", field="title")
    limits.check(limits.ACTION_TITLE, title, block_id="title")
    if owner.is_restricted or owner.is_bot or owner.deleted:
        raise UserError(
            f"<@{owner.user_id}> can't own an action: guests, bots and deactivated accounts can't.",
            field="owner",
        )
    if due < today:
        raise UserError(
            f"The due date {format_date(due)} is in the past; give today or a later date.",
            field="due",
        )
    return title


def _refuse_same_action(
    session: Session, *, occurrence: MeetingOccurrence, item_ref: str, title: str
) -> None:
    session.execute(
        update(MeetingOccurrence)
        .where(MeetingOccurrence.id == occurrence.id)
        .values(version=MeetingOccurrence.version)
        .execution_options(synchronize_session=False)
    )
    earlier = session.scalar(
        select(ActionItem).where(
            ActionItem.occurrence_id == occurrence.id,
            ActionItem.item_ref == item_ref,
            ActionItem.title == title,
        )
    )
    if earlier is not None:
        raise AlreadyRecorded(
            f"A-{earlier.number} “{title}” was added for this item by "
            f"<@{earlier.created_by}> a moment ago; nothing was added twice."
        )


def action_values(action: ActionItem) -> dict[str, Any]:
    """An action's fields, for its audit history."""
    names = ("number", "title", "owner_id", "due_date", "state", "program_id", "occurrence_id")
    return {name: getattr(action, name) for name in names}


@dataclass(frozen=True)
class ActionChange:
    """What `actions edit` changes (None: kept)."""

    title: str | None = None
    owner: Person | None = None
    due: date | None = None


def edit_action(
    session: Session,
    *,
    action: ActionItem,
    actor: Person,
    change: ActionChange,
    now: datetime,
    workspace: Workspace,
) -> list[str]:
    """Change an open action's title, owner or due date (whoever may mark it done may); the
    fields changed. Its reminders follow a new date; a new owner is told, as on creation.

    Raises:
        PermissionDenied: `actor` may not. UserError: done already, nothing to change, or
            what `add_action` refuses (a title too long, a past date, a guest owner).
    """
    current_owner = _editable(session, action=action, actor=actor)
    owner = change.owner or current_owner
    due = change.due or action.due_date
    title = change.title if change.title is not None else action.title
    title = _checked_action(title, owner=owner, due=due, today=local_today(actor, now, workspace))
    before = action_values(action)
    action.title, action.owner_id, action.due_date = title, owner.user_id, due
    after = action_values(action)
    changed = [name for name, value in after.items() if before[name] != value]
    if not changed:
        raise UserError(f"That is how A-{action.number} stands already; nothing was changed.")
    audit.record(
        session, action, actor_id=actor.user_id, action="edit", now=now, before=before, after=after
    )
    owner_changed = "owner_id" in changed
    actions.changed(
        session,
        action=action,
        actor_id=actor.user_id,
        now=now,
        workspace=workspace,
        owner_changed=owner_changed,
    )
    return changed


def _editable(session: Session, *, action: ActionItem, actor: Person) -> Person:
    """The owner of an action `actor` may change (open, and theirs to change)."""
    actions.require_may_change(session, action=action, person=actor, doing="change")
    if action.state != ActionState.OPEN:
        raise UserError(f"A-{action.number} is {action.state} already; nothing was changed.")
    owner = session.get(Person, (action.team_id, action.owner_id))
    assert owner is not None  # owners were looked up when the action was added
    return owner


def add_action_once(
    session: Session,
    *,
    actor: Person,
    title: str,
    owner: Person,
    due: date,
    now: datetime,
    workspace: Workspace,
    program: Program | None = None,
) -> ActionItem:
    """`add_action` outside a meeting (`/pmo actions add`), refusing the same action added
    by the same person minutes ago (a repeated command) with "Already recorded at 14:02"."""
    tz = actor.tz or workspace.timezone
    _refuse_repeated_action(session, actor=actor, owner=owner, title=title, now=now, tz=tz)
    return add_action(
        session,
        actor=actor,
        title=title,
        owner=owner,
        due=due,
        now=now,
        workspace=workspace,
        program=program,
    )


def _refuse_repeated_action(
    session: Session, *, actor: Person, owner: Person, title: str, now: datetime, tz: str
) -> None:
    """The same action added by the same person minutes ago is a repeated command: refused,
    pointing to `actions edit` for a change of date, owner or title."""
    dedupe.refuse_repeat(
        session,
        ActionItem,
        tz=tz,
        now=now,
        what=f"the action “{title}” for <@{owner.user_id}>",
        then=lambda earlier: (
            "To change its date, owner or title: "
            f"`/pmo actions edit A-{earlier.number} due:<date>`."
        ),
        created_by=actor.user_id,
        owner_id=owner.user_id,
        title=" ".join(title.split()),
    )
