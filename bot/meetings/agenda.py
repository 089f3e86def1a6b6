"""A meeting's agenda, built from the exceptions of its portfolio since the last meeting held.

What goes on it, in `facts.KINDS` order, each item with an owner and a timebox:

- *decision*: open decision requests put to this meeting, by their `by:` date (soonest first,
  none last). Owner: the program's owner. Every request is its own item, even two of one
  program: each asks its own question.
- *red*: programs whose status is red and turned red after the last meeting started.
- *worsening*: programs amber in their last two updates running (`trend[0]` and `trend[1]`
  amber), the latest of them after the last meeting started: an amber that did not recover
  over two reports. An amber reported once, or amber for long with no new report since the
  last meeting, is not.
- *mismatch*: programs flagged `RAG_MISMATCH` now; *late*: `PAST_TARGET` or `MILESTONE_LATE`
  now (whenever they were raised: a flag is on until its cause is gone).
- *risk*: open RAID items that were escalated (risks, issues, dependencies), highest score
  first, of the portfolio's programs. Owner: the item's owner.
- *action*: open actions of this meeting created before this occurrence, and overdue open
  actions (due before the meeting's day) on the portfolio's programs from any meeting;
  overdue ones first, by due date. Owner: the action's owner.
- *intake*: the three pending intake requests with the highest WSJF score. Intake has no
  portfolio, so every meeting, scoped or not, gets them. Owner: the requester.
- *parked* / *carried*: the last meeting's items that were parked, or not reached (every item
  of a meeting that was missed), unless what they were about is settled since (the request
  closed, the action done, the program finished…). Decided, actioned and discussed items
  never carry. An item that is also a fresh exception appears once, as the fresh one, its
  detail saying it was carried.

The portfolio is the meeting's (compared case-insensitively; None: every program), its active
and paused programs only. A program's own exceptions make at most one item, under its first
reason, the others named in its detail; when the program has a decision request on the
agenda they are named in the request's detail instead. Risks and actions stay items of their
own (they have owners of their own).

Items are timeboxed in order; from the first one that no longer fits in the meeting's length,
the rest are "not scheduled" (a later, shorter item does not jump the queue). At most
`SHOWN_UNSCHEDULED` of those are kept, with a count of the others.

Reading is bounded whatever the portfolio: one query per category, each filtered in SQL on
indexed columns and cut to what an agenda of the meeting's length could show, and a window
count that tells how many were left unread. No query per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from bot.cadence import slot_local
from bot.dates.names import MONTH_ABBR, WEEKDAY_ABBR
from bot.meetings import facts
from bot.meetings.facts import Agenda, AgendaItem
from bot.meetings.occurrences import last_held
from storage.models import (
    ActionItem,
    DecisionRequest,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Program,
    RaidItem,
    Workspace,
)
from storage.types import (
    ActionState,
    DecisionRequestState,
    Flag,
    IntakeState,
    MeetingState,
    ProgramState,
    Rag,
    RaidState,
)

TIMEBOX = {  # minutes
    facts.DECISION: 10,
    facts.RED: 8,
    facts.WORSENING: 5,
    facts.MISMATCH: 5,
    facts.LATE: 5,
    facts.RISK: 5,
    facts.ACTION: 3,
    facts.INTAKE: 5,
}
SHOWN_UNSCHEDULED = 50
PROGRAM_KINDS = (facts.RED, facts.WORSENING, facts.MISMATCH, facts.LATE)
INTAKE_TOP = 3
LIVE = (ProgramState.ACTIVE, ProgramState.PAUSED)
SUMMARY_CHARS = 120
LATE_FLAGS = (Flag.PAST_TARGET, Flag.MILESTONE_LATE)
# What is settled in a meeting and never carries to the next.
SETTLED = (facts.DECIDED, facts.ACTIONED, facts.DISCUSSED)
# Refs of items about a program as a whole: its exceptions, and its decision requests.
PROGRAM_REFS = ("program", "request")


@dataclass(frozen=True)
class Scope:
    """What an agenda is read for.

    Attributes:
        meeting: The meeting.
        starts_at: The occurrence's start.
        since: When the last meeting held started (None: no lower bound).
        day: The meeting's local date at its start: actions due before it are overdue.
    """

    meeting: Meeting
    starts_at: datetime
    since: datetime | None
    day: date

    def limit(self, minutes: int) -> int:
        """The most rows a category of items of at least `minutes` needs: as many as the
        meeting's length could schedule, and the unscheduled it shows (nothing after them is
        shown whatever the other categories hold)."""
        return self.meeting.length_minutes // minutes + SHOWN_UNSCHEDULED


@dataclass(frozen=True)
class Found:
    """One category's items, and how many more matched than were read."""

    items: list[AgendaItem]
    unread: int = 0


