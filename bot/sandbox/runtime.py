"""The sandbox: a fake Slack workspace with the real app serving it, on a clock we move.

`pmo-bot shell` plays users against it. It is wired like `pmo-bot run` in HTTP mode (the Bolt
app from `create_app` behind `HttpServer`, an `OutboxWorker`) and like the flow tests: the
fake Slack of `bot/sandbox/`, a manual clock, and one after-ack worker thread, so "everything
the app does for a request has happened" is something we can wait for instead of sleeping.
"""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.common import plural
from bot.clock import Clock
from bot.runtime.app import create_app, request_client, scheduler_client
from bot.runtime.deps import Deps
from bot.runtime.outbox_worker import OutboxWorker
from bot.runtime.server import Health, HttpServer, wsgi_app
from bot.runtime.settings import Settings
from bot.sandbox import demo
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from schedules.dispatch import PassReport, dispatch_due
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import (
    AuditEvent,
    DigestSubscription,
    IntakeRequest,
    OutboxMessage,
    Program,
    RaidItem,
    ScheduledJob,
    Standup,
)
from storage.types import IntakeState, RaidState

Json = dict[str, Any]
BOT_TOKEN = "xoxb-sandbox"
SETTLE_SECONDS = 30
MAX_PASSES = 5000  # one `:advance` never runs away, whatever the data


