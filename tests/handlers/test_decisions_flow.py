"""Decision requests and the decision log, through signed HTTP: a question is put to the next
steering meeting before its `by:` date, or to the program's sponsor by DM, who records the
decision (`D-n`) from there; `/pmo decisions` reads the log.

Dates: Wednesday 25 Nov 2026 14:00 UTC is set-up day. The steering meeting in #steer meets on
Mondays at 10:00 London (UTC in winter), so its next start is Mon 30 Nov at 10:00. Lee
(Berlin) owns Apollo; Otto (New York) sponsors it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import programs, workspace
from bot.blocks.common import escape
from bot.meetings import plans
from bot.sandbox.blockkit import validate_message
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import (
    AuditEvent,
    Decision,
    DecisionRequest,
    Meeting,
    OutboxMessage,
    Program,
    RaidItem,
    Workspace,
)
from tests.conftest import START, TEAM, Bot, ManualClock
from tests.flow import echo_of, text_of

GUEST_REFUSAL = "Guest accounts can't see or change PMO data here."
ASKED = "asks you, as sponsor, to decide"
LONDON = "Europe/London"


def add_meeting(
    sessions: sessionmaker[Session],
    *,
    channel: str = "CSTEER",
    days: str = "mon",
    at: str = "10:00",
    portfolio: str | None = None,
    tz: str = LONDON,
    every_weeks: int = 1,
    anchor: date = date(2026, 11, 30),
    now: datetime = START,
    removed: bool = False,
) -> int:
    """A steering meeting as `meeting schedule` would store it (written concurrently)."""
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=now)
        meeting = Meeting(
            team_id=TEAM,
            channel_id=channel,
            chair_id="UADMIN",
            days=days,
            at=at,
            every_weeks=every_weeks,
            anchor=anchor,
            length_minutes=60,
            portfolio=portfolio,
            timezone=tz,
            attendees=["UADMIN", "ULEAD"],
            created_at=now,
            removed_at=now if removed else None,
        )
        meeting.next_due_at = plans.next_start(meeting, after=now)
        session.add(meeting)
        session.flush()
        return meeting.id


@pytest.fixture
def apollo(slack: SlackDriver, fake: FakeSlack) -> str:
    """Apollo, owned by Lee, sponsored by Otto; Kim owns Hermes; the guest is known."""
    fake.add_channel("CSTEER", "steer", members=["UADMIN", "ULEAD"])
    slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program sponsor apollo <@UOTHER|otto>")
    slack.command("UADMIN", "program add Hermes owner:<@ULEAD2|kim>")
    slack.command("UGUEST", "help")
    return "apollo"


@pytest.fixture
def steering(sessions: sessionmaker[Session], apollo: str) -> int:
    """The Monday steering meeting of every program."""
    return add_meeting(sessions)


def requests_of(sessions: sessionmaker[Session]) -> list[DecisionRequest]:
    with sessions() as session:
        return list(session.scalars(select(DecisionRequest).order_by(DecisionRequest.id)))


def decisions_of(sessions: sessionmaker[Session]) -> list[Decision]:
    with sessions() as session:
        return list(session.scalars(select(Decision).order_by(Decision.number)))


def audits(sessions: sessionmaker[Session], entity: str) -> list[str]:
    with sessions() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity == entity))
        return [f"{e.actor_id} {e.action}" for e in rows]


def asked_dms(fake: FakeSlack, user_id: str = "UOTHER") -> list[dict[str, Any]]:
    return [m for m in fake.dms(user_id) if ASKED in m.get("text", "")]


def say(slack: SlackDriver, user_id: str, text: str) -> str:
    return text_of(slack.command(user_id, text).body)


# --- put to a meeting --------------------------------------------------------------------


def test_a_question_goes_to_the_next_meeting_before_its_date(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: int
) -> None:
    said = say(
        slack,
        "ULEAD",
        'decision request apollo "Build or buy <!channel>?" by:2026-12-04 options:"Build|Buy"',
    )
    assert (
        "Put to the steering meeting in <#CSTEER> on Mon 30 Nov at 10:00 (Europe/London): "
        "“Build or buy &lt;!channel&gt;?” on *Apollo* (`apollo`) · by Fri 4 Dec 2026 · "
        "options “Build” · “Buy”"
    ) in said
    assert "<!channel>" not in said
    [request] = requests_of(sessions)
    assert (request.meeting_id, request.sent_to_id, request.state) == (steering, None, "open")
    assert (request.options, request.by_date) == (["Build", "Buy"], date(2026, 12, 4))
    assert audits(sessions, "decision_request") == ["ULEAD request"]


def test_the_meeting_of_the_programs_portfolio_wins_when_it_comes_sooner(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UADMIN", "program portfolio apollo Payments")
    add_meeting(sessions, channel="CALL", days="wed", at="10:00")  # every program, Wed 2 Dec
    add_meeting(sessions, channel="COTHER", days="thu", at="09:00", portfolio="Retail")
    add_meeting(sessions, channel="CGONE", days="thu", at="09:00", removed=True)
    add_meeting(sessions, channel="CPAY", days="tue", at="15:00", portfolio="payments")
    said = say(slack, "ULEAD", 'decision request apollo "Which vendor?"')
    assert "Put to the steering meeting in <#CPAY> on Tue 1 Dec at 15:00" in said
    said = say(slack, "ULEAD2", 'decision request hermes "Which vendor?"')
    assert "Put to the steering meeting in <#CALL> on Wed 2 Dec at 10:00" in said


def test_a_meeting_on_the_by_day_itself_counts_in_its_own_zone(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    # Fri 27 Nov 23:30 in Los Angeles is already Saturday in Berlin, where Lee reads `by:`.
    add_meeting(sessions, channel="CLA", days="fri", at="23:30", tz="America/Los_Angeles")
    said = say(slack, "ULEAD", 'decision request apollo "Go?" by:2026-11-27')
    assert "Put to the steering meeting in <#CLA> on Fri 27 Nov at 23:30" in said


# --- put to the sponsor ------------------------------------------------------------------


@pytest.fixture
def asked(slack: SlackDriver, fake: FakeSlack, bot: Bot, steering: int) -> dict[str, Any]:
    """A question due before the meeting: put to Otto, Apollo's sponsor, by DM."""
    said = say(slack, "ULEAD", 'decision request apollo "Buy?" by:2026-11-27 options:"Yes|No"')
    assert (
        "No steering meeting of the program comes before Fri 27 Nov 2026, so I asked its "
        "sponsor <@UOTHER> by DM to decide: “Buy?” on *Apollo*"
    ) in said
    bot.settle()
    [dm] = asked_dms(fake)
    return dm


