"""Leadership digests: subscriptions, frozen portfolio snapshots, and what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot import audit
from bot.cadence import next_due, parse_cadence
from bot.errors import UserError
from bot.workspace import serialize_changes
from storage.models import (
    ActionItem,
    Decision,
    DigestPost,
    DigestSubscription,
    IntakeRequest,
    Meeting,
    MeetingOccurrence,
    Milestone,
    Program,
    RaidItem,
)
from storage.types import ActionState, Flag, IntakeState, ProgramState, Rag, RaidKind, RaidState

TOP_RISKS = 5
MILESTONE_DAYS = 14
RAG_ORDER: dict[str | None, int] = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, None: 3}
# Decisions are read this far back (the longest gap between two digests, a monthly one
# and a holiday, fits), at most this many; the first digest shows the last week's.
DECISION_WINDOW = timedelta(days=45)
DECISIONS_READ = 100
FIRST_DIGEST_DECISIONS = timedelta(days=7)
OVERDUE_ACTIONS = 10


@dataclass(frozen=True)
class ProgramLine:
    """What a digest says about one program."""

    id: int
    key: str
    name: str
    owner_id: str
    rag: str | None
    days_in_state: int | None
    summary: str | None
    path_to_green: str | None
    trend: list[str]
    flags: dict[str, str]


@dataclass(frozen=True)
class RiskLine:
    """An open risk among the highest scores."""

    title: str
    score: int
    program_key: str
    owner_id: str


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone due soon."""

    name: str
    due: date
    program_key: str


@dataclass(frozen=True)
class DecisionNote:
    """A decision recorded lately."""

    number: int
    text: str
    program_key: str | None
    decided_at: datetime


@dataclass(frozen=True)
class OverdueAction:
    """An open action past its due date."""

    number: int
    title: str
    owner_id: str
    due: date
    program_key: str | None


@dataclass
class Snapshot:
    """The portfolio as a digest reports it; stored with each posted digest."""

    taken_at: datetime
    portfolio: str | None
    programs: list[ProgramLine]
    risks: list[RiskLine] = field(default_factory=list)
    milestones: list[MilestoneLine] = field(default_factory=list)
    intake_waiting: int = 0
    intake_oldest: str | None = None
    # Decisions of the last DECISION_WINDOW, newest first (a digest shows those since the
    # previous one), and the most overdue open actions with how many there are.
    decisions: list[DecisionNote] = field(default_factory=list)
    overdue_actions: list[OverdueAction] = field(default_factory=list)
    overdue_actions_total: int = 0

    def compact(self) -> dict[str, Any]:
        """The state reported, as stored with the post: each program's colour and flags."""
        return {
            "taken_at": self.taken_at.isoformat(),
            "portfolio": self.portfolio,
            "counts": self.counts(),
            "programs": {str(p.id): [p.rag, sorted(p.flags)] for p in self.programs},
        }

    def counts(self) -> dict[str, int]:
        """Headline counts: programs by colour, with no update, and flagged."""
        counts = {"green": 0, "amber": 0, "red": 0, "no update": 0, "flagged": 0}
        for program in self.programs:
            counts[program.rag or "no update"] += 1
            counts["flagged"] += bool(program.flags)
        return counts


@dataclass(frozen=True)
class Changes:
    """What moved since the previous digest."""

    new_red: list[ProgramLine]
    worsened: list[ProgramLine]
    recovered: list[ProgramLine]
    newly_overdue: list[ProgramLine]
    first: bool = False
    # Decisions recorded since the previous digest (the last week's for the first one).
    decisions: tuple[DecisionNote, ...] = ()
    decisions_since: datetime | None = None

    @property
    def empty(self) -> bool:
        """Nothing moved."""
        return not (self.new_red or self.worsened or self.recovered or self.newly_overdue)


