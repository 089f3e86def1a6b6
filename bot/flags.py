"""Program flags: one pure function from a program's facts and `now` to its flags.

Each flag maps to a reason a person can read ("milestone 'Cutover' is 9 days late").
Only ALERTING flags send alerts when raised or cleared; the others show in `program show`,
App Home and digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HIGH_RISK_SCORE = 15
BLOCKERS_CARRIED_DAYS = 7
ALERTING = frozenset({"RED", "OVERDUE_UPDATE", "STALE", "HIGH_RISK"})
# Most severe first: the order flags are listed in.
ORDER = (
    "RED",
    "OVERDUE_UPDATE",
    "STALE",
    "HIGH_RISK",
    "BLOCKED",
    "PAST_TARGET",
    "MILESTONE_LATE",
    "RISK_OVERDUE",
    "RAG_MISMATCH",
    "NO_RECOVERY_PLAN",
)
RAG_RANK = {"green": 0, "amber": 1, "red": 2}


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
        late_milestones: (name, due) of milestones not done, earliest first.
        open_raid: (title, kind, score, due, blocking) of open RAID items.
        overdue: Why the update is overdue (set by the scheduler), or None.
        stale: Why the program is stale (set by the scheduler), or None.
    """

    state: str
    today: date
    tz: str
    target_date: date | None = None
    latest: LatestUpdate | None = None
    blockers_since: datetime | None = None
    milestones: tuple[tuple[str, date], ...] = ()
    open_raid: tuple[tuple[str, str, int, date | None, bool], ...] = ()
    overdue: str | None = None
    stale: str | None = None


def compute(facts: Facts, now: datetime) -> dict[str, str]:
    """The program's flags with their reasons, most severe first."""
    if facts.state not in ("active", "paused"):
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
        found["OVERDUE_UPDATE"] = facts.overdue
    if facts.stale is not None:
        found["STALE"] = facts.stale
    if latest is None:
        return
    if latest.rag == "red":
        found["RED"] = "reported red"
    if latest.rag in ("amber", "red") and not (latest.path_to_green and latest.recovery_date):
        found["NO_RECOVERY_PLAN"] = f"reported {latest.rag} without a path to green and date"


def _schedule_flags(facts: Facts, found: dict[str, str]) -> None:
    if facts.target_date is not None and facts.target_date < facts.today:
        days = (facts.today - facts.target_date).days
        found["PAST_TARGET"] = f"target date passed {_days(days)} ago"
    late = [(name, due) for name, due in facts.milestones if due < facts.today]
    if late:
        name, due = late[0]
        more = f" (+{len(late) - 1} more)" if len(late) > 1 else ""
        found["MILESTONE_LATE"] = (
            f"milestone ‘{name}’ is {_days((facts.today - due).days)} late{more}"
        )


def _risk_flags(facts: Facts, found: dict[str, str]) -> None:
    risks = [r for r in facts.open_raid if r[1] == "risk"]
    high = sorted((r for r in risks if r[2] >= HIGH_RISK_SCORE), key=lambda r: -r[2])
    if high:
        more = f" (+{len(high) - 1} more)" if len(high) > 1 else ""
        found["HIGH_RISK"] = f"open risk ‘{high[0][0]}’ scores {high[0][2]}{more}"
    overdue = [r for r in risks if r[3] is not None and r[3] < facts.today]
    if overdue:
        title, _, _, due, _ = overdue[0]
        assert due is not None
        found["RISK_OVERDUE"] = f"risk ‘{title}’ was due {_days((facts.today - due).days)} ago"


def _blocked(facts: Facts, found: dict[str, str]) -> None:
    if facts.latest is not None and facts.latest.blockers:
        found["BLOCKED"] = f"blockers: {_clip(facts.latest.blockers)}"
        return
    blocking = [r for r in facts.open_raid if r[1] == "issue" and r[4]]
    if blocking:
        found["BLOCKED"] = f"blocking issue ‘{blocking[0][0]}’"


def _mismatch(facts: Facts, now: datetime, found: dict[str, str]) -> None:
    """Reported colour better than the evidence: say why."""
    latest = facts.latest
    if latest is None or latest.rag == "red":
        return
    evidence = []
    if "HIGH_RISK" in found:
        evidence.append(found["HIGH_RISK"])
    if "MILESTONE_LATE" in found:
        evidence.append(found["MILESTONE_LATE"])
    if "PAST_TARGET" in found:
        evidence.append(found["PAST_TARGET"])
    since = facts.blockers_since
    if (
        since is not None
        and latest.blockers
        and now - since > timedelta(days=BLOCKERS_CARRIED_DAYS)
    ):
        evidence.append(f"blockers carried for {_days((now - since).days)}")
    if evidence:
        found["RAG_MISMATCH"] = f"Reported {latest.rag}, but: " + "; ".join(evidence)


def next_recheck(facts: Facts, now: datetime) -> datetime | None:
    """The earliest instant after `now` at which time alone changes the flags.

    Dates roll over at local midnight: a target, milestone or risk due today becomes late
    tomorrow; carried blockers turn into a mismatch seven days after they started.
    """
    zone = ZoneInfo(facts.tz)
    candidates: list[datetime] = []
    days = [
        facts.target_date,
        *(due for _, due in facts.milestones),
        *(r[3] for r in facts.open_raid if r[1] == "risk"),
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
    raised = [f for f in ORDER if f in ALERTING and f in after and f not in before]
    cleared = [f for f in ORDER if f in ALERTING and f in before and f not in after]
    return raised, cleared


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _clip(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
