"""Working calendars: which days count, when people may be messaged, and public holidays.

A calendar belongs to a person: their own working days, message hours and holiday country
when they set them (`/pmo hours`, `/pmo holidays`), else the workspace's (`/pmo config
workweek|hours|holidays`; Monday to Friday, 08:00–20:00, no holidays by default), read in
their own time zone. Public holidays come from the `holidays` package.

Three things follow a person's calendar:

- *Messages* (prompts, reminders, owner alerts, stand-up questions) go out inside the message
  hours of a working day (`next_window_start`).
- *Grace* counts only working days (`add_working`): a Friday 10:00 prompt with 24 h of grace
  is overdue on Monday 10:00, never on a weekend or holiday.
- *Days ahead* ("due in two working days", "snooze one day") skip weekends and holidays.

Pure: nothing here reads the clock or the database; `for_person` reads two rows' columns.
Arithmetic is on UTC instants; local dates and times are only read, never stepped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from bot.cadence import first_instant
from bot.commands import WEEKDAYS, parse_hhmm, parse_weekday, suggest
from bot.errors import UserError
from storage.models import Person, Workspace

DEFAULT_WORKDAYS = "01234"  # Monday..Friday
DEFAULT_HOURS = "08:00-20:00"
_SEARCH_DAYS = 400  # a calendar whose every day for a year is a holiday is not a calendar
_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOURS = re.compile(r"(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})")
_HOLIDAY_CODE = re.compile(r"([A-Za-z]{2,3})(?:[-_ ]([A-Za-z0-9]{1,10}))?")
_NO_HOLIDAYS = frozenset({"none", "off"})
# A person's "no public holidays", whatever the workspace's (None follows the workspace).
NO_HOLIDAYS_CODE = "-"


@dataclass(frozen=True)
class WorkingTime:
    """One person's working calendar.

    Attributes:
        tz: Their IANA time zone.
        workdays: Working weekdays, 0 = Monday … 6 = Sunday.
        opens: When message hours start on a working day (local).
        closes: When they end (local, exclusive).
        holidays: A `holidays` country code, with an optional subdivision ("US-CA"), or None.
    """

    tz: str
    workdays: frozenset[int] = frozenset(range(5))
    opens: time = time(8, 0)
    closes: time = time(20, 0)
    holidays: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The time zone."""
        return ZoneInfo(self.tz)

    def holiday(self, day: date) -> str | None:
        """The public holiday on `day` in this calendar's country, if any."""
        if self.holidays is None:
            return None
        return _holidays_of(self.holidays, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a local date) is a working day: a working weekday, not a holiday."""
        return day.weekday() in self.workdays and self.holiday(day) is None

    def local(self, instant: datetime) -> datetime:
        """An instant as local wall time in this calendar's zone."""
        return instant.astimezone(self.zone)

    def in_hours(self, instant: datetime) -> bool:
        """Whether `instant` falls in the message hours of a working day."""
        local = self.local(instant)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_window_start(self, instant: datetime) -> datetime:
        """`instant` if people may be messaged then, else when message hours next open (UTC)."""
        if self.in_hours(instant):
            return instant.astimezone(UTC)
        local = self.local(instant)
        day = local.date()
        if not (self.is_working_day(day) and local.time() < self.opens):
            day = self.next_working_day(day)
        return self.at(day, self.opens)

    def last_hours_before(self, deadline: datetime, *, margin: timedelta) -> datetime:
        """The latest instant in message hours that is at least `margin` before `deadline`
        (or the start of that day's hours, when they are shorter than `margin`)."""
        local = self.local(deadline)
        day = local.date()
        for _ in range(_SEARCH_DAYS):
            if self.is_working_day(day):
                opens, closes = self.at(day, self.opens), self.at(day, self.closes)
                end = min(deadline.astimezone(UTC), closes)
                if end > opens:
                    return max(opens, end - margin)
            day -= timedelta(days=1)
        raise ValueError(f"no working day in the {_SEARCH_DAYS} days before {deadline}")

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        for _ in range(_SEARCH_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day in the {_SEARCH_DAYS} days after {day}")

    def working_days_before(self, day: date, count: int) -> date:
        """The working day `count` working days before `day` (`day` itself need not be one)."""
        for _ in range(_SEARCH_DAYS):
            if count <= 0:
                return day
            day -= timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        raise ValueError(f"no {count} working days in the {_SEARCH_DAYS} days before {day}")

    def same_time_next_working_day(self, instant: datetime) -> datetime:
        """The same local time on the next working day, moved into message hours (snooze)."""
        local = self.local(instant)
        day = self.next_working_day(local.date())
        return self.next_window_start(self.at(day, local.time().replace(tzinfo=None)))

    def add_working(self, start: datetime, span: timedelta) -> datetime:
        """`start` plus `span`, counting only the time that falls on working days.

        A local day counts whole (from midnight to midnight, 23 or 25 hours across a DST
        change) when it is a working day, and not at all otherwise.
        """
        cursor = start.astimezone(UTC)
        left = span
        for _ in range(_SEARCH_DAYS * 2):
            day = self.local(cursor).date()
            day_ends = self.at(day + timedelta(days=1), time(0))
            if self.is_working_day(day):
                if left <= day_ends - cursor:
                    return cursor + left
                left -= day_ends - cursor
            cursor = day_ends
        raise ValueError(f"{span} of working time after {start} is more than a year away")

    def at(self, day: date, at: time) -> datetime:
        """A local date and time as a UTC instant; a time DST skips reads as the gap's end,
        one it repeats as its first occurrence (as cadences read them)."""
        return first_instant(datetime.combine(day, at), self.zone)


def for_person(
    person: Person | None, workspace: Workspace, *, zone: str | None = None
) -> WorkingTime:
    """A person's calendar: their own settings where they have them, else the workspace's.

    Their zone is Slack's for them, else `zone` (say, their program's), else the workspace's.
    """
    days = (person.workdays if person else None) or workspace.workdays or DEFAULT_WORKDAYS
    hours = (person.hours if person else None) or workspace.hours or DEFAULT_HOURS
    opens, closes = _read_hours(hours)
    tz = (person.tz if person else None) or zone or workspace.timezone
    own_holidays = person.holidays if person is not None else None
    holidays = own_holidays or workspace.holidays
    return WorkingTime(
        tz=tz,
        workdays=frozenset(int(d) for d in days),
        opens=opens,
        closes=closes,
        holidays=None if holidays == NO_HOLIDAYS_CODE else holidays,
    )


def for_workspace(workspace: Workspace) -> WorkingTime:
    """The workspace's own calendar, in its zone."""
    return for_person(None, workspace)


# --- reading and showing settings ------------------------------------------------------------


def parse_workdays(text: str) -> str:
    """Read working days: `mon-fri`, `sun-thu`, `mon,tue,thu`, `mon-wed fri`.

    Returns:
        The weekdays as sorted digits, Monday = 0 ("01234").

    Raises:
        UserError: A word that is not a day, or no day at all; echoes the text.
    """
    days: set[int] = set()
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        first, dash, last = item.partition("-")
        start, end = parse_weekday(first), parse_weekday(last) if dash else None
        if start is None or (dash and end is None):
            bad = first if start is None else last
            raise UserError(
                f"“{bad}” is not a day of the week. Give working days such as `mon-fri`, "
                "`sun-thu` or `mon,tue,thu`.",
                echo=text,
            )
        end = start if end is None else end
        day = start
        while True:  # a range wraps past Sunday: fri-mon is Fri, Sat, Sun, Mon
            days.add(day)
            if day == end:
                break
            day = (day + 1) % 7
    if not days:
        raise UserError("Give working days such as `mon-fri` or `sun-thu`.", echo=text)
    return "".join(str(d) for d in sorted(days))


def format_workdays(digits: str) -> str:
    """Working days in words: "Mon–Fri", "Sun–Thu", "Mon, Tue, Thu"."""
    days = sorted(int(d) for d in digits)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # Sun–Thu wraps past Sunday
        runs[0] = runs.pop() + runs[0]
    return ", ".join(
        f"{_SHORT_DAYS[run[0]]}–{_SHORT_DAYS[run[-1]]}"
        if len(run) > 2
        else ", ".join(_SHORT_DAYS[d] for d in run)
        for run in runs
    )


def parse_hours(text: str) -> str:
    """Read message hours `HH:MM-HH:MM` (`09:00-18:00`); the start must come before the end.

    Returns:
        The hours as stored: "09:00-18:00".

    Raises:
        UserError: Not two 24-hour times, or not in order; echoes the text.
    """
    match = _HOURS.fullmatch(text.strip())
    if match is None:
        raise UserError(
            f"“{text}” is not a span of hours; write it as HH:MM-HH:MM, e.g. `09:00-18:00`.",
            echo=text,
        )
    opens, closes = parse_hhmm(match.group(1)), parse_hhmm(match.group(2))
    if opens >= closes:
        raise UserError(
            f"Message hours must start before they end (“{text}”); e.g. `08:00-20:00`.",
            echo=text,
        )
    return f"{opens:%H:%M}-{closes:%H:%M}"


def _read_hours(stored: str) -> tuple[time, time]:
    first, _, last = stored.partition("-")
    return parse_hhmm(first), parse_hhmm(last)


def parse_holidays(text: str) -> str | None:
    """Read a public-holiday calendar: a country code (`DE`), optionally with a region
    (`US-CA`, `DE-BY`); `none` or `off` for no holidays.

    Returns:
        The code as stored ("US-CA"), or None.

    Raises:
        UserError: A country or region the `holidays` package does not know, with the
            nearest one; echoes the text.
    """
    word = text.strip()
    if word.lower() in _NO_HOLIDAYS:
        return None
    match = _HOLIDAY_CODE.fullmatch(word)
    countries = holiday_calendars.list_supported_countries()
    if match is None or match.group(1).upper() not in countries:
        near = suggest(word.upper()[:2], countries)
        hint = f" Did you mean `{near}`?" if near else ""
        raise UserError(
            f"“{text}” is not a country I know public holidays for. Give an ISO country code "
            f"such as `DE`, `GB` or `US`, optionally with a region: `US-CA`.{hint}",
            echo=text,
        )
    country, region = match.group(1).upper(), match.group(2)
    if region is None:
        return country
    regions = {r.upper(): r for r in countries[country]}
    if region.upper() not in regions:
        shown = ", ".join(sorted(countries[country])[:12])
        more = "…" if len(countries[country]) > 12 else ""
        known = f" Its regions: {shown}{more}." if shown else f" {country} has no regions."
        raise UserError(f"“{text}”: {country} has no region “{region}”.{known}", echo=text)
    return f"{country}-{regions[region.upper()]}"


@lru_cache(maxsize=256)
def _holidays_of(code: str, year: int) -> dict[date, str]:
    country, _, region = code.partition("-")
    found = holiday_calendars.country_holidays(country, subdiv=region or None, years=year)
    return dict(found.items())


def describe(calendar: WorkingTime) -> str:
    """A calendar in words: "Mon–Fri 08:00–20:00, Europe/Berlin, holidays: DE"."""
    days = format_workdays("".join(str(d) for d in sorted(calendar.workdays)))
    text = f"{days} {calendar.opens:%H:%M}–{calendar.closes:%H:%M}, {calendar.tz}"
    return text + (f", public holidays: {calendar.holidays}" if calendar.holidays else "")


def weekday_name(day: int) -> str:
    """A weekday's full name."""
    return WEEKDAYS[day].capitalize()
