"""Thousands of generated requests: none gets a 5xx, none logs a traceback, none pings.

Three kinds of body, from one seeded generator so a failure reproduces: unsigned or badly
signed (the gate refuses them), signed but malformed (bad JSON, form, UTF-8, shapes, missing
fields), and signed, well-formed Slack requests (commands, clicks, submissions, DMs) whose
text is hostile: `<!channel>`, disguised links and mentions, as Slack sends typed text
(escaped, in commands and DMs) and raw (in button values and modal inputs). After all of
them, nothing the bot sent to Slack or answered carries a live mention or link.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.blocks.help import USAGE
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signing import sign
from tests.conftest import SIGNING_SECRET, Bot

SEED = 20261202
UNSIGNED, MALFORMED, HOSTILE = 400, 700, 1100  # 2,200 bodies in all
HOSTILE_BITS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U999>",
    "<#C999>",
    "<https://evil.example/login|INT review form>",
    "<!subteam^S999>",
    "&lt;!channel&gt;",
    "&lt;@U999&gt;",
    "&lt;https://evil.example|x&gt;",
    "&amp;lt;!here&amp;gt;",
    '"',
    "“",
    "'",
    "\x00",
    "🚀",
    "日本語",
    "due:",
    "owner:",
    "key:value",
    "a" * 300,
    "x" * 4000,
    "%s%n",
    "{0}",
    "\\",
    "\n",
    "*bold*",
    "`code`",
]
# What would be live in Slack if any hostile bit got through unescaped.
LIVE = ("<!channel", "<!here", "<!everyone", "<@U999", "<#C999", "<https://evil", "<!subteam")
USERS = ["UADMIN", "ULEAD", "UOTHER", "UGUEST", "UPARTNER", "UNOBODY"]
ACTIONS = [
    "digest_program",
    "home_status",
    "intake_approve",
    "intake_defer",
    "intake_reject",
    "program_reassign",
    "prompt_no_change",
    "prompt_snooze",
    "prompt_submit",
    "raid_close",
    "raid_escalate",
    "raid_kind",
    "raid_mitigate",
    "reply_pick_program",
    "status_add_plan",
    "status_edit",
    "status_pick_program",
]
VIEWS = [
    "intake_approve",
    "intake_defer",
    "intake_reject",
    "intake_submit",
    "program_add",
    "program_edit",
    "raid_mitigate",
    "raid_submit",
    "status_submit",
]


class Fuzzer:
    """Builds one request at a time from a seeded generator and sends it."""

    def __init__(self, bot: Bot, fake: FakeSlack, rng: random.Random) -> None:
        self.fake, self.rng = fake, rng
        self.slack = SlackDriver(bot.url, SIGNING_SECRET, fake)
        self.answers: list[Reply] = []

    def hostile(self, words: int = 4) -> str:
        pieces = [self.rng.choice(HOSTILE_BITS) for _ in range(self.rng.randint(1, words))]
        return " ".join(pieces) if self.rng.random() < 0.7 else "".join(pieces)

    def typed(self, words: int = 4) -> str:
        """Hostile text as Slack sends what a person typed in a command or DM: escaped, and
        sometimes with a real mention picked from Slack's autocomplete."""
        text = self.hostile(words).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{text} <@ULEAD|lee>" if self.rng.random() < 0.2 else text

    def value(self) -> str:
        return self.rng.choice([self.hostile(), str(self.rng.randint(-5, 50)), "", "1", "x:1"])

    def send(self, make: Callable[[], Reply]) -> None:
        self.answers.append(make())

    # --- unsigned and forged --------------------------------------------------------------

    def unsigned(self) -> Reply:
        body = self.garbage()
        headers: dict[str, str] = {"Content-Type": self.content_type()}
        kind = self.rng.randrange(5)
        if kind == 1:
            headers |= sign(body, "not-the-secret", int(time.time()))
        elif kind == 2:
            headers |= {"X-Slack-Request-Timestamp": self.rng.choice(["abc", "", "-1", "1e9"])}
            headers |= {"X-Slack-Signature": "v0=" + "0" * 64}
        elif kind == 3:  # signed, but five hours ago
            headers |= sign(body, SIGNING_SECRET, int(time.time()) - 5 * 3600)
        elif kind == 4:
            forged = self.hostile().encode("ascii", "ignore").decode()  # headers are ASCII
            forged = "".join(c for c in forged if c.isprintable())
            headers |= {"X-Slack-Signature": forged, "X-Slack-Request-Timestamp": "1"}
        return self.slack.raw(body, headers)

    # --- signed, malformed -----------------------------------------------------------------

    def malformed(self) -> Reply:
        body = self.garbage() if self.rng.random() < 0.5 else self.broken_payload()
        headers = {
            "Content-Type": self.content_type(),
            **sign(body, SIGNING_SECRET, int(time.time())),
        }
        return self.slack.raw(body, headers)

    def garbage(self) -> bytes:
        return self.rng.choice(
            [
                b"{x",
                b"[1]",
                b"null",
                b"payload=%7B",
                b"\xff\xfe\x00bad utf-8",
                b"",
                b"payload=" + json.dumps([1, 2]).encode(),
                b"command=%2Fpmo&text=",
                json.dumps({"type": self.hostile(1)}).encode(),
                bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 200))),
                urlencode({"payload": self.hostile()}).encode(),
                json.dumps({"type": "event_callback", "event": self.hostile(1)}).encode(),
            ]
        )

    def broken_payload(self) -> bytes:
        """A real Slack shape with fields missing, of the wrong type, or hostile."""
        user = self.rng.choice(USERS)
        shape: dict[str, Any] = self.rng.choice(
            [
                {"type": "block_actions", "user": {"id": user}, "actions": []},
                {"type": "block_actions", "user": user, "actions": "x"},
                {"type": "block_actions", "team": None, "user": {"id": user}},
                {"type": "view_submission", "user": {"id": user}, "view": {"callback_id": "x"}},
                {"type": "view_submission", "user": {"id": user}, "view": "raid_submit"},
                {
                    "type": "view_submission",
                    "user": {"id": user},
                    "view": {"callback_id": self.rng.choice(VIEWS), "state": {"values": []}},
                },
                {"type": "block_suggestion", "user": {"id": user}, "value": self.hostile()},
                {"type": "shortcut", "callback_id": self.hostile(1)},
                {"type": self.hostile(1), "user": {"id": user}},
            ]
        )
        if self.rng.random() < 0.5:
            shape["team"] = {"id": self.rng.choice([self.fake.team_id, "TPARTNER", ""])}
        if self.rng.random() < 0.3:
            return json.dumps(
                {
                    "type": "event_callback",
                    "team_id": self.fake.team_id,
                    "event": {"type": self.rng.choice(["message", "app_home_opened"])},
                }
            ).encode()
        return urlencode({"payload": json.dumps(shape)}).encode()

    def content_type(self) -> str:
        return self.rng.choice(
            ["application/x-www-form-urlencoded", "application/json", "text/plain", ""]
        )

    # --- signed, well-formed, hostile ------------------------------------------------------

    def valid(self) -> Reply:
        user = self.rng.choice(USERS)
        kind = self.rng.randrange(10)
        if kind < 6:
            return self.slack.command(user, self.command_text())
        if kind == 6:
            return self.slack.click(user, self.rng.choice(ACTIONS), value=self.value())
        if kind == 7:
            return self.submit(user)
        if kind == 8:  # Slack has a DM only with someone it knows
            return self.slack.dm(user if user != "UNOBODY" else "ULEAD", self.typed(6))
        return self.slack.app_home_opened(user if user != "UNOBODY" else "UOTHER")

    def command_text(self) -> str:
        path = self.rng.choice([*USAGE, "", "nonsense"])
        words = [
            path,
            *[
                self.rng.choice([self.typed(2), "apollo", "red", "green"])
                for _ in range(self.rng.randint(0, 4))
            ],
        ]
        if self.rng.random() < 0.3:
            key = self.rng.choice(["owner", "due", "channel", "cadence", "target"])
            words.append(f"{key}:{self.typed(1)}")
        return " ".join(words)

    def submit(self, user: str) -> Reply:
        """A `view_submission` of any of our modals, its inputs filled with anything."""
        values = {
            field: {field: {"type": "plain_text_input", "value": value}}
            for field, value in self.view_values().items()
        }
        payload = {
            "type": "view_submission",
            "team": {"id": self.fake.team_of(user), "domain": self.fake.team_domain},
            "user": {"id": user, "team_id": self.fake.team_of(user)},
            "api_app_id": "A0PMO",
            "trigger_id": self.fake.issue_trigger(user),
            "view": {
                "id": f"V{self.rng.randrange(10**6)}",
                "type": "modal",
                "callback_id": self.rng.choice(VIEWS),
                "private_metadata": self.rng.choice(["", "1", "2", "999", self.hostile(1)]),
                "blocks": [],
                "state": {"values": values},
                "hash": "1.x",
            },
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(body, SIGNING_SECRET, int(time.time())),
        }
        return self.slack.raw(body, headers)

    def view_values(self) -> dict[str, str]:
        fields = [
            "title",
            "problem",
            "summary",
            "rag",
            "name",
            "path_to_green",
            "kind",
            "likelihood",
            "impact",
            "reason",
            "business_value",
            "job_size",
            "owner",
        ]
        return {field: self.value() for field in self.rng.sample(fields, self.rng.randint(0, 6))}


