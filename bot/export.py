"""CSV exports of a workspace's programs, status history, RAID log, intake queue, decision
log and actions.

A file opens in a spreadsheet as it is: UTF-8 with a byte-order mark (Excel reads the BOM
as "this is UTF-8"), the csv module's quoting for commas, quotes and line breaks, ISO 8601
dates and UTC times, and text cells that a spreadsheet would run as a formula (`=`, `+`,
`-`, `@`, tab, carriage return first) prefixed with `'` (OWASP's advice against CSV
injection). Rows are read in batches from a streaming query and written straight to a
file, so an export of any size never sits whole in memory.

What `since:` keeps, per kind (all on or after the date's start in the caller's zone):

- programs: programs changed since (`updated_at`);
- status: updates submitted or edited since;
- risks: RAID items logged or changed since (`updated_at`);
- intake: requests filed or decided since;
- decisions: decisions made since (`decided_at`);
- actions: actions added or done since.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.blocks.common import plural
from bot.dates import format_date
from bot.errors import UserError
from bot.workspace import require_admin
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Person,
    Program,
    ProgramDelegate,
    RaidItem,
    StatusUpdate,
)

KINDS = ("programs", "status", "risks", "intake", "decisions", "actions")
SINCE_MEANS = {
    "programs": "changed since",
    "status": "submitted or edited since",
    "risks": "logged or changed since",
    "intake": "filed or decided since",
    "decisions": "made since",
    "actions": "added or done since",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH_SIZE = 500  # rows fetched per round trip; also the delegates look-up batch


@dataclass(frozen=True)
class ExportSpec:
    """What to export: one kind of one workspace, optionally only rows since an instant."""

    team_id: str
    kind: str
    since: datetime | None = None


@dataclass(frozen=True)
class Table:
    """Column names and the rows under them, produced lazily."""

    columns: list[str]
    rows: Iterator[Sequence[Any]]


@dataclass(frozen=True)
class Written:
    """An export written to a file, and how to present it."""

    filename: str
    title: str
    comment: str
    rows: int


@dataclass(frozen=True)
class ExportJob:
    """An export checked in the request and written after its commit (no ORM objects)."""

    spec: ExportSpec
    today: date
    since_day: date | None = None

    def write(self, sessions: sessionmaker[Session], path: Path) -> Written:
        """Write the CSV to `path` in its own read transaction."""
        with sessions.begin() as session:
            rows = write_file(session, spec=self.spec, path=path)
        kind = self.spec.kind
        since = f" {SINCE_MEANS[kind]} {format_date(self.since_day)}" if self.since_day else ""
        return Written(
            filename=f"pmo-{kind}-{self.today.isoformat()}.csv",
            title=f"PMO export: {kind}{since}",
            comment=f"Your export of {kind}{since}: {plural(rows, 'row')}.",
            rows=rows,
        )


def prepare(
    session: Session,
    *,
    person: Person,
    kind: str | None,
    since_day: date | None,
    tz: str,
    today: date,
) -> ExportJob:
    """`/pmo export`: PMO admins only; the kind and the `since:` day checked."""
    require_admin(session, person=person, doing="export PMO data")
    spec = ExportSpec(
        team_id=person.team_id,
        kind=parse_kind(kind),
        since=since_instant(since_day, tz=tz, today=today) if since_day else None,
    )
    return ExportJob(spec=spec, today=today, since_day=since_day)


def parse_kind(word: str | None) -> str:
    """The export kind a word names; `programs` when none is given.

    Raises:
        UserError: The word is not one of KINDS.
    """
    if word is None:
        return "programs"
    kind = word.lower()
    if kind not in KINDS:
        raise UserError(f"I can't export “{word}”. Export one of {', '.join(KINDS)}.")
    return kind


def since_instant(day: date, *, tz: str, today: date) -> datetime:
    """The start of `day` in the caller's zone, as an aware instant.

    Raises:
        UserError: `day` is after the caller's today, so nothing could match.
    """
    if day > today:
        raise UserError(
            f"`since:` is in the future ({format_date(day)}): give a past date, "
            f'e.g. `since:"last monday"` or `since:{(today - timedelta(days=30)).isoformat()}`.'
        )
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def cell(value: object) -> str:
    """One CSV cell: ISO dates and times, TRUE/FALSE, lists joined, text neutralised.

    Text that a spreadsheet would run as a formula gets a leading `'`, which shows it as
    typed; numbers, dates and flags are our own values and are written as they are.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return str(round(value, 2))
    if isinstance(value, dict | list | tuple):
        return "; ".join(
            cell(item) for item in (sorted(value) if isinstance(value, dict) else value)
        )
    return str(value)


