"""A stand-up's plan: on which days it opens, when it closes (in one zone) and what it asks.

The days, times and questions of `/pmo standup schedule` and `edit` are parsed and checked here.
A schedule spec may end in `local` (`"mon-fri 09:30 local"`): each participant is then asked at
09:30 in their own zone on the stand-up's day, and the run still closes at the close time in
the stand-up's zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from typing import NamedTuple

from bot.cadence import Cadence, parse_cadence
from bot.commands import (
    is_time_word,
    parse_hhmm,
    parse_timezone,
    parse_weekday,
    suggest,
    time_words,
)
from bot.errors import UserError
from storage.models import Standup

DEFAULT_QUESTIONS = (
    "What did you do since last time?",
    "What will you do next?",
    "Any blockers?",
)
DEFAULT_WINDOW = timedelta(hours=2)
MAX_QUESTIONS = 6
QUESTION_MAX = 150

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {"weekdays": (0, 1, 2, 3, 4), "daily": (0, 1, 2, 3, 4), "everyday": tuple(range(7))}
_DAYS_HELP = "Write the days like mon-fri or mon,wed,fri"
LOCAL_WORD = "local"
# The zone whose day starts first: a local stand-up's slot is its opening time there, the
# earliest instant any participant's opening time can fall on that date.
EARLIEST_ZONE = "Etc/GMT-14"


@dataclass(frozen=True)
class Plan:
    """When a stand-up runs and what it asks.

    Attributes:
        days: Weekdays it opens on, 0 = Monday.
        opens: Local opening time.
        closes: Local closing time, the same day, after `opens`.
        timezone: The IANA zone of both times.
        questions: What each participant is asked, in order.
        local: Each participant is asked at `opens` in their own zone (it still closes at
            `closes` in `timezone`).
    """

    days: tuple[int, ...]
    opens: time
    closes: time
    timezone: str
    questions: tuple[str, ...]
    local: bool = False

    @property
    def window(self) -> timedelta:
        """How long a run stays open."""
        return _minutes(self.closes) - _minutes(self.opens)

    @property
    def cadence(self) -> Cadence:
        """The openings as a crontab cadence (crontab counts Sunday = 0)."""
        days = ",".join(str((day + 1) % 7) for day in self.days)
        return parse_cadence(f"{self.opens.minute} {self.opens.hour} * * {days}")

    @property
    def slot_timezone(self) -> str:
        """The zone the openings are slots in: the earliest one on earth when `local`."""
        return EARLIEST_ZONE if self.local else self.timezone


class When(NamedTuple):
    """A schedule spec read: the days, the opening time, and whether it is `local`."""

    days: tuple[int, ...]
    opens: time
    local: bool


def _minutes(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute)


def parse_days(text: str) -> tuple[int, ...]:
    """Read `mon-fri`, `mon,wed,fri`, `fri-mon` or `weekdays` as weekday numbers (0 = Monday).

    Raises:
        UserError: Not days, with the forms that work.
    """
    cleaned = re.sub(r"\s*[-–—]\s*", "-", text.lower().strip())
    cleaned = re.sub(r"[\s,]+", ",", cleaned).strip(",")
    if cleaned in _DAY_WORDS:
        return _DAY_WORDS[cleaned]
    days: set[int] = set()
    for item in cleaned.split(","):
        first, dash, last = item.partition("-")
        start = _day(first, original=text)
        end = _day(last, original=text) if dash else start
        days |= {(start + step) % 7 for step in range((end - start) % 7 + 1)}
    return tuple(sorted(days))


def _day(word: str, *, original: str) -> int:
    day = parse_weekday(word)
    if day is None:
        raise UserError(f"“{word}” is not a day. {_DAYS_HELP}.", echo=original)
    return day


def format_days(days: Sequence[int]) -> str:
    """Days as stored and shown: `mon-fri`, `mon,wed,fri`, `mon,tue`."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        if len(run) > 2
        else ",".join(DAY_NAMES[d] for d in run)
        for run in runs
    ]
    return ",".join(parts)


def parse_when(text: str) -> tuple[tuple[int, ...], time]:
    """Read `"<days> <HH:MM>"` (either order), e.g. `mon-fri 09:30`; see `parse_spec`.

    Raises:
        UserError: No time, several times, no days or bad days.
    """
    spec = parse_spec(text)
    return spec.days, spec.opens