class ShellClock:
    """A clock that stands still until told to move (time is injected everywhere)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ShellDriver(SlackDriver):
    """The driver, plus picking an option in a select that dispatches an action."""

    def select(
        self, user_id: str, view: Json, *, block_id: str, action_id: str, option: Json
    ) -> Reply:
        """Pick `option` in a `dispatch_action` select of a view: a `block_actions` request."""
        action = {
            "type": "static_select",
            "action_id": action_id,
            "block_id": block_id,
            "selected_option": option,
        }
        return self._block_actions(user_id, action, None, view, None)


class _SandboxOutbox(OutboxWorker):
    """The outbox worker, kept still while the clock jumps.

    A message the worker claimed just before a jump would look, to the pass after it,
    like a claim left "sending" by a crash long ago, and be sent again. Production time
    does not jump; here a delivery round and a clock move never overlap.
    """

    def __init__(self, sessions: sessionmaker[Session], client: WebClient, clock: Clock) -> None:
        super().__init__(sessions, client, clock)
        self.still = threading.Lock()

    def _deliver(self) -> None:
        with self.still:
            super()._deliver()


class Sandbox:
    """The fake workspace of `bot.sandbox.demo` and the real app, running until `close()`."""

    def __init__(self, database_url: str, *, now: datetime) -> None:
        self.fake = FakeSlack(demo.TEAM_ID, demo.TEAM_DOMAIN, demo.BOT_USER_ID).start()
        demo.populate(self.fake)
        try:
            self.engine = make_engine(database_url)
            migrate.upgrade(self.engine)
        except BaseException:
            self.fake.stop()
            raise
        self.clock = ShellClock(max(now, _latest_recorded(self.engine) or now))
        self.settings = Settings(
            slack_api_url=self.fake.base_url,
            database_url=database_url,
            pmo_timezone=demo.TIMEZONE,
            _env_file=None,
        )  # type: ignore[call-arg]
        self.deps = Deps(
            sessions=make_sessionmaker(self.engine),
            settings=self.settings,
            clock=self.clock,
            client=request_client(self.settings, BOT_TOKEN),
        )
        self._serve()

    def _serve(self) -> None:
        secret = secrets.token_hex(16)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-ack")
        app = create_app(self.deps, signing_secret=secret, executor=self._executor)
        self._scheduler_client = scheduler_client(self.settings, BOT_TOKEN)
        # As in `pmo-bot run`: the worker is off the request path and uses the patient client.
        self.outbox = _SandboxOutbox(self.deps.sessions, self._scheduler_client, self.clock)
        self.outbox.start()
        health = Health(engine=self.engine, clock=self.clock)
        self._server = HttpServer(
            wsgi_app(app, health, signing_secret=secret), host="127.0.0.1", port=0, threads=4
        )
        self._thread = threading.Thread(target=self._server.serve, name="http", daemon=True)
        self._thread.start()
        url = f"http://127.0.0.1:{self._server.port}"
        self.driver = ShellDriver(url, secret, self.fake)

    def has_programs(self) -> bool:
        """Whether the demo workspace has any program yet."""
        with self.deps.sessions() as session:
            query = select(func.count()).select_from(Program)
            return bool(session.scalar(query.where(Program.team_id == demo.TEAM_ID)))

    def holdings(self) -> str:
        """What the demo workspace holds, in one line: programs by colour, open risks,
        requests waiting for a decision."""
        team = demo.TEAM_ID
        with self.deps.sessions() as session:
            rows = session.execute(
                select(Program.rag, func.count())
                .where(Program.team_id == team)
                .group_by(Program.rag)
            ).all()
            by_rag: dict[str | None, int] = {rag: n for rag, n in rows}
            risks = session.scalar(
                select(func.count())
                .select_from(RaidItem)
                .where(RaidItem.team_id == team, RaidItem.state == RaidState.OPEN)
            )
            pending = session.scalar(
                select(func.count())
                .select_from(IntakeRequest)
                .where(IntakeRequest.team_id == team, IntakeRequest.state == IntakeState.PENDING)
            )
        total = sum(by_rag.values())
        colours = ", ".join(
            f"{by_rag[rag]} {rag}" for rag in ("red", "amber", "green") if by_rag.get(rag)
        )
        return (
            plural(total, "program")
            + (f" ({colours})" if colours else "")
            + f", {risks or 0} open RAID items, {pending or 0} intake requests awaiting a decision"
        )

    def settle(self) -> None:
        """Wait until the after-ack work of every request so far is done and its messages sent.

        One worker thread runs after-ack work, so a no-op submitted now finishes only after
        everything queued before it; then the outbox drains.
        """
        self._executor.submit(lambda: None).result(timeout=SETTLE_SECONDS)
        self.outbox.drain(timeout=SETTLE_SECONDS)

    def move_clock(self, to: datetime) -> list[PassReport]:
        """Move the clock to `to`, with a scheduler pass at each moment work falls due on the way.

        The in-process scheduler passes every minute. Passing exactly when something is due
        (a status slot, a job, a flag recheck, a held message) does the same work at the same
        times with far fewer passes, and nothing is skipped as "missed while the bot was down".

        Raises:
            ValueError: `to` is not later than the clock.
        """
        if to <= self.clock.now:
            raise ValueError("The clock only moves forward")
        reports: list[PassReport] = []
        with self.outbox.still:
            while self.clock.now < to and len(reports) < MAX_PASSES:
                with self.deps.sessions() as session:
                    due = _next_work_at(session, after=self.clock.now)
                self.clock.now = min(due, to) if due is not None else to
                reports.append(
                    dispatch_due(self.deps.sessions, self._scheduler_client, now=self.clock.now)
                )
        self.settle()
        return reports

    def close(self) -> None:
        """Stop serving, finish queued work, and release the port and the database."""
        self._server.stop()
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=True)
        self.outbox.stop()
        self.fake.stop()
        self.engine.dispose()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _next_work_at(session: Session, *, after: datetime) -> datetime | None:
    """The first moment after `after` at which the scheduler has something to do."""
    pending_job = ScheduledJob.state == "pending"
    pending_message = OutboxMessage.state == "pending"
    candidates: list[tuple[Any, ColumnElement[bool] | None]] = [
        (Program.next_due_at, None),
        (Program.flags_recheck_at, None),
        (DigestSubscription.next_due_at, None),
        (Standup.next_due_at, None),
        (ScheduledJob.due_at, pending_job),
        (OutboxMessage.not_before, pending_message),
    ]
    found = []
    for column, condition in candidates:
        query = select(func.min(column)).where(column > after)
        if condition is not None:
            query = query.where(condition)
        value = session.scalar(query)
        if value is not None:
            found.append(_aware(value))
    return min(found) if found else None


def _latest_recorded(engine: Engine) -> datetime | None:
    """The latest time the database has seen, so a new session's clock never goes back.

    A previous session may have moved its clock days ahead; starting behind it would put
    its updates and claimed jobs in the future.
    """
    with engine.connect() as connection:
        times = [
            connection.scalar(select(func.max(AuditEvent.at))),
            connection.scalar(select(func.max(ScheduledJob.done_at))),
        ]
    known = [_aware(t) for t in times if t is not None]
    return max(known) if known else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
