"""Project intake through Slack: the modal, the review post, decisions, the queue and config."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, IntakeRequest, Program, StrategicGoal, Workspace
from tests.conftest import TEAM, Bot, ManualClock
from tests.flow import count, program, text_of

GOOD: dict[str, Any] = {
    "title": "Customer portal redesign",
    "problem": "Customers cannot find their invoices and call support instead.",
    "sponsor": "ULEAD2",
    "business_value": "8",
    "time_criticality": "5",
    "risk_reduction": "3",
    "job_size": "5",
}  # WSJF (8 + 5 + 3) / 5 = 3.2


@pytest.fixture
def intake_channel(slack: SlackDriver, fake: FakeSlack) -> str:
    fake.add_channel("CINTAKE", "intake", members=["UADMIN"])
    slack.command("UADMIN", "config intake-channel <#CINTAKE|intake>")
    return "CINTAKE"


def file(slack: SlackDriver, fake: FakeSlack, user_id: str = "UOTHER", **changes: Any) -> Reply:
    """Open the intake modal as `user_id` and submit it with GOOD plus `changes`."""
    slack.command(user_id, "intake")
    return slack.submit_view(user_id, fake.last_view(user_id), GOOD | changes)


def requests(sessions: sessionmaker[Session]) -> list[IntakeRequest]:
    with sessions() as session:
        return list(session.scalars(select(IntakeRequest).order_by(IntakeRequest.number)))


def intake_seq(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        space = session.get(Workspace, TEAM)
        return space.intake_seq if space else 0


def posted(fake: FakeSlack, channel: str = "CINTAKE", number: int | None = None) -> dict[str, Any]:
    """The latest review post in a channel, or the one of INT-`number`."""
    found = [m for m in fake.messages(channel) if "intake request" in m.get("text", "").lower()]
    if number is not None:
        found = [m for m in found if f"INT-{number}:" in m["text"]]
    return found[-1]


def decide(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    user_id: str,
    action: str,
    values: dict[str, Any],
    number: int | None = None,
) -> Reply:
    """Click a decision button on a review post and submit its modal."""
    bot.settle()
    slack.click_button(user_id, posted(fake, number=number), f"intake_{action}")
    return slack.submit_view(user_id, fake.last_view(user_id), values)


def test_requester_files_and_gets_int_1_with_its_score(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    reply = file(slack, fake)
    assert reply.body["response_action"] == "update"
    assert "INT-1" in text_of(reply.body["view"]) and "3.2" in text_of(reply.body["view"])
    bot.settle()
    receipt = text_of(fake.dms("UOTHER")[-1])
    assert "INT-1" in receipt and "WSJF score *3.2*" in receipt and "<#CINTAKE>" in receipt
    review = posted(fake)
    assert "INT-1" in text_of(review) and "<@UOTHER>" in text_of(review)
    actions = [
        e["action_id"] for b in review["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == ["intake_approve", "intake_reject", "intake_defer"]
    (stored,) = requests(sessions)
    assert (stored.number, stored.score, stored.state, stored.sponsor_id) == (
        1,
        3.2,
        "pending",
        "ULEAD2",
    )
    assert stored.posted_channel == "CINTAKE"


def test_ids_are_sequential_per_workspace(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], intake_channel: str
) -> None:
    file(slack, fake)
    file(slack, fake, "ULEAD", title="Data warehouse")
    assert [r.number for r in requests(sessions)] == [1, 2]
    assert intake_seq(sessions) == 2


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"title": "   "}, "title", "title"),
        ({"problem": "  "}, "problem", "problem"),
        ({"business_value": "11"}, "business_value", "1 to 10"),
        ({"time_criticality": "high"}, "time_criticality", "1 to 10"),
        ({"risk_reduction": "-2"}, "risk_reduction", "1 to 10"),
        ({"job_size": "0"}, "job_size", "can't be 0"),
        ({"desired_start": "2026-11-01"}, "desired_start", "in the past"),
        ({"desired_finish": "2026-11-24"}, "desired_finish", "in the past"),
        (
            {"desired_start": "2027-02-01", "desired_finish": "2027-01-15"},
            "desired_finish",
            "before the start",
        ),
    ],
)
def test_bad_input_is_refused_inline_and_nothing_is_stored(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    intake_channel: str,
    changes: dict[str, Any],
    field: str,
    says: str,
) -> None:
    reply = file(slack, fake, **changes)
    assert reply.body["response_action"] == "errors"  # Slack keeps the modal and its values
    assert list(reply.body["errors"]) == [field]
    assert says in reply.body["errors"][field]
    assert count(sessions, IntakeRequest) == 0
    assert intake_seq(sessions) == 0  # no number was used up
    assert file(slack, fake).body["response_action"] == "update"
    assert [r.number for r in requests(sessions)] == [1]


def test_admin_sees_the_queue_ranked_by_score(
    slack: SlackDriver, fake: FakeSlack, intake_channel: str
) -> None:
    file(slack, fake, title="Small fix", job_size="10")  # 1.6
    file(slack, fake, title="Big win", business_value="10", job_size="2")  # 9.0
    listed = text_of(slack.command("UADMIN", "intake list").body)
    assert listed.index("Big win") < listed.index("Small fix")
    assert "*9.0*" in listed and "*1.6*" in listed


def test_admin_approves_and_the_program_exists_and_everyone_is_told(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    file(slack, fake, desired_finish="2027-03-31")
    reply = decide(
        slack,
        fake,
        bot,
        "UADMIN",
        "approve",
        {"name": "Portal Redesign", "owner": "ULEAD", "cadence": "weekly mon 09:00"},
    )
    assert reply.body["response_action"] == "update"
    created = program(sessions, "portal-redesign")
    assert created is not None
    assert (created.owner_id, created.sponsor_id, created.cadence) == (
        "ULEAD",
        "ULEAD2",
        "weekly mon 09:00",
    )
    assert created.target_date == date(2027, 3, 31)
    (stored,) = requests(sessions)
    assert (stored.state, stored.decided_by, stored.program_id) == (
        "approved",
        "UADMIN",
        created.id,
    )
    bot.settle()
    told = text_of(fake.dms("UOTHER")[-1])
    assert "INT-1" in told and "Approved" in told and "Portal Redesign" in told
    edited = posted(fake)
    assert "Approved* by <@UADMIN>" in text_of(edited) and "edited" in edited
    assert not [b for b in edited["blocks"] if b["type"] == "actions"]


def test_non_admin_click_is_refused_and_nothing_changes(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    file(slack, fake)
    bot.settle()
    views_before = len(fake.views("UOTHER"))
    slack.click_button("UOTHER", posted(fake), "intake_approve")
    assert "Only Slack workspace admins and owners" in text_of(fake.responses[-1]["body"])
    assert len(fake.views("UOTHER")) == views_before
    assert requests(sessions)[0].state == "pending"
    assert count(sessions, Program) == 0


def test_reject_needs_a_reason_and_tells_the_requester_why(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    file(slack, fake)
    refused = decide(slack, fake, bot, "UADMIN", "reject", {"reason": "   "})
    assert list(refused.body["errors"]) == ["reason"]
    assert requests(sessions)[0].state == "pending"
    decide(slack, fake, bot, "UADMIN", "reject", {"reason": "Covered by the CRM programme"})
    assert requests(sessions)[0].state == "rejected"
    bot.settle()
    told = text_of(fake.dms("UOTHER")[-1])
    assert "Rejected" in told and "Covered by the CRM programme" in told


def test_deferred_request_comes_back_to_the_queue_on_its_date(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    clock: ManualClock,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    file(slack, fake)
    past = decide(slack, fake, bot, "UADMIN", "defer", {"reason": "Q1", "until": "2026-11-25"})
    assert list(past.body["errors"]) == ["until"]
    decide(
        slack, fake, bot, "UADMIN", "defer", {"reason": "After the freeze", "until": "2026-12-01"}
    )
    assert requests(sessions)[0].state == "deferred"
    assert "No pending intake requests" in text_of(slack.command("UADMIN", "intake list").body)
    clock.advance(days=6)  # Tue 1 Dec
    listed = slack.command("UADMIN", "intake list").body
    assert "INT-1" in text_of(listed) and requests(sessions)[0].state == "pending"
    slack.click_button("UADMIN", listed, "intake_reject")
    slack.submit_view("UADMIN", fake.last_view("UADMIN"), {"reason": "Still frozen"})
    assert requests(sessions)[0].state == "rejected"
    with sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "intake"))
        assert list(actions) == ["file", "defer", "resurface", "reject"]


def test_first_decision_wins_and_the_second_admin_is_told(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    slack.command("UADMIN", "config admins add <@UADMIN|ada>")
    slack.command("UADMIN", "config admins add <@ULEAD|lee>")
    file(slack, fake)
    bot.settle()
    review = posted(fake)  # as both admins' clients show it, buttons and all
    slack.click_button("UADMIN", review, "intake_approve")
    slack.click_button("ULEAD", review, "intake_reject")
    first = slack.submit_view("UADMIN", fake.last_view("UADMIN"), {"owner": "ULEAD"})
    second = slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"reason": "No budget"})
    assert first.body["response_action"] == "update"
    assert "already approved by <@UADMIN>" in second.body["errors"]["reason"]
    slack.click_button("ULEAD", review, "intake_defer")  # a stale copy, clicked late
    assert "already approved" in text_of(fake.responses[-1]["body"])
    assert count(sessions, Program) == 1
    assert requests(sessions)[0].state == "approved"


def test_approval_with_a_bad_cadence_or_taken_name_changes_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    file(slack, fake)
    bad = decide(slack, fake, bot, "UADMIN", "approve", {"cadence": "every blue moon"})
    assert list(bad.body["errors"]) == ["cadence"]
    taken = decide(slack, fake, bot, "UADMIN", "approve", {"name": "apollo"})
    assert "already exists" in taken.body["errors"]["name"]
    assert requests(sessions)[0].state == "pending"
    assert count(sessions, Program) == 1


def test_likely_duplicates_are_shown_to_reviewers_and_the_requester(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, intake_channel: str
) -> None:
    slack.command("UADMIN", 'program add "Customer Portal" owner:<@ULEAD|lee>')
    file(slack, fake, title="Data warehouse", problem="Reports take a day to run.")
    file(slack, fake, "ULEAD", title="Redesign of the customer portal")
    bot.settle()
    review = text_of(posted(fake))
    assert "*Customer Portal* (`customer-portal`) — 67% similar" in review
    receipt = text_of(fake.dms("ULEAD")[-1])
    assert "Possibly the same as" in receipt and "Customer Portal" in receipt
    assert "warehouse" not in review.split("Possible duplicates")[1]
    assert "INT-1" not in text_of(fake.dms("ULEAD")[-1])


def test_review_post_shows_the_current_load(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, intake_channel: str
) -> None:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD|lee>")
    slack.command("ULEAD", "status apollo red vendor gone; path: new vendor; recovery: 2027-01-10")
    file(slack, fake)
    decide(slack, fake, bot, "UADMIN", "approve", {"owner": "ULEAD"})
    file(slack, fake, title="Mobile app")
    bot.settle()
    load = text_of(posted(fake))
    assert "*3* active programs (1 red, 0 amber)" in load
    assert "*1* request approved this quarter" in load


def test_without_channels_the_pmo_channel_then_the_admins_get_it(
    slack: SlackDriver, fake: FakeSlack, bot: Bot
) -> None:
    slack.command("UADMIN", "config admins add <@UADMIN|ada>")
    slack.command("UADMIN", "config admins add <@ULEAD|lee>")
    file(slack, fake)
    bot.settle()
    assert "INT-1" in text_of(fake.dms("UADMIN")[-1]) and "INT-1" in text_of(fake.dms("ULEAD")[-1])
    assert "the PMO admins" in text_of(fake.dms("UOTHER")[-1])
    decide_in_dm = fake.dms("ULEAD")[-1]
    slack.click_button("ULEAD", decide_in_dm, "intake_reject")
    slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"reason": "Duplicate"})
    bot.settle()
    for admin in ("UADMIN", "ULEAD"):
        edited = [m for m in fake.dms(admin) if "INT-1" in m.get("text", "")][-1]
        assert "Rejected* by <@ULEAD>" in text_of(edited)
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    file(slack, fake, title="Second")
    bot.settle()
    assert "INT-2" in text_of(posted(fake, "CPMO"))


def test_guest_may_file_but_not_read_the_queue(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    slack.command("UADMIN", 'program add "Customer Portal" owner:<@ULEAD|lee>')
    assert file(slack, fake, "UGUEST").body["response_action"] == "update"
    bot.settle()
    assert "Customer Portal" not in text_of(fake.dms("UGUEST")[-1])
    assert "Customer Portal" in text_of(posted(fake))
    for command in ("intake list", "intake show INT-1"):
        assert "Guest accounts" in text_of(slack.command("UGUEST", command).body)
    assert [r.requester_id for r in requests(sessions)] == ["UGUEST"]


def test_show_has_the_breakdown_duplicates_and_history(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, intake_channel: str
) -> None:
    file(slack, fake)
    file(slack, fake, "ULEAD", title="Customer portal redesign, phase 2")
    decide(slack, fake, bot, "UADMIN", "approve", {"name": "Portal redesign"}, number=1)
    shown = text_of(slack.command("UOTHER", "intake show int-1").body)
    assert "(business value 8 + time criticality 5 + risk reduction 3) / job size 5" in shown
    assert "= *3.2*" in shown
    assert "INT-2 “Customer portal redesign, phase 2”" in shown
    assert "filed by <@UOTHER>" in shown and "approved by <@UADMIN>" in shown
    assert "program *Portal redesign* (`portal-redesign`) registered" in shown


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("intake show apollo", "is not an intake id"),
        ("intake show INT-9", "There is no INT-9"),
        ("intake show", "Name one request"),
        ("intake list everything", "List `pending`"),
        ("intake now please", "alone opens the form"),
    ],
)
def test_bad_queue_commands_say_what_is_wrong_and_repeat_the_command(
    slack: SlackDriver, command: str, says: str
) -> None:
    said = text_of(slack.command("UOTHER", command).body)
    assert says in said and f"You typed: `/pmo {command}`" in said
    assert "Usage: `/pmo intake" in said


def test_goals_are_configured_by_admins_and_offered_in_the_modal(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    intake_channel: str,
) -> None:
    refused = text_of(slack.command("UOTHER", 'config goals add "Grow revenue"').body)
    assert "Only Slack workspace admins and owners" in refused
    assert count(sessions, StrategicGoal) == 0
    assert "is now a goal" in text_of(
        slack.command("UADMIN", 'config goals add "Grow revenue"').body
    )
    assert "already is" in text_of(slack.command("UADMIN", 'config goals add "grow  revenue"').body)
    slack.command("UADMIN", 'config goals add "Cut costs"')
    slack.command("UADMIN", 'config goals remove "Cut costs"')
    assert "• Grow revenue" in text_of(slack.command("UADMIN", "config goals").body)
    slack.command("UOTHER", "intake")
    view = fake.last_view("UOTHER")
    goal = next(b for b in view["blocks"] if b["block_id"] == "goal")["element"]
    labels = [o["text"]["text"] for o in goal["options"]]
    assert labels == ["No specific goal", "Grow revenue"]
    slack.submit_view("UOTHER", view, GOOD | {"goal": goal["options"][1]["value"]})
    assert requests(sessions)[0].goal == "Grow revenue"
    said = text_of(slack.command("UADMIN", 'config goals remove "Nope"').body)
    assert "There is no goal “Nope”" in said and "Grow revenue" in said


def test_intake_channel_is_admin_only_and_shown_in_config(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    fake.add_channel("CINTAKE", "intake", members=["UADMIN"])
    refused = text_of(slack.command("UOTHER", "config intake-channel #intake").body)
    assert "Only Slack workspace admins" in refused
    assert "Usage: `/pmo config intake-channel #channel`" in refused
    no_bot = text_of(slack.command("UADMIN", "config intake-channel <#CNOBOT|secret-room>").body)
    assert "/invite @pmo" in no_bot
    slack.command("UADMIN", "config intake-channel #intake")
    assert "Intake channel: <#CINTAKE>" in text_of(slack.command("UADMIN", "config").body)
