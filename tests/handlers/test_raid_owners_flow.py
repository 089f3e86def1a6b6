"""RAID owners hear about their items: assigned, due in two working days, overdue, blockers.

Dates: Wednesday 25 Nov 2026 14:00 UTC is set-up day. Lee (the owner here) is in Berlin,
where message hours open at 08:00 (07:00 UTC in winter), so an item due Monday 30 Nov is
reminded on Thursday 26 Nov at 07:00 UTC and is overdue on Tuesday 1 Dec at 07:00 UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from schedules.dispatch import PassReport
from storage.models import AuditEvent, OutboxMessage, RaidItem, ScheduledJob, Workspace
from tests.conftest import Bot, ManualClock, Tick
from tests.flow import text_of

Pass = Callable[[datetime], PassReport]
ASSIGNED = "made you the owner of"
DUE_SOON = ":hourglass: Due on"
OVERDUE = ":warning: Overdue since"
BLOCKER = "raised a blocker in the stand-up"
REFUSAL = "Guest accounts can't see or change PMO data here."


def utc(day: int, hour: int = 7, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    """Apollo, owned by Lee (Berlin)."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo>")
    return "apollo"


def told(fake: FakeSlack, user_id: str, words: str) -> list[dict[str, Any]]:
    """The DMs a user received that contain `words`."""
    return [m for m in fake.dms(user_id) if words in m.get("text", "")]


def raid_rows(sessions: sessionmaker[Session], user_id: str) -> list[OutboxMessage]:
    """Queued RAID DMs to a user, sent or not."""
    with sessions() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.channel == user_id, OutboxMessage.purpose.startswith("raid:")
        )
        return list(session.scalars(query))


def the_item(sessions: sessionmaker[Session]) -> RaidItem:
    with sessions() as session:
        return session.scalars(select(RaidItem)).one()


def jobs(sessions: sessionmaker[Session]) -> list[tuple[str, str, datetime, str]]:
    """(kind, period, due_at, state) of every RAID reminder job, by due time."""
    with sessions() as session:
        rows = session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.kind.startswith("raid_"))
            .order_by(ScheduledJob.due_at)
        )
        return [(j.kind, j.period, j.due_at, j.state) for j in rows]


# --- assigned ---------------------------------------------------------------------------------


