"""Where `pmo-bot shell` reads and writes: a terminal, or a script piped to stdin.

In a terminal the shell prompts and `input()` gives line editing; from a file or pipe every
line read is echoed as `> line`, so the output reads as a transcript of the session.
"""

from __future__ import annotations

import contextlib
from typing import Protocol, TextIO


class Console(Protocol):
    """Where the shell reads answers and writes what users see."""

    def ask(self, question: str) -> str:
        """Ask one question; raises EOFError when input has ended."""
        ...

    def say(self, line: str = "") -> None:
        """Print one line."""
        ...


class ShellConsole(Console, Protocol):
    """A console the shell also reads its commands from."""

    def read_command(self, prompt: str) -> str:
        """The next command; raises EOFError when input has ended."""
        ...


class ScriptConsole:
    """Reads from a file or pipe: every line read is echoed as `> line`, no prompts shown."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self._in = stdin
        self._out = stdout

    def read_command(self, prompt: str) -> str:
        """The next line; raises EOFError at the end."""
        line = self._in.readline()
        if not line:
            raise EOFError
        line = line.rstrip("\r\n")
        self.say(f"> {line}")
        return line

    def ask(self, question: str) -> str:
        """Show the question, then read its answer from the next line."""
        self.say(f"{question}:")
        return self.read_command("")

    def say(self, line: str = "") -> None:
        """Print one line."""
        print(line, file=self._out, flush=True)


class TerminalConsole:
    """Interactive: prompts, line editing and history where readline is available."""

    def __init__(self, stdout: TextIO) -> None:
        self._out = stdout
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (importing it gives input() editing and history)

    def read_command(self, prompt: str) -> str:
        """The next command typed; EOFError on Ctrl-D."""
        return input(prompt)

    def ask(self, question: str) -> str:
        """Ask one modal field."""
        return input(f"{question}: ")

    def say(self, line: str = "") -> None:
        """Print one line."""
        print(line, file=self._out, flush=True)
