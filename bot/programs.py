"""Programs: register, find, list, change state, people and grouping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, limits, scheduling
from bot.commands import LIST_FILTER_WORDS, slugify_key
from bot.errors import PermissionDenied, UserError
from bot.workspace import is_pmo_admin, require_admin
from storage.db import is_postgresql
from storage.models import Person, Program, ProgramAlias, ProgramDelegate
from storage.types import Flag, ProgramState

STATES = tuple(ProgramState)
# The states a program may move to from each state, per command.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "pause": ((ProgramState.ACTIVE,), ProgramState.PAUSED),
    "resume": ((ProgramState.PAUSED,), ProgramState.ACTIVE),
    "done": ((ProgramState.ACTIVE, ProgramState.PAUSED), ProgramState.DONE),
    "archive": (
        (ProgramState.ACTIVE, ProgramState.PAUSED, ProgramState.DONE),
        ProgramState.ARCHIVED,
    ),
}
ListFilter = Literal["default", "mine", "all", "red", "flagged", "overdue"]


@dataclass(frozen=True)
class NewProgram:
    """What `program add` (command or modal) asks for."""

    name: str
    owner_id: str
    channel_id: str | None = None
    cadence: str = "weekly"
    target_date: date | None = None
    portfolio: str | None = None
    sponsor_id: str | None = None
    key: str | None = None  # chosen with `key:`; else made from the name


def add_program(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    new: NewProgram,
    timezone: str,
    today: date,
    now: datetime,
) -> Program:
    """Register a program with a key derived from its name.

    Raises:
        UserError: the name is empty, taken, too long, or its key is a list filter word; the
            portfolio or cadence is too long.
    """
    name, key = name_and_key(new.name, chosen=new.key)
    _check_text(_fields_of(new))
    _refuse_duplicate(session, team_id=team_id, name=name, key=key)
    key = key or _numbered_key(session, team_id=team_id)
    program = Program(
        team_id=team_id,
        key=key,
        name=name,
        **_fields_of(new),
        timezone=timezone,
        start_date=today,
        state=ProgramState.ACTIVE,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    scheduling.reschedule(program, now=now)
    session.add(program)
    session.flush()
    audit.record(
        session, program, actor_id=actor_id, action="add", now=now, after=snapshot(program)
    )
    return program


def _fields_of(new: NewProgram) -> dict[str, object]:
    """What the register command or modal gave, as program columns."""
    fields = ("owner_id", "sponsor_id", "portfolio", "channel_id", "cadence", "target_date")
    return {field: getattr(new, field) for field in fields}


def name_and_key(text: str, *, chosen: str | None = None) -> tuple[str, str]:
    """A program name, spaces normalised, and its key (`chosen`, else derived from the name;
    "" when the name has nothing to spell one with); refuse unusable ones."""
    name = " ".join(text.split())
    if not name:
        raise UserError("Give the program a name.", field="name")
    limits.check(limits.PROGRAM_NAME, name, block_id="name")
    key = chosen or slugify_key(name)
    if key in LIST_FILTER_WORDS:
        raise UserError(
            f"“{name}” would get the key `{key}`, which is a list filter word. "
            "Choose another with `key:`, e.g. `key:{key}-program`.",
            field="name",
        )
    return name, key


def _numbered_key(session: Session, *, team_id: str) -> str:
    """`p-<n>`: the first number not yet used as a key in the workspace."""
    taken = set(session.scalars(select(Program.key).where(Program.team_id == team_id)))
    number = len(taken) + 1
    while f"p-{number}" in taken:
        number += 1
    return f"p-{number}"


def _check_text(values: dict[str, object]) -> None:
    """Refuse a portfolio or cadence longer than its column (names: `_name_and_key`)."""
    for name, field in (("portfolio", limits.PORTFOLIO), ("cadence", limits.CADENCE)):
        value = values.get(name)
        if isinstance(value, str):
            limits.check(field, value, block_id=name)


def _refuse_duplicate(session: Session, *, team_id: str, name: str, key: str) -> None:
    refuse_taken_key(session, team_id=team_id, key=key)
    existing = session.scalar(
        select(Program).where(
            Program.team_id == team_id,
            or_(Program.key == key, func.lower(Program.name) == name.lower()),
        )
    )
    if existing is not None and existing.name.lower() != name.lower():
        raise UserError(
            f"The key `{key}` is taken by *{existing.name}*; choose another with `key:`.",
            field="name",
        )
    if existing is not None:
        raise UserError(
            f"A program with that name already exists: *{existing.name}* (key `{existing.key}`).",
            field="name",
        )


def refuse_taken_key(
    session: Session, *, team_id: str, key: str, program_id: int | None = None
) -> None:
    """Refuse a key that another program had before a rename (its alias)."""
    holder = session.scalar(
        select(Program)
        .join(ProgramAlias, ProgramAlias.program_id == Program.id)
        .where(ProgramAlias.team_id == team_id, ProgramAlias.key == key)
    )
    if holder is not None and holder.id != program_id:
        raise UserError(
            f"The key `{key}` is taken by *{holder.name}* (its key before a rename); "
            "choose another with `key:`.",
            field="name",
        )


def snapshot(program: Program) -> dict[str, object]:
    """The audited fields of a program."""
    return {
        "key": program.key,
        "name": program.name,
        "owner_id": program.owner_id,
        "sponsor_id": program.sponsor_id,
        "portfolio": program.portfolio,
        "channel_id": program.channel_id,
        "cadence": program.cadence,
        "timezone": program.timezone,
        "target_date": program.target_date,
        "state": program.state,
    }


def delegate_ids(session: Session, *, program_id: int) -> list[str]:
    """The current delegates of a program."""
    query = (
        select(ProgramDelegate.user_id)
        .where(ProgramDelegate.program_id == program_id, ProgramDelegate.removed_at.is_(None))
        .order_by(ProgramDelegate.id)
    )
    return list(session.scalars(query))


def can_update(session: Session, *, program: Program, person: Person) -> bool:
    """Owners, delegates and PMO admins may update a program."""
    if person.is_restricted:
        return False
    if person.user_id == program.owner_id:
        return True
    if person.user_id in delegate_ids(session, program_id=program.id):
        return True
    return is_pmo_admin(session, person=person)


def require_update(session: Session, *, program: Program, person: Person, doing: str) -> None:
    """Raise `PermissionDenied` naming who can, unless `person` may update `program`."""
    if can_update(session, program=program, person=person):
        return
    delegates = delegate_ids(session, program_id=program.id)
    who = f"its owner <@{program.owner_id}>"
    if delegates:
        who += ", delegates " + ", ".join(f"<@{d}>" for d in delegates)
    raise PermissionDenied(f"Only {who} or a PMO admin can {doing} *{program.name}*.")


def for_admin(
    session: Session, *, team_id: str, program_id: int, person: Person, doing: str
) -> Program:
    """A program of the workspace, once `person` is a PMO admin (who may `doing`)."""
    require_admin(session, person=person, doing=doing)
    return get(session, team_id=team_id, program_id=program_id)


def for_update(session: Session, *, program: Program, person: Person, doing: str) -> Program:
    """The program, once `person` may update it (owner, delegate or admin)."""
    require_update(session, program=program, person=person, doing=doing)
    return program


def change_state(
    session: Session, *, program: Program, actor_id: str, command: str, now: datetime
) -> str:
    """Move a program along TRANSITIONS; a concurrent or repeated click changes nothing twice.

    Returns:
        The new state.
    """
    allowed_from, target = TRANSITIONS[command]
    result = session.execute(
        update(Program)
        .where(Program.id == program.id, Program.state.in_(allowed_from))
        .values(state=target, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    before = program.state
    session.refresh(program)
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise UserError(
            f"*{program.name}* is {program.state}; it can't be {_PAST[command]} from there."
        )
    audit.record(
        session,
        program,
        actor_id=actor_id,
        action=command,
        now=now,
        before={"state": before},
        after={"state": target},
    )
    scheduling.reschedule(program, now=now)
    return target


_PAST = {"pause": "paused", "resume": "resumed", "done": "marked done", "archive": "archived"}


def set_fields(
    session: Session,
    *,
    program: Program,
    actor_id: str,
    values: dict[str, object],
    now: datetime,
    action: str = "edit",
) -> dict[str, object]:
    """Change program fields, auditing old and new values; returns what changed."""
    before = snapshot(program)
    changed = {k: v for k, v in values.items() if before.get(k) != v}
    if not changed:
        return {}
    _check_text(changed)
    if "name" in changed:
        _rename(session, program=program, name=str(changed["name"]))
    for name, value in changed.items():
        if name != "name":
            setattr(program, name, value)
    program.updated_at = now
    if changed.keys() & {"cadence", "timezone", "owner_id"}:
        scheduling.reschedule(program, now=now)
    audit.record(
        session,
        program,
        actor_id=actor_id,
        action=action,
        now=now,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return changed


def _rename(session: Session, *, program: Program, name: str) -> None:
    """A new name keeps the key (people and links use it) but must stay unique."""
    name = " ".join(name.split())
    limits.check(limits.PROGRAM_NAME, name, block_id="name")
    clash = session.scalar(
        select(Program).where(
            Program.team_id == program.team_id,
            Program.id != program.id,
            func.lower(Program.name) == name.lower(),
        )
    )
    if clash is not None:
        raise UserError(f"*{clash.name}* (`{clash.key}`) already has that name.", field="name")
    program.name = name


def change_delegate(
    session: Session, *, program: Program, actor_id: str, user_id: str, add: bool, now: datetime
) -> bool:
    """Add or remove a delegate; False when nothing changed. Removal keeps the row."""
    row = session.scalar(
        select(ProgramDelegate).where(
            ProgramDelegate.program_id == program.id, ProgramDelegate.user_id == user_id
        )
    )
    active = row is not None and row.removed_at is None
    if active == add:
        return False
    if row is None:
        row = ProgramDelegate(
            team_id=program.team_id, program_id=program.id, user_id=user_id, added_at=now
        )
        session.add(row)
    else:
        row.removed_at = None if add else now
        if add:
            row.added_at = now
    audit.record(
        session,
        program,
        actor_id=actor_id,
        action="delegate add" if add else "delegate remove",
        now=now,
        after={"user_id": user_id},
    )
    return True


@dataclass(frozen=True)
class Listing:
    """One page of programs and how many matched in all."""

    programs: list[Program]
    total: int


def list_programs(
    session: Session, *, team_id: str, user_id: str, which: ListFilter, limit: int
) -> Listing:
    """Programs for `/pmo program list`, most recently changed first."""
    query = select(Program).where(Program.team_id == team_id)
    if which != "all":
        query = query.where(Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)))
    if which == "mine":
        mine = select(ProgramDelegate.program_id).where(
            ProgramDelegate.user_id == user_id, ProgramDelegate.removed_at.is_(None)
        )
        query = query.where(or_(Program.owner_id == user_id, Program.id.in_(mine)))
    if which == "red":
        query = query.where(Program.rag == "red")
    if which == "flagged":
        query = query.where(Program.flag_count > 0)
    if which == "overdue":  # an update is overdue (asked in a DM: "what's overdue")
        query = query.where(Program.flags[Flag.OVERDUE_UPDATE].as_string().is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Program.updated_at.desc(), Program.id).limit(limit))
    return Listing(programs=list(rows), total=total)


def get(session: Session, *, team_id: str, program_id: int) -> Program:
    """A program by id, within the caller's workspace."""
    program = session.get(Program, program_id)
    if program is None or program.team_id != team_id:
        raise UserError("That program no longer exists.")
    return program


