"""A meeting's plan: the days and time it falls on, every how many weeks, how long, in which
zone, and when its preparation happens.

`/pmo meeting schedule #ch "<days> <HH:MM>" [every:2w] [length:60m] [tz:…]` is read here. A
meeting's slots are its starts. Each occurrence brings three jobs: the pre-read DMs one working
day before (the same time on the previous working day of the meeting's calendar: the
workspace's working days and holidays, read in the meeting's zone), the agenda post an hour
before, and the close 30 minutes after its end (the minutes of a meeting left open, or the
record of one nobody started).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.cadence import Cadence, Schedule, parse_cadence, slot_local
from bot.commands import is_time_word, parse_hhmm, parse_timezone, time_words
from bot.errors import UserError
from bot.scheduling import SlotJob
from bot.standups.plans import format_days, parse_days
from bot.working_time import WorkingTime, for_workspace
from storage.models import Meeting, Workspace

DEFAULT_LENGTH = 60  # minutes
MIN_LENGTH, MAX_LENGTH = 15, 8 * 60
MAX_EVERY = 8  # weeks
AGENDA_BEFORE = timedelta(hours=1)
# A pre-read more late than this is not sent (prompts keep the same rule); nor once the agenda
# is due to be posted.
PREREAD_CATCH_UP = timedelta(hours=12)
CLOSE_AFTER = timedelta(minutes=30)
# An occurrence's jobs are made this long before it starts: the pre-read DMs go one working
# day before, which a long weekend or the holidays can push days back.
LEAD = timedelta(days=8)
PREREAD, AGENDA, CLOSE = "meeting_preread", "meeting_agenda", "meeting_close"
JOB_KINDS = (PREREAD, AGENDA, CLOSE)


@dataclass(frozen=True)
class Plan:
    """When a meeting falls.

    Attributes:
        days: Weekdays, 0 = Monday.
        at: Local start time.
        every_weeks: 1 weekly, 2 fortnightly…
        length: How long it lasts.
        timezone: The IANA zone of `at`.
    """

    days: tuple[int, ...]
    at: time
    every_weeks: int
    length: timedelta
    timezone: str

    @property
    def cadence(self) -> Cadence:
        """The starts as a crontab cadence (crontab counts Sunday = 0)."""
        days = ",".join(str((day + 1) % 7) for day in self.days)
        return parse_cadence(f"{self.at.minute} {self.at.hour} * * {days}")

    def describe(self) -> str:
        """In words: "mon 10:00, every 2 weeks, 60 min (Europe/Berlin)"."""
        every = "weekly" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        minutes = int(self.length.total_seconds() // 60)
        return f"{format_days(self.days)} {self.at:%H:%M}, {every}, {minutes} min ({self.timezone})"


def parse_when(text: str) -> tuple[tuple[int, ...], time]:
    """Read `"<days> <HH:MM>"` (either order), e.g. `mon 10:00`, `tue,thu 14:30` or
    `thursday at 2pm`.

    Raises:
        UserError: No time, several times, or no or bad days; echoes the text.
    """
    words = time_words(text)
    times = [i for i, word in enumerate(words) if is_time_word(word)]
    if len(times) != 1:
        raise UserError(
            'Give the days and one start time in quotes, e.g. "mon 10:00" or "tue,thu 14:30".',
            echo=text,
        )
    at = parse_hhmm(words[times[0]])
    rest = " ".join(word for i, word in enumerate(words) if i != times[0])
    if not rest:
        raise UserError(f'Which days? e.g. "mon {words[times[0]]}".', echo=text)
    return parse_days(rest), at


def parse_every(text: str) -> int:
    """`every:2w` (also `2`, `2 weeks`, `fortnightly`, `weekly`) as a number of weeks.

    Raises:
        UserError: Not a number of weeks from 1 to 8.
    """
    cleaned = text.strip().lower()
    words = {"weekly": 1, "fortnightly": 2, "biweekly": 2, "monthly": 4}
    if cleaned in words:
        return words[cleaned]
    match = re.fullmatch(r"(\d+)\s*(w|wk|wks|week|weeks)?", cleaned)
    if match is None or not 1 <= int(match.group(1)) <= MAX_EVERY:
        raise UserError(
            f"“{text}” is not a number of weeks: write every:1w (weekly) to "
            f"every:{MAX_EVERY}w, e.g. every:2w for fortnightly.",
            echo=text,
        )
    return int(match.group(1))


def parse_length(text: str) -> timedelta:
    """`length:60m` (also `90`, `1h`, `1h30m`, `1.5h`) as a duration.

    Raises:
        UserError: Not a duration from 15 minutes to 8 hours.
    """
    cleaned = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+)(?:m|min|mins)?)?", cleaned)
    minutes = None
    if cleaned and match is not None:
        hours, mins = match.group(1), match.group(2)
        minutes = round(float(hours or 0) * 60) + int(mins or 0)
    if minutes is None or not MIN_LENGTH <= minutes <= MAX_LENGTH:
        raise UserError(
            f"“{text}” is not a meeting length: write minutes or hours from {MIN_LENGTH}m "
            "to 8h, e.g. length:60m or length:1h30m.",
            echo=text,
        )
    return timedelta(minutes=minutes)


def plan_of(meeting: Meeting) -> Plan:
    """A stored meeting's plan."""
    return Plan(
        days=parse_days(meeting.days),
        at=parse_hhmm(meeting.at),
        every_weeks=meeting.every_weeks,
        length=timedelta(minutes=meeting.length_minutes),
        timezone=meeting.timezone,
    )


