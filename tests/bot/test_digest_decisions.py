"""The digest's decisions since the last one and overdue actions: read with the snapshot in a
fixed number of queries, scoped to the portfolio, bounded, and absent when there are none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import digest, programs, workspace
from bot.blocks.digest import LOG_LINES, render
from bot.digest import DecisionNote, OverdueAction, Snapshot, changes_since
from bot.meetings import occurrences
from bot.sandbox.blockkit import validate_message
from storage.models import ActionItem, Decision, Meeting
from tests.conftest import START, TEAM
from tests.flow import text_of

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EMPTY_CONTEXT = (
    "More in the thread: top risks, milestones due in 14 days, intake waiting, overdue updates."
)


def snapshot(decisions: int = 0, actions: int = 0, total: int | None = None) -> Snapshot:
    return Snapshot(
        taken_at=NOW,
        portfolio=None,
        programs=[],
        decisions=[
            DecisionNote(n, "D <!channel> " + "d" * 400, "apollo", NOW - timedelta(hours=n))
            for n in range(decisions, 0, -1)
        ],
        overdue_actions=[
            OverdueAction(n, "A <@U1|x> " + "a" * 300, "ULEAD", date(2026, 11, 20), None)
            for n in range(1, actions + 1)
        ],
        overdue_actions_total=actions if total is None else total,
    )


def texts(messages: list[dict]) -> str:
    return "\n".join(text_of(m) for m in messages)


def test_without_decisions_or_overdue_actions_the_digest_is_as_before() -> None:
    snap = snapshot()
    before = {"taken_at": (NOW - timedelta(days=7)).isoformat(), "programs": {}}
    messages = render(snap, changes_since(before, snap), period="today")
    said = texts(messages)
    assert "Decisions" not in said and "Overdue actions" not in said
    assert messages[0]["blocks"][-1]["elements"][0]["text"] == EMPTY_CONTEXT


def test_decisions_since_the_last_digest_and_overdue_actions_are_in_the_thread() -> None:
    snap = snapshot(decisions=3, actions=2)
    before = {"taken_at": (NOW - timedelta(hours=2, minutes=30)).isoformat(), "programs": {}}
    messages = render(snap, changes_since(before, snap), period="today")
    thread = texts(messages[1:])
    assert "*Decisions since the last digest (2)*" in thread
    assert "D-2 · `apollo` · D &lt;!channel&gt;" in thread and "D-3" not in thread
    assert "*Overdue actions (2)*" in thread
    assert "A-1 · <@ULEAD> · due Fri 20 Nov 2026 · `—` · A &lt;@U1|x&gt;" in thread
    assert "<!channel>" not in thread and "<@U1|x>" not in thread
    assert "decisions, overdue actions." in text_of(messages[0])


def test_the_first_digest_shows_the_last_weeks_decisions() -> None:
    snap = snapshot(decisions=2)
    snap.decisions.append(DecisionNote(9, "old", None, NOW - timedelta(days=8)))
    thread = texts(render(snap, changes_since(None, snap), period="today")[1:])
    assert "*Decisions in the last 7 days (2)*" in thread and "D-9" not in thread


@pytest.mark.parametrize(("decisions", "actions"), [(0, 10), (100, 0), (100, 10)])
def test_many_stay_bounded_and_point_to_the_commands(decisions: int, actions: int) -> None:
    snap = snapshot(decisions=decisions, actions=actions, total=actions * 50)
    messages = render(snap, changes_since(None, snap), period="today")
    for payload in messages:
        assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
    thread = texts(messages[1:])
    if decisions:
        assert f"…and {decisions - LOG_LINES} more: `/pmo decisions since:" in thread
        assert "(100+)" in thread
    if actions:
        assert "…and 490 more: `/pmo actions overdue`" in thread


# --- read with the snapshot --------------------------------------------------------------


def seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        ids = {}
        for name, portfolio in (("Apollo", "Payments"), ("Hermes", None)):
            program = programs.add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                timezone="UTC",
                today=START.date(),
                now=START,
                new=programs.NewProgram(name=name, owner_id="ULEAD"),
            )
            program.portfolio = portfolio
            ids[name] = program.id
        meeting = Meeting(
            team_id=TEAM,
            channel_id="CPAY",
            chair_id="UADMIN",
            days="mon",
            at="10:00",
            every_weeks=1,
            anchor=date(2026, 11, 30),
            length_minutes=60,
            portfolio="payments",
            timezone="UTC",
            attendees=[],
            created_at=START,
        )
        session.add(meeting)
        session.flush()
        held = occurrences.for_start(session, meeting=meeting, start=NOW - timedelta(days=3))
        rows = [
            (1, ids["Apollo"], None),
            (2, ids["Hermes"], None),
            (3, None, meeting.id),
            (4, None, None),
        ]
        counter = iter(range(1, 100))
        for number, program_id, meeting_id in rows:
            session.add(
                Decision(
                    team_id=TEAM,
                    number=number,
                    text=f"d{number}",
                    program_id=program_id,
                    decided_by=[],
                    recorded_by="UADMIN",
                    occurrence_id=held.id if meeting_id else None,
                    decided_at=NOW - timedelta(days=number),
                )
            )
            for state, due in (
                ("open", date(2026, 11, 20)),
                ("done", date(2026, 11, 20)),
                ("open", date(2026, 12, 20)),
            ):
                session.add(
                    ActionItem(
                        team_id=TEAM,
                        number=next(counter),
                        title=f"a{number}",
                        owner_id="ULEAD",
                        due_date=due,
                        state=state,
                        program_id=program_id,
                        meeting_id=meeting_id,
                        created_by="UADMIN",
                        created_at=START,
                    )
                )
        session.add(
            Decision(
                team_id=TEAM,
                number=5,
                text="too old",
                decided_by=[],
                recorded_by="UADMIN",
                decided_at=NOW - timedelta(days=60),
            )
        )


def test_the_snapshot_reads_recent_decisions_and_overdue_actions(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions)
    with sessions() as session:
        whole = digest.take_snapshot(session, team_id=TEAM, portfolio=None, now=NOW, tz="UTC")
        payments = digest.take_snapshot(
            session, team_id=TEAM, portfolio="Payments", now=NOW, tz="UTC"
        )
    assert [d.number for d in whole.decisions] == [1, 2, 3, 4]
    assert (whole.overdue_actions_total, len(whole.overdue_actions)) == (4, 4)
    assert [a.title for a in whole.overdue_actions] == ["a1", "a2", "a3", "a4"]
    assert [d.number for d in payments.decisions] == [1, 3]  # its program's, its meeting's
    assert [a.title for a in payments.overdue_actions] == ["a1", "a3"]
    assert payments.overdue_actions_total == 2
