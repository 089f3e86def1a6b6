"""The one slot materialiser: rows whose `next_due_at` has passed become jobs.

Programs, digest subscriptions and stand-ups each store a cadence and an indexed `next_due_at`
(UTC). A `SlotSource` says only which rows are live, when their slots fall (a `Schedule`) and
which jobs one slot brings; everything else happens here, once: finding due rows, the claim key
of each job — (kind, target, period), the period being the slot's *local* wall time, so a slot
that a DST fall-back repeats is claimed once — and moving `next_due_at` past `now`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bot.cadence import Schedule, slot_local
from bot.scheduling import SlotJob, add_job
from storage.models import DigestSubscription, Program, ScheduledJob, Standup

MAX_SLOTS_PER_ITEM = 60  # something down for months catches up slot by slot, bounded

Row = TypeVar("Row", Program, DigestSubscription, Standup)


@dataclass(frozen=True)
class SlotSource(Generic[Row]):
    """A kind of row whose slots become jobs.

    Attributes:
        name: For logs and reports ("program", "digest", "standup").
        model: The mapped class; it has `id`, `team_id` and an indexed `next_due_at`.
        live: Which rows are scheduled at all (active, not removed).
        schedule: When a row's slots fall; None when it has stopped (removed meanwhile).
        jobs: The jobs of the row's slot at the given instant.
        label: The row in words, for a dry run ("the digest for <#C1>").
    """

    name: str
    model: type[Row]
    live: ColumnElement[bool]
    schedule: Callable[[Session, Row], Schedule | None]
    jobs: Callable[[Session, Row, datetime], Sequence[SlotJob]]
    label: Callable[[Row], str]


def due_ids(session: Session, *, source: SlotSource[Row], now: datetime, limit: int) -> list[int]:
    """The ids of live rows with a slot due at `now`, oldest first, at most `limit`."""
    model = source.model
    query = (
        select(model.id)
        .where(source.live, model.next_due_at <= now)
        .order_by(model.next_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def describe(session: Session, *, source: SlotSource[Row], item_id: int) -> str:
    """One line for a dry run: the row and when its slot is due."""
    row = session.get(source.model, item_id)
    assert row is not None and row.next_due_at is not None
    return f"{source.label(row)} due {row.next_due_at:%Y-%m-%d %H:%M} UTC"


def materialize_slots(
    session: Session, *, source: SlotSource[Row], item_id: int, now: datetime
) -> int:
    """Turn each slot of one row due by `now` into its jobs and move `next_due_at` past `now`.

    Runs inside the caller's transaction. Each job is inserted under the (kind, target,
    period) unique constraint, so two dispatchers reaching the same slot create it once.

    Returns:
        How many jobs were created.
    """
    row = session.get(source.model, item_id)
    if row is None or row.next_due_at is None:
        return 0
    schedule = source.schedule(session, row)
    if schedule is None:
        return 0
    created = 0
    for _ in range(MAX_SLOTS_PER_ITEM):
        slot = row.next_due_at
        if slot is None or slot > now:
            break
        created += _claim_slot(session, source=source, row=row, slot=slot, tz=schedule.tz)
        row.next_due_at = schedule.next_after(slot)
    return created


def slot_period(slot: datetime, tz: str) -> str:
    """The period a slot's jobs are claimed under: its local wall time, to the minute."""
    return slot_local(slot, tz).isoformat(timespec="minutes")


def _claim_slot(
    session: Session, *, source: SlotSource[Row], row: Row, slot: datetime, tz: str
) -> int:
    period = slot_period(slot, tz)
    created = 0
    for job in source.jobs(session, row, slot):
        created += add_job(
            session,
            job=ScheduledJob(
                team_id=row.team_id,
                kind=job.kind,
                target_id=row.id,
                period=period,
                slot_at=slot,
                due_at=job.due_at,
                state="pending",
            ),
        )
    return created
