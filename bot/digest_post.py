"""Posting a digest: snapshot, compare, render, keep exactly what was sent, queue it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import digest, outbox
from bot.blocks import digest as render
from bot.dates import format_date
from bot.scheduling import add_job
from schedules.cadence import next_due, parse_cadence, slot_local
from storage.models import DigestPost, DigestSubscription, ScheduledJob, Workspace
from storage.types import JobState

CATCH_UP = timedelta(hours=12)
MAX_SLOTS = 60  # after a long outage, catch up slot by slot, bounded


def compose(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    portfolio: str | None,
    tz: str,
    now: datetime,
    scheduled: bool,
    period: str,
    subscription_id: int | None = None,
) -> DigestPost:
    """Build a digest, store it as it will be posted, and queue its messages.

    The top message goes first; the replies wait for its ts and go into its thread.
    """
    snapshot = digest.take_snapshot(session, team_id=team_id, portfolio=portfolio, now=now, tz=tz)
    previous = digest.previous_snapshot(
        session, team_id=team_id, channel_id=channel_id, portfolio=portfolio, before=now
    )
    local = now.astimezone(ZoneInfo(tz))
    messages = render.render(
        snapshot, digest.changes_since(previous, snapshot), period=format_date(local.date())
    )
    post = DigestPost(
        team_id=team_id,
        subscription_id=subscription_id,
        channel_id=channel_id,
        portfolio=portfolio,
        period=period,
        local_date=local.date(),
        posted_at=now,
        snapshot=snapshot.compact(),
        messages=messages,
        scheduled=scheduled,
    )
    session.add(post)
    session.flush()
    top_key = f"digest:{post.id}:0"
    ids = [
        outbox.enqueue(
            session,
            team_id=team_id,
            key=top_key,
            channel=channel_id,
            payload=messages[0],
            now=now,
            purpose=f"digest:{post.id}",
        )
    ]
    for n, reply in enumerate(messages[1:], start=1):
        ids.append(
            outbox.enqueue(
                session,
                team_id=team_id,
                key=f"digest:{post.id}:{n}",
                channel=channel_id,
                now=now,
                payload={**reply, outbox.THREAD_OF: top_key},
            )
        )
    post.outbox_ids = [i for i in ids if i is not None]
    return post


def materialize(session: Session, subscription_id: int, now: datetime) -> None:
    """Turn a subscription's due slot into its job and move on to the next slot."""
    sub = session.get(DigestSubscription, subscription_id)
    if sub is None or sub.next_due_at is None or sub.removed_at is not None:
        return
    cadence = parse_cadence(sub.cadence)
    for _ in range(MAX_SLOTS):
        if sub.next_due_at is None or sub.next_due_at > now:
            return
        slot = sub.next_due_at
        period = slot_local(slot, sub.timezone).isoformat(timespec="minutes")
        add_job(
            session,
            job=ScheduledJob(
                team_id=sub.team_id,
                kind="digest",
                target_id=sub.id,
                period=period,
                slot_at=slot,
                due_at=slot,
                state=JobState.PENDING,
            ),
        )
        sub.next_due_at = next_due(cadence, after=slot, tz=sub.timezone)


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Post the period's digest (once: the job is claimed before this runs)."""
    sub = session.get(DigestSubscription, job.target_id)
    if sub is None or sub.removed_at is not None:
        return "skipped: unsubscribed"
    if now - job.due_at > CATCH_UP:
        return "skipped: missed while the bot was down"
    post = compose(
        session,
        team_id=sub.team_id,
        channel_id=sub.channel_id,
        portfolio=sub.portfolio,
        tz=sub.timezone,
        now=now,
        scheduled=True,
        period=job.period,
        subscription_id=sub.id,
    )
    return f"digest {post.id} queued for <#{sub.channel_id}> ({len(post.messages)} messages)"
