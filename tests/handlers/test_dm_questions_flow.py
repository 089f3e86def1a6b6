"""Ask it things in a DM, without a command: `apollo?`, `what's red`, `overdue`, `my risks`,
`what's due this week`, `help` (issue 13). A question stores nothing; a status reply to an
open prompt is still a status; guests see no portfolio data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, PendingReply, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, echo_of, program, text_of

FRIDAY_10_BERLIN = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def portfolio(slack: SlackDriver) -> None:
    """Apollo (Lee's) is red with a risk and a milestone due Friday; Gemini (Kim's) is green
    with a risk due Thursday; Mercury (Lee's) has had no update yet. Today is Wed 25 Nov."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    for name, owner in (
        ("Apollo", "ULEAD|lee"),
        ("Gemini", "ULEAD2|kim"),
        ("Mercury", "ULEAD|lee"),
    ):
        slack.command("UADMIN", f'program add {name} owner:<@{owner}> cadence:"weekly fri 10:00"')
    slack.command("ULEAD", "status apollo red vendor gone")
    slack.command("ULEAD2", "status gemini green all good")
    slack.command(
        "ULEAD", 'risk apollo "Vendor may slip" impact:high likelihood:high due:2026-11-27'
    )
    slack.command("ULEAD2", 'risk gemini "Licences lapse" due:2026-11-26')
    slack.command("ULEAD", 'milestone add apollo "Beta" due:2026-11-27')


def ask(slack: SlackDriver, fake: FakeSlack, bot: Bot, user: str, text: str) -> dict[str, Any]:
    """DM `text` as `user`; the bot's answer, which must come in the DM's thread."""
    before = len(fake.dms(user))
    slack.dm(user, text)
    bot.settle()
    answers = fake.dms(user)[before:]
    assert len(answers) == 1, f"expected one answer to {text!r}, got {answers}"
    assert answers[0].get("thread_ts"), "answers go in the DM's thread"
    return answers[0]


