"""Stand-ups on the scheduler: opening at the facilitator's local time, reminders, closing once,
restarts and catch-up, out of office, cancelled stand-ups and daylight saving.

Dates: the team stand-up runs mon-fri 09:30–11:30 Berlin, so Thursday 26 Nov 2026 opens at
08:30 UTC (17:30 for Kim in Tokyo, 08:30 for Otto in London: both in their working hours),
reminds at 10:00 and closes at 10:30. Participants outside their hours, `local` stand-ups and
pausing are in test_standups_working_time.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot import standups
from storage.models import OutboxMessage, Person, ScheduledJob, Standup, StandupRun, Workspace
from tests.conftest import START
from tests.schedules.conftest import BERLIN, TEAM, TOKYO, World, local, utc

THU_OPEN = utc("2026-11-26 08:30")
THU_REMIND = utc("2026-11-26 10:00")
THU_CLOSE = utc("2026-11-26 10:30")
PEOPLE = ("ULEAD2", "UOTHER")
LONDON = "Europe/London"


@pytest.fixture
def team(world: World) -> World:
    """A workspace, #team, Lee (Berlin, facilitator), Kim (Tokyo) and Otto (London)."""
    world.workspace(now=START)
    world.fake.add_channel("CTEAM", "team", members=["ULEAD", *PEOPLE])
    world.person("ULEAD", BERLIN, now=START)
    world.person("ULEAD2", TOKYO, now=START)
    world.person("UOTHER", LONDON, now=START)
    return world


def schedule(world: World, *, when: str = "mon-fri 09:30", now: datetime = START) -> int:
    """Lee schedules a stand-up in #team for Kim and Otto; returns its id."""
    with world.sessions.begin() as session:
        people = [session.get(Person, (TEAM, user)) for user in PEOPLE]
        lead = session.get(Person, (TEAM, "ULEAD"))
        assert lead is not None and all(people)
        standup = standups.schedule(
            session,
            channel_id="CTEAM",
            facilitator=lead,
            plan=standups.make_plan(when=when, close=None, tz=BERLIN, questions=None),
            participants=[p for p in people if p is not None],
            members={"ULEAD", *PEOPLE},
            now=now,
        )
        return standup.id


def answer(world: World, user: str, texts: list[str], *, now: datetime) -> None:
    """`user` answers the open run they take part in."""
    with world.sessions.begin() as session:
        [(run, standup)] = standups.awaiting(session, team_id=TEAM, user_id=user, now=now)
        standups.save_answer(session, run=run, standup=standup, user_id=user, texts=texts, now=now)


def asks(world: World, user: str) -> list[dict[str, Any]]:
    """Stand-up questions `user` received."""
    return [m for m in world.fake.dms(user) if m["text"].startswith(":wave: Stand-up in")]


def reminders(world: World, user: str) -> list[dict[str, Any]]:
    """Stand-up reminders `user` received."""
    return [m for m in world.fake.dms(user) if "Reminder: the stand-up" in m["text"]]


def summaries(world: World) -> list[dict[str, Any]]:
    """Summaries posted in #team."""
    return [m for m in world.fake.messages("CTEAM") if m["text"].startswith("Stand-up summary")]


def notes(world: World, standup_id: int) -> dict[tuple[str, str], str | None]:
    """(kind, period) → what each stand-up job did."""
    with world.sessions() as session:
        jobs = session.scalars(
            select(ScheduledJob).where(
                ScheduledJob.target_id == standup_id, ScheduledJob.kind.in_(standups.JOB_KINDS)
            )
        )
        return {(job.kind, job.period): job.note for job in jobs}


def test_participants_elsewhere_are_asked_at_the_meeting_time_inside_their_hours(
    team: World,
) -> None:
    standup_id = schedule(team)
    with team.sessions() as session:
        standup = session.get(Standup, standup_id)
        assert standup is not None and standup.next_due_at == THU_OPEN

    team.tick(utc("2026-11-26 08:29"))
    assert asks(team, "ULEAD2") == asks(team, "UOTHER") == []
    team.tick(THU_OPEN)  # 17:30 in Tokyo, 08:30 in London

    assert len(asks(team, "ULEAD2")) == len(asks(team, "UOTHER")) == 1
    assert all(m.not_before is None for m in team.outbox("UOTHER"))
    assert notes(team, standup_id)[("standup_open", "2026-11-26T09:30")] == "asked 2, skipped 0"


def test_a_pass_repeated_at_the_same_time_sends_nothing_twice(team: World) -> None:
    schedule(team)
    team.tick(THU_OPEN)
    opened = team.snapshot()
    team.tick(THU_OPEN)
    assert team.snapshot() == opened

    answer(team, "ULEAD2", ["a", "b", "the vendor"], now=THU_REMIND)
    team.tick(THU_CLOSE)
    closed = team.snapshot()
    team.tick(THU_CLOSE)
    team.tick(utc("2026-11-26 10:31"))

    assert team.snapshot() == closed
    assert len(summaries(team)) == 1
    assert len(asks(team, "ULEAD2")) == len(asks(team, "UOTHER")) == 1