def build(
    session: Session, *, meeting: Meeting, starts_at: datetime, now: datetime, workspace: Workspace
) -> Agenda:
    """The agenda of the meeting's occurrence starting at `starts_at`, as things stand now.

    `now` and `workspace` are the caller's context; what the agenda holds depends only on
    the data and on `starts_at` (actions are overdue by the meeting's day, not today's).
    """
    last = last_held(session, meeting=meeting, before=starts_at)
    scope = scope_of(meeting, starts_at, since=last.starts_at if last is not None else None)
    asked = requests(session, scope=scope)
    found = [
        asked,
        _programs(session, scope=scope, asked={item.program_id for item in asked.items}),
        _risks(session, scope=scope),
        _actions(session, scope=scope),
        _intake(session, scope=scope),
    ]
    fresh = [item for part in found for item in part.items]
    carried = _carried(session, last=last, meeting=meeting) if last is not None else []
    items = _merge(fresh, carried)
    return timeboxed(
        items,
        length=meeting.length_minutes,
        since=scope.since,
        unread=sum(part.unread for part in found),
    )


def scope_of(meeting: Meeting, starts_at: datetime, *, since: datetime | None) -> Scope:
    """What an agenda of `meeting` starting at `starts_at` reads."""
    return Scope(
        meeting=meeting,
        starts_at=starts_at,
        since=since,
        day=slot_local(starts_at, meeting.timezone).date(),
    )


def timeboxed(
    items: Sequence[AgendaItem], *, length: int, since: datetime | None, unread: int = 0
) -> Agenda:
    """Items in order until the first that no longer fits in `length` minutes; the rest
    are not scheduled (the first `SHOWN_UNSCHEDULED` kept, the others counted)."""
    used, cut = 0, len(items)
    for index, item in enumerate(items):
        if used + item.minutes > length:
            cut = index
            break
        used += item.minutes
    rest = items[cut:]
    return Agenda(
        items=tuple(items[:cut]),
        unscheduled=tuple(rest[:SHOWN_UNSCHEDULED]),
        since=since.isoformat() if since is not None else None,
        not_listed=max(0, len(rest) - SHOWN_UNSCHEDULED) + unread,
    )


# --- freezing into the occurrence -----------------------------------------------------------


def freeze(
    session: Session,
    *,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    now: datetime,
    workspace: Workspace,
) -> Agenda:
    """The occurrence's agenda, built and stored the first time (its post, or `start`).

    Once stored it stays: later calls return it with any decision request put to the meeting
    since appended (in the time left, else not scheduled), stored items first and none
    dropped, so positions in it never move. A closed or missed occurrence's agenda no longer
    changes at all.
    """
    if occurrence.agenda is None:
        agenda = build(
            session, meeting=meeting, starts_at=occurrence.starts_at, now=now, workspace=workspace
        )
        occurrence.agenda = [
            *_rows(agenda.items, scheduled=True),
            *_rows(agenda.unscheduled, scheduled=False),
        ]
        return agenda
    kept = stored(occurrence)
    assert kept is not None
    if occurrence.state in (MeetingState.CLOSED, MeetingState.MISSED):
        return kept
    return _with_new_requests(session, occurrence=occurrence, meeting=meeting, kept=kept)


def stored(occurrence: MeetingOccurrence) -> Agenda | None:
    """The agenda the occurrence froze, or None before it was."""
    if occurrence.agenda is None:
        return None
    rows = [(AgendaItem.from_json(row), row.get("scheduled", True)) for row in occurrence.agenda]
    return Agenda(
        items=tuple(item for item, scheduled in rows if scheduled),
        unscheduled=tuple(item for item, scheduled in rows if not scheduled),
    )