def write_csv(session: Session, *, spec: ExportSpec, out: TextIO) -> int:
    """Write the export to a text stream opened with `newline=""`; returns the data rows.

    Args:
        session: A session inside the caller's transaction (read only).
        spec: What to export.
        out: Where to write; the caller chooses the encoding (see `write_file`).
    """
    table = SOURCES[spec.kind](session, spec)
    writer = csv.writer(out)
    writer.writerow(table.columns)
    written = 0
    for row in table.rows:
        writer.writerow([cell(value) for value in row])
        written += 1
    return written


def write_file(session: Session, *, spec: ExportSpec, path: Path) -> int:
    """Write the export to `path` as UTF-8 with a BOM, for Excel; returns the data rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        return write_csv(session, spec=spec, out=out)


@contextmanager
def temporary_file(kind: str) -> Iterator[Path]:
    """A temporary `.csv` path that is deleted when the block ends, whatever happens."""
    handle, name = tempfile.mkstemp(prefix=f"pmo-export-{kind}-", suffix=".csv")
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _stream(session: Session, query: Select[Any]) -> Iterator[Sequence[Any]]:
    """Rows of a query fetched BATCH_SIZE at a time (a server-side cursor on PostgreSQL)."""
    result = session.execute(query.execution_options(yield_per=BATCH_SIZE))
    for partition in result.partitions():
        yield from partition


def _table(session: Session, query: Select[Any]) -> Table:
    """A query's rows under its column names (the labels of what it selects)."""
    return Table(list(query.selected_columns.keys()), _stream(session, query))


def _is_person(person: Any, team_id: Any, user_id: Any) -> Any:
    """The join condition that finds the cached Person (display name) of `user_id`."""
    return (person.team_id == team_id) & (person.user_id == user_id)


def _programs(session: Session, spec: ExportSpec) -> Table:
    owner, sponsor = aliased(Person, name="owner"), aliased(Person, name="sponsor")
    query = (
        select(*_program_columns(owner, sponsor))
        .outerjoin(owner, _is_person(owner, Program.team_id, Program.owner_id))
        .outerjoin(sponsor, _is_person(sponsor, Program.team_id, Program.sponsor_id))
        .where(Program.team_id == spec.team_id)
        .order_by(Program.key)
    )
    if spec.since is not None:
        query = query.where(Program.updated_at >= spec.since)
    table = _table(session, query)
    columns = table.columns[1:]  # the id only finds the delegates
    at = columns.index("owner") + 1
    return Table(
        [*columns[:at], "delegate_ids", *columns[at:]],
        _with_delegates(session, table.rows, at=at),
    )


def _program_columns(owner: Any, sponsor: Any) -> tuple[Any, ...]:
    """What a PMO analyst needs of a program, led by its id (for the delegates)."""
    return (
        Program.id,
        Program.key,
        Program.name,
        Program.state,
        Program.rag,
        Program.rag_since,
        Program.owner_id,
        owner.display_name.label("owner"),
        Program.sponsor_id,
        sponsor.display_name.label("sponsor"),
        Program.portfolio,
        Program.channel_id,
        Program.cadence,
        Program.timezone,
        Program.start_date,
        Program.target_date,
        Program.next_due_at.label("next_update_due_at"),
        Program.flags,
        Program.last_update_at,
        Program.created_at,
        Program.updated_at,
    )


