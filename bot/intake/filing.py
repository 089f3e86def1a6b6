"""Filing a request: the modal's input, its WSJF score, its `INT-n`, the review post.

A request gets the next `INT-n` of its workspace and a WSJF score
(business value + time criticality + risk reduction) / job size, and is posted for review to
the intake channel, else the PMO channel, else by DM to the reviewers, with the portfolio's
current load and its likely duplicates. Also: finding a request by id or by `INT-n`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, limits, notify, outbox
from bot.blocks import intake as render
from bot.errors import UserError
from bot.intake.duplicates import find_duplicates
from bot.intake.facts import Capacity, Filed
from bot.workspace import admin_ids
from storage.models import IntakeRequest, Person, Program, Workspace
from storage.types import IntakeState, ProgramState

SCALE = (1, 10)
SCORE_FIELDS = {
    "business_value": "Business value",
    "time_criticality": "Time criticality",
    "risk_reduction": "Risk reduction / opportunity enablement",
    "job_size": "Job size",
}
_NUMBER = re.compile(r"(?:int-?)?\s*(\d{1,9})", re.IGNORECASE)


@dataclass(frozen=True)
class IntakeInput:
    """What the intake modal asks for."""

    title: str
    problem: str
    business_value: int
    time_criticality: int
    risk_reduction: int
    job_size: int
    sponsor_id: str | None = None
    goal: str | None = None
    desired_start: date | None = None
    desired_finish: date | None = None
    notes: str | None = None


def wsjf(value: int, criticality: int, risk_reduction: int, job_size: int) -> float:
    """Weighted shortest job first: the cost of delay divided by the job size."""
    return (value + criticality + risk_reduction) / job_size


def label(request: IntakeRequest) -> str:
    """The request's id as people say it: `INT-7`."""
    return f"INT-{request.number}"


def parse_scale(text: str | None, *, field: str) -> int:
    """A 1–10 rating typed in the modal.

    Raises:
        UserError: not a whole number from 1 to 10, shown on `field`.
    """
    what = SCORE_FIELDS[field]
    cleaned = (text or "").strip()
    if field == "job_size" and cleaned == "0":
        raise UserError(
            "Job size can't be 0: the score divides by it. Use 1 for tiny.", field=field
        )
    if cleaned.isdigit() and SCALE[0] <= int(cleaned) <= SCALE[1]:
        return int(cleaned)
    raise UserError(f"{what} is a whole number from 1 to 10; “{cleaned}” is not.", field=field)


def validate(data: IntakeInput, *, today: date) -> None:
    """Refuse an empty title or problem, text longer than its field, ratings outside 1–10,
    past or inverted dates."""
    if not data.title.strip():
        raise UserError("Give the request a title.", field="title")
    limits.check(limits.INTAKE_TITLE, " ".join(data.title.split()), block_id="title")
    if not data.problem.strip():
        raise UserError("Describe the problem or opportunity.", field="problem")
    limits.check(limits.PROBLEM, data.problem.strip(), block_id="problem")
    limits.check(limits.NOTES, data.notes, block_id="notes")
    for name, what in SCORE_FIELDS.items():
        if not SCALE[0] <= getattr(data, name) <= SCALE[1]:
            raise UserError(f"{what} is a whole number from 1 to 10.", field=name)
    for name in ("desired_start", "desired_finish"):
        picked = getattr(data, name)
        if picked is not None and picked < today:
            raise UserError("That date is in the past; pick today or later.", field=name)
    start, finish = data.desired_start, data.desired_finish
    if start is not None and finish is not None and finish < start:
        raise UserError("The finish is before the start.", field="desired_finish")


def file_request(
    session: Session,
    *,
    workspace: Workspace,
    requester: Person,
    data: IntakeInput,
    now: datetime,
    today: date,
) -> Filed:
    """File a request: number it, score it, tell the requester and post it for review."""
    validate(data, today=today)
    title = " ".join(data.title.split())
    duplicates = find_duplicates(
        session, team_id=workspace.team_id, title=title, problem=data.problem
    )
    load = capacity(session, workspace=workspace, now=now)
    request = _insert(session, workspace=workspace, requester=requester, data=data, now=now)
    review = render.review_message(request, duplicates=duplicates, capacity=load)
    posted_to = _post_for_review(
        session, workspace=workspace, request=request, payload=review, now=now
    )
    filed = Filed(request=request, duplicates=duplicates, capacity=load, posted_to=posted_to)
    outbox.enqueue(
        session,
        team_id=workspace.team_id,
        key=f"intake-receipt:{request.id}",
        channel=request.requester_id,
        payload=render.receipt_message(filed, show_duplicates=not requester.is_restricted),
        now=now,
    )
    return filed