def owned_by(session: Session, *, person: Person) -> list[Program]:
    """Active or paused programs the person owns."""
    query = select(Program).where(
        Program.team_id == person.team_id,
        Program.owner_id == person.user_id,
        Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
    )
    return list(session.scalars(query.order_by(Program.name)))


def updates_due(
    session: Session, *, person: Person, before: datetime, limit: int = 20
) -> list[Program]:
    """Active programs the person owns or covers whose next status update is due before
    `before`, soonest first."""
    covered = select(ProgramDelegate.program_id).where(
        ProgramDelegate.user_id == person.user_id, ProgramDelegate.removed_at.is_(None)
    )
    query = select(Program).where(
        Program.team_id == person.team_id,
        Program.state == ProgramState.ACTIVE,
        or_(Program.owner_id == person.user_id, Program.id.in_(covered)),
        Program.next_due_at < before,
    )
    return list(session.scalars(query.order_by(Program.next_due_at, Program.id).limit(limit)))


def updatable_by(session: Session, *, person: Person, limit: int = 500) -> list[Program]:
    """Active programs the person owns or covers; for an admin with none, all active ones."""
    covered = select(ProgramDelegate.program_id).where(
        ProgramDelegate.user_id == person.user_id, ProgramDelegate.removed_at.is_(None)
    )
    active = select(Program).where(
        Program.team_id == person.team_id,
        Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
    )
    mine = list(
        session.scalars(
            active.where(or_(Program.owner_id == person.user_id, Program.id.in_(covered)))
            .order_by(Program.name)
            .limit(limit)
        )
    )
    if mine or not is_pmo_admin(session, person=person):
        return mine
    return list(session.scalars(active.order_by(Program.name).limit(limit)))


