"""Dates typed by users: the one place that calls dateparser.

Everything is relative to the user's local date: `now` is an aware instant, converted to the
user's zone before anything is resolved, so a Tokyo user's "tomorrow" is their tomorrow.

What dateparser 1.5 does with our settings, and what we add on top (checked in tests):

- "next friday" on a Wednesday is the coming Friday (2 days later); on a Friday it is a week
  later. Bare "friday" on a Friday is also a week later; "this friday" on a Friday is today.
- A day and month without a year ("Dec 3") is the next such date, and today counts: dateparser
  alone would move "Dec 3" typed on 3 Dec a year ahead, so those texts resolve from yesterday.
- dateparser reads a lone ordinal badly ("1st" as January, "15th" as a past date) and
  "a week from today" as a week *ago*; we resolve "the 15th" ourselves (the next 15th, today
  included) and rewrite "<span> from today|now" to "in <span>".
- It cannot read "end of month"; we resolve "end of (the|this|next) month" ourselves.
- A month alone ("December") would get today's day of the month; we ask for the day instead.
- All-numeric dates other than ISO `2026-12-03` (`03/12/2026`, `12/03`, `3.12.2026`, `5`)
  are refused as ambiguous.

Cost (measured on the dev machine, dateparser 1.5.0): importing takes ~0.07 s and the first
call ~0.10 s with `languages=['en']`; later calls ~1–2 ms. Without `languages`, the first call
for an English phrase costs about the same (0.10–0.16 s), but the first text it cannot parse
costs ~1.3 s while it loads and tries every locale — too slow inside Slack's 3 s ack, which is
why `languages` is always passed and `warm_up` runs at start.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dateparser

from bot.errors import UserError

_EXAMPLES = "tomorrow, next friday, in 2 weeks, 3 Dec or 2026-12-03"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_LETTER = re.compile(r"[a-z]")
_NUMERIC_DATE = re.compile(r"\d+\s*[/.]\s*\d+")
_MONTH = (
    r"(?:january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    r"|september|sept|sep|october|oct|november|nov|december|dec)\.?"
)
_NAMES_MONTH = re.compile(rf"\b{_MONTH}(?!\w)")
_MONTH_ONLY = re.compile(rf"(?:in\s+)?{_MONTH}(?:\s+\d{{4}})?")
_ORDINAL_DAY = re.compile(r"(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)")
_END_OF_MONTH = re.compile(r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|eom")
_END_OF_NEXT_MONTH = re.compile(r"(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+month")
_FROM_TODAY = re.compile(r"(.+?)\s+from\s+(?:today|now)")
_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


PLAUSIBLE_YEARS = 50


def parse_date(text: str, *, now: datetime, tz: str) -> date:
    """Read a date as the user means it, relative to their local today.

    Args:
        text: What the user typed: `tomorrow`, `next friday`, `in 2 weeks`, `Dec 3`,
            `2026-12-03`, `end of month` …
        now: The current instant, timezone-aware.
        tz: The user's IANA time zone, e.g. `Asia/Tokyo`.

    Returns:
        The date. Explicitly past phrases ("yesterday", "last friday") stay in the past;
        callers that need a future date check it.

    Raises:
        UserError: Ambiguous (all-numeric, month only) or unreadable text, echoing it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(ZoneInfo(tz)).date()
    return _plausible(_read(text, today=today, tz=tz), today=today, original=text)


def _read(text: str, *, today: date, tz: str) -> date:
    cleaned = " ".join(text.lower().split())
    if _ISO.fullmatch(cleaned):
        return _iso_date(cleaned, text)
    _refuse_ambiguous(cleaned, text)
    own = _resolve_ourselves(cleaned, today)
    if own is not None:
        return own
    return _resolve_with_dateparser(cleaned, today=today, tz=tz, original=text)


def _plausible(day: date, *, today: date, original: str) -> date:
    """Refuse dates no plan has: more than PLAUSIBLE_YEARS away (a typo like 9999-12-31)."""
    if abs(day.year - today.year) > PLAUSIBLE_YEARS:
        raise UserError(
            f"“{original}” is {format_date(day)}, more than {PLAUSIBLE_YEARS} years "
            "away. Check the year.",
            echo=original,
        )
    return day


def _iso_date(cleaned: str, original: str) -> date:
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise UserError(f"“{original}” is not a real date.", echo=original) from None


def _refuse_ambiguous(cleaned: str, original: str) -> None:
    if not cleaned:
        raise UserError(f"Give a date, e.g. {_EXAMPLES}.")
    if _LETTER.search(cleaned) is None or _NUMERIC_DATE.search(cleaned):
        raise UserError(
            f"“{original}” is ambiguous as a date: write 2026-12-03 or 3 Dec 2026.",
            echo=original,
        )
    if _MONTH_ONLY.fullmatch(cleaned):
        raise UserError(
            f"Which day of “{original}”? Write it with the day, e.g. 1 Dec or 31 Dec.",
            echo=original,
        )


def _resolve_ourselves(cleaned: str, today: date) -> date | None:
    """The phrases dateparser gets wrong or cannot read."""
    if _END_OF_MONTH.fullmatch(cleaned):
        return _month_end(today.year, today.month)
    if _END_OF_NEXT_MONTH.fullmatch(cleaned):
        year, month = divmod(today.year * 12 + today.month, 12)
        return _month_end(year, month + 1)
    if match := _ORDINAL_DAY.fullmatch(cleaned):
        return _next_day_of_month(int(match.group(1)), today, original=cleaned)
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_day_of_month(day: int, today: date, *, original: str) -> date:
    """The first date on or after today whose day of the month is `day`."""
    if not 1 <= day <= 31:
        raise UserError(f"“{original}” is not a day of the month.", echo=original)
    year, month = today.year, today.month
    while day > calendar.monthrange(year, month)[1] or date(year, month, day) < today:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, day)


def _resolve_with_dateparser(cleaned: str, *, today: date, tz: str, original: str) -> date:
    from_today = _FROM_TODAY.fullmatch(cleaned)
    phrase = f"in {from_today.group(1)}" if from_today else cleaned
    # PREFER_DATES_FROM=future treats today's own day-month as past, so resolve those texts
    # from yesterday; every other phrase is relative to today.
    base = today - timedelta(days=1) if _NAMES_MONTH.search(phrase) else today
    parsed = dateparser.parse(phrase, languages=["en"], settings=_settings(base, tz))
    if parsed is None:
        raise UserError(f"I can't read “{original}” as a date. Try {_EXAMPLES}.", echo=original)
    return parsed.date()


def _settings(base: date, tz: str) -> dict[str, Any]:
    """Explicit dateparser settings; nothing depends on the server's locale or zone."""
    return {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "TIMEZONE": tz,
        "TO_TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": False,
        # "in 3 months" keeps today's day of the month ("first" would move it to the 1st).
        "PREFER_DAY_OF_MONTH": "current",
        # No epoch timestamps or "20261203"-style digit runs.
        "PARSERS": ["relative-time", "absolute-time"],
    }


def format_date(d: date) -> str:
    """A date as users read it back: `Fri 27 Nov 2026` (English, whatever the locale)."""
    return f"{_WEEKDAY_ABBR[d.weekday()]} {d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"


def warm_up() -> None:
    """Pay dateparser's first-call cost (~0.1 s) at start instead of in a user's request."""
    parse_date("next friday", now=datetime(2026, 1, 1, tzinfo=UTC), tz="UTC")
