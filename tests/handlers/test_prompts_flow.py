"""Answering status prompts in Slack: buttons, thread replies, DMs, out of office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Person, ProcessedEvent, Prompt, StatusUpdate
from tests.conftest import TEAM, Bot
from tests.flow import count, program, text_of

# The Wednesday update answers the first Friday's deadline, so the next Friday prompts.
FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def apollo(slack: SlackDriver) -> None:
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    slack.command("ULEAD", "status apollo green all good")


def prompt_dm(fake: FakeSlack, user: str = "ULEAD") -> dict:
    prompts = [m for m in fake.dms(user) if "Status update due" in m.get("text", "")]
    assert prompts, "no prompt was sent"
    return prompts[-1]


def test_owner_is_prompted_at_ten_berlin_and_replies_in_the_thread(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    dm = prompt_dm(fake)
    assert "Apollo" in dm["text"] and "Last status" in dm["text"]
    slack.dm("ULEAD", "amber - vendor late; next: escalate", thread_ts=dm["ts"])
    bot.settle()
    stored = program(sessions, "apollo")
    assert stored is not None and stored.rag == "amber"
    with sessions() as session:
        latest = session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
        assert latest is not None
        assert (latest.summary, latest.next_steps, latest.source) == (
            "vendor late",
            "escalate",
            "reply",
        )
    confirmation = fake.dms("ULEAD")[-1]
    assert "Stored the status of *Apollo*" in confirmation["text"]
    assert confirmation.get("thread_ts") == dm["ts"]
    assert "status_edit" in str(confirmation["blocks"])


def test_plain_dm_answers_the_only_pending_prompt(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.dm("ULEAD", "Green: on plan")
    bot.settle()
    assert count(sessions, StatusUpdate) == 2
    with sessions() as session:
        assert session.scalars(select(Prompt)).one().state == "answered"


def test_reply_without_a_rag_word_guesses_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.dm("ULEAD", "the vendor is late again")
    bot.settle()
    assert count(sessions, StatusUpdate) == 1
    assert "couldn't tell the status" in fake.dms("ULEAD")[-1]["text"]


@pytest.mark.parametrize(
    ("typed", "said"),
    [("g", "`green - on plan`"), ("Amber -", "`amber - vendor late; next: escalate`")],
)
def test_a_colour_alone_asks_for_the_line_that_goes_with_it(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
    apollo: None,
    typed: str,
    said: str,
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    [prompt] = [m for m in fake.dms("ULEAD") if "Status update due" in m["text"]]
    slack.dm("ULEAD", typed, thread_ts=prompt["ts"])
    bot.settle()
    answer = fake.dms("ULEAD")[-1]["text"]
    assert "add a line on how it is going after it, e.g. " + said in answer
    assert count(sessions, StatusUpdate) == 1  # the set-up's only


def test_several_pending_prompts_ask_which_program(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", 'program add Gemini owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    run_pass(FRIDAY_10_BERLIN)
    slack.dm("ULEAD", "red - budget frozen")
    bot.settle()
    assert count(sessions, StatusUpdate) == 1
    question = fake.dms("ULEAD")[-1]
    assert "Which program" in question["text"]
    slack.click_button("ULEAD", question, "reply_pick_program")
    stored = program(sessions, "apollo") or program(sessions, "gemini")
    with sessions() as session:
        assert session.scalars(select(StatusUpdate).where(StatusUpdate.rag == "red")).one()
    assert stored is not None


def test_retried_dm_event_is_stored_once(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    event = {
        "type": "message",
        "channel": fake.dm_channel_id("ULEAD"),
        "user": "ULEAD",
        "text": "green - fine",
        "ts": fake.new_ts(),
        "channel_type": "im",
        "team": TEAM,
    }
    slack.event(event, event_id="EvSAME")
    slack.event(event, event_id="EvSAME", retry_num=1, retry_reason="http_timeout")
    bot.settle()
    assert count(sessions, StatusUpdate) == 2
    assert count(sessions, ProcessedEvent) == 1


def test_deletions_and_bot_messages_are_ignored(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    channel = fake.dm_channel_id("ULEAD")
    slack.event(  # edits are read (test_dm_edits_flow); a deletion takes nothing back
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel,
            "channel_type": "im",
            "ts": fake.new_ts(),
            "deleted_ts": fake.new_ts(),
            "previous_message": {"type": "message", "user": "ULEAD", "text": "red - gone"},
        }
    )
    slack.event(
        {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": "UX",
            "bot_id": "BOTHER",
            "text": "red - from a bot",
            "ts": fake.new_ts(),
        }
    )
    bot.settle()
    assert count(sessions, StatusUpdate) == 1


def test_no_change_repeats_the_last_status_once(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    dm = prompt_dm(fake)
    slack.click_button("ULEAD", dm, "prompt_no_change")
    slack.click_button("ULEAD", dm, "prompt_no_change")
    with sessions() as session:
        updates = session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [u.source for u in updates] == ["command", "no_change"]
        assert updates[1].summary == "all good"
    assert "already answered" in text_of(fake.responses[-1]["body"])


def test_snooze_on_friday_asks_again_on_monday_at_the_same_time(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.click_button("ULEAD", prompt_dm(fake), "prompt_snooze")
    said = text_of(fake.responses[-1]["body"])
    assert "again on your next working day, Mon 7 Dec 2026 at 10:00" in said
    before = len(fake.dms("ULEAD"))
    run_pass(datetime(2026, 12, 5, 9, 5, tzinfo=UTC))  # Saturday: not a working day
    run_pass(datetime(2026, 12, 7, 8, 59, tzinfo=UTC))  # Monday 09:59 Berlin
    assert len(fake.dms("ULEAD")) == before
    run_pass(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday 10:00 Berlin
    assert len([m for m in fake.dms("ULEAD") if "Status update due" in m["text"]]) == 2


def test_snooze_follows_the_owners_own_working_days(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    with sessions.begin() as session:
        lee = session.get(Person, (TEAM, "ULEAD"))
        assert lee is not None
        lee.workdays = "1234"  # Tuesday to Friday
    slack.click_button("ULEAD", prompt_dm(fake), "prompt_snooze")
    assert "Tue 8 Dec 2026 at 10:00" in text_of(fake.responses[-1]["body"])


def test_submit_update_button_opens_the_prefilled_modal(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.click_button("ULEAD", prompt_dm(fake), "prompt_submit")
    view = fake.last_view("ULEAD")
    assert view["callback_id"] == "status_submit" and "all good" in str(view["blocks"])


def test_someone_else_cannot_use_my_prompt(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.click_button("UOTHER", prompt_dm(fake), "prompt_no_change")
    assert "sent to <@ULEAD>" in text_of(fake.responses[-1]["body"])
    assert count(sessions, StatusUpdate) == 1


def test_out_of_office_owner_is_covered_by_the_delegate(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("ULEAD", "program delegates apollo add <@UOTHER|otto>")
    said = text_of(slack.command("ULEAD", "ooo until:2026-12-04").body)
    assert "through Fri 4 Dec 2026" in said and "<@UOTHER>" in said
    run_pass(datetime(2026, 12, 4, 15, 0, tzinfo=UTC))  # 10:00 in New York, for Otto
    assert not [m for m in fake.dms("ULEAD") if "Status update due" in m.get("text", "")]
    assert "covering for <@ULEAD>" in prompt_dm(fake, "UOTHER")["text"]
    slack.command("ULEAD", "ooo off")
    with sessions() as session:
        assert session.get(Person, (TEAM, "ULEAD")).ooo_until is None  # type: ignore[union-attr]


def test_ooo_in_the_past_or_without_a_date_is_refused(slack: SlackDriver) -> None:
    assert "in the past" in text_of(slack.command("ULEAD", "ooo until:2026-01-01").body)
    said = text_of(slack.command("ULEAD", "ooo tomorrow").body)
    assert "until:" in said and "You typed: `/pmo ooo tomorrow`" in said


def test_grace_is_configured_by_admins_only(slack: SlackDriver) -> None:
    assert "Only Slack workspace admins" in text_of(slack.command("ULEAD", "config grace 12").body)
    assert "overdue 12 working hours after" in text_of(
        slack.command("UADMIN", "config grace 12").body
    )
    refused = text_of(slack.command("UADMIN", "config grace 500").body)
    assert "168" in refused and "You typed: `/pmo config grace 500`" in refused


def test_a_prompt_left_behind_after_losing_rights_cannot_update(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("ULEAD", "program delegates apollo add <@UOTHER|otto>")
    slack.command("ULEAD", "ooo until:2026-12-04")
    run_pass(datetime(2026, 12, 4, 15, 0, tzinfo=UTC))
    dm = prompt_dm(fake, "UOTHER")
    slack.command("ULEAD", "program delegates apollo remove <@UOTHER|otto>")
    slack.click_button("UOTHER", dm, "prompt_no_change")
    assert "Only its owner <@ULEAD>" in text_of(fake.responses[-1]["body"])
    assert count(sessions, StatusUpdate) == 1
