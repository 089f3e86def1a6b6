"""Cadence specs ("weekly mon 09:00", "0 9 * * 1-5") and the due times they produce.

Pure: nothing here reads the clock. A slot is found in two steps, so that no DST change can
lose or add one:

1. Wall clock. APScheduler 3.11's `CronTrigger`, run in UTC over *naive local wall time*,
   lists the candidate wall times (Mon 30 Mar 2026 00:00, …). UTC has no DST, so no candidate
   is ever computed from an instant inside a transition. (Asked for the next instant in the
   zone itself, `CronTrigger` loses early-morning slots after a spring-forward: `weekly mon
   00:00` in Berlin from Sat 28 Mar 2026 gives 6 Apr.) The biweekly due week and `monthly`'s
   last weekday are read on these wall dates too.
2. Instant. Each candidate wall time becomes the first instant showing it in the zone: a time
   a DST spring-forward skips (02:30 on 29 Mar 2026 in Berlin, 00:00 where clocks change at
   midnight) runs at the gap's end (03:00, 01:00); a time a fall-back repeats (02:30 on 25 Oct
   2026 in Berlin) runs once, at its first occurrence. The slot is the first candidate whose
   instant is strictly after `after`; candidates that map to the same instant (two times in
   one gap) therefore give one slot.

This mapping never decreases as the wall time grows, and `after`'s own wall time maps to
`after` or (in a repeated hour) earlier, so the search may start at that wall time: no
earlier candidate can map past `after`, and skipping the ones that do not is all the
bookkeeping a transition needs. The claim key (`slot_local`) is the local wall time, so a
caller that saw a repeated time twice would still send once.

Crontab input is read here field by field, never by APScheduler's crontab parser:

- Day-of-week numbers: APScheduler counts Monday = 0, crontab Sunday = 0 (and 7), and
  `CronTrigger.from_crontab` does *not* translate ("0 9 * * 1" fires on Tuesdays, "7" is
  rejected). Each field is expanded to its values and handed over as explicit lists.
- Month and day names are numbers, so they mix freely in ranges (`jan-5`, `2-dec`); a step
  may follow a range (`9-17/2`) and may exceed the field (`*/30` in hours is hour 0 only), as
  in cron; each field's bounds are checked with a message naming the field.
- Day-of-month and day-of-week both restricted: crontab runs when *either* matches,
  APScheduler only when *both* do. We refuse that combination instead of picking one meaning.
- Never do arithmetic on aware *local* datetimes: `+ timedelta` resets `fold` and can jump an
  hour back in a repeated hour. Wall times here are naive; instants are UTC.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from cron_descriptor import ExpressionDescriptor, FormatError, Options

from bot.commands import WEEKDAYS, is_time_word, parse_hhmm, parse_weekday, time_words
from bot.errors import UserError

CadenceKind = Literal["weekly", "biweekly", "monthly", "daily", "cron"]

_EXAMPLES = (
    "weekly, weekly mon 09:00, biweekly, monthly, daily 09:30, "
    "or a cron expression like 0 9 * * 1-5"
)
_KEYWORDS: dict[str, CadenceKind] = {
    "weekly": "weekly",
    "biweekly": "biweekly",
    "fortnightly": "biweekly",
    "monthly": "monthly",
    "daily": "daily",
}
_DEFAULT_DAY = 4  # Friday
_DEFAULT_TIME = time(10, 0)
_CRON_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 Feb is a real date
_CRON_ITEM = re.compile(r"(?:(\*)|(\w+)(?:-(\w+))?)(?:/(\d+))?")
# Candidates skipped in one search: biweekly off weeks, the rest of a repeated hour.
_STEP_LIMIT = 10_000
_LOOKBACK_LIMIT = timedelta(minutes=2**22)  # ~8 years: even a 29 Feb cron has a slot in it


class _CronField(NamedTuple):
    """One crontab field: APScheduler's name for it, its name in messages, its bounds."""

    key: str
    words: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] is the number low + i (month) or i (day of week)


_CRON_FIELDS = (
    _CronField("minute", "minute", 0, 59),
    _CronField("hour", "hour", 0, 23),
    _CronField("day", "day-of-month", 1, 31),
    _CronField("month", "month", 1, 12, _MONTH_NAMES),
    _CronField("day_of_week", "day-of-week", 0, 7, _CRON_DAY_NAMES),
)


