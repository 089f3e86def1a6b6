"""People are messaged Mon–Fri 08:00–20:00 in their own zone; otherwise at the next opening."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.hours import next_window_start


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
