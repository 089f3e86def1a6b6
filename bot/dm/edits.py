"""Edits of a DM in Slack: a status reply corrected within 24 h corrects its stored update.

Each DM stored as a status update is remembered with the update it became and the receipt it
got (`DmReply`); a reply held for a "which program?" pick remembers its DM too. An edit then
finds what its DM became: the update is edited (as *Edit* would: the latest one only, by its
author or an admin, the audit keeping both versions) and the receipt redrawn in place, or the
held text is replaced before the pick.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

import bot.status.reports as status
from bot import programs
from bot.errors import UserError
from bot.status import replies
from storage.models import DmReply, PendingReply, Person, Program, StatusUpdate, Workspace

EDIT_WINDOW = timedelta(hours=24)
TOO_LATE = (
    "You edited that reply more than 24 hours after sending it, so I kept the update as "
    "stored. To change it, use *Edit* on its receipt, or send a new update."
)
NO_RAG = (
    "Your edit doesn't start with green, amber or red, so I kept {what} as it was. "
    "Edit it again starting with the colour, e.g. `amber - vendor late; next: escalate`."
)


class Sent(NamedTuple):
    """Where a DM is (its conversation and ts) and the outbox key its reply goes out under."""

    channel_id: str
    ts: str
    reply_key: str


def remember(
    session: Session,
    *,
    person: Person,
    channel_id: str,
    ts: str,
    answered: replies.Answered,
    receipt_key: str | None,
    now: datetime,
) -> None:
    """Note which update a DM became and which receipt it got, for its edits."""
    session.add(
        DmReply(
            team_id=person.team_id,
            channel_id=channel_id,
            message_ts=ts,
            user_id=person.user_id,
            status_update_id=answered.update.id,
            receipt_key=receipt_key,
            late_for=answered.late_for,
            kept_plan=answered.kept_plan,
            created_at=now,
        )
    )


def stored_from(session: Session, *, person: Person, sent: Sent) -> DmReply | None:
    """What a DM was stored as, if it was."""
    return session.scalar(
        select(DmReply).where(
            DmReply.team_id == person.team_id,
            DmReply.channel_id == sent.channel_id,
            DmReply.message_ts == sent.ts,
            DmReply.user_id == person.user_id,
        )
    )


def held_from(session: Session, *, person: Person, sent: Sent) -> PendingReply | None:
    """The reply a DM is held as while its author picks the program, if it is."""
    return session.scalar(
        select(PendingReply).where(
            PendingReply.team_id == person.team_id,
            PendingReply.channel_id == sent.channel_id,
            PendingReply.message_ts == sent.ts,
            PendingReply.user_id == person.user_id,
            PendingReply.used_at.is_(None),
        )
    )


def correct(
    session: Session,
    *,
    person: Person,
    workspace: Workspace,
    stored: DmReply,
    text: str,
    now: datetime,
) -> tuple[Program, replies.Answered] | None:
    """Edit the update a DM became to what the DM now says; None when that changes nothing.

    Raises:
        UserError: The edit reads as no status, or the update may not change (a later one
            came, or the editor lost the right), with the edited text echoed.
    """
    try:
        parsed = replies.parse(text)
        if parsed is None:
            raise UserError(NO_RAG.format(what="the update I stored"))
        team = person.team_id
        update = status.get_update(session, team_id=team, update_id=stored.status_update_id)
        status.require_editable(session, update=update, editor=person)
        program = programs.get(session, team_id=team, program_id=update.program_id)
        data, kept = _edited_input(session, update=update, stored=stored, reply=parsed, now=now)
        status.validate(data, require_recovery=False, today=now.date())
        if status.unchanged(update, data):
            return None
        status.edit(session, update=update, editor=person, data=data, now=now, workspace=workspace)
    except UserError as error:
        raise error.with_context(echo=text) from None
    stored.kept_plan = kept
    return program, replies.Answered(update, late_for=stored.late_for, kept_plan=kept)


def _edited_input(
    session: Session,
    *,
    update: StatusUpdate,
    stored: DmReply,
    reply: replies.ParsedReply,
    now: datetime,
) -> tuple[status.StatusInput, bool]:
    """The update as the edited reply says it; the fields a reply can't give stay as they were.

    The path to green and recovery date: an amber or red edit keeps the update's own, or, if it
    has none (it was green), the one before it had; a green edit drops one only kept for it.
    """
    path, recovery, kept = update.path_to_green, update.recovery_date, stored.kept_plan
    if reply.rag == "green" and kept:
        path, recovery, kept = None, None, False
    elif reply.rag != "green" and not (path or recovery):
        before = status.recent(session, program_id=update.program_id, limit=2)[1:]
        path, recovery = replies.plan_from(
            before[0] if before else None, rag=reply.rag, today=now.date()
        )
        kept = bool(path or recovery)
    data = status.StatusInput(
        rag=reply.rag,
        summary=reply.summary,
        accomplishments=update.accomplishments,
        next_steps=reply.next_steps,
        blockers=update.blockers,
        path_to_green=path,
        recovery_date=recovery,
        new_target_date=update.new_target_date,
        source=update.source,
    )
    return data, kept


def replace_held(held: PendingReply, *, text: str, now: datetime) -> None:
    """Replace the text of a reply held for a pick with its edit (checked as the first was).

    Raises:
        UserError: The edit reads as no status, or could not be stored; the text is echoed.
    """
    parsed = replies.parse(text)
    try:
        if parsed is None:
            raise UserError(NO_RAG.format(what="the reply waiting for its program"))
        replies.check_storable(parsed, today=now.date())
    except UserError as error:
        raise error.with_context(echo=text) from None
    held.text = text