def _with_delegates(
    session: Session, rows: Iterable[Sequence[Any]], *, at: int
) -> Iterator[list[Any]]:
    """Drop each row's leading program id and put its delegates at `at`, found per batch."""
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            yield from _delegates_of_batch(session, batch, at=at)
            batch = []
    yield from _delegates_of_batch(session, batch, at=at)


def _delegates_of_batch(
    session: Session, batch: list[Sequence[Any]], *, at: int
) -> Iterator[list[Any]]:
    if not batch:
        return
    found: dict[int, list[str]] = {}
    query = (
        select(ProgramDelegate.program_id, ProgramDelegate.user_id)
        .where(
            ProgramDelegate.program_id.in_([row[0] for row in batch]),
            ProgramDelegate.removed_at.is_(None),
        )
        .order_by(ProgramDelegate.id)
    )
    for program_id, user_id in session.execute(query):
        found.setdefault(program_id, []).append(user_id)
    for program_id, *values in batch:
        yield [*values[:at], found.get(program_id, []), *values[at:]]


def _status(session: Session, spec: ExportSpec) -> Table:
    author = aliased(Person, name="author")
    query = (
        select(
            Program.key.label("program_key"),
            StatusUpdate.created_at,
            StatusUpdate.author_id,
            author.display_name.label("author"),
            StatusUpdate.rag,
            StatusUpdate.summary,
            StatusUpdate.accomplishments,
            StatusUpdate.next_steps,
            StatusUpdate.blockers,
            StatusUpdate.path_to_green,
            StatusUpdate.recovery_date,
            StatusUpdate.new_target_date,
            StatusUpdate.source,
            StatusUpdate.edited_at,
            StatusUpdate.edited_by,
        )
        .join(Program, Program.id == StatusUpdate.program_id)
        .outerjoin(author, _is_person(author, StatusUpdate.team_id, StatusUpdate.author_id))
        .where(StatusUpdate.team_id == spec.team_id)
        .order_by(Program.key, StatusUpdate.created_at, StatusUpdate.id)
    )
    if spec.since is not None:
        query = query.where(
            or_(StatusUpdate.created_at >= spec.since, StatusUpdate.edited_at >= spec.since)
        )
    return _table(session, query)


def _risks(session: Session, spec: ExportSpec) -> Table:
    owner = aliased(Person, name="owner")
    query = (
        select(
            Program.key.label("program_key"),
            RaidItem.id,
            RaidItem.kind.label("type"),
            RaidItem.title,
            RaidItem.description,
            RaidItem.likelihood,
            RaidItem.impact,
            RaidItem.score,
            RaidItem.owner_id,
            owner.display_name.label("owner"),
            RaidItem.due_date,
            RaidItem.mitigation,
            RaidItem.blocking,
            RaidItem.state,
            RaidItem.escalated_at,
            RaidItem.created_by,
            RaidItem.created_at,
            RaidItem.updated_at,
            RaidItem.closed_at,
            RaidItem.close_reason,
        )
        .join(Program, Program.id == RaidItem.program_id)
        .outerjoin(owner, _is_person(owner, RaidItem.team_id, RaidItem.owner_id))
        .where(RaidItem.team_id == spec.team_id)
        .order_by(Program.key, RaidItem.id)
    )
    if spec.since is not None:
        query = query.where(RaidItem.updated_at >= spec.since)
    return _table(session, query)


