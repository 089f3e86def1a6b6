"""CSV exports: cells a spreadsheet reads safely, every row streamed, `since:` per kind."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import export
from bot.errors import UserError
from storage.models import (
    IntakeRequest,
    Person,
    Program,
    ProgramDelegate,
    RaidItem,
    StatusUpdate,
    Workspace,
)

TEAM = "T1"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def program(number: int, **overrides: Any) -> Program:
    values: dict[str, Any] = {
        "team_id": TEAM,
        "key": f"prog-{number:05d}",
        "name": f"Program {number}",
        "owner_id": "ULEAD",
        "cadence": "weekly",
        "timezone": "UTC",
        "start_date": date(2026, 1, 5),
        "state": "active",
        "flags": {},
        "flag_count": 0,
        "created_by": "UADMIN",
        "created_at": NOW - timedelta(days=30),
        "updated_at": NOW - timedelta(days=1),
    }
    return Program(**(values | overrides))


def status_update(program_id: int, created_at: datetime, **overrides: Any) -> StatusUpdate:
    values: dict[str, Any] = {
        "team_id": TEAM,
        "program_id": program_id,
        "author_id": "ULEAD",
        "created_at": created_at,
        "rag": "green",
        "summary": "fine",
        "source": "command",
    }
    return StatusUpdate(**(values | overrides))


def risk(**overrides: Any) -> RaidItem:
    values: dict[str, Any] = {
        "team_id": TEAM,
        "program_id": 1,
        "kind": "risk",
        "title": "Vendor may slip",
        "likelihood": 2,
        "impact": 3,
        "score": 6,
        "owner_id": "ULEAD",
        "state": "open",
        "created_by": "ULEAD",
        "created_at": NOW - timedelta(days=5),
        "updated_at": NOW - timedelta(days=5),
    }
    return RaidItem(**(values | overrides))


def intake_request(**overrides: Any) -> IntakeRequest:
    values: dict[str, Any] = {
        "team_id": TEAM,
        "number": 1,
        "requester_id": "ULEAD",
        "title": "New CRM",
        "problem": "Sales live in spreadsheets",
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
        "job_size": 6,
        "score": 16 / 6,
        "state": "pending",
        "created_at": NOW,
    }
    return IntakeRequest(**(values | overrides))


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A workspace with its people cached."""
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM, timezone="UTC", created_at=NOW))
        session.flush()
        for user_id, name in (("ULEAD", "Lee"), ("UADMIN", "=Ada")):
            session.add(
                Person(team_id=TEAM, user_id=user_id, name=name, display_name=name, fetched_at=NOW)
            )
    return sessions


def rows_of(sessions: sessionmaker[Session], kind: str, since: datetime | None = None) -> list:
    out = io.StringIO(newline="")
    with sessions.begin() as session:
        written = export.write_csv(
            session, spec=export.ExportSpec(team_id=TEAM, kind=kind, since=since), out=out
        )
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert written == len(rows) - 1
    return rows


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_text_a_spreadsheet_would_run_is_neutralised(typed: str) -> None:
    assert export.cell(typed) == "'" + typed


def test_plain_text_numbers_dates_and_flags_are_written_as_they_are() -> None:
    assert export.cell("Vendor late, again") == "Vendor late, again"
    assert export.cell(-3) == "-3"
    assert export.cell(2.3333) == "2.33"
    assert export.cell(True) == "TRUE"
    assert export.cell(None) == ""
    assert export.cell(date(2026, 12, 3)) == "2026-12-03"
    assert export.cell(NOW) == "2026-11-25T14:00:00+00:00"
    assert export.cell({"RED": "why", "BLOCKED": "why"}) == "BLOCKED; RED"


def test_kind_defaults_to_programs_and_unknown_kinds_are_refused() -> None:
    assert export.parse_kind(None) == "programs"
    assert export.parse_kind("Risks") == "risks"
    with pytest.raises(UserError, match="programs, status, risks, intake"):
        export.parse_kind("budgets")


