"""Actions through signed HTTP and scheduler passes: the owner is DMed with *Done*, reminded
two working days before the due date and once when overdue; *Done* marks it once; `/pmo
actions` lists what is open.

Dates: Wednesday 25 Nov 2026 14:00 UTC is set-up day. Lee (the owner here) is in Berlin, where
message hours open at 08:00 (07:00 UTC in winter), so an action due Monday 30 Nov is reminded
on Thursday 26 Nov at 07:00 UTC and is overdue on Tuesday 1 Dec at 07:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import workspace
from bot.blocks.common import escape
from bot.meetings import log, occurrences, plans
from bot.sandbox.blockkit import validate_message
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import (
    ActionItem,
    AuditEvent,
    Meeting,
    OutboxMessage,
    Person,
    Program,
    ScheduledJob,
    Workspace,
)
from tests.conftest import START, TEAM, Bot, ManualClock, Tick
from tests.flow import echo_of, text_of

GUEST_REFUSAL = "Guest accounts can't see or change PMO data here."
GIVEN = "gave you an action"
DUE_SOON = ":hourglass: Due on"
OVERDUE = ":warning: Overdue since"
ADD = 'actions add apollo "Send the <!here> RFP" owner:<@ULEAD|lee> due:2026-11-30'


def utc(day: int, hour: int = 7, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    """Apollo, owned by Lee; its status prompts paused so passes carry only actions."""
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("ULEAD", "program pause apollo")
    slack.command("UGUEST", "actions")  # the guest is known to the bot
    return "apollo"


def told(fake: FakeSlack, user_id: str, words: str) -> list[dict[str, Any]]:
    return [m for m in fake.dms(user_id) if words in m.get("text", "")]


def actions_of(sessions: sessionmaker[Session]) -> list[ActionItem]:
    with sessions() as session:
        return list(session.scalars(select(ActionItem).order_by(ActionItem.number)))


def jobs(sessions: sessionmaker[Session]) -> list[tuple[str, str, datetime, str]]:
    with sessions() as session:
        rows = session.scalars(
            select(ScheduledJob)
            .where(ScheduledJob.kind.startswith("action_"))
            .order_by(ScheduledJob.due_at)
        )
        return [(j.kind, j.period, j.due_at, j.state) for j in rows]


def say(slack: SlackDriver, user_id: str, text: str) -> str:
    return text_of(slack.command(user_id, text).body)


def answers(fake: FakeSlack) -> list[str]:
    return [text_of(r["body"]) for r in fake.responses] + [text_of(c.params) for c in fake.calls]


# --- given ---------------------------------------------------------------------------------


def test_an_action_given_to_someone_else_tells_them_once_with_done(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = say(slack, "UOTHER", ADD)
    assert (
        "Added A-1 “Send the &lt;!here&gt; RFP” · due Mon 30 Nov 2026 · on *Apollo* (`apollo`), "
        "owned by <@ULEAD>."
    ) in said
    bot.settle()
    [dm] = told(fake, "ULEAD", GIVEN)
    assert (
        "<@UOTHER> gave you an action: A-1 “Send the &lt;!here&gt; RFP” · due Mon 30 Nov 2026"
    ) in text_of(dm)
    assert "<!here>" not in text_of(dm)
    buttons = [
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["action_done"]
    assert [(k, p, at) for k, p, at, _ in jobs(sessions)] == [
        ("action_due", "2026-11-30", utc(26)),
        ("action_overdue", "2026-11-30", utc(1, month=12)),
    ]
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "action")).one()
        assert (event.actor_id, event.action, event.after["title"]) == (
            "UOTHER",
            "add",
            "Send the <!here> RFP",
        )


def test_nobody_is_told_about_an_action_they_gave_themselves_but_it_is_reminded(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'actions add "Book the room" due:2026-11-30')
    bot.settle()
    assert told(fake, "ULEAD", GIVEN) == []
    [action] = actions_of(sessions)
    assert (action.owner_id, action.program_id) == ("ULEAD", None)
    assert len(jobs(sessions)) == 2


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ('actions add apollo "Send it"', "Give the title in quotes and a due date"),
        ('actions add "Send it" due:2026-11-20', "The due date Fri 20 Nov 2026 is in the past"),
        ('actions add "" due:2026-11-30', "Say what is to be done."),
        ('actions add "' + "t" * 201 + '" due:2026-11-30', "The action title is 201 characters"),
        ('actions add "Send" due:2026-11-30 owner:<@UGUEST|gus>', "can't own an action"),
        ('actions add "Send" due:2026-11-30 by:friday', "Unknown option `by:`"),
        ('actions add nosuch "Send" due:2026-11-30', "nosuch"),
    ],
)
def test_bad_input_is_refused_echoed_and_nothing_stored(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str, text: str, refusal: str
) -> None:
    body = slack.command("ULEAD", text).body
    assert refusal in text_of(body)
    assert escape(f"/pmo {text}") in echo_of(body)
    assert actions_of(sessions) == [] and jobs(sessions) == []


def test_a_guest_can_add_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = say(slack, "UGUEST", 'actions add "Mine" due:2026-11-30')
    assert GUEST_REFUSAL in said and "To ask the PMO for a new project: `/pmo intake`." in said
    assert "Usage:" not in said  # not a command of theirs to get right
    assert actions_of(sessions) == []


def test_a_repeated_command_adds_one_action(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", ADD)
    said = say(slack, "UOTHER", ADD)
    assert "Already recorded at 09:00: the action “Send the &lt;!here&gt; RFP” for <@ULEAD>" in said
    assert "To change its date, owner or title: `/pmo actions edit A-1 due:&lt;date&gt;`" in said
    bot.settle()
    assert len(actions_of(sessions)) == 1 and len(told(fake, "ULEAD", GIVEN)) == 1


# --- changed -------------------------------------------------------------------------------


def test_an_edit_changes_the_date_owner_and_title_tells_the_new_owner_and_moves_reminders(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    slack.command("UOTHER", ADD)
    said = say(slack, "UOTHER", 'actions edit A-1 "Send the <!channel> RFP v2" due:2026-12-07')
    assert "Changed A-1 “Send the &lt;!channel&gt; RFP v2” · due Mon 7 Dec 2026" in said
    assert "<!channel>" not in said
    said = say(slack, "UOTHER", "actions edit a-1 owner:<@ULEAD2|kim>")
    assert "owned by <@ULEAD2>" in said
    tick(utc(26, 0))  # 09:00 in Tokyo: Kim's hours
    [given] = told(fake, "ULEAD2", GIVEN)
    assert "<@UOTHER> gave you an action: A-1 “Send the &lt;!channel&gt; RFP v2”" in text_of(given)
    [action] = actions_of(sessions)
    assert (action.title, action.owner_id, action.due_date.isoformat()) == (
        "Send the <!channel> RFP v2",
        "ULEAD2",
        "2026-12-07",
    )
    periods = {(kind, period) for kind, period, _, _ in jobs(sessions)}
    assert ("action_overdue", "2026-12-07") in periods
    tick(utc(1, month=12))  # the old date's overdue reminder sees the date changed
    assert told(fake, "ULEAD", OVERDUE) == [] and told(fake, "ULEAD2", OVERDUE) == []
    with sessions() as session:
        edits = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "action", AuditEvent.action == "edit")
        ).all()
        assert [e.actor_id for e in edits] == ["UOTHER", "UOTHER"]
        assert edits[0].before["due_date"] == "2026-11-30"


@pytest.mark.parametrize(
    ("user", "text", "refusal"),
    [
        ("UOTHER", "actions edit A-1", "Name the action, then what changes"),
        ("UOTHER", "actions edit A-9 due:friday", "There is no action A-9"),
        ("UOTHER", "actions edit A-1 due:2026-11-20", "is in the past"),
        ("UOTHER", "actions edit A-1 owner:<@UGUEST|gus>", "can't own an action"),
        ("UOTHER", 'actions edit A-1 "Send the <!here> RFP"', "nothing was changed"),
        ("ULEAD2", "actions edit A-1 due:2026-12-07", "Only the owner <@ULEAD>"),
        ("ULEAD2", "actions edit A-1 owner:<@ULEAD2|kim>", "can change A-1"),
        ("UGUEST", "actions edit A-1 due:2026-12-07", GUEST_REFUSAL),
    ],
)
def test_an_edit_that_is_bad_or_not_theirs_changes_nothing(
    slack: SlackDriver,
    sessions: sessionmaker[Session],
    apollo: str,
    user: str,
    text: str,
    refusal: str,
) -> None:
    slack.command("UOTHER", ADD)
    body = slack.command(user, text).body
    assert refusal in text_of(body)
    [action] = actions_of(sessions)
    assert (action.title, action.owner_id, action.due_date.isoformat()) == (
        "Send the <!here> RFP",
        "ULEAD",
        "2026-11-30",
    )


def test_a_done_action_cannot_be_edited(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", ADD)
    slack.command("ULEAD", "actions done A-1")
    assert "A-1 is done already; nothing was changed." in say(
        slack, "ULEAD", "actions edit A-1 due:2026-12-07"
    )


def test_numbers_are_gapless_after_a_refusal(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("ULEAD", 'actions add "' + "t" * 201 + '" due:2026-11-30')
    slack.command("ULEAD", 'actions add "First" due:2026-11-30')
    slack.command("ULEAD", 'actions add "Second" due:2026-12-01')
    assert [(a.number, a.title) for a in actions_of(sessions)] == [(1, "First"), (2, "Second")]


def test_an_owner_who_muted_actions_is_not_told(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, tick: Tick, apollo: str
) -> None:
    slack.command("ULEAD", "notify mute actions")
    slack.command("UOTHER", ADD)
    tick(utc(26))
    tick(utc(1, month=12))
    assert told(fake, "ULEAD", "A-1") == []


# --- reminded ------------------------------------------------------------------------------


def test_due_monday_is_reminded_thursday_at_the_start_of_the_owners_hours_once(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    slack.command("UOTHER", ADD)
    tick(utc(26, 6, 59))
    assert told(fake, "ULEAD", DUE_SOON) == []
    tick(utc(26, 7))  # Thursday 08:00 in Berlin
    [dm] = told(fake, "ULEAD", DUE_SOON)
    assert "Due on Mon 30 Nov 2026: A-1 “Send the &lt;!here&gt; RFP” · on *Apollo*" in text_of(dm)
    assert [
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    ] == ["action_done"]
    tick(utc(26, 7))
    tick(utc(27, 12))
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1
    assert told(fake, "ULEAD", OVERDUE) == []


def test_overdue_is_told_once_the_working_day_after(
    slack: SlackDriver, fake: FakeSlack, tick: Tick, apollo: str
) -> None:
    slack.command("UOTHER", 'actions add "Sign" owner:<@ULEAD|lee> due:2026-12-04')  # a Friday
    tick(utc(2, 7, month=12))  # Wednesday: two working days before
    tick(utc(4, 19, month=12))
    tick(utc(5, 12, month=12))  # Saturday, Sunday: not working days
    tick(utc(6, 12, month=12))
    assert told(fake, "ULEAD", OVERDUE) == []
    tick(utc(7, 7, month=12))  # Monday 08:00 in Berlin
    [dm] = told(fake, "ULEAD", OVERDUE)
    assert "Overdue since Fri 4 Dec 2026: A-1 “Sign”" in text_of(dm)
    tick(utc(7, 9, month=12))
    tick(utc(8, 7, month=12))
    assert len(told(fake, "ULEAD", OVERDUE)) == 1
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1


def test_a_holiday_moves_the_reminder_to_an_earlier_working_day(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    with sessions.begin() as session:
        session.execute(update(Workspace).values(holidays="DE"))
    slack.command("UOTHER", 'actions add "Close" owner:<@ULEAD|lee> due:2026-12-28')
    assert jobs(sessions)[0][:3] == ("action_due", "2026-12-28", utc(23, 7, month=12))
    tick(utc(23, 6, 59, month=12))
    assert told(fake, "ULEAD", DUE_SOON) == []
    tick(utc(23, 7, month=12))  # Wednesday: Thursday 24 Dec is before Christmas Day
    assert len(told(fake, "ULEAD", DUE_SOON)) == 1


def test_a_due_reminder_missed_while_the_bot_was_down_is_not_sent_late(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], tick: Tick, apollo: str
) -> None:
    slack.command("UOTHER", ADD)
    tick(utc(27, 12))  # 29 hours after it was due
    assert told(fake, "ULEAD", DUE_SOON) == []
    assert jobs(sessions)[0][3] == "skipped"
    tick(utc(1, 7, month=12))
    assert len(told(fake, "ULEAD", OVERDUE)) == 1


def test_nothing_is_reminded_once_it_is_done(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    slack.command("UOTHER", ADD)
    bot.settle()
    slack.click_button("ULEAD", told(fake, "ULEAD", GIVEN)[0], "action_done")
    tick(utc(26))
    tick(utc(1, month=12))
    assert told(fake, "ULEAD", DUE_SOON) == told(fake, "ULEAD", OVERDUE) == []
    assert [state for *_, state in jobs(sessions)] == ["skipped", "skipped"]


# --- done ----------------------------------------------------------------------------------


@pytest.fixture
def given(slack: SlackDriver, fake: FakeSlack, bot: Bot, apollo: str) -> dict[str, Any]:
    """Otto gives Lee A-1; the DM Lee gets."""
    slack.command("UOTHER", ADD)
    bot.settle()
    [dm] = told(fake, "ULEAD", GIVEN)
    return dm


def test_done_in_the_dm_marks_it_once_and_edits_the_dm(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    given: dict[str, Any],
) -> None:
    fake.clear()
    slack.click_button("ULEAD", given, "action_done")
    bot.settle()
    assert any("A-1 “Send the &lt;!here&gt; RFP” is done." in s for s in answers(fake))
    [action] = actions_of(sessions)
    assert (action.state, action.done_by) == ("done", "ULEAD")
    [edited] = [m for m in fake.dms("ULEAD") if m["ts"] == given["ts"]]
    assert "Done (marked by <@ULEAD>): A-1" in edited["text"]
    assert "actions" not in [b["type"] for b in edited["blocks"]]
    fake.clear()
    slack.click_button("UOTHER", given, "action_done")  # a second click, by its creator
    assert any("A-1 was already done by <@ULEAD>; nothing was changed." in s for s in answers(fake))
    with sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "done")).all()
        assert [(e.entity, e.actor_id) for e in events] == [("action", "ULEAD")]


@pytest.mark.parametrize("user_id", ["UOTHER", "UADMIN"])
def test_the_creator_or_an_admin_may_mark_it_done(
    slack: SlackDriver, sessions: sessionmaker[Session], given: dict[str, Any], user_id: str
) -> None:
    slack.click_button(user_id, given, "action_done")
    assert [a.done_by for a in actions_of(sessions)] == [user_id]


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        ("ULEAD2", "Only the owner <@ULEAD>, <@UOTHER> who added it, the meeting's chair or a PMO"),
        ("UGUEST", GUEST_REFUSAL),
    ],
)
def test_others_clicking_done_are_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    given: dict[str, Any],
    user_id: str,
    refusal: str,
) -> None:
    fake.clear()
    slack.click_button(user_id, given, "action_done")
    assert any(refusal in said for said in answers(fake))
    assert [a.state for a in actions_of(sessions)] == ["open"]


def test_a_meetings_chair_may_mark_its_actions_done(
    slack: SlackDriver, sessions: sessionmaker[Session], given: dict[str, Any]
) -> None:
    meeting_id = add_meeting(sessions, chair="ULEAD2")
    with sessions.begin() as session:
        session.execute(update(ActionItem).values(meeting_id=meeting_id))
    slack.click_button("ULEAD2", given, "action_done")
    assert [a.done_by for a in actions_of(sessions)] == ["ULEAD2"]


@pytest.mark.parametrize("value", ["999", "abc", "", "1 or 1=1"])
def test_a_crafted_done_value_changes_nothing(
    slack: SlackDriver, sessions: sessionmaker[Session], given: dict[str, Any], value: str
) -> None:
    slack.click("UADMIN", "action_done", value=value or None)
    assert [a.state for a in actions_of(sessions)] == ["open"]


def test_another_workspaces_action_is_not_found(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], given: dict[str, Any]
) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id="T0002", default_timezone="UTC", now=START)
        other = ActionItem(
            team_id="T0002",
            number=1,
            title="Theirs",
            owner_id="UADMIN",
            due_date=date(2026, 12, 1),
            state="open",
            created_by="UZ",
            created_at=START,
        )
        session.add(other)
        session.flush()
        other_id = other.id
    fake.clear()
    slack.click("UADMIN", "action_done", value=str(other_id))
    assert any("That action no longer exists." in s for s in answers(fake))
    with sessions() as session:
        assert session.get(ActionItem, other_id).state == "open"  # type: ignore[union-attr]


def test_done_before_the_dm_went_out_withdraws_it(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    tick: Tick,
    apollo: str,
) -> None:
    slack.command("UOTHER", 'actions add "Late" owner:<@ULEAD2|kim> due:2026-12-07')  # 23:00 Tokyo
    bot.settle()
    assert told(fake, "ULEAD2", GIVEN) == []
    said = say(slack, "UOTHER", "actions done A-1")
    assert "A-1 “Late” is done." in said
    tick(utc(26, 0))  # 09:00 in Tokyo
    assert told(fake, "ULEAD2", "A-1") == []
    with sessions() as session:
        states = session.scalars(
            select(OutboxMessage.state).where(OutboxMessage.channel == "ULEAD2")
        )
        assert list(states) == ["withdrawn"]


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("actions done A-9", "There is no action A-9."),
        ("actions done foo", "“foo” is not an action"),
        ("actions done", "Name the action by its number"),
    ],
)
def test_actions_done_names_one_action(
    slack: SlackDriver, given: dict[str, Any], text: str, refusal: str
) -> None:
    body = slack.command("ULEAD", text).body
    assert refusal in text_of(body) and escape(f"/pmo {text}") in echo_of(body)


def test_actions_done_by_command_and_by_a_guest(
    slack: SlackDriver, sessions: sessionmaker[Session], given: dict[str, Any]
) -> None:
    assert GUEST_REFUSAL in say(slack, "UGUEST", "actions done A-1")
    assert "A-1 “Send the &lt;!here&gt; RFP” is done." in say(slack, "ULEAD", "actions done a1")
    again = say(slack, "ULEAD", "actions done A-1")
    assert "is done already (marked by <@ULEAD>)." in again
    assert ":warning:" not in again and "Usage:" not in again  # information, not an error
    assert "Only the owner" in say(slack, "ULEAD2", "actions done A-1")


# --- the list ------------------------------------------------------------------------------


def add_meeting(sessions: sessionmaker[Session], *, chair: str = "UADMIN") -> int:
    with sessions.begin() as session:
        meeting = Meeting(
            team_id=TEAM,
            channel_id="CSTEER",
            chair_id=chair,
            days="mon",
            at="10:00",
            every_weeks=1,
            anchor=date(2026, 11, 30),
            length_minutes=60,
            portfolio=None,
            timezone="Europe/London",
            attendees=["ULEAD"],
            created_at=START,
        )
        meeting.next_due_at = plans.next_start(meeting, after=START)
        session.add(meeting)
        session.flush()
        return meeting.id


def add_directly(
    sessions: sessionmaker[Session],
    title: str,
    due: date,
    *,
    owner: str = "ULEAD",
    meeting_id: int | None = None,
    now: datetime = START,
) -> None:
    with sessions.begin() as session:
        space = session.get(Workspace, TEAM)
        actor, person = session.get(Person, (TEAM, "UADMIN")), session.get(Person, (TEAM, owner))
        apollo = session.scalar(select(Program).where(Program.key == "apollo"))
        assert space is not None and actor is not None and person is not None
        occurrence = None
        if meeting_id is not None:
            meeting = session.get(Meeting, meeting_id)
            assert meeting is not None
            occurrence = occurrences.for_start(session, meeting=meeting, start=utc(30, 10))
        log.add_action(
            session,
            actor=actor,
            title=title,
            owner=person,
            due=due,
            now=now,
            workspace=space,
            program=apollo,
            occurrence=occurrence,
            item_ref=title,
        )


def test_actions_lists_mine_overdue_first_with_owner_due_program_and_meeting(
    slack: SlackDriver, sessions: sessionmaker[Session], clock: ManualClock, apollo: str
) -> None:
    meeting_id = add_meeting(sessions)
    add_directly(sessions, "Later one", date(2026, 12, 18))
    add_directly(sessions, "From the meeting <!here>", date(2026, 12, 1), meeting_id=meeting_id)
    slack.command("ULEAD2", "actions")  # Kim is known
    add_directly(sessions, "Kim's", date(2026, 12, 2), owner="ULEAD2")
    clock.now = utc(3, 12, month=12)
    body = slack.command("ULEAD", "actions").body
    said = text_of(body)
    assert "*Open actions — mine* (2)" in said
    assert (
        "*A-2* “From the meeting &lt;!here&gt;” · <@ULEAD> · :warning: *overdue* since Tue 1 Dec "
        "2026 · *Apollo* (`apollo`) · from <#CSTEER> 30 Nov"
    ) in said
    assert "*A-1* “Later one” · <@ULEAD> · due Fri 18 Dec 2026" in said
    assert said.index("A-2") < said.index("A-1") and "Kim" not in said
    assert validate_message(text=body["text"], blocks=body["blocks"]) == []
    done = [e["accessory"]["action_id"] for e in body["blocks"] if "accessory" in e]
    assert done == ["action_done", "action_done"]
    overdue = say(slack, "UADMIN", "actions overdue")
    assert "A-2" in overdue and "Kim" in overdue and "A-1" not in overdue
    assert "(3)" in say(slack, "UADMIN", "actions apollo")
    assert "*Open actions — mine* (0)" in say(slack, "UADMIN", "actions mine")


def test_done_from_the_list(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    add_directly(sessions, "Tidy", date(2026, 12, 18))
    slack.click_button("ULEAD", slack.command("ULEAD", "actions").body, "action_done")
    assert [a.state for a in actions_of(sessions)] == ["done"]
    assert "Nothing open." in say(slack, "ULEAD", "actions")


def test_the_list_is_bounded_and_points_to_the_export(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    with sessions.begin() as session:
        for n in range(1, 46):
            session.add(
                ActionItem(
                    team_id=TEAM,
                    number=n,
                    title="t" * 200,
                    owner_id="ULEAD",
                    due_date=date(2026, 12, 1),
                    state="open",
                    created_by="UADMIN",
                    created_at=START,
                )
            )
    body = slack.command("ULEAD", "actions").body
    assert len(body["blocks"]) <= 50
    assert validate_message(text=body["text"], blocks=body["blocks"]) == []
    assert "…and 5 more — `/pmo export actions`" in text_of(body)


@pytest.mark.parametrize("text", ["actions", "actions overdue", "actions apollo"])
def test_guests_cannot_list_actions(slack: SlackDriver, apollo: str, text: str) -> None:
    assert GUEST_REFUSAL in say(slack, "UGUEST", text)


def test_a_list_filter_that_is_not_a_program_is_refused(slack: SlackDriver, apollo: str) -> None:
    body = slack.command("ULEAD", "actions apollo mine").body
    assert "Name one program, or `mine`, `all` or `overdue`." in text_of(body)


def test_all_lists_everyones_open_actions_and_a_verb_points_to_its_command(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UOTHER", ADD)
    slack.command("ULEAD2", 'actions add "Kim\'s own" due:2026-11-30')
    listed = say(slack, "UOTHER", "actions all")
    assert "A-1" in listed and "A-2" in listed and "(2)" in listed
    assert "Did you mean `/pmo actions done A-1`?" in say(slack, "ULEAD", "actions complete A-1")
    assert "Did you mean `/pmo actions edit A-1 due:friday`?" in say(
        slack, "ULEAD", "actions move A-1 due:friday"
    )
    assert [a.state for a in actions_of(sessions)] == ["open", "open"]
    assert GUEST_REFUSAL in say(slack, "UGUEST", "actions all")
