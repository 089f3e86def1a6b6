"""Cadence specs and the due times they produce, across time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.cadence import (
    Cadence,
    describe,
    next_due,
    parse_cadence,
    parse_status_cadence,
    previous_due,
    slot_local,
)
from bot.errors import UserError

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ANCHOR_FRIDAY = date(2026, 11, 27)


def local_slots(spec: str, *, after: datetime, tz: str, count: int = 3) -> list[str]:
    """The next `count` slots as local wall times like "Fri 2026-11-27 10:00"."""
    cadence = parse_cadence(spec)
    slots = []
    for _ in range(count):
        after = next_due(cadence, after=after, tz=tz, anchor=ANCHOR_FRIDAY)
        slots.append(f"{slot_local(after, tz):%a %Y-%m-%d %H:%M}")
    return slots


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# parsing and describing


@pytest.mark.parametrize(
    ("spec", "normalised", "words"),
    [
        ("weekly", "weekly fri 10:00", "every Friday at 10:00"),
        ("weekly mon 09:00", "weekly mon 09:00", "every Monday at 09:00"),
        ("Weekly  Tuesday", "weekly tue 10:00", "every Tuesday at 10:00"),
        ("weekly 08:15 thu", "weekly thu 08:15", "every Thursday at 08:15"),
        ("biweekly", "biweekly fri 10:00", "every other Friday at 10:00"),
        ("biweekly mon 09:00", "biweekly mon 09:00", "every other Monday at 09:00"),
        ("fortnightly", "biweekly fri 10:00", "every other Friday at 10:00"),
        ("monthly", "monthly fri 10:00", "last Friday of each month at 10:00"),
        ("monthly 09:00", "monthly fri 09:00", "last Friday of each month at 09:00"),
        ("daily", "daily 10:00", "weekdays at 10:00"),
        ("daily 9:30", "daily 09:30", "weekdays at 09:30"),
        ("weekly fri 4pm", "weekly fri 16:00", "every Friday at 16:00"),
        ("weekly mon at 9 am", "weekly mon 09:00", "every Monday at 09:00"),
        ("0 9 * * 1-5", "0 9 * * 1-5", "at 09:00, Monday through Friday"),
        ("0  9 * *  MON-FRI", "0 9 * * mon-fri", "at 09:00, Monday through Friday"),
    ],
)
def test_specs_are_normalised_and_described(spec: str, normalised: str, words: str) -> None:
    cadence = parse_cadence(spec)
    assert cadence.spec == normalised
    assert describe(cadence) == words


def test_normalised_spec_parses_to_the_same_cadence() -> None:
    for spec in ["weekly", "biweekly mon 09:00", "monthly", "daily 09:30", "*/15 9-17 * * 1-5"]:
        cadence = parse_cadence(spec)
        assert parse_cadence(cadence.spec) == cadence


def test_parsed_fields_are_typed() -> None:
    assert parse_cadence("weekly mon 09:00") == Cadence(
        spec="weekly mon 09:00", kind="weekly", weekday=0, at=time(9, 0)
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "not a cadence. Use weekly"),
        ("hourly", "not a cadence. Use weekly"),
        ("0 9 * *", "not a cadence. Use weekly"),
        ("weekly funday", "don't understand “funday”"),
        ("weekly mon tue", "don't understand “tue”"),
        ("daily mon", "daily means Monday to Friday"),
        ("weekly 25:00", "not a time of day"),
        ("0 9 1 * 1", "both the day of the month and the day of the week"),
        ("0 9 31 2 *", "never matches"),
        ("0 9 * * 8", "the day-of-week field “8” is out of range \\(0–7\\)"),
        ("60 9 * * *", "not a cadence"),
        ("0 9 L * *", "day-of-month field"),
        ("0 9 * * 1#2", "day-of-week field"),
        ("every friday at ten am", "not a cadence. Use weekly"),
        ("0 9am * * *", "hour field"),
    ],
)
def test_bad_specs_are_refused_with_examples_and_echoed(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as caught:
        parse_cadence(spec)
    assert caught.value.echo == spec


# crontab day-of-week numbering (APScheduler 3.x counts Monday = 0; crontab Sunday = 0)


def test_apscheduler_from_crontab_does_not_translate_weekday_numbers() -> None:
    # Why we translate: APScheduler 3.x reads crontab "1" as Tuesday and refuses "7".
    monday_in_crontab = CronTrigger.from_crontab("0 9 * * 1", timezone=ZoneInfo("UTC"))
    fire = monday_in_crontab.get_next_fire_time(None, WEDNESDAY_NOON)
    assert fire is not None and fire.strftime("%a") == "Tue"
    with pytest.raises(ValueError, match="higher than the maximum"):
        CronTrigger.from_crontab("0 9 * * 7")


@pytest.mark.parametrize("spec", ["0 9 * * 0", "0 9 * * 7", "0 9 * * sun"])
def test_crontab_sunday_is_zero_or_seven(spec: str) -> None:
    assert local_slots(spec, after=WEDNESDAY_NOON, tz="UTC", count=1) == ["Sun 2026-11-29 09:00"]


def test_crontab_one_is_monday() -> None:
    assert local_slots("0 9 * * 1", after=WEDNESDAY_NOON, tz="UTC", count=1) == [
        "Mon 2026-11-30 09:00"
    ]


def test_crontab_one_to_five_is_monday_to_friday() -> None:
    slots = local_slots("0 9 * * 1-5", after=WEDNESDAY_NOON, tz="UTC", count=4)
    assert [slot[:3] for slot in slots] == ["Thu", "Fri", "Mon", "Tue"]


def test_crontab_range_to_seven_ends_on_sunday() -> None:
    slots = local_slots("0 9 * * 5-7", after=WEDNESDAY_NOON, tz="UTC", count=4)
    assert [slot[:3] for slot in slots] == ["Fri", "Sat", "Sun", "Fri"]


def test_crontab_step_over_days_counts_from_sunday() -> None:
    slots = local_slots("0 9 * * */2", after=WEDNESDAY_NOON, tz="UTC", count=4)
    assert [slot[:3] for slot in slots] == ["Thu", "Sat", "Sun", "Tue"]


def test_crontab_minute_steps_and_hour_ranges() -> None:
    slots = local_slots("*/15 9-17 * * 1-5", after=utc(2026, 11, 27, 16, 50), tz="UTC")
    assert slots == ["Fri 2026-11-27 17:00", "Fri 2026-11-27 17:15", "Fri 2026-11-27 17:30"]


def test_crontab_day_of_month_alone_works() -> None:
    slots = local_slots("0 9 1 * *", after=WEDNESDAY_NOON, tz="UTC", count=2)
    assert slots == ["Tue 2026-12-01 09:00", "Fri 2027-01-01 09:00"]


# keywords


def test_weekly_defaults_to_friday_ten() -> None:
    assert local_slots("weekly", after=WEDNESDAY_NOON, tz="Europe/Berlin", count=2) == [
        "Fri 2026-11-27 10:00",
        "Fri 2026-12-04 10:00",
    ]


def test_daily_skips_the_weekend() -> None:
    slots = local_slots("daily 09:30", after=WEDNESDAY_NOON, tz="Europe/Berlin", count=3)
    assert slots == ["Thu 2026-11-26 09:30", "Fri 2026-11-27 09:30", "Mon 2026-11-30 09:30"]


def test_monthly_is_the_last_friday_of_each_month() -> None:
    slots = local_slots("monthly", after=WEDNESDAY_NOON, tz="Europe/Berlin", count=3)
    assert slots == ["Fri 2026-11-27 10:00", "Fri 2026-12-25 10:00", "Fri 2027-01-29 10:00"]


def test_biweekly_runs_in_the_anchor_week_and_every_other_week_after() -> None:
    slots = local_slots("biweekly", after=WEDNESDAY_NOON, tz="Europe/Berlin", count=3)
    assert slots == ["Fri 2026-11-27 10:00", "Fri 2026-12-11 10:00", "Fri 2026-12-25 10:00"]


def test_biweekly_on_another_day_counts_weeks_from_the_anchor_week() -> None:
    # The anchor (Fri 27 Nov) is in the week of Mon 23 Nov, so Mon 30 Nov is an off week.
    slots = local_slots("biweekly mon 09:00", after=WEDNESDAY_NOON, tz="Europe/Berlin")
    assert slots == ["Mon 2026-12-07 09:00", "Mon 2026-12-21 09:00", "Mon 2027-01-04 09:00"]


def test_biweekly_without_an_anchor_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="anchor"):
        next_due(parse_cadence("biweekly"), after=WEDNESDAY_NOON, tz="UTC")


# next_due contract


def test_next_due_is_strictly_after_a_slot() -> None:
    cadence = parse_cadence("weekly")
    slot = next_due(cadence, after=WEDNESDAY_NOON, tz="UTC")
    assert slot == utc(2026, 11, 27, 10, 0)
    assert next_due(cadence, after=slot, tz="UTC") == utc(2026, 12, 4, 10, 0)


def test_next_due_returns_aware_utc() -> None:
    slot = next_due(parse_cadence("weekly"), after=WEDNESDAY_NOON, tz="Asia/Tokyo")
    assert slot.tzinfo is UTC
    assert slot == utc(2026, 11, 27, 1, 0)  # 10:00 in Tokyo (UTC+9, no DST)


def test_next_due_accepts_an_after_in_any_zone() -> None:
    after = WEDNESDAY_NOON.astimezone(ZoneInfo("America/New_York"))
    assert next_due(parse_cadence("weekly"), after=after, tz="UTC") == utc(2026, 11, 27, 10)


def test_naive_after_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(parse_cadence("weekly"), after=datetime(2026, 11, 25), tz="UTC")


def test_the_same_slot_is_in_each_owners_own_zone() -> None:
    cadence = parse_cadence("weekly mon 09:00")
    tokyo = next_due(cadence, after=WEDNESDAY_NOON, tz="Asia/Tokyo")
    new_york = next_due(cadence, after=WEDNESDAY_NOON, tz="America/New_York")
    assert tokyo == utc(2026, 11, 30, 0, 0)
    assert new_york == utc(2026, 11, 30, 14, 0)


# DST


def test_berlin_weekly_slot_keeps_local_time_across_spring_forward() -> None:
    cadence = parse_cadence("weekly mon 09:00")
    before = next_due(cadence, after=utc(2026, 3, 20), tz="Europe/Berlin")
    after = next_due(cadence, after=before, tz="Europe/Berlin")
    assert (before, after) == (utc(2026, 3, 23, 8, 0), utc(2026, 3, 30, 7, 0))


def test_berlin_time_skipped_by_spring_forward_runs_at_the_next_valid_minute() -> None:
    slots = local_slots("30 2 * * *", after=utc(2026, 3, 27, 12), tz="Europe/Berlin")
    assert slots == ["Sat 2026-03-28 02:30", "Sun 2026-03-29 03:00", "Mon 2026-03-30 02:30"]
    cadence = parse_cadence("30 2 * * *")
    assert next_due(cadence, after=utc(2026, 3, 28, 12), tz="Europe/Berlin") == utc(
        2026, 3, 29, 1, 0
    )


def test_skipped_slot_already_past_in_the_gap_hour_moves_to_the_next_day() -> None:
    # 01:10 UTC on 29 Mar is 03:10 summer time: the 02:30 slot ran at 03:00.
    cadence = parse_cadence("30 2 * * *")
    slot = next_due(cadence, after=utc(2026, 3, 29, 1, 10), tz="Europe/Berlin")
    assert slot == utc(2026, 3, 30, 0, 30)


def test_berlin_time_repeated_by_fall_back_is_due_once_at_its_first_occurrence() -> None:
    cadence = parse_cadence("30 2 * * *")
    first = next_due(cadence, after=utc(2026, 10, 24, 12), tz="Europe/Berlin")
    following = next_due(cadence, after=first, tz="Europe/Berlin")
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 summer time (+02:00)
    assert following == utc(2026, 10, 26, 1, 30)  # not 01:30 UTC on the 25th (02:30 +01:00)


def test_half_hourly_cron_through_berlin_fall_back_never_repeats_a_local_slot() -> None:
    slots = local_slots(
        "*/30 * * * *", after=utc(2026, 10, 24, 23, 50), tz="Europe/Berlin", count=5
    )
    assert [slot[-5:] for slot in slots] == ["02:00", "02:30", "03:00", "03:30", "04:00"]


def test_new_york_time_skipped_on_2026_03_08_runs_at_three() -> None:
    slots = local_slots("30 2 * * *", after=utc(2026, 3, 7, 12), tz="America/New_York")
    assert slots == ["Sun 2026-03-08 03:00", "Mon 2026-03-09 02:30", "Tue 2026-03-10 02:30"]


def test_new_york_time_repeated_on_2026_11_01_is_due_once() -> None:
    cadence = parse_cadence("30 1 * * *")
    first = next_due(cadence, after=utc(2026, 10, 31, 12), tz="America/New_York")
    following = next_due(cadence, after=first, tz="America/New_York")
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert following == utc(2026, 11, 2, 6, 30)  # 01:30 EST the next day


def test_new_york_daily_keeps_ten_oclock_across_fall_back() -> None:
    slots = local_slots("daily", after=utc(2026, 10, 29, 16), tz="America/New_York", count=3)
    assert slots == ["Fri 2026-10-30 10:00", "Mon 2026-11-02 10:00", "Tue 2026-11-03 10:00"]


# slot_local


def test_slot_local_is_the_naive_local_wall_time() -> None:
    assert slot_local(utc(2026, 11, 27, 1, 0), "Asia/Tokyo") == datetime(2026, 11, 27, 10, 0)


def test_slot_local_gives_both_fall_back_occurrences_the_same_key() -> None:
    summer = slot_local(utc(2026, 10, 25, 0, 30), "Europe/Berlin")
    winter = slot_local(utc(2026, 10, 25, 1, 30), "Europe/Berlin")
    assert summer == winter == datetime(2026, 10, 25, 2, 30)


# previous_due


def test_previous_due_includes_a_slot_exactly_at_before() -> None:
    slot = utc(2026, 11, 27, 10, 0)
    assert previous_due(parse_cadence("weekly"), before=slot, tz="UTC") == slot


def test_previous_due_finds_the_latest_slot_before() -> None:
    before = utc(2026, 12, 3, 12)
    assert previous_due(parse_cadence("weekly"), before=before, tz="UTC") == utc(2026, 11, 27, 10)


def test_previous_due_respects_the_biweekly_anchor() -> None:
    before = utc(2026, 12, 10, 12)
    cadence = parse_cadence("biweekly")
    assert previous_due(cadence, before=before, tz="UTC", anchor=ANCHOR_FRIDAY) == utc(
        2026, 11, 27, 10
    )


def test_previous_due_of_a_monthly_cadence() -> None:
    before = utc(2027, 1, 15)
    assert previous_due(parse_cadence("monthly"), before=before, tz="Europe/Berlin") == utc(
        2026, 12, 25, 9, 0
    )


def test_previous_due_finds_a_leap_day_cron_years_back() -> None:
    cadence = parse_cadence("0 9 29 2 *")
    assert previous_due(cadence, before=utc(2026, 11, 25), tz="UTC") == utc(2024, 2, 29, 9)


def test_previous_due_over_dst_gap_gives_the_moved_slot() -> None:
    cadence = parse_cadence("30 2 * * *")
    before = utc(2026, 3, 29, 12)
    assert previous_due(cadence, before=before, tz="Europe/Berlin") == utc(2026, 3, 29, 1, 0)


# DST: slots computed on wall-clock dates (APScheduler alone loses these)


def test_berlin_monday_midnight_after_spring_forward_is_not_lost() -> None:
    slots = local_slots("weekly mon 00:00", after=utc(2026, 3, 28), tz="Europe/Berlin", count=2)
    assert slots == ["Mon 2026-03-30 00:00", "Mon 2026-04-06 00:00"]


def test_new_york_daily_midnight_keeps_the_monday_after_spring_forward() -> None:
    slots = local_slots("daily 00:00", after=utc(2026, 3, 6, 12), tz="America/New_York")
    assert slots == ["Mon 2026-03-09 00:00", "Tue 2026-03-10 00:00", "Wed 2026-03-11 00:00"]


def test_berlin_first_of_the_month_after_spring_forward_is_not_lost() -> None:
    slots = local_slots("0 0 1 * *", after=utc(2026, 3, 15), tz="Europe/Berlin", count=2)
    assert slots == ["Wed 2026-04-01 00:00", "Fri 2026-05-01 00:00"]


@pytest.mark.parametrize(
    ("tz", "after", "gap_end"),
    [
        # Clocks go from 00:00 to 01:00: a midnight slot runs at 01:00, not the next day.
        ("America/Sao_Paulo", utc(2018, 11, 3, 12), utc(2018, 11, 4, 3)),
        ("America/Havana", utc(2026, 3, 7, 12), utc(2026, 3, 8, 5)),
        ("Asia/Tehran", utc(2022, 3, 21, 0), utc(2022, 3, 21, 20, 30)),
        ("America/Santiago", utc(2026, 9, 5, 12), utc(2026, 9, 6, 4)),
    ],
)
def test_midnight_slot_in_a_midnight_gap_runs_at_the_gap_end(
    tz: str, after: datetime, gap_end: datetime
) -> None:
    slot = next_due(parse_cadence("0 0 * * *"), after=after, tz=tz)
    assert slot == gap_end
    assert slot_local(slot, tz).time() == time(1, 0)


def test_two_slots_in_one_gap_are_due_once_at_its_end() -> None:
    cadence = parse_cadence("*/20 2 * * *")
    first = next_due(cadence, after=utc(2026, 3, 28, 12), tz="Europe/Berlin")
    following = next_due(cadence, after=first, tz="Europe/Berlin")
    assert (first, following) == (utc(2026, 3, 29, 1), utc(2026, 3, 30, 0))


def test_previous_due_undoes_next_due_across_a_gap() -> None:
    cadence = parse_cadence("0 0 * * *")
    slot = next_due(cadence, after=utc(2018, 11, 3, 12), tz="America/Sao_Paulo")
    assert previous_due(cadence, before=slot, tz="America/Sao_Paulo") == slot


# crontab fields: names and numbers mix, steps as in cron, bounds checked here


@pytest.mark.parametrize(
    ("spec", "first_slots"),
    [
        ("0 9 1 jan-5 *", ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]),
        ("0 9 1 feb-12 *", ["2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]),
        ("0 9 1 2-dec *", ["2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]),
    ],
)
def test_month_names_and_numbers_mix_in_ranges(spec: str, first_slots: list[str]) -> None:
    slots = local_slots(spec, after=utc(2026, 12, 15), tz="UTC", count=len(first_slots))
    assert [slot[4:14] for slot in slots] == first_slots


def test_jan_to_5_ends_in_may() -> None:
    slots = local_slots("0 9 1 jan-5 *", after=utc(2027, 4, 15), tz="UTC", count=2)
    assert [slot[4:14] for slot in slots] == ["2027-05-01", "2028-01-01"]


def test_a_step_over_an_hour_range_is_read_as_cron_does() -> None:
    slots = local_slots("0 9-10/2 * * *", after=WEDNESDAY_NOON, tz="UTC", count=2)
    assert slots == ["Thu 2026-11-26 09:00", "Fri 2026-11-27 09:00"]


def test_a_step_larger_than_the_hours_is_hour_zero_only() -> None:
    slots = local_slots("0 */30 * * *", after=WEDNESDAY_NOON, tz="UTC", count=2)
    assert slots == ["Thu 2026-11-26 00:00", "Fri 2026-11-27 00:00"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0 24 * * *", "the hour field “24” is out of range \\(0–23\\)"),
        ("0 9 0 * *", "the day-of-month field “0” is out of range \\(1–31\\)"),
        ("0 9 * 13 *", "the month field “13” is out of range \\(1–12\\)"),
        ("0 9 * jan-13 *", "the month field “jan-13” is out of range \\(1–12\\)"),
        ("0-60 9 * * *", "the minute field “0-60” is out of range \\(0–59\\)"),
        ("0 9 * 5-2 *", "the month field “5-2” matches nothing"),
        ("*/0 9 * * *", "the minute field “\\*/0” matches nothing"),
        ("0 9 * * mon-9", "the day-of-week field “mon-9” is out of range \\(0–7\\)"),
        ("0 9 * jan-mon *", "the month field “jan-mon” is not valid"),
    ],
)
def test_cron_bounds_are_checked_per_field_without_apscheduler_text(
    spec: str, message: str
) -> None:
    with pytest.raises(UserError, match=message) as caught:
        parse_cadence(spec)
    assert caught.value.echo == spec
    assert "maximum" not in str(caught.value) and "minimum" not in str(caught.value)


def test_status_cadence_accepts_a_step_that_fires_once_a_day() -> None:
    assert parse_status_cadence("0 9-10/2 * * 1-5").cron == "0 9-10/2 * * 1-5"
    with pytest.raises(UserError, match="more than once a day"):
        parse_status_cadence("0 9-11/2 * * 1-5")


# in words


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("0 9 * * 1-5", "at 09:00, Monday through Friday, Europe/Berlin"),
        ("0 9 * * 7", "at 09:00, only on Sunday, Europe/Berlin"),
        ("0 0 1 jan-5 *", "at 00:00, on day 1 of the month, January through May, Europe/Berlin"),
        ("0 */30 * * *", "at 00:00, Europe/Berlin"),
        ("0 9-10/2 * * *", "at 09:00, Europe/Berlin"),
        ("0 9 * * 1/2", "at 09:00, only on Sunday, Monday, Wednesday, and Friday, Europe/Berlin"),
        ("*/20,5 9 * * *", "at 0, 5, 20, and 40 minutes past the hour, at 09:00, Europe/Berlin"),
        ("*/57 9 * * *", "at 0 and 57 minutes past the hour, at 09:00, Europe/Berlin"),
        ("30 9 * * 1,2,3,4,5", "at 09:30, Monday through Friday, Europe/Berlin"),
        ("weekly", "every Friday at 10:00, Europe/Berlin"),
        ("daily 09:30", "weekdays at 09:30, Europe/Berlin"),
    ],
)
def test_describe_with_a_zone_says_it_last(spec: str, words: str) -> None:
    assert describe(parse_cadence(spec), tz="Europe/Berlin") == words