def test_since_is_the_start_of_the_day_in_the_callers_zone() -> None:
    since = export.since_instant(date(2026, 11, 2), tz="Asia/Tokyo", today=date(2026, 11, 25))
    assert since.astimezone(UTC) == datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    with pytest.raises(UserError, match="future"):
        export.since_instant(date(2026, 11, 26), tz="UTC", today=date(2026, 11, 25))


def test_programs_stream_across_batches_with_their_delegates(db: sessionmaker[Session]) -> None:
    count = export.BATCH_SIZE * 2 + 3
    with db.begin() as session:
        session.add_all(program(n) for n in range(count))
        session.flush()
        last = session.query(Program).filter_by(key=f"prog-{count - 1:05d}").one()
        for user_id in ("UDEL1", "UDEL2"):
            session.add(
                ProgramDelegate(team_id=TEAM, program_id=last.id, user_id=user_id, added_at=NOW)
            )
    rows = as_dicts(rows_of(db, "programs"))
    assert len(rows) == count
    assert rows[-1]["delegate_ids"] == "UDEL1; UDEL2"
    assert rows[0]["delegate_ids"] == "" and rows[0]["owner"] == "Lee"
    assert rows[0]["created_at"] == "2026-10-26T14:00:00+00:00"


def test_display_names_that_look_like_formulas_are_neutralised(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(program(1, owner_id="UADMIN"))
    (row,) = as_dicts(rows_of(db, "programs"))
    assert row["owner"] == "'=Ada"


def test_since_keeps_status_updates_submitted_or_edited_since(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(program(1))
        session.flush()
        session.add_all(
            [
                status_update(1, NOW - timedelta(days=10), summary="old"),
                status_update(1, NOW - timedelta(days=9), summary="old, edited", edited_at=NOW),
                status_update(1, NOW - timedelta(hours=1), summary="new"),
            ]
        )
    rows = as_dicts(rows_of(db, "status", since=NOW - timedelta(days=2)))
    assert [r["summary"] for r in rows] == ["old, edited", "new"]
    assert rows[0]["program_key"] == "prog-00001" and rows[0]["author"] == "Lee"


def test_since_keeps_programs_and_risks_changed_since(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add_all([program(1), program(2, updated_at=NOW)])
        session.flush()
        session.add_all(
            [
                risk(title="stale", updated_at=NOW - timedelta(days=5)),
                risk(title="fresh", updated_at=NOW),
            ]
        )
    since = NOW - timedelta(hours=2)
    assert [r["key"] for r in as_dicts(rows_of(db, "programs", since))] == ["prog-00002"]
    (row,) = as_dicts(rows_of(db, "risks", since))
    assert (row["title"], row["score"], row["blocking"]) == ("fresh", "6", "FALSE")


def test_intake_exports_every_field_of_the_model(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(intake_request(number=7, problem='Sales use, spreadsheets;\n"badly"'))
    rows = rows_of(db, "intake")
    columns = {c.name for c in IntakeRequest.__table__.columns} - {"team_id"}
    assert columns <= set(rows[0])
    (row,) = as_dicts(rows)
    assert row["request"] == "INT-7" and row["score"] == "2.67"
    assert row["problem"] == 'Sales use, spreadsheets;\n"badly"'


def test_file_is_utf8_with_a_bom_and_parses_back(db: sessionmaker[Session], tmp_path: Path) -> None:
    with db.begin() as session:
        session.add(program(1, name="Überweisung, “Phase 2”"))
    path = tmp_path / "out.csv"
    with db.begin() as session:
        rows = export.write_file(
            session, spec=export.ExportSpec(team_id=TEAM, kind="programs"), path=path
        )
    raw = path.read_bytes()
    assert rows == 1 and raw.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert parsed[0]["name"] == "Überweisung, “Phase 2”"


def test_temporary_file_is_deleted_even_when_writing_fails() -> None:
    with pytest.raises(RuntimeError), export.temporary_file("programs") as path:
        path.write_text("partial")
        raise RuntimeError("disk full")
    assert not path.exists()


def test_data_of_another_workspace_is_never_exported(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(Workspace(team_id="T2", timezone="UTC", created_at=NOW))
        session.flush()
        session.add_all([program(1), program(2, team_id="T2")])
    assert [r["key"] for r in as_dicts(rows_of(db, "programs"))] == ["prog-00001"]
