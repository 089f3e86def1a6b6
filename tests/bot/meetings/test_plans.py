"""A meeting's plan: reading its days, time, rhythm and length; its starts every N weeks
across daylight saving and the year's end; and the pre-read one working day before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.meetings import plans
from storage.models import Meeting, Workspace

BERLIN = "Europe/Berlin"


def meeting(**values: Any) -> Meeting:
    defaults: dict[str, Any] = {
        "team_id": "T1",
        "channel_id": "CSTEER",
        "days": "mon",
        "at": "10:00",
        "every_weeks": 2,
        "anchor": date(2026, 11, 30),
        "length_minutes": 60,
        "timezone": BERLIN,
        "attendees": [],
    }
    return Meeting(**{**defaults, **values})


def workspace(**values: Any) -> Workspace:
    defaults: dict[str, Any] = {
        "team_id": "T1",
        "timezone": "UTC",
        "workdays": "01234",
        "hours": "08:00-20:00",
        "holidays": None,
    }
    return Workspace(**{**defaults, **values})


def berlin(when: str) -> datetime:
    """A Berlin wall time as a UTC instant."""
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)


def starts(row: Meeting, *, after: datetime, count: int) -> list[str]:
    """The next `count` starts, as Berlin wall times with their UTC offsets."""
    found, at = [], after
    for _ in range(count):
        start = plans.next_start(row, after=at)
        assert start is not None
        found.append(start.astimezone(ZoneInfo(BERLIN)).isoformat(timespec="minutes"))
        at = start
    return found


# --- reading what the chair typed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "at"),
    [
        ("mon 10:00", (0,), time(10, 0)),
        ("tue,thu 14:30", (1, 3), time(14, 30)),
        ("14:30 tue,thu", (1, 3), time(14, 30)),
        ("mon-wed 9:05", (0, 1, 2), time(9, 5)),
        ("Fri 16:00", (4,), time(16, 0)),
        ("thursday at 2pm", (3,), time(14, 0)),
        ("tue,thu 2:30 pm", (1, 3), time(14, 30)),
        ("9am mon", (0,), time(9, 0)),
    ],
)
def test_when_reads_days_and_one_time_in_either_order(
    text: str, days: tuple[int, ...], at: time
) -> None:
    assert plans.parse_when(text) == (days, at)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mon", "Give the days and one start time"),
        ("mon 10:00 11:00", "Give the days and one start time"),
        ("10:00", "Which days?"),
        ("someday 10:00", "“someday” is not a day"),
        ("mon 25:00", "“25:00” is not a time of day"),
        ("mon 13pm", "“13pm” is not a time of day"),
        ("mon 9am 10am", "Give the days and one start time"),
    ],
)
def test_when_refuses_what_it_cannot_read_and_echoes_it(text: str, says: str) -> None:
    with pytest.raises(UserError) as error:
        plans.parse_when(text)
    assert says in error.value.message
    assert error.value.echo is not None and error.value.echo in text


@pytest.mark.parametrize(
    ("text", "weeks"),
    [("2w", 2), ("2", 2), ("2 weeks", 2), ("1w", 1), ("weekly", 1), ("fortnightly", 2),
     ("biweekly", 2), ("monthly", 4), ("8wk", 8), (" 3 W ", 3)],
)  # fmt: skip
def test_every_reads_a_number_of_weeks(text: str, weeks: int) -> None:
    assert plans.parse_every(text) == weeks


@pytest.mark.parametrize("text", ["0w", "9w", "2d", "often", "", "-1"])
def test_every_refuses_other_rhythms(text: str) -> None:
    with pytest.raises(UserError) as error:
        plans.parse_every(text)
    assert "is not a number of weeks" in error.value.message and error.value.echo == text


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("60m", 60), ("90", 90), ("1h", 60), ("1h30m", 90), ("1.5h", 90), ("45min", 45),
     ("15m", 15), ("8h", 480), ("2h 15m", 135)],
)  # fmt: skip
def test_length_reads_minutes_and_hours(text: str, minutes: int) -> None:
    assert plans.parse_length(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["10m", "9h", "8h1m", "an hour", "", "h", "1.5"])
def test_length_refuses_too_short_too_long_or_unreadable(text: str) -> None:
    with pytest.raises(UserError) as error:
        plans.parse_length(text)
    assert "is not a meeting length" in error.value.message and error.value.echo == text


def test_a_plan_describes_itself() -> None:
    assert plans.plan_of(meeting(days="tue,thu", at="14:30")).describe() == (
        "tue,thu 14:30, every 2 weeks, 60 min (Europe/Berlin)"
    )
    assert plans.plan_of(meeting(every_weeks=1, length_minutes=90)).describe() == (
        "mon 10:00, weekly, 90 min (Europe/Berlin)"
    )


# --- its starts -------------------------------------------------------------------------------


def test_fortnightly_starts_keep_their_local_time_across_the_autumn_change() -> None:
    row = meeting(anchor=date(2026, 10, 12))  # Berlin leaves summer time on Sun 25 Oct

    assert starts(row, after=berlin("2026-10-01 00:00"), count=3) == [
        "2026-10-12T10:00+02:00",
        "2026-10-26T10:00+01:00",
        "2026-11-09T10:00+01:00",
    ]


def test_fortnightly_starts_keep_their_local_time_across_the_spring_change() -> None:
    row = meeting(anchor=date(2027, 3, 15))  # Berlin goes to summer time on Sun 28 Mar 2027

    assert starts(row, after=berlin("2027-03-10 00:00"), count=3) == [
        "2027-03-15T10:00+01:00",
        "2027-03-29T10:00+02:00",
        "2027-04-12T10:00+02:00",
    ]


def test_fortnightly_starts_run_on_across_the_years_end() -> None:
    row = meeting(anchor=date(2026, 12, 14))  # 2026 has an ISO week 53

    assert starts(row, after=berlin("2026-12-01 00:00"), count=4) == [
        "2026-12-14T10:00+01:00",
        "2026-12-28T10:00+01:00",
        "2027-01-11T10:00+01:00",
        "2027-01-25T10:00+01:00",
    ]


def test_several_days_a_week_every_other_week() -> None:
    row = meeting(days="tue,thu", at="14:30", anchor=date(2026, 12, 1))

    assert starts(row, after=berlin("2026-11-30 00:00"), count=4) == [
        "2026-12-01T14:30+01:00",
        "2026-12-03T14:30+01:00",
        "2026-12-15T14:30+01:00",
        "2026-12-17T14:30+01:00",
    ]


def test_a_start_inside_the_spring_gap_happens_at_its_end() -> None:
    row = meeting(days="sun", at="02:30", every_weeks=1, anchor=date(2026, 3, 22))

    assert starts(row, after=berlin("2026-03-27 00:00"), count=2) == [
        "2026-03-29T03:00+02:00",  # 02:30 does not exist that night
        "2026-04-05T02:30+02:00",
    ]


def test_is_start_and_period_follow_the_plan_as_it_is_now() -> None:
    row = meeting()
    start = berlin("2026-11-30 10:00")

    assert plans.is_start(row, start)
    assert not plans.is_start(row, start + timedelta(minutes=1))
    assert not plans.is_start(row, start + timedelta(weeks=1))  # the off week
    assert plans.period_of(row, start) == "2026-11-30T10:00"
    row.days = "tue"
    assert not plans.is_start(row, start)
    row.days, row.removed_at = "mon", start
    assert plans.next_start(row, after=start - timedelta(days=1)) is None
    assert not plans.is_start(row, start)


def test_an_occurrence_brings_a_preread_an_agenda_post_and_a_close() -> None:
    row = meeting(length_minutes=90)
    start = berlin("2026-11-30 10:00")
    space = workspace()

    class OneWorkspace:  # all `slot_jobs` reads of its session
        def get(self, model: type, key: str) -> Workspace:
            return space

    jobs = plans.slot_jobs(OneWorkspace(), row, start)  # type: ignore[arg-type]

    assert [(job.kind, job.due_at) for job in jobs] == [
        (plans.PREREAD, berlin("2026-11-27 10:00")),
        (plans.AGENDA, berlin("2026-11-30 09:00")),
        (plans.CLOSE, berlin("2026-11-30 12:00")),
    ]
    assert plans.ends_at(row, start) == berlin("2026-11-30 11:30")


# --- the pre-read, one working day before -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "preread", "holidays"),
    [
        ("2026-12-01 10:00", "2026-11-30 10:00", None),  # Tuesday: Monday
        ("2026-11-30 10:00", "2026-11-27 10:00", None),  # Monday: over the weekend, Friday
        ("2026-12-28 10:00", "2026-12-24 10:00", "DE"),  # Friday 25 Dec is Christmas Day
        ("2027-03-30 10:00", "2027-03-25 10:00", "DE"),  # Easter: Mon 29 and Fri 26 Mar off,
        # and summer time began on the Sunday between
        ("2026-10-26 10:00", "2026-10-23 10:00", None),  # and winter time, the other way
        ("2027-01-04 09:00", "2026-12-31 09:00", "DE"),  # across the year, New Year's Day off
    ],
)
def test_the_preread_is_the_same_local_time_on_the_previous_working_day(
    start: str, preread: str, holidays: str | None
) -> None:
    day = datetime.fromisoformat(start).date()
    row = meeting(days=("mon", "tue")[day.weekday()], at=start[-5:], anchor=day)
    instant = berlin(start)
    assert plans.is_start(row, instant)

    assert plans.preread_at(row, instant, workspace(holidays=holidays)) == berlin(preread)


def test_the_preread_follows_the_workspaces_working_week() -> None:
    row = meeting(days="sun", anchor=date(2026, 11, 29))  # a Sunday-to-Thursday week
    start = berlin("2026-11-29 10:00")

    preread = plans.preread_at(row, start, workspace(workdays="60123"))

    assert preread == berlin("2026-11-26 10:00")  # Thursday
