"""The stand-up rows: schedule, edit, cancel, look up, and who may do what to them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.cadence import next_due
from bot.errors import PermissionDenied, UserError
from bot.people import checked_members
from bot.standups.plans import Plan, format_days
from bot.workspace import is_pmo_admin, serialize_changes
from storage.models import Person, Standup

MAX_PARTICIPANTS = 50


def channel_members(client: WebClient, channel_id: str) -> frozenset[str]:
    """Everyone in a channel, from conversations.members (all pages)."""
    members: set[str] = set()
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        members.update(page.get("members") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return frozenset(members)


def schedule(
    session: Session,
    *,
    channel_id: str,
    facilitator: Person,
    plan: Plan,
    participants: Sequence[Person],
    members: Collection[str],
    now: datetime,
) -> Standup:
    """Set up a recurring stand-up in a channel, run by `facilitator`.

    Raises:
        UserError: The channel has one already, or the participants do not fit.
        PermissionDenied: The facilitator is neither in the channel nor a PMO admin.
    """
    _refuse_second(session, team_id=facilitator.team_id, channel_id=channel_id)
    ids = _checked_participants(participants, members=members, channel_id=channel_id)
    if facilitator.user_id not in members and not is_pmo_admin(session, person=facilitator):
        raise PermissionDenied(
            f"You're not a member of <#{channel_id}>. Only its members (or a PMO admin) "
            "can run a stand-up there."
        )
    standup = Standup(
        team_id=facilitator.team_id,
        channel_id=channel_id,
        facilitator_id=facilitator.user_id,
        participants=ids,
        created_at=now,
    )
    _apply(standup, plan)
    standup.next_due_at = next_due(plan.cadence, after=now, tz=plan.slot_timezone)
    session.add(standup)
    session.flush()
    _audit(session, standup, actor_id=facilitator.user_id, action="schedule", now=now)
    return standup


def _refuse_second(session: Session, *, team_id: str, channel_id: str) -> None:
    serialize_changes(session, team_id=team_id)  # two schedules at once: the second is told
    existing = find(session, team_id=team_id, channel_id=channel_id)
    if existing is not None:
        raise UserError(
            f"<#{channel_id}> already has a stand-up, run by <@{existing.facilitator_id}>. "
            f"Change it with `/pmo standup edit <#{channel_id}> …`, or cancel it first."
        )


def _checked_participants(
    participants: Sequence[Person], *, members: Collection[str], channel_id: str
) -> list[str]:
    """The participants' ids, once each, after checking each may take part."""
    return checked_members(
        participants,
        members=members,
        channel_id=channel_id,
        role="participants",
        joining="take part",
        of="A stand-up",
        most=MAX_PARTICIPANTS,
    )


def edit(
    session: Session,
    *,
    standup: Standup,
    actor: Person,
    plan: Plan,
    participants: Sequence[Person] | None,
    members: Collection[str],
    now: datetime,
) -> None:
    """Change a stand-up (its facilitator or a PMO admin); a run already open keeps going."""
    require_manage(session, standup=standup, person=actor)
    before = _snapshot(standup)
    if participants is not None:
        standup.participants = _checked_participants(
            participants, members=members, channel_id=standup.channel_id
        )
    _apply(standup, plan)
    standup.next_due_at = next_due(plan.cadence, after=now, tz=plan.slot_timezone)
    _audit(session, standup, actor_id=actor.user_id, action="edit", now=now, before=before)


def cancel(session: Session, *, standup: Standup, actor: Person, now: datetime) -> None:
    """Stop a stand-up (kept, marked removed); a run already open still closes with a summary."""
    require_manage(session, standup=standup, person=actor)
    standup.removed_at = now
    standup.next_due_at = None
    _audit(session, standup, actor_id=actor.user_id, action="cancel", now=now)


def _apply(standup: Standup, plan: Plan) -> None:
    standup.days = format_days(plan.days)
    standup.open_at = f"{plan.opens:%H:%M}"
    standup.close_at = f"{plan.closes:%H:%M}"
    standup.timezone = plan.timezone
    standup.questions = list(plan.questions)
    standup.local_time = plan.local


def _snapshot(standup: Standup) -> dict[str, object]:
    names = ("channel_id", "facilitator_id", "days", "open_at", "close_at", "timezone")
    values: dict[str, object] = {name: getattr(standup, name) for name in names}
    values |= {"local": standup.local_time, "paused": standup.paused_at is not None}
    return values | {"questions": list(standup.questions), "people": list(standup.participants)}


def _audit(
    session: Session,
    standup: Standup,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    before: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        standup,
        actor_id=actor_id,
        action=action,
        now=now,
        before=before,
        after=_snapshot(standup),
    )


def find(session: Session, *, team_id: str, channel_id: str) -> Standup | None:
    """The channel's stand-up, if it has one."""
    return session.scalar(
        select(Standup).where(
            Standup.team_id == team_id,
            Standup.channel_id == channel_id,
            Standup.removed_at.is_(None),
        )
    )


def for_channel(session: Session, *, team_id: str, channel_id: str) -> Standup:
    """The channel's stand-up.

    Raises:
        UserError: The channel has none.
    """
    standup = find(session, team_id=team_id, channel_id=channel_id)
    if standup is None:
        raise UserError(
            f"<#{channel_id}> has no stand-up. Schedule one with "
            '`/pmo standup schedule #channel "mon-fri 09:30" @a @b`, or name its channel.'
        )
    return standup


def active(session: Session, *, team_id: str) -> list[Standup]:
    """The workspace's stand-ups, oldest first."""
    query = (
        select(Standup)
        .where(Standup.team_id == team_id, Standup.removed_at.is_(None))
        .order_by(Standup.created_at, Standup.id)
    )
    return list(session.scalars(query))


def require_manage(session: Session, *, standup: Standup, person: Person) -> None:
    """The facilitator and PMO admins may edit or cancel a stand-up."""
    if person.user_id == standup.facilitator_id or is_pmo_admin(session, person=person):
        return
    raise PermissionDenied(
        f"Only the facilitator <@{standup.facilitator_id}> or a PMO admin can change the "
        f"stand-up in <#{standup.channel_id}>."
    )


def require_member(session: Session, *, standup: Standup, person: Person) -> None:
    """The facilitator, participants and PMO admins may start, close and order a stand-up."""
    if person.user_id in standup.participants:
        return
    require_manage(session, standup=standup, person=person)


def managed(session: Session, *, team_id: str, channel_id: str, person: Person) -> Standup:
    """A channel's stand-up, once `person` may change it (its facilitator or an admin)."""
    standup = for_channel(session, team_id=team_id, channel_id=channel_id)
    require_manage(session, standup=standup, person=person)
    return standup
