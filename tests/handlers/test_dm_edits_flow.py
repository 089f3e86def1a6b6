"""A DM edited in Slack, a file sent with text, a reply also sent to the conversation: each is
read, none is silently ignored (issue 13). An edit within 24 h of a stored reply corrects the
update and redraws its receipt in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, DmReply, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, echo_of, program, text_of

FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
DAY = 24 * 3600


@pytest.fixture
def prompted(slack: SlackDriver, fake: FakeSlack, run_pass: Any) -> dict[str, Any]:
    """Zephyr (Lee's) was green; on Friday Lee is prompted for an update. The prompt DM."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command(
        "UADMIN",
        "program add Zephyr owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo> "
        'cadence:"weekly fri 10:00"',
    )
    slack.command("ULEAD", "status zephyr green all good")
    run_pass(FRIDAY_10_BERLIN)
    return [m for m in fake.dms("ULEAD") if "Status update due" in m.get("text", "")][-1]


def reply(
    slack: SlackDriver, bot: Bot, text: str, *, thread_ts: str | None = None
) -> dict[str, Any]:
    """Lee DMs `text`; the event as sent, to edit it later."""
    sent = slack.dm_event("ULEAD", text, thread_ts=thread_ts)
    slack.event(sent)
    bot.settle()
    return sent


def latest(sessions: sessionmaker[Session]) -> StatusUpdate:
    with sessions() as session:
        found = session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
        assert found is not None
        return found


def test_editing_a_stored_reply_edits_its_update_and_redraws_its_receipt(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - vendor late", thread_ts=prompted["ts"])
    receipt = fake.dms("ULEAD")[-1]
    assert "Stored the status of *Zephyr*" in receipt["text"]
    in_thread = [m for m in fake.dms("ULEAD") if m.get("thread_ts") == prompted["ts"]]
    slack.edit_dm(sent, "red - vendor <gone>; next: escalate")
    bot.settle()
    update = latest(sessions)
    assert (update.rag, update.summary, update.next_steps) == ("red", "vendor <gone>", "escalate")
    assert update.edited_by == "ULEAD" and count(sessions, StatusUpdate) == 2
    stored = program(sessions, "zephyr")
    assert stored is not None and (stored.rag, stored.last_summary) == ("red", "vendor <gone>")
    assert len([m for m in fake.dms("ULEAD") if m.get("thread_ts") == prompted["ts"]]) == len(
        in_thread
    ), "the receipt is redrawn, not posted again"
    [edited] = [m for m in fake.dms("ULEAD") if m["ts"] == receipt["ts"]]
    assert "Edited the status of *Zephyr*" in edited["text"]
    assert "vendor &lt;gone&gt;" in text_of(edited) and "vendor late" not in text_of(edited)
    updated = [c for c in fake.calls_to("chat.update") if c["ts"] == receipt["ts"]]
    assert len(updated) == 1
    post = [m for m in fake.messages("CAPOLLO") if "Zephyr" in m["text"]][-1]
    assert "vendor &lt;gone&gt;" in post["text"], "the channel post is corrected too"
    with sessions() as session:
        edits = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).all()
        assert [e.before["summary"] for e in edits] == ["vendor late"]


