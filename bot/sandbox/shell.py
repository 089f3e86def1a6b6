"""`pmo-bot shell`: play a Slack workspace in the console, against the real app.

Type `/pmo …` as one of the demo workspace's people and see what each of them, and each
channel, receives; click numbered buttons, answer modals field by field, reply to DMs, and
move the clock to watch prompts, reminders and digests go out. Like errbot's `-T` text
backend, but the app under it is the real one: Bolt over HTTP, the database, the outbox and
the scheduler pass, with the fake Slack of `bot/sandbox/fake_slack/` on 127.0.0.1.

When stdin is not a terminal, commands are read one per line and echoed as `> …`, and the
lines after a modal opens answer its fields in order, so `pmo-bot shell < session.txt`
replays a session as a readable transcript.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot import dates
from bot.errors import UserError
from bot.sandbox import demo
from bot.sandbox.console import ScriptConsole, ShellConsole, TerminalConsole
from bot.sandbox.demo import DemoUser
from bot.sandbox.feed import HOME, Item
from bot.sandbox.modals import Interrupted
from bot.sandbox.runtime import Sandbox
from bot.sandbox.screen import Screen

Json = dict[str, Any]
HELP = """\
/pmo …             run the slash command as you (try /pmo help)
:click N|label     click button N (or the latest one with that label) as you
:dm text           send the bot a DM as you (answers a pending prompt)
:reply N text      reply in the thread of DM message N
                   (:dm or :reply N alone: type several lines, then an empty one to send)
:home              open your App Home
:as @name          act as someone else (:users lists them)
:in #channel       type commands in that channel (default #general)
:tick when         set the clock to e.g. `friday 10:00`, `mon 09:05`, `2026-12-04T10:00`
                   (your time zone) and run the scheduler on the way
