"""A meeting's preparation: the owners' pre-read DMs one working day before, and the agenda
posted to the channel an hour before.

Both are scheduled jobs of the occurrence's start (`plans.PREREAD`, `plans.AGENDA`; target:
the meeting, slot: the start), claimed once like every job, and what they send is keyed by
the occurrence in the outbox (`meeting-preread:<occurrence>:<user>`,
`meeting-agenda:<occurrence>`), so a second pass, a restart or a second process sends
nothing twice. A job of a start the meeting no longer has (cancelled, or edited to other days
or times) is skipped; so is a pre-read more than 12 hours late or after the agenda went out,
and an agenda post that could only go out once the meeting has started.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot import notify, outbox
from bot.blocks import agenda as render
from bot.blocks.common import plural
from bot.meetings import agenda, facts, occurrences, plans
from bot.meetings.facts import AgendaItem
from storage.models import Meeting, MeetingOccurrence, Person, ScheduledJob, Workspace
from storage.types import MeetingState


def run_job(session: Session, *, job: ScheduledJob, now: datetime, workspace: Workspace) -> str:
    """Send an occurrence's pre-read DMs or post its agenda; says what happened."""
    meeting = session.get(Meeting, job.target_id)
    if meeting is None or meeting.team_id != job.team_id:
        return "skipped: no such meeting"
    skip = _why_not(meeting, job=job, now=now)
    if skip is not None:
        return f"skipped: {skip}"
    occurrence = occurrences.for_start(session, meeting=meeting, start=job.slot_at)
    if occurrence.state != MeetingState.SCHEDULED:
        return f"skipped: the meeting is {occurrence.state} already"
    if job.kind == plans.PREREAD:
        return _preread(session, meeting=meeting, occurrence=occurrence, now=now, space=workspace)
    return _post(session, meeting=meeting, occurrence=occurrence, now=now, space=workspace)


def _why_not(meeting: Meeting, *, job: ScheduledJob, now: datetime) -> str | None:
    """Why the job no longer runs: the meeting cancelled or moved, or the moment missed."""
    if meeting.removed_at is not None:
        return "the meeting was cancelled"
    moved = plans.period_of(meeting, job.slot_at) != job.period
    if moved or not plans.is_start(meeting, job.slot_at):
        return "the meeting no longer starts then (it was edited)"
    if job.kind == plans.PREREAD and plans.preread_missed(job.slot_at, due_at=job.due_at, now=now):
        return "missed while the bot was down"
    if job.kind == plans.AGENDA and now >= job.slot_at:
        return "missed until the meeting started"
    return None


def _preread(
    session: Session,
    *,
    meeting: Meeting,
    occurrence: MeetingOccurrence,
    now: datetime,
    space: Workspace,
) -> str:
    """One DM to each scheduled item's owner (guests excepted), listing their items.

    Intake items are left out (their requesters have nothing to update), and so is an owner
    whose working hours start only after the agenda is posted: a pre-read then comes too late.
    """
    built = agenda.build(
        session, meeting=meeting, starts_at=occurrence.starts_at, now=now, workspace=space
    )
    told, guests = [], []
    post_at = occurrence.starts_at - plans.AGENDA_BEFORE
    for owner_id in built.owners:
        if not notify.may_hear(session, team_id=meeting.team_id, user_id=owner_id):
            guests.append(owner_id)
            continue
        mine = [i for i in built.items if i.owner_id == owner_id and i.kind != facts.INTAKE]
        calendar = notify.calendar_of(
            session, workspace=space, user_id=owner_id, zone=meeting.timezone
        )
        if not mine or calendar.next_window_start(now) >= post_at:
            continue
        if _tell_owner(
            session, meeting=meeting, occurrence=occurrence, owner_id=owner_id, items=mine,
            now=now, space=space,
        ):  # fmt: skip
            told.append(owner_id)
    skipped = f", not {plural(len(guests), 'guest')}" if guests else ""
    return f"pre-read to {plural(len(told), 'owner')}{skipped}"


def _tell_owner(
    session: Session,
    *,
    meeting: Meeting,
    occurrence: MeetingOccurrence,
    owner_id: str,
    items: Sequence[AgendaItem],
    now: datetime,
    space: Workspace,
) -> bool:
    """Queue one owner's pre-read, in their zone (the meeting's when Slack gave none), for
    their working hours; whether it was new."""
    person = session.get(Person, (meeting.team_id, owner_id))
    zone = (person.tz if person is not None else None) or meeting.timezone
    payload = render.preread_message(
        meeting,
        items,
        starts_at=occurrence.starts_at,
        post_at=occurrence.starts_at - plans.AGENDA_BEFORE,
        tz=zone,
        updatable=[item.ref for item in items if agenda.is_about_program(item)],
    )
    queued = notify.direct_message(
        session,
        workspace=space,
        user_id=owner_id,
        now=now,
        key=f"meeting-preread:{occurrence.id}:{owner_id}",
        payload=payload,
        purpose=f"meeting:{meeting.id}",
        zone=meeting.timezone,
    )  # kind None: it asks them for something, so it is never muted
    return queued is not None


def _post(
    session: Session,
    *,
    meeting: Meeting,
    occurrence: MeetingOccurrence,
    now: datetime,
    space: Workspace,
) -> str:
    """Freeze the occurrence's agenda and post it to the meeting's channel, once."""
    frozen = agenda.freeze(
        session, occurrence=occurrence, meeting=meeting, now=now, workspace=space
    )
    payload = render.agenda_message(
        meeting, frozen, starts_at=occurrence.starts_at, tz=meeting.timezone
    )
    queued = outbox.enqueue(
        session,
        team_id=meeting.team_id,
        key=f"meeting-agenda:{occurrence.id}",
        channel=meeting.channel_id,
        payload=payload,
        now=now,
        purpose=f"meeting:{meeting.id}",
    )
    if queued is None:
        return "skipped: the agenda was posted already"
    later = len(frozen.unscheduled) + frozen.not_listed
    return f"agenda posted: {plural(len(frozen.items), 'item')}, {later} not scheduled"
