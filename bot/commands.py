"""Parse slash-command text into typed values, at the edge.

Pure functions: no Slack calls, no database. Handlers turn `/pmo …` text into tokens, split the
`key:value` options off, and convert each value with the parsers here; bad input raises a
`UserError` that says what is wrong and how to write it instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from anyascii import anyascii

from bot.errors import UserError
from bot.limits import column_length
from storage.models import Program
from storage.types import Rag

# Quote characters by family: a quote opened with one closes with any of its family, because
# Slack clients and phones mix straight and typographic quotes in one message.
_DOUBLE_QUOTES = frozenset('"“”„')
_SINGLE_QUOTES = frozenset("'‘’")
_QUOTES = _DOUBLE_QUOTES | _SINGLE_QUOTES
_OPTION_KEY = re.compile(r"([A-Za-z][\w-]*):")
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))

LIST_FILTER_WORDS = frozenset({"all", "mine", "red", "flagged", "overdue"})

RAG_WORDS: dict[str, str] = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "on track": Rag.GREEN,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "yellow": Rag.AMBER,
    "at risk": Rag.AMBER,
    "red": Rag.RED,
    "r": Rag.RED,
    "off track": Rag.RED,
}
_RAG_LEAD = re.compile(
    r"\s*(on\s+track|at\s+risk|off\s+track|green|amber|yellow|red|[gar])(?![\w'’])", re.I
)
_RAG_SEPARATOR = re.compile(r"\s*[-–—:,;.!]+\s*")
_WORD_PUNCTUATION = ":,;.!-–—"

# Words for a 1–5 level: these mean the same for likelihood and impact; each axis also has
# the words of the usual 5×5 risk matrix (`almost certain` is two words, written with a
# space, a dash or in quotes).
LEVEL_WORDS: dict[str, int] = {"very low": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SCALE_WORDS: dict[str, dict[str, int]] = {
    "likelihood": {"rare": 1, "unlikely": 2, "possible": 3, "likely": 4, "almost certain": 5},
    "impact": {"negligible": 1, "minor": 2, "moderate": 3, "major": 4, "severe": 5},
}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}

_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
# A 12-hour time: `9am`, `2:30pm`, `11.15 p.m.`.
_AMPM = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?", re.IGNORECASE)
_SPACED_AMPM = re.compile(r"(\d)\s+([ap]\.?m\.?)(?=\s|$)", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_KEY_MAX = column_length(Program.key)

_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_PLAIN_USER = re.compile(r"@([\w.\-]+)")
_PLAIN_CHANNEL = re.compile(r"#([\w.\-]+)")


@dataclass(frozen=True)
class Token:
    """One word of a command.

    Attributes:
        text: The value with quotes removed and Slack's `&amp;`/`&lt;`/`&gt;` undone.
        quoted: Whether any part of it was quoted (a quoted word is never a subcommand).
        raw: The word exactly as typed, quotes included (Slack's escaping undone).
    """

    text: str
    quoted: bool
    raw: str


@dataclass(frozen=True)
class UserRef:
    """A person as written in a command: a Slack id, a name, or both."""

    id: str | None
    name: str | None


@dataclass(frozen=True)
class ChannelRef:
    """A channel as written in a command: a Slack id, a name, or both."""

    id: str | None
    name: str | None


def unescape(text: str) -> str:
    """Undo the HTML escaping Slack applies to `&`, `<` and `>` in command and DM text.

    Stored text is what the user typed; every renderer escapes it again at the point it meets
    mrkdwn (`bot.blocks.common.escape`), so a literal `<!channel>` never pings.
    """
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return text


def tokenize(text: str) -> list[Token]:
    """Split command text into words, honouring quotes.

    A quote opens at the start of a word or right after `key:`, so `due:"next friday"` is one
    word and apostrophes (`vendor's`) stay literal. It closes at a quote of the same family
    (straight or typographic) followed by a space or the end of the text.

    Args:
        text: What the user typed after `/pmo`.

    Returns:
        The words in order.

    Raises:
        UserError: A quote is opened and never closed.
    """
    tokens: list[Token] = []
    pos = _skip_spaces(text, 0)
    while pos < len(text):
        token, pos = _read_token(text, pos)
        tokens.append(token)
        pos = _skip_spaces(text, pos)
    return tokens


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _read_token(text: str, start: int) -> tuple[Token, int]:
    """Read one word starting at `start`; return it and the position after it."""
    parts: list[str] = []
    quoted = False
    pos = start
    while pos < len(text) and not text[pos].isspace():
        char = text[pos]
        if char in _QUOTES and _quote_may_open(text[start:pos]):
            end = _closing_quote(text, pos)
            parts.append(text[pos + 1 : end])
            quoted = True
            pos = end + 1
        else:
            parts.append(char)
            pos += 1
    return Token(unescape("".join(parts)), quoted, unescape(text[start:pos])), pos


def _quote_may_open(before: str) -> bool:
    return before == "" or _OPTION_KEY.fullmatch(before) is not None


def _closing_quote(text: str, opening: int) -> int:
    family = _DOUBLE_QUOTES if text[opening] in _DOUBLE_QUOTES else _SINGLE_QUOTES
    for pos in range(opening + 1, len(text)):
        at_word_end = pos + 1 == len(text) or text[pos + 1].isspace()
        if text[pos] in family and at_word_end:
            return pos
    raise UserError(
        f"A quote opened at “{text[opening : opening + 20]}” is never closed. "
        'Close it, e.g. due:"next friday" or "Apollo Migration".',
        echo=text,
    )


def split_options(
    tokens: Iterable[Token], allowed: Iterable[str]
) -> tuple[list[Token], dict[str, str]]:
    """Separate `key:value` options from positional words.

    An option is `key:value` with no space after the colon. Its value runs to the next option,
    so quotes are optional for values with spaces (`due:next wednesday`, `cadence:weekly mon
    09:00`); it stops before a quoted word or a mention, and a value that is itself a mention,
    or a key in `ONE_WORD_OPTIONS`, is one word. A quoted word is never an option.

    Args:
        tokens: The words of a command.
        allowed: The option keys this command accepts (lower case).

    Returns:
        The positional words in order, and the options keyed by lower-case key.

    Raises:
        UserError: An option is unknown (with the nearest known key), given twice, or
            without a value.
    """
    keys = {key.lower() for key in allowed}
    positional: list[Token] = []
    options: dict[str, str] = {}
    open_key: str | None = None  # the option whose value may still run on
    for token in tokens:
        key = _option_key(token, keys)
        if key is None:
            if open_key is not None and _continues(token):
                options[open_key] = f"{options[open_key]} {token.text}"
                continue
            open_key = None
            positional.append(token)
            continue
        if key in options:
            raise UserError(f"`{key}:` is given twice; keep one.", echo=token.raw)
        options[key] = _option_value(token, key)
        runs_on = key not in ONE_WORD_OPTIONS and not _is_reference(options[key])
        open_key = key if runs_on and not token.quoted else None
    return positional, options


# Options whose value is one word, so the words after it are positional again.
ONE_WORD_OPTIONS = frozenset({"tz", "key", "owner", "sponsor", "channel"})
_LINKISH = re.compile(r"[A-Za-z][\w+.-]*://")  # `https://…` is a word, not an option


def _option_key(token: Token, keys: set[str]) -> str | None:
    """The option a word starts, None for a positional one; an unknown `key:value` is refused."""
    match = _OPTION_KEY.match(token.raw)
    if match is None or _LINKISH.match(token.raw):
        return None
    key = match.group(1).lower()
    if key in keys:
        return key
    if len(token.raw) == match.end():  # `word:` alone, as in free text
        return None
    guess = suggest(key, keys)
    hint = f" — did you mean `{guess}:`?" if guess else f". Options here: {_listed(keys)}."
    raise UserError(f"Unknown option `{key}:`{hint}", echo=token.raw)


def _listed(keys: set[str]) -> str:
    return ", ".join(f"`{key}:`" for key in sorted(keys)) or "none"


def _continues(token: Token) -> bool:
    """Whether a word carries on the value of the option before it."""
    return not token.quoted and not _is_reference(token.text)


def _is_reference(text: str) -> bool:
    return text.startswith(("<@", "<#", "@", "#"))


def _option_value(token: Token, key: str) -> str:
    value = token.text[len(key) + 1 :].strip()
    if not value:
        raise UserError(
            f'`{key}:` needs a value right after the colon, e.g. {key}:"…" (quotes when it has '
            "spaces).",
            echo=token.raw,
        )
    return value


def one_text(words: Sequence[Token]) -> str | None:
    """The one text (a title, a question) a command gives: a quoted one, or several unquoted
    words read as typed (`Vendor may slip`); None for none, or quoted and loose words mixed."""
    if len(words) == 1:
        return words[0].text
    if len(words) > 1 and not any(word.quoted for word in words):
        return " ".join(word.text for word in words)
    return None


def split_mentions(words: Sequence[Token]) -> tuple[list[Token], str]:
    """Split the people named with @ (unquoted) from the rest, joined back as typed: a
    stand-up's participants or a meeting's attendees from its days and time."""
    people = [word for word in words if not word.quoted and parse_user(word.text)]
    rest = " ".join(word.text for word in words if word not in people)
    return people, rest


def parse_user(text: str) -> UserRef | None:
    """Read a person mention: `<@U123|name>`, `<@U123>`, `<@W123>` or `@name`.

    Returns:
        The reference, or None when the text is not a mention. A plain `@name` has no id;
        resolving it is the caller's job.
    """
    text = text.strip()
    if match := _SLACK_USER.fullmatch(text):
        return UserRef(match.group(1), match.group(2) or None)
    if match := _PLAIN_USER.fullmatch(text):
        return UserRef(None, match.group(1))
    return None


def parse_channel(text: str) -> ChannelRef | None:
    """Read a channel mention: `<#C123|name>`, `<#C123>` or `#name`.

    Returns:
        The reference, or None when the text is not a channel mention.
    """
    text = text.strip()
    if match := _SLACK_CHANNEL.fullmatch(text):
        return ChannelRef(match.group(1), match.group(2) or None)
    if match := _PLAIN_CHANNEL.fullmatch(text):
        return ChannelRef(None, match.group(1))
    return None


def parse_rag(words: Sequence[str]) -> tuple[str, int] | None:
    """Read a RAG status from the first one or two words.

    Accepts green/amber/red, g/a/r, yellow (amber) and on track/at risk/off track, in any case,
    with trailing punctuation such as `red:`.

    Returns:
        The canonical RAG (`green`, `amber` or `red`) and how many words it used, or None.
    """
    cleaned = [word.strip(_WORD_PUNCTUATION).lower() for word in words[:2]]
    if len(cleaned) == 2 and (rag := RAG_WORDS.get(" ".join(cleaned))):
        return rag, 2
    if cleaned and (rag := RAG_WORDS.get(cleaned[0])):
        return rag, 1
    return None


def parse_rag_prefix(text: str) -> tuple[str, str] | None:
    """Read a RAG word at the start of free text, such as a reply to a status prompt.

    `amber - vendor late; next: escalate` and `Red: blocked by legal` both work. A single
    letter (g/a/r) counts only when a separator (`-`, `:`, `,`, `—`) follows or it is the whole
    text, so "a vendor is late" is not read as amber.

    Returns:
        The canonical RAG and the rest of the text, or None when it does not start with one.
    """
    match = _RAG_LEAD.match(text)
    if match is None:
        return None
    word = " ".join(match.group(1).lower().split())
    rest = text[match.end() :]
    separator = _RAG_SEPARATOR.match(rest)
    if separator is not None:
        rest = rest[separator.end() :]
    elif len(word) == 1 and rest.strip():
        return None
    return RAG_WORDS[word], rest.strip()


def parse_level(text: str, *, what: str) -> int:
    """Read a 1–5 level: a number, a word of its scale, or one of `very low` … `critical`.

    Likelihood takes `rare, unlikely, possible, likely, almost certain`, impact `negligible,
    minor, moderate, major, severe`; case, dashes and underscores don't matter
    (`Almost-Certain`).

    Args:
        text: The value typed, e.g. `major`, `almost certain` or `4`.
        what: The field, "likelihood" or "impact"; it picks the words and names the field in
            the error message.

    Raises:
        UserError: Anything else, naming the valid values (and the field a word belongs to,
            when it is the other one's).
    """
    cleaned = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    words = SCALE_WORDS.get(what, {}) | LEVEL_WORDS
    if cleaned in words:
        return words[cleaned]
    if cleaned in {"1", "2", "3", "4", "5"}:
        return int(cleaned)
    raise UserError(f"{level_help(what)}; “{text}” is not.{_other_scale(cleaned, what)}", echo=text)


def level_help(what: str) -> str:
    """What a level may be: "Impact must be 1–5 or negligible, minor, …"."""
    scale = ", ".join(SCALE_WORDS.get(what, LEVEL_WORDS))
    return f"{what.capitalize()} must be 1–5 or {scale} (also very low … critical)"


def _other_scale(word: str, what: str) -> str:
    """A hint when the word is of the other scale (`likelihood:major`), else ""."""
    for other, words in SCALE_WORDS.items():
        if other != what and word in words:
            return f" “{word}” is a word for {other}."
    return ""


def parse_item_number(text: str) -> int:
    """Read a RAID item's number as the bot shows it: `#12` (or `12`).

    Raises:
        UserError: Anything else.
    """
    match = _ITEM_NUMBER.fullmatch(text.strip())
    if match is None:
        raise UserError(
            f"“{text}” is not an item number; write it as the close confirmation shows it, "
            "e.g. `#12`.",
            echo=text,
        )
    return int(match.group(1))


_ITEM_NUMBER = re.compile(r"#?(\d{1,18})")


def slugify_key(name: str) -> str:
    """Make a program key from its name: `Apollo Migration` → `apollo-migration`.

    Any script is transliterated to ASCII (`anyascii`: `Проект` → `proekt`, `🚀` → `rocket`),
    everything that is not a letter or digit becomes a single `-`, and keys longer than 40
    characters are cut at a `-` where there is one.

    Returns:
        The key, or "" when nothing of the name can be spelt in ASCII (the caller numbers it).
    """
    key = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")
    return _shorten_key(key)


def parse_key(text: str) -> str:
    """A key someone chose (`key:apollo-2`): lower-case letters, digits and single dashes.

    Raises:
        UserError: It is empty, too long, or has other characters.
    """
    key = text.strip().lower()
    if not _KEY.fullmatch(key) or len(key) > _KEY_MAX:
        raise UserError(
            f"“{text}” can't be a key: use up to {_KEY_MAX} lower-case letters, digits and "
            "dashes, e.g. `key:apollo-2`.",
            echo=text,
        )
    return key


_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _shorten_key(key: str) -> str:
    if len(key) <= _KEY_MAX:
        return key
    if key[_KEY_MAX] == "-":
        return key[:_KEY_MAX]
    cut = key.rfind("-", 0, _KEY_MAX)
    return key[:cut] if cut > 0 else key[:_KEY_MAX]


def parse_hhmm(text: str) -> time:
    """Read a time of day: 24-hour `09:00`, `9:30`, `17:05`, or 12-hour `9am`, `2:30pm`.

    Raises:
        UserError: Neither, or out of range (`25:00`, `13pm`).
    """
    cleaned = text.strip()
    match = _HHMM.fullmatch(cleaned)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    match = _AMPM.fullmatch(cleaned)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            afternoon = match.group(3).lower() == "p"
            return time(hour % 12 + (12 if afternoon else 0), minute)
    raise UserError(
        f"“{text}” is not a time of day; write it as HH:MM, e.g. 09:00 or 17:30 (or 9am, 2:30pm).",
        echo=text,
    )


def is_time_word(word: str) -> bool:
    """Whether a word of a schedule is meant as its time (`09:30`, `9am`; also `25:00`, so
    that one is refused as a time rather than as a day)."""
    return ":" in word or _AMPM.fullmatch(word) is not None


def time_words(text: str) -> list[str]:
    """A schedule's words, with `2 pm` joined into one and the filler `at` dropped."""
    return [w for w in _SPACED_AMPM.sub(r"\1\2", text).split() if w.lower() != "at"]


def parse_int_in_range(text: str, lo: int, hi: int, *, what: str) -> int:
    """Read a whole number between `lo` and `hi` inclusive.

    Args:
        text: The value typed.
        lo: The smallest value allowed.
        hi: The largest value allowed.
        what: The name of the field for the error message, e.g. "grace hours".

    Raises:
        UserError: Not a whole number, or outside the range.
    """
    cleaned = text.strip()
    if _INTEGER.fullmatch(cleaned) and lo <= int(cleaned) <= hi:
        return int(cleaned)
    raise UserError(
        f"{what.capitalize()} must be a whole number from {lo} to {hi}; “{text}” is not.",
        echo=text,
    )


def parse_weekday(text: str) -> int | None:
    """Read a day name (`mon`, `Monday`, `tues`, `thurs` …) as 0 = Monday … 6 = Sunday.

    Returns:
        The weekday number, or None when the text is not a day name.
    """
    word = text.strip().lower()
    if word in _WEEKDAY_ALIASES:
        return _WEEKDAY_ALIASES[word]
    if len(word) < 3:
        return None
    return next((day for day, name in enumerate(WEEKDAYS) if name.startswith(word)), None)


def parse_timezone(text: str) -> str:
    """Read an IANA time zone name such as `Europe/Berlin`, in any case.

    The one time-zone parser: commands, options and settings all read zones through it.

    Returns:
        The zone name as the time zone database spells it.

    Raises:
        UserError: Not a known zone; suggests the nearest name when there is one.
    """
    zones = _timezones_by_lower_name()
    name = zones.get(text.strip().lower())
    if name is not None:
        return name
    hint = suggest(text.strip(), zones.values())
    did_you_mean = f" Did you mean `{hint}`?" if hint else ""
    raise UserError(
        f"“{text}” is not a time zone; use an Area/City name like Europe/Berlin.{did_you_mean}",
        echo=text,
    )


@cache
def _timezones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def suggest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to `word`, for a "Did you mean …?" hint.

    Comparison ignores case; the candidate is returned as given.

    Returns:
        The best match scoring at least `cutoff` (0–1), or None.
    """
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(word.lower(), by_lower, n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None
