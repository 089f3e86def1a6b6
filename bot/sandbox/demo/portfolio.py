"""The demo portfolio's story: programs with their weekly colours, RAID items, milestones.

Everything is relative to when `demo-data` runs: a program's `arc` is what its owner reported
in each of the last WEEKS weeks, due dates are days from now, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import status
from bot.sandbox.demo.workspace import (
    ADA,
    APOLLO,
    ATLAS,
    KIM,
    LEE,
    OTTO,
    SAM,
    TITAN,
    user_of,
)

WEEKS = 12  # weeks of status history
DIGEST_CADENCE = "weekly mon 09:00"


@dataclass(frozen=True)
class ProgramSpec:
    """One demo program and its story.

    Attributes:
        arc: One letter per week, oldest first, ending last week: g/a/r for the colour
            reported that week, `.` for a week without an update.
        plan: Amber and red updates come with a path to green and a recovery date.
        blockers: Named as blockers in the last three updates.
        target_weeks: The target date, in weeks from now (negative: already passed).
    """

    name: str
    owner: str
    portfolio: str
    arc: str
    thing: str
    dependency: str
    channel: str | None = None
    sponsor: str | None = None
    delegates: tuple[str, ...] = ()
    plan: bool = True
    blockers: str | None = None
    target_weeks: int | None = None
    registered_weeks_ago: int = WEEKS + 1
    paused_weeks_ago: int | None = None


PROGRAMS = (
    ProgramSpec(
        "Apollo", LEE, "Payments", "gggggggaaaaa", "card vendor integration", "the card vendor",
        channel=APOLLO, sponsor=SAM, delegates=(OTTO,), target_weeks=10,
    ),
    ProgramSpec(
        "Hermes", LEE, "Payments", "gggggggggggg", "checkout redesign", "design review",
        target_weeks=16,
    ),
    ProgramSpec(
        "Atlas", LEE, "Platform", "ggggaaaarrrr", "cloud migration", "the network team",
        channel=ATLAS, sponsor=SAM, target_weeks=6,
    ),
    ProgramSpec(
        "Zephyr", KIM, "Platform", "gggggggggggg", "CI pipeline", "build agents",
        delegates=(LEE,), target_weeks=20,
    ),
    ProgramSpec(
        "Orion", KIM, "Data", "gggggggaaaaa", "data model", "finance sign-off", plan=False,
        target_weeks=12,
    ),
    ProgramSpec("Nova", KIM, "Data", "aaaggggggggg", "reporting suite", "the BI licence"),
    ProgramSpec(
        "Titan", OTTO, "Platform", "gggaaarrrrrr", "identity service", "the security review",
        channel=TITAN, sponsor=SAM, blockers="Security review has not started; no reviewer",
        target_weeks=-2,
    ),
    ProgramSpec("Vega", OTTO, "Payments", "gggggggggggg", "fraud rules", "the rules engine"),
    ProgramSpec(
        "Luna", OTTO, "Data", "gggggaaaaaaa", "customer 360", "the CRM export", sponsor=ADA,
        target_weeks=8,
    ),
    ProgramSpec(
        "Phoenix", KIM, "Platform", "ggggggaa....", "legacy decommission", "contract end",
        paused_weeks_ago=3,
    ),
    ProgramSpec(
        "Borealis", OTTO, "Data", "ggggggg.....", "data lake", "storage quotes",
        target_weeks=14,
    ),
    ProgramSpec(
        "Polaris", LEE, "Payments", "", "wallet pilot", "the bank partner",
        registered_weeks_ago=1, target_weeks=26,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class RaidSpec:
    """A RAID item logged `weeks_ago`, due `due_days` from now."""

    program: str
    title: str
    kind: str
    likelihood: int | None  # None for a decision or an assumption, which are not scored
    impact: int | None
    owner: str
    weeks_ago: int
    due_days: int | None = None
    mitigation: str | None = None
    blocking: bool = False


RAID = (
    RaidSpec("apollo", "Card vendor may miss the PCI deadline", "risk", 4, 5, LEE, 4, 12,
             "Weekly vendor check-ins; fallback vendor shortlisted"),
    RaidSpec("apollo", "Test environment shared with Hermes", "risk", 2, 3, OTTO, 9, 30),
    RaidSpec("atlas", "Key network engineer leaving in March", "risk", 3, 4, LEE, 6, 20,
             "Pairing and runbooks"),
    RaidSpec("titan", "Security review backlog", "issue", 5, 4, OTTO, 5, blocking=True),
    RaidSpec("vega", "Rules engine licence renewal", "risk", 3, 3, OTTO, 7, -3),
    RaidSpec("orion", "Finance can staff the sign-off in January", "assumption", None, None,
             KIM, 8),
    RaidSpec("luna", "CRM export API from the sales team", "dependency", 3, 3, OTTO, 6, 21),
    RaidSpec("hermes", "Keep the old checkout for one release", "decision", None, None, LEE, 3),
)  # fmt: skip


@dataclass(frozen=True)
class MilestoneSpec:
    """A milestone added `weeks_ago`, due `due_days` from now, maybe done `done_days_ago`."""

    program: str
    name: str
    due_days: int
    weeks_ago: int
    done_days_ago: int | None = None


MILESTONES = (
    MilestoneSpec("apollo", "Design freeze", -40, 11, done_days_ago=42),
    MilestoneSpec("apollo", "Pilot launch", 10, 8),
    MilestoneSpec("hermes", "Beta", 35, 8),
    MilestoneSpec("atlas", "First workloads moved", -20, 10, done_days_ago=18),
    MilestoneSpec("atlas", "Cut-over", 12, 10),
    MilestoneSpec("orion", "Data model sign-off", -9, 9),
    MilestoneSpec("titan", "Pen test", 7, 6),
    MilestoneSpec("luna", "Unified profile demo", 5, 5),
)

GOALS = ("Grow revenue", "Reduce operating cost", "Stay compliant")

PHRASES = {
    "g": (
        "On plan; {thing} progressing well",
        "Sprint closed on time; {thing} demo went well",
        "{Thing} on track, no new risks",
        "Steady progress on {thing}",
    ),
    "a": (
        "{Thing} running late; testing squeezed",
        "Waiting on {dependency}",
        "Scope growing on {thing}; replanning",
        "Velocity down; {dependency} slower than expected",
    ),
    "r": (
        "{Thing} blocked by {dependency}",
        "Go-live at risk: {thing} failing in test",
        "Still blocked on {dependency}; escalated",
        "No progress on {thing} this week",
    ),
}
PATHS = {
    "a": "Add a second team on {thing}; weekly check-ins with {dependency}",
    "r": "Escalated to the sponsor; re-plan {thing} once {dependency} commits to a date",
}


def local_date(when: datetime, user_id: str) -> date:
    """The date at `when` in the user's zone."""
    return when.astimezone(ZoneInfo(user_of(user_id).tz)).date()


