"""Project intake: requests scored by WSJF, checked for duplicates and decided by PMO admins.

A request gets the next `INT-n` of its workspace, a WSJF score
(business value + time criticality + risk reduction) / job size, and is posted for review
with *Approve* / *Reject* / *Defer*. The first decision wins; later ones are told it was
already decided. Deferred requests come back to the queue on their date, checked whenever
the queue is read or decided (`resurface`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, notify, outbox, programs
from bot.blocks import intake as render
from bot.errors import UserError
from bot.intake.facts import SYSTEM_ACTOR, Capacity, Duplicate, Filed, IntakePage
from bot.workspace import admin_ids, require_admin
from storage.models import (
    AuditEvent,
    IntakeRequest,
    OutboxMessage,
    Person,
    Program,
    StrategicGoal,
    Workspace,
)
from storage.types import IntakeState, ProgramState

SCALE = (1, 10)
STATES = tuple(IntakeState)  # `intake list` filters by these
OPEN_STATES = (IntakeState.PENDING, IntakeState.DEFERRED)
DECISION_ACTIONS: dict[str, str] = {
    IntakeState.APPROVED: "approve",
    IntakeState.REJECTED: "reject",
    IntakeState.DEFERRED: "defer",
}
LIVE_PROGRAM_STATES = (ProgramState.ACTIVE, ProgramState.PAUSED)
# Duplicates: the Jaccard similarity of the content-word stems of the titles (or of title and
# problem together, between two requests). At 0.5 at least half of the distinct words the two
# share between them are common: "CRM migration" ~ "Migrate the CRM" (1.0), while
# "CRM upgrade" vs "ERP upgrade" (0.33) is not flagged.
DUPLICATE_THRESHOLD = 0.5
MAX_DUPLICATES = 5
MAX_GOALS = 99  # a static select holds 100 options, one of them "no specific goal"
SCORE_FIELDS = {
    "business_value": "Business value",
    "time_criticality": "Time criticality",
    "risk_reduction": "Risk reduction / opportunity enablement",
    "job_size": "Job size",
}
_NUMBER = re.compile(r"(?:int-?)?\s*(\d{1,9})", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ions", "ion", "ing", "ed", "es", "s", "e")  # migration, migrate -> migrat
_STOPWORDS = frozenset({"the", "and", "for", "with", "our", "from", "into", "that", "this", "new"})


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
    """Refuse an empty title or problem, ratings outside 1–10, past or inverted dates."""
    if not data.title.strip():
        raise UserError("Give the request a title.", field="title")
    if len(data.title.strip()) > 200:
        raise UserError("Titles are at most 200 characters.", field="title")
    if not data.problem.strip():
        raise UserError("Describe the problem or opportunity.", field="problem")
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


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    found = _WORD.findall(text.lower())
    return {_stem(w) for w in found if len(w) > 2 and w not in _STOPWORDS}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(title: str, problem: str, other_title: str, other_problem: str | None) -> float:
    """How alike two asks are, 0–1: titles alone, or titles and problems together."""
    best = _jaccard(_words(title), _words(other_title))
    if other_problem is not None:
        both = _jaccard(_words(f"{title} {problem}"), _words(f"{other_title} {other_problem}"))
        best = max(best, both)
    return best


def find_duplicates(
    session: Session,
    *,
    team_id: str,
    title: str,
    problem: str,
    exclude_request: int | None = None,
    exclude_program: int | None = None,
) -> list[Duplicate]:
    """Live programs and open requests like this ask, most similar first."""
    found: list[Duplicate] = []
    programs_ = session.execute(
        select(Program.id, Program.key, Program.name).where(
            Program.team_id == team_id, Program.state.in_(LIVE_PROGRAM_STATES)
        )
    )
    for program_id, key, name in programs_:
        score = similarity(title, problem, name, None)
        if score >= DUPLICATE_THRESHOLD and program_id != exclude_program:
            found.append(Duplicate("program", f"*{name}* (`{key}`)", score))
    requests = session.execute(
        select(
            IntakeRequest.id, IntakeRequest.number, IntakeRequest.title, IntakeRequest.problem
        ).where(IntakeRequest.team_id == team_id, IntakeRequest.state.in_(OPEN_STATES))
    )
    for request_id, number, other_title, other_problem in requests:
        score = similarity(title, problem, other_title, other_problem)
        if score >= DUPLICATE_THRESHOLD and request_id != exclude_request:
            found.append(Duplicate("request", f"INT-{number} “{other_title}”", score))
    found.sort(key=lambda d: -d.similarity)
    return found[:MAX_DUPLICATES]


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


def queue(
    session: Session, *, workspace: Workspace, state: str | None, now: datetime, limit: int
) -> IntakePage:
    """Requests in a state (None: all), highest score first, deferrals due back included."""
    resurface(session, workspace=workspace, now=now)
    query = select(IntakeRequest).where(IntakeRequest.team_id == workspace.team_id)
    if state is not None:
        query = query.where(IntakeRequest.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(IntakeRequest.score.desc(), IntakeRequest.number).limit(limit)
    )
    return IntakePage(requests=list(rows), total=total)


@dataclass(frozen=True)
class IntakeDetail:
    """One request with what `intake show` tells about it."""

    request: IntakeRequest
    duplicates: list[Duplicate]
    history: list[AuditEvent]
    program: Program | None


def detail(session: Session, *, workspace: Workspace, ref: str, now: datetime) -> IntakeDetail:
    """A request by `INT-n`, its likely duplicates today, its program and its history."""
    resurface(session, workspace=workspace, now=now)
    request = find_request(session, team_id=workspace.team_id, ref=ref)
    duplicates = find_duplicates(
        session,
        team_id=request.team_id,
        title=request.title,
        problem=request.problem,
        exclude_request=request.id,
        exclude_program=request.program_id,
    )
    program = session.get(Program, request.program_id) if request.program_id else None
    return IntakeDetail(request, duplicates, history(session, request=request), program)


def history(session: Session, *, request: IntakeRequest) -> list[AuditEvent]:
    """The request's audit trail, oldest first."""
    return audit.history(session, request)


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
    """Edit the review posts in place and tell the requester the outcome."""
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