def test_an_edit_more_than_a_day_later_keeps_the_update_and_says_so(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - vendor late", thread_ts=prompted["ts"])
    slack.edit_dm(sent, "red - vendor gone", after_seconds=DAY + 60)
    bot.settle()
    assert (latest(sessions).rag, latest(sessions).edited_at) == ("amber", None)
    said = fake.dms("ULEAD")[-1]
    assert "more than 24 hours after sending it, so I kept the update" in text_of(said)
    assert echo_of(said) == "red - vendor gone"
    assert said.get("thread_ts") == prompted["ts"]


def test_an_edit_that_reads_as_no_status_keeps_the_update_and_echoes_the_edit(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - vendor late", thread_ts=prompted["ts"])
    slack.edit_dm(sent, "the vendor <!channel> is late")
    bot.settle()
    assert (latest(sessions).summary, latest(sessions).edited_at) == ("vendor late", None)
    said = fake.dms("ULEAD")[-1]
    assert "doesn't start with green, amber or red, so I kept the update I stored" in (
        text_of(said)
    )
    assert echo_of(said) == "the vendor &lt;!channel&gt; is late"


def test_an_edit_after_a_later_update_is_refused_with_the_edit_echoed(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - vendor late", thread_ts=prompted["ts"])
    slack.command("ULEAD", "status zephyr green sorted")
    slack.edit_dm(sent, "red - vendor gone")
    bot.settle()
    assert [latest(sessions).rag, count(sessions, StatusUpdate)] == ["green", 3]
    said = fake.dms("ULEAD")[-1]
    assert "Only the latest update can be edited" in text_of(said)
    assert echo_of(said) == "red - vendor gone"


def test_an_edit_by_someone_who_lost_the_right_is_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - vendor late", thread_ts=prompted["ts"])
    slack.command("UADMIN", "program edit zephyr")
    slack.submit_view("UADMIN", fake.last_view("UADMIN"), {"owner": "ULEAD2"})
    slack.edit_dm(sent, "red - vendor gone")
    bot.settle()
    assert latest(sessions).rag == "amber"
    said = fake.dms("ULEAD")[-1]
    assert "Only the program's owner, delegates and PMO admins" in text_of(said)
    assert echo_of(said) == "red - vendor gone"


def test_edits_that_change_no_text_and_edits_of_the_bots_messages_change_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "amber - see https://example.com", thread_ts=prompted["ts"])
    posts = len(fake.dms("ULEAD"))
    slack.edit_dm(sent, sent["text"])  # what Slack sends when a link unfurls
    bots = slack.edited_event(
        {**prompted, "channel": fake.dm_channel_id("ULEAD"), "user": fake.bot_user_id}, "x"
    )
    bots["message"]["bot_id"] = fake.bot_id
    slack.event(bots)
    bot.settle()
    assert len(fake.dms("ULEAD")) == posts and not fake.calls_to("chat.update")
    assert latest(sessions).edited_at is None


def test_an_edit_of_a_reply_that_stored_nothing_is_read_anew(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    sent = reply(slack, bot, "vendor late", thread_ts=prompted["ts"])
    assert "couldn't tell the status" in text_of(fake.dms("ULEAD")[-1])
    assert count(sessions, StatusUpdate) == 1
    slack.edit_dm(sent, "amber - vendor late")
    bot.settle()
    assert (latest(sessions).rag, latest(sessions).summary) == ("amber", "vendor late")
    receipt = fake.dms("ULEAD")[-1]
    assert "Stored the status of *Zephyr*" in receipt["text"]
    assert receipt.get("thread_ts") == prompted["ts"]
    slack.edit_dm(sent, "red - vendor gone")  # and now it is stored, the edit corrects it
    bot.settle()
    assert (latest(sessions).rag, count(sessions, StatusUpdate)) == ("red", 2)


def test_an_edited_question_is_answered_again(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, prompted: dict[str, Any]
) -> None:
    slack.command("UADMIN", 'program add Gemini owner:<@ULEAD2|kim> cadence:"weekly fri 10:00"')
    sent = reply(slack, bot, "zephyr?")
    assert "Zephyr (zephyr)" in text_of(fake.dms("ULEAD")[-1])
    slack.edit_dm(sent, "gemini?")
    bot.settle()
    assert "Gemini (gemini)" in text_of(fake.dms("ULEAD")[-1])


def test_an_edit_of_a_held_reply_replaces_it_before_the_pick(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    prompted: dict[str, Any],
) -> None:
    slack.command("UADMIN", 'program add Gemini owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    slack.command("ULEAD", "status gemini green fine")
    run_pass(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # both are prompted the next Friday
    sent = reply(slack, bot, "red - budget frozen")
    question = fake.dms("ULEAD")[-1]
    assert "Which program" in question["text"]
    slack.edit_dm(sent, "amber - budget cut by half")
    bot.settle()
    assert "Got your edit" in text_of(fake.dms("ULEAD")[-1])
    slack.click_button("ULEAD", question, "reply_pick_program")
    assert (latest(sessions).rag, latest(sessions).summary) == ("amber", "budget cut by half")
    slack.edit_dm(sent, "amber - budget cut by a third", after_seconds=120)
    bot.settle()
    assert latest(sessions).summary == "budget cut by a third"
    receipt = fake.dms("ULEAD")[-1]  # the pick's receipt was ephemeral: a new one is posted
    assert "Edited the status of" in receipt["text"] and receipt.get("thread_ts") == sent["ts"]
    with sessions() as session:
        assert session.scalars(select(DmReply)).one().receipt_key is None


def test_an_edit_to_green_drops_the_path_to_green_kept_for_the_reply(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    prompted: dict[str, Any],
) -> None:
    slack.command("ULEAD", "status zephyr")
    slack.submit_view(
        "ULEAD",
        fake.last_view("ULEAD"),
        {
            "rag": "amber",
            "summary": "late",
            "path_to_green": "new vendor",
            "recovery_date": "2026-12-31",
        },
    )
    run_pass(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    sent = reply(slack, bot, "red - vendor gone")
    assert latest(sessions).path_to_green == "new vendor"
    receipt = fake.dms("ULEAD")[-1]
    assert "Kept your path to green" in text_of(receipt)
    slack.edit_dm(sent, "green - new vendor delivered")
    bot.settle()
    assert (latest(sessions).path_to_green, latest(sessions).recovery_date) == (None, None)
    [redrawn] = [m for m in fake.dms("ULEAD") if m["ts"] == receipt["ts"]]
    assert "Kept your path" not in text_of(redrawn) and "Edited" in redrawn["text"]


def test_a_file_sent_with_text_is_read_like_a_plain_reply(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    slack.event(slack.file_dm_event("ULEAD", "amber - plan attached; next: review it"))
    bot.settle()
    assert (latest(sessions).rag, latest(sessions).next_steps) == ("amber", "review it")
    assert "Stored the status of *Zephyr*" in fake.dms("ULEAD")[-1]["text"]
    slack.event(slack.file_dm_event("ULEAD", ""))  # a file alone: the help, never silence
    bot.settle()
    assert "Ask me here, no command needed" in text_of(fake.dms("ULEAD")[-1])


def test_a_reply_also_sent_to_the_conversation_is_read_like_a_thread_reply(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    prompted: dict[str, Any],
) -> None:
    slack.event(slack.broadcast_event("ULEAD", "red - vendor gone", thread_ts=prompted["ts"]))
    bot.settle()
    assert latest(sessions).rag == "red"
    receipt = fake.dms("ULEAD")[-1]
    assert "Stored the status of *Zephyr*" in receipt["text"]
    assert receipt.get("thread_ts") == prompted["ts"]


def test_a_guest_sending_a_file_with_a_question_sees_no_portfolio_data(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, prompted: dict[str, Any]
) -> None:
    slack.event(slack.file_dm_event("UGUEST", "what's red?"))
    bot.settle()
    said = text_of(fake.dms("UGUEST")[-1])
    assert "Guest accounts can't see PMO data here" in said and "Zephyr" not in said
