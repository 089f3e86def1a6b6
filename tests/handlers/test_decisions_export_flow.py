"""`/pmo export decisions` and `/pmo export actions`: the decision log and the actions as CSV,
every column a PMO analyst would want, `since:` honoured, admins only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import workspace
from bot.meetings import log, occurrences, plans
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import ActionItem, Decision, Meeting, Person, Program
from tests.conftest import START, TEAM, Bot, ManualClock
from tests.flow import text_of

EVIL = '=HYPERLINK("http://evil.example/","Click me")'
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def export(slack: SlackDriver, fake: FakeSlack, text: str) -> tuple[str, list[dict[str, str]]]:
    said = text_of(slack.command("UADMIN", text).body)
    content = fake.uploaded_files()[-1]["content"]
    return said, list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def logged(slack: SlackDriver, fake: FakeSlack, bot: Bot, sessions: sessionmaker[Session]) -> None:
    """D-1 recorded by the sponsor from a DM; D-2 and A-2 in Monday's meeting; A-1 outside."""
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    slack.command("UADMIN", "program sponsor apollo <@UOTHER|otto>")
    slack.command("ULEAD", 'decision request apollo "Buy?" by:2026-11-27 options:"Yes|No"')
    bot.settle()
    dm = next(m for m in fake.dms("UOTHER") if "as sponsor" in m["text"])
    slack.click_button("UOTHER", dm, "decision_record")
    slack.submit_view("UOTHER", fake.last_view("UOTHER"), {"option": "0", "rationale": EVIL})
    slack.command("UOTHER", f'actions add apollo "{EVIL}" owner:<@ULEAD|lee> due:2026-12-04')
    in_meeting(sessions)


def in_meeting(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        meeting = Meeting(
            team_id=TEAM,
            channel_id="CSTEER",
            chair_id="UADMIN",
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
        occurrence = occurrences.for_start(session, meeting=meeting, start=MONDAY_10)
        admin, lee = session.get(Person, (TEAM, "UADMIN")), session.get(Person, (TEAM, "ULEAD"))
        apollo = session.scalar(select(Program).where(Program.key == "apollo"))
        assert admin is not None and lee is not None and apollo is not None
        log.record_decision(
            session,
            actor=admin,
            text="Ship in January",
            rationale=None,
            decided_by=["UADMIN", "UOTHER"],
            option=None,
            now=MONDAY_10,
            program=apollo,
            occurrence=occurrence,
            item_ref="program:1",
        )
        log.add_action(
            session,
            actor=admin,
            title="Tell the vendor",
            owner=lee,
            due=date(2026, 12, 2),
            now=MONDAY_10,
            workspace=space,
            program=apollo,
            occurrence=occurrence,
            item_ref="program:1",
        )


def test_the_decision_log_as_csv(slack: SlackDriver, fake: FakeSlack, logged: None) -> None:
    said, rows = export(slack, fake, "export decisions")
    assert "Your export of 2 rows is in your DM" in said
    assert fake.uploaded_files()[-1]["filename"] == "pmo-decisions-2026-11-25.csv"
    first, second = rows
    assert list(first) == [
        "decision_id",
        "decided_at",
        "program_key",
        "program",
        "decision",
        "option",
        "rationale",
        "decided_by",
        "recorded_by",
        "recorder",
        "meeting_channel_id",
        "meeting_started_at",
        "question",
        "requested_by",
        "requested_by_date",
        "requested_at",
        "raid_item_id",
    ]
    assert first["decision_id"] == "D-1" and first["decision"] == "Yes"
    assert first["rationale"] == "'" + EVIL  # shown as typed, never run as a formula
    assert (first["question"], first["requested_by"], first["requested_by_date"]) == (
        "Buy?",
        "ULEAD",
        "2026-11-27",
    )
    assert (first["meeting_channel_id"], first["recorded_by"]) == ("", "UOTHER")
    assert second["decision_id"] == "D-2" and second["decided_by"] == "UADMIN; UOTHER"
    assert second["meeting_channel_id"] == "CSTEER"
    assert second["meeting_started_at"].startswith("2026-11-30T10:00")
    assert second["raid_item_id"]


def test_the_actions_as_csv(slack: SlackDriver, fake: FakeSlack, logged: None) -> None:
    slack.command("ULEAD", "actions done A-1")
    said, rows = export(slack, fake, "export actions")
    assert "2 rows" in said
    first, second = rows
    assert list(first) == [
        "action_id",
        "title",
        "owner_id",
        "owner",
        "due_date",
        "state",
        "program_key",
        "program",
        "meeting_channel_id",
        "meeting_started_at",
        "created_by",
        "created_at",
        "done_by",
        "done_at",
    ]
    assert (first["action_id"], first["title"], first["state"]) == ("A-1", "'" + EVIL, "done")
    assert (first["owner_id"], first["owner"], first["due_date"]) == ("ULEAD", "lee", "2026-12-04")
    assert first["done_by"] == "ULEAD" and first["meeting_channel_id"] == ""
    assert (second["action_id"], second["meeting_channel_id"]) == ("A-2", "CSTEER")


def test_since_keeps_decisions_made_and_actions_added_or_done_since(
    slack: SlackDriver, fake: FakeSlack, clock: ManualClock, logged: None
) -> None:
    clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    slack.command("ULEAD", "actions done A-1")
    _, rows = export(slack, fake, "export decisions since:2026-11-30")
    assert [row["decision_id"] for row in rows] == ["D-2"]
    assert "made since Mon 30 Nov 2026" in fake.uploaded_files()[-1]["title"]
    _, rows = export(slack, fake, "export actions since:2026-12-01")
    assert [row["action_id"] for row in rows] == ["A-1"]


@pytest.mark.parametrize("kind", ["decisions", "actions"])
@pytest.mark.parametrize(
    ("user_id", "refusal"), [("ULEAD", "export PMO data"), ("UGUEST", "Guest")]
)
def test_only_admins_export_them(
    slack: SlackDriver, fake: FakeSlack, logged: None, kind: str, user_id: str, refusal: str
) -> None:
    said = text_of(slack.command(user_id, f"export {kind}").body)
    assert refusal in said and fake.uploaded_files() == []


def test_another_workspaces_rows_are_not_exported(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], logged: None
) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id="T0002", default_timezone="UTC", now=START)
        session.add(
            Decision(
                team_id="T0002",
                number=1,
                text="Theirs",
                decided_by=["UZ"],
                recorded_by="UZ",
                decided_at=START,
            )
        )
        session.add(
            ActionItem(
                team_id="T0002",
                number=1,
                title="Theirs",
                owner_id="UZ",
                due_date=date(2026, 12, 1),
                state="open",
                created_by="UZ",
                created_at=START,
            )
        )
    for kind in ("decisions", "actions"):
        rows = export(slack, fake, f"export {kind}")[1]
        assert len(rows) == 2 and "Theirs" not in str(rows)
