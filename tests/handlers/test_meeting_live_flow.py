"""A steering meeting run live in Slack: start, record, move on, close, show; refusals.

Dates: Wednesday 25 Nov 2026 14:00 UTC (15:00 in Berlin) is when the weekly steering meeting
in #steering falls, chaired by Lee (Berlin) with Kim as the other attendee. Otto is in the
channel but not an attendee; Ada is a PMO admin (a Slack admin, while no PMO admin is set).
Its agenda: Zephyr's open decision request first, then the red programs Apollo, Mercury and
Zenith (10 + 3 × 8 minutes, inside the hour).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import meeting_live as render
from bot.meetings import facts, minutes, occurrences, plans
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import (
    ActionItem,
    AuditEvent,
    Decision,
    DecisionRequest,
    Meeting,
    MeetingOccurrence,
    OutboxMessage,
    Program,
    RaidItem,
    Workspace,
)
from storage.types import DecisionRequestState, MeetingState
from tests.conftest import START, Bot, ManualClock
from tests.flow import text_of

STEER = "CSTEER"
HOSTILE = "<!channel> vendor late <https://evil.example|click>"
QUESTION = "Extend the budget by <!here> 10%?"
GUEST_REFUSAL = "Guest accounts can't see or change PMO data here."
MOVED_ON = "already moved on"


def add_meeting(
    session: Session,
    *,
    now: datetime,
    team_id: str = "T0001",
    channel_id: str = STEER,
    chair: str = "ULEAD",
    attendees: tuple[str, ...] = ("ULEAD", "ULEAD2"),
) -> Meeting:
    """A weekly Wednesday 15:00 Berlin meeting, as `meeting schedule` would store it."""
    meeting = Meeting(
        team_id=team_id,
        channel_id=channel_id,
        chair_id=chair,
        days="wed",
        at="15:00",
        every_weeks=1,
        anchor=now.date(),
        length_minutes=60,
        portfolio=None,
        timezone="Europe/Berlin",
        attendees=list(attendees),
        created_at=now,
    )
    meeting.next_due_at = plans.next_start(meeting, after=now)
    session.add(meeting)
    session.flush()
    return meeting


@pytest.fixture
def planned(slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session]) -> int:
    """#steering's meeting, its red programs and Zephyr's question; returns the meeting id."""
    fake.add_channel(STEER, "steering", members=["ULEAD", "ULEAD2", "UOTHER", "UADMIN"])
    for name, owner in (("Apollo", "ULEAD"), ("Mercury", "ULEAD2"), ("Zenith", "ULEAD")):
        slack.command("UADMIN", f"program add {name} owner:<@{owner}|x>")
    slack.command("UADMIN", "program add Zephyr owner:<@ULEAD2|kim>")
    with sessions.begin() as session:
        for program in session.scalars(select(Program).where(Program.key != "zephyr")):
            program.rag, program.rag_since, program.trend = (
                "red",
                START - timedelta(days=2),
                ["red"],
            )
            program.last_summary = HOSTILE if program.key == "apollo" else "late"
            program.path_to_green = "new vendor by *Friday*" if program.key == "apollo" else None
        zephyr = session.scalars(select(Program).where(Program.key == "zephyr")).one()
        meeting = add_meeting(session, now=START)
        session.add(
            DecisionRequest(
                team_id="T0001",
                program_id=zephyr.id,
                question=QUESTION,
                options=["Yes", "No"],
                by_date=date(2026, 12, 1),
                requested_by="ULEAD2",
                created_at=START,
                meeting_id=meeting.id,
            )
        )
        return meeting.id


@pytest.fixture
def steering(planned: int, sessions: sessionmaker[Session]) -> int:
    """`planned`, with today's agenda frozen as the agenda post would have: the question (10
    minutes), then Apollo, Mercury and Zenith (8 each). Returns the meeting id."""
    with sessions.begin() as session:
        meeting = session.get(Meeting, planned)
        assert meeting is not None
        request = session.scalars(select(DecisionRequest)).one()
        items = [
            facts.AgendaItem(
                ref=f"request:{request.id}",
                kind=facts.DECISION,
                title=QUESTION,
                owner_id="ULEAD2",
                minutes=10,
                detail=QUESTION,
                program_id=request.program_id,
                request_id=request.id,
                options=("Yes", "No"),
                due="2026-12-01",
            )
        ]
        for program in session.scalars(
            select(Program).where(Program.rag == "red").order_by(Program.name)
        ):
            items.append(
                facts.AgendaItem(
                    ref=f"program:{program.id}",
                    kind=facts.RED,
                    title=program.name,
                    owner_id=program.owner_id,
                    minutes=8,
                    program_id=program.id,
                )
            )
        today = occurrences.for_start(session, meeting=meeting, start=START)
        today.agenda = [item.as_json() for item in items]
    return planned


