"""Posting a digest: snapshot, compare, render, keep exactly what was sent, queue it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import digest, outbox
from bot.blocks import digest as render
from bot.blocks.common import plural
from bot.cadence import Schedule, parse_cadence
from bot.dates import format_date
from bot.scheduling import SlotJob
from storage.models import DigestPost, DigestSubscription, ScheduledJob, Workspace

CATCH_UP = timedelta(hours=12)


def build(
    session: Session,
    *,
    team_id: str,
    channel_id: str | None,
    portfolio: str | None,
    tz: str,
    now: datetime,
    period: str,
) -> tuple[digest.Snapshot, list[dict[str, Any]]]:
    """The digest as it stands: snapshot, what changed since the channel's last one, messages.

    The preview and the posted digest are both this, so a preview shows what would be posted.
    """
    snapshot = digest.take_snapshot(session, team_id=team_id, portfolio=portfolio, now=now, tz=tz)
    previous = digest.previous_snapshot(
        session, team_id=team_id, channel_id=channel_id, portfolio=portfolio, before=now
    )
    changes = digest.changes_since(previous, snapshot)
    return snapshot, render.render(snapshot, changes, period=period)


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
    """Build a digest, store it exactly as it will be posted, and queue its messages."""
    local = now.astimezone(ZoneInfo(tz))
    snapshot, messages = build(
        session,
        team_id=team_id,
        channel_id=channel_id,
        portfolio=portfolio,
        tz=tz,
        now=now,
        period=format_date(local.date()),
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
    ids = _queue(session, post=post, now=now)
    post.outbox_ids = [i for i in ids if i is not None]
    return post


def _queue(session: Session, *, post: DigestPost, now: datetime) -> list[int | None]:
    """Queue the top message, then its replies, which wait for its ts to thread under it."""
    top_key = f"digest:{post.id}:0"
    ids = [
        outbox.enqueue(
            session,
            team_id=post.team_id,
            key=top_key,
            channel=post.channel_id,
            payload=post.messages[0],
            now=now,
            purpose=f"digest:{post.id}",
        )
    ]
    for n, reply in enumerate(post.messages[1:], start=1):
        ids.append(
            outbox.enqueue(
                session,
                team_id=post.team_id,
                key=f"digest:{post.id}:{n}",
                channel=post.channel_id,
                now=now,
                payload={**reply, outbox.THREAD_OF: top_key},
            )
        )
    return ids


def slot_schedule(session: Session, sub: DigestSubscription) -> Schedule | None:
    """When a subscription's digests fall, for the slot materialiser; None once removed."""
    if sub.removed_at is not None:
        return None
    return Schedule(parse_cadence(sub.cadence), sub.timezone)


def slot_jobs(session: Session, sub: DigestSubscription, slot: datetime) -> list[SlotJob]:
    """A digest slot brings one job: post the digest at the slot."""
    return [SlotJob("digest", slot)]


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
    sent = plural(len(post.messages), "message")
    return f"digest {post.id} queued for <#{sub.channel_id}> ({sent})"