def _intake(session: Session, spec: ExportSpec) -> Table:
    """Every column of the model but `team_id`, led by the request's `INT-n` name."""
    fields = [c for c in IntakeRequest.__table__.columns if c.name != "team_id"]
    query = (
        select(*fields, Program.key.label("program_key"))
        .outerjoin(Program, Program.id == IntakeRequest.program_id)
        .where(IntakeRequest.team_id == spec.team_id)
        .order_by(IntakeRequest.number)
    )
    if spec.since is not None:
        query = query.where(
            or_(IntakeRequest.created_at >= spec.since, IntakeRequest.decided_at >= spec.since)
        )
    table = _table(session, query)
    number = table.columns.index("number")
    rows = ((f"INT-{row[number]}", *row) for row in table.rows)
    return Table(["request", *table.columns], rows)


def _decisions(session: Session, spec: ExportSpec) -> Table:
    """The decision log, `D-n` first: what, why, who, where it was decided, what it answered."""
    recorder = aliased(Person, name="recorder")
    query = (
        select(
            Decision.number,
            Decision.decided_at,
            Program.key.label("program_key"),
            Program.name.label("program"),
            Decision.text.label("decision"),
            Decision.option,
            Decision.rationale,
            Decision.decided_by,
            Decision.recorded_by,
            recorder.display_name.label("recorder"),
            Meeting.channel_id.label("meeting_channel_id"),
            MeetingOccurrence.starts_at.label("meeting_started_at"),
            DecisionRequest.question,
            DecisionRequest.requested_by,
            DecisionRequest.by_date.label("requested_by_date"),
            DecisionRequest.created_at.label("requested_at"),
            Decision.raid_item_id,
        )
        .outerjoin(Program, Program.id == Decision.program_id)
        .outerjoin(recorder, _is_person(recorder, Decision.team_id, Decision.recorded_by))
        .outerjoin(MeetingOccurrence, MeetingOccurrence.id == Decision.occurrence_id)
        .outerjoin(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .outerjoin(DecisionRequest, DecisionRequest.decision_id == Decision.id)
        .where(Decision.team_id == spec.team_id)
        .order_by(Decision.number)
    )
    if spec.since is not None:
        query = query.where(Decision.decided_at >= spec.since)
    return _numbered(_table(session, query), "D", "decision_id")


def _actions(session: Session, spec: ExportSpec) -> Table:
    """The actions, `A-n` first: what, who, by when, its state, and where it came from."""
    owner = aliased(Person, name="owner")
    query = (
        select(
            ActionItem.number,
            ActionItem.title,
            ActionItem.owner_id,
            owner.display_name.label("owner"),
            ActionItem.due_date,
            ActionItem.state,
            Program.key.label("program_key"),
            Program.name.label("program"),
            Meeting.channel_id.label("meeting_channel_id"),
            MeetingOccurrence.starts_at.label("meeting_started_at"),
            ActionItem.created_by,
            ActionItem.created_at,
            ActionItem.done_by,
            ActionItem.done_at,
        )
        .outerjoin(owner, _is_person(owner, ActionItem.team_id, ActionItem.owner_id))
        .outerjoin(Program, Program.id == ActionItem.program_id)
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(MeetingOccurrence, MeetingOccurrence.id == ActionItem.occurrence_id)
        .where(ActionItem.team_id == spec.team_id)
        .order_by(ActionItem.number)
    )
    if spec.since is not None:
        query = query.where(
            or_(ActionItem.created_at >= spec.since, ActionItem.done_at >= spec.since)
        )
    return _numbered(_table(session, query), "A", "action_id")


def _numbered(table: Table, prefix: str, column: str) -> Table:
    """A table led by its rows' numbers, with the `D-n`/`A-n` name first."""
    rows = ((f"{prefix}-{row[0]}", *row[1:]) for row in table.rows)
    return Table([column, *table.columns[1:]], rows)


SOURCES: dict[str, Callable[[Session, ExportSpec], Table]] = {
    "programs": _programs,
    "status": _status,
    "risks": _risks,
    "intake": _intake,
    "decisions": _decisions,
    "actions": _actions,
}