def schedule_of(meeting: Meeting) -> Schedule:
    """When the meeting's occurrences start (its weeks counted from its anchor)."""
    plan = plan_of(meeting)
    return Schedule(plan.cadence, plan.timezone, meeting.anchor, plan.every_weeks)


def next_start(meeting: Meeting, *, after: datetime) -> datetime | None:
    """The first start strictly after `after`; None once the meeting is cancelled."""
    if meeting.removed_at is not None:
        return None
    return schedule_of(meeting).next_after(after)


def is_start(meeting: Meeting, slot: datetime) -> bool:
    """Whether `slot` is still one of the meeting's starts (it may have been edited since)."""
    return next_start(meeting, after=slot - timedelta(seconds=1)) == slot


def period_of(meeting: Meeting, start: datetime) -> str:
    """The period an occurrence is claimed under: its start's local wall time."""
    return slot_local(start, meeting.timezone).isoformat(timespec="minutes")


def calendar_of(meeting: Meeting, workspace: Workspace) -> WorkingTime:
    """The meeting's working calendar: the workspace's days and holidays, in its zone."""
    return replace(for_workspace(workspace), tz=meeting.timezone)


def preread_at(meeting: Meeting, start: datetime, workspace: Workspace) -> datetime:
    """One working day before `start`: the same local time on the previous working day."""
    calendar = calendar_of(meeting, workspace)
    local = slot_local(start, meeting.timezone)
    return calendar.at(calendar.working_days_before(local.date(), 1), local.time())


def ends_at(meeting: Meeting, start: datetime) -> datetime:
    """When an occurrence that starts at `start` ends."""
    return start + timedelta(minutes=meeting.length_minutes)


def local_day(meeting: Meeting, instant: datetime) -> date:
    """The meeting's local date at an instant."""
    return slot_local(instant, meeting.timezone).date()


def slot_schedule(session: Session, meeting: Meeting) -> Schedule | None:
    """When a meeting starts, for the slot materialiser; None once cancelled."""
    return None if meeting.removed_at is not None else schedule_of(meeting)


def preread_missed(start: datetime, *, due_at: datetime, now: datetime) -> bool:
    """Whether it is too late for the pre-read of the occurrence at `start` (due `due_at`):
    over `PREREAD_CATCH_UP` late, or the agenda is due to be posted."""
    return now - due_at > PREREAD_CATCH_UP or now >= start - AGENDA_BEFORE


def slot_jobs(session: Session, meeting: Meeting, start: datetime) -> list[SlotJob]:
    """The pre-read, agenda and close jobs of the occurrence starting at `start`."""
    workspace = session.get(Workspace, meeting.team_id)
    assert workspace is not None
    return [
        SlotJob(PREREAD, preread_at(meeting, start, workspace)),
        SlotJob(AGENDA, start - AGENDA_BEFORE),
        SlotJob(CLOSE, ends_at(meeting, start) + CLOSE_AFTER),
    ]


def make_plan(
    *, when: str, every: str | None, length: str | None, tz: str, base: Plan | None = None
) -> Plan:
    """A plan from what `schedule` or `edit` was given; `base` fills in what was not.

    Raises:
        UserError: Any part that does not read (the text is echoed).
    """
    if when:
        days, at = parse_when(when)
    elif base is not None:
        days, at = base.days, base.at
    else:
        raise UserError('Give the days and start time in quotes, e.g. "mon 10:00".')
    return Plan(
        days=days,
        at=at,
        every_weeks=parse_every(every) if every else (base.every_weeks if base else 1),
        length=parse_length(length) if length else (base.length if base else _DEFAULT),
        timezone=parse_timezone(tz),
    )


_DEFAULT = timedelta(minutes=DEFAULT_LENGTH)


def first_week(plan: Plan, *, now: datetime) -> date:
    """The anchor of a new or re-timed plan: the date of its first start after `now`, so the
    first occurrence is the next one whatever `every_weeks` is."""
    start = Schedule(plan.cadence, plan.timezone).next_after(now)
    return slot_local(start, plan.timezone).date()