def parse_spec(text: str) -> When:
    """Read `"<days> <HH:MM> [local]"` (days and time in either order), e.g.
    `mon-fri 09:30 local`.

    Raises:
        UserError: No time, several times, no days, bad days or a misspelt `local`.
    """
    words = time_words(text)
    times = [i for i, word in enumerate(words) if is_time_word(word)]
    if len(times) != 1:
        raise UserError(
            f'Give the days and one opening time in quotes, e.g. "mon-fri 09:30". {_DAYS_HELP}.',
            echo=text,
        )
    opens = parse_hhmm(words[times[0]])
    rest = [w for i, w in enumerate(words) if i != times[0]]
    local = any(w.lower() == LOCAL_WORD for w in rest)
    rest = [w for w in rest if w.lower() != LOCAL_WORD]
    _refuse_near_local(rest, original=text)
    if not rest:
        raise UserError(f'Which days? e.g. "mon-fri {words[times[0]]}".', echo=text)
    return When(parse_days(" ".join(rest)), opens, local)


def _refuse_near_local(words: Sequence[str], *, original: str) -> None:
    """A word that is no day but reads like `local` is a typo of it, said as such."""
    for word in words:
        if parse_weekday(word) is None and suggest(word, [LOCAL_WORD], cutoff=0.7):
            raise UserError(
                f"“{word}” is neither a day nor `{LOCAL_WORD}`. Did you mean `{LOCAL_WORD}`? "
                f'e.g. "mon-fri 09:30 {LOCAL_WORD}" asks each participant at 09:30 their time.',
                echo=original,
            )


def parse_questions(text: str) -> tuple[str, ...]:
    """Read `Q1|Q2|Q3`: 1 to 6 questions of at most 150 characters.

    Raises:
        UserError: Empty, too many or too long questions.
    """
    questions = tuple(" ".join(part.split()) for part in text.split("|"))
    if not 1 <= len(questions) <= MAX_QUESTIONS or not all(questions):
        raise UserError(
            f"Give 1 to {MAX_QUESTIONS} questions separated by |, e.g. "
            'questions:"What did you do?|What next?|Any blockers?".',
            echo=text,
        )
    if any(len(question) > QUESTION_MAX for question in questions):
        raise UserError(f"Keep each question under {QUESTION_MAX} characters.", echo=text)
    return questions


def make_plan(*, when: str, close: str | None, tz: str, questions: str | None) -> Plan:
    """The plan of a new stand-up; it closes 2 h after it opens unless `close` says otherwise.

    Raises:
        UserError: Any part is malformed, or it would close before it opens.
    """
    days, opens, local = parse_spec(when)
    return _checked(
        Plan(
            days=days,
            opens=opens,
            closes=parse_hhmm(close) if close else _later(opens, DEFAULT_WINDOW),
            timezone=parse_timezone(tz),
            questions=parse_questions(questions) if questions else DEFAULT_QUESTIONS,
            local=local,
        )
    )


def change_plan(
    standup: Standup,
    *,
    when: str | None,
    close: str | None,
    tz: str | None,
    questions: str | None,
) -> Plan:
    """A stand-up's plan with what an edit names changed; a new opening keeps the window, and
    says again whether it is `local`."""
    current = plan_of(standup)
    days, opens, local = (
        parse_spec(when) if when else When(current.days, current.opens, current.local)
    )
    closes = current.closes
    if close:
        closes = parse_hhmm(close)
    elif when:
        closes = _later(opens, current.window)
    return _checked(
        Plan(
            days=days,
            opens=opens,
            closes=closes,
            timezone=parse_timezone(tz) if tz else current.timezone,
            questions=parse_questions(questions) if questions else current.questions,
            local=local,
        )
    )


def _later(at: time, by: timedelta) -> time:
    minutes = min(int((_minutes(at) + by).total_seconds()) // 60, 23 * 60 + 59)
    return time(minutes // 60, minutes % 60)


def _checked(plan: Plan) -> Plan:
    if plan.closes <= plan.opens:
        raise UserError(
            f"It would close at {plan.closes:%H:%M}, before it opens at {plan.opens:%H:%M}. "
            f"Give a close time later the same day, e.g. "
            f"close:{_later(plan.opens, DEFAULT_WINDOW):%H:%M}."
        )
    return plan


def plan_of(standup: Standup) -> Plan:
    """The stored plan of a stand-up."""
    return Plan(
        days=parse_days(standup.days),
        opens=parse_hhmm(standup.open_at),
        closes=parse_hhmm(standup.close_at),
        timezone=standup.timezone,
        questions=tuple(standup.questions),
        local=standup.local_time,
    )


def blocker_index(questions: Sequence[str]) -> int | None:
    """Which question collects blockers: the first that mentions them, if any."""
    return next((i for i, q in enumerate(questions) if "block" in q.lower()), None)
