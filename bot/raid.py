"""The RAID log: risks, issues, assumptions, dependencies and decisions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, dedupe, limits, outbox, programs, raid_owners
from bot.blocks import alerts
from bot.commands import level_help
from bot.errors import PermissionDenied, UserError
from bot.status import program_flags
from storage.models import Person, Program, RaidItem, Workspace
from storage.types import ProgramState, RaidKind, RaidState

KINDS = ("risk", "issue", "assumption", "dependency", "decision")
# Decisions and assumptions are recorded, not scored: no likelihood, impact or score, and
# nothing to mitigate or escalate.
UNSCORED_KINDS = frozenset({RaidKind.DECISION, RaidKind.ASSUMPTION})
DEFAULT_LEVEL = 3  # "possible" / "moderate", when a scored item's level is not given


def is_scored(kind: str) -> bool:
    """Whether items of this kind have a likelihood, an impact and a score."""
    return kind not in UNSCORED_KINDS


@dataclass(frozen=True)
class RaidInput:
    """A new RAID item, from the quick command or the modal.

    A scored kind's level left as None is `DEFAULT_LEVEL`; an unscored kind takes none.
    """

    title: str
    owner_id: str
    kind: str = "risk"
    likelihood: int | None = None
    impact: int | None = None
    due_date: date | None = None
    description: str | None = None
    mitigation: str | None = None
    blocking: bool = False


def validate(data: RaidInput) -> None:
    """Refuse an empty title, text longer than its field, an unknown kind or a level outside
    1–5."""
    if not data.title.strip():
        raise UserError('Give the item a title in quotes: `"Vendor may slip"`.', field="title")
    limits.check(limits.RAID_TITLE, " ".join(data.title.split()), block_id="title")
    limits.check(limits.RAID_DESCRIPTION, data.description, block_id="description")
    limits.check(limits.MITIGATION, data.mitigation, block_id="mitigation")
    if data.kind not in KINDS:
        raise UserError(f"The type is one of {', '.join(KINDS)}.", field="kind")
    for name in ("likelihood", "impact"):
        level = getattr(data, name)
        if level is not None and not is_scored(data.kind):
            raise UserError(f"{data.kind.capitalize()}s are not scored; leave out {name}.")
        if level is not None and not 1 <= level <= 5:
            raise UserError(f"{level_help(name)}.", field=name)


def add_once(
    session: Session,
    *,
    program: Program,
    actor: Person,
    data: RaidInput,
    now: datetime,
    workspace: Workspace,
) -> RaidItem:
    """`add`, refusing the same item logged by the same person minutes ago (a repeated
    command), with "Already recorded at 14:02"."""
    validate(data)
    programs.lock(session, program=program)
    dedupe.refuse_repeat(
        session,
        RaidItem,
        tz=actor.tz or workspace.timezone,
        now=now,
        what=f"“{data.title}” on *{program.name}*",
        program_id=program.id,
        created_by=actor.user_id,
        kind=data.kind,
        title=" ".join(data.title.split()),
    )
    return add(
        session, program=program, actor_id=actor.user_id, data=data, now=now, workspace=workspace
    )


def add(
    session: Session,
    *,
    program: Program,
    actor_id: str,
    data: RaidInput,
    now: datetime,
    workspace: Workspace,
) -> RaidItem:
    """Log an item on a program (anyone may) and recompute the program's flags."""
    validate(data)
    values = asdict(data) | {"title": " ".join(data.title.split())} | _levels(data)
    item = RaidItem(
        team_id=program.team_id,
        program_id=program.id,
        score=_score(values["likelihood"], values["impact"]),
        state=RaidState.OPEN,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        item,
        actor_id=actor_id,
        action="add",
        now=now,
        after=values,
    )
    program_flags.refresh(session, program=program, now=now, workspace=workspace, actor_id=actor_id)
    raid_owners.assigned(
        session, item=item, program=program, actor_id=actor_id, now=now, workspace=workspace
    )
    raid_owners.arm_reminders(session, item=item, now=now, workspace=workspace)
    return item


