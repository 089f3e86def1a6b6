"""Digests stay valid Block Kit at any portfolio size: a top message and at most 5 replies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.blocks.digest import MAX_REPLIES, render
from bot.digest import Changes, MilestoneLine, ProgramLine, RiskLine, Snapshot, changes_since
from bot.sandbox.blockkit import validate_message
from tests.flow import text_of

NOW = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)


def portfolio(size: int) -> Snapshot:
    rags = ["red", "amber", "green", None]
    programs = [
        ProgramLine(
            id=n,
            key=f"p{n}",
            name=f"Program {n} " + "N" * 60,
            owner_id=f"U{n % 50}",
            rag=rags[n % 4],
            days_in_state=n % 30,
            summary="S" * 900,
            path_to_green="P" * 500 if n % 4 < 2 else None,
            trend=["red", "amber", "green", "green", "amber", "red"],
            flags={
                "HIGH_RISK": "open risk ‘x’ scores 20" + "r" * 300,
                "RAG_MISMATCH": "Reported amber, but: …",
            }
            if n % 3 == 0
            else {},
        )
        for n in range(size)
    ]
    return Snapshot(
        taken_at=NOW,
        portfolio=None,
        programs=programs,
        risks=[
            RiskLine(title="T" * 400, score=25 - n, program_key="p1", owner_id="U1")
            for n in range(5)
        ],
        milestones=[
            MilestoneLine(name="M" * 300, due=date(2026, 12, 3), program_key="p2")
            for _ in range(50)
        ],
        intake_waiting=7,
        intake_oldest="INT-3 " + "I" * 400,
    )


@pytest.mark.parametrize("size", [0, 1, 300, 5000])
def test_every_message_is_valid_at_any_size(size: int) -> None:
    snapshot = portfolio(size)
    messages = render(snapshot, changes_since(None, snapshot), period="Mon 30 Nov 2026")
    assert 1 <= len(messages) <= 1 + MAX_REPLIES
    for payload in messages:
        assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
        assert payload["text"]


def test_a_huge_portfolio_points_to_export_in_the_last_reply() -> None:
    snapshot = portfolio(5000)
    messages = render(snapshot, changes_since(None, snapshot), period="Mon 30 Nov 2026")
    assert len(messages) == 1 + MAX_REPLIES
    assert "/pmo export programs" in text_of(messages[-1])


def test_top_message_stands_alone_with_headline_changes_and_worst_programs() -> None:
    snapshot = portfolio(40)
    before = snapshot.compact()
    before["programs"]["1"] = ["green", []]  # program 1 was green, now amber
    before["programs"]["2"] = ["red", []]  # program 2 was red, now green
    top = text_of(render(snapshot, changes_since(before, snapshot), period="today")[0])
    assert "40 programs" in top and "🔴 10 red" in top
    assert "Worsened (1): 🟡 Program 1" in top
    assert "Recovered (1): 🟢 Program 2" in top
    assert "Needs attention" in top and "🔴🟡🟢🟢🟡🔴" in top  # oldest first


def test_first_digest_says_there_is_nothing_to_compare() -> None:
    snapshot = portfolio(3)
    changes = changes_since(None, snapshot)
    assert changes.first
    assert "first digest" in text_of(render(snapshot, changes, period="today")[0])


def test_new_red_and_newly_overdue_are_found_against_the_stored_snapshot() -> None:
    snapshot = portfolio(8)
    snapshot.programs[1].flags["OVERDUE_UPDATE"] = "no status update since it was due"
    before = {"programs": {str(p.id): ["green", []] for p in snapshot.programs}}
    changes = changes_since(before, snapshot)
    assert sorted(p.id for p in changes.new_red) == [0, 4]
    assert [p.id for p in changes.newly_overdue] == [1]
    assert isinstance(changes, Changes)
