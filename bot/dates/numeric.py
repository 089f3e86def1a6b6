"""All-number dates: which are unambiguous, and the two readings of one that is not.

- Year first is never ambiguous: `2026-12-03`, `2026/12/03`, `2026.12.03`, `20261203`.
- Day and month (`13/12/2026`, `12/31/2026`, `13/12`, separated by `/`, `.` or `-`, with a
  year of four or two digits or none): a number over 12 can only be the day, so the other is
  the month. Both 12 or under and different (`03/04/2026`) is ambiguous: `TwoReadings`, day
  first. The same both ways (`05/05/2026`) is not.
- Without a year, each reading is the next such date on or after today.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial

from bot.dates.names import day_and_month
from bot.dates.periods import on_or_after
from bot.errors import UserError

YEAR_FIRST = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
DAY_MONTH = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?")


class TwoReadings(Exception):
    """Text that reads as two dates, the day-first reading first."""

    def __init__(self, first: date, second: date) -> None:
        super().__init__(f"{first} or {second}")
        self.readings = (first, second)


class AmbiguousDate(UserError):
    """A date the user wrote that reads as two days; they are asked which, with both offered.

    Attributes:
        text: The date as the user typed it.
        readings: The two dates it could be, day-first reading first.
    """

    def __init__(self, text: str, readings: tuple[date, date]) -> None:
        first, second = readings
        same_year = first.year == second.year
        said = [day_and_month(d) if same_year else f"{day_and_month(d)} {d.year}" for d in readings]
        super().__init__(f"“{text}” could be {said[0]} or {said[1]} — which?", echo=text)
        self.text = text
        self.readings = readings


def year_first(match: re.Match[str], today: date) -> date:
    """`2026-12-03`, `2026/12/03`, `20261203`: year, month, day."""
    return date(int(match["y"]), int(match["m"]), int(match["d"]))


def day_month(match: re.Match[str], today: date) -> date:
    """`13/12/2026` or `12/31/2026`; raises TwoReadings for `03/04/2026`.

    Raises:
        ValueError: Neither reading is a real date (`31/31/2026`).
        TwoReadings: Both are, and they differ.
    """
    a, b = int(match["a"]), int(match["b"])
    year = _year(match["y"])
    readings = [
        found
        for day, month in ((a, b), (b, a))
        if (found := _reading(day, month, year, today)) is not None
    ]
    if not readings:
        raise ValueError("not a date either way")
    if len(readings) == 2 and readings[0] != readings[1]:
        raise TwoReadings(readings[0], readings[1])
    return readings[0]


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def _reading(day: int, month: int, year: int | None, today: date) -> date | None:
    """The date with this day and month (the next one from today without a year), if real."""
    if not 1 <= month <= 12:
        return None
    try:
        if year is not None:
            return date(year, month, day)
        return on_or_after(today, partial(_date, month=month, day=day))
    except ValueError:
        return None


def _date(year: int, *, month: int, day: int) -> date:
    return date(year, month, day)
