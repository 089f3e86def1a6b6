"""The interaction pipeline: Slack is looked up before and called after the transaction.

Every test in the suite already fails if its code calls Slack inside a transaction (the
`no_slack_call_in_transaction` fixture); these check the watcher itself and what the
pipeline promises when Slack is slow or refuses.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.deps import Budgets
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Program, StatusUpdate
from tests.conftest import SIGNING_SECRET, Bot, SlackCallsInTransaction
from tests.flow import count, text_of


@pytest.fixture
def budgets() -> Budgets:
    """These tests are of what the production budgets answer (Slack's 3-s ack)."""
    return Budgets()


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    """Apollo, owned by Lee."""
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


def test_the_watcher_sees_a_slack_call_made_inside_a_transaction(
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    _watch_slack_calls: SlackCallsInTransaction,
) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    before = len(_watch_slack_calls.calls)
    client.auth_test()  # no transaction: not counted
    with sessions.begin() as session:
        session.execute(text("SELECT 1"))
        client.auth_test()
    client.auth_test()  # after the commit: not counted
    seen = _watch_slack_calls.calls[before:]
    del _watch_slack_calls.calls[before:]  # this test's own violation is the point
    assert [call.split(" on ")[0] for call in seen] == ["auth.test"]


def test_a_slow_modal_for_one_user_does_not_hold_up_another(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    fake.delay("views.open", 1.2, user_id="ULEAD")  # slow, but inside the 1.5 s timeout
    opened: list[Reply] = []
    lead = threading.Thread(target=lambda: opened.append(slack.command("ULEAD", "status apollo")))
    lead.start()
    time.sleep(0.3)  # Lee's views.open is now waiting on Slack
    started = time.perf_counter()
    shown = slack.command("UADMIN", "program show apollo")
    waited = time.perf_counter() - started
    lead.join(timeout=10)
    assert "Apollo" in text_of(shown.body)
    assert waited < 1.5, f"another user's answer waited {waited:.2f} s behind a slow modal"
    assert opened and opened[0].status == 200
    assert fake.last_view("ULEAD")["callback_id"] == "status_submit"


def test_slow_users_info_still_acks_in_time_and_stores_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    fake.delay("users.info", 3.5, user_id="ULEAD2")  # Kim was never seen before
    started = time.perf_counter()
    reply = slack.command("ULEAD2", "status apollo red vendor late")
    acked = time.perf_counter() - started
    said = text_of(reply.body)
    assert acked < 3.0, f"acked after {acked:.2f} s"
    assert "couldn't look up" in said and "/pmo status apollo red vendor late" in said
    assert count(sessions, StatusUpdate) == 0


def test_a_refused_modal_is_answered_with_the_command_echoed(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    fake.fail_next("views.open", "expired_trigger_id")
    said = text_of(slack.command("ULEAD", "status apollo").body)
    assert "Slack refused to open the form (`expired_trigger_id`)" in said
    assert "You typed: `/pmo status apollo`" in said


def test_a_mentioned_stranger_is_looked_up_once_outside_the_transaction(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    fake.clear()
    said = text_of(slack.command("ULEAD", "program delegates apollo add <@UOTHER|otto>").body)
    assert "<@UOTHER> is now a delegate of *Apollo*" in said
    assert [c["user"] for c in fake.calls_to("users.info")] == ["UOTHER"]


def test_an_unknown_mention_is_refused_and_nothing_changes(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", "program delegates apollo add <@UNOBODY>").body)
    assert "Slack does not know the user <@UNOBODY>" in said


def test_look_ups_past_the_budget_are_not_made_and_nothing_is_stored(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "config")  # Ada is known
    fake.delay("users.info", 1.2, user_id="ULEAD2")  # answers, but uses up the budget
    fake.clear()
    started = time.perf_counter()
    said = text_of(
        slack.command("UADMIN", "program add Mercury owner:<@ULEAD2> sponsor:<@UOTHER>").body
    )
    acked = time.perf_counter() - started
    assert acked < 3.0, f"acked after {acked:.2f} s"
    assert "Slack is slow to answer just now, so I changed nothing" in said
    assert "/pmo program add Mercury" in said
    assert [c["user"] for c in fake.calls_to("users.info")] == ["ULEAD2"]  # Otto never asked
    assert count(sessions, Program) == 0


def test_a_stand_up_naming_many_new_people_looks_them_all_up_first(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    team = [f"UTEAM{n}" for n in range(8)]
    for user in team:
        fake.add_user(user, user.lower(), real_name=f"Member {user}")
    fake.add_channel("CTEAM", "team", members=["ULEAD", *team])
    mentions = " ".join(f"<@{user}|{user.lower()}>" for user in team)
    said = text_of(
        slack.command("ULEAD", f'standup schedule <#CTEAM|team> "mon-fri 09:30" {mentions}').body
    )
    assert "Scheduled" in said, said
    assert sorted(c["user"] for c in fake.calls_to("users.info") if c["user"] in team) == team


def test_a_dm_that_fails_before_its_handler_is_still_answered_in_its_thread(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.fail_next("users.info", "user_not_found")  # Otto, never seen, is unknown to Slack
    reply = slack.dm("UOTHER", "amber - vendor late")
    assert reply.status == 200
    answers = fake.dms("UOTHER")
    assert answers and "Slack does not know the user" in text_of(answers[-1])
    assert answers[-1].get("thread_ts")


def test_nul_characters_are_dropped_at_the_edge(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", "status apollo amber vendor\x00 late").body)
    assert "vendor late" in said
    with sessions() as session:
        stored = session.scalars(select(StatusUpdate)).one()
    assert stored.summary == "vendor late"


def test_nul_characters_are_dropped_from_modal_text(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo")
    values = {"rag": "green", "summary": "vendor\x00 late", "next_steps": "\x00"}
    reply = slack.submit_view("ULEAD", fake.last_view("ULEAD"), values)
    assert reply.body["response_action"] == "update"
    with sessions() as session:
        stored = session.scalars(select(StatusUpdate)).one()
    assert (stored.summary, stored.next_steps) == ("vendor late", None)


def test_nul_characters_are_dropped_from_dm_text(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    run_pass,
    apollo: str,  # type: ignore[no-untyped-def]
) -> None:
    run_pass(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 Berlin: Lee is prompted
    slack.dm("ULEAD", "amber - vendor\x00 late")
    bot.settle()
    with sessions() as session:
        stored = session.scalars(select(StatusUpdate)).one()
    assert stored.summary == "vendor late"
    assert "Stored the status of *Apollo*" in fake.dms("ULEAD")[-1]["text"]


def test_nul_characters_are_dropped_from_a_select_search(slack: SlackDriver, apollo: str) -> None:
    view = {"id": "V1", "type": "modal", "blocks": []}
    reply = slack.suggest(
        "ULEAD", view, action_id="status_pick_program", block_id="program", value="apo\x00"
    )
    assert [o["value"] for o in reply.body["options"]] == ["1"]


def test_identical_commands_at_the_same_moment_store_once_and_answer_kindly(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session]
) -> None:
    slack.command("UADMIN", "config")  # Ada is known
    racer = SlackDriver(bot.url, SIGNING_SECRET, fake)
    replies: list[str] = []

    def add() -> None:
        replies.append(
            text_of(racer.command("UADMIN", "program add Mercury owner:<@ULEAD|lee>").body)
        )

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert count(sessions, Program) == 1
    assert len(replies) == 6
    assert [r for r in replies if "went wrong" in r] == []
    assert sum("Registered *Mercury*" in r for r in replies) == 1
