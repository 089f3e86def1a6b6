"""Dates typed by users, resolved relative to their local today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.dates import format_date, parse_date, warm_up
from bot.errors import UserError

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
THURSDAY_3_DEC = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def on_wednesday(text: str) -> date:
    return parse_date(text, now=WEDNESDAY, tz="Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 25)),
        ("tomorrow", date(2026, 11, 26)),
        ("Tomorrow", date(2026, 11, 26)),
        ("friday", date(2026, 11, 27)),
        ("in 2 weeks", date(2026, 12, 9)),
        ("a week from today", date(2026, 12, 2)),
        ("2 weeks from now", date(2026, 12, 9)),
        ("in 3 months", date(2027, 2, 25)),
        ("Dec 3", date(2026, 12, 3)),
        ("3 Dec", date(2026, 12, 3)),
        ("3rd of december", date(2026, 12, 3)),
        ("December 3 2026", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("end of month", date(2026, 11, 30)),
        ("end of the month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("the 15th", date(2026, 12, 15)),
        ("1st", date(2026, 12, 1)),
    ],
)
def test_common_phrases_resolve_from_a_wednesday(text: str, expected: date) -> None:
    assert on_wednesday(text) == expected


def test_next_friday_on_a_wednesday_is_the_coming_friday() -> None:
    assert on_wednesday("next friday") == date(2026, 11, 27)


def test_next_friday_on_a_friday_is_a_week_later() -> None:
    assert parse_date("next friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 12, 4)


def test_bare_friday_on_a_friday_is_a_week_later_but_this_friday_is_today() -> None:
    assert parse_date("friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 12, 4)
    assert parse_date("this friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 11, 27)


def test_day_and_month_that_is_today_means_today_not_next_year() -> None:
    assert parse_date("Dec 3", now=THURSDAY_3_DEC, tz="UTC") == date(2026, 12, 3)


def test_day_and_month_already_past_this_year_means_next_year() -> None:
    assert parse_date("Nov 20", now=THURSDAY_3_DEC, tz="UTC") == date(2027, 11, 20)


def test_ordinal_day_already_past_this_month_is_next_month() -> None:
    assert parse_date("the 1st", now=THURSDAY_3_DEC, tz="UTC") == date(2027, 1, 1)


def test_ordinal_31st_skips_months_without_it() -> None:
    now = datetime(2026, 4, 5, tzinfo=UTC)
    assert parse_date("31st", now=now, tz="UTC") == date(2026, 5, 31)


def test_explicit_past_phrases_stay_in_the_past() -> None:
    assert on_wednesday("yesterday") == date(2026, 11, 24)


def test_tomorrow_in_tokyo_is_tokyo_tomorrow() -> None:
    # 23:30 UTC on the 25th is 08:30 on the 26th in Tokyo.
    now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert parse_date("today", now=now, tz="Asia/Tokyo") == date(2026, 11, 26)
    assert parse_date("tomorrow", now=now, tz="Asia/Tokyo") == date(2026, 11, 27)
    assert parse_date("tomorrow", now=now, tz="UTC") == date(2026, 11, 26)


def test_today_in_new_york_late_evening_is_still_the_local_day() -> None:
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 on the 25th in New York
    assert parse_date("today", now=now, tz="America/New_York") == date(2026, 11, 25)


@pytest.mark.parametrize("text", ["03/12/2026", "12/03", "3.12.2026", "3-12-2026", "5", "on 03/12"])
def test_all_numeric_dates_are_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(UserError, match=r"ambiguous.*2026-12-03 or 3 Dec 2026") as caught:
        on_wednesday(text)
    assert caught.value.echo == text


@pytest.mark.parametrize("text", ["December", "in dec", "march 2027"])
def test_month_without_a_day_is_refused(text: str) -> None:
    with pytest.raises(UserError, match="Which day"):
        on_wednesday(text)


@pytest.mark.parametrize("text", ["someday", "asap", "blorp quux"])
def test_unreadable_text_is_refused_with_examples_and_echoed(text: str) -> None:
    with pytest.raises(UserError, match=r"can't read.*next friday") as caught:
        on_wednesday(text)
    assert caught.value.echo == text


def test_empty_text_asks_for_a_date() -> None:
    with pytest.raises(UserError, match="Give a date"):
        on_wednesday("  ")


def test_impossible_iso_date_is_refused() -> None:
    with pytest.raises(UserError, match="not a real date"):
        on_wednesday("2026-02-30")


def test_ordinal_beyond_31_is_refused() -> None:
    with pytest.raises(UserError, match="not a day of the month"):
        on_wednesday("32nd")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_date("today", now=datetime(2026, 11, 25), tz="UTC")


def test_format_date_is_short_english() -> None:
    assert format_date(date(2026, 11, 27)) == "Fri 27 Nov 2026"
    assert format_date(date(2027, 1, 3)) == "Sun 3 Jan 2027"


def test_warm_up_runs_a_parse_without_error() -> None:
    warm_up()
