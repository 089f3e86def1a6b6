"""The one slot materialiser: rows whose `next_due_at` has passed become jobs.

Programs, digest subscriptions and stand-ups each store a cadence and an indexed `next_due_at`
(UTC). A `SlotSource` says only which rows are live, when their slots fall (a `Schedule`) and
which jobs one slot brings; everything else happens here, once: finding due rows, the claim key
of each job — (kind, target, period), the period being the slot's *local* wall time, so a slot
that a DST fall-back repeats is claimed once — and moving `next_due_at` past `now`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bot.cadence import Schedule, slot_local
from bot.scheduling import SlotJob
from storage.db import insert_new
from storage.models import DigestSubscription, Meeting, Program, ScheduledJob, Standup

log = logging.getLogger(__name__)

MAX_SLOTS_PER_ITEM = 60  # something down for months catches up slot by slot, bounded

Row = TypeVar("Row", Program, DigestSubscription, Standup, Meeting)


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
        preload: Loads, in a few queries, what `schedule` and `jobs` read of many rows at
            once (their workspaces, their owners), so a batch costs no query per row; the
            objects it returns are held while the batch runs.
        lead: How long before a slot falls its jobs are made (zero: when it falls).
    """

    name: str
    model: type[Row]
    live: ColumnElement[bool]
    schedule: Callable[[Session, Row], Schedule | None]
    jobs: Callable[[Session, Row, datetime], Sequence[SlotJob]]
    label: Callable[[Row], str]
    preload: Callable[[Session, Sequence[Row]], Sequence[object]] = lambda session, rows: ()
    lead: timedelta = timedelta(0)

    def horizon(self, now: datetime) -> datetime:
        """Slots falling by then are opened at `now`: `lead` ahead, for rows whose jobs come
        before their slot (a meeting's pre-read DMs and agenda)."""
        return now + self.lead


def due_ids(session: Session, *, source: SlotSource[Row], now: datetime, limit: int) -> list[int]:
    """The ids of live rows with a slot due at `now`, oldest first, at most `limit`."""
    model = source.model
    query = (
        select(model.id)
        .where(source.live, model.next_due_at <= source.horizon(now))
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
    if row is None:
        return 0
    jobs = _due_jobs(session, source=source, row=row, now=now)
    return len(insert_new(session, ScheduledJob, jobs))


def materialize_batch(
    session: Session, *, source: SlotSource[Row], item_ids: Sequence[int], now: datetime
) -> list[int]:
    """`materialize_slots` for many rows in one transaction and a handful of statements:
    one query for the rows, the source's preloads, one insert for all their jobs, one
    update of their `next_due_at`.

    A row whose slots cannot be computed (say, a zone this system doesn't know) is logged
    and left for the next pass; the others go on.

    Returns:
        The ids of the rows whose slots were opened.
    """
    rows = list(session.scalars(select(source.model).where(source.model.id.in_(item_ids))))
    held = source.preload(session, rows)  # noqa: F841 -- kept alive for the identity map
    jobs: list[dict[str, object]] = []
    opened = []
    for row in rows:
        try:
            jobs += _due_jobs(session, source=source, row=row, now=now)
        except Exception:  # one bad row must not stop the batch
            log.exception("slot failed", extra={"fields": {source.name: row.id}})
            session.expire(row)  # its next_due_at stays as stored
            continue
        opened.append(row.id)
    insert_new(session, ScheduledJob, jobs)
    return opened


def _due_jobs(
    session: Session, *, source: SlotSource[Row], row: Row, now: datetime
) -> list[dict[str, object]]:
    """The jobs of each slot of `row` due by `now`, as rows to insert; moves `next_due_at`."""
    schedule = source.schedule(session, row) if row.next_due_at is not None else None
    if schedule is None:
        return []
    jobs: list[dict[str, object]] = []
    next_due = row.next_due_at
    for _ in range(MAX_SLOTS_PER_ITEM):
        if next_due is None or next_due > source.horizon(now):
            break
        period = slot_period(next_due, schedule.tz)
        jobs += [
            {
                "team_id": row.team_id,
                "kind": job.kind,
                "target_id": row.id,
                "period": period,
                "slot_at": next_due,
                "due_at": job.due_at,
                "state": "pending",
            }
            for job in source.jobs(session, row, next_due)
        ]
        next_due = schedule.next_after(next_due)
    row.next_due_at = next_due
    return jobs


def slot_period(slot: datetime, tz: str) -> str:
    """The period a slot's jobs are claimed under: its local wall time, to the minute."""
    return slot_local(slot, tz).isoformat(timespec="minutes")