def follow_owner_zone(session: Session, *, person: Person, now: datetime) -> None:
    """Status is due in the owner's current time zone: move their programs' slots along."""
    owned = session.scalars(
        select(Program).where(
            Program.team_id == person.team_id,
            Program.owner_id == person.user_id,
            Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
        )
    )
    for program in owned:
        set_fields(
            session,
            program=program,
            actor_id=person.user_id,
            values={"timezone": person.tz},
            now=now,
            action="owner moved zone",
        )


def search(
    session: Session, *, person: Person, text: str, only_updatable: bool, limit: int = 100
) -> list[Program]:
    """Active programs whose key or name contains `text`, for a select's search box."""
    pattern = f"%{text.strip().lower()}%"
    query = select(Program).where(
        Program.team_id == person.team_id,
        Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
        or_(func.lower(Program.name).like(pattern), Program.key.like(pattern)),
    )
    if only_updatable and not is_pmo_admin(session, person=person):
        covered = select(ProgramDelegate.program_id).where(
            ProgramDelegate.user_id == person.user_id, ProgramDelegate.removed_at.is_(None)
        )
        query = query.where(or_(Program.owner_id == person.user_id, Program.id.in_(covered)))
    return list(session.scalars(query.order_by(Program.name).limit(limit)))


def lock(session: Session, *, program: Program) -> None:
    """Take the program's row lock and re-read it, so concurrent changes queue up.

    PostgreSQL: `SELECT … FOR UPDATE` (pending changes are flushed first and kept). SQLite
    needs nothing: every transaction already holds the database's write lock.
    """
    if not is_postgresql(session):
        return
    session.flush()
    session.refresh(program, with_for_update=True)


