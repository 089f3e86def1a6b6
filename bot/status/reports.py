"""Status updates: store, edit, and read a program's status history."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

import bot.status.program_flags as program_flags
from bot import audit, dedupe, limits, outbox, programs
from bot.blocks import status as render
from bot.errors import PermissionDenied, UserError
from bot.workspace import is_pmo_admin
from storage.models import Person, Program, Prompt, StatusUpdate, Workspace
from storage.types import PromptState

RAGS = ("green", "amber", "red")
TREND_LENGTH = 6


@dataclass(frozen=True)
class StatusInput:
    """What a lead reports; parsed from a command, a modal or a reply."""

    rag: str
    summary: str
    accomplishments: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    path_to_green: str | None = None
    recovery_date: date | None = None
    new_target_date: date | None = None
    source: str = "command"


def validate(data: StatusInput, *, require_recovery: bool, today: date) -> None:
    """Refuse an empty summary, text longer than its field and, where asked, amber/red
    without a path to green.

    Raises:
        UserError: with `field` set to the modal block the problem belongs to.
    """
    if data.rag not in RAGS:
        raise UserError("Pick green, amber or red.", field="rag")
    if not data.summary.strip():
        raise UserError("Write a one-line summary of where the program stands.", field="summary")
    for name, field in limits.STATUS_FIELDS.items():
        limits.check(field, (getattr(data, name) or "").strip(), block_id=name)
    if require_recovery and data.rag != "green":
        if not (data.path_to_green or "").strip():
            raise UserError(
                f"{'An' if data.rag == 'amber' else 'A'} {data.rag} status needs a path to "
                "green: what gets it back on track?",
                field="path_to_green",
            )
        if data.recovery_date is None:
            raise UserError("When do you expect to be back to green?", field="recovery_date")
    if data.recovery_date is not None and data.recovery_date < today:
        raise UserError("The recovery date is in the past.", field="recovery_date")


def submit(
    session: Session,
    *,
    program: Program,
    author_id: str,
    data: StatusInput,
    now: datetime,
    workspace: Workspace,
) -> StatusUpdate:
    """Store a status update, make it the program's status, and recompute its flags."""
    programs.lock(session, program=program)  # the trend and flags build on the latest row
    update = StatusUpdate(
        team_id=program.team_id,
        program_id=program.id,
        author_id=author_id,
        created_at=now,
        **_fields(data),
    )
    session.add(update)
    session.flush()
    _apply_to_program(program, update, now=now, edited=False)
    audit.record(
        session,
        update,
        actor_id=author_id,
        action="submit",
        now=now,
        after=_fields(data),
    )
    _post_to_channel(session, program=program, update=update, now=now)
    program_flags.refresh(
        session,
        program=program,
        now=now,
        workspace=workspace,
        update_received=True,
        actor_id=author_id,
    )
    _answer_prompts(session, program=program, now=now)
    return update


def _post_to_channel(
    session: Session, *, program: Program, update: StatusUpdate, now: datetime
) -> None:
    """Queue the update's post, with its trend strip, in the program's channel (if it has one)."""
    if not program.channel_id:
        return
    trend = [u.rag for u in recent(session, program_id=program.id)]
    outbox.enqueue(
        session,
        team_id=program.team_id,
        key=f"status-post:{update.id}",
        channel=program.channel_id,
        now=now,
        payload=render.channel_post(program, update, trend=trend),
    )


def _answer_prompts(session: Session, *, program: Program, now: datetime) -> None:
    """An update answers every prompt still waiting about the program, however it came."""
    session.execute(
        sql_update(Prompt)
        .where(
            Prompt.program_id == program.id,
            Prompt.state.in_((PromptState.PENDING, PromptState.SNOOZED)),
        )
        .values(state=PromptState.ANSWERED, answered_at=now)
    )


# What makes two updates the same one, sent twice: its colour and all of its text.
_SAME_UPDATE = ("rag", "summary", "accomplishments", "next_steps", "blockers", "path_to_green")


