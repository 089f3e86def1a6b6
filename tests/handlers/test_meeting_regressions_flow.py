"""Steering meetings kept right where a review found them wrong: the next date listed, the
fortnight kept on edit, a longer meeting not closed early, a cancelled meeting's questions,
portfolio names beyond ASCII."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.meetings import plans
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Meeting, MeetingOccurrence, ScheduledJob
from tests.conftest import Bot, ManualClock, Pass
from tests.flow import text_of

FORTNIGHTLY = (
    'meeting schedule <#CSTEER|steering> "mon 10:00" every:2w length:60m '
    "<@ULEAD2|kim> <@UADMIN|ada>"
)
WEEKLY = 'meeting schedule <#CSTEER|steering> "mon 10:00" length:60m <@ULEAD2|kim> <@UADMIN|ada>'


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def steering(fake: FakeSlack) -> None:
    fake.add_channel("CSTEER", "steering", members=["ULEAD", "ULEAD2", "UADMIN"])


def the_meeting(sessions: sessionmaker[Session]) -> Meeting:
    with sessions() as session:
        meeting = session.scalar(select(Meeting))
        assert meeting is not None
        return meeting


def test_meeting_list_names_the_next_meeting_after_a_pass(
    slack: SlackDriver, run_pass: Pass, steering: None
) -> None:
    slack.command("ULEAD", FORTNIGHTLY, channel_id="CSTEER")
    run_pass(utc(2026, 11, 25, 14, 30))  # jobs of Mon 30 Nov are made 8 days ahead

    listing = text_of(slack.command("ULEAD", "meeting list").body)

    # The next meeting is Mon 30 Nov; the list shows next_due_at (the one after).
    assert "next Mon 30 Nov 2026 10:00" in listing, listing


def test_editing_only_the_length_keeps_the_fortnight(
    slack: SlackDriver, sessions: sessionmaker[Session], clock: ManualClock, steering: None
) -> None:
    slack.command("ULEAD", FORTNIGHTLY, channel_id="CSTEER")  # Nov 30, Dec 14, Dec 28…
    clock.now = utc(2026, 12, 1, 9, 0)  # Tuesday after the 30 Nov meeting

    slack.command("ULEAD", "meeting edit <#CSTEER|steering> length:90m")

    meeting = the_meeting(sessions)
    start = plans.next_start(meeting, after=clock.now)
    assert start == utc(2026, 12, 14, 9, 0), start  # not Mon 7 Dec (the off week)


def test_a_longer_meeting_is_not_closed_by_the_old_close_job(
    slack: SlackDriver,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    clock: ManualClock,
    steering: None,
) -> None:
    slack.command("ULEAD", WEEKLY, channel_id="CSTEER")
    run_pass(utc(2026, 11, 25, 14, 30))  # Mon 30 Nov's jobs: close due 10:30 UTC
    clock.now = utc(2026, 11, 26, 9, 0)
    slack.command("ULEAD", "meeting edit <#CSTEER|steering> length:2h")
    run_pass(utc(2026, 11, 26, 9, 5))

    clock.now = utc(2026, 11, 30, 9, 0)
    slack.command("ULEAD", "meeting start <#CSTEER|steering>")
    run_pass(utc(2026, 11, 30, 10, 31))  # 11:31 Berlin: 1.5 h into a 2 h meeting

    with sessions() as session:
        occurrence = session.scalars(select(MeetingOccurrence)).one()
        closes = [
            job.due_at
            for job in session.scalars(select(ScheduledJob).where(ScheduledJob.kind == plans.CLOSE))
        ]
    assert occurrence.state == "live", (occurrence.state, occurrence.closed_by, closes)


def test_a_question_put_to_a_cancelled_meeting_goes_to_the_sponsor(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, steering: None
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program sponsor apollo <@UOTHER|otto>")
    slack.command("ULEAD", WEEKLY, channel_id="CSTEER")
    placed = text_of(slack.command("ULEAD", 'decision request apollo "Buy the engine?"').body)
    assert "Put to the steering meeting in <#CSTEER>" in placed

    cancelled = text_of(slack.command("ULEAD", "meeting cancel <#CSTEER|steering>").body)

    assert "Its 1 open question went to the next meeting of each program, or to its sponsor" in (
        cancelled
    )
    bot.settle()
    assert any("Buy the engine?" in m["text"] for m in fake.dms("UOTHER"))
    assert "sponsor <@UOTHER>" in text_of(slack.command("ULEAD", "decisions open").body)


def test_a_question_with_nowhere_to_go_waits_for_the_next_meeting_scheduled(
    slack: SlackDriver, steering: None
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("ULEAD", WEEKLY, channel_id="CSTEER")
    slack.command("ULEAD", 'decision request apollo "Buy the engine?"')
    slack.command("ULEAD", "meeting cancel <#CSTEER|steering>")
    slack.command("ULEAD", WEEKLY, channel_id="CSTEER")  # the same review, set up again

    agenda = text_of(slack.command("ULEAD", "meeting agenda <#CSTEER|steering>").body)

    assert "Buy the engine?" in agenda


def test_a_portfolio_with_a_non_ascii_capital_has_an_agenda(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: None
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program portfolio apollo Équipe")
    slack.command("ULEAD", "status apollo red vendor gone")
    slack.command(
        "ULEAD",
        'meeting schedule <#CSTEER|steering> "mon 10:00" portfolio:Équipe <@ULEAD2|kim>',
        channel_id="CSTEER",
    )

    shown = text_of(slack.command("ULEAD", "meeting agenda <#CSTEER|steering>").body)

    assert "*1. Apollo*" in shown, shown