def test_the_sponsor_gets_one_dm_with_record_decision(
    fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    assert (
        "<@ULEAD> asks you, as sponsor, to decide: “Buy?” on *Apollo* (`apollo`) · by Fri 27 "
        "Nov 2026 · options “Yes” · “No”"
    ) in text_of(asked)
    buttons = [
        e["action_id"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["decision_record"]
    [request] = requests_of(sessions)
    assert (request.meeting_id, request.sent_to_id) == (None, "UOTHER")


def record(
    slack: SlackDriver, fake: FakeSlack, user_id: str, dm: dict[str, Any], values: dict[str, Any]
) -> Any:
    slack.click_button(user_id, dm, "decision_record")
    view = fake.last_view(user_id)
    assert view["callback_id"] == "decision_record"
    return slack.submit_view(user_id, view, values)


def test_the_sponsor_records_the_decision_from_the_dm(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    asked: dict[str, Any],
) -> None:
    answer = record(
        slack, fake, "UOTHER", asked, {"option": "0", "rationale": "cheaper <@UADMIN> & faster"}
    )
    said = text_of(answer.body)
    assert "Recorded D-1 “Yes” · decided by <@UOTHER>." in said
    bot.settle()
    [decision] = decisions_of(sessions)
    assert (decision.number, decision.text, decision.option) == (1, "Yes", "Yes")
    assert (decision.rationale, decision.decided_by) == ("cheaper <@UADMIN> & faster", ["UOTHER"])
    [request] = requests_of(sessions)
    assert (request.state, request.decision_id) == ("decided", decision.id)
    with sessions() as session:
        raid = session.get(RaidItem, decision.raid_item_id)
        assert raid is not None and (raid.kind, raid.state) == ("decision", "closed")
    edited = next(m for m in fake.dms("UOTHER") if "Decided: D-1" in m["text"])
    assert edited["ts"] == asked["ts"] and "actions" not in [b["type"] for b in edited["blocks"]]
    [told] = [m for m in fake.dms("ULEAD") if "was decided" in m.get("text", "")]
    assert "Your question “Buy?” on *Apollo*" in text_of(told) and "D-1 “Yes”" in text_of(told)
    assert audits(sessions, "decision") == ["UOTHER record"]
    assert audits(sessions, "decision_request") == ["ULEAD request", "UOTHER decide"]


def test_a_written_decision_and_several_deciders_are_kept(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    record(
        slack,
        fake,
        "UOTHER",
        asked,
        {"option": "1", "decision": "Not this year", "decided_by": ["UOTHER", "UADMIN"]},
    )
    [decision] = decisions_of(sessions)
    assert (decision.text, decision.option) == ("Not this year", "No")
    assert decision.decided_by == ["UOTHER", "UADMIN"]


def test_a_pmo_admin_may_record_it_too(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    record(slack, fake, "UADMIN", asked, {"option": "0"})
    assert [d.recorded_by for d in decisions_of(sessions)] == ["UADMIN"]


def answers(fake: FakeSlack) -> list[str]:
    return [text_of(r["body"]) for r in fake.responses] + [text_of(c.params) for c in fake.calls]


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        ("ULEAD2", "Only <@UOTHER> or a PMO admin can record this decision."),
        ("ULEAD", "Only <@UOTHER> or a PMO admin can record this decision."),
        ("UGUEST", GUEST_REFUSAL),
    ],
)
def test_others_clicking_record_decision_are_refused(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    asked: dict[str, Any],
    user_id: str,
    refusal: str,
) -> None:
    fake.clear()
    slack.click_button(user_id, asked, "decision_record")
    assert any(refusal in said for said in answers(fake))
    assert not fake.calls_to("views.open")
    assert decisions_of(sessions) == []


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        ("ULEAD2", "Only <@UOTHER> or a PMO admin can record this decision."),
        ("UGUEST", GUEST_REFUSAL),
    ],
)
def test_a_modal_submitted_by_someone_else_records_nothing(
    slack: SlackDriver,
    fake: FakeSlack,
    sessions: sessionmaker[Session],
    asked: dict[str, Any],
    user_id: str,
    refusal: str,
) -> None:
    slack.click_button("UOTHER", asked, "decision_record")
    view = fake.last_view("UOTHER")
    answer = slack.submit_view(user_id, view, {"option": "0"})
    assert answer.body["response_action"] == "errors"
    assert refusal in " ".join(answer.body["errors"].values())
    assert decisions_of(sessions) == []


@pytest.mark.parametrize("value", ["999", "1; drop table decision", "", "-1"])
def test_a_crafted_record_button_opens_nothing(
    slack: SlackDriver, fake: FakeSlack, asked: dict[str, Any], value: str
) -> None:
    fake.clear()
    slack.click("UOTHER", "decision_record", value=value or None)
    assert not fake.calls_to("views.open")


def test_a_crafted_option_or_metadata_records_nothing(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    slack.click_button("UOTHER", asked, "decision_record")
    view = fake.last_view("UOTHER")
    crafted = {**view, "private_metadata": "999"}
    answer = slack.submit_view("UOTHER", crafted, {"option": "0"})
    assert "That question no longer exists." in " ".join(answer.body["errors"].values())
    options = next(b for b in view["blocks"] if b.get("block_id") == "option")
    options["element"]["options"].append(
        {"text": {"type": "plain_text", "text": "x"}, "value": "7"}
    )
    answer = slack.submit_view("UOTHER", view, {"option": "7"})
    assert answer.body["response_action"] == "errors" and "option" in answer.body["errors"]
    assert decisions_of(sessions) == []


def test_a_question_put_to_a_meeting_cannot_be_recorded_from_a_crafted_button(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], steering: int
) -> None:
    slack.command("ULEAD", 'decision request apollo "Later?"')
    [request] = requests_of(sessions)
    fake.clear()
    slack.click("UOTHER", "decision_record", value=str(request.id))
    assert any("is on the agenda of the meeting in <#CSTEER>" in s for s in answers(fake))
    assert not fake.calls_to("views.open")


def test_another_workspaces_request_is_not_found(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id="T0002", default_timezone="UTC", now=START)
        zeus = programs.add_program(
            session,
            team_id="T0002",
            actor_id="UZ",
            new=programs.NewProgram(name="Zeus", owner_id="UZ", sponsor_id="UOTHER"),
            timezone="UTC",
            today=START.date(),
            now=START,
        )
        other = DecisionRequest(
            team_id="T0002",
            program_id=zeus.id,
            question="Theirs",
            options=[],
            requested_by="UZ",
            created_at=START,
            sent_to_id="UOTHER",
            state="open",
        )
        session.add(other)
        session.flush()
        other_id = other.id
    fake.clear()
    slack.click("UOTHER", "decision_record", value=str(other_id))
    assert any("That question no longer exists." in s for s in answers(fake))
    assert not fake.calls_to("views.open")


def test_two_submissions_record_one_decision_and_the_second_is_told(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    slack.click_button("UOTHER", asked, "decision_record")
    first = fake.last_view("UOTHER")
    slack.click_button("UADMIN", asked, "decision_record")
    second = fake.last_view("UADMIN")
    slack.submit_view("UOTHER", first, {"option": "0"})
    answer = slack.submit_view("UADMIN", second, {"option": "1"})
    assert "decided already: D-1 by <@UOTHER>" in " ".join(answer.body["errors"].values())
    assert [d.number for d in decisions_of(sessions)] == [1]
    fake.clear()
    slack.click_button("UOTHER", asked, "decision_record")
    assert not fake.calls_to("views.open")


def test_a_refused_submission_takes_no_number(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], asked: dict[str, Any]
) -> None:
    slack.click_button("UOTHER", asked, "decision_record")
    view = fake.last_view("UOTHER")
    answer = slack.submit_view("UOTHER", view, {"option": "0", "rationale": "x" * 3001})
    assert "The rationale is 3,001 characters long" in answer.body["errors"]["rationale"]
    slack.submit_view("UOTHER", view, {"option": "0"})
    assert [d.number for d in decisions_of(sessions)] == [1]
    with sessions() as session:
        assert session.get(Workspace, TEAM).decision_seq == 1  # type: ignore[union-attr]


def test_without_options_the_decision_is_written(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], steering: int
) -> None:
    slack.command("ULEAD", 'decision request apollo "Extend the pilot?" by:tomorrow')
    bot.settle()
    [dm] = asked_dms(fake)
    slack.click_button("UOTHER", dm, "decision_record")
    view = fake.last_view("UOTHER")
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "decision",
        "rationale",
        "decided_by",
    ]
    answer = slack.submit_view("UOTHER", view, {"decision": " "})
    assert answer.body["errors"]["decision"] == "Say what was decided."
    slack.submit_view("UOTHER", view, {"decision": "Extend it by a month"})
    assert [(d.text, d.option) for d in decisions_of(sessions)] == [("Extend it by a month", None)]


