"""When people may be messaged: Monday to Friday, 08:00–20:00 in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

OPENS = time(8, 0)
CLOSES = time(20, 0)
WORKDAYS = range(0, 5)  # Monday..Friday


def next_window_start(instant: datetime, tz: str) -> datetime:
    """`instant` if it falls in the recipient's messaging window, else when it next opens.

    Args:
        instant: An aware instant.
        tz: The recipient's IANA time zone.

    Returns:
        An aware UTC instant.
    """
    zone = ZoneInfo(tz)
    local = instant.astimezone(zone)
    if local.weekday() in WORKDAYS and OPENS <= local.time() < CLOSES:
        return instant.astimezone(UTC)
    day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, OPENS, tzinfo=zone).astimezone(UTC)
