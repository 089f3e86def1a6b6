"""Deciding a request: approve (registering its program), reject or defer, by PMO admins.

The first decision wins; later ones are told it was already decided. The review posts are
edited in place and the requester is told the outcome. Deferred requests come back to the
queue on their date, checked whenever the queue is read or decided (`resurface`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot import audit, limits, notify, outbox, programs
from bot.blocks import intake as render
from bot.errors import UserError
from bot.intake.facts import SYSTEM_ACTOR
from bot.intake.filing import _audit, get_request, label, post_key
from bot.workspace import require_admin
from storage.models import IntakeRequest, OutboxMessage, Person, Program, Workspace
from storage.types import IntakeState

DECISION_ACTIONS: dict[str, str] = {
    IntakeState.APPROVED: "approve",
    IntakeState.REJECTED: "reject",
    IntakeState.DEFERRED: "defer",
}


def local_today(workspace: Workspace, now: datetime) -> date:
    """The workspace's local date: deferrals come due by it."""
    return now.astimezone(ZoneInfo(workspace.timezone)).date()


def resurface(session: Session, *, workspace: Workspace, now: datetime) -> int:
    """Put deferred requests whose date has come back in the queue; returns how many."""
    due = list(
        session.scalars(
            select(IntakeRequest).where(
                IntakeRequest.team_id == workspace.team_id,
                IntakeRequest.state == IntakeState.DEFERRED,
                IntakeRequest.defer_until <= local_today(workspace, now),
            )
        )
    )
    back = 0
    for request in due:
        changed = session.execute(
            update(IntakeRequest)
            .where(IntakeRequest.id == request.id, IntakeRequest.state == IntakeState.DEFERRED)
            .values(state=IntakeState.PENDING)
            .execution_options(synchronize_session="fetch")
        ).rowcount  # type: ignore[attr-defined]
        if changed:
            back += 1
            audit.record(
                session,
                request,
                actor_id=SYSTEM_ACTOR,
                action="resurface",
                now=now,
                before={"state": "deferred"},
                after={"state": "pending"},
            )
    return back


DECIDING = "decide intake requests"


def deciding(
    session: Session, *, workspace: Workspace, request_id: int, person: Person
) -> IntakeRequest:
    """A request an approve/reject/defer modal decides, once `person` is a PMO admin."""
    require_admin(session, person=person, doing=DECIDING)
    return get_request(session, team_id=workspace.team_id, request_id=request_id)


def decidable(
    session: Session, *, workspace: Workspace, request_id: int, person: Person, now: datetime
) -> IntakeRequest:
    """A request that is waiting for a decision (a deferral now due counts).

    Raises:
        UserError: no such request, or it was decided already.
    """
    require_admin(session, person=person, doing=DECIDING)
    resurface(session, workspace=workspace, now=now)
    request = get_request(session, team_id=workspace.team_id, request_id=request_id)
    if request.state != IntakeState.PENDING:
        raise UserError(already_decided(request))
    return request


def already_decided(request: IntakeRequest) -> str:
    """What a second decider is told."""
    by = f" by <@{request.decided_by}>" if request.decided_by else ""
    return f"{label(request)} was already {request.state}{by}; nothing was changed."


@dataclass(frozen=True)
class Approval:
    """What the approve modal confirms: the program to register, and a note to the requester."""

    name: str
    owner: Person
    cadence: str = "weekly"
    note: str | None = None


def approve(
    session: Session,
    *,
    workspace: Workspace,
    request: IntakeRequest,
    actor_id: str,
    approval: Approval,
    now: datetime,
    today: date,
) -> Program:
    """Approve a pending request and register its program, as `/pmo program add` does."""
    owner = approval.owner
    _require_owner(owner)
    limits.check(limits.REASON, approval.note, block_id="note")  # it is kept as the reason
    _decide(
        session,
        request=request,
        workspace=workspace,
        actor_id=actor_id,
        now=now,
        state=IntakeState.APPROVED,
        reason=approval.note,
    )
    program = programs.add_program(
        session,
        team_id=request.team_id,
        actor_id=actor_id,
        new=_new_program(request, approval, today=today),
        timezone=owner.tz or workspace.timezone,
        today=today,
        now=now,
    )
    request.program_id = program.id
    _announce(session, request=request, now=now, program=program)
    return program