class _CronItem(NamedTuple):
    """One comma-separated item of a field, read: its values and how to say it in numbers."""

    values: range
    text: str


@dataclass(frozen=True)
class Cadence:
    """A parsed cadence.

    Attributes:
        spec: The normalised spec, stored and parsed again later ("weekly fri 10:00").
        kind: weekly, biweekly, monthly, daily or cron.
        weekday: 0 = Monday … 6 = Sunday, for weekly, biweekly and monthly (last such day).
        at: Local time of day, for every kind but cron.
        cron: The five crontab fields, for cron.
    """

    spec: str
    kind: CadenceKind
    weekday: int | None = None
    at: time | None = None
    cron: str | None = None


class Schedule(NamedTuple):
    """When a row's slots fall: its cadence, read in a zone, from an anchor date.

    Attributes:
        cadence: The parsed cadence.
        tz: The IANA zone the cadence's times are in.
        anchor: For biweekly, a date in a due week; with `every_weeks`, a date in the first
            due week; None otherwise.
        every_weeks: Only every this many weeks (Monday to Sunday) from the anchor's week
            has slots (a fortnightly steering meeting is 2); 1 means every week.
    """

    cadence: Cadence
    tz: str
    anchor: date | None = None
    every_weeks: int = 1

    def next_after(self, instant: datetime) -> datetime:
        """The first slot strictly after `instant` (see `next_due`)."""
        slot = next_due(self.cadence, after=instant, tz=self.tz, anchor=self.anchor)
        if self.every_weeks == 1 or self.anchor is None:
            return slot
        zone = ZoneInfo(self.tz)
        anchor_monday = self.anchor - timedelta(days=self.anchor.weekday())
        for _ in range(_STEP_LIMIT):
            day = _local(slot, zone).date()
            weeks = (day - anchor_monday).days // 7
            if weeks % self.every_weeks == 0:
                return slot
            # Jump to the Monday of the next due week (the skipped weeks have no slot).
            due_monday = anchor_monday + timedelta(weeks=weeks + (-weeks) % self.every_weeks)
            start = first_instant(datetime.combine(due_monday, time(0)), zone)
            slot = next_due(self.cadence, after=start - timedelta(microseconds=1), tz=self.tz)
        raise ValueError(f"no slot for {self.cadence.spec!r} after {instant.isoformat()}")


def parse_cadence(spec: str) -> Cadence:
    """Read a cadence spec.

    `weekly [day] [HH:MM]` (Friday 10:00 by default), `biweekly [day] [HH:MM]` (every other
    week from an anchor date), `monthly [day] [HH:MM]` (the last such day of the month),
    `daily [HH:MM]` (Monday to Friday), or a 5-field crontab expression with standard crontab
    meaning (day of week 0 and 7 = Sunday).

    Raises:
        UserError: Not one of those, with examples; echoes the spec.
    """
    words = spec.lower().split()
    if len(words) == 5 and words[0][0] in "*0123456789":
        return _parse_cron(words, original=spec)
    if not words or words[0] not in _KEYWORDS:
        raise UserError(f"“{spec}” is not a cadence. Use {_EXAMPLES}.", echo=spec)
    kind = _KEYWORDS[words[0]]
    weekday, at = _day_and_time(time_words(spec.lower())[1:], original=spec)
    if kind == "daily":
        if weekday is not None:
            raise UserError(
                "daily means Monday to Friday; for one day a week write e.g. weekly tue 09:00.",
                echo=spec,
            )
        return Cadence(spec=f"daily {at:%H:%M}", kind=kind, at=at)
    weekday = _DEFAULT_DAY if weekday is None else weekday
    normalised = f"{kind} {_CRON_DAY_NAMES[(weekday + 1) % 7]} {at:%H:%M}"
    return Cadence(spec=normalised, kind=kind, weekday=weekday, at=at)


def parse_status_cadence(spec: str) -> Cadence:
    """A program's status cadence as typed: any cadence that fires at most once a day.

    A crontab with several minutes or hours would DM the owner again and again; it is
    refused with the reason. (Stored specs are read with `parse_cadence`, so a program saved
    before this rule still loads.)

    Raises:
        UserError: Not a cadence, or one that fires more than once a day.
    """
    cadence = parse_cadence(spec)
    if cadence.cron is not None:
        minutes, hours = _cron_values(cadence.cron)[:2]
        if len(minutes) * len(hours) > 1:
            raise _cron_error(
                spec,
                "it fires more than once a day, and status is asked for at most once a day; "
                "give one minute and one hour",
            )
    return cadence


