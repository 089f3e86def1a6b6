"""Stand-ups in Slack: schedule, answer by button, modal or DM, summary, live mode, refusals.

Dates: Wednesday 25 Nov 2026 is set-up day. The team stand-up runs mon-fri 09:30–11:30 in
Lee's zone (Berlin), so Thursday's opens at 08:30 UTC, reminds at 10:00 and closes at 10:30:
inside the working hours of Kim (Tokyo, 17:30) and Otto (London here, 08:30).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.common import escape
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import RaidItem, Standup, StandupAnswer, StandupRun, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, program, text_of

THU_OPEN = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # 09:30 Berlin
THU_REMIND = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
THU_CLOSE = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
FRI_OPEN = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
SCHEDULE = 'standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim> <@UOTHER|otto>'

Pass = Callable[[datetime], None]


@pytest.fixture
def team(slack: SlackDriver, fake: FakeSlack) -> None:
    """#team with Lee (Berlin, the facilitator), Kim (Tokyo) and Otto (London)."""
    fake.add_user("UOTHER", "otto", real_name="Otto Other", tz="Europe/London")
    fake.add_channel("CTEAM", "team", members=["ULEAD", "ULEAD2", "UOTHER"])


@pytest.fixture
def scheduled(slack: SlackDriver, team: None) -> None:
    """Lee schedules the team stand-up for Kim and Otto."""
    reply = slack.command("ULEAD", SCHEDULE, channel_id="CTEAM")
    assert "Scheduled the stand-up in <#CTEAM>" in text_of(reply.body)


