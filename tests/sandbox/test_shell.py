"""`pmo-bot shell`: a Slack workspace in the console, played against the real app.

The first tests run the installed command as a user would (`demo-data`, then `shell` with a
scripted stdin) and read its stdout. The others drive the same shell in-process, one line at a
time, on a demo portfolio written as of a fixed Wednesday, so numbers and times are known.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox import demo
from bot.sandbox.console import ScriptConsole
from bot.sandbox.modals import KEEP, AnswerContext, AnswerError, parse_answer
from bot.sandbox.runtime import Sandbox
from bot.sandbox.shell import Shell, parse_duration, parse_when
from bot.sandbox.text import Names, describe_input
from storage.db import make_engine, make_sessionmaker
from storage.models import Program, StatusUpdate
from tests.conftest import START

NOW = START  # Wednesday 25 Nov 2026 14:00 UTC, 15:00 in Berlin
SUBPROCESS_TIMEOUT = 20


# --- the installed command, as a user runs it ------------------------------------------------


def pmo_bot() -> list[str]:
    """The `pmo-bot` console script installed beside this Python (else the module)."""
    script = Path(sys.executable).parent / "pmo-bot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.runtime.cli"]


def cli(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    # The deployment's database: the sandbox commands must never touch it.
    env["DATABASE_URL"] = f"sqlite:///{cwd / 'deployment.db'}"
    return subprocess.run(
        [*pmo_bot(), *args],
        input=stdin,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )


ISSUE_8_SESSION = """\
/pmo status apollo amber vendor late
:click Edit





Onboard the second card vendor
yesterday

