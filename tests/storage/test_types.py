"""The stored vocabularies: members are their strings and fit the columns that hold them."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import Column, String

from storage.models import (
    FlagTransition,
    IntakeRequest,
    OutboxMessage,
    Program,
    Prompt,
    RaidItem,
    ScheduledJob,
    StandupRun,
    StatusUpdate,
)
from storage.types import (
    Flag,
    IntakeState,
    JobState,
    OutboxState,
    ProgramState,
    PromptState,
    Rag,
    RaidKind,
    RaidState,
    StandupRunState,
)

COLUMNS: list[tuple[type[StrEnum], object]] = [
    (ProgramState, Program.__table__.c.state),
    (Rag, Program.__table__.c.rag),
    (Rag, StatusUpdate.__table__.c.rag),
    (Flag, FlagTransition.__table__.c.flag),
    (RaidKind, RaidItem.__table__.c.kind),
    (RaidState, RaidItem.__table__.c.state),
    (OutboxState, OutboxMessage.__table__.c.state),
    (JobState, ScheduledJob.__table__.c.state),
    (PromptState, Prompt.__table__.c.state),
    (IntakeState, IntakeRequest.__table__.c.state),
    (StandupRunState, StandupRun.__table__.c.state),
]


@pytest.mark.parametrize(("enum", "column"), COLUMNS, ids=lambda v: getattr(v, "name", ""))
def test_every_member_fits_its_column(enum: type[StrEnum], column: Column[str]) -> None:
    assert isinstance(column.type, String)
    assert column.type.length is not None
    assert all(len(member) <= column.type.length for member in enum)


def test_members_compare_equal_to_the_stored_strings() -> None:
    assert ProgramState.ACTIVE == "active"
    assert f"{Rag.RED}" == "red"
    assert "pending" in (PromptState.PENDING, PromptState.SNOOZED)