def live_posts(fake: FakeSlack) -> list[dict[str, Any]]:
    """The bot's top-level messages in #steering."""
    return [m for m in fake.messages(STEER) if not m.get("thread_ts")]


def the_live_message(fake: FakeSlack) -> dict[str, Any]:
    [message] = live_posts(fake)
    return message


def controls(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons and selects of a message."""
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def thread_replies(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.messages(STEER) if m.get("thread_ts")]


def last_answer(fake: FakeSlack) -> str:
    return text_of(fake.responses[-1]["body"])


def occurrence(sessions: sessionmaker[Session]) -> MeetingOccurrence:
    with sessions() as session:
        return session.scalars(select(MeetingOccurrence)).one()


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def started(slack: SlackDriver, bot: Bot, fake: FakeSlack) -> dict[str, Any]:
    reply = slack.command("ULEAD", "meeting start", channel_id=STEER)
    assert "Started the steering meeting in <#CSTEER> with 4 items" in text_of(reply.body)
    assert "extra meeting" not in text_of(reply.body)  # it is the day's scheduled one
    bot.settle()
    return the_live_message(fake)


def click(slack: SlackDriver, bot: Bot, fake: FakeSlack, user: str, action: str) -> None:
    slack.click_button(user, the_live_message(fake), action)
    bot.settle()


def decide(slack: SlackDriver, fake: FakeSlack, user: str, **values: object) -> Any:
    slack.click_button(user, the_live_message(fake), render.RECORD_ACTION)
    view = fake.last_view(user)
    return slack.submit_view(user, view, {"decision": "Extend by 10%", **values})


def add_action(slack: SlackDriver, fake: FakeSlack, user: str, title: str, **values: object) -> Any:
    slack.click_button(user, the_live_message(fake), render.ADD_ACTION)
    view = fake.last_view(user)
    due = (START + timedelta(days=7)).date()
    return slack.submit_view(user, view, {"title": title, "owner": "ULEAD2", "due": due, **values})


def test_a_chair_walks_the_agenda_records_and_closes_and_show_returns_the_minutes_as_posted(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,
) -> None:
    message = started(slack, bot, fake)
    shown = text_of(message)
    assert "*Item 1 of 4*" in shown and "Decision requested" in shown
    assert "Extend the budget by &lt;!here&gt; 10%?" in shown and "*Options:* Yes · No" in shown
    assert "10 min · since 15:00, until 15:10" in shown and "Owner: <@ULEAD2>" in shown
    buttons = [e["action_id"] for e in controls(message)]
    assert buttons[:4] == [
        render.RECORD_ACTION,
        render.ADD_ACTION,
        render.PARK_ACTION,
        render.NEXT_ACTION,
    ]

    clock.advance(minutes=4)
    reply = decide(slack, fake, "ULEAD2", option="Yes", rationale="Cheaper than a slip <@UOTHER>")
    assert reply.body["response_action"] == "update"
    assert "Recorded *D-1*: Extend by 10%" in text_of(reply.body["view"])
    bot.settle()
    assert "So far: 1 decision · 0 actions" in text_of(the_live_message(fake))
    with sessions() as session:
        decision = session.scalars(select(Decision)).one()
        assert (decision.option, decision.decided_by) == ("Yes", ["ULEAD"])
        request = session.scalars(select(DecisionRequest)).one()
        assert request.state == DecisionRequestState.DECIDED
        assert session.scalars(select(RaidItem)).one().title.startswith("D-1: ")

    clock.advance(minutes=6)
    click(slack, bot, fake, "ULEAD2", render.NEXT_ACTION)
    shown = text_of(the_live_message(fake))
    assert "*Item 2 of 4*" in shown and "*Apollo* is red: &lt;!channel&gt; vendor late" in shown
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "_Path to green:_ new vendor by *Friday*" in shown
    assert "8 min · since 15:10, until 15:18" in shown

    for title in ("Sign the vendor <!here>", "Book the review"):
        reply = add_action(slack, fake, "ULEAD", title)
        assert reply.body["response_action"] == "update"
    bot.settle()
    assert "So far: 1 decision · 2 actions" in text_of(the_live_message(fake))
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)
    click(slack, bot, fake, "ULEAD2", render.PARK_ACTION)  # Mercury
    assert "*Item 4 of 4*" in text_of(the_live_message(fake))
    assert occurrence(sessions).outcomes["program:2"] == "parked"

    clock.advance(minutes=20)
    reply = slack.command("ULEAD", "meeting close", channel_id=STEER)
    assert "Closed the steering meeting in <#CSTEER>: 1 decision, 2 actions" in text_of(reply.body)
    bot.settle()
    closed = the_live_message(fake)
    assert "closed at 15:30 by <@ULEAD>" in text_of(closed)
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]
    [minutes] = thread_replies(fake)
    assert minutes["thread_ts"] == closed["ts"]
    said = text_of(minutes)
    assert "Minutes: steering meeting, Wed 25 Nov 2026" in said
    assert "15:00–15:30 (Europe/Berlin) · chair <@ULEAD>" in said
    assert "*Attendees:* <@ULEAD>, <@ULEAD2>" in said
    assert "*D-1* on Extend the budget by &lt;!here&gt; 10%?: Extend by 10% — option: Yes" in said
    assert "_Rationale:_ Cheaper than a slip &lt;@UOTHER&gt;" in said
    assert "Decided by <@ULEAD>" in said
    assert "*A-1* on Apollo: Sign the vendor &lt;!here&gt; · <@ULEAD2> · due Wed 2 Dec 2026" in said
    assert "*A-2* on Apollo: Book the review" in said
    assert "*Parked* (1)\n• Mercury · <@ULEAD2>" in said
    assert "*Not reached (carried to the next agenda)* (1)\n• Zenith · <@ULEAD>" in said
    stored = occurrence(sessions)
    assert stored.state == MeetingState.CLOSED and stored.minutes is not None
    again = slack.command("ULEAD", "meeting close", channel_id=STEER)
    assert "Today's steering meeting in <#CSTEER> was closed already; see `/pmo meeting show " in (
        text_of(again.body)
    )
    bot.settle()
    assert len(thread_replies(fake)) == 1

    clock.advance(days=3)
    reply = slack.command("UOTHER", "meeting show 2026-11-25", channel_id=STEER)
    assert reply.body["text"] == minutes["text"] and reply.body["blocks"] == minutes["blocks"]
    reply = slack.command("UOTHER", "meeting show wed 25 nov <#CSTEER|steering>")
    assert reply.body["blocks"] == minutes["blocks"]

    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "meeting_occurrence")
        )
        assert [e.action for e in events] == ["start", "next", "next", "park", "close"]


def test_two_next_clicks_move_on_once_and_the_second_is_told(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    slack.click_button("ULEAD", message, render.NEXT_ACTION)
    slack.click_button("ULEAD2", message, render.NEXT_ACTION)  # the same message, at once
    assert MOVED_ON in last_answer(fake)
    slack.click_button("ULEAD", message, render.PARK_ACTION)
    assert MOVED_ON in last_answer(fake)
    bot.settle()
    row = occurrence(sessions)
    assert row.current == 1 and row.outcomes.get("request:1") == "discussed"
    assert "program:1" not in row.outcomes
    assert "*Item 2 of 4*" in text_of(the_live_message(fake))
    edits = [c for c in fake.calls_to("chat.update")]
    assert len(edits) == 1


def test_two_decision_submissions_record_one_and_the_second_hears_who_was_first(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    slack.click_button("ULEAD", message, render.RECORD_ACTION)
    lee = fake.last_view("ULEAD")
    slack.click_button("ULEAD2", message, render.RECORD_ACTION)
    kim = fake.last_view("ULEAD2")
    first = slack.submit_view("ULEAD", lee, {"decision": "Extend", "option": "Yes"})
    second = slack.submit_view("ULEAD2", kim, {"decision": "Do not extend", "option": "No"})
    assert "Recorded *D-1*" in text_of(first.body["view"])
    told = text_of(second.body["view"])
    assert "D-1 was recorded for this item by <@ULEAD>" in told
    assert "nothing was recorded twice" in told and "You wrote: Do not extend" in told
    assert count(sessions, Decision) == 1 and count(sessions, RaidItem) == 1
    with sessions() as session:
        assert session.get(Workspace, "T0001").decision_seq == 1  # type: ignore[union-attr]


def test_the_same_action_added_twice_from_one_item_is_added_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    add_action(slack, fake, "ULEAD", "Ask finance")
    again = add_action(slack, fake, "ULEAD2", "Ask  finance")
    assert "was added for this item by <@ULEAD>" in text_of(again.body["view"])
    assert count(sessions, ActionItem) == 1
    assert occurrence(sessions).outcomes["request:1"] == "actioned"


def test_the_live_message_shows_what_was_recorded_on_the_item_and_no_second_record_button(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    add_action(slack, fake, "ULEAD", "Ask <!here> finance")
    bot.settle()
    message = the_live_message(fake)
    said = text_of(message)
    assert "*Recorded on this item*" in said and "*A-1* Ask &lt;!here&gt; finance" in said
    assert render.RECORD_ACTION in [e["action_id"] for e in controls(message)]
    decide(slack, fake, "ULEAD", decision=HOSTILE, option="Yes")
    bot.settle()
    message = the_live_message(fake)
    said = text_of(message)
    assert "*D-1* &lt;!channel&gt; vendor late" in said and "option: Yes" in said
    assert "<!channel>" not in said and "Item 1 of 4" in said
    buttons = {e["action_id"]: e for e in controls(message) if e["type"] == "button"}
    assert render.RECORD_ACTION not in buttons
    assert buttons[render.NEXT_ACTION]["style"] == "primary"
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)
    message = the_live_message(fake)
    assert "Recorded on this item" not in text_of(message) and "Item 2 of 4" in text_of(message)
    assert render.RECORD_ACTION in [e["action_id"] for e in controls(message)]


def test_record_decision_or_park_on_an_old_copy_of_a_decided_item_changes_nothing(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    old = started(slack, bot, fake)
    decide(slack, fake, "ULEAD", decision="Extend", option="Yes")
    bot.settle()
    slack.click_button("ULEAD2", old, render.RECORD_ACTION)
    bot.settle()
    said = last_answer(fake)
    assert "This item is decided already: D-1, recorded by <@ULEAD>" in said
    assert fake.views("ULEAD2") == []  # no modal that could only end in "already recorded"
    slack.click_button("ULEAD", old, render.PARK_ACTION)  # the old copy still offers it
    bot.settle()
    assert occurrence(sessions).outcomes["request:1"] == "decided"
    assert count(sessions, Decision) == 1


def test_stale_messages_and_buttons_change_nothing(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    old = started(slack, bot, fake)
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)
    before = occurrence(sessions)
    for action in (render.PARK_ACTION, render.NEXT_ACTION, render.RECORD_ACTION, render.ADD_ACTION):
        slack.click_button("ULEAD2", old, action)
        assert MOVED_ON in last_answer(fake)
    with pytest.raises(LookupError):
        fake.last_view("ULEAD2")  # no modal was opened
    after = occurrence(sessions)
    assert (after.current, after.version, after.outcomes) == (
        before.current,
        before.version,
        before.outcomes,
    )


def test_a_modal_submitted_after_the_meeting_moved_on_still_records_its_item(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    slack.click_button("ULEAD2", message, render.RECORD_ACTION)
    view = fake.last_view("ULEAD2")
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)
    reply = slack.submit_view("ULEAD2", view, {"decision": "Extend", "option": "Yes"})
    assert "Recorded *D-1*" in text_of(reply.body["view"])
    row = occurrence(sessions)
    assert row.outcomes["request:1"] == "decided" and row.current == 1


def test_modal_errors_are_shown_on_their_field(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    past = add_action(slack, fake, "ULEAD", "Late one", due=date(2026, 11, 20))
    assert past.body["response_action"] == "errors"
    assert "is in the past" in past.body["errors"]["due"]
    guest_owner = add_action(slack, fake, "ULEAD", "Guest's", owner="UGUEST")
    assert "can't own an action" in guest_owner.body["errors"]["owner"]
    blank = decide(slack, fake, "ULEAD", decision="   ")
    assert blank.body["response_action"] == "errors" and "decision" in blank.body["errors"]
    assert count(sessions, ActionItem) == count(sessions, Decision) == 0


def test_guests_and_non_attendees_can_neither_start_nor_take_part(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    fake.add_channel(STEER, "steering", members=["ULEAD", "ULEAD2", "UOTHER", "UADMIN", "UGUEST"])
    guest = slack.command("UGUEST", "meeting start", channel_id=STEER)
    assert GUEST_REFUSAL in text_of(guest.body)
    other = slack.command("UOTHER", "meeting start", channel_id=STEER)
    assert "Only the attendees of the meeting in <#CSTEER>" in text_of(other.body)
    assert occurrence(sessions).state == MeetingState.SCHEDULED and live_posts(fake) == []

    message = started(slack, bot, fake)
    for user, refusal in (("UGUEST", GUEST_REFUSAL), ("UOTHER", "Only the attendees")):
        for action in render.RECORD_ACTION, render.ADD_ACTION, render.PARK_ACTION:
            slack.click_button(user, message, action)
            assert refusal in last_answer(fake)
        slack.click_button(user, message, render.NEXT_ACTION)
        assert refusal in last_answer(fake)
    slack.click_button("ULEAD2", message, render.RECORD_ACTION)
    view = fake.last_view("ULEAD2")
    for user, refusal in (("UGUEST", GUEST_REFUSAL), ("UOTHER", "Only the attendees")):
        reply = slack.submit_view(user, view, {"decision": "Mine"})
        assert refusal in next(iter(reply.body["errors"].values()))
    assert occurrence(sessions).current == 0 and count(sessions, Decision) == 0
    slack.click_button("UADMIN", message, render.NEXT_ACTION)  # an admin takes part
    assert occurrence(sessions).current == 1
    closing = slack.command("ULEAD2", "meeting close", channel_id=STEER)
    assert "Only the chair <@ULEAD> or a PMO admin can close" in text_of(closing.body)


def test_crafted_values_naming_another_workspaces_or_no_occurrence_are_refused(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    with sessions.begin() as session:
        session.add(Workspace(team_id="T0002", timezone="UTC", created_at=START))
        session.flush()
        theirs = add_meeting(session, now=START, team_id="T0002", channel_id="CTHEIRS")
        row = MeetingOccurrence(
            team_id="T0002",
            meeting_id=theirs.id,
            period="2026-11-25T15:00",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            state=MeetingState.LIVE,
            current=0,
            outcomes={},
            version=1,
        )
        session.add(row)
        session.flush()
        other_id = row.id
    values = [f"{other_id}:0:request:1", "999:0:request:1", "abc", "1:x:request:1", "1:0:"]
    actions = (render.RECORD_ACTION, render.ADD_ACTION, render.PARK_ACTION, render.NEXT_ACTION)
    for action in (*actions, render.TAKE_ACTION):
        for value in values:
            slack.click("ULEAD", action, value=value, message=message)
            answer = last_answer(fake)
            assert "not one I know" in answer or "out of date" in answer, (action, value)
    for value in (str(other_id), "999", "x"):
        slack.click("UADMIN", render.CLOSE_ACTION, value=value, message=message)
        assert "not one I know" in last_answer(fake) or "out of date" in last_answer(fake)
    slack.click_button("ULEAD", message, render.RECORD_ACTION)
    decision_view = fake.last_view("ULEAD")
    slack.click_button("ULEAD", message, render.ADD_ACTION)
    action_view = fake.last_view("ULEAD")
    for view, fields in ((decision_view, {"decision": "x"}), (action_view, {"title": "x"})):
        for metadata in (f"{other_id}:request:1", "999:request:1", "nope", "1:program:999"):
            reply = slack.submit_view("ULEAD", {**view, "private_metadata": metadata}, fields)
            error = next(iter(reply.body["errors"].values()))
            assert "not one I know" in error or "out of date" in error, metadata
    assert count(sessions, Decision) == count(sessions, ActionItem) == 0
    with sessions() as session:
        assert session.get(MeetingOccurrence, other_id).version == 1  # type: ignore[union-attr]


def test_only_the_chair_or_an_admin_takes_an_item_up_out_of_order(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    [select_] = [e for e in controls(message) if e["action_id"] == render.TAKE_ACTION]
    zenith = next(o["value"] for o in select_["options"] if "Zenith" in o["text"]["text"])
    slack.click("ULEAD2", render.TAKE_ACTION, value=zenith, message=message)
    assert "Only the chair <@ULEAD> or a PMO admin can reorder" in last_answer(fake)
    slack.click("ULEAD", render.TAKE_ACTION, value=zenith, message=message)
    bot.settle()
    shown = text_of(the_live_message(fake))
    assert "*Item 1 of 4*" in shown and "*Zenith*" in shown
    assert "Up next: Extend the budget" in shown  # the question comes right after
    slack.click("ULEAD", render.TAKE_ACTION, value=zenith, message=message)  # stale: done
    assert MOVED_ON in last_answer(fake)


def test_after_the_last_item_the_chair_closes_from_the_message(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    for _ in range(4):
        click(slack, bot, fake, "ULEAD2", render.NEXT_ACTION)
    shown = the_live_message(fake)
    assert "All done: 4 items." in text_of(shown)
    slack.click_button("ULEAD2", shown, render.CLOSE_ACTION)
    assert "Only the chair <@ULEAD> or a PMO admin can close" in last_answer(fake)
    slack.click_button("UADMIN", shown, render.CLOSE_ACTION)
    slack.click_button("ULEAD", shown, render.CLOSE_ACTION)  # a second close: told, no minutes
    assert "closed already by <@UADMIN>" in last_answer(fake)
    bot.settle()
    assert len(thread_replies(fake)) == 1
    assert "*Discussed* (4)" in text_of(thread_replies(fake)[0])
    assert occurrence(sessions).closed_by == "UADMIN"


def test_start_refuses_a_second_start_a_meeting_held_today_and_channels_without_one(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    again = slack.command("ULEAD2", "meeting start <#CSTEER|steering>")
    assert "already live (started by <@ULEAD>)" in text_of(again.body)
    slack.command("ULEAD", "meeting close", channel_id=STEER)
    held = slack.command("ULEAD", "meeting start", channel_id=STEER)
    assert "was already held; see `/pmo meeting show 2026-11-25 <#CSTEER>`" in text_of(held.body)
    nowhere = slack.command("ULEAD", "meeting start", channel_id="CAPOLLO")
    assert "<#CAPOLLO> has no steering meeting" in text_of(nowhere.body)
    bad = slack.command("ULEAD", "meeting start steering")
    assert "“steering” is not a channel" in text_of(bad.body)
    assert count(sessions, MeetingOccurrence) == 1


def test_starting_on_a_day_without_a_meeting_opens_an_unscheduled_one(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,
) -> None:
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday
    reply = slack.command("ULEAD2", "meeting start", channel_id=STEER)
    said = text_of(reply.body)
    assert "Started" in said
    assert (
        "Today is not one of its days, so this is an extra meeting; the next scheduled one, "
        "Wed 2 Dec at 15:00, still takes place."
    ) in said
    with sessions() as session:
        row = session.scalars(
            select(MeetingOccurrence).where(MeetingOccurrence.state == "live")
        ).one()
    assert row.period.startswith("live:2026-11-27T10:00")


def test_show_a_day_without_a_meeting_names_the_nearest_days_held(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,
) -> None:
    live_now = slack.command("UOTHER", "meeting show today", channel_id=STEER)
    assert "No steering meeting was held in <#CSTEER> on Wed 25 Nov 2026" in text_of(live_now.body)
    started(slack, bot, fake)
    live_now = slack.command("UOTHER", "meeting show today", channel_id=STEER)
    assert "on Wed 25 Nov 2026 is live now" in text_of(live_now.body)
    slack.command("ULEAD", "meeting close", channel_id=STEER)
    clock.advance(days=2)
    none = slack.command("UOTHER", "meeting show yesterday", channel_id=STEER)
    said = text_of(none.body)
    assert "No steering meeting was held in <#CSTEER> on Thu 26 Nov 2026" in said
    assert "`2026-11-25` (Wed 25 Nov 2026)" in said
    guest = slack.command("UGUEST", "meeting show 2026-11-25", channel_id=STEER)
    assert GUEST_REFUSAL in text_of(guest.body)
    blank = slack.command("UOTHER", "meeting show", channel_id=STEER)
    assert "Give the date the meeting was held" in text_of(blank.body)
    nonsense = slack.command("UOTHER", "meeting show someday soon", channel_id=STEER)
    assert "someday soon" in text_of(nonsense.body)


def test_clicks_and_submissions_at_the_same_moment_count_once(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    message = started(slack, bot, fake)
    slack.click_button("ULEAD", message, render.RECORD_ACTION)
    lee = fake.last_view("ULEAD")
    slack.click_button("ULEAD2", message, render.RECORD_ACTION)
    kim = fake.last_view("ULEAD2")
    with ThreadPoolExecutor(max_workers=2) as pool:
        submitted = list(
            pool.map(
                lambda pair: slack.submit_view(pair[0], pair[1], {"decision": f"By {pair[0]}"}),
                [("ULEAD", lee), ("ULEAD2", kim)],
            )
        )
    receipts = sorted(text_of(reply.body["view"]) for reply in submitted)
    assert len([r for r in receipts if "Recorded *D-1*" in r]) == 1
    assert len([r for r in receipts if "D-1 was recorded for this item" in r]) == 1
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda user: slack.click_button(user, message, render.NEXT_ACTION),
                ["ULEAD", "ULEAD2"],
            )
        )
    bot.settle()
    row = occurrence(sessions)
    assert row.current == 1 and count(sessions, Decision) == 1
    assert sum(MOVED_ON in text_of(r["body"]) for r in fake.responses) == 1


def test_show_says_a_meeting_nobody_started_was_missed(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,
) -> None:
    clock.advance(hours=2)
    with sessions.begin() as session:
        meeting = session.get(Meeting, steering)
        space = session.get(Workspace, "T0001")
        assert meeting is not None and space is not None
        row = occurrences.for_start(session, meeting=meeting, start=START)
        minutes.record_missed(
            session, occurrence=row, meeting=meeting, now=clock.now, workspace=space
        )
    reply = slack.command("UOTHER", "meeting show today", channel_id=STEER)
    assert "on Wed 25 Nov 2026 was not started: it is recorded as missed" in text_of(reply.body)
    assert "Its agenda carries over to Wed 2 Dec 2026." in text_of(reply.body)
    assert "Extend the budget by &lt;!here&gt; 10%?" in text_of(reply.body)  # carried over


def test_start_builds_the_agenda_with_the_meetings_questions_first(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], planned: int
) -> None:
    reply = slack.command("ULEAD", "meeting start", channel_id=STEER)
    assert "Started the steering meeting in <#CSTEER>" in text_of(reply.body)
    bot.settle()
    shown = text_of(the_live_message(fake))
    assert "*Item 1 of " in shown and "Extend the budget by &lt;!here&gt; 10%?" in shown
    row = occurrence(sessions)
    with sessions() as session:
        apollo = session.scalars(select(Program).where(Program.key == "apollo")).one()
    refs = [item["ref"] for item in row.agenda or []]
    assert refs[0] == "request:1" and f"program:{apollo.id}" in refs
    assert row.outcomes["_live"]["order"][0] == "request:1"


def test_an_edit_that_failed_is_not_sent_after_a_newer_one(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    started(slack, bot, fake)
    fake.fail_next("chat.update", "internal_error")  # Slack fails the first edit: it waits
    click(slack, bot, fake, "ULEAD", render.NEXT_ACTION)
    shown = the_live_message(fake)
    assert "*Item 1 of 4*" in text_of(shown)  # not edited yet
    value = f"{occurrence(sessions).id}:1:program:1"  # Next on item 2, as Slack would show it
    slack.click("ULEAD", render.NEXT_ACTION, value=value, message=shown)
    bot.settle()
    assert "*Item 3 of 4*" in text_of(the_live_message(fake))
    bot.outbox.drain()
    assert "*Item 3 of 4*" in text_of(the_live_message(fake))  # v2 never overwrites v3
    with sessions() as session:
        states = dict(
            session.execute(
                select(OutboxMessage.dedupe_key, OutboxMessage.state).where(
                    OutboxMessage.dedupe_key.like("meeting-live:%")
                )
            ).all()
        )
    row = occurrence(sessions)
    assert states[f"meeting-live:{row.id}:v2"] == "withdrawn"
    assert states[f"meeting-live:{row.id}:v3"] == "sent"
