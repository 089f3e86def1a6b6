"""App Home through Slack: my programs, risks and intake; the portfolio for admins; guests."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dates import format_date
from bot.meetings import log
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import ActionItem, IntakeRequest, Person, Program, Workspace
from tests.conftest import START, TEAM, Bot, ManualClock
from tests.flow import program, text_of

Json = dict[str, Any]


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    """Apollo, owned by Lee (Berlin); alerts go to #pmo."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


def open_home(slack: SlackDriver, bot: Bot, fake: FakeSlack, user_id: str) -> Json:
    """Open the Home tab as `user_id` and return what was published once work settled."""
    assert slack.app_home_opened(user_id).status == 200
    bot.settle()
    return fake.home(user_id)


def add_intake(
    sessions: sessionmaker[Session], clock: ManualClock, *, number: int, requester: str, **kw: Any
) -> None:
    values: Json = {
        "team_id": TEAM,
        "number": number,
        "requester_id": requester,
        "title": f"Request {number}",
        "problem": "Spreadsheets everywhere",
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
        "job_size": 4,
        "score": 4.0,
        "state": "pending",
        "created_at": clock.now,
    }
    with sessions.begin() as session:
        session.add(IntakeRequest(**(values | kw)))


def add_programs(sessions: sessionmaker[Session], clock: ManualClock, n: int, **kw: Any) -> None:
    with sessions.begin() as session:
        session.add_all(
            Program(
                team_id=TEAM,
                key=f"bulk-{i:03d}",
                name=f"Bulk program {i:03d} with a long descriptive name " + "x" * 80,
                owner_id="ULEAD",
                cadence="weekly",
                timezone="Europe/Berlin",
                start_date=date(2026, 1, 5),
                state="active",
                created_by="UADMIN",
                created_at=clock.now,
                updated_at=clock.now,
                **kw,
            )
            for i in range(n)
        )