def take_snapshot(
    session: Session, *, team_id: str, portfolio: str | None, now: datetime, tz: str
) -> Snapshot:
    """Read the portfolio in a fixed number of queries, whatever its size."""
    today = now.astimezone(ZoneInfo(tz)).date()
    scope = [
        Program.team_id == team_id,
        Program.state.in_((ProgramState.ACTIVE, ProgramState.PAUSED)),
    ]
    if portfolio is not None:
        scope.append(func.lower(Program.portfolio) == portfolio.lower())
    programs = [_line(p, now) for p in session.scalars(select(Program).where(*scope))]
    programs.sort(key=lambda p: (RAG_ORDER.get(p.rag, 3), -len(p.flags), p.name.lower()))
    snapshot = Snapshot(taken_at=now, portfolio=portfolio, programs=programs)
    snapshot.risks = _top_risks(session, scope=scope)
    snapshot.milestones = _milestones(session, scope=scope, today=today)
    snapshot.intake_waiting, snapshot.intake_oldest = _intake(session, team_id=team_id, today=today)
    snapshot.decisions = _decisions(session, team_id=team_id, portfolio=portfolio, now=now)
    snapshot.overdue_actions, snapshot.overdue_actions_total = _overdue_actions(
        session, team_id=team_id, portfolio=portfolio, today=today
    )
    return snapshot


def _line(program: Program, now: datetime) -> ProgramLine:
    days = (now - program.rag_since).days if program.rag_since else None
    return ProgramLine(
        id=program.id,
        key=program.key,
        name=program.name,
        owner_id=program.owner_id,
        rag=program.rag,
        days_in_state=days,
        summary=program.last_summary,
        path_to_green=program.path_to_green,
        trend=list(program.trend or []),
        flags=dict(program.flags or {}),
    )


def _top_risks(session: Session, *, scope: list[Any]) -> list[RiskLine]:
    rows = session.execute(
        select(RaidItem.title, RaidItem.score, Program.key, RaidItem.owner_id)
        .join(Program, Program.id == RaidItem.program_id)
        .where(RaidItem.state == RaidState.OPEN, RaidItem.kind == RaidKind.RISK, *scope)
        .order_by(RaidItem.score.desc(), RaidItem.id)
        .limit(TOP_RISKS)
    ).all()
    return [
        RiskLine(title=r.title, score=r.score, program_key=r.key, owner_id=r.owner_id) for r in rows
    ]


def _milestones(session: Session, *, scope: list[Any], today: date) -> list[MilestoneLine]:
    rows = session.execute(
        select(Milestone.name, Milestone.due_date, Program.key)
        .join(Program, Program.id == Milestone.program_id)
        .where(
            Milestone.done_at.is_(None),
            Milestone.due_date >= today,
            Milestone.due_date <= today + timedelta(days=MILESTONE_DAYS),
            *scope,
        )
        .order_by(Milestone.due_date, Milestone.id)
        .limit(50)
    ).all()
    return [MilestoneLine(name=r.name, due=r.due_date, program_key=r.key) for r in rows]


def _intake(session: Session, *, team_id: str, today: date) -> tuple[int, str | None]:
    """Requests waiting for a decision, counting deferred ones whose date has come."""
    back = (IntakeRequest.state == IntakeState.DEFERRED) & (IntakeRequest.defer_until <= today)
    waiting = select(IntakeRequest).where(
        IntakeRequest.team_id == team_id, (IntakeRequest.state == IntakeState.PENDING) | back
    )
    count = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    oldest = session.scalar(waiting.order_by(IntakeRequest.created_at).limit(1))
    if oldest is None:
        return count, None
    return count, f"INT-{oldest.number} {oldest.title}"


def _of_portfolio(portfolio: str | None) -> list[ColumnElement[bool]]:
    """A decision's or action's portfolio: its program's, else (none) its meeting's."""
    if portfolio is None:
        return []
    name = portfolio.lower()
    return [
        or_(
            func.lower(Program.portfolio) == name,
            and_(Program.id.is_(None), func.lower(Meeting.portfolio) == name),
        )
    ]


