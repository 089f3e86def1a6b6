"""`pmo-bot demo-data`: a realistic portfolio whose history is real data, written once."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox import demo
from bot.sandbox.fake_slack import FakeSlack
from storage.models import (
    AuditEvent,
    DigestPost,
    DigestSubscription,
    FlagTransition,
    IntakeRequest,
    Milestone,
    OutboxMessage,
    Program,
    ProgramDelegate,
    RaidItem,
    Standup,
    StatusUpdate,
    Workspace,
)
from tests.conftest import START

NOW = START  # Wednesday 25 Nov 2026 14:00 UTC


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> demo.Summary:
    return demo.seed(sessions, now=NOW)


def programs_by_key(sessions: sessionmaker[Session]) -> dict[str, Program]:
    with sessions() as session:
        return {p.key: p for p in session.scalars(select(Program))}


def test_a_dozen_programs_across_colours_states_and_portfolios(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    found = programs_by_key(sessions)
    assert len(found) == 12
    assert {p.rag for p in found.values()} == {"green", "amber", "red", None}
    assert found["phoenix"].state == "paused"
    assert {p.portfolio for p in found.values()} == {"Payments", "Platform", "Data"}
    assert found["apollo"].sponsor_id == demo.SAM
    assert seeded.programs == {"green": 5, "amber": 4, "red": 2, "no update": 1}


def test_history_is_weekly_and_written_at_past_times(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        apollo = session.scalar(select(Program).where(Program.key == "apollo"))
        assert apollo is not None
        times = list(
            session.scalars(
                select(StatusUpdate.created_at)
                .where(StatusUpdate.program_id == apollo.id)
                .order_by(StatusUpdate.created_at)
            )
        )
        oldest_audit = session.scalar(select(func.min(AuditEvent.at)))
    assert len(times) == demo.WEEKS
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(abs(gap - timedelta(weeks=1)) <= timedelta(hours=1) for gap in gaps)  # DST
    assert times[-1] <= NOW and NOW - times[0] > timedelta(weeks=10)
    assert oldest_audit is not None and NOW - oldest_audit > timedelta(weeks=12)
    assert apollo.trend == ["amber"] * 5 + ["green"]


def test_flags_risks_and_milestones_are_real(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    found = programs_by_key(sessions)
    assert "HIGH_RISK" in found["apollo"].flags
    assert "MILESTONE_LATE" in found["orion"].flags
    assert "NO_RECOVERY_PLAN" in found["orion"].flags
    assert {"RED", "BLOCKED", "PAST_TARGET"} <= set(found["titan"].flags)
    assert "RISK_OVERDUE" in found["vega"].flags
    with sessions() as session:
        raised = session.scalars(select(FlagTransition).where(FlagTransition.raised)).all()
        assert {t.flag for t in raised} >= {"RED", "HIGH_RISK"}
        assert all(t.at < NOW for t in raised)
        assert session.scalar(select(func.max(RaidItem.score))) == 20
        assert session.scalar(select(func.count()).select_from(Milestone)) == 8
        assert session.scalar(select(func.count()).select_from(ProgramDelegate)) == 2


def test_workspace_has_channels_a_digest_with_history_intake_and_a_standup(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        space = session.get(Workspace, demo.TEAM_ID)
        assert space is not None and space.pmo_channel_id == demo.PMO
        sub = session.scalars(select(DigestSubscription)).one()
        assert sub.channel_id == demo.LEADERSHIP
        assert sub.next_due_at is not None and sub.next_due_at > NOW
        posts = session.scalars(select(DigestPost)).all()
        assert len(posts) == seeded.digests >= 3
        pending = session.scalars(select(IntakeRequest.state)).all()
        assert pending == ["pending"] * 3
        assert session.scalars(select(Standup)).one().channel_id == demo.APOLLO


def test_the_past_is_not_replayed_and_schedules_start_from_now(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        waiting = session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.state == "pending")
        ).all()
        due = session.scalars(select(Program.next_due_at).where(Program.state == "active"))
        assert all(when is not None and when > NOW for when in due)
    assert waiting and all(key.startswith(("intake-post:", "intake-receipt:")) for key in waiting)


def test_a_second_run_changes_nothing(
    seeded: demo.Summary, sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(demo.AlreadySeeded, match="already has 12 programs"):
        demo.seed(sessions, now=NOW)
    assert len(programs_by_key(sessions)) == 12


def test_run_prints_a_summary_then_refuses_politely(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first, second = io.StringIO(), io.StringIO()
    assert demo.run(url, now=NOW, out=first) == 0
    assert demo.run(url, now=NOW, out=second) == 0
    assert "12 programs (5 green, 4 amber, 2 red, 1 no update)" in first.getvalue()
    assert f"pmo-bot shell --database {url}" in first.getvalue()
    assert "already has 12 programs. Nothing was changed" in second.getvalue()


def test_the_fake_workspace_has_the_same_people_and_channels() -> None:
    with FakeSlack(demo.TEAM_ID) as fake:
        demo.populate(fake)
        lee = fake.user(demo.LEE)
        pmo = fake.channel(demo.PMO)
    assert lee is not None and (lee["name"], lee["tz"]) == ("lee", "Europe/Berlin")
    assert pmo is not None and pmo["name"] == "pmo"
    assert demo.user_by_name("@Kim") is not None and demo.user_by_name("nobody") is None