def _rows(items: Iterable[AgendaItem], *, scheduled: bool) -> list[dict[str, Any]]:
    return [{**item.as_json(), "scheduled": scheduled} for item in items]


def _with_new_requests(
    session: Session, *, occurrence: MeetingOccurrence, meeting: Meeting, kept: Agenda
) -> Agenda:
    """`kept` with the meeting's open requests it lacks appended, and stored so."""
    refs = {item.ref for item in (*kept.items, *kept.unscheduled)}
    scope = scope_of(meeting, occurrence.starts_at, since=None)
    new = [item for item in requests(session, scope=scope).items if item.ref not in refs]
    if not new:
        return kept
    left = meeting.length_minutes - sum(item.minutes for item in kept.items)
    fits = timeboxed(new, length=max(0, left), since=None)
    occurrence.agenda = [
        *(occurrence.agenda or []),
        *_rows(fits.items, scheduled=True),
        *_rows(fits.unscheduled, scheduled=False),
    ]
    return Agenda(
        items=(*kept.items, *fits.items),
        unscheduled=(*kept.unscheduled, *fits.unscheduled),
    )


# --- the categories ---------------------------------------------------------------------------


def _in_portfolio(meeting: Meeting) -> list[ColumnElement[bool]]:
    """The meeting's programs: its workspace's, active or paused, of its portfolio if any."""
    where = [Program.team_id == meeting.team_id, Program.state.in_(LIVE)]
    if meeting.portfolio is not None:
        where.append(func.lower(Program.portfolio) == meeting.portfolio.lower())
    return where


def _open_requests(meeting: Meeting) -> list[ColumnElement[bool]]:
    return [
        DecisionRequest.team_id == meeting.team_id,
        DecisionRequest.meeting_id == meeting.id,
        DecisionRequest.state == DecisionRequestState.OPEN,
    ]


def requests(session: Session, *, scope: Scope) -> Found:
    """The open decision requests put to the meeting, by `by:` date (none last)."""
    rows = session.execute(
        select(DecisionRequest, Program, func.count().over())
        .join(Program, Program.id == DecisionRequest.program_id)
        .where(*_open_requests(scope.meeting))
        .order_by(
            DecisionRequest.by_date.asc().nulls_last(),
            DecisionRequest.created_at,
            DecisionRequest.id,
        )
        .limit(scope.limit(TIMEBOX[facts.DECISION]))
    ).all()
    items = [_request_item(request, program, scope) for request, program, _ in rows]
    return Found(items, unread=_unread(rows))


def _unread(rows: Sequence[Any]) -> int:
    """How many rows a windowed query matched beyond those it returned."""
    return int(rows[0][-1]) - len(rows) if rows else 0


def _request_item(request: DecisionRequest, program: Program, scope: Scope) -> AgendaItem:
    detail = request.question + _also([text for _, text in _reasons(program, scope)])
    return AgendaItem(
        ref=f"request:{request.id}",
        kind=facts.DECISION,
        title=program.name,
        owner_id=program.owner_id,
        minutes=TIMEBOX[facts.DECISION],
        detail=detail,
        program_id=program.id,
        request_id=request.id,
        options=tuple(str(option) for option in request.options or ()),
        due=request.by_date.isoformat() if request.by_date is not None else None,
    )


def _is_red(since: datetime | None) -> ColumnElement[bool]:
    return and_(Program.rag == Rag.RED, _after_sql(Program.rag_since, since))


def _is_worsening(since: datetime | None) -> ColumnElement[bool]:
    return and_(
        Program.rag == Rag.AMBER,
        Program.trend[0].as_string() == Rag.AMBER,
        Program.trend[1].as_string() == Rag.AMBER,
        _after_sql(Program.last_update_at, since),
    )


def _after_sql(column: Any, since: datetime | None) -> ColumnElement[bool]:
    """`_after` in SQL."""
    return column > since if since is not None else column.is_not(None)


def _flagged(*codes: str) -> ColumnElement[bool]:
    return and_(
        Program.flag_count > 0,
        or_(*(Program.flags[code].as_string().is_not(None) for code in codes)),
    )


