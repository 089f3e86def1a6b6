"""Injectable time: code asks a clock for `now` instead of reading it deep inside logic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)