in 3 weeks
:tick friday 10:00
:tick monday 09:05
:quit
"""


def test_demo_data_then_a_shell_session_from_status_to_digest(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'demo.db'}"
    filled = cli(["demo-data", "--database", database], tmp_path)
    assert filled.returncode == 0, filled.stderr
    assert "12 programs" in filled.stdout
    played = cli(["shell", "--database", database], tmp_path, ISSUE_8_SESSION)
    assert played.returncode == 0, played.stderr
    out = played.stdout
    # A quick status: the answer to the command, with its buttons numbered.
    assert "> /pmo status apollo amber vendor late\n[ephemeral to @lee]\n" in out
    assert "Stored the status of *Apollo*" in out and "*Kept your path to green:*" in out
    # *Edit* opens the modal; a past recovery date is refused on the field and re-asked.
    assert "[modal for @lee]\n  == Edit update ==\n  Status [green/amber/red]: amber" in out
    assert (
        "Back to green by: yesterday\n"
        "    ! The recovery date is in the past.\n"
        "Back to green by [date, optional] (yesterday):\n"
        "> in 3 weeks\n"
    ) in out
    assert "== Status saved ==" in out and "*Path to green:* Onboard the second card vendor" in out
    # Friday 10:00 brings the status prompts; Monday 09:05 the leadership digest.
    friday, monday = out.index("> :tick friday 10:00"), out.index("> :tick monday 09:05")
    assert "[DM to @lee] msg" in out[friday:monday]
    assert "Status update due for *Hermes*" in out[friday:monday]
    assert "[#leadership] msg" in out[monday:] and "== Portfolio digest" in out[monday:]
    assert out.rstrip().endswith("Bye.")
    assert not (tmp_path / "deployment.db").exists()


def test_both_commands_default_to_a_sandbox_file_and_demo_data_runs_once(tmp_path: Path) -> None:
    first = cli(["demo-data"], tmp_path)
    second = cli(["demo-data"], tmp_path)
    played = cli(["shell", "--as", "@ada"], tmp_path, ":users\n")
    assert (first.returncode, second.returncode, played.returncode) == (0, 0, 0)
    assert (tmp_path / "pmo-sandbox.db").exists()
    assert not (tmp_path / "deployment.db").exists()
    assert "Nothing was changed" in second.stdout
    assert "You are @ada (Ada Admin, PMO admin" in played.stdout
    assert " * @ada " in played.stdout and "#leadership" in played.stdout


def test_an_unknown_user_is_refused(tmp_path: Path) -> None:
    played = cli(["shell", "--as", "nobody", "--database", "sqlite://"], tmp_path)
    assert played.returncode == 2
    assert "nobody is called nobody" in played.stderr


# --- the same shell, in-process, one line at a time -----------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio as of NOW, written once; each test plays on a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert demo.run(f"sqlite:///{path}", now=NOW, out=io.StringIO()) == 0
    return path


class Lines:
    """A stdin the test fills before each command: the answers its modal will read."""

    def __init__(self) -> None:
        self.queue: list[str] = []

    def readline(self) -> str:
        return self.queue.pop(0) + "\n" if self.queue else ""

    def isatty(self) -> bool:
        return False


@dataclass
class Played:
    """A shell, and what it printed."""

    shell: Shell
    stdin: Lines
    stdout: io.StringIO
    sandbox: Sandbox
    url: str

    def do(self, command: str, *answers: str) -> str:
        """Run one command (its modal answered with `answers`); what it printed."""
        start = len(self.stdout.getvalue())
        self.stdin.queue += answers
        self.shell.handle(command)
        return self.stdout.getvalue()[start:]

    def message_number(self, text: str) -> int:
        """The number of the latest printed message containing `text`."""
        found = [n for n, m in self.shell.screen.transcript.messages.items() if text in str(m)]
        assert found, f"no printed message contains {text!r}"
        return found[-1]

    def status_updates(self, key: str) -> list[StatusUpdate]:
        engine = make_engine(self.url)
        with make_sessionmaker(engine)() as session:
            rows = session.scalars(
                select(StatusUpdate)
                .join(Program, Program.id == StatusUpdate.program_id)
                .where(Program.key == key)
                .order_by(StatusUpdate.id)
            )
            result = list(rows)
        engine.dispose()
        return result


@pytest.fixture
def played(demo_template: Path, tmp_path: Path) -> Iterator[Played]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    stdin, stdout = Lines(), io.StringIO()
    sandbox = Sandbox(url, now=NOW)
    console = ScriptConsole(stdin, stdout)  # type: ignore[arg-type]
    shell = Shell(sandbox, console, user=demo.USERS[1], database_url=url)
    sandbox.settle()
    shell.screen.show_new()
    try:
        yield Played(shell, stdin, stdout, sandbox, url)
    finally:
        sandbox.close()


def test_startup_shows_what_is_waiting_in_the_workspace(played: Played) -> None:
    out = played.stdout.getvalue()
    assert "[#intake] msg 1\n  == New intake request INT-1 ==" in out
    assert "[1] Approve  [2] Reject  [3] Defer" in out
    assert "[DM to @otto] msg 2" in out


def test_a_status_modal_with_a_program_picker_is_redrawn_for_the_program(played: Played) -> None:
    out = played.do(
        "/pmo status", "herm", "amber", "", "", "", "", "Second design team", "next friday", ""
    )
    assert "Program [Apollo (apollo) | Atlas (atlas) | Hermes (hermes)" in out
    assert (
        "[modal for @lee] updated\n  == Status update ==\n  Status [green/amber/red]: green" in out
    )
    assert "Status [green/amber/red] (green):\n> amber" in out
    assert "== Status saved ==" in out and "Stored the status of *Hermes*" in out
    latest = played.status_updates("hermes")[-1]
    assert (latest.rag, latest.path_to_green, latest.recovery_date) == (
        "amber",
        "Second design team",
        date(2026, 11, 27),
    )


def test_a_prompt_answered_by_a_reply_in_its_thread(played: Played) -> None:
    out = played.do(":tick friday 10:00")
    assert out.startswith("Clock: Fri 27 Nov 2026 10:00 Europe/Berlin (09:00 UTC), after")
    number = played.message_number("Status update due for *Hermes*")
    out = played.do(f":reply {number} amber - vendor late; next: escalate")
    assert f", in the thread of msg {number}\n  :white_check_mark: Stored the status of" in out
    assert "Stored the status of *Hermes*" in out
    latest = played.status_updates("hermes")[-1]
    assert (latest.rag, latest.summary, latest.source) == ("amber", "vendor late", "reply")


def test_buttons_in_someone_elses_dm_need_them(played: Played) -> None:
    played.do(":tick friday 10:00")
    kims = played.message_number("Status update due for *Zephyr*")
    button = next(
        n
        for n, b in played.shell.screen.transcript.buttons.items()
        if b.where.key == played.shell.screen.transcript.messages[kims].key
        and b.label == "No change"
    )
    assert "in @kim's DMs; `:as @kim` first" in played.do(f":click {button}")
    played.do(":as @kim")
    out = played.do(f":click {button}")
    assert "[ephemeral to @kim]" in out and "Stored the status of *Zephyr*" in out
    assert played.status_updates("zephyr")[-1].source == "no_change"


def test_a_command_typed_into_a_modal_closes_it_and_runs(played: Played) -> None:
    out = played.do("/pmo status apollo", "", "/pmo program list mine")
    assert "(modal closed without submitting, to run /pmo program list mine)" in out
    assert "== 5 programs (mine) ==" in out
    assert len(played.status_updates("apollo")) == demo.WEEKS


def test_cancel_closes_a_modal_and_stores_nothing(played: Played) -> None:
    out = played.do("/pmo status apollo", "red", ":cancel")
    assert "(modal closed without submitting)" in out
    assert len(played.status_updates("apollo")) == demo.WEEKS


def test_home_is_shown_and_its_buttons_work(played: Played) -> None:
    out = played.do(":home")
    assert "[home of @lee]\n  == Your programs (5) ==" in out
    out = played.do(":click Submit update", "green", "back on track", "", "", "", "", "", "")
    assert "[modal for @lee]" in out and "== Status saved ==" in out


def test_the_digest_goes_out_on_monday_morning(played: Played) -> None:
    out = played.do(":tick mon 09:05")
    digest = out[out.index("[#leadership] msg") :]
    assert "== Portfolio digest, Mon 30 Nov 2026 ==" in digest
    assert "in the thread of msg" in digest


def test_the_clock_only_moves_forward(played: Played) -> None:
    assert "The clock only moves forward" in played.do(":tick 2026-11-01T10:00")
    assert "Give a duration like 2d" in played.do(":advance soon")
    out = played.do(":advance 2h")
    assert out == (
        "Clock: Wed 25 Nov 2026 17:00 Europe/Berlin (16:00 UTC), after 1 scheduler pass on the way."
        "\n\n(nothing new)\n\n"
    )


def test_unknown_commands_and_other_slash_commands_say_what_works(played: Played) -> None:
    assert "Unknown command :frobnicate" in played.do(":frobnicate")
    assert "Only /pmo is installed" in played.do("/giphy cats")
    assert ":tick when" in played.do(":help")
    assert "No modal is open" in played.do(":cancel")


# --- reading the clock and answers ----------------------------------------------------------


WEDNESDAY = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 15:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday 10:00", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        ("wed 16:00", datetime(2026, 11, 25, 15, 0, tzinfo=UTC)),  # later today
        ("wednesday 09:00", datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),  # today's is past
        ("10:00", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        ("tomorrow at 09:05", datetime(2026, 11, 26, 8, 5, tzinfo=UTC)),
        ("2026-12-04T10:00", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
        ("2026-12-04T10:00+00:00", datetime(2026, 12, 4, 10, 0, tzinfo=UTC)),
    ],
)
def test_tick_times_are_read_in_the_users_zone(text: str, expected: datetime) -> None:
    assert parse_when(text, now=WEDNESDAY, tz="Europe/Berlin") == expected


def test_unreadable_tick_times_say_what_is_readable() -> None:
    with pytest.raises(ValueError, match="friday 10:00"):
        parse_when("soonish", now=WEDNESDAY, tz="Europe/Berlin")
    with pytest.raises(ValueError, match="could be 3 Dec 2026 or 12 Mar 2027"):
        parse_when("03/12 10:00", now=WEDNESDAY, tz="Europe/Berlin")


def test_durations() -> None:
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1w 2d 3h 30m") == timedelta(weeks=1, days=2, hours=3, minutes=30)
    for bad in ("", "2x", "d2", "0h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def field_of(element: dict[str, Any], *, optional: bool = False) -> Any:
    block = {
        "type": "input",
        "block_id": "f",
        "label": {"type": "plain_text", "text": "Field"},
        "element": element,
        "optional": optional,
    }
    return describe_input(block, NAMES)


NAMES = Names(users={demo.LEE: "lee", demo.KIM: "kim"}, channels={demo.PMO: "pmo"})
CONTEXT = AnswerContext(names=NAMES, now=WEDNESDAY, tz="Europe/Berlin", suggest=lambda f, t: [])


def option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def test_answers_become_what_slack_would_put_in_the_state() -> None:
    select_field = field_of(
        {
            "type": "static_select",
            "action_id": "s",
            "options": [option("1", "Apollo (apollo)"), option("2", "Atlas (atlas)")],
        }
    )
    assert parse_answer(select_field, "atl", CONTEXT) == "2"
    assert parse_answer(select_field, "Apollo (apollo)", CONTEXT) == "1"
    users = field_of({"type": "users_select", "action_id": "u"})
    assert parse_answer(users, "@kim", CONTEXT) == demo.KIM
    day = field_of({"type": "datepicker", "action_id": "d"}, optional=True)
    assert parse_answer(day, "next friday", CONTEXT) == "2026-11-27"
    assert parse_answer(day, "", CONTEXT) is KEEP
    assert parse_answer(day, "-", CONTEXT) is None
    channel = field_of({"type": "conversations_select", "action_id": "c"})
    assert parse_answer(channel, "#pmo", CONTEXT) == demo.PMO


def test_answers_a_field_cannot_take_are_refused_with_the_reason() -> None:
    select_field = field_of(
        {
            "type": "static_select",
            "action_id": "s",
            "options": [option("a", "Apollo"), option("b", "Apollo two")],
        }
    )
    with pytest.raises(AnswerError, match=r"could be Apollo \| Apollo two"):
        parse_answer(select_field, "apo", CONTEXT)
    with pytest.raises(AnswerError, match="required"):
        parse_answer(field_of({"type": "plain_text_input", "action_id": "t"}), "", CONTEXT)
    with pytest.raises(AnswerError, match="Nobody is called @zed"):
        parse_answer(field_of({"type": "users_select", "action_id": "u"}), "@zed", CONTEXT)
    with pytest.raises(AnswerError, match="not a number"):
        parse_answer(field_of({"type": "number_input", "action_id": "n"}), "ten", CONTEXT)


def test_the_shell_starts_on_a_summary_and_keeps_log_lines_off_the_console(
    tmp_path: Path,
) -> None:
    assert cli(["demo-data"], tmp_path).returncode == 0
    played = cli(["shell"], tmp_path, stdin=":quit\n")
    out = played.stdout
    assert played.returncode == 0, played.stderr
    assert re.search(r"The workspace holds \d+ programs \(\d+ red, \d+ amber, \d+ green\)", out)
    assert "intake requests awaiting a decision" in out
    assert "messages and views were there before you came" in out
    assert "== New intake request" not in out, "no replay of what was already there"
    log_line = next(line for line in out.splitlines() if "log lines go to" in line)
    log_file = Path(log_line.split("go to ")[1].removesuffix(", not here."))
    assert log_file.name == "pmo-bot-shell.log" and log_file.exists()
    assert '{"' not in out and '{"' not in played.stderr, "no JSON log line on the console"


def test_an_export_shows_the_files_name_size_and_first_lines(played: Played) -> None:
    played.do(":as @ada")  # exports are for PMO admins
    out = played.do("/pmo export programs")
    assert "[DM to @ada] file" in out
    line = next(line for line in out.splitlines() if "📎 " in line)
    assert ".csv (" in line and " bytes, " in line
    assert "  │ key," in out, "the CSV's header line"


def test_a_reply_of_several_lines_is_typed_after_reply_n(played: Played) -> None:
    played.do(":tick friday 10:00")
    number = played.message_number("Status update due for *Hermes*")
    out = played.do(f":reply {number}", "amber - vendor late", "next: escalate", "")
    assert "(type the message; an empty line sends it)" in out
    assert "Stored the status of *Hermes*" in out
    latest = played.status_updates("hermes")[-1]
    assert (latest.rag, latest.summary) == ("amber", "vendor late")
    assert latest.next_steps == "escalate"
