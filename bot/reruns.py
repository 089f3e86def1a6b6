"""A command run again from a button: who typed it, and its text with one value replaced.

An answer that asks "which?" (an ambiguous date) offers each reading as a button whose value
is the command as typed with the ambiguous value replaced, so one click runs it again.
Slack keeps a button's value to 2,000 characters; a longer command gets no button.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.blocks.common import escape

BUTTON_VALUE_MAX = 2000
_OPTION_VALUE_START = r"(?<=[A-Za-z]:)|(?<=[A-Za-z]:[\"“”'‘’])"
_WORD_START = r"(?:(?<=\s)|(?<=\s[\"“”'‘’])|^[\"“”'‘’]?)"
_WORD_END = r"(?=[\"“”'‘’]?(?:\s|$))"


@dataclass(frozen=True)
class Rerun:
    """A `/pmo` command (its text after `/pmo`, as Slack sent it) and who typed it."""

    user_id: str
    text: str

    def replacing(self, old: str, new: str) -> Rerun | None:
        """The command with the value `old` replaced by `new`: an option's value (`due:old`)
        if one reads `old`, else a word on its own; None if neither is in the text."""
        escaped = escape(old)  # command text arrives as Slack escapes it, as mrkdwn is
        for start in (_OPTION_VALUE_START, _WORD_START):
            pattern = re.compile(f"(?:{start}){re.escape(escaped)}{_WORD_END}")
            if pattern.search(self.text):
                return Rerun(self.user_id, pattern.sub(lambda _: new, self.text))
        return None

    def value(self) -> str | None:
        """The button value that carries it, or None when it is too long for one."""
        value = json.dumps({"user": self.user_id, "text": self.text}, ensure_ascii=False)
        return value if len(value) <= BUTTON_VALUE_MAX else None

    @classmethod
    def read(cls, value: str) -> Rerun:
        """The command a button value carries.

        Raises:
            ValueError: Not a value `value()` wrote.
        """
        data = json.loads(value)
        if not isinstance(data, dict) or not all(
            isinstance(data.get(key), str) for key in ("user", "text")
        ):
            raise ValueError("not a command to run again")
        return cls(data["user"], data["text"])
