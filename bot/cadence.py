"""Cadence specs ("weekly mon 09:00", "0 9 * * 1-5") and the due times they produce.

Pure: nothing here reads the clock. Slots are computed with APScheduler 3.11's `CronTrigger` in
the owner's zone, then normalised, because of what `CronTrigger` does on its own:

- Day-of-week numbers: APScheduler counts Monday = 0, crontab Sunday = 0 (and 7), and
  `CronTrigger.from_crontab` does *not* translate ("0 9 * * 1" fires on Tuesdays, "7" is
  rejected). We expand crontab day-of-week fields to day names before building the trigger.
- Day-of-month and day-of-week both restricted: crontab runs when *either* matches,
  APScheduler only when *both* do. We refuse that combination instead of picking one meaning.
- A local time that does not exist (02:30 on 29 Mar 2026 in Europe/Berlin) comes back as
  02:30+01:00, i.e. 03:30 summer time. We move it to the next valid minute (03:00).
- A local time that happens twice (02:30 on 25 Oct 2026 in Berlin) fires twice, once per UTC
  offset. We keep the first and skip the repeat, so each local slot is due once; the claim key
  (`slot_local`) is the local wall time, so a caller that saw both would still send once.
- Never do arithmetic on aware *local* datetimes: `+ timedelta` resets `fold` and can jump an
  hour back in a repeated hour. Everything here steps in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.commands import WEEKDAYS, parse_hhmm, parse_weekday
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
_CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_FIELD_WORDS = {
    "minute": "minute",
    "hour": "hour",
    "day": "day-of-month",
    "month": "month",
    "day_of_week": "day-of-week",
}
_CRON_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_NAMES = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_CRON_VALUE = {
    "minute": r"\d+",
    "hour": r"\d+",
    "day": r"\d+",
    "month": rf"\d+|{_MONTH_NAMES}",
    "day_of_week": rf"\d+|{'|'.join(_CRON_DAY_NAMES)}",
}
_CRON_ITEM = r"(?:\*|(?:{v})(?:-(?:{v}))?)(?:/\d+)?"
_DOW_ITEM = re.compile(r"(?:\*|(\w+)(?:-(\w+))?)(?:/(\d+))?")
_STEP_LIMIT = 1000  # slots skipped in one search (biweekly parity, DST repeats) before giving up
_LOOKBACK_LIMIT = timedelta(hours=2**16)  # ~7.5 years: even a 29 Feb cron has a slot in it


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
        anchor: For biweekly, a date in a due week; None otherwise.
    """

    cadence: Cadence
    tz: str
    anchor: date | None = None

    def next_after(self, instant: datetime) -> datetime:
        """The first slot strictly after `instant` (see `next_due`)."""
        return next_due(self.cadence, after=instant, tz=self.tz, anchor=self.anchor)


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
    weekday, at = _day_and_time(words[1:], original=spec)
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
        minute, hour = cadence.cron.split()[:2]
        if not (minute.isdigit() and hour.isdigit()):
            raise _cron_error(
                spec,
                "it fires more than once a day, and status is asked for at most once a day; "
                "give one minute and one hour",
            )
    return cadence


def _day_and_time(words: list[str], *, original: str) -> tuple[int | None, time]:
    """The optional day name and HH:MM after the keyword, in either order."""
    weekday: int | None = None
    at: time | None = None
    for word in words:
        day = parse_weekday(word)
        if day is not None and weekday is None:
            weekday = day
        elif ":" in word and at is None:
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
    for name, word in zip(_CRON_FIELDS, words, strict=True):
        item = _CRON_ITEM.format(v=_CRON_VALUE[name])
        if not re.fullmatch(rf"{item}(?:,{item})*", word):
            raise _cron_error(original, f"the {_FIELD_WORDS[name]} field “{word}” is not valid")
    if words[2] != "*" and words[4] != "*":
        raise _cron_error(
            original,
            "it restricts both the day of the month and the day of the week (cron would run "
            "when either matches, which is rarely meant); keep one of them and put * in the other",
        )
    cadence = Cadence(spec=" ".join(words), kind="cron", cron=" ".join(words))
    try:
        first = _trigger(cadence, "UTC").get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=UTC))
    except ValueError as error:
        raise _cron_error(original, str(error)) from None
    if first is None:
        raise _cron_error(original, "it never matches a real date")
    return cadence


def _cron_error(original: str, why: str) -> UserError:
    return UserError(
        f"“{original}” is not a cadence: {why}. Cron fields are minute hour day-of-month month "
        "day-of-week, e.g. 0 9 * * 1-5 (weekdays at 09:00; 0 or 7 = Sunday).",
        echo=original,
    )