def _programs(session: Session, *, scope: Scope, asked: set[int | None]) -> Found:
    """The portfolio's programs with exceptions, by their first reason, one item each.

    Programs `asked` about (a decision request on this agenda) are left to that item."""
    red, worsening = _is_red(scope.since), _is_worsening(scope.since)
    mismatch, late = _flagged(Flag.RAG_MISMATCH), _flagged(*LATE_FLAGS)
    rank = case((red, 0), (worsening, 1), (mismatch, 2), else_=3)
    not_asked = Program.id.not_in([program_id for program_id in asked if program_id is not None])
    rows = session.execute(
        select(Program, func.count().over())
        .where(*_in_portfolio(scope.meeting), or_(red, worsening, mismatch, late), not_asked)
        .order_by(rank, Program.rag_since, Program.id)
        .limit(scope.limit(min(TIMEBOX[kind] for kind in PROGRAM_KINDS)))
    ).all()
    items = [_program_item(program, scope) for program, _ in rows]
    return Found([item for item in items if item is not None], unread=_unread(rows))


MISMATCH_PREFIX = "RAG mismatch: "  # as an also-reason; first, the item's label says it


def _reasons(program: Program, scope: Scope) -> list[tuple[str, str]]:
    """(kind, words) for each exception of the program, in agenda order: the same tests
    `_programs` makes in SQL."""
    zone, summary = scope.meeting.timezone, _short(program.last_summary)
    found: list[tuple[str, str]] = []
    if program.rag == Rag.RED and _after(program.rag_since, scope.since):
        assert program.rag_since is not None
        found.append((facts.RED, f"red since {_day(program.rag_since, zone)}{summary}"))
    latest, trend = program.last_update_at, list(program.trend or [])[:2]
    amber_twice = program.rag == Rag.AMBER and trend == [Rag.AMBER, Rag.AMBER]
    if amber_twice and _after(latest, scope.since):
        assert latest is not None
        words = f"amber in the last two updates (latest {_day(latest, zone)}){summary}"
        found.append((facts.WORSENING, words))
    flags = program.flags or {}
    if Flag.RAG_MISMATCH in flags:
        found.append((facts.MISMATCH, f"{MISMATCH_PREFIX}{flags[Flag.RAG_MISMATCH]}"))
    found += [(facts.LATE, str(flags[code])) for code in LATE_FLAGS if code in flags]
    return found


def _also(reasons: Sequence[str], *, said: str = "") -> str:
    """` — also …` for the reasons not already said (a RAG mismatch often quotes the late
    milestone that MILESTONE_LATE names again)."""
    new: list[str] = []
    for reason in reasons:
        if reason not in said and not any(reason in earlier for earlier in new):
            new.append(reason)
    return f" — also {'; '.join(new)}" if new else ""


def _after(instant: datetime | None, since: datetime | None) -> bool:
    """Whether something that happened at `instant` happened since the last meeting."""
    return instant is not None and (since is None or instant > since)


def _program_item(program: Program, scope: Scope) -> AgendaItem | None:
    reasons = _reasons(program, scope)
    if not reasons:
        return None
    (kind, first), others = reasons[0], [text for _, text in reasons[1:]]
    first = first.removeprefix(MISMATCH_PREFIX)  # its label says it already
    return AgendaItem(
        ref=f"program:{program.id}",
        kind=kind,
        title=program.name,
        owner_id=program.owner_id,
        minutes=TIMEBOX[kind],
        detail=first + _also(others, said=first),
        program_id=program.id,
    )


def _risks(session: Session, *, scope: Scope) -> Found:
    """Open escalated RAID items of the portfolio's programs, highest score first."""
    rows = session.execute(
        select(RaidItem, Program.name, func.count().over())
        .join(Program, Program.id == RaidItem.program_id)
        .where(
            RaidItem.team_id == scope.meeting.team_id,
            RaidItem.escalated_at.is_not(None),
            RaidItem.state == RaidState.OPEN,
            *_in_portfolio(scope.meeting),
        )
        .order_by(RaidItem.score.desc().nulls_last(), RaidItem.escalated_at, RaidItem.id)
        .limit(scope.limit(TIMEBOX[facts.RISK]))
    ).all()
    items = [_risk_item(item, name, scope) for item, name, _ in rows]
    return Found(items, unread=_unread(rows))


