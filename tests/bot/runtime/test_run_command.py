"""`pmo-bot run` as an operator starts it: real process, real HTTP, against the fake Slack."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from tests.flow import text_of

SECRET = "run-test-secret"


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        into.put(line)


Served = tuple[subprocess.Popen[str], str, queue.Queue[str]]


@contextlib.contextmanager
def _serving(fake: FakeSlack, tmp_path: Path, *args: str) -> Iterator[Served]:
    """Start `pmo-bot run --port 0 ARGS`; yield the process, its URL and its log lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-run-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        LOG_LEVEL="INFO",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", "run", "--port", "0", *args],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
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
    rest = "".join(iter(lambda: logs.get(timeout=5) if not logs.empty() else "", ""))
    assert '"scheduler stopped"' in rest
    assert '"stopped"' in rest
    assert "xoxb-run-test" not in rest


def test_run_without_scheduler_reports_it_off_in_health(fake: FakeSlack, tmp_path: Path) -> None:
    with _serving(fake, tmp_path, "--no-scheduler") as (process, url, _logs):
        status, health = _health(url)
        assert (status, health["scheduler"], health["last_pass"]) == (200, "off", None)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
