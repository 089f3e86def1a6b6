"""Dates typed by users: the one parser for commands, forms and replies.

Everything is relative to the user's local date: `now` is an aware instant, converted to the
user's zone before anything is resolved, so a Tokyo user's "tomorrow" is their tomorrow. What
a phrase means is a PMO's reading of it as a due date (checked in tests/bot/test_dates.py
against a corpus of phrases, zones and days):

- `EOD`, `COB`, `end of day`, `tonight`: today. `tmrw`, `tmr`, `tomorow`: tomorrow.
- A week ends on its Friday: `EOW`, `end of week`, `this week` are this week's Friday (the
  coming one when typed at the weekend); `end of next week`, `next week`, `friday next week`
  are next week's. `next wed`, `coming friday` and a bare `friday` are the first such day
  after today (typed on a Friday, a week later); `this friday` counts today. `weds`,
  `thur`, `thurs`, `tues` are read as the days they abbreviate.
- A period named alone means its last day: `EOM`, `end of month`, `December`, `Dec '27`
  (the end of Dec 2027), `next month`; `EOQ`, `end of quarter`, `end of Q1`, `Q1 2027`
  (31 Mar 2027), `H1` (30 Jun), `H2` (31 Dec); `EOY`, `end of year`, `end of 2027`.
  `start of next month`, `start of Q3` are first days; `mid Jan` is the 15th. Quarters and
  halves are calendar ones.
- Future by default: a date without a year (`Dec 3`, `the 15th`, `Q1`, `March`) is the next
  one on or after today, so `by the 15th` typed on 25 Nov is 15 Dec. A time of day is
  dropped (`Dec 3 at 10:00` is `Dec 3`). Explicitly past phrases (`yesterday`, `last
  friday`) stay past, and so do dates with a past year; callers that need a future date
  check it.
- Spans end when they run out: `in 2w`, `within 2 weeks`, `in 3 days`, `2 weeks from now`;
  `in 3 months` keeps the day of the month (or takes the month's last day if shorter).
- All-number dates: year first (`2026-12-03`, `2026/12/03`, `20261203`) always; day and
  month when one is over 12 (`13/12/2026`, `12/31/2026`); both 12 or under and different
  (`03/04/2026`) raises `AmbiguousDate` with the two readings, for the user to pick. A
  number alone (`5`) is refused.
- A weekday before a date must agree with it (`Fri 4 Dec 2026`, how dates are written back).

The phrase table (`bot.dates.phrases`) is tried first; what it does not know goes to
dateparser (`bot.dates.fallback`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.dates import fallback, phrases
from bot.dates.names import day_and_month, format_date
from bot.dates.numeric import AmbiguousDate
from bot.errors import UserError

__all__ = ["PLAUSIBLE_YEARS", "AmbiguousDate", "day_and_month", "format_date", "parse_date"]

PLAUSIBLE_YEARS = 50


def parse_date(text: str, *, now: datetime, tz: str) -> date:
    """Read a date as the user means it, relative to their local today.

    Args:
        text: What the user typed: `tomorrow`, `next friday`, `EOW`, `end of Q1`,
            `in 2 weeks`, `Dec 3`, `2026-12-03` …
        now: The current instant, timezone-aware.
        tz: The user's IANA time zone, e.g. `Asia/Tokyo`.

    Returns:
        The date. Explicitly past phrases ("yesterday", "last friday") stay in the past;
        callers that need a future date check it.

    Raises:
        AmbiguousDate: An all-number date with two readings (`03/04/2026`).
        UserError: Unreadable text, or a date that does not exist, echoing it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(ZoneInfo(tz)).date()
    cleaned = phrases.normalise(text)
    if not cleaned:
        raise UserError(f"Give a date, e.g. {fallback.EXAMPLES}.")
    found = phrases.resolve(cleaned, today=today, original=text)
    if found is None:
        found = fallback.resolve(cleaned, today=today, tz=tz, original=text)
    return _plausible(found, today=today, original=text)


def _plausible(day: date, *, today: date, original: str) -> date:
    """Refuse dates no plan has: more than PLAUSIBLE_YEARS away (a typo like 9999-12-31)."""
    if abs(day.year - today.year) > PLAUSIBLE_YEARS:
        raise UserError(
            f"“{original}” is {format_date(day)}, more than {PLAUSIBLE_YEARS} years "
            "away. Check the year.",
            echo=original,
        )
    return day


def warm_up() -> None:
    """Pay dateparser's first-call cost (~0.1 s) at start instead of in a user's request."""
    parse_date("last friday", now=datetime(2026, 1, 1, tzinfo=UTC), tz="UTC")