def _insert(
    session: Session, *, workspace: Workspace, requester: Person, data: IntakeInput, now: datetime
) -> IntakeRequest:
    """Store the request under the next number; the number is taken last, to lock briefly."""
    tidy = {"title": " ".join(data.title.split()), "problem": data.problem.strip()}
    ratings = (data.business_value, data.time_criticality, data.risk_reduction, data.job_size)
    request = IntakeRequest(
        **(asdict(data) | tidy),
        team_id=workspace.team_id,
        requester_id=requester.user_id,
        score=wsjf(*ratings),
        state=IntakeState.PENDING,
        created_at=now,
        number=_next_number(session, team_id=workspace.team_id),
    )
    session.add(request)
    session.flush()
    _audit(session, request, actor_id=requester.user_id, action="file", now=now, after=asdict(data))
    return request


def _next_number(session: Session, *, team_id: str) -> int:
    """The workspace's next INT number, taken under the workspace row's write lock.

    The increment is part of the submitting transaction: a rolled-back submission gives its
    number back, and a concurrent one waits for this commit, so numbers never repeat or skip.
    """
    number = session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(intake_seq=Workspace.intake_seq + 1)
        .returning(Workspace.intake_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(number)


def _post_for_review(
    session: Session,
    *,
    workspace: Workspace,
    request: IntakeRequest,
    payload: dict[str, Any],
    now: datetime,
) -> str:
    """Post to the intake channel, else the PMO channel, else DM the reviewers; says where."""
    channel = workspace.intake_channel_id or workspace.pmo_channel_id
    key = post_key(request)
    if channel is not None:
        request.posted_channel = channel
        outbox.enqueue(
            session, team_id=request.team_id, key=key, channel=channel, payload=payload, now=now
        )
        return f"<#{channel}>"
    people = reviewers(session, team_id=request.team_id)
    for user_id in people:
        notify.direct_message(
            session,
            workspace=workspace,
            user_id=user_id,
            now=now,
            key=f"{key}:{user_id}",
            payload=payload,
            purpose=f"intake:{request.id}",
        )
    if not people:
        return (
            "nobody yet: no intake or PMO channel and no PMO admin is set, so ask your PMO "
            "to run `/pmo config intake-channel #channel`"
        )
    return "the PMO admins"


def post_key(request: IntakeRequest) -> str:
    """The outbox dedupe key of the review post (DMs to admins add `:<user id>`)."""
    return f"intake-post:{request.id}"


def reviewers(session: Session, *, team_id: str) -> list[str]:
    """Who decides intake: the PMO admins, else Slack's workspace admins and owners we know."""
    explicit = admin_ids(session, team_id=team_id)
    if explicit:
        return explicit
    query = (
        select(Person.user_id)
        .where(
            Person.team_id == team_id,
            or_(Person.is_admin, Person.is_owner),
            ~Person.is_restricted,
            ~Person.is_bot,
            ~Person.deleted,
        )
        .order_by(Person.user_id)
    )
    return list(session.scalars(query))


def capacity(session: Session, *, workspace: Workspace, now: datetime) -> Capacity:
    """Active programs, how many are red and amber, and requests approved this quarter."""
    rows = session.execute(
        select(Program.rag, func.count())
        .where(Program.team_id == workspace.team_id, Program.state == ProgramState.ACTIVE)
        .group_by(Program.rag)
    )
    by_rag = {rag: n for rag, n in rows.tuples()}
    approved = session.scalar(
        select(func.count()).where(
            IntakeRequest.team_id == workspace.team_id,
            IntakeRequest.state == IntakeState.APPROVED,
            IntakeRequest.decided_at >= quarter_start(now, workspace.timezone),
        )
    )
    return Capacity(
        active=sum(by_rag.values()),
        red=by_rag.get("red", 0),
        amber=by_rag.get("amber", 0),
        approved_this_quarter=approved or 0,
    )


def quarter_start(now: datetime, tz: str) -> datetime:
    """The first instant of the calendar quarter `now` falls in, in zone `tz`."""
    local = now.astimezone(ZoneInfo(tz)).date()
    first = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    return datetime.combine(first, time(), tzinfo=ZoneInfo(tz))


def get_request(session: Session, *, team_id: str, request_id: int) -> IntakeRequest:
    """A request by its row id, within the caller's workspace."""
    request = session.get(IntakeRequest, request_id)
    if request is None or request.team_id != team_id:
        raise UserError("That intake request no longer exists.")
    return request


def find_request(session: Session, *, team_id: str, ref: str) -> IntakeRequest:
    """A request by `INT-n` (or just `n`).

    Raises:
        UserError: not an INT id, or no such request here.
    """
    match = _NUMBER.fullmatch(ref.strip())
    if match is None:
        raise UserError(f"“{ref}” is not an intake id; they look like `INT-7`.")
    request = session.scalar(
        select(IntakeRequest).where(
            IntakeRequest.team_id == team_id, IntakeRequest.number == int(match.group(1))
        )
    )
    if request is None:
        raise UserError(
            f"There is no INT-{int(match.group(1))}. `/pmo intake list all` shows them."
        )
    return request


def _audit(
    session: Session,
    request: IntakeRequest,
    *,
    actor_id: str,
    action: str,
    now: datetime,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        request,
        actor_id=actor_id,
        action=action,
        now=now,
        after=after,
    )