def unchanged(update: StatusUpdate, data: StatusInput) -> bool:
    """Whether editing `update` to `data` would change none of its fields."""
    return all(getattr(update, key) == value for key, value in _fields(data).items())


def _fields(data: StatusInput) -> dict[str, object]:
    values = asdict(data)
    for key in ("summary", "accomplishments", "next_steps", "blockers", "path_to_green"):
        text = values[key]
        values[key] = text.strip() if text and text.strip() else None
    values["summary"] = values["summary"] or ""
    return values


def _apply_to_program(
    program: Program, update: StatusUpdate, *, now: datetime, edited: bool
) -> None:
    """Make the update the program's status (denormalised for lists and digests)."""
    previous = list(program.trend or [])
    if edited:
        previous = previous[1:]  # the edited update replaces its own entry
    if not previous or previous[0] != update.rag or program.rag_since is None:
        program.rag_since = update.created_at
    program.trend = [update.rag, *previous][:TREND_LENGTH]
    program.rag = update.rag
    program.last_summary = update.summary
    program.path_to_green = update.path_to_green
    program.last_update_at = update.created_at
    if update.new_target_date is not None:
        program.target_date = update.new_target_date
    program.updated_at = now


class LastStatus(NamedTuple):
    """A program's latest status as its own columns keep it (no query)."""

    rag: str
    summary: str
    created_at: datetime


def last_status(program: Program) -> LastStatus | None:
    """The program's latest status from its denormalised columns, or None before the first."""
    if program.rag is None or program.last_update_at is None:
        return None
    return LastStatus(program.rag, program.last_summary or "", program.last_update_at)


