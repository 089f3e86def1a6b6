"""A DM reply sent while several prompts wait is held by the bot while its author picks the
program: the buttons carry ids, never the text, so a long reply is stored whole, once, and
nobody else can read or use it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.common import escape
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import PendingReply, Program, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, echo_of, text_of

FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
REPLY_LENGTH = 5420  # the reply of the issue, which the button value used to cut to 1,955


@pytest.fixture
def two_prompts(slack: SlackDriver, run_pass: Any) -> None:
    """Lee owns Apollo and Gemini, both prompted on Friday."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    for name in ("Apollo", "Gemini"):
        slack.command("UADMIN", f'program add {name} owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
        slack.command("ULEAD", f"status {name.lower()} green all good")
    run_pass(FRIDAY_10_BERLIN)


def long_reply() -> str:
    """A reply of REPLY_LENGTH characters, as typed: a colour, then a long summary."""
    head = "red - vendor <late> & budget frozen. "
    body = " ".join(f"point {n}: the details of it." for n in range(1000))
    return (head + body)[: REPLY_LENGTH - 1] + "x"  # a summary's trailing "." would be dropped


def ask(slack: SlackDriver, fake: FakeSlack, bot: Bot, text: str) -> dict[str, Any]:
    """DM `text` as Lee (escaped as Slack sends it); the bot's "which program?" question."""
    slack.dm("ULEAD", escape(text))
    bot.settle()
    question = fake.dms("ULEAD")[-1]
    assert "Which program" in question["text"]
    return question


def buttons(question: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]


def summaries(sessions: sessionmaker[Session]) -> dict[str, str]:
    """The summary of each program's newest update, by key."""
    with sessions() as session:
        rows = session.execute(
            select(Program.key, StatusUpdate.summary)
            .join(Program, Program.id == StatusUpdate.program_id)
            .order_by(StatusUpdate.id)
        )
        return dict(rows.tuples().all())


def test_a_long_reply_picked_for_a_program_is_stored_whole(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
) -> None:
    text = long_reply()
    assert len(text) == REPLY_LENGTH
    question = ask(slack, fake, bot, text)
    values = [button["value"] for button in buttons(question)]
    assert [button["text"]["text"] for button in buttons(question)] == ["Apollo", "Gemini"]
    assert all(len(value) < 100 and "vendor" not in value for value in values)

    slack.click_button("ULEAD", question, "reply_pick_program")
    summary = summaries(sessions)["apollo"]
    assert len(summary) == REPLY_LENGTH - len("red - ")
    assert "red - " + summary == text  # every character, as typed
    assert summaries(sessions)["gemini"] == "all good"
    assert "Stored the status of *Apollo*" in text_of(fake.responses[-1]["body"])


@pytest.mark.parametrize("clicker", ["UOTHER", "UGUEST"])
def test_someone_elses_click_reads_nothing_of_the_reply_and_stores_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
    clicker: str,
) -> None:
    question = ask(slack, fake, bot, "red - the secret merger slipped")
    slack.click_button(clicker, question, "reply_pick_program")
    said = json.dumps(fake.responses[-1]["body"])
    assert "merger" not in said
    assert "Guest accounts" in said if clicker == "UGUEST" else "Only the person who sent" in said
    assert count(sessions, StatusUpdate) == 2
    slack.click_button("ULEAD", question, "reply_pick_program")  # still Lee's to pick
    assert summaries(sessions)["apollo"] == "the secret merger slipped"


def test_a_reply_is_stored_for_the_first_program_picked_only(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
) -> None:
    question = ask(slack, fake, bot, "amber - vendor late")
    apollo, gemini = buttons(question)
    slack.click("ULEAD", "reply_pick_program", value=apollo["value"], message=question)
    slack.click("ULEAD", "reply_pick_program", value=gemini["value"], message=question)
    assert "already stored for *Apollo*" in text_of(fake.responses[-1]["body"])
    assert summaries(sessions) == {"apollo": "vendor late", "gemini": "all good"}
    with sessions() as session:
        held = session.scalars(select(PendingReply)).one()
        assert held.used_at is not None and held.program_id is not None


def test_a_pick_after_the_prompt_was_answered_otherwise_echoes_the_reply(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
) -> None:
    question = ask(slack, fake, bot, "amber - vendor <late>")
    slack.command("ULEAD", "status apollo green fixed meanwhile")
    slack.click_button("ULEAD", question, "reply_pick_program")
    said = text_of(fake.responses[-1]["body"])
    assert "already answered" in said and escape("amber - vendor <late>") in said
    assert summaries(sessions)["apollo"] == "fixed meanwhile"
    gemini = buttons(question)[1]["value"]  # the reply may still go to the other program
    slack.click("ULEAD", "reply_pick_program", value=gemini, message=question)
    assert summaries(sessions)["gemini"] == "vendor <late>"


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"prompt": 1, "text": "red - cut to 1,955 characters"}),  # from before
        json.dumps({"reply": 10**30, "prompt": 1}),
        json.dumps({"reply": -1, "prompt": 1}),
        "[" * 1990,
        "{}",
    ],
    ids=["from-before", "huge-id", "negative-id", "nested", "empty"],
)
def test_a_picker_button_from_before_or_crafted_asks_for_the_reply_again(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    two_prompts: None,
    value: str,
) -> None:
    slack.click("ULEAD", "reply_pick_program", value=value)
    assert "send it again" in text_of(fake.responses[-1]["body"])
    assert count(sessions, StatusUpdate) == 2


def test_a_reply_too_long_to_store_is_refused_before_asking_which_program(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
) -> None:
    text = "red - " + "y" * 10_001
    slack.dm("ULEAD", text)
    bot.settle()
    said = fake.dms("ULEAD")[-1]
    assert "summary is 10,001 characters long; it can be at most 10,000" in said["text"]
    assert echo_of(said) == text  # echoed whole
    assert count(sessions, PendingReply) == 0


def test_an_update_longer_than_a_form_field_is_not_opened_in_one(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    two_prompts: None,
) -> None:
    slack.click_button("ULEAD", ask(slack, fake, bot, long_reply()), "reply_pick_program")
    receipt = fake.responses[-1]["body"]
    views = len(fake.views("ULEAD"))
    slack.click_button("ULEAD", receipt, "status_edit")
    said = text_of(fake.responses[-1]["body"])
    assert "5,414 characters long, more than a Slack form holds (3,000)" in said
    assert "`/pmo status apollo`" in said
    assert len(fake.views("ULEAD")) == views