def _decisions(
    session: Session, *, team_id: str, portfolio: str | None, now: datetime
) -> list[DecisionNote]:
    rows = session.execute(
        select(Decision.number, Decision.text, Program.key, Decision.decided_at)
        .outerjoin(Program, Program.id == Decision.program_id)
        .outerjoin(MeetingOccurrence, MeetingOccurrence.id == Decision.occurrence_id)
        .outerjoin(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .where(
            Decision.team_id == team_id,
            Decision.decided_at >= now - DECISION_WINDOW,
            *_of_portfolio(portfolio),
        )
        .order_by(Decision.decided_at.desc(), Decision.number.desc())
        .limit(DECISIONS_READ)
    ).all()
    return [DecisionNote(*row) for row in rows]


def _overdue_actions(
    session: Session, *, team_id: str, portfolio: str | None, today: date
) -> tuple[list[OverdueAction], int]:
    """The most overdue open actions, and (in the same query) how many are overdue."""
    rows = session.execute(
        select(
            ActionItem.number,
            ActionItem.title,
            ActionItem.owner_id,
            ActionItem.due_date,
            Program.key,
            func.count().over().label("total"),
        )
        .outerjoin(Program, Program.id == ActionItem.program_id)
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(
            ActionItem.team_id == team_id,
            ActionItem.state == ActionState.OPEN,
            ActionItem.due_date < today,
            *_of_portfolio(portfolio),
        )
        .order_by(ActionItem.due_date, ActionItem.number)
        .limit(OVERDUE_ACTIONS)
    ).all()
    return [OverdueAction(*row[:5]) for row in rows], (rows[0].total if rows else 0)


def changes_since(previous: dict[str, Any] | None, snapshot: Snapshot) -> Changes:
    """Compare with the previous digest's stored snapshot, not with today's edits of it."""
    since = _decisions_since(previous, snapshot)
    decided = tuple(d for d in snapshot.decisions if d.decided_at > since)
    if previous is None:
        return Changes([], [], [], [], first=True, decisions=decided)
    before: dict[str, list[Any]] = previous.get("programs", {})
    new_red, worsened, recovered, overdue = [], [], [], []
    for program in snapshot.programs:
        rag, flags = before.get(str(program.id), [None, []])
        if program.rag == "red" and rag != "red":
            new_red.append(program)
        elif _rank(program.rag) > _rank(rag) and rag is not None:
            worsened.append(program)
        elif _rank(program.rag) < _rank(rag):
            recovered.append(program)
        if Flag.OVERDUE_UPDATE in program.flags and Flag.OVERDUE_UPDATE not in flags:
            overdue.append(program)
    return Changes(new_red, worsened, recovered, overdue, decisions=decided, decisions_since=since)


def _decisions_since(previous: dict[str, Any] | None, snapshot: Snapshot) -> datetime:
    """When the previous digest was taken; a week back for the first one."""
    taken = (previous or {}).get("taken_at")
    if isinstance(taken, str):
        return datetime.fromisoformat(taken)
    return snapshot.taken_at - FIRST_DIGEST_DECISIONS


def _rank(rag: str | None) -> int:
    return {"green": 0, "amber": 1, "red": 2}.get(rag or "", -1)


def previous_snapshot(
    session: Session,
    *,
    team_id: str,
    channel_id: str | None,
    portfolio: str | None,
    before: datetime,
) -> dict[str, Any] | None:
    """The snapshot of the last scheduled digest (of this channel, when one is given)."""
    query = select(DigestPost.snapshot).where(
        DigestPost.team_id == team_id, DigestPost.scheduled.is_(True), DigestPost.posted_at < before
    )
    if channel_id is not None:
        query = query.where(DigestPost.channel_id == channel_id)
    query = query.where(
        DigestPost.portfolio.is_(None)
        if portfolio is None
        else func.lower(DigestPost.portfolio) == portfolio.lower()
    )
    return session.scalar(query.order_by(DigestPost.posted_at.desc()).limit(1))


def portfolios(session: Session, *, team_id: str) -> list[str]:
    """The portfolio names in use."""
    query = (
        select(Program.portfolio)
        .where(Program.team_id == team_id, Program.portfolio.is_not(None))
        .distinct()
    )
    return sorted(p for p in session.scalars(query) if p)


def check_portfolio(session: Session, *, team_id: str, portfolio: str | None) -> str | None:
    """The portfolio's stored spelling, refusing a name no program uses."""
    if portfolio is None:
        return None
    known = {p.lower(): p for p in portfolios(session, team_id=team_id)}
    if portfolio.lower() not in known:
        names = ", ".join(sorted(known.values())) or "none yet"
        raise UserError(f"No program is in a portfolio called “{portfolio}”. Portfolios: {names}.")
    return known[portfolio.lower()]


@dataclass(frozen=True)
class Subscribed:
    """What `subscribe` did: the subscription, and the schedule it replaced (cadence, zone)."""

    sub: DigestSubscription
    was: tuple[str, str] | None = None


def subscribe(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    cadence: str,
    tz: str,
    portfolio: str | None,
    actor_id: str,
    now: datetime,
) -> Subscribed:
    """Subscribe a channel, or change its schedule if it already has this digest.

    `portfolio` is checked (a name some program uses) and stored in its known spelling.
    """
    portfolio = check_portfolio(session, team_id=team_id, portfolio=portfolio)
    parsed = parse_cadence(cadence)
    serialize_changes(session, team_id=team_id)  # two subscribes at once make one subscription
    sub = _subscription(session, team_id=team_id, channel_id=channel_id, portfolio=portfolio)
    before = _describe(sub) if sub else None
    was = (sub.cadence, sub.timezone) if sub else None
    if sub is None:
        sub = DigestSubscription(
            team_id=team_id,
            channel_id=channel_id,
            portfolio=portfolio,
            created_by=actor_id,
            created_at=now,
            cadence="",
            timezone=tz,
        )
        session.add(sub)
    sub.cadence, sub.timezone = parsed.spec, tz
    sub.next_due_at = next_due(parsed, after=now, tz=tz)
    session.flush()
    after = _describe(sub)
    audit.record(
        session, sub, actor_id=actor_id, action="subscribe", now=now, before=before, after=after
    )
    return Subscribed(sub, was)


def _subscription(
    session: Session, *, team_id: str, channel_id: str, portfolio: str | None
) -> DigestSubscription | None:
    """The channel's live subscription to this portfolio's digest (None: the whole one)."""
    same_portfolio = (
        DigestSubscription.portfolio.is_(None)
        if portfolio is None
        else DigestSubscription.portfolio == portfolio
    )
    return session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id,
            DigestSubscription.channel_id == channel_id,
            DigestSubscription.removed_at.is_(None),
            same_portfolio,
        )
    )


