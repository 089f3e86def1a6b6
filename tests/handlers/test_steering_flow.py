"""Issue 15's "done when", tried as a chair would: a fortnightly steering meeting from its
scheduling to the agenda after next, through signed HTTP and scheduler passes, two of them run
as `pmo-bot tick --now …` processes.

People: Lee (Berlin) chairs #steering, Mondays 10:00 Berlin every two weeks, with Kim (Tokyo)
and Ada (a PMO admin). Lee owns Apollo, Kim owns Hermes, Otto (New York, not an attendee) owns
Zephyr. Set-up is Wednesday 25 Nov 2026; the first meeting is Monday 30 Nov, the next 14 Dec.

- Lee and Kim each put a question to the meeting; Zephyr goes red.
- Friday 27 Nov 10:00 Berlin (one working day before): Lee, Kim and Otto get one pre-read DM
  each, Otto's when his day starts in New York; Ada, who owns nothing on the agenda, none.
- Monday 30 Nov 09:00 Berlin: the agenda is posted once, the two questions first, then Zephyr.
- 10:00: Lee starts the meeting. Apollo's question is decided (Kim and Ada submit at once: one
  decision, D-1), Hermes's gets an action for Kim and is parked, Zephyr gets an action for Otto
  due Thursday 3 Dec. Lee closes; the minutes are posted once, `meeting show` returns them.
- Kim marks hers done; Otto's goes overdue and he is reminded once, on Friday 4 Dec.
- Monday 14 Dec: the agenda carries Otto's open action and the parked question.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import decisions as decision_blocks
from bot.blocks import meeting_live as live
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import ActionItem, Decision, MeetingOccurrence
from storage.types import ActionState, MeetingState
from tests.conftest import Bot, ManualClock, Pass
from tests.flow import text_of, tick_process

STEER = "CSTEER"
PREREAD_DUE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 10:00 Berlin
AGENDA_DUE = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
STARTS = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 Berlin
NEXT_AGENDA_DUE = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
TICKED = (AGENDA_DUE, datetime(2026, 12, 4, 13, 0, tzinfo=UTC))  # Otto's overdue reminder
APOLLO_Q = "Go live before Christmas?"
HERMES_Q = "Extend the vendor contract?"
OTTO_ACTION = "Re-plan Zephyr with the vendor"
KIM_ACTION = "Draft the extension terms"


def passes(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    at = start
    while at <= end:
        yield at
        at += step


def prereads(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in fake.dms(user) if "steering agenda" in m["text"]]


def agendas(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.messages(STEER) if m["text"].startswith("Steering agenda")]


def live_message(fake: FakeSlack) -> dict[str, Any]:
    [message] = [
        m
        for m in fake.messages(STEER)
        if not m.get("thread_ts") and not m["text"].startswith("Steering agenda")
    ]
    return message


def minutes_posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.messages(STEER) if m.get("thread_ts")]


def run(
    moments: Iterator[datetime],
    *,
    run_pass: Pass,
    clock: ManualClock,
    fake: FakeSlack,
    engine: Engine,
) -> None:
    """Scheduler passes at each moment; those in TICKED as their own `pmo-bot tick` process."""
    for at in moments:
        if at in TICKED:
            clock.now = at
            tick_process(at, fake=fake, engine=engine)
        else:
            run_pass(at)


@pytest.fixture
def scheduled(slack: SlackDriver, fake: FakeSlack, clock: ManualClock) -> None:
    """The programs, the meeting, the two questions and Zephyr's red (Wed 25–Thu 26 Nov)."""
    fake.add_channel(STEER, "steering", members=["ULEAD", "ULEAD2", "UADMIN", "UOTHER"])
    for name, owner in (("Apollo", "ULEAD"), ("Hermes", "ULEAD2"), ("Zephyr", "UOTHER")):
        slack.command("UADMIN", f"program add {name} owner:<@{owner}|x>")
        slack.command(owner, f"status {name.lower()} green on plan")
    reply = slack.command(
        "ULEAD",
        'meeting schedule <#CSTEER|steering> "mon 10:00" every:2w <@ULEAD2|kim> <@UADMIN|ada>',
        channel_id=STEER,
    )
    assert "Next: *Mon 30 Nov 2026 10:00*" in text_of(reply.body)
    asked = slack.command(
        "ULEAD", f'decision request apollo "{APOLLO_Q}" by:dec 4 options:"Yes|No"'
    )
    assert "Put to the steering meeting in <#CSTEER>" in text_of(asked.body)
    asked = slack.command("ULEAD2", f'decision request hermes "{HERMES_Q}"')
    assert "Put to the steering meeting in <#CSTEER>" in text_of(asked.body)
    clock.now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    slack.command("UOTHER", "status zephyr red vendor slipped two weeks")