def test_lead_sees_their_program_with_rag_trend_next_due_and_a_button(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo green all good")
    slack.command("ULEAD", "status apollo amber vendor late")
    home = open_home(slack, bot, fake, "ULEAD")
    shown = text_of(home)
    assert "Your programs (1)" in shown
    assert "🟡 *Apollo* `apollo` · 🟢🟡" in shown
    stored = program(sessions, "apollo")
    assert stored is not None and stored.next_due_at is not None
    due = stored.next_due_at.astimezone(ZoneInfo("Europe/Berlin"))  # Lee's zone
    assert f"next update due {format_date(due.date())} {due:%H:%M}" in shown
    assert "Fri 27 Nov 2026 10:00" in shown
    (button,) = [b["accessory"] for b in home["blocks"] if "accessory" in b]
    assert (button["action_id"], button["value"]) == ("home_status", str(stored.id))
    assert "Portfolio" not in shown


def test_next_due_is_shown_in_the_viewers_own_time(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    slack.command("UADMIN", "program delegates apollo add <@ULEAD2|kim>")
    shown = text_of(open_home(slack, bot, fake, "ULEAD2"))  # Kim is in Tokyo
    assert "next update due Fri 27 Nov 2026 18:00" in shown


def test_submit_update_opens_the_status_modal_and_home_shows_the_result(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", "status apollo green all good")
    home = open_home(slack, bot, fake, "ULEAD")
    slack.click_button("ULEAD", home, "home_status")
    modal = fake.last_view("ULEAD")
    assert modal["title"]["text"] == "Status update"
    assert "all good" in str(modal["blocks"])  # prefilled from the last update
    reply = slack.submit_view(
        "ULEAD",
        modal,
        {
            "rag": "red",
            "summary": "vendor gone",
            "path_to_green": "New vendor",
            "recovery_date": "2026-12-20",
        },
    )
    assert isinstance(reply.body, dict) and reply.body["response_action"] == "update"
    bot.settle()
    stored = program(sessions, "apollo")
    assert stored is not None and stored.rag == "red"
    assert "🔴 *Apollo* `apollo` · 🟢🔴" in text_of(fake.home("ULEAD"))


def test_a_stranger_clicking_submit_update_is_told_who_can(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    home = open_home(slack, bot, fake, "ULEAD")
    slack.click_button("UOTHER", home, "home_status")
    said = text_of(fake.last_view("UOTHER"))
    assert "Only its owner <@ULEAD>" in said


def test_my_open_risks_come_highest_score_first(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Small thing" impact:low likelihood:low')
    slack.command("UOTHER", 'risk apollo "Big thing" impact:critical likelihood:high')
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD2|kim>")
    slack.command("UOTHER", 'risk gemini "Not Lee\'s"')
    shown = text_of(open_home(slack, bot, fake, "ULEAD"))
    assert "Your open risks (2)" in shown
    assert shown.index("Big thing") < shown.index("Small thing")
    assert "Not Lee" not in shown


def test_my_pending_intake_requests_are_listed(
    slack: SlackDriver,
    bot: Bot,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    apollo: str,
) -> None:
    add_intake(sessions, clock, number=1, requester="ULEAD", title="New CRM")
    add_intake(sessions, clock, number=2, requester="ULEAD", title="Decided", state="approved")
    add_intake(sessions, clock, number=3, requester="UOTHER", title="Not mine")
    shown = text_of(open_home(slack, bot, fake, "ULEAD"))
    assert "Your intake requests waiting (1)" in shown
    assert "*INT-1* New CRM · score 4.0" in shown
    assert "Decided" not in shown and "Not mine" not in shown


def test_admin_sees_portfolio_counts_flagged_list_and_intake_waiting(
    slack: SlackDriver,
    bot: Bot,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    apollo: str,
) -> None:
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD2|kim>")
    slack.command("ULEAD", "status apollo red vendor gone")
    add_intake(sessions, clock, number=1, requester="UOTHER", title="Oldest ask")
    clock.advance(days=2)
    add_intake(sessions, clock, number=2, requester="UOTHER", title="Newer ask")
    shown = text_of(open_home(slack, bot, fake, "UADMIN"))
    assert "*2 live programs* · 🟢 0 green · 🟡 0 amber · 🔴 1 red · ⚪ 1 no update yet" in shown
    assert "⚑ 1 flagged · ⏰ 0 update overdue" in shown
    assert "🔴 *Apollo* `apollo` — RED, NO_RECOVERY_PLAN" in shown
    assert "*Intake awaiting a decision:* 2 · oldest *INT-1* Oldest ask" in shown
    assert "(2d ago)" in shown


def test_a_guest_sees_how_to_file_intake_and_no_portfolio_data(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo red vendor gone")
    home = open_home(slack, bot, fake, "UGUEST")
    shown = text_of(home)
    assert "/pmo intake" in shown
    assert "Apollo" not in shown and "Portfolio" not in shown and "risks" not in shown
    assert len(home["blocks"]) == 2


def test_three_hundred_programs_stay_within_the_view_limits(
    slack: SlackDriver,
    bot: Bot,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    apollo: str,
) -> None:
    add_programs(sessions, clock, 300, rag="red", flags={"RED": "red", "STALE": "x"}, flag_count=2)
    for user_id in ("ULEAD", "UADMIN"):
        home = open_home(slack, bot, fake, user_id)  # the fake rejects an invalid view
        assert len(home["blocks"]) <= 100
    lead = text_of(fake.home("ULEAD"))
    assert "Your programs (301)" in lead and "…and 281 more: `/pmo program list mine`" in lead
    admin = text_of(fake.home("UADMIN"))
    assert "*Flagged (300)*" in admin and "…and 275 more: `/pmo program list flagged`" in admin


def test_home_is_republished_after_the_users_own_status_command(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    open_home(slack, bot, fake, "ULEAD")
    published = len(fake.calls_to("views.publish"))
    slack.command("ULEAD", "status apollo red vendor gone")
    assert len(fake.calls_to("views.publish")) == published + 1
    assert "🔴 *Apollo*" in text_of(fake.home("ULEAD"))


def test_home_is_not_published_for_someone_who_never_opened_it(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo red vendor gone")
    slack.command("ULEAD", 'risk apollo "Vendor may slip"')
    assert fake.calls_to("views.publish") == []


def test_a_failed_command_does_not_republish_home(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    open_home(slack, bot, fake, "UOTHER")
    published = len(fake.calls_to("views.publish"))
    slack.command("UOTHER", "status apollo red not mine to say")  # refused: not the owner
    assert len(fake.calls_to("views.publish")) == published


def test_opening_the_messages_tab_publishes_nothing(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    slack.event({"type": "app_home_opened", "user": "ULEAD", "channel": "DLEAD", "tab": "messages"})
    bot.settle()
    assert fake.calls_to("views.publish") == []


def test_home_shows_nothing_of_another_workspace(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    with sessions.begin() as session:
        session.add(Workspace(team_id="T0002", timezone="UTC", created_at=START))
        session.flush()
        session.add(
            Program(
                team_id="T0002",
                key="elsewhere",
                name="Elsewhere",
                owner_id="ULEAD",
                cadence="weekly",
                start_date=date(2026, 1, 5),
                state="active",
                rag="red",
                flags={"RED": "red"},
                flag_count=1,
                created_by="ULEAD",
                created_at=START,
                updated_at=START,
            )
        )
    for user_id in ("ULEAD", "UADMIN"):
        assert "Elsewhere" not in text_of(open_home(slack, bot, fake, user_id))


def messages_tab_opened(user_id: str, channel: str) -> dict[str, object]:
    return {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": "messages"}


def test_opening_the_messages_tab_gets_200_and_one_welcome_ever(
    slack: SlackDriver, fake: FakeSlack, bot: Bot
) -> None:
    event = messages_tab_opened("ULEAD", fake.dm_channel_id("ULEAD"))
    assert slack.event(event).status == 200
    assert slack.event(event).status == 200  # opened again
    bot.settle()
    welcomes = [m for m in fake.dms("ULEAD") if "I'm the PMO bot" in text_of(m)]
    assert len(welcomes) == 1
    assert "/pmo status" in text_of(welcomes[0])


def test_a_guest_is_welcomed_to_intake_only(slack: SlackDriver, fake: FakeSlack, bot: Bot) -> None:
    slack.event(messages_tab_opened("UGUEST", fake.dm_channel_id("UGUEST")))
    bot.settle()
    said = " ".join(text_of(m) for m in fake.dms("UGUEST"))
    assert "/pmo intake" in said and "/pmo status" not in said


def test_home_shows_the_viewers_own_working_time(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, apollo: str
) -> None:
    shown = text_of(open_home(slack, bot, fake, "ULEAD"))
    assert "Your working time: Mon–Fri 08:00–20:00, Europe/Berlin" in shown
    slack.command("ULEAD", "hours sun-thu 08:00-16:00")
    slack.command("ULEAD", "holidays IL")
    shown = text_of(open_home(slack, bot, fake, "ULEAD"))
    assert "Your working time: Sun–Thu 08:00–16:00, Europe/Berlin, public holidays: IL" in shown


def test_my_open_actions_come_soonest_due_first_with_overdue_marked(
    slack: SlackDriver, bot: Bot, fake: FakeSlack, sessions: sessionmaker[Session]
) -> None:
    slack.command("ULEAD", "hours")  # Lee is known to the bot
    with sessions.begin() as session:
        lee = session.get(Person, (TEAM, "ULEAD"))
        workspace = session.get(Workspace, TEAM)
        assert lee is not None and workspace is not None
        for title, due in (
            ("Write the <!channel> memo", date(2026, 12, 4)),
            ("Call the vendor", START.date()),
        ):
            log.add_action(
                session, actor=lee, title=title, owner=lee, due=due, now=START, workspace=workspace
            )
    with sessions.begin() as session:
        first = session.scalar(select(ActionItem).where(ActionItem.number == 1))
        assert first is not None
        first.due_date = date(2026, 11, 20)  # overdue by now

    shown = text_of(open_home(slack, bot, fake, "ULEAD"))

    assert "Your open actions (2)" in shown
    assert "`A-1` Write the &lt;!channel&gt; memo · due Fri 20 Nov 2026 *(overdue)*" in shown
    assert shown.index("A-1") < shown.index("`A-2` Call the vendor · due Wed 25 Nov 2026")
    assert "Your open actions" not in text_of(open_home(slack, bot, fake, "ULEAD2"))
