"""User text is shown as text: no `<!channel>`, mention or disguised link gets through.

Slack escapes what a user types (`<` arrives as `&lt;`); a crafted payload may not. Both must
come out inert in everything the bot posts, blocks and `text` fallback alike.
"""

from __future__ import annotations

import json

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from tests.conftest import Bot

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
