"""When RAID owners are reminded (in their working calendar), and what the DMs show."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import raid_owners
from bot.blocks import raid_owners as render
from bot.blocks.common import SECTION_TEXT_MAX
from bot.working_time import WorkingTime
from storage.models import Program, RaidItem

BERLIN = WorkingTime(tz="Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("calendar", "due", "reminded", "overdue"),
    [
        # due Monday: Thursday 08:00 Berlin; overdue Tuesday 08:00
        (BERLIN, date(2026, 11, 30), utc(2026, 11, 26, 7), utc(2026, 12, 1, 7)),
        # due Friday: Wednesday; overdue the next Monday, not Saturday
        (BERLIN, date(2026, 11, 27), utc(2026, 11, 25, 7), utc(2026, 11, 30, 7)),
        # Christmas Day (Friday) is a German holiday: Wednesday 23 Dec, not Thursday 24
        (
            WorkingTime(tz="Europe/Berlin", holidays="DE"),
            date(2026, 12, 28),
            utc(2026, 12, 23, 7),
            utc(2026, 12, 29, 7),
        ),
        # a Sunday–Thursday week in Tokyo: due Sunday is reminded Wednesday 08:00 JST
        (
            WorkingTime(tz="Asia/Tokyo", workdays=frozenset({6, 0, 1, 2, 3})),
            date(2026, 11, 29),
            utc(2026, 11, 24, 23),
            utc(2026, 11, 29, 23),
        ),
    ],
)
def test_reminders_fall_at_the_start_of_the_owners_hours_on_working_days(
    calendar: WorkingTime, due: date, reminded: datetime, overdue: datetime
) -> None:
    times = raid_owners.reminder_times(calendar, due)
    assert times == {raid_owners.DUE: reminded, raid_owners.OVERDUE: overdue}


def item(**values: object) -> RaidItem:
    defaults: dict[str, object] = {
        "id": 7,
        "kind": "risk",
        "title": "Vendor",
        "score": 12,
        "due_date": date(2026, 11, 30),
        "blocking": False,
        "owner_id": "ULEAD",
    }
    return RaidItem(**(defaults | values))


APOLLO = Program(id=1, name="Apollo <!here>", key="apollo")


def test_an_unscored_item_offers_close_only() -> None:
    payload = render.assigned_message(item(kind="decision", score=None), APOLLO, by="UOTHER")
    buttons = [e["action_id"] for e in payload["blocks"][-1]["elements"]]
    assert buttons == ["raid_close"]


def test_a_long_title_with_mentions_stays_escaped_and_inside_the_limits() -> None:
    payload = render.overdue_message(item(title="<!channel> " * 40), APOLLO)
    text = payload["blocks"][0]["text"]["text"]
    assert len(text) <= SECTION_TEXT_MAX and "<!" not in text
    assert "Apollo &lt;!here&gt;" in text and "due Mon" not in text  # the lead says the date
