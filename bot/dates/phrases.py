"""The phrase table: what people type in status updates, and the one date each means.

Text is first normalised (`normalise`): lower case, abbreviations spelled out (`EOW` is "end
of week", `tmrw` is "tomorrow"), filler words dropped ("by", "on", "due", "the"), and any time
of day dropped, since a date field keeps the date only (`Dec 3 at 10:00` is `Dec 3`). Then
the first entry of `PHRASES` whose pattern matches the whole text resolves it from the user's
local today. Text no entry matches goes to dateparser (`bot.dates.fallback`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import bot.dates.numeric as numeric
import bot.dates.periods as periods
from bot.dates.names import MONTH, MONTHS, WEEKDAY, WEEKDAY_NAMES, WEEKDAYS, format_date
from bot.dates.numeric import AmbiguousDate, TwoReadings
from bot.errors import UserError

Resolve = Callable[[re.Match[str], date], date]


@dataclass(frozen=True)
class Phrase:
    """One way of writing a date: a pattern for the whole normalised text, and its meaning.

    Attributes:
        pattern: Matched against the whole text.
        resolve: The date it means, from the match and the user's local today; raises
            ValueError for a date that does not exist (`Feb 30`).
        dated: It names one calendar day (`Dec 3`, `2026-12-04`), so a weekday may precede
            it (`Fri 4 Dec 2026`, as the bot writes dates back), which must agree.
    """

    pattern: re.Pattern[str]
    resolve: Resolve
    dated: bool = False


# --- normalising ----------------------------------------------------------------------------

# Whole words spelled out before matching.
WORD_ALIASES: dict[str, str] = {
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "tomorow": "tomorrow",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tdy": "today",
    "tonight": "today",
    "tonite": "today",
    "now": "today",
    "eod": "end of day",
    "cob": "end of day",
    "eob": "end of day",
    "eop": "end of day",
    "eow": "end of week",
    "eonw": "end of next week",
    "eom": "end of month",
    "eonm": "end of next month",
    "eoq": "end of quarter",
    "eonq": "end of next quarter",
    "eoy": "end of year",
    "upcoming": "coming",
    "wk": "week",
    "mth": "month",
    "qtr": "quarter",
    "yr": "year",
}
# Longer ways of saying the same, rewritten after the words above.
PHRASE_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:close|end) of (?:business|play)(?: day)?\b"), "end of day"),
    (re.compile(r"\bend of (?:working |business )day\b"), "end of day"),
)
_FILLERS = re.compile(r"^(?:(?:by|on|at|due|until|till|til|for|no later than)(?:\s+|$))+")
_THE = re.compile(r"\bthe\b")
_DOT_AFTER_LETTER = re.compile(r"(?<=[a-z])\.")
_HYPHEN_IN_WORDS = re.compile(r"(?<=[a-z])-(?=[a-z])")
_ISO_TIME_SEPARATOR = re.compile(r"(?<=\d)t(?=\d{1,2}:)")
_ZONE = r"(?:utc|gmt|z|cet|cest|eet|eest|wet|west|bst|ist|est|edt|cst|cdt|mst|mdt|pst|pdt|jst|aest)"
_TIME_OF_DAY = re.compile(
    r"(?:(?:\bat\b|@)\s*)?(?<!\w)"
    r"(?:\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]m)?|\d{1,2}\s*[ap]m|noon|midday|midnight)\b"
    rf"(?:\s*{_ZONE}\b)?"
    rf"|(?:\bat\b|@)\s*\d{{1,2}}\b(?!\s*(?:{MONTH}\b|[/.-]\d))"  # `at 10`, not `at 10 dec`
    r"|\b(?:in )?(?:morning|afternoon|evening)\b"
)
_END_OF_DAY = re.compile(r"\b(?:at |by )?end of day\b")


def normalise(text: str) -> str:
    """The text in the words `PHRASES` are written in; "" when nothing is left."""
    cleaned = text.lower().replace("’", "'").replace("‘", "'").replace(",", " ")
    cleaned = _HYPHEN_IN_WORDS.sub(" ", _DOT_AFTER_LETTER.sub("", cleaned))
    cleaned = _ISO_TIME_SEPARATOR.sub(" ", cleaned.strip(' \t\n.!?;:"“”'))
    cleaned = re.sub(r"\b[\w']+\b", lambda m: WORD_ALIASES.get(m.group(), m.group()), cleaned)
    for pattern, replacement in PHRASE_ALIASES:
        cleaned = pattern.sub(replacement, cleaned)
    cleaned = _squash(_THE.sub(" ", cleaned))
    for qualifier in (_TIME_OF_DAY, _END_OF_DAY):
        cleaned = _without(qualifier, cleaned)
    return _squash(_FILLERS.sub("", cleaned))


def _without(qualifier: re.Pattern[str], text: str) -> str:
    """The text without a qualifier of the day (a time, "end of day"): today if that and
    filler words were all (`by 10am`)."""
    if qualifier.search(text) is None:
        return text
    rest = _squash(qualifier.sub(" ", text))
    return rest if _FILLERS.sub("", rest) else "today"


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- what each phrase means -----------------------------------------------------------------


def _days(n: int) -> Resolve:
    return lambda _match, today: today + timedelta(days=n)


def _period(match: re.Match[str], today: date) -> date:
    """`end of next month`, `start of week`, `this quarter`: a period named alone means its
    last day (a week's Friday). Without `next`, a period whose day is past means the next
    one's: `EOW` typed on a Saturday is the coming Friday."""
    end = match.groupdict().get("edge") not in ("start", "beginning")
    ahead = 1 if match["which"] == "next" else 0
    found = periods.period_edge(today, match["period"], ahead=ahead, end=end)
    if found < today and not ahead:
        found = periods.period_edge(today, match["period"], ahead=1, end=end)
    return found


def _year_edge(match: re.Match[str], today: date) -> date:
    """`end of 2027`: 31 Dec; `start of 2027`: 1 Jan."""
    year = _year(match["year"])
    return date(year, 1, 1) if match["edge"] in ("start", "beginning") else date(year, 12, 31)


def _weekday(match: re.Match[str], today: date) -> date:
    """`friday` and `next friday` are the first Friday after today (a week on, typed on a
    Friday); `this friday` counts today."""
    weekday = WEEKDAYS[match["wd"]]
    return periods.next_weekday(today, weekday, today_counts=match["mod"] == "this")


def _weekday_of_week(match: re.Match[str], today: date) -> date:
    """`friday next week`, `next week friday`, `monday this week`: that day of that week."""
    weeks = 1 if match["which"] == "next" else 0
    return periods.week_day(today, WEEKDAYS[match["wd"]], weeks=weeks)


def _weekday_week_on(match: re.Match[str], today: date) -> date:
    """`thursday week`, `thursday after next`: a week after the coming Thursday."""
    weekday = WEEKDAYS[match["wd"]]
    return periods.next_weekday(today, weekday, today_counts=False) + timedelta(days=7)


def _part_of_year(match: re.Match[str], today: date) -> date:
    """`Q1`, `end of Q1`, `H2 2027`, `start of Q3`: a calendar quarter or half.

    Without a year, the next one whose day is not past: `end of Q1` typed in November is
    31 Mar next year.
    """
    months = 3 if match["kind"] == "q" else 6
    number = int(match["n"])
    if number > 12 // months:
        raise ValueError("no such half")
    start = match["edge"] in ("start", "beginning")

    def edge(year: int) -> date:
        if start:
            return date(year, months * (number - 1) + 1, 1)
        return periods.month_end(year, months * number)

    if match["year"]:
        return edge(_year(match["year"]))
    return periods.on_or_after(today, edge)


def _month(match: re.Match[str], today: date) -> date:
    """`December`, `Dec '27`, `end of March 2027`, `mid Jan`, `start of Feb`.

    A month alone, as a due date, means its last day (so does "end of"); "start of" is its
    first, "mid" its 15th. Without a year, the next such day from today.
    """
    month = MONTHS[match["month"]]
    edge = match["edge"] or "end"

    def day_of(year: int) -> date:
        if edge in ("start of", "beginning of"):
            return date(year, month, 1)
        if edge in ("mid", "middle of"):
            return date(year, month, 15)
        return periods.month_end(year, month)

    if match["year"]:
        return day_of(_year(match["year"]))
    return periods.on_or_after(today, day_of)


def _next_month_named(match: re.Match[str], today: date) -> date:
    """`next december`: the end of the first December after this month."""
    month = MONTHS[match["month"]]
    return periods.month_end(today.year + (month <= today.month), month)


def _month_day(match: re.Match[str], today: date) -> date:
    """`Dec 3`, `3rd of December`, `3 Dec 2026`, `Dec 3 '27`: without a year, the next
    3 Dec from today (today included)."""
    month, day = MONTHS[match["month"]], int(match["day"])
    if match["year"]:
        return date(_year(match["year"]), month, day)
    return periods.on_or_after(today, lambda year: date(year, month, day))


def _day_of_month(match: re.Match[str], today: date) -> date:
    """`the 15th`: the next 15th from today (today included); `15th of next month`."""
    day = int(match["day"])
    if match["which"]:
        ahead = 1 if match["which"] == "next" else 0
        return periods.add_months(today.replace(day=1), ahead).replace(day=day)
    first = today.replace(day=1)
    for ahead in range(12):
        month = periods.add_months(first, ahead)
        if (
            day <= periods.month_end(month.year, month.month).day
            and (found := month.replace(day=day)) >= today
        ):
            return found
    raise ValueError("no such day of the month")


NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# A unit's days, or (as a negative number) its months.
UNITS: dict[str, int] = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
    **dict.fromkeys(("mo", "mos", "mth", "mths", "month", "months"), -1),
    **dict.fromkeys(("quarter", "quarters"), -3),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), -12),
}
_SHORT_UNITS = {"d", "w", "wk", "wks", "mo", "mos", "mth", "mths", "y", "yr", "yrs"}


