"""User text is shown as text: no `<!channel>`, mention or disguised link gets through.

Slack escapes what a user types (`<` arrives as `&lt;`); a crafted payload may not. Both must
come out inert in everything the bot posts, blocks and `text` fallback alike.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from tests.conftest import Bot
from tests.flow import program, text_of

HOSTILE = "<!channel> urgent: approve <https://evil.example/login|INT review form> <@U999> <#C999>"
AS_SLACK_SENDS = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
LIVE = ("<!channel", "<https://evil", "<@U999", "<#C999")


def live_in(payloads: list[object]) -> list[str]:
    """Every live mention or link of the hostile text found in what was posted."""
    dumped = json.dumps(payloads, ensure_ascii=False)
    return [token for token in LIVE if token in dumped]


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo>")
    return "apollo"


@pytest.mark.parametrize("typed", [AS_SLACK_SENDS, HOSTILE], ids=["escaped", "crafted"])
def test_a_hostile_status_summary_is_posted_as_text(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str, typed: str
) -> None:
    receipt = slack.command("ULEAD", f"status apollo red {typed}")
    bot.settle()
    posted = [receipt.body, *fake.messages("CAPOLLO"), *fake.messages("CPMO"), *fake.dms("ULEAD")]
    assert fake.messages("CAPOLLO"), "the channel post was sent"
    assert live_in(posted) == []
    assert "urgent: approve" in json.dumps(posted)


def test_a_guests_hostile_intake_title_reaches_the_pmo_as_text(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("UGUEST", "intake")
    slack.submit_view(
        "UGUEST",
        fake.last_view("UGUEST"),
        {
            "title": HOSTILE[:150],
            "problem": HOSTILE,
            "business_value": "8",
            "time_criticality": "5",
            "risk_reduction": "3",
            "job_size": "5",
        },
    )
    bot.settle()
    posted = fake.messages("CPMO")
    assert posted, "the request was posted for a decision"
    assert live_in(posted) == []


def test_a_mention_typed_out_as_text_is_not_taken_for_a_person(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    # Slack sends a real mention as `<@U…|name>`; characters typed as `<@ULEAD>` arrive escaped.
    reply = slack.command("UADMIN", "program add Mercury owner:&lt;@ULEAD&gt;")
    assert "is not a person" in text_of(reply.body)
    assert "<@ULEAD" not in json.dumps(reply.body)
    assert program(sessions, "mercury") is None


def test_a_channel_typed_out_as_text_is_not_taken_for_a_channel(
    slack: SlackDriver, apollo: str
) -> None:
    reply = slack.command("UADMIN", "digest subscribe &lt;#CPMO&gt; weekly fri 16:00")
    assert "is not a channel" in text_of(reply.body)
    assert "<#CPMO" not in json.dumps(reply.body)


@pytest.mark.parametrize(
    "typed",
    [
        f"program show {AS_SLACK_SENDS}",
        f"status apollo {AS_SLACK_SENDS}",
        f"help {AS_SLACK_SENDS}",
        f"{AS_SLACK_SENDS}",
        f'milestone add apollo "{AS_SLACK_SENDS}" due:{AS_SLACK_SENDS}',
        f"risks {AS_SLACK_SENDS}",
    ],
    ids=["unknown-program", "bad-status", "help-topic", "unknown-command", "bad-date", "risks"],
)
def test_errors_that_repeat_what_was_typed_show_it_as_text(
    slack: SlackDriver, apollo: str, typed: str
) -> None:
    reply = slack.command("ULEAD", typed)
    assert text_of(reply.body), "the user is told what went wrong"
    assert live_in([reply.body]) == []


def test_a_program_named_with_markup_is_text_in_errors_about_it(
    slack: SlackDriver, apollo: str
) -> None:
    slack.command("UADMIN", 'program add "&lt;!here&gt; Zeus" owner:<@ULEAD|lee>')
    slack.command("ULEAD", 'milestone add here-zeus "Go-live" due:2027-03-01')
    reply = slack.command("ULEAD", 'milestone add here-zeus "Go-live" due:2027-03-01')
    assert "already has a milestone" in text_of(reply.body)
    assert "<!here" not in json.dumps(reply.body)


def test_a_long_echo_is_cut_between_entities_never_inside_one(slack: SlackDriver) -> None:
    typed = "&lt;" * 2000  # 8,000 characters once escaped again: several sections
    reply = slack.command("ULEAD", f"status nowhere green {typed}")
    sections = [b["text"]["text"] for b in reply.body["blocks"] if b["type"] == "section"]
    assert len(sections) > 2
    for text in sections[1:-1]:  # between the warning and the usage line
        echoed = text.replace("You typed: `/pmo status nowhere green ", "").strip("`")
        assert echoed.replace("&lt;", "") == ""


def test_a_summary_is_stored_as_typed_and_shown_escaped_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo green R&amp;D signed &lt;3 vendors")
    bot.settle()
    stored = program(sessions, "apollo")
    assert stored is not None and stored.last_summary == "R&D signed <3 vendors"
    posted = json.dumps(fake.messages("CAPOLLO"))
    assert "R&amp;D signed &lt;3 vendors" in posted and "&amp;amp;" not in posted
