"""Which flag changes reach the PMO channel, and how: one line per change a person caused, one
summary per scheduler pass.

A change a person caused (a status update, a RAID change) is announced in its own
transaction as one message. A scheduler pass's changes are recorded unannounced
(`FlagTransition.announced_at` None) and announced after the pass's jobs and rechecks, one
message per workspace with the details in its thread; the summary and its replies are queued
in the transaction that marks the rows announced, so a crash loses or doubles nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.blocks import alerts as render
from bot.commands import suggest
from bot.errors import UserError
from storage.models import FlagTransition, Program, Workspace
from storage.types import Flag

# The alerting flags by the word `/pmo config alerts` names them with.
KINDS: dict[str, str] = {word: code for code, word in render.KIND_WORDS.items()}
ALL = "all"
DIGEST_ONLY = "digest-only"
# A session whose flag changes wait for the scheduler pass's summary (see `defer_to_pass`).
DEFERRED = "flag_changes_deferred"


class Change(NamedTuple):
    """One alerting flag raised or cleared, and why (for a cleared one: why it was raised)."""

    code: str
    raised: bool
    reason: str


def parse_setting(words: Sequence[str]) -> str:
    """`/pmo config alerts` words as stored: "all", "digest-only" or kinds ("red,stale").

    Raises:
        UserError: A word that is no kind, or `all`/`digest-only` mixed with kinds.
    """
    lowered = [w.lower().strip(",") for w in words if w.strip(",")]
    if lowered in ([ALL], [DIGEST_ONLY]):
        return lowered[0]
    if not lowered:
        raise UserError(f"Name the kinds of flag to post: {_valid()}.")
    for word in lowered:
        if word not in KINDS:
            guess = suggest(word, [*KINDS, ALL, DIGEST_ONLY])
            hint = f" Did you mean `{guess}`?" if guess else ""
            raise UserError(f"“{word}” is not a kind of alert.{hint} Use {_valid()}.")
    return ",".join(kind for kind in KINDS if kind in lowered)


def _valid() -> str:
    kinds = ", ".join(f"`{k}`" for k in KINDS)
    return f"{kinds}; or `{ALL}`, or `{DIGEST_ONLY}` for none (digests still show flags)"


def posted_kinds(setting: str) -> list[str]:
    """The kinds a stored setting posts to the PMO channel."""
    if setting == ALL:
        return list(KINDS)
    return [kind for kind in setting.split(",") if kind in KINDS]


def reaches_pmo(workspace: Workspace, code: str) -> bool:
    """Whether a change of flag `code` is posted to the workspace's PMO channel."""
    if workspace.pmo_channel_id is None:
        return False
    return any(KINDS[kind] == code for kind in posted_kinds(workspace.pmo_alerts))


def defer_to_pass(session: Session) -> None:
    """Flag changes in this (scheduler) transaction wait for the pass's one summary."""
    session.info[DEFERRED] = True


def record(
    session: Session, *, program: Program, changes: Iterable[Change], now: datetime
) -> list[FlagTransition]:
    """Store the transitions; announced already unless a scheduler pass collects them."""
    announced = None if session.info.get(DEFERRED) else now
    rows = [
        FlagTransition(
            team_id=program.team_id,
            program_id=program.id,
            flag=change.code,
            raised=change.raised,
            reason=change.reason,
            at=now,
            announced_at=announced,
        )
        for change in changes
    ]
    session.add_all(rows)
    session.flush()
    return rows


def announce_now(
    session: Session,
    *,
    program: Program,
    rows: list[FlagTransition],
    workspace: Workspace,
    now: datetime,
    actor_id: str | None,
) -> None:
    """The changes one person's action caused: one message to the PMO channel."""
    if not rows or rows[0].announced_at is None:
        return  # a scheduler pass announces them
    changes = [_change(row) for row in rows if reaches_pmo(workspace, row.flag)]
    if changes:
        outbox.enqueue(
            session,
            team_id=workspace.team_id,
            key=f"flag:{rows[0].id}:pmo",
            channel=str(workspace.pmo_channel_id),
            payload=render.change_alert(program, changes, actor_id=actor_id),
            now=now,
        )


def teams_waiting(session: Session) -> list[str]:
    """Workspaces with flag changes no summary has announced yet."""
    query = select(FlagTransition.team_id).where(FlagTransition.announced_at.is_(None))
    return sorted(set(session.scalars(query.distinct())))


def announce_pass(session: Session, *, team_id: str, now: datetime) -> int:
    """One summary of the workspace's unannounced flag changes, details in its thread.

    Each (program, flag) counts by its net effect over the pass: raised then cleared (or
    cleared then raised) is no change and is left out; raised, cleared, raised is raised.

    Returns:
        How many programs the summary names (0: nothing was posted).
    """
    rows = list(
        session.scalars(
            select(FlagTransition)
            .where(FlagTransition.team_id == team_id, FlagTransition.announced_at.is_(None))
            .order_by(FlagTransition.id)
            .with_for_update()
        )
    )
    for row in rows:
        row.announced_at = now
    workspace = session.get(Workspace, team_id)
    if not rows or workspace is None:
        return 0
    changes = {
        program_id: [c for c in found if reaches_pmo(workspace, c.code)]
        for program_id, found in net_changes(rows).items()
    }
    changes = {program_id: found for program_id, found in changes.items() if found}
    if not changes:
        return 0
    named = session.scalars(select(Program).where(Program.id.in_(changes)))
    by_id = {program.id: program for program in named}
    listed = [(by_id[pid], found) for pid, found in changes.items() if pid in by_id]
    _queue_summary(session, workspace=workspace, listed=listed, rows=rows, now=now)
    return len(listed)


def _queue_summary(
    session: Session,
    *,
    workspace: Workspace,
    listed: list[tuple[Program, list[Change]]],
    rows: list[FlagTransition],
    now: datetime,
) -> None:
    key = f"flags:{rows[0].id}-{rows[-1].id}"
    channel = str(workspace.pmo_channel_id)
    summary = render.pass_summary([(program.name, found) for program, found in listed])
    outbox.enqueue(
        session, team_id=workspace.team_id, key=key, channel=channel, payload=summary, now=now
    )
    for program, found in listed:
        outbox.enqueue(
            session,
            team_id=workspace.team_id,
            key=f"{key}:{program.id}",
            channel=channel,
            payload=render.change_alert(program, found) | {outbox.THREAD_OF: key},
            now=now,
        )


def net_changes(rows: Iterable[FlagTransition]) -> dict[int, list[Change]]:
    """Per program (in the order first seen), the flags whose state the rows changed."""
    first: dict[tuple[int, str], FlagTransition] = {}
    last: dict[tuple[int, str], FlagTransition] = {}
    for row in rows:
        first.setdefault((row.program_id, row.flag), row)
        last[(row.program_id, row.flag)] = row
    found: dict[int, list[Change]] = {}
    for (program_id, _flag), row in last.items():
        found.setdefault(program_id, [])
        if first[(program_id, row.flag)].raised == row.raised:
            found[program_id].append(_change(row))
    return {program_id: _ordered(changes) for program_id, changes in found.items() if changes}


def _ordered(changes: list[Change]) -> list[Change]:
    order = list(Flag)
    return sorted(changes, key=lambda c: order.index(Flag(c.code)))


def _change(row: FlagTransition) -> Change:
    return Change(row.flag, row.raised, row.reason)