def test_a_program_asked_about_gets_the_card_program_show_shows(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    shown = slack.command("ULEAD2", "program show apollo").body
    for text in ("apollo?", "how is apollo", "How's Apollo doing?", '"Apollo"?', "apollo"):
        answer = ask(slack, fake, bot, "ULEAD2", text)
        assert text_of(answer) == text_of(shown), text
    assert "Vendor may slip" in text_of(shown) and "Beta" in text_of(shown)


def test_whats_red_lists_the_red_programs(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    for text in ("what's red", "What’s red?", "red?", "red"):
        said = text_of(ask(slack, fake, bot, "ULEAD2", text))
        assert "Apollo" in said and "Gemini" not in said, text
    said = text_of(ask(slack, fake, bot, "ULEAD2", "flagged programs"))
    assert "Apollo" in said and "Gemini" not in said and "Mercury" not in said


def test_overdue_lists_overdue_updates_and_overdue_raid_items(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, run_pass: Any, portfolio: None
) -> None:
    assert "Nothing is overdue" in text_of(ask(slack, fake, bot, "ULEAD", "overdue"))
    run_pass(FRIDAY_10_BERLIN)
    run_pass(MONDAY_NOON)  # Mercury's update is a working day late; both risks are past due
    said = text_of(ask(slack, fake, bot, "ULEAD", "what's overdue?"))
    assert "1 program (overdue)" in said and "`mercury`" in said
    assert "Vendor may slip" in said and "Licences lapse" in said
    assert "`apollo` ·" not in said  # Apollo's update came in time
    listed = text_of(slack.command("UOTHER", "program list overdue").body)
    assert "1 program (overdue)" in listed and "`mercury`" in listed


def test_my_risks_lists_the_callers_open_items(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    said = text_of(ask(slack, fake, bot, "ULEAD", "my risks"))
    assert "Vendor may slip" in said and "Licences lapse" not in said
    said = text_of(ask(slack, fake, bot, "ULEAD", "risks"))
    assert "Vendor may slip" in said and "Licences lapse" in said
    assert "No open RAID items (mine)" in text_of(ask(slack, fake, bot, "UADMIN", "my risks"))


def test_whats_due_this_week_lists_updates_milestones_and_raid_items_to_sunday(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, run_pass: Any, portfolio: None
) -> None:
    said = text_of(ask(slack, fake, bot, "ULEAD", "what's due this week?"))
    assert "Due this week · Wed 25 Nov 2026 – Sun 29 Nov 2026" in said
    assert "*Apollo* `apollo` — due Fri 27 Nov 2026" in said
    assert "*Mercury* `mercury` — due Fri 27 Nov 2026" in said
    assert "Fri 27 Nov 2026 · *Beta* — Apollo" in said
    assert "Vendor may slip" in said and "Licences lapse" in said
    run_pass(FRIDAY_10_BERLIN)
    run_pass(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # a new week
    said = text_of(ask(slack, fake, bot, "ULEAD2", "due this week"))
    assert "Beta" not in said and "Vendor may slip" not in said
    assert "*Gemini* `gemini` — due Fri 4 Dec 2026" in said


def test_help_and_anything_unrecognised_get_the_short_help(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    for text in ("help", "?", "hi", "what can you do"):
        said = text_of(ask(slack, fake, bot, "ULEAD", text))
        assert "Ask me here, no command needed" in said and "`apollo?`" in said, text
        assert "didn't understand" not in said
    said = text_of(ask(slack, fake, bot, "ULEAD", "the coffee machine <!channel> is broken"))
    assert "I didn't understand this:\n> the coffee machine &lt;!channel&gt; is broken" in said
    assert "Ask me here, no command needed" in said
    assert "Any time" in text_of(ask(slack, fake, bot, "ULEAD", "thanks!"))


def test_an_unknown_program_is_answered_with_a_suggestion_and_the_text_echoed(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    answer = ask(slack, fake, bot, "ULEAD", "how is apolo <b>?")
    said = text_of(answer)
    assert "No program “apolo &lt;b&gt;”. Did you mean `apollo`?" in said
    assert echo_of(answer) == "how is apolo &lt;b&gt;?"
    answer = ask(slack, fake, bot, "ULEAD", "apolo?")
    assert "Did you mean `apollo`?" in text_of(answer) and echo_of(answer) == "apolo?"


def test_a_question_stores_nothing(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], portfolio: None
) -> None:
    updates, audit = count(sessions, StatusUpdate), count(sessions, AuditEvent)
    for text in ("apollo?", "what's red", "overdue", "my risks", "what's due this week", "help"):
        ask(slack, fake, bot, "ULEAD", text)
    assert (count(sessions, StatusUpdate), count(sessions, AuditEvent)) == (updates, audit)
    assert count(sessions, PendingReply) == 0


def test_a_guest_gets_the_guest_help_and_no_portfolio_data(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, portfolio: None
) -> None:
    for text in ("apollo?", "what's red", "overdue", "my risks", "what's due this week"):
        said = text_of(ask(slack, fake, bot, "UGUEST", text))
        assert "Guest accounts can't see PMO data here" in said, text
        assert "Apollo" not in said.replace(text, "") and "Vendor" not in said, text
    said = text_of(ask(slack, fake, bot, "UGUEST", "help"))
    assert "/pmo intake" in said and "apollo?" not in said
    # A bare word is no question for a guest: whether it names a program is not said.
    assert text_of(ask(slack, fake, bot, "UGUEST", "apollo")) == text_of(
        ask(slack, fake, bot, "UGUEST", "zzyzx")
    ).replace("zzyzx", "apollo")


def test_a_reply_to_an_open_prompt_is_still_read_as_a_status(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    portfolio: None,
) -> None:
    slack.command("UADMIN", "program archive mercury")
    run_pass(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))  # Apollo's prompt waits for Lee
    prompt = [m for m in fake.dms("ULEAD") if "Status update due" in m.get("text", "")][-1]
    assert "Apollo" in prompt["text"]
    said = text_of(ask(slack, fake, bot, "ULEAD", "red"))  # a status without its summary
    assert "Got *red*; add a line on how it is going after it" in said and "1 program" not in said
    said = text_of(ask(slack, fake, bot, "ULEAD", "what's red?"))  # a question, answered
    assert "Apollo" in said and "Stored" not in said
    assert count(sessions, StatusUpdate) == 2
    slack.dm("ULEAD", "red - vendor still gone", thread_ts=prompt["ts"])
    bot.settle()
    assert "Stored the status of *Apollo*" in text_of(fake.dms("ULEAD")[-1])
    stored = program(sessions, "apollo")
    assert stored is not None and stored.last_summary == "vendor still gone"


def test_a_status_with_no_prompt_waiting_is_told_how_to_report_and_echoed(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], portfolio: None
) -> None:
    answer = ask(slack, fake, bot, "ULEAD", "amber - vendor late")
    assert "No status prompt is waiting for your answer, so I stored nothing" in text_of(answer)
    assert echo_of(answer) == "amber - vendor late"
    assert count(sessions, StatusUpdate) == 2