def _levels(data: RaidInput) -> dict[str, int | None]:
    """The item's likelihood and impact as stored: None for an unscored kind."""
    if not is_scored(data.kind):
        return {"likelihood": None, "impact": None}
    return {
        "likelihood": DEFAULT_LEVEL if data.likelihood is None else data.likelihood,
        "impact": DEFAULT_LEVEL if data.impact is None else data.impact,
    }


def _score(likelihood: int | None, impact: int | None) -> int | None:
    return None if likelihood is None or impact is None else likelihood * impact


@dataclass(frozen=True)
class RaidPage:
    """Open items, highest score first, and how many there are in all."""

    items: list[tuple[RaidItem, Program]]
    total: int


# Highest score first, unscored items (decisions, assumptions) after every scored one.
BY_SCORE = (RaidItem.score.desc().nulls_last(), RaidItem.due_date, RaidItem.id)


def open_items(
    session: Session,
    *,
    team_id: str,
    program_id: int | None = None,
    owner_id: str | None = None,
    due_before: date | None = None,
    due_from: date | None = None,
    limit: int = 20,
) -> RaidPage:
    """Open RAID items of a workspace, a program, an owner, or due in a span (overdue ones:
    due before today)."""
    query: Select[tuple[RaidItem, Program]] = (
        select(RaidItem, Program)
        .join(Program, Program.id == RaidItem.program_id)
        .where(
            RaidItem.team_id == team_id,
            RaidItem.state == RaidState.OPEN,
            Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
        )
    )
    if program_id is not None:
        query = query.where(RaidItem.program_id == program_id)
    if owner_id is not None:
        query = query.where(or_(RaidItem.owner_id == owner_id, Program.owner_id == owner_id))
    if due_before is not None:
        query = query.where(RaidItem.due_date < due_before)
    if due_from is not None:
        query = query.where(RaidItem.due_date >= due_from)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(*BY_SCORE).limit(limit))
    return RaidPage(items=[(item, program) for item, program in rows.tuples()], total=total)


def get_item(session: Session, *, team_id: str, item_id: int) -> tuple[RaidItem, Program]:
    """An item and its program, within the caller's workspace."""
    item = session.get(RaidItem, item_id)
    if item is None or item.team_id != team_id:
        raise UserError("That RAID item no longer exists.")
    program = session.get(Program, item.program_id)
    assert program is not None
    return item, program


def require_manage(session: Session, *, item: RaidItem, program: Program, person: Person) -> None:
    """The item's owner, the program's owner and delegates, and admins may change an item."""
    if person.user_id == item.owner_id and not person.is_restricted:
        return
    if programs.can_update(session, program=program, person=person):
        return
    raise PermissionDenied(
        f"Only the item's owner <@{item.owner_id}>, the program's owner "
        f"<@{program.owner_id}>, its delegates or a PMO admin can change it."
    )


def require_scored(item: RaidItem, *, doing: str) -> None:
    """Refuse to mitigate or escalate a decision or an assumption (they carry neither).

    Args:
        doing: What was asked, for the message ("mitigated").
    """
    if not is_scored(item.kind):
        raise UserError(
            f"“{item.title}” is {_article(item.kind)} {item.kind}: {item.kind}s are not scored, "
            f"so nothing is {doing}. Close it when it no longer holds."
        )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@dataclass(frozen=True)
class Mitigation:
    """What the mitigation modal sends: the note, and the item's likelihood and impact."""

    note: str
    likelihood: int
    impact: int