# --- refused, nothing stored -------------------------------------------------------------


def test_no_meeting_and_no_sponsor_is_refused_with_what_to_do(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    said = say(slack, "ULEAD2", 'decision request hermes "Pause it?"')
    assert "No steering meeting of *Hermes* comes at all, and it has no sponsor" in said
    assert "`/pmo program sponsor hermes @person`" in said and "`/pmo meeting schedule`" in said
    assert 'You typed: `/pmo decision request hermes "Pause it?"`' in said
    assert requests_of(sessions) == []


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ('decision request apollo "Go?" by:2026-11-20', "`by:` Fri 20 Nov 2026 is in the past"),
        ('decision request apollo "Go?" options:"Only"', "Give 2 to 6 options separated by `|`"),
        ('decision request apollo "Go?" options:"A|B|C|D|E|F|G"', "(you gave 7)"),
        ('decision request apollo "Go?" options:"A||B"', "An option is empty"),
        ('decision request apollo "Go?" options:"Yes|yes"', "The option “Yes” is given twice"),
        (
            'decision request apollo "Go?" options:"A|' + "b" * 101 + '"',
            "The option is 101 characters long; it can be at most 100.",
        ),
        ('decision request apollo ""', "Give the question in quotes"),
        ('decision request apollo "' + "q" * 301 + '"', "The question is 301 characters long"),
        ("decision request apollo", "Put the question in quotes"),
        ('decision request apollo "Go?" when:friday', "Unknown option `when:`"),
        ('decision request nosuch "Go?"', "nosuch"),
        ('decision apollo "Go?"', "decision request"),
    ],
)
def test_bad_input_is_refused_echoed_and_nothing_stored(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: int, text: str, refusal: str
) -> None:
    body = slack.command("ULEAD", text).body
    said = text_of(body)
    assert refusal in said
    assert escape(f"/pmo {text}") in echo_of(body)
    assert 'Usage: `/pmo decision request &lt;program&gt; "&lt;question&gt;"' in said
    assert requests_of(sessions) == []


