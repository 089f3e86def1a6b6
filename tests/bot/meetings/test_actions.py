"""Actions in the domain: reminders armed once, each job's reason to skip, Done once, and
the DMs about an action edited or withdrawn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox, people, workspace
from bot.errors import PermissionDenied, UserError
from bot.meetings import actions, log, records
from storage.models import ActionItem, OutboxMessage, Person, ScheduledJob, Workspace
from storage.types import OutboxState
from tests.conftest import START, TEAM

BERLIN = "Europe/Berlin"


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions.begin() as seed:
        workspace.get_workspace(seed, team_id=TEAM, default_timezone="UTC", now=START)
        for user_id, tz in (("UADMIN", "Europe/London"), ("ULEAD", BERLIN), ("UKIM", "UTC")):
            people.upsert_person(
                seed, team_id=TEAM, user={"id": user_id, "name": user_id, "tz": tz}, now=START
            )
    with sessions() as session:
        yield session


def person(session: Session, user_id: str) -> Person:
    found = session.get(Person, (TEAM, user_id))
    assert found is not None
    return found


def add(session: Session, *, due: date = date(2026, 11, 30), owner: str = "ULEAD") -> ActionItem:
    space = session.get(Workspace, TEAM)
    assert space is not None
    return log.add_action(
        session,
        actor=person(session, "UADMIN"),
        title="Send the RFP",
        owner=person(session, owner),
        due=due,
        now=START,
        workspace=space,
    )


def job(session: Session, kind: str) -> ScheduledJob:
    return session.scalars(select(ScheduledJob).where(ScheduledJob.kind == kind)).one()


def run(session: Session, kind: str, now: datetime) -> str:
    space = session.get(Workspace, TEAM)
    assert space is not None
    return actions.run_job(session, job=job(session, kind), now=now, workspace=space)


def test_reminders_are_armed_once_in_the_owners_calendar(session: Session) -> None:
    action = add(session)
    space = session.get(Workspace, TEAM)
    assert space is not None
    assert actions.arm_reminders(session, action=action, now=START, workspace=space) == 0
    assert job(session, actions.DUE).due_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert job(session, actions.OVERDUE).due_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_a_reminder_whose_time_has_passed_is_not_armed(session: Session) -> None:
    add(session, due=date(2026, 11, 26))  # due tomorrow: "two working days before" is gone
    kinds = session.scalars(select(ScheduledJob.kind)).all()
    assert kinds == [actions.OVERDUE]


def test_each_job_says_why_it_is_skipped(session: Session) -> None:
    action = add(session)
    assert run(session, actions.DUE, datetime(2026, 11, 27, 8, tzinfo=UTC)) == (
        "skipped: missed while the bot was down"
    )
    action.due_date = date(2026, 12, 7)
    assert run(session, actions.OVERDUE, datetime(2026, 12, 1, 7, tzinfo=UTC)) == (
        "skipped: the due date changed"
    )
    action.due_date = date(2026, 11, 30)
    actions.mark_done(session, action=action, actor=person(session, "ULEAD"), now=START)
    assert run(session, actions.OVERDUE, datetime(2026, 12, 1, 7, tzinfo=UTC)) == (
        "skipped: A-1 is done"
    )
    session.delete(action)
    session.flush()
    assert run(session, actions.OVERDUE, START) == "skipped: the action is gone"


def test_the_overdue_reminder_is_told_once(session: Session) -> None:
    add(session)
    at = datetime(2026, 12, 1, 7, tzinfo=UTC)
    assert run(session, actions.OVERDUE, at) == "told ULEAD"
    assert run(session, actions.OVERDUE, at).startswith("skipped:")  # already queued
    keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
    assert sorted(keys) == ["action-created:1", "action_overdue:1:2026-11-30"]


def test_done_once_and_who_may(session: Session) -> None:
    action = add(session, owner="UKIM")
    with pytest.raises(PermissionDenied, match="Only the owner <@UKIM>, <@UADMIN> who added it"):
        actions.mark_done(session, action=action, actor=person(session, "ULEAD"), now=START)
    actions.mark_done(session, action=action, actor=person(session, "UKIM"), now=START)
    with pytest.raises(UserError, match="A-1 was already done by <@UKIM>"):
        actions.mark_done(session, action=action, actor=person(session, "UADMIN"), now=START)


def test_done_withdraws_waiting_dms_and_edits_sent_ones(session: Session) -> None:
    action = add(session)
    sent = session.scalars(select(OutboxMessage)).one()
    sent.state, sent.ts = OutboxState.SENT, "1.0"
    overdue = outbox.enqueue(
        session,
        team_id=TEAM,
        key="action_overdue:1:2026-11-30",
        channel="ULEAD",
        payload={"text": "x"},
        now=START,
        not_before=START + timedelta(days=1),
    )
    actions.mark_done(session, action=action, actor=person(session, "ULEAD"), now=START)
    rows = {m.dedupe_key: m for m in session.scalars(select(OutboxMessage))}
    assert rows["action_overdue:1:2026-11-30"].id == overdue
    assert rows["action_overdue:1:2026-11-30"].state == OutboxState.WITHDRAWN
    edit = rows["edit:action-created:1"]
    assert edit.payload[outbox.UPDATE_OF] == "action-created:1"
    assert "Done (marked by <@ULEAD>)" in edit.payload["text"]
    assert "edit:action_overdue:1:2026-11-30" not in rows


def test_open_actions_come_soonest_due_first_with_a_total(session: Session) -> None:
    for due in (date(2026, 12, 9), date(2026, 11, 27), date(2026, 12, 1)):
        add(session, due=due)
    page = records.open_actions(session, team_id=TEAM, limit=2)
    assert [line.due for line in page.lines] == [date(2026, 11, 27), date(2026, 12, 1)]
    assert page.total == 3
    overdue = records.open_actions(session, team_id=TEAM, limit=10, due_before=date(2026, 12, 1))
    assert [line.number for line in overdue.lines] == [2]
    assert records.open_actions(session, team_id=TEAM, limit=10, owner_id="UKIM").total == 0