:advance 2d        move the clock forward (w, d, h, m) and run the scheduler on the way
:now               the time on the shell's clock
:users             people and channels
:help              this help
:quit              leave (so do Ctrl-D and Ctrl-C)
In a modal: Enter keeps the value shown (or skips an optional field), `-` clears it,
`:cancel` closes the modal without submitting."""
_DURATION = re.compile(r"(\d+)\s*([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_AT_TIME = re.compile(r"(?:(?P<day>.*?)\s+)?(?:at\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# --- the shell ----------------------------------------------------------------------------


def run(
    database_url: str,
    *,
    user: str,
    now: datetime,
    stdin: TextIO,
    stdout: TextIO,
    log_file: str | None = None,
) -> int:
    """`pmo-bot shell`: start the sandbox, play it from `stdin` until `:quit` or EOF.

    Args:
        database_url: The sandbox's database (migrated here).
        user: Who acts first, `@lee` or `lee`.
        now: Where the shell's clock starts (later if the database has seen a later time).
        stdin: Commands: a terminal is prompted, anything else is read as a script.
        stdout: What users see.
        log_file: Where the app's log lines go, named in the banner (None: not said).

    Returns:
        The exit code: 0, or 2 when `user` is not one of the demo workspace's people.
    """
    who = demo.user_by_name(user)
    if who is None:
        names = ", ".join("@" + u.name for u in demo.USERS)
        print(f"pmo-bot shell: nobody is called {user}; choose one of {names}", file=sys.stderr)
        return 2
    console: ShellConsole = ScriptConsole(stdin, stdout)
    if stdin.isatty():
        console = TerminalConsole(stdout)
    with Sandbox(database_url, now=now) as sandbox:
        shell = Shell(sandbox, console, user=who, database_url=database_url)
        shell.log_file = log_file
        return shell.run()


Handler = Callable[["Shell", str], bool | None]


class Shell:
    """The read-act-print loop: one method per `:command`, looked up in `COMMANDS`."""

    def __init__(
        self, sandbox: Sandbox, console: ShellConsole, *, user: DemoUser, database_url: str
    ) -> None:
        self.sandbox = sandbox
        self.console = console
        self.channel = demo.GENERAL
        self.database_url = database_url
        self.screen = Screen(sandbox, console, user=user, is_command=_is_command)
        self.names = self.screen.names
        self.log_file: str | None = None

    @property
    def user(self) -> DemoUser:
        """Who is acting now."""
        return self.screen.user

    def run(self) -> int:
        """Greet, show what is waiting, then take commands until `:quit`, EOF or Ctrl-C."""
        self._banner()
        self.sandbox.settle()
        self._summary()
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            self._loop()
        self.console.say("Bye.")
        return 0

    def _loop(self) -> None:
        while self.handle(self.console.read_command(self._prompt())):
            pass

    def _prompt(self) -> str:
        return f"{self.user.name}> "

    def handle(self, line: str) -> bool:
        """Do one line; False when the shell should stop."""
        try:
            return self._handle(line)
        except Interrupted as command:  # typed into a modal's field: run it now
            return self.handle(command.line)

    def _handle(self, line: str) -> bool:
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        if text.startswith("/"):
            self.slash(text)
            return True
        name, _, argument = text.partition(" ")
        command = COMMANDS.get(name.lower())
        if command is None:
            self.say(f"Unknown command {name}. Type /pmo …, or :help for the shell's commands.")
            return True
        return command(self, argument.strip()) is not False

    def say(self, line: str = "") -> None:
        """Print a line."""
        self.console.say(line)

    def _banner(self) -> None:
        self.say("PMO Bot sandbox: a fake Slack workspace with the real app; nothing leaves here.")
        self.say(f"Database {self.database_url}; clock {self._clock_text(self.sandbox.clock.now)}")
        if self.log_file:
            self.say(f"The app's log lines go to {self.log_file}, not here.")
        if not self.sandbox.has_programs():
            self.say("The workspace has no programs yet: `pmo-bot demo-data` fills a demo one.")
        self.say(f"{self._whoami()} :help lists the shell's commands.")
        self.say()

    def _summary(self) -> None:
        """What the workspace holds and how much is waiting, instead of replaying it all
        (a demo workspace has dozens of intake cards and digests already posted)."""
        waiting = self.screen.feed.new()  # seen from now on: only what comes next is printed
        if not self.sandbox.has_programs() and not waiting:
            return
        self.say(f"The workspace holds {self.sandbox.holdings()}.")
        if waiting:
            self.say(
                f"{len(waiting)} messages and views were there before you came; "
                "`/pmo program list`, `/pmo intake list` or `:home` show where things stand."
            )
        self.say()

    # commands

    def slash(self, text: str) -> None:
        """`/pmo …` as the current user, typed in the current channel."""
        command, _, rest = text.partition(" ")
        if command.lower() != "/pmo":
            self.say("Only /pmo is installed in this workspace.")
            return
        reply = self.sandbox.driver.command(self.user.id, rest.strip(), channel_id=self.channel)
        self.screen.after(reply, channel=self.channel)

    def click(self, argument: str) -> bool | None:
        """`:click N` or `:click <label>`."""
        button = self.screen.find_button(argument)
        if button is None:
            return None
        refusal = self.screen.not_yours(button.where)
        if refusal:
            self.say(refusal)
            return None
        reply = self.screen.press(button)
        if reply is not None:
            self.screen.after(reply)
        return None

    def dm(self, argument: str) -> bool | None:
        """`:dm text`: a DM to the bot; `:dm` alone takes lines until an empty one."""
        text = argument or self._lines()
        if not text:
            self.say("Usage: :dm <text>, or :dm alone and then lines ending with an empty one.")
            return None
        self.screen.after(self.sandbox.driver.dm(self.user.id, text))
        return None

    def reply(self, argument: str) -> bool | None:
        """`:reply N text`: a reply in the thread of one of your DMs from the bot; `:reply N`
        alone takes lines until an empty one."""
        number, _, text = argument.partition(" ")
        printed = self.screen.transcript.messages.get(int(number)) if number.isdigit() else None
        if printed is None:
            self.say("Usage: :reply N <text>, N being a `msg N` printed in your DMs.")
            return None
        if printed.user != self.user.id:
            self.say(f"msg {number} is not in your DMs; the bot reads replies to DMs only.")
            return None
        text = text.strip() or self._lines()
        if not text:
            self.say("Nothing to send: type the reply's lines, then an empty line.")
            return None
        thread = str(printed.payload.get("thread_ts") or printed.key)
        self.screen.after(self.sandbox.driver.dm(self.user.id, text.strip(), thread_ts=thread))
        return None

    def _lines(self) -> str:
        """Lines typed after `:dm` or `:reply N`, up to an empty one, as one message."""
        self.say("(type the message; an empty line sends it)")
        lines: list[str] = []
        with contextlib.suppress(EOFError):
            while line := self.console.read_command("... ").rstrip():
                lines.append(line)
        return "\n".join(lines)

    def home(self, argument: str) -> bool | None:
        """`:home`: open App Home (shown even when it has not changed)."""
        self.sandbox.driver.app_home_opened(self.user.id)
        self.sandbox.settle()
        items = self.screen.feed.new()
        if not any(i.kind == HOME and i.user == self.user.id for i in items):
            with contextlib.suppress(LookupError):
                view = self.sandbox.fake.home(self.user.id)
                items.append(Item(HOME, view, user=self.user.id, key=self.user.id))
        self.screen.print_items(items)
        return None

    def act_as(self, argument: str) -> bool | None:
        """`:as @name`."""
        who = demo.user_by_name(argument) if argument else None
        if who is None:
            self.say(f"Nobody is called {argument or '…'}. " + self._people_names())
            return None
        self.screen.user = who
        self.say(self._whoami())
        return None

    def type_in(self, argument: str) -> bool | None:
        """`:in #channel`: where slash commands are typed from now on."""
        channel = self.names.channel_id(argument) if argument else None
        if channel is None:
            channels = ", ".join("#" + c.name for c in demo.CHANNELS)
            self.say(f"No channel {argument or '…'}; channels: {channels}.")
            return None
        self.channel = channel
        self.say(f"Commands are typed in {self.names.channel(channel)} now.")
        return None

    def tick(self, argument: str) -> bool | None:
        """`:tick <when>`: set the clock and run the scheduler up to then."""
        try:
            to = parse_when(argument, now=self.sandbox.clock.now, tz=self.user.tz)
        except ValueError as problem:
            self.say(str(problem))
            return None
        self._move(to)
        return None

    def advance(self, argument: str) -> bool | None:
        """`:advance 2d`: move the clock forward and run the scheduler on the way."""
        try:
            delta = parse_duration(argument)
        except ValueError as problem:
            self.say(str(problem))
            return None
        self._move(self.sandbox.clock.now + delta)
        return None

    def now(self, argument: str) -> bool | None:
        """`:now`."""
        self.say(f"The clock says {self._clock_text(self.sandbox.clock.now)}.")
        return None

    def users(self, argument: str) -> bool | None:
        """`:users`: people (you marked) and channels with their members."""
        self.say("People:")
        for user in demo.USERS:
            mark = "*" if user.id == self.user.id else " "
            self.say(f" {mark} @{user.name:<5} {user.real_name:<12} {user.tz:<17} {user.role}")
        self.say("Channels:")
        for channel in demo.CHANNELS:
            members = " ".join(self.names.user(m) for m in channel.members)
            here = " (commands are typed here)" if channel.id == self.channel else ""
            self.say(f"   #{channel.name:<11} {members}{here}")
        return None

    def help(self, argument: str) -> bool | None:
        """`:help`."""
        for line in HELP.splitlines():
            self.say(line)
        return None

    def quit(self, argument: str) -> bool | None:
        """`:quit`."""
        return False

    def cancel(self, argument: str) -> bool | None:
        """`:cancel` outside a modal."""
        self.say("No modal is open; `:cancel` closes one while its fields are asked.")
        return None

    # clock

    def _move(self, to: datetime) -> None:
        try:
            reports = self.sandbox.move_clock(to)
        except ValueError as problem:
            self.say(f"{problem}; it says {self._clock_text(self.sandbox.clock.now)}.")
            return
        passes = f"{len(reports)} scheduler pass" + ("" if len(reports) == 1 else "es")
        self.say(f"Clock: {self._clock_text(to)}, after {passes} on the way.")
        self.say()
        self.screen.show_new()

    def _clock_text(self, when: datetime) -> str:
        local = when.astimezone(ZoneInfo(self.user.tz))
        return (
            f"{dates.format_date(local.date())} {local:%H:%M} {self.user.tz} "
            f"({when.astimezone(UTC):%H:%M} UTC)"
        )

    def _whoami(self) -> str:
        where = self.names.channel(self.channel)
        return (
            f"You are @{self.user.name} ({self.user.real_name}, {self.user.role}, "
            f"{self.user.tz}); commands are typed in {where}."
        )

    def _people_names(self) -> str:
        return "People: " + ", ".join("@" + u.name for u in demo.USERS) + "."


COMMANDS: dict[str, Handler] = {
    ":click": Shell.click,
    ":dm": Shell.dm,
    ":reply": Shell.reply,
    ":home": Shell.home,
    ":as": Shell.act_as,
    ":in": Shell.type_in,
    ":tick": Shell.tick,
    ":advance": Shell.advance,
    ":now": Shell.now,
    ":users": Shell.users,
    ":help": Shell.help,
    ":quit": Shell.quit,
    ":exit": Shell.quit,
    ":cancel": Shell.cancel,
}


def _is_command(line: str) -> bool:
    """`/pmo …` or one of the shell's `:commands` (a `:smile:` emoji is an answer)."""
    word = line.split(" ", 1)[0].lower()
    return word == "/pmo" or word in COMMANDS