def test_a_fortnightly_steering_meeting_from_scheduling_to_the_agenda_after_next(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    engine: Engine,
    clock: ManualClock,
    run_pass: Pass,
    scheduled: None,
) -> None:
    hourly = timedelta(hours=1)
    # Up to the agenda: a pass every half hour, the agenda's own as a `tick` process.
    run(
        passes(datetime(2026, 11, 26, 15, 30, tzinfo=UTC), AGENDA_DUE, timedelta(minutes=30)),
        run_pass=run_pass, clock=clock, fake=fake, engine=engine,
    )  # fmt: skip

    # The pre-read went to exactly the agenda's owners, once each, in their own hours.
    assert [len(prereads(fake, u)) for u in ("ULEAD", "ULEAD2", "UOTHER", "UADMIN")] == [1, 1, 1, 0]
    assert "*Apollo* is on Monday's steering agenda" in prereads(fake, "ULEAD")[0]["text"]
    assert (
        "*Zephyr* is on Monday's steering agenda: red since" in prereads(fake, "UOTHER")[0]["text"]
    )

    # The agenda was posted once, by the tick an hour before: the questions first, then Zephyr.
    [agenda] = agendas(fake)
    shown = text_of(agenda)
    assert shown.index(APOLLO_Q) < shown.index(HERMES_Q) < shown.index("Zephyr")

    # The meeting, live.
    clock.now = STARTS
    reply = slack.command("ULEAD", "meeting start", channel_id=STEER)
    assert "Started the steering meeting in <#CSTEER>" in text_of(reply.body)
    bot.settle()
    assert APOLLO_Q in text_of(live_message(fake))
    # Kim and Ada both open Record decision on Apollo's question and submit: one decision.
    slack.click_button("ULEAD2", live_message(fake), live.RECORD_ACTION)
    kims = fake.last_view("ULEAD2")
    slack.click_button("UADMIN", live_message(fake), live.RECORD_ACTION)
    adas = fake.last_view("UADMIN")
    clock.now = STARTS + timedelta(minutes=8)
    decided = {"decision": "Go live on 14 Dec", "option": "Yes", "rationale": "Tests are green"}
    slack.submit_view("ULEAD2", kims, decided | {"decided_by": ["ULEAD", "UADMIN"]})
    second = slack.submit_view("UADMIN", adas, {"decision": "Wait for January", "option": "No"})
    assert "D-1 was recorded for this item by <@ULEAD2>" in text_of(second.body) + text_of(
        fake.responses[-1]["body"] if fake.responses else None
    )
    bot.settle()
    # Next item twice from the same message (a double click): it moves on once.
    shown_before = live_message(fake)
    slack.click_button("ULEAD2", shown_before, live.NEXT_ACTION)
    slack.click_button("ULEAD2", shown_before, live.NEXT_ACTION)
    bot.settle()
    assert HERMES_Q in text_of(live_message(fake))
    clock.now = STARTS + timedelta(minutes=15)
    add_action(slack, fake, "ULEAD", KIM_ACTION, owner="ULEAD2", due="2026-12-02")
    bot.settle()
    slack.click_button("ULEAD", live_message(fake), live.PARK_ACTION)
    bot.settle()
    assert "Zephyr" in text_of(live_message(fake))
    clock.now = STARTS + timedelta(minutes=25)
    add_action(slack, fake, "ULEAD", OTTO_ACTION, owner="UOTHER", due="2026-12-03")
    bot.settle()
    clock.now = STARTS + timedelta(minutes=40)
    closed = slack.command("ULEAD", "meeting close", channel_id=STEER)
    assert "minutes" in text_of(closed.body)
    bot.settle()

    with sessions() as session:
        assert [(d.number, d.option) for d in session.scalars(select(Decision))] == [(1, "Yes")]
        actions = {a.title: a.number for a in session.scalars(select(ActionItem))}
        assert actions == {KIM_ACTION: 1, OTTO_ACTION: 2}

    # The close job 30 minutes after the end posts nothing more; show gives the minutes as posted.
    run(passes(STARTS, STARTS + timedelta(hours=3), timedelta(minutes=30)),
        run_pass=run_pass, clock=clock, fake=fake, engine=engine)  # fmt: skip
    [posted] = minutes_posts(fake)
    written = text_of(posted)
    assert "Mon 30 Nov 2026, 10:00–10:40 (Europe/Berlin) · chair <@ULEAD>" in written
    assert "*Attendees:* <@ULEAD2>, <@UADMIN>" in written
    assert (
        "*D-1* on Apollo — Go live before Christmas?: Go live on 14 Dec — option: Yes" in written
        and "Tests are green" in written
    )
    assert "Decided by <@ULEAD>, <@UADMIN>" in written
    assert f"*A-1* on Hermes — Extend the vendor contract?: {KIM_ACTION} · <@ULEAD2>" in written
    assert f"*A-2* on Zephyr: {OTTO_ACTION} · <@UOTHER> · due Thu 3 Dec 2026" in written
    assert f"*Parked* (1)\n• Hermes — {HERMES_Q}" in written
    show = slack.command("UOTHER", "meeting show 2026-11-30 <#CSTEER|steering>")
    assert show.body["blocks"] == posted["blocks"]

    # Kim is done with hers; Otto's goes overdue and he is told once.
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    [kims_dm] = [m for m in fake.dms("ULEAD2") if KIM_ACTION in m["text"]]
    slack.click_button("ULEAD2", kims_dm, decision_blocks.DONE_ACTION)
    run(passes(STARTS + timedelta(hours=4), NEXT_AGENDA_DUE - timedelta(days=3), hourly),
        run_pass=run_pass, clock=clock, fake=fake, engine=engine)  # fmt: skip
    # Friday before: the chair's preview already carries the parked question and the action.
    preview = text_of(slack.command("ULEAD", "meeting agenda", channel_id=STEER).body)
    assert "Steering agenda · Mon 14 Dec 2026, 10:00" in preview
    assert HERMES_Q in preview and OTTO_ACTION in preview
    run(passes(NEXT_AGENDA_DUE - timedelta(days=3) + hourly, NEXT_AGENDA_DUE, hourly),
        run_pass=run_pass, clock=clock, fake=fake, engine=engine)  # fmt: skip
    overdue = [m for m in fake.dms("UOTHER") if m["text"].startswith(":warning: Overdue since")]
    assert len(overdue) == 1 and OTTO_ACTION in overdue[0]["text"]
    assert not [m for m in fake.dms("ULEAD2") if m["text"].startswith(":warning: Overdue")]

    # The next agenda carries Otto's open action and the parked question.
    with sessions() as session:
        first = session.scalars(select(MeetingOccurrence).order_by(MeetingOccurrence.id)).first()
        assert first is not None and first.state == MeetingState.CLOSED
        open_actions = session.scalars(
            select(ActionItem.number).where(ActionItem.state == ActionState.OPEN)
        ).all()
        assert open_actions == [2]
    [_, next_agenda] = agendas(fake)
    shown = text_of(next_agenda)
    assert OTTO_ACTION in shown and HERMES_Q in shown
    assert KIM_ACTION not in shown and APOLLO_Q not in shown


def add_action(
    slack: SlackDriver, fake: FakeSlack, user: str, title: str, *, owner: str, due: str
) -> None:
    """*Add action* on the live message, and the modal submitted."""
    slack.click_button(user, live_message(fake), live.ADD_ACTION)
    reply = slack.submit_view(
        user, fake.last_view(user), {"title": title, "owner": owner, "due": due}
    )
    assert reply.status == 200