def _span(match: re.Match[str], today: date) -> date:
    """A span written with digits (`2w`, `3 days`) or a word (`two weeks`)."""
    count = int(match["n"]) if match["n"] else NUMBER_WORDS[match["n2"]]
    unit = UNITS[match["unit"] or match["unit2"]]
    if unit > 0:
        return today + timedelta(days=count * unit)
    return periods.add_months(today, count * -unit)


def _year(text: str) -> int:
    """`2027`, `'27` or `27` as a year (two digits are this century's)."""
    digits = text.lstrip("'")
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


# --- the table ------------------------------------------------------------------------------

_PERIOD = r"(?P<period>week|month|quarter|half|year)"
_EDGE = r"(?:(?P<edge>start|beginning|end) of )"
_YEAR = r"(?P<year>\d{4}|'\d{2})"
_YEAR_OR_SHORT = r"(?P<year>\d{4}|'?\d{2})"
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)"
_WORD_NUMBER = "|".join(NUMBER_WORDS)
_LONG_UNIT = "|".join(sorted(set(UNITS) - _SHORT_UNITS, key=len, reverse=True))
_ANY_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))


def phrase(pattern: str, resolve: Resolve, *, dated: bool = False) -> Phrase:
    """A table entry."""
    return Phrase(re.compile(pattern), resolve, dated)


