"""Program flags: one pure function from a program's facts and `now` to its flags.

Each flag maps to a reason a person can read ("milestone 'Cutover' is 9 days late").
Only ALERTING flags send alerts when raised or cleared; the others show in `program show`,
App Home and digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.blocks.common import plural
from storage.types import Flag, ProgramState, Rag, RaidKind

HIGH_RISK_SCORE = 15
BLOCKERS_CARRIED_DAYS = 7
ALERTING = frozenset({Flag.RED, Flag.OVERDUE_UPDATE, Flag.STALE, Flag.HIGH_RISK})
# Most severe first: the order flags are listed in (the order Flag declares them).
ORDER = tuple(Flag)
LIVE_STATES = (ProgramState.ACTIVE, ProgramState.PAUSED)


class OpenMilestone(NamedTuple):
    """A milestone not done yet."""

    name: str
    due: date


class OpenRaid(NamedTuple):
    """What the flags need of an open RAID item."""

    title: str
    kind: str
    score: int | None  # None for decisions and assumptions, which are not scored
    due: date | None
    blocking: bool


@dataclass(frozen=True)
class LatestUpdate:
    """What the flags need of the latest status update."""

    rag: str
    blockers: str | None
    path_to_green: str | None
    recovery_date: date | None


@dataclass(frozen=True)
class Facts:
    """Everything flags depend on, read in a fixed number of queries.

    Attributes:
        today: The program's local date (target and due dates are local dates).
        blockers_since: When the unbroken run of updates naming blockers began.
        milestones: Milestones not done, earliest first.
        open_raid: Open RAID items.
        overdue: Why the update is overdue (set by the scheduler), or None.
        stale: Why the program is stale (set by the scheduler), or None.
    """

    state: str
    today: date
    tz: str
    target_date: date | None = None
    latest: LatestUpdate | None = None
    blockers_since: datetime | None = None
    milestones: tuple[OpenMilestone, ...] = ()
    open_raid: tuple[OpenRaid, ...] = ()
    overdue: str | None = None
    stale: str | None = None


def compute(facts: Facts, now: datetime) -> dict[str, str]:
    """The program's flags with their reasons, most severe first."""
    if facts.state not in LIVE_STATES:
        return {}
    found: dict[str, str] = {}
    _status_flags(facts, found)
    _schedule_flags(facts, found)
    _risk_flags(facts, found)
    _blocked(facts, found)
    _mismatch(facts, now, found)
    return {code: found[code] for code in ORDER if code in found}


def _status_flags(facts: Facts, found: dict[str, str]) -> None:
    latest = facts.latest
    if facts.overdue is not None:
        found[Flag.OVERDUE_UPDATE] = facts.overdue
    if facts.stale is not None:
        found[Flag.STALE] = facts.stale
    if latest is None:
        return
    if latest.rag == Rag.RED:
        found[Flag.RED] = "reported red"
    if latest.rag in (Rag.AMBER, Rag.RED) and not (latest.path_to_green and latest.recovery_date):
        found[Flag.NO_RECOVERY_PLAN] = f"reported {latest.rag} without a path to green and date"


def _schedule_flags(facts: Facts, found: dict[str, str]) -> None:
    if facts.target_date is not None and facts.target_date < facts.today:
        days = (facts.today - facts.target_date).days
        found[Flag.PAST_TARGET] = f"target date passed {_days(days)} ago"
    late = [m for m in facts.milestones if m.due < facts.today]
    if late:
        first = late[0]
        more = f" (+{len(late) - 1} more)" if len(late) > 1 else ""
        found[Flag.MILESTONE_LATE] = (
            f"milestone ‘{first.name}’ is {_days((facts.today - first.due).days)} late{more}"
        )


def _risk_flags(facts: Facts, found: dict[str, str]) -> None:
    risks = [r for r in facts.open_raid if r.kind == RaidKind.RISK]
    high = sorted((r for r in risks if _score(r) >= HIGH_RISK_SCORE), key=lambda r: -_score(r))
    if high:
        more = f" (+{len(high) - 1} more)" if len(high) > 1 else ""
        found[Flag.HIGH_RISK] = f"open risk ‘{high[0].title}’ scores {high[0].score}{more}"
    overdue = [(r.title, r.due) for r in risks if r.due is not None and r.due < facts.today]
    if overdue:
        title, due = overdue[0]
        found[Flag.RISK_OVERDUE] = f"risk ‘{title}’ was due {_days((facts.today - due).days)} ago"


def _score(item: OpenRaid) -> int:
    """An item's score; an unscored one (a decision, an assumption) never counts as high."""
    return item.score if item.score is not None else 0


def _blocked(facts: Facts, found: dict[str, str]) -> None:
    if facts.latest is not None and facts.latest.blockers:
        found[Flag.BLOCKED] = f"blockers: {_clip(facts.latest.blockers)}"
        return
    blocking = [r for r in facts.open_raid if r.kind == RaidKind.ISSUE and r.blocking]
    if blocking:
        found[Flag.BLOCKED] = f"blocking issue ‘{blocking[0].title}’"


def _mismatch(facts: Facts, now: datetime, found: dict[str, str]) -> None:
    """Reported colour better than the evidence: say why."""
    latest = facts.latest
    if latest is None or latest.rag == Rag.RED:
        return
    evidence = []
    if Flag.HIGH_RISK in found:
        evidence.append(found[Flag.HIGH_RISK])
    if Flag.MILESTONE_LATE in found:
        evidence.append(found[Flag.MILESTONE_LATE])
    if Flag.PAST_TARGET in found:
        evidence.append(found[Flag.PAST_TARGET])
    since = facts.blockers_since
    if (
        since is not None
        and latest.blockers
        and now - since > timedelta(days=BLOCKERS_CARRIED_DAYS)
    ):
        evidence.append(f"blockers carried for {_days((now - since).days)}")
    if evidence:
        found[Flag.RAG_MISMATCH] = f"Reported {latest.rag}, but: " + "; ".join(evidence)


def next_recheck(facts: Facts, now: datetime) -> datetime | None:
    """The earliest instant after `now` at which time alone changes the flags.

    Dates roll over at local midnight: a target, milestone or risk due today becomes late
    tomorrow; carried blockers turn into a mismatch seven days after they started.
    """
    zone = ZoneInfo(facts.tz)
    candidates: list[datetime] = []
    days = [
        facts.target_date,
        *(m.due for m in facts.milestones),
        *(r.due for r in facts.open_raid if r.kind == RaidKind.RISK),
    ]
    for day in days:
        if day is not None and facts.today <= day < date.max:
            midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            candidates.append(midnight.astimezone(now.tzinfo))
    if facts.blockers_since is not None:
        carried = facts.blockers_since + timedelta(days=BLOCKERS_CARRIED_DAYS, seconds=1)
        if carried > now:
            candidates.append(carried)
    return min(candidates) if candidates else None


def changes(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """The alerting flags raised and cleared between two flag sets."""
    raised: list[str] = [f for f in ORDER if f in ALERTING and f in after and f not in before]
    cleared: list[str] = [f for f in ORDER if f in ALERTING and f in before and f not in after]
    return raised, cleared


def _days(n: int) -> str:
    return plural(n, "day")


def _clip(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
