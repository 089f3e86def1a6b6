"""`pmo-bot run` as an operator starts it: real process, real HTTP or Socket Mode, against the
fake Slack."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.db import make_engine, make_sessionmaker
from storage.models import Program
from tests.flow import text_of

SECRET = "run-test-secret"


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        into.put(line)


Served = tuple[subprocess.Popen[str], str, queue.Queue[str]]


def _start(fake: FakeSlack, tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """Start `pmo-bot run --port 0 ARGS` with the bot's credentials, on a database of its own."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    environ.update(
        SLACK_BOT_TOKEN="xoxb-run-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        LOG_LEVEL="INFO",
        **env,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", "run", "--port", "0", *args],
        env=environ,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


@contextlib.contextmanager
def _serving(fake: FakeSlack, tmp_path: Path, *args: str, **env: str) -> Iterator[Served]:
    """Start `pmo-bot run --port 0 ARGS`; yield the process, its URL and its log lines."""
    process = _start(fake, tmp_path, *args, **env)
    logs: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stderr, logs), daemon=True).start()
    port = None
    try:
        while port is None:
            line = json.loads(logs.get(timeout=30))
            if line["msg"] == "serving HTTP":
                port = line["port"]
        yield process, f"http://127.0.0.1:{port}", logs
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _rest(logs: queue.Queue[str]) -> str:
    """The log lines not read yet (the process has exited)."""
    return "".join(iter(lambda: logs.get(timeout=5) if not logs.empty() else "", ""))


@pytest.fixture
def running_bot(fake: FakeSlack, tmp_path: Path) -> Iterator[Served]:
    with _serving(fake, tmp_path) as served:
        yield served


def _health(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
        return response.status, json.load(response)


def test_run_serves_slack_and_health_and_stops_cleanly_on_sigterm(
    running_bot: Served, fake: FakeSlack
) -> None:
    process, url, logs = running_bot
    status, health = _health(url)
    assert (status, health["scheduler"]) == (200, "ok")
    slack = SlackDriver(url, SECRET, fake)
    assert "/pmo program add" in text_of(slack.command("ULEAD", "help").body)
    slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
    listed = slack.command("ULEAD", "program list")  # answered after the ack
    assert "Apollo" in text_of(fake.wait_for_response(listed.response_url or "")["body"])
    forged = SlackDriver(url, "wrong-secret", fake).command("UADMIN", "program add Evil owner:@lee")
    assert forged.status == 401
    listed = slack.command("ULEAD", "program list")
    assert "Evil" not in text_of(fake.wait_for_response(listed.response_url or "")["body"])
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    rest = _rest(logs)
    assert '"scheduler stopped"' in rest
    assert '"stopped"' in rest
    assert "xoxb-run-test" not in rest


def test_run_without_scheduler_reports_it_off_in_health(fake: FakeSlack, tmp_path: Path) -> None:
    with _serving(fake, tmp_path, "--no-scheduler") as (process, url, _logs):
        status, health = _health(url)
        assert (status, health["scheduler"], health["last_pass"]) == (200, "off", None)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


# --- Socket Mode: SLACK_APP_TOKEN set ------------------------------------------------------

APP_TOKEN = "xapp-1-A0PMO-run-test"


def _post(url: str) -> int:
    request = urllib.request.Request(url, data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_socket_mode_run_serves_slack_over_the_socket_and_health_on_port(
    fake: FakeSlack, tmp_path: Path
) -> None:
    with _serving(fake, tmp_path, SLACK_APP_TOKEN=APP_TOKEN) as (process, url, logs):
        fake.socket.wait_connected()
        status, health = _health(url)
        assert (status, health["scheduler"]) == (200, "ok")
        assert _post(f"{url}/slack/events") == 404  # Slack's requests come over the socket
        slack = SlackDriver.over_socket_mode(fake)
        assert "/pmo program add" in text_of(slack.command("ULEAD", "help").body)
        listed = slack.command("ULEAD", "program list")  # answered after the ack
        assert "No active programs" in text_of(
            fake.wait_for_response(listed.response_url or "")["body"]
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        rest = _rest(logs)
    assert '"stopped"' in rest
    assert APP_TOKEN not in rest and "xoxb-run-test" not in rest
    assert fake.socket.problems == [] and fake.socket.late_acks == []


def test_sigterm_in_socket_mode_finishes_the_command_in_hand_then_exits(
    fake: FakeSlack, tmp_path: Path
) -> None:
    fake.delay("views.open", 1.0)  # the command is in hand while its modal opens (< 1.5 s)
    with (
        _serving(fake, tmp_path, "--no-scheduler", SLACK_APP_TOKEN=APP_TOKEN) as (process, *_),
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        fake.socket.wait_connected()
        slack = SlackDriver.over_socket_mode(fake)
        slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee>")
        pending = pool.submit(slack.command, "UADMIN", "program add")
        fake.wait_for_call("views.open")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        opened = pending.result(timeout=5)
    assert opened.status == 200 and opened.body is None  # acknowledged before the exit
    assert fake.last_view("UADMIN")["callback_id"] == "program_add"
    assert fake.socket.acks[-1].latency < 3 and fake.socket.late_acks == []
    engine = make_engine(f"sqlite:///{tmp_path / 'run.db'}")
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(Program.key)) == "apollo"
    engine.dispose()


def test_a_refused_app_token_stops_run_with_one_line(fake: FakeSlack, tmp_path: Path) -> None:
    fake.fail_next("apps.connections.open", "invalid_auth")
    process = _start(fake, tmp_path, SLACK_APP_TOKEN=APP_TOKEN)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "Slack refused Socket Mode (invalid_auth); check SLACK_APP_TOKEN" in stderr
    assert "Traceback" not in stderr and APP_TOKEN not in stderr