def monday_morning(when: datetime, spec: ProgramSpec) -> datetime:
    """09:00 on the Monday of `when`'s week, in the owner's zone: when a program is registered."""
    day = local_date(when, spec.owner)
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(9, 0), tzinfo=ZoneInfo(user_of(spec.owner).tz))


def update_times(now: datetime, user_id: str, weeks: int) -> list[datetime]:
    """An hour after each of the last `weeks` Friday 10:00 slots (the owner's time), oldest first.

    Each update answers its slot's prompt, as a diligent lead would; the next Friday's prompt
    is due, as it would be in a live workspace. The last one is never later than `now`.
    """
    zone = ZoneInfo(user_of(user_id).tz)
    day = now.astimezone(zone).date()
    friday = day - timedelta(days=(day.weekday() - 4) % 7)
    if datetime.combine(friday, time(10, 0), tzinfo=zone) > now:
        friday -= timedelta(weeks=1)
    fridays = [friday - timedelta(weeks=n) for n in reversed(range(weeks))]
    answered = [datetime.combine(d, time(11, 0), tzinfo=zone) for d in fridays]
    return [min(when, now - timedelta(minutes=1)) for when in answered]


def status_input(
    spec: ProgramSpec, rag: str, week: int, *, recent: bool, today: date
) -> status.StatusInput:
    """What the owner reported in `week` (a `g`/`a`/`r` of the arc), as of their `today`."""
    words = {"thing": spec.thing, "Thing": spec.thing.capitalize(), "dependency": spec.dependency}
    phrases = PHRASES[rag]
    colour = {"g": "green", "a": "amber", "r": "red"}[rag]
    planned = spec.plan and rag != "g"
    return status.StatusInput(
        rag=colour,
        summary=phrases[week % len(phrases)].format(**words),
        accomplishments=f"Week {week + 1}: {spec.thing} work items closed" if rag == "g" else None,
        next_steps=f"Continue with {spec.thing}",
        blockers=spec.blockers if recent else None,
        path_to_green=PATHS[rag].format(**words) if planned else None,
        recovery_date=today + timedelta(weeks=4) if planned else None,
        source=("command", "modal", "reply")[week % 3],
    )
