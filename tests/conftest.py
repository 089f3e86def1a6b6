"""Shared fixtures: a real database, a fake Slack over HTTP, and the real app served."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.web.base_client import BaseClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.app import create_app, request_client
from bot.runtime.deps import Budgets, Deps
from bot.runtime.outbox_worker import OutboxWorker
from bot.runtime.server import Health, HttpServer, wsgi_app
from bot.runtime.settings import Settings
from bot.runtime.socket_mode import SocketMode
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from schedules.dispatch import PassReport, dispatch_due
from storage import migrate
from storage.db import make_engine, make_sessionmaker, transaction_open
from storage.models import Base

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0001"
START = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday


class ManualClock:
    """A clock tests set and advance; the app reads it through Deps."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


class SlackCallsInTransaction:
    """Every Slack call (Web API or response_url) made while its thread had a transaction open."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def check(self, what: str) -> None:
        if transaction_open():
            with self._lock:
                self.calls.append(f"{what} on {threading.current_thread().name}")


_IN_TRANSACTION = SlackCallsInTransaction()


@pytest.fixture(scope="session", autouse=True)
def _watch_slack_calls() -> Iterator[SlackCallsInTransaction]:
    """The rule: no Slack call while a database transaction is open, in any test's thread."""
    api_call, send_dict = BaseClient.api_call, WebhookClient.send_dict

    def watched_api_call(self: BaseClient, api_method: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        _IN_TRANSACTION.check(api_method)
        return api_call(self, api_method, *args, **kwargs)  # type: ignore[arg-type]

    def watched_send_dict(self: WebhookClient, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        _IN_TRANSACTION.check("response_url")
        return send_dict(self, *args, **kwargs)  # type: ignore[arg-type]

    BaseClient.api_call = watched_api_call  # type: ignore[method-assign]
    WebhookClient.send_dict = watched_send_dict  # type: ignore[method-assign]
    yield _IN_TRANSACTION
    BaseClient.api_call, WebhookClient.send_dict = api_call, send_dict  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def no_slack_call_in_transaction(
    _watch_slack_calls: SlackCallsInTransaction,
) -> Iterator[None]:
    """Fail the test whose code called Slack while a database transaction was open."""
    before = len(_watch_slack_calls.calls)
    yield
    made = _watch_slack_calls.calls[before:]
    assert not made, f"Slack called inside a database transaction: {made}"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated once; each test copies it (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return str(path)


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine | None]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(
    _migrated_template: str, _postgres_engine: Engine | None, tmp_path: Path
) -> Iterator[Engine]:
    """A migrated, empty database: PostgreSQL when TEST_DATABASE_URL is set, else SQLite."""
    if _postgres_engine is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with _postgres_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield _postgres_engine
        return
    path = tmp_path / "pmo.db"
    shutil.copy(_migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database."""
    return make_sessionmaker(engine)


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock, starting Wednesday 25 Nov 2026 14:00 UTC."""
    return ManualClock()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack with a small workspace: an admin, two leads, a guest, two channels."""
    with FakeSlack(team_id=TEAM) as slack:
        slack.add_user("UADMIN", "ada", real_name="Ada Admin", tz="Europe/London", is_admin=True)
        slack.add_user("ULEAD", "lee", real_name="Lee Lead", tz="Europe/Berlin")
        slack.add_user("ULEAD2", "kim", real_name="Kim Lead", tz="Asia/Tokyo")
        slack.add_user("UOTHER", "otto", real_name="Otto Other", tz="America/New_York")
        slack.add_user("UGUEST", "gus", real_name="Gus Guest", is_restricted=True)
        slack.add_channel("CPMO", "pmo", members=["UADMIN", "ULEAD"])
        slack.add_channel("CAPOLLO", "apollo", members=["ULEAD"])
        slack.add_channel("CNOBOT", "secret-room", members=["UADMIN"], bot_is_member=False)
        yield slack


@dataclass
class Bot:
    """The real app, served over HTTP on a free port, and what it was built from."""

    url: str
    deps: Deps
    health: Health
    executor: ThreadPoolExecutor
    outbox: OutboxWorker
    app: App

    def settle(self) -> None:
        """Wait until the after-ack work of every request so far is done, messages sent.

        The app runs after-ack work on one worker thread here, so a no-op submitted now
        finishes only after everything queued before it; then the outbox drains.
        """
        self.executor.submit(lambda: None).result(timeout=30)
        self.outbox.drain()


@pytest.fixture
def budgets() -> Budgets:
    """How long requests wait on Slack and the database. Generous here, so a machine that
    stalls for a second (a slow fsync, a busy CI) does not turn a test's set-up command into
    "Slack is slow"; the tests of those answers override this with the production `Budgets()`.
    """
    return Budgets(lookup_s=15, db_wait_s=15, slack_timeout_s=10)


@pytest.fixture
def bot(fake: FakeSlack, engine: Engine, clock: ManualClock, budgets: Budgets) -> Iterator[Bot]:
    """Serve the real Bolt app through the same WSGI stack as `pmo-bot run`."""
    settings = Settings(
        slack_api_url=fake.base_url,
        database_url=str(engine.url),
        pmo_timezone="UTC",
        _env_file=None,
    )  # type: ignore[call-arg]
    deps = Deps(
        sessions=make_sessionmaker(engine),
        settings=settings,
        clock=clock,
        client=request_client(settings, "xoxb-test-token"),
        budgets=budgets,
    )
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-ack")
    app = create_app(deps, signing_secret=SIGNING_SECRET, executor=executor)
    worker = OutboxWorker(deps.sessions, deps.client, clock).start()
    health = Health(engine=engine, clock=clock)
    server = HttpServer(
        wsgi_app(app, health, signing_secret=SIGNING_SECRET), host="127.0.0.1", port=0, threads=4
    )
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield Bot(
        url=f"http://127.0.0.1:{server.port}",
        deps=deps,
        health=health,
        executor=executor,
        outbox=worker,
        app=app,
    )
    server.stop()
    thread.join(timeout=5)
    executor.shutdown(wait=True)
    worker.stop()
    assert not thread.is_alive(), "the server did not stop"


class SettlingDriver(SlackDriver):
    """Reads like a person in Slack: a command's answer is what they end up seeing.

    After each command it waits for the app's after-ack work; a deferred answer posted to
    the command's response_url becomes the reply's body. With `socket_mode`, requests go as
    Socket Mode envelopes to the app connected to `fake.socket` (the `socket_mode` fixture).
    """

    def __init__(self, bot: Bot, fake: FakeSlack, *, socket_mode: bool = False) -> None:
        super().__init__(bot.url, SIGNING_SECRET, fake, socket_mode=socket_mode)
        self._bot = bot
        self._fake = fake

    def command(self, user_id: str, text: str, **kwargs: str) -> Reply:  # type: ignore[override]
        reply = super().command(user_id, text, **kwargs)
        self._bot.settle()
        if reply.body is None and reply.status == 200:
            posted = [r["body"] for r in self._fake.responses if r["url"] == reply.response_url]
            if posted:
                return dataclasses.replace(reply, body=posted[-1])
        return reply


@pytest.fixture
def slack(bot: Bot, fake: FakeSlack) -> SlackDriver:
    """Drive the app as Slack does: signed commands, clicks, modal submissions, events."""
    return SettlingDriver(bot, fake)


@pytest.fixture
def socket_mode(bot: Bot, fake: FakeSlack) -> Iterator[SocketMode]:
    """The same app also connected to the fake over Socket Mode, as `pmo-bot run` connects it."""
    connection = SocketMode(bot.app, "xapp-1-A0PMO-test")
    connection.connect()
    fake.socket.wait_connected()
    yield connection
    connection.stop()


@pytest.fixture
def socket_slack(bot: Bot, fake: FakeSlack, socket_mode: SocketMode) -> SlackDriver:
    """Drive the app as Slack does over Socket Mode: the same payloads, as envelopes."""
    return SettlingDriver(bot, fake, socket_mode=True)


Pass = Callable[[datetime], PassReport]


@pytest.fixture
def run_pass(
    bot: Bot, fake: FakeSlack, sessions: sessionmaker[Session], clock: ManualClock
) -> Pass:
    """One scheduler pass at `at`, with the app's clock moved there too."""
    client = WebClient(token="xoxb-test", base_url=fake.base_url)

    def run(at: datetime) -> PassReport:
        clock.now = at
        return dispatch_due(sessions, client, now=at)

    return run


Tick = Callable[[datetime], None]


@pytest.fixture
def tick(run_pass: Pass, bot: Bot) -> Tick:
    """A scheduler pass at `at` under freezegun, then what the app's outbox worker is
    sending (DMs waiting for someone's hours stay queued until a later tick)."""

    def run(at: datetime) -> None:
        with freeze_time(at, ignore=["apscheduler"]):
            run_pass(at)
        bot.settle()

    return run
