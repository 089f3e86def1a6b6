"""Leadership digests through Slack and the scheduler: one per period, kept as posted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import DigestPost, DigestSubscription
from tests.conftest import ManualClock
from tests.flow import count, text_of

MONDAY_0905_UTC = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


@pytest.fixture
def portfolio(slack: SlackDriver, fake: FakeSlack) -> None:
    fake.add_channel("CLEAD", "leadership", members=["UADMIN"])
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD2|kim>")
    slack.command("UADMIN", "program portfolio gemini Payments")
    slack.command("ULEAD", "status apollo red vendor slipped two weeks")
    slack.command("ULEAD2", "status gemini green on plan")


def digests_in(fake: FakeSlack, channel: str) -> list[dict]:
    return [m for m in fake.messages(channel) if "Portfolio digest" in m.get("text", "")]


def test_weekly_digest_posts_once_at_monday_nine(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>").body)
    assert "every Monday at 09:00" in said
    run_pass(datetime(2026, 11, 30, 8, 59, tzinfo=UTC))
    assert digests_in(fake, "CLEAD") == []
    run_pass(MONDAY_0905_UTC)
    [top] = digests_in(fake, "CLEAD")
    assert "Apollo" in text_of(top) and "🔴 1 red" in top["text"]
    run_pass(MONDAY_0905_UTC)
    run_pass(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    assert len(digests_in(fake, "CLEAD")) == 1


def test_thread_replies_follow_the_top_message(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> weekly mon 09:00")
    run_pass(MONDAY_0905_UTC)
    messages = fake.messages("CLEAD")
    top = digests_in(fake, "CLEAD")[0]
    replies = [m for m in messages if m.get("thread_ts") == top["ts"]]
    assert replies and "Top risks" in text_of(replies[0])


@pytest.mark.parametrize(
    ("typed", "said"), [("fri 4pm", "every Friday at 16:00"), ("daily 8am", "weekdays at 08:00")]
)
def test_a_12_hour_time_is_read(slack: SlackDriver, portfolio: None, typed: str, said: str) -> None:
    reply = text_of(slack.command("UADMIN", f"digest subscribe <#CLEAD|leadership> {typed}").body)
    assert said in reply, reply


def test_subscribing_again_says_which_schedule_it_replaced(
    slack: SlackDriver, portfolio: None
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> weekly mon 09:00")
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> fri 4pm").body)
    assert "gets the digest every Friday at 16:00" in said
    assert "(It was every Monday at 09:00" in said and "on one schedule.)" in said
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> fri 16:00").body)
    assert "(It already did: nothing changed.)" in said
    listed = text_of(slack.command("UADMIN", "digest list").body)
    assert "Friday" in listed and "Monday" not in listed


def test_what_changed_compares_with_the_stored_snapshot(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>")
    run_pass(MONDAY_0905_UTC)
    slack.command("ULEAD2", "status gemini amber bank delays")
    slack.command("ULEAD", "status apollo green vendor back")
    run_pass(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    second = digests_in(fake, "CLEAD")[-1]["text"] + text_of(digests_in(fake, "CLEAD")[-1])
    assert "Worsened (1): 🟡 Gemini" in second
    assert "Recovered (1): 🟢 Apollo" in second


def test_portfolio_subscription_only_covers_its_programs(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> daily 09:00 portfolio:payments")
    run_pass(MONDAY_0905_UTC)
    top = text_of(digests_in(fake, "CLEAD")[0])
    assert "Payments" in top and "*1 program*:" in top and "Apollo" not in top


def test_non_admin_subscribe_is_refused_and_posts_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
    portfolio: None,
) -> None:
    said = text_of(slack.command("ULEAD", "digest subscribe <#CLEAD|leadership>").body)
    assert "Only Slack workspace admins" in said
    run_pass(MONDAY_0905_UTC)
    assert count(sessions, DigestSubscription) == 0 and digests_in(fake, "CLEAD") == []


def test_subscribing_a_channel_without_the_bot_says_how_to_invite(
    slack: SlackDriver, sessions: sessionmaker[Session]
) -> None:
    said = text_of(slack.command("UADMIN", "digest subscribe <#CNOBOT|secret-room>").body)
    assert "/invite @pmo" in said
    assert count(sessions, DigestSubscription) == 0


def test_bad_schedule_and_unknown_portfolio_are_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], portfolio: None
) -> None:
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|x> daily fri 09:00").body)
    assert "daily fri" in said and "You typed" in said
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|x> portfolio:Nope").body)
    assert "No program is in a portfolio called “Nope”" in said and "Payments" in said
    said = text_of(slack.command("UADMIN", "digest subscribe <#CLEAD|x> weekly 25:00").body)
    assert "25:00" in said
    assert count(sessions, DigestSubscription) == 0


def test_preview_is_for_anyone_but_guests(slack: SlackDriver, portfolio: None) -> None:
    said = text_of(slack.command("UOTHER", "digest preview").body)
    assert "Portfolio digest" in said and "Preview, only you can see it" in said
    assert "Guest accounts" in text_of(slack.command("UGUEST", "digest preview").body)


def test_now_posts_outside_the_schedule_and_does_not_count_as_the_period(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    run_pass,  # type: ignore[no-untyped-def]
    portfolio: None,
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>")
    slack.command("UADMIN", "digest now <#CLEAD|leadership>")
    assert len(digests_in(fake, "CLEAD")) == 1
    run_pass(MONDAY_0905_UTC)
    assert len(digests_in(fake, "CLEAD")) == 2
    with sessions() as session:
        assert [p.scheduled for p in session.scalars(select(DigestPost))] == [False, True]


def test_show_returns_the_digest_exactly_as_posted(
    slack: SlackDriver,
    fake: FakeSlack,
    clock: ManualClock,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>")
    run_pass(MONDAY_0905_UTC)
    posted = digests_in(fake, "CLEAD")[0]
    slack.command("ULEAD", "status apollo green all fixed")  # today's edits change nothing
    clock.now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    shown = slack.command("UOTHER", "digest show 2026-11-30").body
    assert shown["blocks"][:-1] == posted["blocks"]
    assert "As posted in <#CLEAD>" in text_of(shown)
    missing = text_of(slack.command("UOTHER", "digest show 2026-11-29").body)
    assert "No digest was posted on Sun 29 Nov 2026" in missing


def test_unsubscribe_and_list(
    slack: SlackDriver, fake: FakeSlack, run_pass, portfolio: None
) -> None:  # type: ignore[no-untyped-def]
    slack.command(
        "UADMIN", "digest subscribe <#CLEAD|leadership> weekly fri 16:30 tz:Europe/Berlin"
    )
    listed = text_of(slack.command("UADMIN", "digest list").body)
    assert "<#CLEAD>: every Friday at 16:30, Europe/Berlin" in listed
    assert "no more digests" in text_of(slack.command("UADMIN", "digest unsubscribe <#CLEAD>").body)
    run_pass(datetime(2026, 12, 4, 15, 35, tzinfo=UTC))
    assert digests_in(fake, "CLEAD") == []
    again = text_of(slack.command("UADMIN", "digest unsubscribe <#CLEAD>").body)
    assert "has no digest subscription" in again


def test_details_button_shows_the_program_to_the_clicker(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>")
    run_pass(MONDAY_0905_UTC)
    slack.click_button("UOTHER", digests_in(fake, "CLEAD")[0], "digest_program")
    assert "Apollo (apollo)" in text_of(fake.responses[-1]["body"])


def test_a_digest_missed_for_more_than_twelve_hours_is_skipped(
    slack: SlackDriver,
    fake: FakeSlack,
    run_pass,
    portfolio: None,  # type: ignore[no-untyped-def]
) -> None:
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership>")
    run_pass(datetime(2026, 11, 30, 22, 0, tzinfo=UTC))  # down from 09:00 until 22:00
    assert digests_in(fake, "CLEAD") == []
    run_pass(datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
    assert len(digests_in(fake, "CLEAD")) == 1
