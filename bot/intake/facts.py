"""What intake yields, as the renderers take it: a filed request, look-alikes, load, a page.

Apart from the rest of `bot.intake` so that `bot.blocks.intake` can take these types (and the
audit actor of changes time makes) without importing the modules that render through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import IntakeRequest

SYSTEM_ACTOR = "pmo-bot"  # the audit actor of changes time makes (a deferral coming due)


@dataclass(frozen=True)
class Duplicate:
    """A live program or open request that looks like the same ask."""

    kind: str  # "program" or "request"
    label: str
    similarity: float


@dataclass(frozen=True)
class Capacity:
    """The portfolio's current load, shown to reviewers."""

    active: int
    red: int
    amber: int
    approved_this_quarter: int


@dataclass(frozen=True)
class Filed:
    """A filed request and what was said about it."""

    request: IntakeRequest
    duplicates: list[Duplicate]
    capacity: Capacity
    posted_to: str


@dataclass(frozen=True)
class IntakePage:
    """Requests ranked by score, and how many match in all."""

    requests: list[IntakeRequest]
    total: int