# --- entry points: who may, what is valid, then the change ---------------------------------

REGISTERING = "register programs"


def require_member(person: Person, *, role: str) -> Person:
    """Only full members take a role on a program: it brings portfolio data by DM."""
    if person.is_bot or person.deleted or person.is_restricted:
        raise UserError(
            f"<@{person.user_id}> can't {role} (bots, guests and deactivated accounts can't)."
        )
    return person


def require_owner_or_admin(session: Session, *, program: Program, person: Person) -> None:
    """People and grouping of a program change by its owner or a PMO admin."""
    if person.user_id != program.owner_id and not is_pmo_admin(session, person=person):
        raise PermissionDenied(
            f"Only the owner <@{program.owner_id}> or a PMO admin can change "
            f"the people and grouping of *{program.name}*."
        )


def start_register(session: Session, *, person: Person) -> None:
    """The register modal opens for PMO admins only."""
    require_admin(session, person=person, doing=REGISTERING)


def register(
    session: Session,
    *,
    actor: Person,
    new: NewProgram,
    owner: Person,
    sponsor: Person | None,
    default_timezone: str,
    today: date,
    now: datetime,
) -> Program:
    """`program add` and its modal: admins only, owner and sponsor full members."""
    require_admin(session, person=actor, doing=REGISTERING)
    require_member(owner, role="own a program")
    if sponsor is not None:
        require_member(sponsor, role="sponsor a program")
    new = replace(new, owner_id=owner.user_id, sponsor_id=sponsor.user_id if sponsor else None)
    return add_program(
        session,
        team_id=actor.team_id,
        actor_id=actor.user_id,
        new=new,
        timezone=owner.tz or default_timezone,
        today=today,
        now=now,
    )