def active_goals(session: Session, *, team_id: str) -> list[StrategicGoal]:
    """The workspace's strategic goals, in the order they were added."""
    query = (
        select(StrategicGoal)
        .where(StrategicGoal.team_id == team_id, StrategicGoal.removed_at.is_(None))
        .order_by(StrategicGoal.created_at, StrategicGoal.id)
    )
    return list(session.scalars(query))


def goal_name(session: Session, *, team_id: str, value: str | None) -> str | None:
    """The goal a modal option names (its id), None for "no specific goal".

    Raises:
        UserError: the goal was removed since the modal opened.
    """
    if not value or value == "none":
        return None
    goal = session.get(StrategicGoal, int(value)) if value.isdigit() else None
    if goal is None or goal.team_id != team_id or goal.removed_at is not None:
        raise UserError("That goal was just removed; pick another.", field="goal")
    return goal.name


def add_goal(session: Session, *, team_id: str, actor_id: str, name: str, now: datetime) -> bool:
    """Add a strategic goal (a removed one comes back); False if it is already there."""
    name = " ".join(name.split())
    if not name or len(name) > 150:
        raise UserError("Give the goal a name of 1 to 150 characters, in quotes.")
    row = _goal_named(session, team_id=team_id, name=name)
    if row is not None and row.removed_at is None:
        return False
    if len(active_goals(session, team_id=team_id)) >= MAX_GOALS:
        raise UserError(f"There are {MAX_GOALS} goals already; remove one first.")
    if row is None:
        row = StrategicGoal(team_id=team_id, name=name, created_by=actor_id, created_at=now)
        session.add(row)
        session.flush()
    else:
        row.removed_at, row.name = None, name
    audit.record(
        session,
        row,
        actor_id=actor_id,
        action="add",
        now=now,
        after={"name": name},
    )
    return True


def remove_goal(session: Session, *, team_id: str, actor_id: str, name: str, now: datetime) -> str:
    """Retire a goal (the row and requests naming it are kept); returns its name."""
    row = _goal_named(session, team_id=team_id, name=" ".join(name.split()))
    if row is None or row.removed_at is not None:
        known = ", ".join(f"“{g.name}”" for g in active_goals(session, team_id=team_id))
        raise UserError(f"There is no goal “{name}”. Goals: {known or 'none yet'}.")
    row.removed_at = now
    audit.record(
        session,
        row,
        actor_id=actor_id,
        action="remove",
        now=now,
        before={"name": row.name},
    )
    return row.name


def _goal_named(session: Session, *, team_id: str, name: str) -> StrategicGoal | None:
    return session.scalar(
        select(StrategicGoal).where(
            StrategicGoal.team_id == team_id, func.lower(StrategicGoal.name) == name.lower()
        )
    )