def test_thousands_of_generated_requests_get_no_5xx_no_traceback_and_no_live_mention(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_user("UPARTNER", "pat", team_id="TPARTNER")
    rng = random.Random(SEED)
    fuzz = Fuzzer(bot, fake, rng)
    fuzz.slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    fuzz.slack.command("UADMIN", "program add Apollo owner:<@ULEAD|lee> channel:<#CAPOLLO|apollo>")
    caplog.set_level(logging.INFO)
    for _ in range(UNSIGNED):
        fuzz.send(fuzz.unsigned)
    for _ in range(MALFORMED):
        fuzz.send(fuzz.malformed)
    for _ in range(HOSTILE):
        fuzz.send(fuzz.valid)
    bot.settle()

    assert len(fuzz.answers) == UNSIGNED + MALFORMED + HOSTILE >= 2000
    server_errors = [a for a in fuzz.answers if a.status >= 500]
    assert server_errors == [], f"{len(server_errors)} answers were 5xx"
    tracebacks = [
        r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()
    ]
    assert tracebacks == [], f"{len(tracebacks)} log lines carry a traceback: {tracebacks[:3]}"
    said = json.dumps(
        [a.body for a in fuzz.answers]
        + [call.params for call in fake.calls]
        + [response["body"] for response in fake.responses],
        ensure_ascii=False,
    )
    assert [live for live in LIVE if live in said] == []
    assert sum(1 for a in fuzz.answers if a.status == 200) > HOSTILE // 2, (
        "most valid ones answered"
    )