def edit_by(
    session: Session,
    *,
    program_id: int,
    actor: Person,
    owner: Person,
    values: dict[str, object],
    now: datetime,
) -> tuple[Program, dict[str, object]]:
    """The edit modal: owner, delegate or admin; the owner a full member. What changed."""
    program = session.get(Program, program_id)
    if program is None or program.team_id != actor.team_id:
        raise UserError("That program no longer exists.", field="name")
    require_update(session, program=program, person=actor, doing="edit")
    require_member(owner, role="own a program")
    values = {**values, "owner_id": owner.user_id, "name": values.get("name") or program.name}
    changed = set_fields(session, program=program, actor_id=actor.user_id, values=values, now=now)
    return program, changed


def change_state_by(
    session: Session, *, program: Program, actor: Person, command: str, now: datetime
) -> str:
    """`program pause|resume|done|archive`: owner, delegate or admin."""
    require_update(session, program=program, person=actor, doing=command)
    return change_state(session, program=program, actor_id=actor.user_id, command=command, now=now)


def set_delegate(
    session: Session, *, program: Program, actor: Person, person: Person, add: bool, now: datetime
) -> bool:
    """`program delegates … add|remove @x`: owner or admin; delegates are full members."""
    require_owner_or_admin(session, program=program, person=actor)
    if add:
        require_member(person, role="be a delegate")
    return change_delegate(
        session, program=program, actor_id=actor.user_id, user_id=person.user_id, add=add, now=now
    )


def set_sponsor(
    session: Session, *, program: Program, actor: Person, person: Person, now: datetime
) -> None:
    """`program sponsor … @x`: owner or admin; the sponsor a full member."""
    require_owner_or_admin(session, program=program, person=actor)
    require_member(person, role="sponsor a program")
    set_fields(
        session,
        program=program,
        actor_id=actor.user_id,
        values={"sponsor_id": person.user_id},
        now=now,
        action="sponsor",
    )


def set_portfolio(
    session: Session, *, program: Program, actor: Person, name: str, now: datetime
) -> str:
    """`program portfolio … <name>`: owner or admin; as long as the column takes."""
    name = name.strip()
    if not name:
        raise UserError("Give the portfolio a name.")
    limits.check(limits.PORTFOLIO, name)
    require_owner_or_admin(session, program=program, person=actor)
    set_fields(
        session,
        program=program,
        actor_id=actor.user_id,
        values={"portfolio": name},
        now=now,
        action="portfolio",
    )
    return name