def _risk_item(item: RaidItem, program_name: str, scope: Scope) -> AgendaItem:
    assert item.escalated_at is not None
    words = [f"{item.kind} of {program_name}"]
    if item.score is not None:
        words.append(f"score {item.score}")
    words.append(f"escalated {_day(item.escalated_at, scope.meeting.timezone)}")
    if item.mitigation:
        words.append(f"mitigation: {_short(item.mitigation, prefix='')}")
    return AgendaItem(
        ref=f"raid:{item.id}",
        kind=facts.RISK,
        title=item.title,
        owner_id=item.owner_id,
        minutes=TIMEBOX[facts.RISK],
        detail=" · ".join(words),
        program_id=item.program_id,
        due=item.due_date.isoformat() if item.due_date is not None else None,
    )


def _actions(session: Session, *, scope: Scope) -> Found:
    """The meeting's open actions from before this occurrence, and the portfolio's overdue
    open actions from any meeting; overdue first, by due date."""
    meeting = scope.meeting
    overdue = ActionItem.due_date < scope.day
    ours = and_(ActionItem.meeting_id == meeting.id, ActionItem.created_at < scope.starts_at)
    rows = session.execute(
        select(ActionItem, Program.name, func.count().over())
        .outerjoin(Program, Program.id == ActionItem.program_id)
        .where(
            ActionItem.team_id == meeting.team_id,
            ActionItem.state == ActionState.OPEN,
            or_(ours, and_(overdue, *_in_portfolio(meeting))),
        )
        .order_by(case((overdue, 0), else_=1), ActionItem.due_date, ActionItem.number)
        .limit(scope.limit(TIMEBOX[facts.ACTION]))
    ).all()
    items = [_action_item(action, name, scope) for action, name, _ in rows]
    return Found(items, unread=_unread(rows))


def _action_item(action: ActionItem, program_name: str | None, scope: Scope) -> AgendaItem:
    late = " (overdue)" if action.due_date < scope.day else ""
    words = [f"A-{action.number}", f"due {_date(action.due_date)}{late}"]
    if program_name is not None:
        words.append(program_name)
    return AgendaItem(
        ref=f"action:{action.id}",
        kind=facts.ACTION,
        title=action.title,
        owner_id=action.owner_id,
        minutes=TIMEBOX[facts.ACTION],
        detail=" · ".join(words),
        program_id=action.program_id,
        due=action.due_date.isoformat(),
    )


def _intake(session: Session, *, scope: Scope) -> Found:
    """The pending intake requests with the highest WSJF, `INTAKE_TOP` of them; none for a
    portfolio's own review (a request belongs to no portfolio until it is approved)."""
    if scope.meeting.portfolio is not None:
        return Found([])
    rows = session.scalars(
        select(IntakeRequest)
        .where(
            IntakeRequest.team_id == scope.meeting.team_id,
            IntakeRequest.state == IntakeState.PENDING,
        )
        .order_by(IntakeRequest.score.desc(), IntakeRequest.number)
        .limit(INTAKE_TOP)
    )
    zone = scope.meeting.timezone
    return Found(
        [
            AgendaItem(
                ref=f"intake:{request.id}",
                kind=facts.INTAKE,
                title=f"INT-{request.number} {request.title}",
                owner_id=request.requester_id,
                minutes=TIMEBOX[facts.INTAKE],
                detail=f"WSJF {request.score:.1f} · waiting since {_day(request.created_at, zone)}",
            )
            for request in rows
        ]
    )


# --- carried from the last meeting ------------------------------------------------------------