def asks(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    """Stand-up questions a user received by DM."""
    return [m for m in fake.dms(user) if m["text"].startswith(":wave: Stand-up in")]


def summaries(fake: FakeSlack) -> list[dict[str, Any]]:
    """Summaries posted in #team."""
    return [m for m in fake.messages("CTEAM") if m["text"].startswith("Stand-up summary")]


def answer_by_modal(slack: SlackDriver, fake: FakeSlack, user: str, answers: list[str]) -> Any:
    """Click *Answer* in the latest question DM and submit the modal."""
    slack.click_button(user, asks(fake, user)[-1], "standup_answer")
    view = fake.last_view(user)
    return slack.submit_view(user, view, {f"q{n}": text for n, text in enumerate(answers)})


def test_scheduled_standup_asks_by_dm_summarises_blockers_first_and_orders_speakers(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    scheduled: None,
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")

    run_pass(datetime(2026, 11, 26, 8, 29, tzinfo=UTC))
    assert asks(fake, "ULEAD2") == asks(fake, "UOTHER") == []
    run_pass(THU_OPEN)  # 17:30 in Tokyo, 08:30 in London: inside both working days
    assert len(asks(fake, "ULEAD2")) == len(asks(fake, "UOTHER")) == 1

    reply = answer_by_modal(
        slack,
        fake,
        "ULEAD2",
        ["Shipped the login page", "Payments API", "apollo contract unsigned"],
    )
    assert reply.body["response_action"] == "update"
    run_pass(THU_REMIND)
    assert [m for m in fake.dms("UOTHER") if "Reminder" in m["text"]]
    assert not [m for m in fake.dms("ULEAD2") if "Reminder" in m["text"]]
    run_pass(THU_CLOSE)
    run_pass(datetime(2026, 11, 26, 10, 31, tzinfo=UTC))

    [summary] = summaries(fake)
    texts = [text_of(block) for block in summary["blocks"]]
    blockers = next(i for i, t in enumerate(texts) if t.startswith("*Blockers*"))
    answer = next(i for i, t in enumerate(texts) if "Shipped the login page" in t)
    assert blockers < answer
    assert "<@ULEAD2>: apollo contract unsigned → issue #1 logged on *Apollo*" in texts[blockers]
    assert "*Did not answer:* <@UOTHER>" in texts[-1]
    apollo = program(sessions, "apollo")
    assert apollo is not None and "BLOCKED" in apollo.flags
    with sessions() as session:
        issue = session.scalars(select(RaidItem)).one()
        assert (issue.kind, issue.blocking, issue.owner_id) == ("issue", True, "ULEAD2")

    slack.command("ULEAD", "standup order", channel_id="CTEAM")
    bot.settle()
    order = [m for m in fake.messages("CTEAM") if "Speaking order" in m["text"]][-1]
    assert sorted(line for line in order["text"].splitlines()[1:]) in (
        ["1. <@ULEAD2>", "2. <@UOTHER>"],
        ["1. <@UOTHER>", "2. <@ULEAD2>"],
    )


def test_dm_with_one_line_per_question_is_an_answer_and_can_be_changed_until_close(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    scheduled: None,
) -> None:
    run_pass(THU_OPEN)
    slack.dm("UOTHER", "1. reviewed the plan\n2. write the tests\n3. none")
    bot.settle()
    assert "your answer for the stand-up in <#CTEAM> is in" in fake.dms("UOTHER")[-1]["text"]
    slack.dm("UOTHER", "reviewed the plan\nwrite the docs\nnone")
    bot.settle()
    with sessions() as session:
        answer = session.scalars(select(StandupAnswer)).one()
        assert [pair["a"] for pair in answer.answers][1] == "write the docs"
        assert answer.blockers is None

    run_pass(THU_CLOSE)
    [summary] = summaries(fake)
    assert "write the docs" in text_of(summary) and "write the tests" not in text_of(summary)
    assert "*Blockers*\nNone reported." in text_of(summary)


def test_a_reply_in_one_standups_thread_answers_that_one_of_several(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    scheduled: None,
) -> None:
    fake.add_channel("COPS", "ops", members=["ULEAD", "UOTHER"])
    ops = 'standup schedule <#COPS|ops> "mon-fri 09:30" <@UOTHER|otto>'
    assert "Scheduled the stand-up" in text_of(slack.command("ULEAD", ops, channel_id="COPS").body)
    run_pass(THU_OPEN)
    bot.settle()
    [asked_ops] = [m for m in asks(fake, "UOTHER") if "<#COPS>" in m["text"]]
    slack.dm("UOTHER", "shipped login\ntests\nnone", thread_ts=asked_ops["ts"])
    bot.settle()
    said = fake.dms("UOTHER")[-1]["text"]
    assert "your answer for the stand-up in <#COPS> is in" in said, said
    with sessions() as session:
        [answer] = session.scalars(select(StandupAnswer))
        run = session.get(StandupRun, answer.run_id)
        assert run is not None and answer.answers[0]["a"] == "shipped login"
        assert session.get(Standup, run.standup_id).channel_id == "COPS"  # type: ignore[union-attr]
    slack.dm("UOTHER", "reviewed\ndocs\nnone")  # outside any thread: still asked which
    bot.settle()
    assert "several open stand-ups" in fake.dms("UOTHER")[-1]["text"]


def test_dm_with_the_wrong_number_of_lines_is_explained(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, run_pass: Pass, scheduled: None
) -> None:
    run_pass(THU_OPEN)
    slack.dm("UOTHER", "all fine")
    bot.settle()
    hint = fake.dms("UOTHER")[-1]
    assert "asks 3 questions: reply with one line per question" in hint["text"]


def test_status_reply_still_goes_to_the_status_prompt_during_a_standup(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    team: None,
) -> None:
    slack.command("UADMIN", 'program add Kyoto owner:<@ULEAD2|kim> cadence:"weekly thu 17:30"')
    slack.command("ULEAD", SCHEDULE, channel_id="CTEAM")
    run_pass(THU_OPEN)  # 17:30 in Tokyo: Kim gets the status prompt and the stand-up together

    slack.dm("ULEAD2", "amber - vendor late\nnext: escalate")
    bot.settle()
    assert count(sessions, StatusUpdate) == 1 and count(sessions, StandupAnswer) == 0
    slack.dm("ULEAD2", "did a\ndo b\nnone")
    bot.settle()
    assert count(sessions, StatusUpdate) == 1 and count(sessions, StandupAnswer) == 1


def test_modal_sent_after_close_is_refused_on_the_field(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, scheduled: None
) -> None:
    run_pass(THU_OPEN)
    slack.click_button("ULEAD2", asks(fake, "ULEAD2")[-1], "standup_answer")
    view = fake.last_view("ULEAD2")
    run_pass(THU_CLOSE)

    reply = slack.submit_view("ULEAD2", view, {"q0": "a", "q1": "b"})

    assert reply.body["response_action"] == "errors"  # type: ignore[index]
    assert "has closed" in reply.body["errors"]["q0"]  # type: ignore[index]


def test_live_standup_posts_agenda_and_closes_on_command_with_one_summary(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Pass,
    scheduled: None,
) -> None:
    slack.command("UADMIN", "program add Kyoto owner:<@ULEAD2|kim>")
    slack.command("ULEAD2", "status kyoto red budget frozen")

    reply = slack.command("ULEAD", "standup start", channel_id="CTEAM")  # 23:00 in Tokyo
    bot.settle()
    assert "asked 1 by DM" in text_of(reply.body)
    assert "Not asked: <@ULEAD2> (outside working hours)." in text_of(reply.body)
    live = [m for m in fake.messages("CTEAM") if "Live stand-up started" in m["text"]]
    assert len(live) == 1 and "*Red programs*" in live[0]["text"] and "Kyoto" in live[0]["text"]
    assert len(asks(fake, "UOTHER")) == 1 and asks(fake, "ULEAD2") == []
    again = slack.command("ULEAD", "standup start", channel_id="CTEAM")
    assert "already open" in text_of(again.body)

    answer_by_modal(slack, fake, "UOTHER", ["x", "y", "waiting on legal"])
    closed = slack.command("ULEAD", "standup close <#CTEAM|team>", channel_id="CGENERAL")
    bot.settle()
    assert "summary is posted there (1 answered, 1 blocker)." in text_of(closed.body)
    run_pass(datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # the live run's own close time
    [summary] = summaries(fake)
    assert "(live)" in summary["text"]
    assert "*Not asked, outside working hours:* <@ULEAD2>" in summary["text"]


def test_agenda_lists_blockers_and_carries_last_times_until_answered(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, scheduled: None
) -> None:
    run_pass(THU_OPEN)
    answer_by_modal(slack, fake, "ULEAD2", ["a", "b", "waiting on legal"])
    slack.dm("UOTHER", "a\nb\nno test environment")
    run_pass(THU_CLOSE)
    run_pass(FRI_OPEN)
    answer_by_modal(slack, fake, "ULEAD2", ["a", "b", "none"])

    reply = slack.command("ULEAD", "standup agenda", channel_id="CTEAM")

    text = text_of(reply.body)
    assert "*Carried from Thu 26 Nov 2026*\n• <@UOTHER>: no test environment" in text
    assert "waiting on legal" not in text


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ('standup schedule #nowhere "mon-fri 09:30" <@ULEAD2|kim>', "can't find a channel"),
        ('standup schedule <#CTEAM|team> "mon-fri 09:30"', "Name the participants"),
        ('standup schedule <#CTEAM|team> "mon-fri 09:30" <@UADMIN|ada>', "not in <#CTEAM>"),
        ('standup schedule <#CTEAM|team> "mon-fry 09:30" <@ULEAD2|kim>', "“fry” is not a day"),
        (
            'standup schedule <#CTEAM|team> "mon-fri 09:30 locl" <@ULEAD2|kim>',
            "“locl” is neither a day nor `local`. Did you mean `local`?",
        ),
        ('standup schedule <#CTEAM|team> "mon-fri 25:00" <@ULEAD2|kim>', "not a time of day"),
        ("standup schedule <#CTEAM|team> <@ULEAD2|kim>", "days and opening time"),
        (
            'standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim> close:09:00',
            "before it opens at 09:30",
        ),
        ('standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim> tz:Mars/Base', "time zone"),
        ('standup schedule "mon-fri 09:30" <@ULEAD2|kim>', "Start with the channel"),
    ],
)
def test_bad_schedule_is_refused_with_the_text_repeated_and_nothing_stored(
    slack: SlackDriver, sessions: sessionmaker[Session], team: None, command: str, why: str
) -> None:
    reply = slack.command("ULEAD", command, channel_id="CTEAM")

    text = text_of(reply.body)
    assert why in text
    assert f"You typed: `/pmo {escape(command)}`" in text
    assert "Usage: `/pmo standup schedule #channel" in text
    assert count(sessions, Standup) == 0


def test_stranger_cannot_sign_up_a_channels_members(
    slack: SlackDriver, sessions: sessionmaker[Session], team: None
) -> None:
    reply = slack.command(
        "ULEAD2", 'standup schedule <#CPMO|pmo> "mon-fri 09:30" <@ULEAD|lee>', channel_id="CPMO"
    )
    assert "You're not a member of <#CPMO>" in text_of(reply.body)
    assert count(sessions, Standup) == 0


def test_only_the_facilitator_or_an_admin_may_edit_or_cancel(
    slack: SlackDriver, sessions: sessionmaker[Session], scheduled: None
) -> None:
    for command in ("standup cancel <#CTEAM|team>", "standup edit <#CTEAM|team> close:12:00"):
        refused = slack.command("ULEAD2", command, channel_id="CTEAM")
        assert "Only the facilitator <@ULEAD> or a PMO admin" in text_of(refused.body)

    edited = slack.command(
        "ULEAD", 'standup edit <#CTEAM|team> "mon,wed 10:00" <@ULEAD2|kim>', channel_id="CTEAM"
    )
    assert (
        "opens at 10:00, only on Monday and Wednesday, closes at 12:00, Europe/Berlin"
        in text_of(edited.body)
    )
    with sessions() as session:
        standup = session.scalars(select(Standup)).one()
        assert standup.participants == ["ULEAD2"]
        assert standup.next_due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    cancelled = slack.command("UADMIN", "standup cancel <#CTEAM|team>")
    assert "Cancelled the stand-up in <#CTEAM>" in text_of(cancelled.body)
    with sessions() as session:
        assert session.scalars(select(Standup)).one().removed_at is not None


def test_second_standup_in_a_channel_is_refused(slack: SlackDriver, scheduled: None) -> None:
    reply = slack.command("ULEAD", SCHEDULE, channel_id="CTEAM")
    assert "<#CTEAM> already has a stand-up" in text_of(reply.body)


def test_list_shows_each_standup_and_its_next_run(slack: SlackDriver, scheduled: None) -> None:
    reply = slack.command("UOTHER", "standup list")
    text = text_of(reply.body)
    assert (
        "<#CTEAM> · opens at 09:30, Monday through Friday, closes at 11:30, Europe/Berlin · "
        "run by <@ULEAD>"
    ) in text
    assert "next Thu 26 Nov 2026 09:30" in text


def test_channel_without_a_standup_says_how_to_schedule_one(slack: SlackDriver, team: None) -> None:
    reply = slack.command("ULEAD", "standup order", channel_id="CTEAM")
    assert "<#CTEAM> has no stand-up" in text_of(reply.body)


def test_help_explains_standups(slack: SlackDriver) -> None:
    reply = slack.command("ULEAD", "help standup")
    assert "/pmo standup schedule #channel" in text_of(reply.body)


def test_slack_redelivering_a_dm_answer_stores_and_confirms_it_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, run_pass: Pass, scheduled: None
) -> None:
    run_pass(THU_OPEN)
    ts = fake.new_ts()
    event = {
        "type": "message",
        "channel": fake.dm_channel_id("UOTHER"),
        "user": "UOTHER",
        "text": "a\nb\nnone",
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
    }
    slack.event(event, event_id="EvSTANDUP1")
    slack.event(event, event_id="EvSTANDUP1", retry_num=1, retry_reason="http_timeout")
    bot.settle()

    receipts = [m for m in fake.dms("UOTHER") if "your answer for the stand-up" in m["text"]]
    assert len(receipts) == 1


def test_answer_button_of_someone_elses_standup_is_refused(
    slack: SlackDriver, fake: FakeSlack, run_pass: Pass, scheduled: None
) -> None:
    run_pass(THU_OPEN)
    ask = asks(fake, "ULEAD2")[-1]

    slack.click_button("UADMIN", ask, "standup_answer")

    refusal = fake.ephemerals("UADMIN")[-1]
    assert "not a participant of the stand-up in <#CTEAM>" in refusal["text"]
