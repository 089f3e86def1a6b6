"""What the phrase table does not know goes to dateparser, with explicit settings.

dateparser reads the rest of English ("last friday", "2 days ago", "a week from tomorrow").
What it would guess at is refused first: text without letters (`5`, `12-2026`) and numbers
with `/` or `.` the table did not read (`1.5 weeks`).

Cost (measured on the dev machine, dateparser 1.5.0): importing takes ~0.07 s and the first
call ~0.10 s with `languages=['en']`; later calls ~1–2 ms. Without `languages`, the first call
for an English phrase costs about the same (0.10–0.16 s), but the first text it cannot parse
costs ~1.3 s while it loads and tries every locale — too slow inside Slack's 3 s ack, which is
why `languages` is always passed and `warm_up` runs at start.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import dateparser

from bot.dates.names import MONTH, format_date
from bot.dates.periods import add_months
from bot.errors import UserError

EXAMPLES = "tomorrow, next friday, EOW, end of Q1, in 2 weeks, 3 Dec or 2026-12-03"
_LETTER = re.compile(r"[a-z]")
_NUMBER_WITH_SEPARATOR = re.compile(r"\d\s*[/.]\s*\d")
_NAMES_MONTH = re.compile(rf"\b{MONTH}\b")
_LONE_NUMBER = re.compile(r"\d{1,2}")


def resolve(cleaned: str, *, today: date, tz: str, original: str) -> date:
    """The date dateparser reads in a normalised text no phrase matched.

    Raises:
        UserError: Unreadable, or numbers that are not a date; the text is echoed.
    """
    if _LETTER.search(cleaned) is None:
        raise UserError(_not_a_date(cleaned, today, original), echo=original)
    if _NUMBER_WITH_SEPARATOR.search(cleaned):
        raise _unreadable(original)
    # PREFER_DATES_FROM=future treats today's own day-month as past, so resolve texts naming
    # a month from yesterday; every other phrase is relative to today.
    base = today - timedelta(days=1) if _NAMES_MONTH.search(cleaned) else today
    parsed = dateparser.parse(cleaned, languages=["en"], settings=_settings(base, tz))
    if parsed is None:
        raise _unreadable(original)
    return parsed.date()


def _not_a_date(cleaned: str, today: date, original: str) -> str:
    """Numbers alone: a day of the month says how to write it (`5`: the 5th)."""
    if _LONE_NUMBER.fullmatch(cleaned) and 1 <= int(cleaned) <= 28:
        day = int(cleaned)
        example = today.replace(day=day)
        if example < today:
            example = add_months(example, 1)
        return (
            f"“{original}” is not a date on its own: write the {_ordinal(day)} "
            f"or {example.isoformat()} ({format_date(example)})."
        )
    return (
        f"I can't read “{original}” as a date: write the year, month and day "
        "(2026-12-03) or the month's name (3 Dec 2026)."
    )


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _unreadable(original: str) -> UserError:
    return UserError(f"I can't read “{original}” as a date. Try {EXAMPLES}.", echo=original)


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
        # No epoch timestamps or "20261203"-style digit runs (the table reads those).
        "PARSERS": ["relative-time", "absolute-time"],
    }
