"""Answers are never thrown away: a reply after the program went overdue is a late update, and
an amber or red reply keeps the path to green it had (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Prompt, StatusUpdate
from tests.conftest import Bot
from tests.flow import count, echo_of, program, text_of

FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SATURDAY_10_BERLIN = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
MONDAY_09_BERLIN = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
MONDAY_10_BERLIN = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # due + 24 working hours of grace


@pytest.fixture
def zephyr(slack: SlackDriver) -> None:
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", 'program add Zephyr owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    slack.command("ULEAD", "status zephyr green all good")


@pytest.fixture
def overdue(zephyr: None, run_pass: Any, fake: FakeSlack) -> dict[str, Any]:
    """Zephyr was prompted on Friday, nobody answered, and on Monday it went overdue (the
    weekend does not count towards the grace)."""
    run_pass(FRIDAY_10_BERLIN)
    prompt = [m for m in fake.dms("ULEAD") if "Status update due" in m.get("text", "")][-1]
    run_pass(SATURDAY_10_BERLIN)
    run_pass(MONDAY_09_BERLIN)
    run_pass(MONDAY_10_BERLIN)
    return prompt


def latest(sessions: sessionmaker[Session]) -> StatusUpdate:
    with sessions() as session:
        found = session.scalars(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
        assert found is not None
        return found


def test_a_reply_in_the_thread_after_the_program_went_overdue_is_a_late_update(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    overdue: dict[str, Any],
) -> None:
    stored = program(sessions, "zephyr")
    assert stored is not None and "OVERDUE_UPDATE" in stored.flags
    slack.dm("ULEAD", "amber - vendor late; next: escalate", thread_ts=overdue["ts"])
    bot.settle()
    assert (latest(sessions).rag, latest(sessions).summary) == ("amber", "vendor late")
    stored = program(sessions, "zephyr")
    assert stored is not None and "OVERDUE_UPDATE" not in stored.flags
    receipt = fake.dms("ULEAD")[-1]
    assert receipt.get("thread_ts") == overdue["ts"]
    said = text_of(receipt)
    assert "Stored the status of *Zephyr*" in said
    assert "Late: this update was due Fri 4 Dec 2026" in said
    assert "overdue flag is cleared" in said
    with sessions() as session:
        assert session.scalars(select(Prompt)).one().state == "answered"


def test_a_plain_dm_after_the_program_went_overdue_answers_its_late_prompt(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    overdue: dict[str, Any],
) -> None:
    slack.dm("ULEAD", "green - back on plan")
    bot.settle()
    assert latest(sessions).summary == "back on plan"
    assert "Late: this update was due" in text_of(fake.dms("ULEAD")[-1])
    stored = program(sessions, "zephyr")
    assert stored is not None and stored.flags == {}


def test_no_change_after_the_program_went_overdue_is_a_late_update(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    overdue: dict[str, Any],
) -> None:
    slack.click_button("ULEAD", overdue, "prompt_no_change")
    said = text_of(fake.responses[-1]["body"])
    assert "Late: this update was due Fri 4 Dec 2026" in said
    assert [latest(sessions).source, latest(sessions).summary] == ["no_change", "all good"]
    stored = program(sessions, "zephyr")
    assert stored is not None and "OVERDUE_UPDATE" not in stored.flags
    slack.click_button("ULEAD", overdue, "prompt_no_change")
    assert "already answered" in text_of(fake.responses[-1]["body"])
    assert count(sessions, StatusUpdate) == 2


def test_a_reply_to_a_prompt_answered_since_is_refused_with_the_text_echoed(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    overdue: dict[str, Any],
) -> None:
    slack.command("ULEAD", "status zephyr green sorted by phone")
    slack.dm("ULEAD", "red - <!channel> budget frozen", thread_ts=overdue["ts"])
    bot.settle()
    refusal = fake.dms("ULEAD")[-1]
    assert "was already answered, so I stored nothing" in text_of(refusal)
    assert echo_of(refusal) == "red - &lt;!channel&gt; budget frozen"
    assert count(sessions, StatusUpdate) == 2


def test_a_late_reply_from_someone_no_longer_allowed_is_refused_and_echoed(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    overdue: dict[str, Any],
) -> None:
    slack.command("UADMIN", "program edit zephyr")  # opens the modal: reassign the owner there
    slack.submit_view("UADMIN", fake.last_view("UADMIN"), {"owner": "ULEAD2"})
    slack.dm("ULEAD", "amber - vendor late", thread_ts=overdue["ts"])
    bot.settle()
    refusal = fake.dms("ULEAD")[-1]
    assert "Only its owner <@ULEAD2>" in text_of(refusal)
    assert echo_of(refusal) == "amber - vendor late"
    assert count(sessions, StatusUpdate) == 1


def test_a_late_reply_picked_from_several_prompts_is_stored_whole_and_late(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    zephyr: None,
) -> None:
    slack.command("UADMIN", 'program add Gemini owner:<@ULEAD|lee> cadence:"weekly fri 10:00"')
    slack.command("ULEAD", "status gemini green fine")
    run_pass(FRIDAY_10_BERLIN)
    run_pass(MONDAY_10_BERLIN)
    text = "red - " + "the vendor went under. " * 200
    slack.dm("ULEAD", text)
    bot.settle()
    question = fake.dms("ULEAD")[-1]
    assert "Which program" in question["text"]
    slack.click_button("ULEAD", question, "reply_pick_program")
    assert latest(sessions).summary == text.removeprefix("red - ").strip(" .")
    assert "Late: this update was due" in text_of(fake.responses[-1]["body"])


@pytest.fixture
def amber_with_a_plan(slack: SlackDriver, fake: FakeSlack, zephyr: None) -> None:
    """Zephyr's last update is amber with a path to green and a recovery date."""
    slack.command("ULEAD", "status zephyr")
    values = {
        "rag": "amber",
        "summary": "vendor late",
        "path_to_green": "second vendor <on> board",
        "recovery_date": "2026-12-18",
    }
    slack.submit_view("ULEAD", fake.last_view("ULEAD"), values)