def test_a_question_needs_no_quotes(slack: SlackDriver, steering: int) -> None:
    said = say(slack, "ULEAD", "decision request apollo Switch card vendor? by:2026-12-04")
    assert "Put to the steering meeting in <#CSTEER>" in said and "“Switch card vendor?”" in said


def test_the_resolved_by_date_is_echoed(slack: SlackDriver, steering: int) -> None:
    said = say(slack, "ULEAD", 'decision request apollo "Go?" by:"friday next week"')
    assert "Put to the steering meeting in <#CSTEER>" in said and "by Fri 4 Dec 2026" in said


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        (
            "ULEAD2",
            "Only its owner <@ULEAD> or a PMO admin can put decision requests for *Apollo*.",
        ),
        ("UOTHER", "Only its owner <@ULEAD> or a PMO admin can put decision requests for"),
        ("UGUEST", GUEST_REFUSAL),
    ],
)
def test_only_the_owner_a_delegate_or_an_admin_may_request(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: int, user_id: str, refusal: str
) -> None:
    assert refusal in say(slack, user_id, 'decision request apollo "Go?"')
    assert requests_of(sessions) == []


def test_a_delegate_and_an_admin_may_request(
    slack: SlackDriver, sessions: sessionmaker[Session], steering: int
) -> None:
    slack.command("ULEAD", "program delegates apollo add <@ULEAD2|kim>")
    assert "Put to the steering meeting" in say(slack, "ULEAD2", 'decision request apollo "A?"')
    assert "Put to the steering meeting" in say(slack, "UADMIN", 'decision request apollo "B?"')
    assert [r.requested_by for r in requests_of(sessions)] == ["ULEAD2", "UADMIN"]


