"""A question still open after its `by:` day: its requester is told once, in their hours on
their next working day, where it waits; a question decided by then, or asked by someone who
is now a guest, brings nothing.

Dates: Wednesday 25 Nov 2026 14:00 UTC is set-up day. The steering meeting in #steer meets on
Mondays at 10:00 London (UTC in winter). Lee (Berlin, message hours from 08:00) owns Apollo and
asks; Otto sponsors it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.meetings import past_by
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import DecisionRequest, Person, ScheduledJob
from tests.conftest import TEAM, Bot, Tick
from tests.flow import text_of
from tests.handlers.test_decisions_flow import add_meeting, record

STILL_OPEN = "and is still open"
HOSTILE = "Buy from <!channel> vendor <https://evil.example|here>?"


def utc(day: int, hour: int = 7, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def apollo(slack: SlackDriver, fake: FakeSlack) -> str:
    """Apollo, owned by Lee (who paused its status prompts), sponsored by Otto."""
    fake.add_channel("CSTEER", "steer", members=["UADMIN", "ULEAD"])
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program sponsor apollo <@UOTHER|otto>")
    slack.command("ULEAD", "program pause apollo")
    return "apollo"


def ask(slack: SlackDriver, by: str, question: str = HOSTILE, program: str = "apollo") -> str:
    reply = slack.command("ULEAD", f'decision request {program} "{question}" by:{by}')
    return text_of(reply.body)


def still_open(fake: FakeSlack, user_id: str = "ULEAD") -> list[dict[str, Any]]:
    return [m for m in fake.dms(user_id) if STILL_OPEN in m.get("text", "")]


def test_a_question_put_to_a_meeting_and_still_open_is_followed_up_once_after_the_weekend(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    add_meeting(sessions)
    assert "Put to the steering meeting in <#CSTEER> on Mon 30 Nov" in ask(slack, "2026-12-04")
    with sessions() as session:
        [job] = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == past_by.KIND))
        assert (job.period, job.due_at) == ("2026-12-04", utc(7))  # Monday 08:00 in Berlin
    for at in (utc(30, 11, month=11), utc(4, 7), utc(4, 20), utc(5, 12), utc(6, 12), utc(7, 6)):
        tick(at)  # the meeting passes undecided; Friday is the by: day; then the weekend
    assert still_open(fake) == []
    tick(utc(7))
    [dm] = still_open(fake)
    said = text_of(dm)
    assert (
        ":hourglass: Your question needed a decision by Fri 4 Dec 2026 and is still open: "
        "“Buy from &lt;!channel&gt; vendor &lt;https://evil.example|here&gt;?” on *Apollo* "
        "(`apollo`). It is on the agenda of the steering meeting in <#CSTEER> on Mon 7 Dec at "
        "10:00 (Europe/London)."
    ) in said
    assert "<!channel>" not in said and "<https://" not in said
    tick(utc(7, 9))
    tick(utc(8))
    assert len(still_open(fake)) == 1


def test_a_question_the_sponsor_decided_in_time_brings_nothing(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, tick: Tick, apollo: str
) -> None:
    assert "so I asked its sponsor <@UOTHER> by DM" in ask(slack, "2026-11-27", "Buy?")
    bot.settle()
    [dm] = [m for m in fake.dms("UOTHER") if "to decide" in m.get("text", "")]
    record(slack, fake, "UOTHER", dm, {"decision": "Buy"})
    tick(utc(30, 7, month=11))
    tick(utc(1, 7))
    assert still_open(fake) == []


def test_a_question_with_the_sponsor_says_so_and_reminds_the_sponsor_who_may_record_it(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    ask(slack, "2026-11-27", "Buy?")
    tick(utc(30, 7, month=11))  # Monday 08:00 in Berlin: Friday's by: has passed
    [dm] = still_open(fake)
    assert "Its sponsor <@UOTHER> is asked by DM to decide it." in text_of(dm)
    assert reminders(fake) == []  # Otto's hours (New York) have not begun
    tick(utc(30, 14, month=11))  # 09:00 in New York
    tick(utc(1, 14))
    [reminder] = reminders(fake)
    assert (
        ":hourglass: Still waiting for your decision, needed by Fri 27 Nov 2026: <@ULEAD> asks "
        "you, as sponsor, to decide: “Buy?” on *Apollo*"
    ) in text_of(reminder)
    record(slack, fake, "UOTHER", reminder, {"decision": "Buy"})
    bot.settle()
    edited = [m for m in fake.dms("UOTHER") if m["ts"] == reminder["ts"]][-1]
    assert "Decided: D-1" in text_of(edited) and "actions" not in [
        b["type"] for b in edited["blocks"]
    ]
    with sessions() as session:
        assert session.scalars(select(DecisionRequest)).one().state == "decided"
    assert len(still_open(fake)) == 1


def reminders(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.dms("UOTHER") if "Still waiting for your decision" in m.get("text", "")]


def test_a_question_whose_meeting_was_cancelled_says_none_covers_it(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], tick: Tick, apollo: str
) -> None:
    add_meeting(sessions)
    slack.command("UADMIN", "program add Hermes owner:<@ULEAD|lee>")  # no sponsor
    slack.command("ULEAD", "program pause hermes")
    ask(slack, "2026-12-04", "Buy?", program="hermes")
    said = text_of(slack.command("UADMIN", "meeting cancel <#CSTEER|steer>").body)
    assert "Cancelled" in said, said
    with sessions() as session:  # no other meeting, nobody to ask: it waits for one
        request = session.scalars(select(DecisionRequest)).one()
        assert (request.meeting_id, request.sent_to_id) == (None, None)
    tick(utc(7))
    [dm] = still_open(fake)
    assert "No steering meeting covers it now: schedule one with `/pmo meeting schedule`" in (
        text_of(dm)
    )


def test_no_by_date_arms_nothing_and_a_requester_now_a_guest_hears_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], tick: Tick, apollo: str
) -> None:
    add_meeting(sessions)
    slack.command("ULEAD", 'decision request apollo "Whenever?"')
    ask(slack, "2026-12-04", "Buy?")
    with sessions.begin() as session:
        jobs = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == past_by.KIND))
        assert [job.period for job in jobs] == ["2026-12-04"]
        lee = session.get(Person, (TEAM, "ULEAD"))
        assert lee is not None
        lee.is_restricted = True
    tick(utc(7))
    assert still_open(fake) == []


def test_the_follow_up_waits_until_the_by_day_is_over_in_the_meetings_zone(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], tick: Tick, apollo: str
) -> None:
    """Kim (Tokyo) asks by Monday; the meeting is Monday 20:00 in New York, Tuesday 10:00
    her time: she hears nothing before it has been held."""
    slack.command("UADMIN", "program add Hermes owner:<@ULEAD2|kim>")
    slack.command("ULEAD2", "program pause hermes")
    add_meeting(sessions, at="20:00", tz="America/New_York")
    said = text_of(slack.command("ULEAD2", 'decision request hermes "Buy?" by:2026-11-30').body)
    assert "Put to the steering meeting in <#CSTEER> on Mon 30 Nov" in said, said
    with sessions() as session:
        [job] = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == past_by.KIND))
        assert job.due_at == utc(1, 5)  # Tue 14:00 in Tokyo: Monday is over in New York
    tick(utc(30, 23, month=11))  # Tue 08:00 in Tokyo, Mon 18:00 in New York
    tick(utc(1, 2))  # Mon 21:00 in New York: the meeting was held, undecided
    assert still_open(fake, "ULEAD2") == []
    tick(utc(1, 5))
    [dm] = still_open(fake, "ULEAD2")
    assert "It is on the agenda of the steering meeting in <#CSTEER> on Mon 7 Dec" in text_of(dm)


def test_the_sponsor_is_not_reminded_on_their_own_by_day(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    """Kim (Tokyo) asks Otto (New York) by Monday: Otto is reminded on Tuesday, his time."""
    slack.command("UADMIN", "program add Hermes owner:<@ULEAD2|kim>")
    slack.command("UADMIN", "program sponsor hermes <@UOTHER|otto>")
    slack.command("ULEAD2", "program pause hermes")
    said = text_of(slack.command("ULEAD2", 'decision request hermes "Buy?" by:2026-11-30').body)
    assert "asked its sponsor <@UOTHER> by DM" in said, said
    tick(utc(30, 23, month=11))  # Mon 18:00 in New York
    tick(utc(1, 0))  # Mon 19:00
    assert reminders(fake) == []
    tick(utc(1, 5))  # Tue 14:00 in Tokyo, Tue 00:00 in New York: Kim is told
    assert len(still_open(fake, "ULEAD2")) == 1 and reminders(fake) == []
    tick(utc(1, 14))  # Tue 09:00 in New York
    [reminder] = reminders(fake)
    assert "needed by Mon 30 Nov 2026" in text_of(reminder)


def test_after_a_change_of_sponsor_the_new_sponsor_is_reminded_and_may_record_it(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], tick: Tick, apollo: str
) -> None:
    ask(slack, "2026-11-27", "Buy?")
    slack.command("UADMIN", "program sponsor apollo <@UADMIN|ada>")
    tick(utc(30, 7, month=11))
    tick(utc(30, 12, month=11))  # in Ada's London hours
    [dm] = still_open(fake)
    assert "Its sponsor <@UADMIN> is asked by DM to decide it." in text_of(dm)
    assert reminders(fake) == []  # Otto, no longer the sponsor
    [reminder] = [m for m in fake.dms("UADMIN") if "Still waiting" in m.get("text", "")]
    record(slack, fake, "UADMIN", reminder, {"decision": "Buy"})
    with sessions() as session:
        assert session.scalars(select(DecisionRequest)).one().state == "decided"