# --- reading times ------------------------------------------------------------------------


def parse_when(text: str, *, now: datetime, tz: str) -> datetime:
    """`:tick`'s argument as an instant: ISO 8601, or `[<day>] HH:MM`, in the zone `tz`.

    The day goes through `bot.dates` (`friday`, `tomorrow`, `next monday`, `Dec 3`); a bare
    weekday means today if that time is still ahead today; no day means the next HH:MM.

    Raises:
        ValueError: Unreadable, saying what is readable.
    """
    zone = ZoneInfo(tz)
    with contextlib.suppress(ValueError):
        value = datetime.fromisoformat(text.strip())
        return value if value.tzinfo else value.replace(tzinfo=zone)
    match = _AT_TIME.fullmatch(" ".join(text.lower().split()))
    if match is None:
        raise ValueError(
            "Give a time like `friday 10:00`, `tomorrow 09:05`, `10:00` or `2026-12-04T10:00`."
        )
    at = time(int(match["h"]), int(match["m"]))
    local = now.astimezone(zone)
    day = local.date()
    if match["day"]:
        day = _day(match["day"], now=now, tz=tz, at=at)
    elif datetime.combine(day, at, tzinfo=zone) <= now:
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone)


def _day(text: str, *, now: datetime, tz: str, at: time) -> date:
    local = now.astimezone(ZoneInfo(tz))
    today = _WEEKDAYS[local.weekday()]
    later_today = datetime.combine(local.date(), at, tzinfo=local.tzinfo) > now
    if text in (today, today[:3]) and later_today:
        return local.date()
    try:
        return dates.parse_date(text, now=now, tz=tz)
    except UserError as problem:
        raise ValueError(problem.message) from problem


def parse_duration(text: str) -> timedelta:
    """`2d`, `3h`, `1w 2d`, `90m` as a timedelta.

    Raises:
        ValueError: Not a duration, or zero.
    """
    cleaned = text.lower().replace(" ", "")
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError("Give a duration like 2d, 3h, 30m or 1w 2d.")
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    if not delta:
        raise ValueError("Give a duration longer than zero.")
    return delta
