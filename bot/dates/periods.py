"""Calendar arithmetic on local dates: weeks, months, quarters, halves and years.

A week runs Monday to Sunday (ISO) and ends, for a due date, on its Friday; quarters and halves
are calendar ones (Q1 = Jan–Mar, H1 = Jan–Jun).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

FRIDAY = 4
# How many years ahead a yearless date is looked for: 29 Feb can be eight years away (2096→2104).
_YEARS_AHEAD = 9


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def week_day(day: date, weekday: int, *, weeks: int = 0) -> date:
    """The `weekday` (Monday = 0) of the week containing `day`, `weeks` weeks on."""
    return day + timedelta(days=weekday - day.weekday() + 7 * weeks)


def next_weekday(today: date, weekday: int, *, today_counts: bool) -> date:
    """The first `weekday` after today, or from today when `today_counts`."""
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead or today_counts else 7)


def on_or_after(today: date, make: Callable[[int], date]) -> date:
    """The first of `make(this year)`, `make(next year)`, … that is not before today.

    `make` may raise ValueError for a year without that date (29 Feb).

    Raises:
        ValueError: No year in the next few has that date (30 Feb).
    """
    for year in range(today.year, today.year + _YEARS_AHEAD):
        try:
            found = make(year)
        except ValueError:
            continue
        if found >= today:
            return found
    raise ValueError("no such date")


def period_edge(today: date, period: str, *, ahead: int, end: bool) -> date:
    """The first or last day of the week, month, quarter, half or year `ahead` periods on.

    The last day of a week is its Friday.
    """
    if period == "week":
        return week_day(today, FRIDAY if end else 0, weeks=ahead)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[period]
    first = date(today.year, (today.month - 1) // months * months + 1, 1)
    first = add_months(first, ahead * months)
    return add_months(first, months) - timedelta(days=1) if end else first


def quarter_end(year: int, quarter: int) -> date:
    """The last day of a calendar quarter (1–4)."""
    return month_end(year, 3 * quarter)


def half_end(year: int, half: int) -> date:
    """The last day of a calendar half (1 or 2)."""
    return month_end(year, 6 * half)