def _day_and_time(words: list[str], *, original: str) -> tuple[int | None, time]:
    """The optional day name and time (`09:00`, `9am`) after the keyword, in either order."""
    weekday: int | None = None
    at: time | None = None
    for word in words:
        day = parse_weekday(word)
        if day is not None and weekday is None:
            weekday = day
        elif is_time_word(word) and at is None:
            at = _time_in_spec(word, original=original)
        else:
            raise UserError(
                f"I don't understand “{word}” in the cadence “{original}”. Use {_EXAMPLES}.",
                echo=original,
            )
    return weekday, at or _DEFAULT_TIME


def _time_in_spec(word: str, *, original: str) -> time:
    try:
        return parse_hhmm(word)
    except UserError as error:
        error.echo = original
        raise


def _parse_cron(words: list[str], *, original: str) -> Cadence:
    fields = [
        _cron_items(field, word, original=original)
        for field, word in zip(_CRON_FIELDS, words, strict=True)
    ]
    if words[2] != "*" and words[4] != "*":
        raise _cron_error(
            original,
            "it restricts both the day of the month and the day of the week (cron would run "
            "when either matches, which is rarely meant); keep one of them and put * in the other",
        )
    days, months = (_values(items) for items in fields[2:4])
    if not any(day <= _MONTH_DAYS[month - 1] for day in days for month in months):
        raise _cron_error(original, "it never matches a real date")
    return Cadence(spec=" ".join(words), kind="cron", cron=" ".join(words))


def _cron_error(original: str, why: str) -> UserError:
    return UserError(
        f"“{original}” is not a cadence: {why}. Cron fields are minute hour day-of-month month "
        "day-of-week, e.g. 0 9 * * 1-5 (weekdays at 09:00; 0 or 7 = Sunday).",
        echo=original,
    )


def _cron_items(field: _CronField, word: str, *, original: str) -> list[_CronItem]:
    """Read one crontab field ("1-5", "*/15", "jan-5,9") item by item, checking its bounds.

    As in cron, "*" and "a/n" run to the field's end, and a step may exceed the field
    ("*/30" in hours is hour 0 only). Day of week 7 is Sunday, as 0 is; "sun" ends a range
    as 7 ("fri-sun").

    Raises:
        UserError: An item that is not a number, name or range, lies outside the field's
            bounds, runs backwards or steps by 0; names the field and echoes the spec.
    """
    items = []
    for item in word.split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None:
            raise _cron_error(original, f"the {field.words} field “{word}” is not valid")
        star, first, last, step = match.groups()
        low = field.low if star else _cron_number(field, first, word=word, original=original)
        if last is not None:
            high = _cron_number(field, last, word=word, original=original, range_end=True)
        else:
            high = field.high if star or step else low
        if low > high or (step is not None and int(step) == 0):
            raise _cron_error(original, f"the {field.words} field “{word}” matches nothing")
        items.append(_cron_item(field, low, high, int(step or 1), star=bool(star)))
    return items


def _cron_number(
    field: _CronField, token: str, *, word: str, original: str, range_end: bool = False
) -> int:
    if token in field.names:
        number = field.names.index(token) + (field.low if field.key == "month" else 0)
        return field.high if range_end and field.key == "day_of_week" and number == 0 else number
    if not token.isdigit():
        raise _cron_error(original, f"the {field.words} field “{word}” is not valid")
    if not field.low <= int(token) <= field.high:
        raise _cron_error(
            original,
            f"the {field.words} field “{word}” is out of range ({field.low}–{field.high})",
        )
    return int(token)


def _cron_item(field: _CronField, low: int, high: int, step: int, *, star: bool) -> _CronItem:
    """An item's values, and its text in numbers for the describer ("jan-5" → "1-5")."""
    values = range(low, high + 1, step)
    if len(values) == 1:  # "*/30" in hours, "9-10/2": say the one value
        return _CronItem(values, str(low))
    if star and (field.high - field.low + 1) % step:  # "*/7" minutes: 0 … 56, then 0 again
        return _CronItem(values, _runs(values))
    spread = "*" if star else f"{low}-{high}"
    return _CronItem(values, spread if step == 1 else f"{spread}/{step}")