def _describe(sub: DigestSubscription) -> dict[str, object]:
    return {
        "channel_id": sub.channel_id,
        "cadence": sub.cadence,
        "timezone": sub.timezone,
        "portfolio": sub.portfolio,
    }


def unsubscribe(
    session: Session, *, team_id: str, channel_id: str, actor_id: str, now: datetime
) -> int:
    """Stop a channel's digests (the subscriptions are kept, marked removed)."""
    subs = list(
        session.scalars(
            select(DigestSubscription).where(
                DigestSubscription.team_id == team_id,
                DigestSubscription.channel_id == channel_id,
                DigestSubscription.removed_at.is_(None),
            )
        )
    )
    if not subs:
        raise UserError(f"<#{channel_id}> has no digest subscription.")
    for sub in subs:
        sub.removed_at, sub.next_due_at = now, None
        audit.record(
            session,
            sub,
            actor_id=actor_id,
            action="unsubscribe",
            now=now,
            before=_describe(sub),
        )
    return len(subs)


def subscriptions(session: Session, *, team_id: str) -> list[DigestSubscription]:
    """The live subscriptions, by channel."""
    query = select(DigestSubscription).where(
        DigestSubscription.team_id == team_id, DigestSubscription.removed_at.is_(None)
    )
    return list(session.scalars(query.order_by(DigestSubscription.channel_id)))


def posted_on(session: Session, *, team_id: str, day: date) -> list[DigestPost]:
    """Digests posted on a (channel-local) day, earliest first."""
    query = select(DigestPost).where(DigestPost.team_id == team_id, DigestPost.local_date == day)
    return list(session.scalars(query.order_by(DigestPost.posted_at, DigestPost.id)))
