"""Working calendars: message windows (Mon–Fri 08:00–20:00 by default, in the person's zone),
holidays, grace counted in working time, and the settings people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.working_time import (
    WorkingTime,
    format_workdays,
    parse_holidays,
    parse_hours,
    parse_workdays,
)


def next_window_start(instant: datetime, tz: str) -> datetime:
    return WorkingTime(tz=tz).next_window_start(instant)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_inside_the_window_is_now() -> None:
    assert next_window_start(utc(2026, 11, 25, 9, 0), "Europe/Berlin") == utc(2026, 11, 25, 9, 0)


def test_evening_waits_for_next_morning_in_the_recipients_zone() -> None:
    # 20:30 Berlin on Wednesday -> Thursday 08:00 Berlin = 07:00 UTC
    assert next_window_start(utc(2026, 11, 25, 19, 30), "Europe/Berlin") == utc(2026, 11, 26, 7)


def test_early_morning_waits_for_eight_the_same_day() -> None:
    # 06:00 in New York (11:00 UTC) on Wednesday -> 08:00 New York = 13:00 UTC
    assert next_window_start(utc(2026, 11, 25, 11), "America/New_York") == utc(2026, 11, 25, 13)


def test_friday_night_waits_for_monday() -> None:
    # Friday 27 Nov 21:00 Tokyo = 12:00 UTC -> Monday 30 Nov 08:00 Tokyo = Sunday 23:00 UTC
    assert next_window_start(utc(2026, 11, 27, 12), "Asia/Tokyo") == utc(2026, 11, 29, 23)


def test_saturday_waits_for_monday() -> None:
    assert next_window_start(utc(2026, 11, 28, 12), "UTC") == utc(2026, 11, 30, 8)


def test_window_closes_at_twenty_sharp() -> None:
    assert next_window_start(utc(2026, 11, 25, 20, 0), "UTC") == utc(2026, 11, 26, 8)
    assert next_window_start(utc(2026, 11, 25, 19, 59), "UTC") == utc(2026, 11, 25, 19, 59)


def test_spring_forward_monday_opening_is_valid_local_time() -> None:
    # Sunday 8 Mar 2026 (US DST starts) -> Monday 9 Mar 08:00 EDT = 12:00 UTC
    assert next_window_start(utc(2026, 3, 8, 12), "America/New_York") == utc(2026, 3, 9, 12)


# --- working calendars: days, holidays, grace in working time -------------------------------


BERLIN = WorkingTime(tz="Europe/Berlin", holidays="DE")


def berlin(*args: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_friday_grace_of_a_day_ends_monday_same_time() -> None:
    friday = berlin(2026, 11, 27, 10)
    assert BERLIN.add_working(friday, timedelta(hours=24)) == berlin(2026, 11, 30, 10)


def test_grace_skips_a_public_holiday() -> None:
    # Fri 2 Oct 2026 10:00; Sat, Sun, then Mon 5 Oct is a working day; 3 Oct (German Unity
    # Day) falls on the Saturday, so take Christmas: Thu 24 Dec 10:00 -> 25, 26 are holidays
    # and 27 is Sunday: overdue Monday 28 Dec 10:00.
    christmas_eve = berlin(2026, 12, 24, 10)
    assert BERLIN.add_working(christmas_eve, timedelta(hours=24)) == berlin(2026, 12, 28, 10)


def test_grace_starting_on_a_weekend_counts_from_monday() -> None:
    saturday = berlin(2026, 11, 28, 10)
    assert BERLIN.add_working(saturday, timedelta(hours=24)) == berlin(2026, 12, 1, 0)


def test_grace_across_spring_forward_counts_real_hours() -> None:
    # Fri 27 Mar 2026 10:00 CET + 48 working hours: Fri 14 h, Mon 30 Mar 24 h, Tue 10 h.
    cal = WorkingTime(tz="Europe/Berlin")
    assert cal.add_working(berlin(2026, 3, 27, 10), timedelta(hours=48)) == berlin(2026, 3, 31, 10)


def test_holiday_is_not_a_working_day_and_has_a_name() -> None:
    assert BERLIN.holiday(date(2026, 12, 25)) == "Christmas Day"
    assert not BERLIN.is_working_day(date(2026, 12, 25))
    assert BERLIN.is_working_day(date(2026, 12, 28))
    assert WorkingTime(tz="Europe/Berlin").is_working_day(date(2026, 12, 25))


def test_regional_holidays() -> None:
    california = WorkingTime(tz="America/Los_Angeles", holidays="US-CA")
    assert california.holiday(date(2026, 3, 31)) is not None  # César Chávez Day
    assert WorkingTime(tz="America/New_York", holidays="US").holiday(date(2026, 3, 31)) is None


def test_window_waits_past_a_holiday() -> None:
    # Christmas Eve 21:00 Berlin -> the next window is Monday 28 Dec 08:00.
    assert BERLIN.next_window_start(berlin(2026, 12, 24, 21)) == berlin(2026, 12, 28, 8)


def test_sunday_to_thursday_week() -> None:
    cal = WorkingTime(tz="Asia/Jerusalem", workdays=frozenset({6, 0, 1, 2, 3}))
    thursday_evening = datetime(2026, 12, 3, 19, tzinfo=UTC)  # 21:00 in Jerusalem
    assert cal.local(cal.next_window_start(thursday_evening)).date() == date(2026, 12, 6)


def test_own_hours() -> None:
    cal = WorkingTime(tz="UTC", opens=time(9), closes=time(18))
    assert cal.next_window_start(utc(2026, 12, 1, 8, 30)) == utc(2026, 12, 1, 9)
    assert cal.next_window_start(utc(2026, 12, 1, 18)) == utc(2026, 12, 2, 9)


def test_last_hours_before_a_deadline() -> None:
    cal = WorkingTime(tz="UTC")
    # Deadline Monday 10:00: an hour before it.
    assert cal.last_hours_before(utc(2026, 11, 30, 10), margin=timedelta(hours=1)) == utc(
        2026, 11, 30, 9
    )
    # Deadline Monday 06:00: the last hour of Friday's window.
    assert cal.last_hours_before(utc(2026, 11, 30, 6), margin=timedelta(hours=1)) == utc(
        2026, 11, 27, 19
    )


def test_snooze_goes_to_the_next_working_day() -> None:
    friday = berlin(2026, 11, 27, 15)
    assert BERLIN.same_time_next_working_day(friday) == berlin(2026, 11, 30, 15)
    # Christmas Eve 15:00 -> Monday 28 Dec 15:00.
    assert BERLIN.same_time_next_working_day(berlin(2026, 12, 24, 15)) == berlin(2026, 12, 28, 15)
    # Snoozed at 21:00 Thursday: Friday 21:00 is outside hours, so Monday 08:00.
    assert BERLIN.same_time_next_working_day(berlin(2026, 11, 26, 21)) == berlin(2026, 11, 30, 8)


def test_working_days_before() -> None:
    # Two working days before Tuesday 29 Dec 2026 in Germany: Mon 28, then Thu 24 Dec.
    assert BERLIN.working_days_before(date(2026, 12, 29), 2) == date(2026, 12, 24)


def test_midnight_gap_zone_day_starts_at_the_gap_end() -> None:
    # Havana springs forward at 00:00 on Sun 8 Mar 2026 (00:00 -> 01:00).
    cal = WorkingTime(tz="America/Havana", workdays=frozenset(range(7)))
    start = datetime(2026, 3, 7, 12, tzinfo=ZoneInfo("America/Havana"))
    end = cal.add_working(start, timedelta(hours=12))
    assert end == datetime(2026, 3, 8, 1, tzinfo=ZoneInfo("America/Havana"))


@pytest.mark.parametrize(
    ("text", "stored", "shown"),
    [
        ("mon-fri", "01234", "Mon–Fri"),
        ("sun-thu", "01236", "Sun–Thu"),
        ("Mon,Tue,Thu", "013", "Mon, Tue, Thu"),
        ("mon-wed fri", "0124", "Mon–Wed, Fri"),
        ("monday-saturday", "012345", "Mon–Sat"),
    ],
)
def test_workdays_read_and_shown(text: str, stored: str, shown: str) -> None:
    assert parse_workdays(text) == stored
    assert format_workdays(stored) == shown


@pytest.mark.parametrize("text", ["mon-fry", "weekdays", "", "mon-"])
def test_bad_workdays_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_workdays(text)
    assert "mon-fri" in str(refused.value)


def test_hours_read() -> None:
    assert parse_hours("9:00-18:00") == "09:00-18:00"
    assert parse_hours("08:00 – 16:30") == "08:00-16:30"
    for bad in ("18:00-09:00", "9-5", "09:00-25:00"):
        with pytest.raises(UserError):
            parse_hours(bad)


def test_holiday_codes_read() -> None:
    assert parse_holidays("de") == "DE"
    assert parse_holidays("US-CA") == "US-CA"
    assert parse_holidays("de-by") == "DE-BY"
    assert parse_holidays("none") is None
    with pytest.raises(UserError, match="not a country"):
        parse_holidays("XX")
    with pytest.raises(UserError, match="no region"):
        parse_holidays("US-ZZ")