def _values(items: list[_CronItem]) -> frozenset[int]:
    return frozenset(value for item in items for value in item.values)


@lru_cache(maxsize=1024)
def _cron_values(cron: str) -> tuple[frozenset[int], ...]:
    """The values of each field of a valid crontab; day of week as 0 = Sunday … 6."""
    words = cron.split()
    fields = [
        _values(_cron_items(f, w, original=cron)) for f, w in zip(_CRON_FIELDS, words, strict=True)
    ]
    return (*fields[:4], frozenset(day % 7 for day in fields[4]))


def describe(cadence: Cadence, tz: str | None = None) -> str:
    """A cadence in words, with its zone when given.

    "every Friday at 10:00", "weekdays at 09:30", "at 09:00, Monday through Friday" (a crontab,
    in cron-descriptor's words), "…, Europe/Berlin" with `tz`.
    """
    words = _keyword_words(cadence) if cadence.cron is None else _cron_words(cadence.cron)
    return words if tz is None else f"{words}, {tz}"


def _keyword_words(cadence: Cadence) -> str:
    at = f"{cadence.at:%H:%M}"
    if cadence.kind == "daily":
        return f"weekdays at {at}"
    day = WEEKDAYS[cadence.weekday or 0].capitalize()
    if cadence.kind == "weekly":
        return f"every {day} at {at}"
    if cadence.kind == "biweekly":
        return f"every other {day} at {at}"
    return f"last {day} of each month at {at}"


@lru_cache(maxsize=1024)
def _cron_words(cron: str) -> str:
    """cron-descriptor's words for a crontab, read in numbers first (it mixes no names)."""
    numbers = [
        _describer_field(field, _cron_items(field, word, original=cron))
        for field, word in zip(_CRON_FIELDS, cron.split(), strict=True)
    ]
    options = Options()
    options.use_24hour_time_format = True  # day_of_week_start_index_zero: 0 = Sunday
    try:
        words = ExpressionDescriptor(" ".join(numbers), options).get_description()
    except FormatError:  # not expected for a parsed crontab; the spec itself still reads
        return f"cron {cron}"
    return words[:1].lower() + words[1:]


def _describer_field(field: _CronField, items: list[_CronItem]) -> str:
    """A field as cron-descriptor reads it best.

    A single item goes as written in numbers ("1-5": "Monday through Friday"). A list goes as
    its values, runs as ranges: the describer refuses a step or * inside a list ("*/5,3") and
    lists days one by one ("1,2,3,4,5"). So do stepped days, which it words vaguely ("1/2":
    "every 2 days of the week").
    """
    [first, *rest] = items
    if not rest and (field.key != "day_of_week" or "/" not in first.text):
        return first.text
    values = _values(items)
    if field.key == "day_of_week":
        values = frozenset(day % 7 for day in values)
    return "*" if len(values) == _distinct_values(field) else _runs(values)


def _distinct_values(field: _CronField) -> int:
    """How many values a field can take (day of week: 7, as 0 and 7 are both Sunday)."""
    return 7 if field.key == "day_of_week" else field.high - field.low + 1


def _runs(values: Iterable[int]) -> str:
    """Values as a crontab list, runs of three or more as ranges: "1-5,7"."""
    runs: list[list[int]] = []
    for value in sorted(values):
        if runs and runs[-1][-1] == value - 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)


@lru_cache(maxsize=1024)
def _wall_trigger(cadence: Cadence) -> CronTrigger:
    """A trigger over wall-clock times: run in UTC, its fire times are read as naive walls."""
    return CronTrigger(**_trigger_fields(cadence), timezone=UTC)


def _trigger_fields(cadence: Cadence) -> dict[str, str]:
    if cadence.cron is not None:
        return _cron_trigger_fields(cadence.cron)
    at = cadence.at or _DEFAULT_TIME
    fields = {"hour": str(at.hour), "minute": str(at.minute)}
    day = _CRON_DAY_NAMES[((cadence.weekday or 0) + 1) % 7]
    if cadence.kind == "daily":
        return {**fields, "day_of_week": "mon-fri"}
    if cadence.kind == "monthly":
        return {**fields, "day": f"last {day}"}
    return {**fields, "day_of_week": day}


