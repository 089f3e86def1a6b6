"""What a stand-up run yields, as the renderers take it: agenda, blockers, summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from storage.models import Program


class SkipReason(StrEnum):
    """Why a participant of a run was not asked, as the summary lists it."""

    OUT_OF_OFFICE = "out of office"
    NOT_WORKING_DAY = "not a working day"
    OUTSIDE_HOURS = "outside working hours"
    AFTER_CLOSE = "their time is after the close"


@dataclass(frozen=True)
class AgendaItem:
    """A blocker to discuss; `since` is the earlier run's date when it was there already."""

    user_id: str
    text: str
    since: date | None = None


@dataclass(frozen=True)
class Agenda:
    """Only what needs the meeting: blockers, red programs, what is carried from last time."""

    channel_id: str
    day: date | None
    blockers: list[AgendaItem]
    red: list[Program]
    carried: list[AgendaItem]


@dataclass(frozen=True)
class Blocker:
    """One person's blocker, and the issues it was logged as.

    Attributes:
        issues: (program name, program key, RAID item id) of each issue logged.
    """

    user_id: str
    text: str
    issues: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class Summary:
    """What the channel is told when a run closes."""

    channel_id: str
    day: date
    live: bool
    blockers: list[Blocker]
    answers: list[tuple[str, list[tuple[str, str]]]]
    missing: list[str]
    skipped: list[tuple[str, SkipReason]]