def test_run_missed_by_more_than_twelve_hours_is_skipped_and_the_next_day_runs(
    team: World,
) -> None:
    standup_id = schedule(team)

    team.tick(utc("2026-11-26 20:31"))  # the bot was down from Thursday 09:30 until 21:31

    assert asks(team, "ULEAD2") == summaries(team) == []
    thursday = "2026-11-26T09:30"
    assert notes(team, standup_id) == {
        ("standup_open", thursday): "skipped: missed while the bot was down",
        ("standup_remind", thursday): "skipped: the run never opened",
        ("standup_close", thursday): "skipped: the run never opened",
    }

    team.tick(utc("2026-11-27 08:30"))
    assert len(asks(team, "ULEAD2")) == len(asks(team, "UOTHER")) == 1
    team.tick(utc("2026-11-27 10:30"))
    [summary] = summaries(team)
    assert "Fri 27 Nov 2026" in summary["text"]


def test_one_reminder_goes_only_to_those_who_have_not_answered(team: World) -> None:
    schedule(team)
    team.tick(THU_OPEN)
    answer(team, "ULEAD2", ["a", "b", ""], now=utc("2026-11-26 09:00"))

    team.tick(THU_REMIND)
    team.tick(utc("2026-11-26 10:15"))

    assert reminders(team, "ULEAD2") == []
    assert len(reminders(team, "UOTHER")) == 1


def test_out_of_office_participant_is_not_asked_and_is_listed_in_the_summary(
    team: World,
) -> None:
    schedule(team)
    team.out_of_office("UOTHER", date(2026, 11, 27))

    team.tick(THU_OPEN)
    team.tick(THU_CLOSE)

    assert asks(team, "UOTHER") == reminders(team, "UOTHER") == []
    [summary] = summaries(team)
    assert "*Out of office:* <@UOTHER>" in summary["text"]
    assert "*Did not answer:* <@ULEAD2>" in summary["text"]


def test_closing_by_command_and_by_schedule_posts_one_summary(team: World) -> None:
    standup_id = schedule(team)
    team.tick(THU_OPEN)
    with team.sessions.begin() as session:
        standup = session.get(Standup, standup_id)
        lead = session.get(Person, (TEAM, "ULEAD"))
        space = session.get(Workspace, TEAM)
        assert standup is not None and lead is not None and space is not None
        standups.close_now(session, standup=standup, actor=lead, now=THU_REMIND, workspace=space)

    team.tick(THU_REMIND)
    team.tick(THU_CLOSE)

    assert len(summaries(team)) == 1
    assert reminders(team, "UOTHER") == []
    period = "2026-11-26T09:30"
    assert notes(team, standup_id)[("standup_close", period)] == "skipped: closed already"


def test_cancelled_standup_asks_nobody_again(team: World) -> None:
    standup_id = schedule(team)
    team.tick(THU_OPEN)
    with team.sessions.begin() as session:
        standup = session.get(Standup, standup_id)
        lead = session.get(Person, (TEAM, "ULEAD"))
        assert standup is not None and lead is not None
        standups.cancel(session, standup=standup, actor=lead, now=utc("2026-11-26 09:00"))

    team.tick(THU_CLOSE)  # the run already open still closes with its summary
    team.tick(utc("2026-11-27 08:30"))

    assert len(asks(team, "ULEAD2")) == 1
    assert len(summaries(team)) == 1


def test_standup_keeps_its_local_time_across_daylight_saving(team: World) -> None:
    schedule(team, now=utc("2027-03-25 12:00"))
    team.tick(local("2027-03-26 09:30", BERLIN))  # 08:30 UTC, winter time
    team.tick(utc("2027-03-29 07:29"))
    assert len(asks(team, "ULEAD2")) == 1

    team.tick(local("2027-03-29 09:30", BERLIN))  # 07:30 UTC, summer time

    assert len(asks(team, "ULEAD2")) == 2
    with team.sessions() as session:
        periods = session.scalars(select(StandupRun.period).order_by(StandupRun.id)).all()
        assert periods == ["2027-03-26T09:30", "2027-03-29T09:30"]


def test_dry_run_names_the_standup_and_changes_nothing(team: World) -> None:
    schedule(team)
    before = team.snapshot()

    report = team.tick(THU_OPEN, dry_run=True)

    assert "would open the stand-up in CTEAM due 2026-11-26 08:30 UTC" in report.actions
    assert team.snapshot() == before
    with team.sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
