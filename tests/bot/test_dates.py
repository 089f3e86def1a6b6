"""Dates typed by users, resolved relative to their local today.

The corpus at the end checks the phrase table against expectations written independently of
the parser: plain `datetime`/`calendar` arithmetic on the user's local today, in several
zones and on days where calendars turn (a Friday, a weekend, month, quarter and year ends,
DST changes).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates import AmbiguousDate, format_date, parse_date, warm_up
from bot.errors import UserError

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
THURSDAY_3_DEC = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FRIDAY_4_DEC = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def on_wednesday(text: str) -> date:
    return parse_date(text, now=WEDNESDAY, tz="Europe/Berlin")


# --- what the issue asks for, on Wednesday 25 Nov 2026 in Berlin -----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-11-25"),
        ("tomorrow", "2026-11-26"),
        ("Tomorrow", "2026-11-26"),
        ("friday", "2026-11-27"),
        ("in 2 weeks", "2026-12-09"),
        ("a week from today", "2026-12-02"),
        ("2 weeks from now", "2026-12-09"),
        ("in 3 months", "2027-02-25"),
        ("Dec 3", "2026-12-03"),
        ("3 Dec", "2026-12-03"),
        ("3rd of december", "2026-12-03"),
        ("December 3 2026", "2026-12-03"),
        ("2026-12-03", "2026-12-03"),
        ("end of month", "2026-11-30"),
        ("end of the month", "2026-11-30"),
        ("end of next month", "2026-12-31"),
        ("the 15th", "2026-12-15"),
        ("1st", "2026-12-01"),
        ("EOD", "2026-11-25"),
        ("COB", "2026-11-25"),
        ("EOW", "2026-11-27"),
        ("end of week", "2026-11-27"),
        ("end of next week", "2026-12-04"),
        ("EOM", "2026-11-30"),
        ("end of quarter", "2026-12-31"),
        ("EOQ", "2026-12-31"),
        ("end of Q1", "2027-03-31"),
        ("Q1 2027", "2027-03-31"),
        ("H1", "2027-06-30"),
        ("H2", "2026-12-31"),
        ("EOY", "2026-12-31"),
        ("end of year", "2026-12-31"),
        ("tmrw", "2026-11-26"),
        ("tmr", "2026-11-26"),
        ("tomorow", "2026-11-26"),
        ("next wed", "2026-12-02"),
        ("weds", "2026-12-02"),
        ("thur", "2026-11-26"),
        ("thurs", "2026-11-26"),
        ("coming friday", "2026-11-27"),
        ("friday next week", "2026-12-04"),
        ("in 2w", "2026-12-09"),
        ("within 2 weeks", "2026-12-09"),
        ("start of next month", "2026-12-01"),
        ("by the 15th", "2026-12-15"),
        ("Dec '27", "2027-12-31"),
        ("2026/12/03", "2026-12-03"),
        ("20261203", "2026-12-03"),
        ("13/12/2026", "2026-12-13"),
        ("12/31/2026", "2026-12-31"),
        ("05/05/2026", "2026-05-05"),
        ("Fri 4 Dec 2026", "2026-12-04"),
        ("friday the 4th", "2026-12-04"),
    ],
)
def test_phrases_resolve_from_a_wednesday(text: str, expected: str) -> None:
    assert on_wednesday(text) == date.fromisoformat(expected)


def test_next_friday_on_a_wednesday_is_the_coming_friday() -> None:
    assert on_wednesday("next friday") == date(2026, 11, 27)


def test_next_friday_on_a_friday_is_a_week_later() -> None:
    assert parse_date("next friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 12, 4)


def test_bare_friday_on_a_friday_is_a_week_later_but_this_friday_is_today() -> None:
    assert parse_date("friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 12, 4)
    assert parse_date("this friday", now=FRIDAY, tz="Europe/Berlin") == date(2026, 11, 27)


def test_end_of_week_on_a_friday_is_today() -> None:
    assert parse_date("EOW", now=FRIDAY, tz="Europe/Berlin") == date(2026, 11, 27)


def test_end_of_week_at_the_weekend_is_the_coming_friday() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_date("EOW", now=saturday, tz="UTC") == date(2026, 12, 4)


def test_day_and_month_that_is_today_means_today_not_next_year() -> None:
    assert parse_date("Dec 3", now=THURSDAY_3_DEC, tz="UTC") == date(2026, 12, 3)


def test_day_and_month_already_past_this_year_means_next_year() -> None:
    assert parse_date("Nov 20", now=THURSDAY_3_DEC, tz="UTC") == date(2027, 11, 20)


def test_a_time_of_day_does_not_change_the_date() -> None:
    """It did: `Dec 3 at 10:00` typed on 4 Dec was yesterday while `Dec 3` was next year."""
    with_time = parse_date("Dec 3 at 10:00", now=FRIDAY_4_DEC, tz="UTC")
    assert with_time == parse_date("Dec 3", now=FRIDAY_4_DEC, tz="UTC") == date(2027, 12, 3)


def test_by_the_15th_after_the_15th_is_next_month() -> None:
    """It was 15 Nov, in the past, typed on 25 Nov."""
    assert on_wednesday("by the 15th") == date(2026, 12, 15)


def test_a_quarter_with_its_year_is_the_quarters_last_day() -> None:
    """It was 25 Feb 2027: dateparser read Q1 as nothing and 2027 as the year."""
    assert on_wednesday("Q1 2027") == date(2027, 3, 31)


def test_a_month_with_a_two_digit_year_is_that_months_last_day() -> None:
    """It was 27 Dec 2026. A month alone, as a due date, means its end."""
    assert on_wednesday("Dec '27") == date(2027, 12, 31)
    assert on_wednesday("Dec 27") == date(2026, 12, 27)  # without the apostrophe, a day


def test_end_of_q1_is_this_years_until_it_is_past() -> None:
    february = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
    assert parse_date("end of Q1", now=february, tz="UTC") == date(2027, 3, 31)
    april = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    assert parse_date("end of Q1", now=april, tz="UTC") == date(2028, 3, 31)


def test_ordinal_day_already_past_this_month_is_next_month() -> None:
    assert parse_date("the 1st", now=THURSDAY_3_DEC, tz="UTC") == date(2027, 1, 1)


def test_ordinal_31st_skips_months_without_it() -> None:
    now = datetime(2026, 4, 5, tzinfo=UTC)
    assert parse_date("31st", now=now, tz="UTC") == date(2026, 5, 31)


def test_explicit_past_phrases_stay_in_the_past() -> None:
    assert on_wednesday("yesterday") == date(2026, 11, 24)
    assert on_wednesday("last friday") == date(2026, 11, 20)


def test_tomorrow_in_tokyo_is_tokyo_tomorrow() -> None:
    # 23:30 UTC on the 25th is 08:30 on the 26th in Tokyo.
    now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert parse_date("today", now=now, tz="Asia/Tokyo") == date(2026, 11, 26)
    assert parse_date("tomorrow", now=now, tz="Asia/Tokyo") == date(2026, 11, 27)
    assert parse_date("tomorrow", now=now, tz="UTC") == date(2026, 11, 26)


def test_today_in_new_york_late_evening_is_still_the_local_day() -> None:
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 on the 25th in New York
    assert parse_date("today", now=now, tz="America/New_York") == date(2026, 11, 25)


# --- all-number dates --------------------------------------------------------------------------


def test_an_ambiguous_numeric_date_gives_both_readings_day_first() -> None:
    with pytest.raises(AmbiguousDate) as caught:
        on_wednesday("03/04/2026")
    assert caught.value.message == "“03/04/2026” could be 3 Apr or 4 Mar — which?"
    assert caught.value.readings == (date(2026, 4, 3), date(2026, 3, 4))
    assert caught.value.text == caught.value.echo == "03/04/2026"


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("03/12/2026", ("2026-12-03", "2026-03-12")),
        ("3.12.2026", ("2026-12-03", "2026-03-12")),
        ("3-12-2026", ("2026-12-03", "2026-03-12")),
        ("03/04/27", ("2027-04-03", "2027-03-04")),
        ("12/03", ("2027-03-12", "2026-12-03")),  # without a year, each the next from today
        ("on 03/12", ("2026-12-03", "2027-03-12")),
        ("03/04/2026 at 10:00", ("2026-04-03", "2026-03-04")),
    ],
)
def test_numeric_dates_with_two_readings_are_ambiguous(
    text: str, readings: tuple[str, str]
) -> None:
    with pytest.raises(AmbiguousDate) as caught:
        on_wednesday(text)
    assert caught.value.readings == tuple(date.fromisoformat(r) for r in readings)
    assert caught.value.echo == text


def test_readings_in_different_years_say_the_year() -> None:
    with pytest.raises(AmbiguousDate, match="“12/03” could be 12 Mar 2027 or 3 Dec 2026"):
        on_wednesday("12/03")


def test_every_day_month_pair_is_read_the_one_way_it_can_be() -> None:
    """All 31 × 12 pairs both ways round: a number over 12 is the day; two numbers of 12 or
    under are ambiguous unless equal; no reading that is a real date is no date."""
    for a in range(1, 32):
        for b in range(1, 13):
            _check_pair(a, b)


def _check_pair(a: int, b: int) -> None:
    day_first = _real(2027, b, a)
    month_first = _real(2027, a, b) if a <= 12 else None
    text = f"{a:02d}/{b:02d}/2027"
    if day_first and month_first and day_first != month_first:
        with pytest.raises(AmbiguousDate) as caught:
            parse_date(text, now=WEDNESDAY, tz="UTC")
        assert caught.value.readings == (day_first, month_first)
    elif day_first or month_first:
        assert parse_date(text, now=WEDNESDAY, tz="UTC") == (day_first or month_first)
    else:
        with pytest.raises(UserError, match="not a real date"):
            parse_date(text, now=WEDNESDAY, tz="UTC")
    if a > 12 and day_first:  # written month first, it reads the same
        assert parse_date(f"{b}/{a}/2027", now=WEDNESDAY, tz="UTC") == day_first


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@pytest.mark.parametrize("text", ["5", "on 5"])
def test_a_number_alone_is_not_a_date_and_the_answer_shows_how_to_write_it(text: str) -> None:
    with pytest.raises(UserError, match="not a date on its own: write the 5th or 2026-12-05"):
        on_wednesday(text)


@pytest.mark.parametrize("text", ["12-2026", "2026-12", "45/45"])
def test_other_numbers_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(UserError) as caught:
        on_wednesday(text)
    assert caught.value.echo == text
    assert not isinstance(caught.value, AmbiguousDate)


def test_impossible_dates_are_refused() -> None:
    for text in ("2026-02-30", "Feb 30", "30 Feb 2027", "20260230", "31/04/2026", "32nd"):
        with pytest.raises(UserError, match="not a real date"):
            on_wednesday(text)


def test_a_weekday_that_disagrees_with_the_date_is_refused() -> None:
    with pytest.raises(UserError, match="Fri 4 Dec 2026 is a Friday, not a Thursday"):
        on_wednesday("Thu 4 Dec 2026")


def test_dates_as_the_bot_writes_them_read_back_as_the_same_date() -> None:
    for offset in range(0, 800, 7):
        day = date(2026, 11, 25) + timedelta(days=offset)
        assert on_wednesday(format_date(day)) == day


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["someday", "asap", "blorp quux", "in 1.5 weeks"])
def test_unreadable_text_is_refused_with_examples_and_echoed(text: str) -> None:
    with pytest.raises(UserError, match=r"can't read.*next friday") as caught:
        on_wednesday(text)
    assert caught.value.echo == text


def test_empty_text_asks_for_a_date() -> None:
    with pytest.raises(UserError, match="Give a date"):
        on_wednesday("  ")


def test_a_date_far_away_is_refused_as_a_typo() -> None:
    with pytest.raises(UserError, match="more than 50 years"):
        on_wednesday("9999-12-31")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_date("today", now=datetime(2026, 11, 25), tz="UTC")


def test_format_date_is_short_english() -> None:
    assert format_date(date(2026, 11, 27)) == "Fri 27 Nov 2026"
    assert format_date(date(2027, 1, 3)) == "Sun 3 Jan 2027"


def test_warm_up_runs_a_parse_without_error() -> None:
    warm_up()


# --- properties, every day of three years --------------------------------------------------------

EVERY_DAY = [date(2026, 1, 1) + timedelta(days=n) for n in range(3 * 366)]


def on(day: date, text: str) -> date:
    return parse_date(text, now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tz="UTC")


def test_a_day_and_month_is_the_next_one_with_or_without_a_time() -> None:
    for day in EVERY_DAY:
        found = on(day, "Dec 3")
        assert found == on(day, "Dec 3 at 10:00") == on(day, "3 Dec 14:30")
        assert (found.month, found.day) == (12, 3)
        assert day <= found < day + timedelta(days=366)


def test_end_of_week_is_the_next_friday_counting_today() -> None:
    for day in EVERY_DAY:
        found = on(day, "EOW")
        assert found.weekday() == 4 and 0 <= (found - day).days <= 6


def test_a_named_quarters_end_is_the_next_one_not_past() -> None:
    for day in EVERY_DAY:
        for quarter in range(1, 5):
            found = on(day, f"end of Q{quarter}")
            assert (found.month, found.day) in ((3, 31), (6, 30), (9, 30), (12, 31))
            assert found.month == 3 * quarter
            assert day <= found < day + timedelta(days=366)


def test_an_ordinal_is_the_next_such_day_of_the_month() -> None:
    for day in EVERY_DAY[::3]:
        for nth in ("1st", "15th", "29th", "31st"):
            found = on(day, f"the {nth}")
            assert found.day == int(nth[:-2]) and day <= found <= day + timedelta(days=62)


# --- the corpus ------------------------------------------------------------------------------
# Expectations below are plain calendar arithmetic on the user's local today, written without
# the parser's code: loops over days where a loop is clearer than a formula.

Expect = Callable[[date], date]
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Auckland")
NOWS = {
    "a Wednesday": datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    "a Friday": datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
    "a Sunday": datetime(2026, 11, 29, 16, 0, tzinfo=UTC),
    "a month end": datetime(2026, 4, 30, 12, 0, tzinfo=UTC),
    "a quarter end (1 Jul east of UTC)": datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
    "31 Dec (1 Jan in Tokyo)": datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
    "Berlin's spring DST change": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    "New York's autumn DST change": datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    "a leap day": datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
}


def days(n: int) -> Expect:
    return lambda today: today + timedelta(days=n)


def fixed(iso: str) -> Expect:
    return lambda today: date.fromisoformat(iso)


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def first_from(today: date, ok: Callable[[date], bool], *, today_counts: bool = True) -> date:
    """The first day from today (or from tomorrow) for which `ok` holds."""
    day = today if today_counts else today + timedelta(days=1)
    while not ok(day):
        day += timedelta(days=1)
    return day


def weekday_after(name: int, *, today_counts: bool = False) -> Expect:
    return lambda today: first_from(today, lambda d: d.weekday() == name, today_counts=today_counts)


def friday_of_week(weeks: int) -> Expect:
    def expect(today: date) -> date:
        monday = today
        while monday.weekday() != 0:
            monday -= timedelta(days=1)
        return monday + timedelta(days=7 * weeks + 4)

    return expect


def weekday_of_week(name: int, weeks: int) -> Expect:
    return lambda today: friday_of_week(weeks)(today) + timedelta(days=name - 4)


def end_of_week(today: date) -> date:
    return first_from(today, lambda d: d.weekday() == 4)


def month_end(ahead: int) -> Expect:
    def expect(today: date) -> date:
        year, month = today.year, today.month + ahead
        while month > 12:
            year, month = year + 1, month - 12
        return last_day(year, month)

    return expect


def month_start(ahead: int) -> Expect:
    return lambda today: month_end(ahead - 1)(today) + timedelta(days=1)


def quarter_end(ahead: int) -> Expect:
    def expect(today: date) -> date:
        day = today
        for _ in range(ahead + 1):
            day = first_from(day, lambda d: d.month in (3, 6, 9, 12) and d == last_day_of(d))
            day += timedelta(days=1)
        return day - timedelta(days=1)

    return expect


def last_day_of(d: date) -> date:
    return last_day(d.year, d.month)


def next_matching(month: int, day: int) -> Expect:
    """The first day on or after today that is `day` `month` (29 Feb waits for a leap year)."""
    return lambda today: first_from(today, lambda d: (d.month, d.day) == (month, day))


def next_month_end(month: int) -> Expect:
    return lambda today: first_from(today, lambda d: d.month == month and d == last_day_of(d))


def next_nth(nth: int) -> Expect:
    return lambda today: first_from(today, lambda d: d.day == nth)


def nth_of_next_month(nth: int) -> Expect:
    return lambda today: month_start(1)(today) + timedelta(days=nth - 1)


def plus_months(n: int) -> Expect:
    def expect(today: date) -> date:
        year, month = today.year, today.month + n
        while month > 12:
            year, month = year + 1, month - 12
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))

    return expect


def year_end(ahead: int) -> Expect:
    return lambda today: date(today.year + ahead, 12, 31)


def strictly_next_month_end(month: int) -> Expect:
    return lambda today: last_day(today.year + (month <= today.month), month)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

CORPUS: list[tuple[str, Expect]] = [
    *[(text, days(0)) for text in ("today", "Today", "TODAY", "now", "tonight", "EOD", "eod")],
    *[(text, days(0)) for text in ("by EOD", "COB", "cob", "by COB", "EOB", "end of day")],
    *[(text, days(0)) for text in ("end of the day", "by end of day", "close of business")],
    *[(text, days(0)) for text in ("by close of business", "EOD today", "today EOD", "at noon")],
    *[(text, days(0)) for text in ("10:00", "5pm", "by 10am")],
    *[(text, days(1)) for text in ("tomorrow", "Tomorrow", "tmrw", "tmr", "tomorow", "tommorow")],
    *[(text, days(1)) for text in ("tommorrow", "by tomorrow", "tomorrow EOD", "EOD tomorrow")],
    *[(text, days(1)) for text in ("COB tomorrow", "tomorrow at 5pm", "tomorrow 09:30")],
    *[(text, days(1)) for text in ("tomorrow morning", "tmrw afternoon", "tomorrow noon")],
    ("day after tomorrow", days(2)),
    ("yesterday", days(-1)),
    ("day before yesterday", days(-2)),
    ("2 days ago", days(-2)),
    ("a week ago", days(-7)),
    *[(text, end_of_week) for text in ("EOW", "eow", "by EOW", "end of week", "end of the week")],
    *[(text, end_of_week) for text in ("by end of week", "by the end of the week")],
    *[(text, end_of_week) for text in ("end of this week", "this week", "end-of-week")],
    *[(text, friday_of_week(1)) for text in ("end of next week", "EONW", "next week")],
    *[(text, friday_of_week(1)) for text in ("by end of next week", "friday next week")],
    *[(text, friday_of_week(1)) for text in ("next week friday", "fri next week")],
    ("monday next week", weekday_of_week(MON, 1)),
    ("next week tue", weekday_of_week(TUE, 1)),
    ("wednesday next week", weekday_of_week(WED, 1)),
    ("sunday next week", weekday_of_week(SUN, 1)),
    ("friday this week", weekday_of_week(FRI, 0)),
    ("monday this week", weekday_of_week(MON, 0)),
    *[(text, weekday_after(MON)) for text in ("monday", "Mon", "next monday", "upcoming monday")],
    *[(text, weekday_after(TUE)) for text in ("tuesday", "tue", "tues", "next tues")],
    *[(text, weekday_after(WED)) for text in ("wednesday", "wed", "weds", "next wed")],
    *[(text, weekday_after(WED)) for text in ("next wednesday", "coming wed", "by weds")],
    *[(text, weekday_after(THU)) for text in ("thursday", "thu", "thur", "thurs")],
    *[(text, weekday_after(THU)) for text in ("next thurs", "next thursday", "by COB thursday")],
    *[(text, weekday_after(FRI)) for text in ("friday", "Fri", "next friday", "coming friday")],
    *[(text, weekday_after(FRI)) for text in ("this coming friday", "friday 10:00", "fri EOD")],
    *[(text, weekday_after(FRI)) for text in ("EOD friday", "next friday at 3pm", "on friday")],
    *[(text, weekday_after(FRI)) for text in ("due by eod friday", "at 5 on friday")],
    *[(text, weekday_after(SAT)) for text in ("saturday", "sat", "next saturday")],
    *[(text, weekday_after(SUN)) for text in ("sunday", "sun", "next sunday")],
    ("this friday", weekday_after(FRI, today_counts=True)),
    ("this monday", weekday_after(MON, today_counts=True)),
    ("this thurs", weekday_after(THU, today_counts=True)),
    ("thursday week", lambda today: weekday_after(THU)(today) + timedelta(days=7)),
    ("friday week", lambda today: weekday_after(FRI)(today) + timedelta(days=7)),
    ("monday after next", lambda today: weekday_after(MON)(today) + timedelta(days=7)),
    *[
        (text, month_end(0))
        for text in ("EOM", "eom", "by EOM", "end of month", "end of the month")
    ],
    *[(text, month_end(0)) for text in ("by the end of the month", "end of this month")],
    *[(text, month_end(0)) for text in ("month end", "month-end", "this month", "end-of-month")],
    *[(text, month_end(1)) for text in ("end of next month", "EONM", "next month")],
    ("by end of next month", month_end(1)),
    *[(text, month_start(1)) for text in ("start of next month", "beginning of next month")],
    ("start of the next month", month_start(1)),
    *[(text, quarter_end(0)) for text in ("EOQ", "eoq", "end of quarter", "end of the quarter")],
    *[(text, quarter_end(0)) for text in ("by end of quarter", "end of this quarter", "by EOQ")],
    *[(text, quarter_end(0)) for text in ("quarter end", "this quarter", "qtr end")],
    *[(text, quarter_end(1)) for text in ("end of next quarter", "next quarter", "EONQ")],
    ("start of next quarter", lambda today: quarter_end(0)(today) + timedelta(days=1)),
    *[(form.format(q), next_month_end(3 * q)) for q in range(1, 5) for form in ("Q{}", "q{}")],
    *[(form.format(q), next_month_end(3 * q)) for q in range(1, 5) for form in ("end of Q{}",)],
    *[(form.format(q), next_month_end(3 * q)) for q in range(1, 5) for form in ("by Q{}",)],
    *[(form.format(q), next_month_end(3 * q)) for q in range(1, 5) for form in ("Q{} end",)],
    *[(text, fixed("2027-03-31")) for text in ("Q1 2027", "q1 2027", "Q1 '27", "end of Q1 2027")],
    *[(text, fixed("2027-03-31")) for text in ("Q1-2027", "2027 Q1", "2027-Q1", "Q1 27")],
    ("Q2 2027", fixed("2027-06-30")),
    ("Q3 2027", fixed("2027-09-30")),
    ("Q4 2027", fixed("2027-12-31")),
    ("Q4 2026", fixed("2026-12-31")),
    ("end of Q2 2028", fixed("2028-06-30")),
    ("start of Q3 2027", fixed("2027-07-01")),
    ("start of Q1", lambda today: first_from(today, lambda d: (d.month, d.day) == (1, 1))),
    ("start of Q3", lambda today: first_from(today, lambda d: (d.month, d.day) == (7, 1))),
    *[(text, next_month_end(6)) for text in ("H1", "h1", "end of H1", "by H1")],
    *[(text, next_month_end(12)) for text in ("H2", "h2", "end of H2", "by H2")],
    *[(text, fixed("2027-06-30")) for text in ("H1 2027", "h1 '27")],
    *[(text, fixed("2027-12-31")) for text in ("H2 2027", "H2 '27")],
    *[(text, year_end(0)) for text in ("EOY", "eoy", "end of year", "end of the year", "by EOY")],
    *[(text, year_end(0)) for text in ("by end of year", "end of this year", "year end")],
    *[(text, year_end(0)) for text in ("year-end", "this year")],
    *[(text, year_end(1)) for text in ("end of next year", "next year")],
    *[(text, fixed("2027-12-31")) for text in ("end of 2027", "end of year 2027")],
    ("start of 2028", fixed("2028-01-01")),
    *[(text, days(14)) for text in ("in 2w", "in 2 weeks", "within 2 weeks", "2 weeks", "2w")],
    *[(text, days(14)) for text in ("in two weeks", "two weeks from now", "2 weeks from today")],
    *[(text, days(14)) for text in ("in 2 wks", "within 2w", "in a fortnight", "in 2 weeks' time")],
    *[(text, days(7)) for text in ("in a week", "within a week", "a week from today", "in 1 week")],
    *[(text, days(3)) for text in ("in 3 days", "within 3 days", "3d", "in three days")],
    ("in 10 days", days(10)),
    ("in 4 weeks", days(28)),
    ("in 6w", days(42)),
    *[(text, plus_months(1)) for text in ("in 1 month", "in a month", "within a month")],
    ("in 3 months", plus_months(3)),
    ("in 6 months", plus_months(6)),
    ("within 2 months", plus_months(2)),
    ("in 2 quarters", plus_months(6)),
    *[(text, plus_months(12)) for text in ("in 1 year", "in a year")],
    *[(text, next_nth(15)) for text in ("the 15th", "by the 15th", "15th", "on the 15th")],
    *[(text, next_nth(1)) for text in ("the 1st", "1st", "by the 1st")],
    *[(f"the {n}{suffix}", next_nth(n)) for n, suffix in ((2, "nd"), (3, "rd"), (22, "nd"))],
    *[(f"the {n}th", next_nth(n)) for n in (28, 29, 30)],
    ("the 31st", next_nth(31)),
    *[(text, nth_of_next_month(15)) for text in ("the 15th of next month", "15th next month")],
    ("the 1st of next month", nth_of_next_month(1)),
    *[(text, next_matching(12, 3)) for text in ("Dec 3", "3 Dec", "December 3", "3 December")],
    *[(text, next_matching(12, 3)) for text in ("3rd of December", "Dec 3rd", "december the 3rd")],
    *[(text, next_matching(12, 3)) for text in ("Dec 3 at 10:00", "Dec 3 10am", "3 Dec 14:30")],
    ("by Dec 3", next_matching(12, 3)),
    ("at 10 Dec", next_matching(12, 10)),
    *[(text, next_matching(1, 15)) for text in ("Jan 15", "15 Jan", "15th of January")],
    *[(text, next_matching(3, 31)) for text in ("Mar 31", "31 Mar")],
    *[(text, next_matching(1, 1)) for text in ("Jan 1", "1 Jan")],
    *[(text, next_matching(7, 4)) for text in ("July 4", "4th of July")],
    ("Jun 30", next_matching(6, 30)),
    ("Feb 28", next_matching(2, 28)),
    ("Feb 29", next_matching(2, 29)),
    ("Nov 25", next_matching(11, 25)),
    ("Nov 24", next_matching(11, 24)),
    ("Dec 31", next_matching(12, 31)),
    ("Apr 30", next_matching(4, 30)),
    ("Sept 9", next_matching(9, 9)),
    ("Oct. 10", next_matching(10, 10)),
    *[(text, fixed("2026-12-03")) for text in ("3 Dec 2026", "Dec 3 2026", "December 3, 2026")],
    *[(text, fixed("2026-12-03")) for text in ("3rd December 2026", "Thu 3 Dec 2026")],
    *[(text, fixed("2027-12-03")) for text in ("Dec 3 '27", "3 Dec 27")],
    ("15 Jan 2027", fixed("2027-01-15")),
    ("Fri 4 Dec 2026", fixed("2026-12-04")),
    ("Friday, 4 December 2026", fixed("2026-12-04")),
    ("Wed 31 Mar 2027", fixed("2027-03-31")),
    *[(text, next_month_end(12)) for text in ("December", "Dec", "in December", "by December")],
    *[(text, next_month_end(12)) for text in ("end of December",)],
    *[(text, next_month_end(1)) for text in ("Jan", "January")],
    *[(text, next_month_end(2)) for text in ("Feb", "end of Feb")],
    ("March", next_month_end(3)),
    ("mid Jan", next_matching(1, 15)),
    ("mid-January", next_matching(1, 15)),
    ("start of March", next_matching(3, 1)),
    ("beginning of April", next_matching(4, 1)),
    *[(text, fixed("2027-12-31")) for text in ("Dec '27", "December 2027", "Dec 2027")],
    ("end of Dec 2027", fixed("2027-12-31")),
    ("Mar '28", fixed("2028-03-31")),
    ("start of June 2027", fixed("2027-06-01")),
    ("next december", strictly_next_month_end(12)),
    ("next january", strictly_next_month_end(1)),
    *[(text, fixed("2026-12-03")) for text in ("2026-12-03", "2026/12/03", "2026.12.03")],
    *[(text, fixed("2026-12-03")) for text in ("20261203", "2026-12-03T10:00", "2026-12-03 10:00")],
    ("Thu 2026-12-03", fixed("2026-12-03")),
    *[(text, fixed("2027-01-15")) for text in ("2027-01-15", "20270115", "15/01/2027")],
    *[(text, fixed("2026-12-13")) for text in ("13/12/2026", "13.12.2026", "13-12-2026")],
    *[(text, fixed("2026-12-31")) for text in ("12/31/2026", "31/12/2026", "31.12.2026")],
    *[(text, fixed("2026-11-25")) for text in ("25/11/2026", "11/25/2026")],
    *[(text, fixed("2026-05-05")) for text in ("05/05/2026", "5/5/2026")],
    ("31/01/27", fixed("2027-01-31")),
    *[(text, next_matching(12, 31)) for text in ("12/31", "31/12")],
    ("13/12", next_matching(12, 13)),
]


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    texts = [text for text, _ in CORPUS]
    assert len(texts) >= 200
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(("text", "expect"), CORPUS, ids=[text for text, _ in CORPUS])
def test_the_corpus_in_every_zone_on_every_day(text: str, expect: Expect) -> None:
    wrong = []
    for zone in ZONES:
        for name, now in NOWS.items():
            today = now.astimezone(ZoneInfo(zone)).date()
            expected, found = expect(today), parse_date(text, now=now, tz=zone)
            if found != expected:
                wrong.append(f"{name} in {zone} (today {today}): {found}, expected {expected}")
    assert wrong == []