def test_a_repeated_command_stores_one_request(
    slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session], asked: Any
) -> None:
    said = say(slack, "ULEAD", 'decision request apollo "Buy?" by:2026-11-27 options:"Yes|No"')
    assert "Already recorded at 15:00: the question “Buy?” on *Apollo*" in said
    bot.settle()
    assert len(requests_of(sessions)) == 1 and len(asked_dms(fake)) == 1


def test_a_guest_sponsor_is_not_asked(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    with sessions.begin() as session:
        hermes = session.scalar(select(Program).where(Program.key == "hermes"))
        assert hermes is not None
        hermes.sponsor_id = "UGUEST"
    slack.command("UGUEST", "decisions")  # the bot has looked the guest up
    said = say(slack, "ULEAD2", 'decision request hermes "Pause it?"')
    assert "its sponsor <@UGUEST> can't be asked by DM, so nothing was stored" in said
    assert requests_of(sessions) == []


def test_the_sponsors_dm_waits_for_their_working_hours(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    steering: int,
) -> None:
    clock.now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 in New York
    slack.command("ULEAD", 'decision request apollo "Now?" by:2026-11-27')
    bot.settle()
    assert asked_dms(fake) == []
    with sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "UOTHER")).one()
        assert row.not_before == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 08:00 New York


# --- the log -----------------------------------------------------------------------------


def test_the_log_lists_decisions_newest_first_with_everything(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    clock: ManualClock,
    sessions: sessionmaker[Session],
    asked: dict[str, Any],
) -> None:
    record(slack, fake, "UOTHER", asked, {"option": "0", "rationale": "cheaper"})
    clock.advance(days=2)
    slack.command("ULEAD2", 'decision request hermes "Hire?" ')  # no meeting, no sponsor
    slack.command("UADMIN", "program sponsor hermes <@UOTHER|otto>")
    slack.command("ULEAD", 'decision request apollo "Second?" by:tomorrow')
    bot.settle()
    record(slack, fake, "UOTHER", asked_dms(fake)[-1], {"decision": "Go <!here>"})
    body = slack.command("ULEAD2", "decisions").body
    said = text_of(body)
    assert said.index("*D-2*") < said.index("*D-1*")
    assert (
        "*D-1* · Wed 25 Nov 2026 · *Apollo* (`apollo`) · on “Buy?” · “Yes” · _why:_ cheaper · "
        "decided by <@UOTHER>"
    ) in said
    assert "*D-2* · Fri 27 Nov 2026 · *Apollo* (`apollo`) · on “Second?” · “Go &lt;!here&gt;”" in (
        said
    )
    assert validate_message(text=body["text"], blocks=body["blocks"]) == []
    assert "*D-1*" in say(slack, "ULEAD", "decisions apollo")
    assert "no decisions" in say(slack, "ULEAD", "decisions hermes").lower()
    since = say(slack, "ULEAD", "decisions since:2026-11-26")
    assert "*D-2*" in since and "*D-1*" not in since and "since Thu 26 Nov 2026" in since