def _new_program(request: IntakeRequest, approval: Approval, *, today: date) -> programs.NewProgram:
    """The program an approval registers: sponsored as asked, aiming at the desired finish."""
    finish = request.desired_finish
    return programs.NewProgram(
        name=approval.name,
        owner_id=approval.owner.user_id,
        cadence=approval.cadence,
        sponsor_id=request.sponsor_id,
        target_date=finish if finish is not None and finish >= today else None,
    )


def _require_owner(person: Person) -> None:
    if person.is_bot or person.deleted or person.is_restricted:
        raise UserError(
            f"<@{person.user_id}> can't own a program (bots, guests and deactivated accounts "
            "can't).",
            field="owner",
        )


def reject(
    session: Session,
    *,
    workspace: Workspace,
    request: IntakeRequest,
    actor_id: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Reject a pending request, with the reason the requester is told."""
    _decide(
        session,
        request=request,
        workspace=workspace,
        actor_id=actor_id,
        now=now,
        state=IntakeState.REJECTED,
        reason=_required_reason(reason),
    )
    _announce(session, request=request, now=now)


def defer(
    session: Session,
    *,
    workspace: Workspace,
    request: IntakeRequest,
    actor_id: str,
    reason: str | None,
    until: date | None,
    now: datetime,
    today: date,
) -> None:
    """Defer a pending request until a later date, when it comes back to the queue."""
    reason = _required_reason(reason)
    if until is None:
        raise UserError("Pick the date it comes back to the queue.", field="until")
    if until <= max(today, local_today(workspace, now)):  # else it would be back at once
        raise UserError("Pick a date after today.", field="until")
    _decide(
        session,
        request=request,
        workspace=workspace,
        actor_id=actor_id,
        now=now,
        state=IntakeState.DEFERRED,
        reason=reason,
        defer_until=until,
    )
    _announce(session, request=request, now=now)


def _required_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise UserError("Give the reason; the requester is told it.", field="reason")
    limits.check(limits.REASON, reason.strip(), block_id="reason")
    return reason.strip()


def _decide(
    session: Session,
    *,
    request: IntakeRequest,
    workspace: Workspace,
    actor_id: str,
    now: datetime,
    state: str,
    reason: str | None,
    defer_until: date | None = None,
) -> None:
    """Move a pending request to `state`; the first decision wins, a later one is refused."""
    resurface(session, workspace=workspace, now=now)
    changed = session.execute(
        update(IntakeRequest)
        .where(IntakeRequest.id == request.id, IntakeRequest.state == IntakeState.PENDING)
        .values(
            state=state, decided_by=actor_id, decided_at=now, reason=reason, defer_until=defer_until
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(request)
    if not changed:
        raise UserError(already_decided(request))
    after: dict[str, object] = {"state": state, "reason": reason, "defer_until": defer_until}
    _audit(
        session, request, actor_id=actor_id, action=DECISION_ACTIONS[state], now=now, after=after
    )


def _announce(
    session: Session, *, request: IntakeRequest, now: datetime, program: Program | None = None
) -> None:
    """Edit the review posts in place and tell the requester the outcome (unless muted)."""
    stamp = f"{now:%Y%m%dT%H%M%S%f}"
    decided = render.decided_message(request, program=program)
    for key, channel in _posts(session, request=request):
        outbox.enqueue(
            session,
            team_id=request.team_id,
            key=f"intake-update:{key}:{stamp}",
            channel=channel,
            payload=decided | {outbox.UPDATE_OF: key},
            now=now,
        )
    if not notify.wants(
        session, team_id=request.team_id, user_id=request.requester_id, kind="intake"
    ):
        return  # the requester muted intake decisions; `intake show` still says
    outbox.enqueue(
        session,
        team_id=request.team_id,
        key=f"intake-decision:{request.id}:{stamp}",
        channel=request.requester_id,
        payload=render.decision_message(request, program=program),
        now=now,
    )


def _posts(session: Session, *, request: IntakeRequest) -> list[tuple[str, str]]:
    """The review posts of a request: (dedupe key, channel), one per channel or admin DM."""
    key = post_key(request)
    rows = session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.channel).where(
            OutboxMessage.team_id == request.team_id,
            or_(OutboxMessage.dedupe_key == key, OutboxMessage.dedupe_key.like(f"{key}:%")),
        )
    )
    return [(k, c) for k, c in rows.tuples()]