def test_an_amber_reply_keeps_the_path_to_green_and_recovery_date_it_had(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    amber_with_a_plan: None,
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.dm("ULEAD", "red - vendor gone; next: escalate")
    bot.settle()
    update = latest(sessions)
    assert (update.rag, update.path_to_green) == ("red", "second vendor <on> board")
    assert update.recovery_date is not None and update.recovery_date.isoformat() == "2026-12-18"
    stored = program(sessions, "zephyr")
    assert stored is not None and "NO_RECOVERY_PLAN" not in stored.flags
    receipt = fake.dms("ULEAD")[-1]
    said = text_of(receipt)
    assert "*Kept your path to green:* second vendor &lt;on&gt; board" in said
    assert "*Still back to green by:* Fri 18 Dec 2026" in said
    assert "*Edit* to change it" in said
    assert "status_edit" in str(receipt["blocks"]) and "status_add_plan" not in str(receipt)


def test_a_green_reply_keeps_no_path_to_green(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    amber_with_a_plan: None,
) -> None:
    run_pass(FRIDAY_10_BERLIN)
    slack.dm("ULEAD", "green - second vendor delivered")
    bot.settle()
    assert (latest(sessions).path_to_green, latest(sessions).recovery_date) == (None, None)
    assert "Kept your path" not in text_of(fake.dms("ULEAD")[-1])


def test_a_recovery_date_gone_by_is_not_kept_and_the_plan_is_asked_for(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass: Any,
    amber_with_a_plan: None,
) -> None:
    run_pass(datetime(2026, 12, 25, 9, 0, tzinfo=UTC))  # a Friday past the 18th
    slack.dm("ULEAD", "amber - still waiting")
    bot.settle()
    update = latest(sessions)
    assert (update.path_to_green, update.recovery_date) == ("second vendor <on> board", None)
    stored = program(sessions, "zephyr")
    assert stored is not None and "NO_RECOVERY_PLAN" in stored.flags
    receipt = fake.dms("ULEAD")[-1]
    assert "status_add_plan" in str(receipt["blocks"])
    assert "*Kept your path to green:*" in text_of(receipt)