def _cron_trigger_fields(cron: str) -> dict[str, str]:
    """Explicit values, so APScheduler's own crontab reading never applies.

    Days of the week go as names (APScheduler's numbers start on Monday), the other fields as
    ranges where they run on ("0-59" is one expression to APScheduler, "0,1,…,59" sixty).
    """
    fields = {}
    for field, values in zip(_CRON_FIELDS, _cron_values(cron), strict=True):
        if len(values) == _distinct_values(field):
            fields[field.key] = "*"
        elif field.key == "day_of_week":
            fields[field.key] = ",".join(_CRON_DAY_NAMES[day] for day in sorted(values))
        else:
            fields[field.key] = _runs(values)
    return fields


def next_due(cadence: Cadence, *, after: datetime, tz: str, anchor: date | None = None) -> datetime:
    """The first slot strictly after `after`.

    Args:
        cadence: The parsed cadence.
        after: An aware instant.
        tz: The IANA zone the cadence's times are in.
        anchor: For biweekly, a date in a due week (the program's start); required there.

    Returns:
        The slot as an aware UTC datetime. A local time skipped by DST runs at the gap's end;
        one repeated by DST runs once, at its first occurrence (see the module docstring).
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if cadence.kind == "biweekly" and anchor is None:
        raise ValueError("a biweekly cadence needs an anchor date")
    zone = ZoneInfo(tz)
    trigger = _wall_trigger(cadence)
    # `after`'s own wall time maps to `after` or earlier, so the first candidate is later.
    wall = _local(after, zone) + timedelta(microseconds=1)
    for _ in range(_STEP_LIMIT):
        fire = trigger.get_next_fire_time(None, wall.replace(tzinfo=UTC))
        if fire is None:
            break
        wall = fire.replace(tzinfo=None)
        slot = first_instant(wall, zone)
        if slot > after and _in_due_week(cadence, wall.date(), anchor):
            return slot
        wall += timedelta(minutes=1)  # candidates are whole minutes
    raise ValueError(f"no slot for {cadence.spec!r} after {after.isoformat()}")


def first_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose local time is `wall`, or the gap's end if DST skips it."""
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)  # the first occurrence
    if _local(instant, zone) == wall:
        return instant
    # In a gap, fold=1 reads the wall time with the offset after the change: an instant
    # before the change, and fold=0 one at or after it. The change is the first second
    # between them whose local time is past `wall`.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    span = int((instant - before).total_seconds())
    seconds = bisect_right(
        range(span + 1), wall, key=lambda s: _local(before + timedelta(seconds=s), zone)
    )
    return before + timedelta(seconds=seconds)


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall time of an instant, with `fold` cleared: a wall time, not an instant."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _in_due_week(cadence: Cadence, day: date, anchor: date | None) -> bool:
    if cadence.kind != "biweekly" or anchor is None:
        return True
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    return (day - anchor_monday).days // 7 % 2 == 0


def previous_due(
    cadence: Cadence, *, before: datetime, tz: str, anchor: date | None = None
) -> datetime | None:
    """The latest slot at or before `before`, of the slots `next_due` steps through.

    Searches backwards in windows that double from one minute, up to about eight years.

    Returns:
        The slot as an aware UTC datetime, or None when there is none in that span.
    """
    window = timedelta(minutes=1)
    while window <= _LOOKBACK_LIMIT:
        slot = next_due(cadence, after=before - window, tz=tz, anchor=anchor)
        if slot <= before:
            return _latest_slot(cadence, slot, end=before, tz=tz, anchor=anchor)
        window *= 2
    return None


def _latest_slot(
    cadence: Cadence, slot: datetime, *, end: datetime, tz: str, anchor: date | None
) -> datetime:
    """The last slot at or before `end`, from a slot before it, halving the span each probe."""
    while (following := next_due(cadence, after=slot, tz=tz, anchor=anchor)) <= end:
        middle = following + (end - following) / 2
        probe = next_due(cadence, after=middle, tz=tz, anchor=anchor)
        if probe <= end:
            slot = probe
        else:  # none in (middle, end]
            slot, end = following, middle
    return slot


def slot_local(due_utc: datetime, tz: str) -> datetime:
    """The local wall time of a slot, naive: the period key a claim is made under."""
    return due_utc.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