def mitigate(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    data: Mitigation,
    now: datetime,
    workspace: Workspace,
) -> int | None:
    """Record the mitigation note and re-score the item, each audited when it changed.

    The note is kept whole (earlier ones stay in the audit history); a new score recomputes
    the program's flags (HIGH_RISK). Returns the score it had when it changed, else None.

    Raises:
        UserError: A decision or an assumption, no note, one too long, or a level out of 1–5.
    """
    require_scored(item, doing="mitigated")
    note = data.note.strip()
    if not note:
        raise UserError("Write what is being done about it.", field="mitigation")
    limits.check(limits.MITIGATION, note, block_id="mitigation")
    validate(RaidInput(item.title, item.owner_id, item.kind, data.likelihood, data.impact))
    if note != item.mitigation:
        _record_change(session, item, actor_id, "mitigate", {"mitigation": note}, now)
    levels = {"likelihood": data.likelihood, "impact": data.impact}
    if levels == {"likelihood": item.likelihood, "impact": item.impact}:
        return None
    was = item.score
    scores = levels | {"score": _score(data.likelihood, data.impact)}
    _record_change(session, item, actor_id, "rescore", scores, now)
    program_flags.refresh(session, program=program, now=now, workspace=workspace, actor_id=actor_id)
    return was


@dataclass(frozen=True)
class RaidChange:
    """What `risk edit` changes: a new owner, a new due date, or the due date cleared."""

    owner_id: str | None = None
    due_date: date | None = None
    clear_due: bool = False

    def values(self, item: RaidItem) -> dict[str, Any]:
        """The columns this changes on `item`, those already so left out."""
        wanted: dict[str, Any] = {}
        if self.owner_id is not None:
            wanted["owner_id"] = self.owner_id
        if self.due_date is not None or self.clear_due:
            wanted["due_date"] = self.due_date
        return {key: value for key, value in wanted.items() if getattr(item, key) != value}


def edit(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    change: RaidChange,
    now: datetime,
    today: date,
    workspace: Workspace,
) -> dict[str, Any]:
    """Give an open item another owner or due date, audited; returns what changed.

    A new owner is DMed (unless they made the change); the due-soon and overdue reminders
    are armed for a new due date, or moved to a new owner's calendar; a new due date
    recomputes the program's flags (RISK_OVERDUE).

    Raises:
        UserError: The item is closed, the due date is past, or nothing would change.
    """
    if item.state != RaidState.OPEN:
        raise UserError(f"“{item.title}” is {item.state}: reopen it first.")
    if change.due_date is not None and change.due_date < today:
        raise UserError("The due date is in the past.", field="due_date")
    values = change.values(item)
    if not values:
        raise UserError(f"“{item.title}” already has that owner and due date.")
    _record_change(session, item, actor_id, "edit", values, now)
    if "owner_id" in values:
        raid_owners.assigned(
            session, item=item, program=program, actor_id=actor_id, now=now, workspace=workspace
        )
    raid_owners.arm_reminders(session, item=item, now=now, workspace=workspace)
    if "due_date" in values:
        program_flags.refresh(
            session, program=program, now=now, workspace=workspace, actor_id=actor_id
        )
    return values


def _record_change(
    session: Session,
    item: RaidItem,
    actor_id: str,
    action: str,
    values: dict[str, Any],
    now: datetime,
) -> None:
    """Set `values` on the item and audit them with what they were."""
    before = {key: getattr(item, key) for key in values}
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_at = now
    audit.record(
        session, item, actor_id=actor_id, action=action, now=now, before=before, after=values
    )


def to_close(
    session: Session, *, team_id: str, item_id: int, person: Person
) -> tuple[RaidItem, Program]:
    """An open item `person` may close (its *Close* button asks why); a closed one is refused."""
    item, program = managed(session, team_id=team_id, item_id=item_id, person=person)
    if item.state != RaidState.OPEN:
        raise UserError(f"“{item.title}” is already {item.state}.")
    return item, program