def test_owner_given_an_item_by_someone_else_gets_one_dm_with_mitigate_and_close(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command(
        "UOTHER",
        'risk apollo "Vendor <!channel> slips" impact:4 likelihood:3 due:2026-11-30 '
        "owner:<@ULEAD|lee>",
    )
    bot.settle()
    [dm] = told(fake, "ULEAD", ASSIGNED)
    said = text_of(dm)
    assert (
        "<@UOTHER> made you the owner of risk #1 “Vendor &lt;!channel&gt; slips” on *Apollo* "
        "(`apollo`) · score 12 · due Mon 30 Nov 2026"
    ) in said
    assert "<!channel>" not in said
    buttons = [
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["raid_mitigate", "raid_close"]


def test_nobody_is_told_about_an_item_they_gave_themselves(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Mine" owner:<@ULEAD|lee>')
    slack.command("UOTHER", 'risk apollo "Also mine"')  # no owner: the one who logs it
    bot.settle()
    assert raid_rows(sessions, "ULEAD") == raid_rows(sessions, "UOTHER") == []
    assert not told(fake, "ULEAD", ASSIGNED) and not told(fake, "UOTHER", ASSIGNED)


def test_a_guest_owner_is_not_dmed(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Guest item" due:2026-11-30 owner:<@UGUEST|gus>')
    bot.settle()
    assert the_item(sessions).owner_id == "UGUEST"
    assert raid_rows(sessions, "UGUEST") == [] and fake.dms("UGUEST") == []


def test_reassigning_with_risk_edit_tells_the_new_owner(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", 'risk apollo "Vendor"')
    said = text_of(slack.command("UOTHER", "risk edit #1 owner:<@ULEAD|lee>").body)
    assert "Risk #1 “Vendor” on *Apollo*: owner <@ULEAD>." in said
    bot.settle()
    assert len(told(fake, "ULEAD", "<@UOTHER> made you the owner of risk #1")) == 1
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).one()
        assert (event.actor_id, event.before, event.after) == (
            "UOTHER",
            {"owner_id": "UOTHER"},
            {"owner_id": "ULEAD"},
        )


def test_the_raid_modal_owner_is_told_too(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str
) -> None:
    slack.command("UOTHER", "risk apollo")
    slack.submit_view("UOTHER", fake.last_view("UOTHER"), {"title": "Env down", "owner": "ULEAD"})
    bot.settle()
    assert len(told(fake, "ULEAD", "<@UOTHER> made you the owner of risk #1 “Env down”")) == 1


def test_risk_edit_refuses_a_past_date_and_clears_one_with_none(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    log_due(slack, "2026-11-30")
    said = text_of(slack.command("ULEAD", "risk edit #1 due:2026-11-01").body)
    assert "The due date is in the past." in said
    assert "You typed: `/pmo risk edit #1 due:2026-11-01`" in said
    said = text_of(slack.command("ULEAD", "risk edit #1 due:none").body)
    assert "Risk #1 “Vendor” on *Apollo*: no due date." in said
    assert the_item(sessions).due_date is None
    said = text_of(slack.command("ULEAD", "risk edit #1 due:none").body)
    assert "already has that owner and due date" in said


def test_risk_edit_by_someone_who_may_not_change_the_item_is_refused(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'risk apollo "Vendor"')
    said = text_of(slack.command("ULEAD2", "risk edit #1 owner:<@ULEAD2|kim>").body)
    assert "Only the item's owner <@ULEAD>" in said
    assert the_item(sessions).owner_id == "ULEAD"


# --- the DM's buttons -------------------------------------------------------------------------


@pytest.fixture
def assigned_dm(slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str) -> dict[str, Any]:
    """Otto logs a risk owned by Lee; the DM Lee gets."""
    slack.command("UOTHER", 'risk apollo "Vendor" owner:<@ULEAD|lee>')
    slack.command("UGUEST", "help")  # the guest is known to the bot
    bot.settle()
    [dm] = told(fake, "ULEAD", ASSIGNED)
    return dm


def test_mitigate_in_the_dm_records_the_note(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], assigned_dm: Any
) -> None:
    slack.click_button("ULEAD", assigned_dm, "raid_mitigate")
    view = fake.last_view("ULEAD")
    assert view["callback_id"] == "raid_mitigate"
    slack.submit_view("ULEAD", view, {"mitigation": "second supplier on standby"})
    assert the_item(sessions).mitigation == "second supplier on standby"


def test_close_in_the_dm_asks_why_and_closes(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], assigned_dm: Any
) -> None:
    slack.click_button("ULEAD", assigned_dm, "raid_close")
    view = fake.last_view("ULEAD")
    assert view["callback_id"] == "raid_close"
    slack.submit_view("ULEAD", view, {"reason": "vendor signed"})
    item = the_item(sessions)
    assert (item.state, item.close_reason) == ("closed", "vendor signed")


def _answers(fake: FakeSlack) -> list[str]:
    return [text_of(r["body"]) for r in fake.responses] + [text_of(c.params) for c in fake.calls]


@pytest.mark.parametrize("action_id", ["raid_mitigate", "raid_close"])
@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [("ULEAD2", "Only the item's owner <@ULEAD>"), ("UGUEST", REFUSAL)],
)
def test_someone_else_clicking_the_owners_buttons_is_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    assigned_dm: Any,
    action_id: str,
    user_id: str,
    refusal: str,
) -> None:
    fake.clear()
    slack.click_button(user_id, assigned_dm, action_id)
    assert any(refusal in said for said in _answers(fake))
    assert not fake.calls_to("views.open")
    assert the_item(sessions).state == "open"


@pytest.mark.parametrize("value", ["999", "1; drop table raid_item", ""])
@pytest.mark.parametrize("action_id", ["raid_mitigate", "raid_close"])
def test_a_crafted_button_value_opens_nothing(
    slack: SlackDriver, fake: FakeSlack, assigned_dm: Any, action_id: str, value: str
) -> None:
    fake.clear()
    slack.click("ULEAD", action_id, value=value or None)
    assert not fake.calls_to("views.open")
    assert not [said for said in _answers(fake) if "Vendor" in said]


# --- due soon and overdue ---------------------------------------------------------------------


def log_due(slack: SlackDriver, due: str, owner: str = "<@ULEAD|lee>") -> None:
    slack.command("UOTHER", f'risk apollo "Vendor" due:{due} owner:{owner}')


def test_due_monday_is_reminded_thursday_at_the_start_of_the_owners_hours_once(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    log_due(slack, "2026-11-30")
    tick(utc(26, 6, 59))
    assert told(fake, "ULEAD", DUE_SOON) == []
    tick(utc(26, 7))  # Thursday 08:00 in Berlin
    [dm] = told(fake, "ULEAD", DUE_SOON)
    assert "Due on Mon 30 Nov 2026: risk #1 “Vendor” on *Apollo*" in text_of(dm)
    tick(utc(26, 7))  # the same pass again, a restart, a later pass: nothing more
    tick(utc(27, 12))
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1
    assert told(fake, "ULEAD", OVERDUE) == []


def test_a_holiday_moves_the_reminder_to_an_earlier_working_day(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    with sessions.begin() as session:
        session.execute(update(Workspace).values(holidays="DE"))
    log_due(slack, "2026-12-28")  # Monday; Friday 25 Dec is Christmas Day in Germany
    assert jobs(sessions)[0][:3] == ("raid_due", "2026-12-28", utc(23, 7, month=12))
    slack.command("ULEAD", "program pause apollo")  # no month of status prompts to catch up
    tick(utc(23, 6, 59, month=12))
    assert told(fake, "ULEAD", DUE_SOON) == []
    tick(utc(23, 7, month=12))  # Wednesday, not Thursday 24 Dec
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1
    tick(utc(24, 7, month=12))
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1


def test_without_holidays_the_same_due_date_is_reminded_on_thursday(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    log_due(slack, "2026-12-28")
    assert jobs(sessions)[0][:3] == ("raid_due", "2026-12-28", utc(24, 7, month=12))


def test_overdue_is_told_once_the_day_after_the_due_date(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    log_due(slack, "2026-11-30")
    tick(utc(26, 7))
    tick(utc(30, 19))  # the due day itself: not overdue yet
    assert told(fake, "ULEAD", OVERDUE) == []
    tick(utc(1, 7, month=12))
    [dm] = told(fake, "ULEAD", OVERDUE)
    assert "Overdue since Mon 30 Nov 2026: risk #1 “Vendor”" in text_of(dm)
    tick(utc(1, 7, month=12))
    tick(utc(2, 7, month=12))
    assert len(told(fake, "ULEAD", OVERDUE)) == 1


def test_an_item_closed_before_it_is_due_gets_no_reminder(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    log_due(slack, "2026-11-30")
    slack.click_button("ULEAD", slack.command("ULEAD", "risks apollo").body, "raid_close")
    slack.submit_view("ULEAD", fake.last_view("ULEAD"), {"reason": "vendor signed"})
    tick(utc(26, 7))
    tick(utc(1, 7, month=12))
    assert told(fake, "ULEAD", DUE_SOON) == told(fake, "ULEAD", OVERDUE) == []
    assert [state for *_, state in jobs(sessions)] == ["skipped", "skipped"]


def test_a_new_due_date_rearms_both_reminders_and_the_old_ones_stay_quiet(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    log_due(slack, "2026-11-30")
    tick(utc(26, 7))
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1
    said = text_of(slack.command("ULEAD", "risk edit #1 due:2026-12-07").body)
    assert "due Mon 7 Dec 2026" in said
    tick(utc(1, 7, month=12))  # the old date's overdue: skipped
    assert told(fake, "ULEAD", OVERDUE) == []
    tick(utc(3, 7, month=12))
    assert "Due on Mon 7 Dec 2026: risk #1" in told(fake, "ULEAD", DUE_SOON)[-1]["text"]
    tick(utc(8, 7, month=12))
    tick(utc(8, 9, month=12))
    assert len(told(fake, "ULEAD", DUE_SOON)) == 2
    assert len(told(fake, "ULEAD", OVERDUE)) == 1


def test_a_new_owner_is_reminded_in_their_own_hours(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    log_due(slack, "2026-11-30")
    slack.command("ULEAD", "risk edit #1 owner:<@ULEAD2|kim>")  # Kim is in Tokyo
    tick(utc(25, 22, 59))
    assert told(fake, "ULEAD2", DUE_SOON) == []
    tick(utc(25, 23))  # Thursday 08:00 in Tokyo
    assert len(told(fake, "ULEAD2", DUE_SOON)) == 1
    assert len(told(fake, "ULEAD2", "<@ULEAD> made you the owner of risk #1")) == 1
    tick(utc(26, 7))
    assert told(fake, "ULEAD", DUE_SOON) == [] and len(told(fake, "ULEAD2", DUE_SOON)) == 1


def test_an_item_with_no_due_date_or_a_guest_owner_gets_no_reminder(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    slack.command("UOTHER", 'risk apollo "Undated" owner:<@ULEAD|lee>')
    log_due(slack, "2026-11-30", owner="<@UGUEST|gus>")  # the guest's zone: UTC
    tick(utc(26, 12))
    tick(utc(1, 12, month=12))
    assert told(fake, "ULEAD", DUE_SOON) == [] and fake.dms("UGUEST") == []
    assert [state for *_, state in jobs(sessions)] == ["skipped", "skipped"]


# --- stand-up blockers ------------------------------------------------------------------------

# Thursday 09:00 in Berlin, 17:00 in Tokyo: Lee and Kim are both in their working hours.
BOTH_AT_WORK = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_a_standup_blocker_logged_on_a_program_tells_its_owner_unless_they_raised_it(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    apollo: str,
) -> None:
    clock.now = BOTH_AT_WORK
    fake.add_channel("CTEAM", "team", members=["ULEAD", "ULEAD2", "UOTHER"])
    slack.command("UADMIN", "program add Kyoto owner:<@ULEAD2|kim>")
    slack.command(
        "ULEAD", 'standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim>', channel_id="CTEAM"
    )
    slack.command("ULEAD", "standup start", channel_id="CTEAM")
    bot.settle()
    ask = [m for m in fake.dms("ULEAD2") if m["text"].startswith(":wave: Stand-up in")][-1]
    slack.click_button("ULEAD2", ask, "standup_answer")
    answers = ["x", "y", "apollo and kyoto <!here> contract unsigned"]
    slack.submit_view(
        "ULEAD2", fake.last_view("ULEAD2"), {f"q{n}": a for n, a in enumerate(answers)}
    )
    slack.command("ULEAD", "standup close", channel_id="CTEAM")
    bot.settle()
    [dm] = told(fake, "ULEAD", BLOCKER)
    said = text_of(dm)
    assert "<@ULEAD2> raised a blocker in the stand-up in <#CTEAM>: issue #1 " in said
    assert "“apollo and kyoto &lt;!here&gt; contract unsigned” on *Apollo*" in said
    assert "*blocking*" in said and "<!here>" not in said
    assert raid_rows(sessions, "ULEAD2") == []  # Kim owns Kyoto and raised it herself


def test_an_owner_who_muted_raid_dms_is_not_told(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    apollo: str,
) -> None:
    clock.now = BOTH_AT_WORK
    slack.command("ULEAD2", "notify mute raid")
    slack.command("ULEAD", 'risk apollo "Vendor may slip" owner:<@ULEAD2|kim>')
    bot.settle()
    assert told(fake, "ULEAD2", "Vendor may slip") == []
    assert raid_rows(sessions, "ULEAD2") == []
    slack.command("ULEAD2", "notify unmute raid")
    slack.command("ULEAD", 'risk apollo "Licences lapse" owner:<@ULEAD2|kim>')
    bot.settle()
    assert len(told(fake, "ULEAD2", "Licences lapse")) == 1