PHRASES: tuple[Phrase, ...] = (
    phrase(r"today|end of day", _days(0)),
    phrase(r"tomorrow", _days(1)),
    phrase(r"day after tomorrow", _days(2)),
    phrase(r"yesterday", _days(-1)),
    phrase(r"day before yesterday", _days(-2)),
    phrase(rf"{_EDGE}?(?:(?P<which>this|next) )?{_PERIOD}", _period),
    phrase(r"(?:(?P<which>this|next) )?(?P<period>month|quarter|half|year) end", _period),
    phrase(rf"{_EDGE}(?:year )?{_YEAR}", _year_edge),
    phrase(rf"(?:(?P<mod>this coming|coming|next|this) )?(?P<wd>{WEEKDAY})", _weekday),
    phrase(rf"(?P<wd>{WEEKDAY}) (?P<which>this|next) week", _weekday_of_week),
    phrase(rf"(?P<which>this|next) week (?P<wd>{WEEKDAY})", _weekday_of_week),
    phrase(rf"(?P<wd>{WEEKDAY}) (?:week|after next)", _weekday_week_on),
    phrase(
        rf"(?:{_EDGE})?(?P<kind>[qh])(?P<n>[1-4])(?: ?[/-]? ?{_YEAR_OR_SHORT})?(?: end)?",
        _part_of_year,
    ),
    phrase(rf"{_EDGE}?(?P<year>\d{{4}}) ?[/-]? ?(?P<kind>[qh])(?P<n>[1-4])", _part_of_year),
    phrase(
        rf"(?:(?P<edge>start of|beginning of|end of|mid|middle of|in) )?(?P<month>{MONTH})"
        rf"(?: {_YEAR})?",
        _month,
    ),
    phrase(rf"next (?P<month>{MONTH})", _next_month_named),
    phrase(
        rf"(?P<month>{MONTH}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?: {_YEAR_OR_SHORT})?",
        _month_day,
        dated=True,
    ),
    phrase(
        rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<month>{MONTH})(?: {_YEAR_OR_SHORT})?",
        _month_day,
        dated=True,
    ),
    phrase(rf"{_ORDINAL}(?: (?:of )?(?P<which>this|next) month)?", _day_of_month, dated=True),
    phrase(
        rf"(?:(?:in|within) )?(?:(?P<n>\d{{1,3}}) ?(?P<unit>{_ANY_UNIT})"
        rf"|(?P<n2>{_WORD_NUMBER}) (?P<unit2>{_LONG_UNIT}))"
        r"(?:'? time| from today)?",
        _span,
    ),
    phrase(numeric.YEAR_FIRST.pattern, numeric.year_first, dated=True),
    phrase(numeric.COMPACT.pattern, numeric.year_first, dated=True),
    phrase(numeric.DAY_MONTH.pattern, numeric.day_month, dated=True),
)
_WEEKDAY_FIRST = re.compile(rf"(?P<wd>{WEEKDAY}) (?P<rest>.+)")


