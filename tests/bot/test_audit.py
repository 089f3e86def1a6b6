"""The audit log names each row by the entity and id the export and history read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import audit
from storage.models import Person, Program, Workspace, WorkspaceAdmin

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def test_rows_are_named_by_their_id_or_user() -> None:
    assert audit.entity_of(Program(id=7, team_id="T1")) == ("program", "7")
    assert audit.entity_of(Person(team_id="T1", user_id="U1")) == ("person", "U1")
    assert audit.entity_of(WorkspaceAdmin(team_id="T1", user_id="U2")) == ("admin", "U2")
    assert audit.entity_of(Workspace(team_id="T1")) == ("workspace", "T1")


def test_record_takes_workspace_and_entity_from_the_row() -> None:
    class _Session:
        def add(self, row: object) -> None:
            self.row = row

    session = _Session()
    event = audit.record(
        session,  # type: ignore[arg-type]
        Program(id=7, team_id="T1"),
        actor_id="U1",
        action="edit",
        now=NOW,
        before={"end_date": date(2026, 12, 1)},
    )
    assert (event.team_id, event.entity, event.entity_id) == ("T1", "program", "7")
    assert event.before == {"end_date": "2026-12-01"}
    assert session.row is event


def test_unaudited_model_is_refused() -> None:
    with pytest.raises(KeyError):
        audit.entity_of(object())  # type: ignore[arg-type]
