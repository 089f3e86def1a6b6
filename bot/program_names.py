"""How people name a program, and renaming one.

A program is named by its key, an alias (a key it had before a rename), its name, or any
prefix of a key or of its name that matches one program only (`apollo` → *Apollo
Migration*). Two or more matches are answered with the candidates, never a guess.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot import audit, programs
from bot.errors import AmbiguousProgram, UserError
from storage.models import Person, Program, ProgramAlias

# Candidates shown when a prefix matches several programs.
MAX_CANDIDATES = 5


def find_program(session: Session, *, team_id: str, ref: str) -> Program:
    """The program `ref` names: key, alias, name (any case), then a unique prefix.

    Raises:
        AmbiguousProgram: A prefix matches several programs.
        UserError: No program matches, with "Did you mean …?" for a near miss.
    """
    wanted = " ".join(ref.split()).lower()
    exact = select(Program).where(
        Program.team_id == team_id, or_(Program.key == wanted, func.lower(Program.name) == wanted)
    )
    program = session.scalar(exact) or _by_alias(session, team_id=team_id, key=wanted)
    if program is not None:
        return program
    matches = _by_prefix(session, team_id=team_id, prefix=wanted) if wanted else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousProgram(ref, [match.key for match in matches])
    raise UserError(_not_found_message(session, team_id=team_id, ref=ref), field="program")


def _by_alias(session: Session, *, team_id: str, key: str) -> Program | None:
    query = (
        select(Program)
        .join(ProgramAlias, ProgramAlias.program_id == Program.id)
        .where(ProgramAlias.team_id == team_id, ProgramAlias.key == key)
    )
    return session.scalar(query)


def _by_prefix(session: Session, *, team_id: str, prefix: str) -> list[Program]:
    """Programs whose key or name starts with `prefix` (a name's start is its first word's)."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Program)
        .where(
            Program.team_id == team_id,
            or_(
                Program.key.like(pattern, escape="\\"),
                func.lower(Program.name).like(pattern, escape="\\"),
            ),
        )
        .order_by(Program.key)
        .limit(MAX_CANDIDATES)
    )
    return list(session.scalars(query))


def _not_found_message(session: Session, *, team_id: str, ref: str) -> str:
    rows = session.execute(
        select(Program.key, Program.name).where(Program.team_id == team_id)
    ).all()
    names: dict[str, str] = {}
    for key, name in rows:
        names.update({word: key for word in name.lower().split() + key.split("-")})
        names.update({key: key, name.lower(): key})
    close = difflib.get_close_matches(ref.lower(), names, n=1, cutoff=0.6)
    if close:
        return f"No program “{ref}”. Did you mean `{names[close[0]]}`?"
    return f"No program “{ref}”. `/pmo program list` shows them all."


def rename(
    session: Session,
    *,
    program: Program,
    person: Person,
    name: str,
    key: str | None,
    now: datetime,
) -> str | None:
    """Give a program a new name and key (chosen, else made from the name); the old key
    stays an alias, so old messages and habits still find it.

    Returns:
        The old key when it changed (now an alias), else None.

    Raises:
        UserError: Not allowed; the name or key is unusable or taken.
    """
    programs.require_update(session, program=program, person=person, doing="rename")
    new_name, new_key = programs.name_and_key(name, chosen=key)
    new_key = new_key or program.key
    _refuse_taken(session, program=program, name=new_name, key=new_key)
    before = programs.snapshot(program)
    old_key = program.key
    program.name, program.key, program.updated_at = new_name, new_key, now
    if new_key != old_key:
        _move_alias(session, program=program, old_key=old_key, new_key=new_key, now=now)
    session.flush()
    audit.record(
        session,
        program,
        actor_id=person.user_id,
        action="rename",
        now=now,
        before=before,
        after=programs.snapshot(program),
    )
    return old_key if new_key != old_key else None


def _refuse_taken(session: Session, *, program: Program, name: str, key: str) -> None:
    clash = session.scalar(
        select(Program).where(
            Program.team_id == program.team_id,
            Program.id != program.id,
            or_(Program.key == key, func.lower(Program.name) == name.lower()),
        )
    )
    if clash is not None:
        raise UserError(
            f"*{clash.name}* (`{clash.key}`) already has that name or key; choose another.",
            field="name",
        )
    programs.refuse_taken_key(session, team_id=program.team_id, key=key, program_id=program.id)


def _move_alias(
    session: Session, *, program: Program, old_key: str, new_key: str, now: datetime
) -> None:
    """Keep the old key as an alias; a key the program had before and takes back is its key
    again, not an alias too."""
    returning = session.scalar(
        select(ProgramAlias).where(
            ProgramAlias.team_id == program.team_id, ProgramAlias.key == new_key
        )
    )
    if returning is not None:
        session.delete(returning)
        session.flush()
    session.add(
        ProgramAlias(team_id=program.team_id, program_id=program.id, key=old_key, created_at=now)
    )