# --- resolving ------------------------------------------------------------------------------


def resolve(cleaned: str, *, today: date, original: str) -> date | None:
    """The date a normalised text means by the table, or None when no entry matches it.

    Raises:
        AmbiguousDate: An all-number date with two readings.
        UserError: The text names a date that does not exist, or a weekday it is not on.
    """
    try:
        found = _match(cleaned, today)
        if found is not None:
            return found
        return _dated_after_weekday(cleaned, today, original=original)
    except TwoReadings as two:
        raise AmbiguousDate(original, two.readings) from None
    except (ValueError, OverflowError):
        raise UserError(f"“{original}” is not a real date.", echo=original) from None


def _match(cleaned: str, today: date, *, dated_only: bool = False) -> date | None:
    for entry in PHRASES:
        if dated_only and not entry.dated:
            continue
        match = entry.pattern.fullmatch(cleaned)
        if match is not None:
            return entry.resolve(match, today)
    return None


def _dated_after_weekday(cleaned: str, today: date, *, original: str) -> date | None:
    """`Fri 4 Dec 2026`: the date, once its weekday is right."""
    match = _WEEKDAY_FIRST.fullmatch(cleaned)
    if match is None:
        return None
    found = _match(match["rest"], today, dated_only=True)
    if found is None:
        return None
    said = WEEKDAYS[match["wd"]]
    if found.weekday() != said:
        raise UserError(
            f"“{original}”: {format_date(found)} is a {WEEKDAY_NAMES[found.weekday()]}, "
            f"not a {WEEKDAY_NAMES[said]}. Give the date or the weekday alone.",
            echo=original,
        )
    return found