def close(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    reason: str,
    now: datetime,
    workspace: Workspace,
) -> None:
    """Close an open item with a short reason, kept on it and in its history.

    Raises:
        UserError: No reason, one too long, or the item is closed already (a second click).
    """
    reason = " ".join(reason.split())
    if not reason:
        raise UserError(
            "Say in a few words why it is closed, e.g. “mitigated: second supplier signed”.",
            field="reason",
        )
    limits.check(limits.CLOSE_REASON, reason, block_id="reason")
    if not _change_state(session, item=item, to=RaidState.CLOSED, now=now, reason=reason):
        raise UserError(f"“{item.title}” is already {item.state}.")
    audit.record(
        session,
        item,
        actor_id=actor_id,
        action="close",
        now=now,
        before={"state": RaidState.OPEN},
        after={"state": RaidState.CLOSED, "reason": reason},
    )
    program_flags.refresh(session, program=program, now=now, workspace=workspace, actor_id=actor_id)


def reopen(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    now: datetime,
    workspace: Workspace,
) -> str | None:
    """Reopen a closed item (undoing a close); returns the reason it had been closed for.

    Raises:
        UserError: It is open already (a second click, or never closed).
    """
    reason = item.close_reason
    if not _change_state(session, item=item, to=RaidState.OPEN, now=now, reason=None):
        raise UserError(f"“{item.title}” is already open.")
    audit.record(
        session,
        item,
        actor_id=actor_id,
        action="reopen",
        now=now,
        before={"state": RaidState.CLOSED, "reason": reason},
        after={"state": RaidState.OPEN},
    )
    program_flags.refresh(session, program=program, now=now, workspace=workspace, actor_id=actor_id)
    return reason


def _change_state(
    session: Session, *, item: RaidItem, to: RaidState, now: datetime, reason: str | None
) -> bool:
    """Move the item to `to` from the other state; False when it is there already (so a
    double click, or two people at once, change it once)."""
    closing = to == RaidState.CLOSED
    changed = session.execute(
        update(RaidItem)
        .where(RaidItem.id == item.id, RaidItem.state != to)
        .values(state=to, closed_at=now if closing else None, close_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(item)
    return bool(changed)


def escalate(
    session: Session,
    *,
    item: RaidItem,
    program: Program,
    actor_id: str,
    now: datetime,
    workspace: Workspace,
) -> str | None:
    """Alert the PMO channel about an item, once; returns the channel, or None if unset."""
    require_scored(item, doing="escalated")
    if not _mark_escalated(session, item=item, now=now):
        raise UserError(f"“{item.title}” was already escalated.")
    if workspace.pmo_channel_id is None:
        raise UserError(
            "No PMO channel is set, so there is nobody to escalate to. An admin "
            "can set one with `/pmo config pmo-channel #channel`."
        )
    audit.record(
        session,
        item,
        actor_id=actor_id,
        action="escalate",
        now=now,
    )
    outbox.enqueue(
        session,
        team_id=item.team_id,
        key=f"escalate:{item.id}",
        channel=workspace.pmo_channel_id,
        now=now,
        payload=alerts.escalation(program, item, actor_id=actor_id),
    )
    return workspace.pmo_channel_id


def _mark_escalated(session: Session, *, item: RaidItem, now: datetime) -> bool:
    """Mark the item escalated unless it is already (a double click changes it once)."""
    changed = session.execute(
        update(RaidItem)
        .where(RaidItem.id == item.id, RaidItem.escalated_at.is_(None))
        .values(escalated_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(item)
    return bool(changed)


def managed(
    session: Session, *, team_id: str, item_id: int, person: Person, doing: str | None = None
) -> tuple[RaidItem, Program]:
    """An item and its program, once `person` may manage it (its buttons and modals).

    Args:
        doing: What is asked of a scored item ("mitigated"): a decision or an assumption is
            refused.
    """
    item, program = get_item(session, team_id=team_id, item_id=item_id)
    require_manage(session, item=item, program=program, person=person)
    if doing is not None:
        require_scored(item, doing=doing)
    return item, program
