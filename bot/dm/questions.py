"""Read a direct message as a question: `apollo?`, `how is apollo`, `what's red`, `my risks`.

Rules over the words, no language model: a message is a question when, once the filler is
dropped ("what's", "show me", "programs", "please" …), what is left names one list or one
program. Anything else is not a question (None), and the caller decides what it is.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class Ask(StrEnum):
    """What a question asks for."""

    HELP = "help"
    THANKS = "thanks"
    PROGRAM = "program"
    PROGRAMS = "programs"
    MINE = "mine"
    RED = "red"
    FLAGGED = "flagged"
    OVERDUE = "overdue"
    RISKS = "risks"
    MY_RISKS = "my risks"
    DUE = "due this week"


class Question(NamedTuple):
    """A question read from a DM.

    Attributes:
        ask: What it asks for.
        ref: The program named, as typed (for `Ask.PROGRAM`).
        sure: Asked as a question (`apollo?`, `how is apollo`); a bare word (`apollo`) may
            be no program at all, and is then not a question.
        asked: The message ended with a question mark.
    """

    ask: Ask
    ref: str | None = None
    sure: bool = True
    asked: bool = False


MAX_WORDS = 12  # a question is short; a longer message is a status, an answer or a story
# Words that carry no meaning in a question: dropped before the rest is looked up.
_FILLER = frozenset(
    {"what", "what's", "whats", "which", "who", "who's", "is", "are", "there", "any"}
    | {"anything", "show", "me", "list", "give", "tell", "the", "that", "now", "today"}
    | {"programs", "program", "projects", "project", "ones", "one", "currently", "right"}
    | {"please", "pls", "in", "at", "status", "of", "a", "open", "all", "can", "you"}
    | {"could", "would", "i", "see", "get", "hey", "hi", "hello", "pmo", "bot"}
)
_LISTS: dict[frozenset[str], Ask] = {
    frozenset(): Ask.HELP,
    frozenset({"help"}): Ask.HELP,
    frozenset({"commands"}): Ask.HELP,
    frozenset({"usage"}): Ask.HELP,
    frozenset({"do"}): Ask.HELP,  # "what can you do"
    frozenset({"ask"}): Ask.HELP,  # "what can I ask"
    frozenset({"red"}): Ask.RED,
    frozenset({"off", "track"}): Ask.RED,
    frozenset({"flagged"}): Ask.FLAGGED,
    frozenset({"flags"}): Ask.FLAGGED,
    frozenset({"overdue"}): Ask.OVERDUE,
    frozenset({"late"}): Ask.OVERDUE,
    frozenset({"risks"}): Ask.RISKS,
    frozenset({"top", "risks"}): Ask.RISKS,
    frozenset({"raid"}): Ask.RISKS,
    frozenset({"my", "risks"}): Ask.MY_RISKS,
    frozenset({"mine", "risks"}): Ask.MY_RISKS,
    frozenset({"my", "raid"}): Ask.MY_RISKS,
    frozenset({"my"}): Ask.MINE,
    frozenset({"mine"}): Ask.MINE,
    frozenset({"due"}): Ask.DUE,
    frozenset({"due", "this", "week"}): Ask.DUE,
    frozenset({"this", "week"}): Ask.DUE,
    frozenset({"due", "week"}): Ask.DUE,
    frozenset({"coming", "up"}): Ask.DUE,
    frozenset({"portfolio"}): Ask.PROGRAMS,
    frozenset({"everything"}): Ask.PROGRAMS,
}
_PROGRAM_WORDS = frozenset({"programs", "program", "projects", "project", "all", "portfolio"})
_THANKS = frozenset(
    {"thanks", "thank you", "thanks a lot", "thx", "ty", "cheers", "ta", "ok", "okay", "cool"}
    | {"great", "nice", "perfect", "got it", "👍", "🙏"}
)
# Politeness before the question: "hey, can you show me apollo".
_LEAD = re.compile(r"(?:(?:hey|hi|hello|so|and|please|pls|ok)\b[\s,]*)*(?:(?:can|could) you )?")
# "how is apollo", "how's apollo doing", "status of apollo", "show apollo", "apollo status"
_ABOUT = re.compile(
    r"(?:how(?:'s| is| are)(?: things (?:with|on|in))?|(?:what(?:'s| is) )?(?:the )?"
    r"(?:status|news|latest) (?:of|on|for|with)|show(?: me)?|what about|how about|"
    r"tell me about|update on)\s+(?P<ref>.+?)(?:\s+(?:doing|going|looking|getting on))?"
)
_STATUS_OF = re.compile(r"(?P<ref>.+?)\s+(?:status|update)")
# What "how is …" may ask about that is no program.
_NOT_A_PROGRAM = {
    **dict.fromkeys(("everything", "things", "portfolio", "all", "everyone"), Ask.PROGRAMS),
    **dict.fromkeys(("it", "you", "this", "that", "life", "we", "us"), Ask.HELP),
}
_SPLIT = re.compile(r"[^\w'’-]+")


def read(text: str) -> Question | None:
    """The question a DM asks, or None when it asks none (see the module's rules)."""
    asked = text.rstrip().endswith("?")
    line = _normal(text)
    if line is None:
        return None
    if line in _THANKS:
        return Question(Ask.THANKS, asked=asked)
    core = line[_LEAD.match(line).end() :]  # type: ignore[union-attr]  # it matches ""
    words = [w for w in _SPLIT.split(core) if w]
    meant = frozenset(w for w in words if w not in _FILLER)
    if not meant and _PROGRAM_WORDS.intersection(words):  # "all programs"
        return Question(Ask.PROGRAMS, asked=asked)
    listed = _LISTS.get(meant)
    if listed is not None:
        return Question(listed, asked=asked)
    return _about_program(core, words, asked=asked)


def _normal(text: str) -> str | None:
    """One line, lower case, straight apostrophes, single spaces, no end punctuation."""
    line = " ".join(text.split())
    if "\n" in text.strip() or len(line.split()) > MAX_WORDS:
        return None
    return line.lower().replace("’", "'").replace("‘", "'").strip(" ?!.,;:")


def _about_program(core: str, words: list[str], *, asked: bool) -> Question | None:
    for pattern in (_ABOUT, _STATUS_OF):
        match = pattern.fullmatch(core)
        if match is not None:
            return _program(match.group("ref"), sure=True, asked=asked)
    if core.startswith(('"', "“")) or len(words) == 1:  # `apollo?`, `"Apollo Migration"?`
        return _program(core, sure=asked, asked=asked)
    if asked and len(words) <= 3:  # `apollo migration?`: a name, if there is one
        return _program(core, sure=False, asked=asked)
    return None


def _program(ref: str, *, sure: bool, asked: bool) -> Question | None:
    ref = ref.strip(" \"“”'").removeprefix("the ")
    if not ref:
        return None
    if ref in _NOT_A_PROGRAM:  # "how's it going", "how is everything"
        return Question(_NOT_A_PROGRAM[ref], asked=asked)
    return Question(Ask.PROGRAM, ref=ref, sure=sure, asked=asked)
