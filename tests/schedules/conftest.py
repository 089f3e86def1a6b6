"""Shared set-up for scheduler tests: a workspace, people and programs without Slack commands.

Every pass runs under freezegun at the same `now` it is given, as ARCHITECTURE.md asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import people, programs, status, workspace
from bot.runtime.app import scheduler_client
from bot.runtime.settings import Settings
from bot.sandbox.fake_slack import FakeSlack
from schedules.dispatch import PassReport, dispatch_due
from storage.models import (
    FlagTransition,
    OutboxMessage,
    Person,
    Program,
    Prompt,
    ScheduledJob,
    StatusUpdate,
    Workspace,
)
from tests.conftest import START
from tests.flow import text_of

TEAM = "T0001"
BERLIN = "Europe/Berlin"
TOKYO = "Asia/Tokyo"
NEW_YORK = "America/New_York"
PROMPT_WORDS = "Status update due"
REMINDER_WORDS = "Reminder: the status"


def local(when: str, tz: str) -> datetime:
    """A local wall time ("2026-11-27 10:00") in `tz`, as an aware UTC instant."""
    naive = datetime.fromisoformat(when)
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


# A Friday 10:00 in Berlin (09:00 UTC): the first weekly slot after START, in the window.
FRIDAY_10 = local("2026-11-27 10:00", BERLIN)


def utc(when: str) -> datetime:
    """A UTC wall time ("2026-11-27 09:00") as an aware instant."""
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


def frozen(now: datetime, *, tick: bool = False) -> Any:
    """freezegun at `now`, leaving APScheduler the real `datetime`.

    freezegun's FakeDatetime drops `fold`, which CronTrigger uses to return the second
    occurrence of a local time a DST fall-back repeats; with it frozen, the trigger returns
    the first occurrence again and `next_due` gives up ("no slot for ...").
    """
    return freeze_time(now, tick=tick, ignore=["apscheduler"])


def make_client(base_url: str) -> WebClient:
    """The scheduler's client as the app builds it (429 retry handler), aimed at the fake."""
    settings = Settings(slack_api_url=base_url, pmo_timezone="UTC", _env_file=None)  # type: ignore[call-arg]
    return scheduler_client(settings, "xoxb-test")


