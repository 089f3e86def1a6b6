"""Helpers that read what the bot answered, as a person would read it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.sandbox.fake_slack import FakeSlack
from storage.models import AuditEvent, Program


def text_of(payload: Any) -> str:
    """All human-readable text of a message, view or ack body, joined by newlines."""
    if payload is None:
        return ""
    found: list[str] = []
    _collect(payload, found)
    return "\n".join(found)


def _collect(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                _collect(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect(item, found)


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    """How many rows a table holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def program(sessions: sessionmaker[Session], key: str) -> Program | None:
    """A program by key."""
    with sessions() as session:
        return session.scalar(select(Program).where(Program.key == key))


def audit_actions(sessions: sessionmaker[Session]) -> list[str]:
    """Every audit event as "entity action", oldest first."""
    with sessions() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [f"{e.entity} {e.action}" for e in rows]


def echo_of(payload: Any) -> str:
    """What an error message repeats of the user's input (`You typed: …`), its pieces joined,
    as it reads in mrkdwn (still escaped)."""
    texts = [b["text"]["text"] for b in payload.get("blocks", []) if b["type"] == "section"]
    start = next(i for i, text in enumerate(texts) if text.startswith("You typed: `"))
    pieces = [texts[start].removeprefix("You typed: ")]
    pieces += [text for text in texts[start + 1 :] if not text.startswith("Usage: ")]
    return "".join(piece.strip("`") for piece in pieces)  # echoes carry no backtick of their own


def tick_process(at: datetime, *, fake: FakeSlack, engine: Engine) -> None:
    """One pass as cron runs it: `pmo-bot tick --now <at>`, a real process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-tick-test", SLACK_API_URL=fake.base_url, DATABASE_URL=str(engine.url)
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "tick", "--now", at.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