def _carried(session: Session, *, last: MeetingOccurrence, meeting: Meeting) -> list[AgendaItem]:
    """The last meeting's parked items, then those it did not reach, still open."""
    held_on = _day(last.starts_at, meeting.timezone)
    outcomes = last.outcomes or {}
    parked: list[AgendaItem] = []
    carried: list[AgendaItem] = []
    for row in last.agenda or []:
        item = AgendaItem.from_json(row)
        outcome = None if last.state == MeetingState.MISSED else outcomes.get(item.ref)
        if outcome == facts.PARKED_OUTCOME:
            parked.append(_carry(item, facts.PARKED, f"parked on {held_on}"))
        elif outcome not in SETTLED:
            carried.append(_carry(item, facts.CARRIED, f"not reached on {held_on}"))
    items = parked + carried
    gone = _settled_refs(session, team_id=meeting.team_id, refs=[item.ref for item in items])
    return [item for item in items if item.ref not in gone]


def _carry(item: AgendaItem, kind: str, note: str) -> AgendaItem:
    was = item.extra.get("was", item.kind)
    first = item.detail.split(" — carried: ")[0]  # a note of an earlier carry is replaced
    return replace(
        item,
        kind=kind,
        detail=f"{first} — carried: {note}" if first else note,
        extra={**item.extra, "was": was, "carried": note},
    )


def _settled_refs(session: Session, *, team_id: str, refs: Sequence[str]) -> set[str]:
    """Which of `refs` are about something settled since, or gone: in one statement."""
    ids: dict[str, list[int]] = {}
    for ref in refs:
        prefix, _, number = ref.partition(":")
        if prefix in _OPEN and number.isdigit():
            ids.setdefault(prefix, []).append(int(number))
    if not ids:
        return set(refs)
    model_of: dict[str, Any] = {"request": DecisionRequest, "program": Program, "raid": RaidItem}
    model_of |= {"action": ActionItem, "intake": IntakeRequest}
    queries = [
        select(literal(prefix), model_of[prefix].id).where(
            model_of[prefix].id.in_(numbers),
            model_of[prefix].team_id == team_id,
            _OPEN[prefix],
        )
        for prefix, numbers in ids.items()
    ]
    still = {f"{prefix}:{number}" for prefix, number in session.execute(union_all(*queries))}
    return {ref for ref in refs if ref not in still}


# What an item's subject must still be to carry: by the prefix of its ref.
_OPEN: dict[str, ColumnElement[bool]] = {
    "request": DecisionRequest.state == DecisionRequestState.OPEN,
    "program": Program.state.in_(LIVE),
    "raid": RaidItem.state == RaidState.OPEN,
    "action": ActionItem.state == ActionState.OPEN,
    "intake": IntakeRequest.state == IntakeState.PENDING,
}


def is_about_program(item: AgendaItem) -> bool:
    """Whether the item is about its program as a whole (its status, or a question of it),
    so that its owner answers it with a status update."""
    return item.program_id is not None and item.ref.partition(":")[0] in PROGRAM_REFS


def _merge(fresh: list[AgendaItem], carried: list[AgendaItem]) -> list[AgendaItem]:
    """Fresh items, then the carried ones that are not also fresh (which say they carried)."""
    items = list(fresh)
    by_ref = {item.ref: index for index, item in enumerate(items)}
    by_program = {
        item.program_id: index
        for index, item in reversed(list(enumerate(items)))
        if is_about_program(item)
    }
    for item in carried:
        index = by_ref.get(item.ref)
        if index is None and item.ref.startswith("program:"):
            index = by_program.get(item.program_id)
        if index is None:
            by_ref[item.ref] = len(items)
            items.append(item)
            continue
        note = item.extra["carried"]
        if note not in items[index].detail:
            items[index] = replace(
                items[index],
                detail=f"{items[index].detail} — carried: {note}",
                extra={**items[index].extra, "carried": note},
            )
    return items


# --- words ------------------------------------------------------------------------------------


def _day(instant: datetime, zone: str) -> str:
    """An instant's local day, short: "Tue 3 Nov"."""
    return _date(slot_local(instant, zone).date())


def _date(day: date) -> str:
    return f"{WEEKDAY_ABBR[day.weekday()]} {day.day} {MONTH_ABBR[day.month - 1]}"


def _short(text: str | None, *, prefix: str = ": ") -> str:
    """The first line of a summary, cut short, after `prefix`; empty for none."""
    line = " ".join((text or "").split())
    if not line:
        return ""
    return prefix + (line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…")