def _crontab_days_to_names(field: str) -> str:
    """Translate a crontab day-of-week field (0/7 = Sunday) to APScheduler day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        days |= _crontab_day_item(item)
    return ",".join(_CRON_DAY_NAMES[day] for day in sorted(days))


def _crontab_day_item(item: str) -> set[int]:
    match = _DOW_ITEM.fullmatch(item)
    if match is None:
        raise ValueError(f"bad day of week {item!r}")
    first, last, step = match.groups()
    # As in cron, "*" and "a/n" run to 7 (Sunday again): "*/2" is sun,tue,thu,sat.
    low = 0 if first is None else _crontab_day_number(first, range_end=False)
    if last is not None:
        high = _crontab_day_number(last, range_end=True)
    else:
        high = 7 if first is None or step is not None else low
    if low > high or (step is not None and int(step) < 1):
        raise ValueError(f"the day-of-week range {item!r} is empty")
    return {day % 7 for day in range(low, high + 1, int(step or 1))}


def _crontab_day_number(word: str, *, range_end: bool) -> int:
    if word in _CRON_DAY_NAMES:
        number = _CRON_DAY_NAMES.index(word)
        return 7 if range_end and number == 0 else number
    if not 0 <= int(word) <= 7:
        raise ValueError(f"day of week {word} is not 0-7")
    return int(word)


def describe(cadence: Cadence) -> str:
    """A cadence in words: "every Friday at 10:00", "weekdays at 09:30", "cron 0 9 * * 1-5"."""
    if cadence.kind == "cron":
        return f"cron {cadence.cron}"
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
def _trigger(cadence: Cadence, tz: str) -> CronTrigger:
    return CronTrigger(**_trigger_fields(cadence), timezone=ZoneInfo(tz))


def _trigger_fields(cadence: Cadence) -> dict[str, str]:
    if cadence.kind == "cron":
        fields = dict(zip(_CRON_FIELDS, (cadence.cron or "").split(), strict=True))
        return {**fields, "day_of_week": _crontab_days_to_names(fields["day_of_week"])}
    at = cadence.at or _DEFAULT_TIME
    fields = {"hour": str(at.hour), "minute": str(at.minute)}
    day = _CRON_DAY_NAMES[((cadence.weekday or 0) + 1) % 7]
    if cadence.kind == "daily":
        return {**fields, "day_of_week": "mon-fri"}
    if cadence.kind == "monthly":
        return {**fields, "day": f"last {day}"}
    return {**fields, "day_of_week": day}


def next_due(cadence: Cadence, *, after: datetime, tz: str, anchor: date | None = None) -> datetime:
    """The first slot strictly after `after`.

    Args:
        cadence: The parsed cadence.
        after: An aware instant.
        tz: The IANA zone the cadence's times are in.
        anchor: For biweekly, a date in a due week (the program's start); required there.

    Returns:
        The slot as an aware UTC datetime. A local time skipped by DST runs at the next valid
        minute; one repeated by DST runs once, at its first occurrence.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if cadence.kind == "biweekly" and anchor is None:
        raise ValueError("a biweekly cadence needs an anchor date")
    zone = ZoneInfo(tz)
    trigger = _trigger(cadence, tz)
    cursor = after.astimezone(UTC)
    for _ in range(_STEP_LIMIT):
        fire = trigger.get_next_fire_time(None, cursor + timedelta(microseconds=1))
        if fire is None:
            break
        slot = _valid_instant(fire, zone)
        if slot > after and _in_due_week(cadence, fire, anchor) and not _is_repeat(fire):
            return slot
        # Step on even when a fire time does not move forward (a datetime that lost its
        # `fold`, as under freezegun, reads the repeated hour's first occurrence again).
        cursor = max(fire.astimezone(UTC), cursor + timedelta(minutes=1))
    raise ValueError(f"no slot for {cadence.spec!r} after {after.isoformat()}")


def _valid_instant(fire: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a fire time, moving a local time DST skips to the gap's end."""
    instant = fire.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == fire.replace(tzinfo=None):
        return instant
    # In a gap, fold=1 reads the wall time with the offset after the change: an instant
    # before the gap. The first whole minute from there whose wall time is past it is the
    # gap's end.
    wanted = fire.replace(tzinfo=None)
    minute = fire.replace(fold=1).astimezone(UTC)
    while minute.astimezone(zone).replace(tzinfo=None) < wanted:
        minute += timedelta(minutes=1)
    return minute


def _is_repeat(fire: datetime) -> bool:
    """Whether this is the second occurrence of a local time that a DST fall-back repeats."""
    return fire.fold == 1 and fire.utcoffset() != fire.replace(fold=0).utcoffset()


def _in_due_week(cadence: Cadence, fire: datetime, anchor: date | None) -> bool:
    if cadence.kind != "biweekly" or anchor is None:
        return True
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    return (fire.date() - anchor_monday).days // 7 % 2 == 0


def previous_due(
    cadence: Cadence, *, before: datetime, tz: str, anchor: date | None = None
) -> datetime | None:
    """The latest slot at or before `before`.

    Searches backwards in windows that double from one hour, up to about seven years.

    Returns:
        The slot as an aware UTC datetime, or None when there is none in that span.
    """
    window = timedelta(hours=1)
    while window <= _LOOKBACK_LIMIT:
        latest = _last_slot_between(cadence, before - window, before, tz=tz, anchor=anchor)
        if latest is not None:
            return latest
        window *= 2
    return None


def _last_slot_between(
    cadence: Cadence, start: datetime, end: datetime, *, tz: str, anchor: date | None
) -> datetime | None:
    latest = None
    slot = next_due(cadence, after=start, tz=tz, anchor=anchor)
    while slot <= end:
        latest = slot
        slot = next_due(cadence, after=slot, tz=tz, anchor=anchor)
    return latest


def slot_local(due_utc: datetime, tz: str) -> datetime:
    """The local wall time of a slot, naive: the period key a claim is made under."""
    return due_utc.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