def test_open_lists_the_questions_waiting_and_where_they_were_put(
    slack: SlackDriver, bot: Bot, asked: dict[str, Any]
) -> None:
    slack.command("ULEAD", 'decision request apollo "Later?"')
    said = say(slack, "UADMIN", "decisions open")
    assert "*Open decision requests* (2)" in said
    assert (
        "*Apollo* (`apollo`) · “Buy?” · by Fri 27 Nov 2026 · options “Yes” · “No” · "
        "asked of the sponsor <@UOTHER> · asked by <@ULEAD>"
    ) in said
    assert "“Later?” · no date · put to <#CSTEER> on Mon 30 Nov at 10:00 · asked by" in said
    assert said.index("Buy?") < said.index("Later?")


def test_open_marks_a_question_past_its_date(
    slack: SlackDriver, clock: ManualClock, asked: dict[str, Any]
) -> None:
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    said = say(slack, "UADMIN", "decisions open")
    assert "“Buy?” · :warning: *past* its date, Fri 27 Nov 2026 · options" in said


def test_the_log_is_bounded_and_points_to_the_export(
    slack: SlackDriver, sessions: sessionmaker[Session], apollo: str
) -> None:
    with sessions.begin() as session:
        for n in range(1, 46):
            session.add(
                Decision(
                    team_id=TEAM,
                    number=n,
                    text=f"decision {n} " + "x" * 500,
                    rationale="r" * 900,
                    decided_by=["UOTHER"],
                    recorded_by="UOTHER",
                    decided_at=START,
                )
            )
    body = slack.command("ULEAD", "decisions").body
    assert len(body["blocks"]) <= 50
    assert validate_message(text=body["text"], blocks=body["blocks"]) == []
    assert "…and 5 more — `/pmo export decisions`" in text_of(body)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("decisions since:2027-01-05", "`since:` is in the future"),
        ("decisions apollo hermes", "Name one program, or `open`, or `since:&lt;date&gt;`."),
        ("decisions nosuch", "nosuch"),
    ],
)
def test_bad_log_filters_are_refused(
    slack: SlackDriver, apollo: str, text: str, refusal: str
) -> None:
    body = slack.command("ULEAD", text).body
    assert refusal in text_of(body) and escape(f"/pmo {text}") in echo_of(body)


@pytest.mark.parametrize("text", ["decisions", "decisions open", "decisions apollo"])
def test_guests_cannot_read_the_log(slack: SlackDriver, apollo: str, text: str) -> None:
    said = say(slack, "UGUEST", text)
    assert GUEST_REFUSAL in said and "D-" not in said


# --- the leadership digest ---------------------------------------------------------------


def test_the_digest_shows_new_decisions_and_overdue_actions(
    slack: SlackDriver,
    fake: FakeSlack,
    clock: ManualClock,
    run_pass: Any,
    bot: Bot,
    asked: dict[str, Any],
) -> None:
    fake.add_channel("CLEAD", "leadership", members=["UADMIN"])
    slack.command("UADMIN", "digest subscribe <#CLEAD|leadership> weekly mon 09:00")
    record(slack, fake, "UOTHER", asked, {"option": "1", "decision": "Wait <!here>"})
    slack.command("UOTHER", 'actions add apollo "Call the vendor" owner:<@ULEAD|lee> due:friday')
    run_pass(datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    bot.settle()
    said = "\n".join(text_of(m) for m in fake.messages("CLEAD"))
    assert "*Decisions in the last 7 days (1)*\nD-1 · `apollo` · Wait &lt;!here&gt;" in said
    assert (
        "*Overdue actions (1)*\nA-1 · <@ULEAD> · due Fri 27 Nov 2026 · `apollo` · Call the vendor"
    ) in said
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    slack.command("ULEAD", "actions done A-1")
    preview = text_of(slack.command("UADMIN", "digest preview").body)
    assert "Decisions" not in preview and "Overdue actions" not in preview  # none since Monday's