def latest(session: Session, *, program_id: int) -> StatusUpdate | None:
    """The program's latest update."""
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.program_id == program_id)
        .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def recent(session: Session, *, program_id: int, limit: int = TREND_LENGTH) -> list[StatusUpdate]:
    """The latest `limit` updates, newest first."""
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.program_id == program_id)
        .order_by(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def edit(
    session: Session,
    *,
    update: StatusUpdate,
    editor: Person,
    data: StatusInput,
    now: datetime,
    workspace: Workspace,
) -> StatusUpdate:
    """Change the latest update in place; the audit history keeps both versions."""
    program = session.get(Program, update.program_id)
    assert program is not None
    require_editable(session, update=update, editor=editor)
    before = {k: getattr(update, k) for k in _fields(data)}
    after = _fields(data) | {"source": update.source}
    for key, value in after.items():
        setattr(update, key, value)
    update.edited_at, update.edited_by = now, editor.user_id
    _apply_to_program(program, update, now=now, edited=True)
    audit.record(
        session,
        update,
        actor_id=editor.user_id,
        action="edit",
        now=now,
        before=before,
        after=after,
    )
    program_flags.refresh(
        session, program=program, now=now, workspace=workspace, actor_id=editor.user_id
    )
    _edit_channel_post(session, program=program, update=update, now=now)
    return update


def _edit_channel_post(
    session: Session, *, program: Program, update: StatusUpdate, now: datetime
) -> None:
    """Correct the update's post in the program's channel in place (if it was posted)."""
    if not program.channel_id:
        return
    trend = [u.rag for u in recent(session, program_id=program.id)]
    payload = render.channel_post(program, update, trend=trend)
    outbox.enqueue(
        session,
        team_id=program.team_id,
        channel=program.channel_id,
        now=now,
        key=f"status-post:{update.id}:edit:{now.isoformat()}",
        payload={**payload, outbox.UPDATE_OF: f"status-post:{update.id}"},
    )


def require_editable(session: Session, *, update: StatusUpdate, editor: Person) -> None:
    """Only the latest update may change, by its author or a PMO admin."""
    newest = latest(session, program_id=update.program_id)
    if newest is None or newest.id != update.id:
        raise UserError("Only the latest update can be edited; submit a new one instead.")
    program = session.get(Program, update.program_id)
    if program is None or not programs.can_update(session, program=program, person=editor):
        raise PermissionDenied(
            "Only the program's owner, delegates and PMO admins can edit its updates."
        )
    if editor.user_id != update.author_id and not is_pmo_admin(session, person=editor):
        raise PermissionDenied(
            f"Only its author <@{update.author_id}> or a PMO admin can edit this update."
        )


def get_update(session: Session, *, team_id: str, update_id: int) -> StatusUpdate:
    """An update of the caller's workspace."""
    update = session.get(StatusUpdate, update_id)
    if update is None or update.team_id != team_id:
        raise UserError("That update no longer exists.")
    return update


# --- entry points: who may, what is valid, then the change ---------------------------------


def start(session: Session, *, program: Program, person: Person) -> StatusUpdate | None:
    """The update to prefill the status modal with, once `person` may update `program`."""
    programs.require_update(session, program=program, person=person, doing="update")
    return latest(session, program_id=program.id)


def start_edit(
    session: Session, *, team_id: str, update_id: int, editor: Person
) -> tuple[Program, StatusUpdate]:
    """The program and update an *Edit* button opens, once `editor` may edit it."""
    update = get_update(session, team_id=team_id, update_id=update_id)
    require_editable(session, update=update, editor=editor)
    program = programs.get(session, team_id=team_id, program_id=update.program_id)
    _require_fits_the_form(update, program=program)
    return program, update


def _require_fits_the_form(update: StatusUpdate, *, program: Program) -> None:
    """Refuse to open the edit form on text longer than a Slack form field holds: saving it
    there would cut it (a DM reply may be longer)."""
    for name, field in limits.STATUS_FIELDS.items():
        text = getattr(update, name) or ""
        if len(text) > field.form_limit:
            raise UserError(
                f"This update's {field.label} is {len(text):,} characters long, more than a "
                f"Slack form holds ({field.form_limit:,}), so it can't be edited there without "
                f"cutting it. Send a new update instead: `/pmo status {program.key}`."
            )


def report(
    session: Session,
    *,
    program: Program,
    author: Person,
    data: StatusInput,
    now: datetime,
    workspace: Workspace,
    today: date,
    quick: bool = False,
) -> StatusUpdate:
    """A new update: who may, what is valid, then store it, refresh flags and queue posts.

    Args:
        quick: A one-line update (`/pmo status apollo red …`), which may come without a path
            to green; the program is then flagged NO_RECOVERY_PLAN.
    """
    programs.require_update(session, program=program, person=author, doing="update")
    validate(data, require_recovery=not quick, today=today)
    programs.lock(session, program=program)  # a repeat racing the first waits, then sees it
    same: dict[str, Any] = {k: v for k, v in _fields(data).items() if k in _SAME_UPDATE}
    dedupe.refuse_repeat(
        session,
        StatusUpdate,
        tz=author.tz or workspace.timezone,
        now=now,
        what=f"this update of *{program.name}*",
        program_id=program.id,
        author_id=author.user_id,
        **same,
    )
    return submit(
        session,
        program=program,
        author_id=author.user_id,
        data=data,
        now=now,
        workspace=workspace,
    )


def report_from_modal(
    session: Session,
    *,
    program_id: int,
    update_id: int | None,
    author: Person,
    data: StatusInput,
    now: datetime,
    workspace: Workspace,
    today: date,
) -> tuple[Program, StatusUpdate]:
    """The status modal: a new update, or a correction of `update_id`; the receipt is DMed."""
    program = programs.get(session, team_id=author.team_id, program_id=program_id)
    if update_id is None:
        update = report(
            session,
            program=program,
            author=author,
            data=data,
            now=now,
            workspace=workspace,
            today=today,
        )
    else:
        validate(data, require_recovery=True, today=today)
        previous = get_update(session, team_id=author.team_id, update_id=update_id)
        update = edit(
            session, update=previous, editor=author, data=data, now=now, workspace=workspace
        )
    outbox.enqueue(
        session,
        team_id=author.team_id,
        channel=author.user_id,
        payload=render.receipt(program, update, needs_plan=False),
        key=f"receipt:{update.id}:{now.isoformat()}",
        now=now,
    )
    return program, update
