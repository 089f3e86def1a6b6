"""The words dates are written with, and how a date is written back to users."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# Monday is 0, as `date.weekday()` counts.
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def alternation(words: Iterable[str]) -> str:
    """A regex group matching any of `words`, longest first so `weds` is not read as `wed`."""
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


MONTH = alternation(MONTHS)
WEEKDAY = alternation(WEEKDAYS)


def format_date(d: date) -> str:
    """A date as users read it back: `Fri 27 Nov 2026` (English, whatever the locale)."""
    return f"{WEEKDAY_ABBR[d.weekday()]} {d.day} {MONTH_ABBR[d.month - 1]} {d.year}"


def day_and_month(d: date) -> str:
    """The short form of `format_date`, for dates whose year goes without saying: `3 Apr`."""
    return f"{d.day} {MONTH_ABBR[d.month - 1]}"
