"""What a person's App Home shows: their programs, risks and intake; the portfolio for admins.

Everything is read with a handful of indexed queries whose cost does not grow with the
portfolio: lists are limited, counts are aggregates, and each program carries its own trend
(`Program.trend`), so no status history is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot import notify, working_time
from bot.raid import BY_SCORE, RaidPage
from bot.workspace import is_pmo_admin
from storage.models import (
    ActionItem,
    IntakeRequest,
    Person,
    Program,
    ProgramDelegate,
    RaidItem,
    Workspace,
)
from storage.types import ActionState, Flag, IntakeState, ProgramState, Rag, RaidState

T = TypeVar("T")
Order = ColumnElement[Any] | InstrumentedAttribute[Any]
PROGRAMS_SHOWN = 20
RISKS_SHOWN = 10
INTAKE_SHOWN = 10
ACTIONS_SHOWN = 10
FLAGGED_SHOWN = 25
LIVE_STATES = (ProgramState.ACTIVE, ProgramState.PAUSED)
PENDING = IntakeState.PENDING
OVERDUE = Flag.OVERDUE_UPDATE
# Red first, then amber, no status yet, green: what needs attention comes first.
_RAG_ORDER = case({Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 3}, value=Program.rag, else_=2)


@dataclass(frozen=True)
class Page(Generic[T]):
    """The first rows of a list and how many there are in all."""

    items: list[T]
    total: int


@dataclass(frozen=True)
class Portfolio:
    """An admin's view of the whole workspace (active and paused programs)."""

    by_rag: dict[str | None, int]
    flagged: Page[Program]
    overdue: int
    intake_waiting: int
    oldest_intake: IntakeRequest | None

    @property
    def total(self) -> int:
        """How many live programs there are."""
        return sum(self.by_rag.values())


@dataclass(frozen=True)
class Home:
    """Everything one person's Home tab shows, as of `now` in their `timezone`."""

    guest: bool
    now: datetime
    timezone: str
    programs: Page[Program] = field(default_factory=lambda: Page([], 0))
    risks: RaidPage = field(default_factory=lambda: RaidPage([], 0))
    intake: Page[IntakeRequest] = field(default_factory=lambda: Page([], 0))
    actions: Page[ActionItem] = field(default_factory=lambda: Page([], 0))
    portfolio: Portfolio | None = None
    working_time: str = ""
    muted: tuple[str, ...] = ()  # the kinds of DM they muted (`/pmo notify`)


def gather(session: Session, *, person: Person, workspace: Workspace, now: datetime) -> Home:
    """Read what `person` sees on Home; a guest gets no portfolio data at all."""
    timezone = person.tz or workspace.timezone
    if person.is_restricted:
        return Home(guest=True, now=now, timezone=timezone)
    admin = is_pmo_admin(session, person=person)
    return Home(
        guest=False,
        now=now,
        timezone=timezone,
        programs=my_programs(session, person=person),
        risks=my_risks(session, person=person),
        intake=my_intake(session, person=person),
        actions=my_actions(session, person=person),
        portfolio=portfolio(session, team_id=person.team_id) if admin else None,
        working_time=working_time.describe(working_time.for_person(person, workspace)),
        muted=tuple(notify.muted_kinds(person)),
    )


def _covered_by(person: Person) -> Select[tuple[int]]:
    return select(ProgramDelegate.program_id).where(
        ProgramDelegate.user_id == person.user_id, ProgramDelegate.removed_at.is_(None)
    )


def _page(session: Session, query: Select[tuple[T]], *order: Order, limit: int) -> Page[T]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*order).limit(limit))
    return Page(list(rows), total)


def my_programs(session: Session, *, person: Person) -> Page[Program]:
    """Live programs the person owns or covers as a delegate, the troubled ones first."""
    query = select(Program).where(
        Program.team_id == person.team_id,
        Program.state.in_(LIVE_STATES),
        or_(Program.owner_id == person.user_id, Program.id.in_(_covered_by(person))),
    )
    order = (Program.flag_count.desc(), _RAG_ORDER, Program.name)
    return _page(session, query, *order, limit=PROGRAMS_SHOWN)


def my_risks(session: Session, *, person: Person) -> RaidPage:
    """Open RAID items the person owns or that sit on their programs, highest score first."""
    query: Select[tuple[RaidItem, Program]] = (
        select(RaidItem, Program)
        .join(Program, Program.id == RaidItem.program_id)
        .where(
            RaidItem.team_id == person.team_id,
            RaidItem.state == RaidState.OPEN,
            Program.state.in_(LIVE_STATES),
            or_(
                RaidItem.owner_id == person.user_id,
                Program.owner_id == person.user_id,
                Program.id.in_(_covered_by(person)),
            ),
        )
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(*BY_SCORE).limit(RISKS_SHOWN))
    return RaidPage(items=[(item, program) for item, program in rows.tuples()], total=total)


def my_intake(session: Session, *, person: Person) -> Page[IntakeRequest]:
    """The person's own intake requests still waiting for a decision, oldest first."""
    query = select(IntakeRequest).where(
        IntakeRequest.team_id == person.team_id,
        IntakeRequest.requester_id == person.user_id,
        IntakeRequest.state == PENDING,
    )
    return _page(session, query, IntakeRequest.created_at, limit=INTAKE_SHOWN)


def my_actions(session: Session, *, person: Person) -> Page[ActionItem]:
    """The person's open meeting actions, soonest due first."""
    query = select(ActionItem).where(
        ActionItem.team_id == person.team_id,
        ActionItem.owner_id == person.user_id,
        ActionItem.state == ActionState.OPEN,
    )
    return _page(session, query, ActionItem.due_date, ActionItem.number, limit=ACTIONS_SHOWN)


def portfolio(session: Session, *, team_id: str) -> Portfolio:
    """Counts by RAG (None: no update yet), flagged programs, overdue updates, intake waiting."""
    live = (Program.team_id == team_id, Program.state.in_(LIVE_STATES))
    by_rag = dict(
        session.execute(select(Program.rag, func.count()).where(*live).group_by(Program.rag))
        .tuples()
        .all()
    )
    overdue = session.scalar(
        select(func.count()).where(*live, Program.flags[OVERDUE].as_string().is_not(None))
    )
    flagged = select(Program).where(*live, Program.flag_count > 0)
    order = (Program.flag_count.desc(), _RAG_ORDER, Program.name)
    waiting = select(IntakeRequest).where(
        IntakeRequest.team_id == team_id, IntakeRequest.state == PENDING
    )
    oldest = _page(session, waiting, IntakeRequest.created_at, IntakeRequest.id, limit=1)
    return Portfolio(
        by_rag=by_rag,
        flagged=_page(session, flagged, *order, limit=FLAGGED_SHOWN),
        overdue=overdue or 0,
        intake_waiting=oldest.total,
        oldest_intake=oldest.items[0] if oldest.items else None,
    )