@dataclass
class World:
    """A workspace in the database and the fake Slack it talks to."""

    sessions: sessionmaker[Session]
    fake: FakeSlack
    client: WebClient

    def workspace(
        self, *, now: datetime, pmo_channel: str | None = "CPMO", grace_hours: int = 24
    ) -> None:
        """Create the workspace (UTC fallback zone) with a PMO channel and grace period."""
        with self.sessions.begin() as session:
            space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=now)
            space.pmo_channel_id = pmo_channel
            space.grace_hours = grace_hours

    def person(
        self,
        user_id: str,
        tz: str,
        *,
        now: datetime,
        name: str | None = None,
        profile: dict[str, Any] | None = None,
    ) -> None:
        """Cache a Slack user as users.info would return them (with `profile`: a status)."""
        user = {"id": user_id, "name": name or user_id.lower(), "tz": tz, "profile": profile or {}}
        with self.sessions.begin() as session:
            people.upsert_person(session, team_id=TEAM, user=user, now=now)

    def program(
        self,
        name: str,
        *,
        owner: str,
        cadence: str,
        tz: str,
        now: datetime,
        sponsor: str | None = None,
    ) -> int:
        """Register a program as an admin would; returns its id."""
        with self.sessions.begin() as session:
            program = programs.add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                new=programs.NewProgram(
                    name=name, owner_id=owner, cadence=cadence, sponsor_id=sponsor
                ),
                timezone=tz,
                today=now.astimezone(ZoneInfo(tz)).date(),
                now=now,
            )
            return program.id

    def submit(self, program_id: int, *, author: str, now: datetime, rag: str = "green") -> None:
        """A status update, as the quick command stores it."""
        with self.sessions.begin() as session:
            program = session.get(Program, program_id)
            space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=now)
            assert program is not None
            status.submit(
                session,
                program=program,
                author_id=author,
                data=status.StatusInput(rag=rag, summary="fine"),
                now=now,
                workspace=space,
            )

    def set_workspace(self, **values: Any) -> None:
        """Change workspace columns directly (holidays, workdays, hours…)."""
        with self.sessions.begin() as session:
            space = session.get(Workspace, TEAM)
            assert space is not None
            for key, value in values.items():
                setattr(space, key, value)

    def set_program(self, program_id: int, **values: Any) -> None:
        """Change program columns directly (state, sponsor…)."""
        with self.sessions.begin() as session:
            program = session.get(Program, program_id)
            assert program is not None
            for key, value in values.items():
                setattr(program, key, value)

    def out_of_office(self, user_id: str, until: date | None) -> None:
        """Set a person's out-of-office date, as `/pmo ooo until:` does."""
        with self.sessions.begin() as session:
            person = session.get(Person, (TEAM, user_id))
            assert person is not None
            person.ooo_until = until

    def add_delegate(self, program_id: int, user_id: str, *, now: datetime) -> None:
        """Make `user_id` a delegate of the program."""
        with self.sessions.begin() as session:
            program = session.get(Program, program_id)
            assert program is not None
            programs.change_delegate(
                session, program=program, actor_id="UADMIN", user_id=user_id, add=True, now=now
            )

    def tick(self, now: datetime, **kwargs: Any) -> PassReport:
        """One scheduler pass at `now`, with the clock frozen there."""
        with frozen(now):
            return dispatch_due(self.sessions, self.client, now=now, **kwargs)

    # reading what happened

    def prompts_to(self, user_id: str) -> list[dict[str, Any]]:
        """Status prompt DMs a user received, oldest first."""
        return [m for m in self.fake.dms(user_id) if PROMPT_WORDS in m.get("text", "")]

    def reminders_to(self, user_id: str) -> list[dict[str, Any]]:
        """Reminder DMs a user received."""
        return [m for m in self.fake.dms(user_id) if REMINDER_WORDS in m.get("text", "")]

    def texts(self, channel_or_user: str) -> list[str]:
        """The readable text of every message in a conversation."""
        return [text_of(m) for m in self.fake.messages(channel_or_user)]

    def posts(self, channel: str) -> list[str]:
        """The readable text of the messages of a channel, not counting thread replies."""
        return [text_of(m) for m in self.fake.messages(channel) if not m.get("thread_ts")]

    def replies(self, channel: str) -> list[str]:
        """The readable text of the thread replies in a channel, oldest first."""
        return [text_of(m) for m in self.fake.messages(channel) if m.get("thread_ts")]

    def jobs(self, program_id: int, kind: str | None = None) -> list[ScheduledJob]:
        """The program's scheduled jobs, by due time."""
        with self.sessions() as session:
            query = select(ScheduledJob).where(ScheduledJob.target_id == program_id)
            if kind is not None:
                query = query.where(ScheduledJob.kind == kind)
            return list(session.scalars(query.order_by(ScheduledJob.due_at, ScheduledJob.id)))

    def prompt_rows(self, program_id: int) -> list[Prompt]:
        """The program's prompt rows, oldest first."""
        with self.sessions() as session:
            query = select(Prompt).where(Prompt.program_id == program_id).order_by(Prompt.id)
            return list(session.scalars(query))

    def get_program(self, program_id: int) -> Program:
        """A fresh copy of the program."""
        with self.sessions() as session:
            program = session.get(Program, program_id)
            assert program is not None
            return program

    def outbox(self, channel: str | None = None) -> list[OutboxMessage]:
        """Outbox rows, optionally for one channel or user, oldest first."""
        with self.sessions() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if channel is not None:
                query = query.where(OutboxMessage.channel == channel)
            return list(session.scalars(query))

    def transitions(self, program_id: int) -> list[tuple[str, bool, datetime]]:
        """(flag, raised, at) of the program's alerting transitions, oldest first."""
        with self.sessions() as session:
            rows = session.execute(
                select(FlagTransition.flag, FlagTransition.raised, FlagTransition.at)
                .where(FlagTransition.program_id == program_id)
                .order_by(FlagTransition.id)
            ).all()
            return [(flag, raised, at) for flag, raised, at in rows]

    def snapshot(self) -> dict[str, object]:
        """Everything a pass may change, to compare two moments."""
        with self.sessions() as session:
            counts = {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    ScheduledJob,
                    Prompt,
                    OutboxMessage,
                    FlagTransition,
                    StatusUpdate,
                )
            }
            jobs = session.execute(
                select(ScheduledJob.id, ScheduledJob.state, ScheduledJob.note).order_by(
                    ScheduledJob.id
                )
            ).all()
            messages = session.execute(
                select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.attempts).order_by(
                    OutboxMessage.id
                )
            ).all()
            prompts = session.execute(select(Prompt.id, Prompt.state).order_by(Prompt.id)).all()
            progs = session.execute(
                select(Program.id, Program.next_due_at, Program.flags).order_by(Program.id)
            ).all()
        return {
            "counts": counts,
            "jobs": [tuple(r) for r in jobs],
            "outbox": [tuple(r) for r in messages],
            "prompts": [tuple(r) for r in prompts],
            "programs": [tuple(r) for r in progs],
            "slack_calls": len(self.fake.calls),
        }


@pytest.fixture
def world(sessions: sessionmaker[Session], fake: FakeSlack) -> Iterator[World]:
    """An empty workspace's tools; call `world.workspace(now=…)` first."""
    yield World(sessions=sessions, fake=fake, client=make_client(fake.base_url))


def owners(count: int) -> list[str]:
    """Distinct user ids for a fan-out."""
    return [f"UFAN{n:04d}" for n in range(count)]


def populate(world: World, count: int) -> list[str]:
    """`count` programs due Friday 10:00 Berlin (09:00 UTC), each with its own Berlin owner."""
    world.workspace(now=START)
    users = owners(count)
    for user_id in users:
        world.fake.add_user(user_id, user_id.lower(), tz=BERLIN)
    with world.sessions.begin() as session:
        for n, user_id in enumerate(users):
            people.upsert_person(
                session,
                team_id=TEAM,
                user={"id": user_id, "name": user_id.lower(), "tz": BERLIN},
                now=START,
            )
            programs.add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                new=programs.NewProgram(name=f"Fan {n:04d}", owner_id=user_id, cadence="weekly"),
                timezone=BERLIN,
                today=START.date(),
                now=START,
            )
    return users
