"""Stand-ups and working time in Slack: `local` schedules echoed and listed, pausing after
three unanswered runs, and *Resume* for the facilitator only.

Dates: Wednesday 25 Nov 2026 is set-up day; the team stand-up runs mon-fri 09:30–11:30 Berlin
(08:30–10:30 UTC) with Kim (Tokyo) and Otto (London), so both are asked at the opening.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Standup
from tests.conftest import Bot
from tests.flow import audit_actions, text_of

SCHEDULE = 'standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim> <@UOTHER|otto>'
RUN_DAYS = ((2026, 11, 26), (2026, 11, 27), (2026, 11, 30))  # Thu, Fri, Mon

Pass = Callable[[datetime], Any]


LOCAL_WORDS = "opens at 09:30 local, Monday through Friday, closes at 16:00, Europe/Berlin"


@pytest.fixture
def team(slack: SlackDriver, fake: FakeSlack) -> None:
    """#team with Lee (Berlin, the facilitator), Kim (Tokyo) and Otto (London)."""
    fake.add_user("UOTHER", "otto", real_name="Otto Other", tz="Europe/London")
    fake.add_channel("CTEAM", "team", members=["ULEAD", "ULEAD2", "UOTHER"])


def at(day: tuple[int, int, int], hour: int, minute: int = 0) -> datetime:
    """A UTC instant on one of the run days."""
    return datetime(*day, hour, minute, tzinfo=UTC)


def asks(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    """Stand-up questions a user received by DM."""
    return [m for m in fake.dms(user) if m["text"].startswith(":wave: Stand-up in")]


def pause_dms(fake: FakeSlack) -> list[dict[str, Any]]:
    """The pause messages Lee received."""
    return [m for m in fake.dms("ULEAD") if "I paused the stand-up" in m["text"]]


@pytest.fixture
def paused(slack: SlackDriver, fake: FakeSlack, run_pass: Pass, team: None) -> dict[str, Any]:
    """Lee schedules the stand-up; nobody answers Thursday, Friday or Monday; the pause DM."""
    slack.command("ULEAD", SCHEDULE, channel_id="CTEAM")
    for day in RUN_DAYS:
        run_pass(at(day, 8, 30))
        run_pass(at(day, 10, 30))
        run_pass(at(day, 10, 30))  # a repeated pass changes nothing
    run_pass(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))  # Tuesday: paused, nobody is asked
    [message] = pause_dms(fake)
    return message


def test_local_schedule_is_echoed_and_listed(
    slack: SlackDriver, sessions: sessionmaker[Session], team: None
) -> None:
    reply = slack.command(
        "ULEAD",
        'standup schedule <#CTEAM|team> "mon-fri 09:30 local" <@ULEAD2|kim> close:16:00',
        channel_id="CTEAM",
    )

    text = text_of(reply.body)
    assert f"Scheduled the stand-up in <#CTEAM>: {LOCAL_WORDS}" in text
    assert "Next: Thu 26 Nov 2026 09:30 local." in text
    assert "Each participant is asked at 09:30 their own time" in text
    listed = text_of(slack.command("ULEAD", "standup list", channel_id="CTEAM").body)
    assert LOCAL_WORDS in listed
    with sessions() as session:
        standup = session.query(Standup).one()
        assert standup.local_time is True

    edited = slack.command(
        "ULEAD", 'standup edit <#CTEAM|team> "mon-fri 10:00"', channel_id="CTEAM"
    )
    said = text_of(edited.body)  # a new schedule without `local` turns it off
    assert "opens at 10:00, Monday through Friday, closes at 16:30, Europe/Berlin" in said


def test_three_unanswered_runs_pause_the_standup_once_and_list_it_as_paused(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, paused: dict[str, Any]
) -> None:
    assert "nobody answered the last 3 runs" in paused["text"]
    assert len(asks(fake, "ULEAD2")) == len(asks(fake, "UOTHER")) == 3  # none on Tuesday
    run_pass(datetime(2026, 12, 1, 10, 30, tzinfo=UTC))
    assert len(pause_dms(fake)) == 1

    listed = text_of(slack.command("ULEAD", "standup list", channel_id="CTEAM").body)
    assert (
        "<#CTEAM> · opens at 09:30, Monday through Friday, closes at 11:30, Europe/Berlin · "
        "*paused*"
    ) in listed
    assert "next paused" in listed


def test_resume_by_the_facilitator_resumes_and_counts_afresh(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    paused: dict[str, Any],
) -> None:
    reply = slack.click_button("ULEAD", paused, "standup_resume")
    bot.settle()

    said = text_of(fake.responses[-1]["body"]) if reply.body is None else text_of(reply.body)
    assert "Resumed the stand-up in <#CTEAM>" in said
    assert "Next: Wed 2 Dec 2026 09:30." in said
    again = slack.click_button("ULEAD", paused, "standup_resume")
    bot.settle()
    assert "is running already" in text_of(fake.responses[-1]["body"]) + text_of(again.body)
    assert "standup resume" in audit_actions(sessions)

    wednesday = (2026, 12, 2)
    run_pass(at(wednesday, 8, 30))
    run_pass(at(wednesday, 10, 30))
    assert len(asks(fake, "ULEAD2")) == 4
    assert len(pause_dms(fake)) == 1  # one unanswered run after resuming is not three
    with sessions() as session:
        standup = session.query(Standup).one()
        assert standup.paused_at is None and standup.unanswered_runs == 1


@pytest.mark.parametrize("stranger", ["ULEAD2", "UGUEST"])
def test_resume_by_anyone_but_the_facilitator_or_an_admin_is_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    paused: dict[str, Any],
    stranger: str,
) -> None:
    fake.clear()
    reply = slack.click_button(stranger, paused, "standup_resume")  # a crafted payload
    bot.settle()

    told = [text_of(r["body"]) for r in fake.responses] + [text_of(reply.body)]
    refusal = "Guest accounts can't" if stranger == "UGUEST" else "Only the facilitator <@ULEAD>"
    assert any(refusal in said for said in told)
    assert not any("Resumed" in said for said in told)
    with sessions() as session:
        assert session.query(Standup).one().paused_at is not None


def test_resume_by_a_pmo_admin_is_allowed(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, paused: dict[str, Any]
) -> None:
    slack.click_button("UADMIN", paused, "standup_resume")
    bot.settle()

    assert "Resumed the stand-up in <#CTEAM>" in text_of(fake.responses[-1]["body"])
