"""Intake rules: WSJF, ratings, dates, duplicates, numbering and decisions under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import intake
from bot.blocks import intake as render
from bot.errors import UserError
from bot.intake import Capacity, Duplicate, Filed, IntakeInput, IntakePage
from bot.sandbox.blockkit import validate_message, validate_view
from storage.models import (
    AuditEvent,
    IntakeRequest,
    OutboxMessage,
    Person,
    Program,
    StrategicGoal,
    Workspace,
)
from tests.conftest import START, TEAM

TODAY = START.date()
LONG = "x " * 5_000
GOOD = IntakeInput(
    title="Customer portal redesign",
    problem="Customers cannot find their invoices.",
    business_value=8,
    time_criticality=5,
    risk_reduction=3,
    job_size=5,
)


def test_wsjf_is_cost_of_delay_over_job_size_shown_with_one_decimal() -> None:
    assert intake.wsjf(8, 5, 3, 5) == pytest.approx(3.2)
    request = IntakeRequest(score=intake.wsjf(7, 5, 4, 3))
    assert render.score_text(request) == "5.3"


@pytest.mark.parametrize(("typed", "value"), [("1", 1), (" 10 ", 10), ("7", 7)])
def test_ratings_from_1_to_10_are_read(typed: str, value: int) -> None:
    assert intake.parse_scale(typed, field="business_value") == value


@pytest.mark.parametrize("typed", ["0", "11", "-1", "7.5", "high", "", None])
def test_ratings_outside_1_to_10_are_refused_on_their_field(typed: str | None) -> None:
    with pytest.raises(UserError) as refused:
        intake.parse_scale(typed, field="risk_reduction")
    assert refused.value.field == "risk_reduction" and "1 to 10" in refused.value.message


def test_job_size_zero_is_explained() -> None:
    with pytest.raises(UserError, match="can't be 0"):
        intake.parse_scale("0", field="job_size")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"problem": ""}, "problem"),
        ({"job_size": 0}, "job_size"),
        ({"business_value": 11}, "business_value"),
        ({"desired_start": TODAY - timedelta(days=1)}, "desired_start"),
        ({"desired_finish": TODAY - timedelta(days=1)}, "desired_finish"),
        ({"desired_start": date(2027, 2, 1), "desired_finish": date(2027, 1, 1)}, "desired_finish"),
    ],
)
def test_validate_names_the_field_at_fault(changes: dict[str, Any], field: str) -> None:
    data = IntakeInput(**(GOOD.__dict__ | changes))
    with pytest.raises(UserError) as refused:
        intake.validate(data, today=TODAY)
    assert refused.value.field == field


def test_today_is_a_valid_start_and_finish() -> None:
    intake.validate(IntakeInput(**(GOOD.__dict__ | {"desired_start": TODAY})), today=TODAY)


@pytest.mark.parametrize(
    ("title", "other", "duplicate"),
    [
        ("CRM migration", "Migrate the CRM", True),
        ("Customer portal redesign", "Customer Portal", True),
        ("CRM upgrade", "ERP upgrade", False),
        ("Data warehouse", "Customer portal", False),
    ],
)
def test_title_similarity_against_the_documented_threshold(
    title: str, other: str, duplicate: bool
) -> None:
    score = intake.similarity(title, "", other, None)
    assert (score >= intake.DUPLICATE_THRESHOLD) is duplicate


def test_same_problem_in_other_words_counts_between_requests() -> None:
    problem = "Invoices are emailed as paper scans and customers call support to get them."
    assert intake.similarity("Invoice portal", problem, "Self-service billing", problem) >= 0.5


@pytest.mark.parametrize(
    ("now", "tz", "start"),
    [
        (START, "UTC", datetime(2026, 10, 1, tzinfo=UTC)),
        # Already New Year's Day in Auckland (UTC+13): the new quarter began there.
        (
            datetime(2026, 12, 31, 12, tzinfo=UTC),
            "Pacific/Auckland",
            datetime(2026, 12, 31, 11, tzinfo=UTC),
        ),
        # Still 31 March in New York: the old quarter, which began at its local midnight.
        (
            datetime(2027, 4, 1, 3, tzinfo=UTC),
            "America/New_York",
            datetime(2027, 1, 1, 5, tzinfo=UTC),
        ),
    ],
)
def test_quarter_starts_at_local_midnight(now: datetime, tz: str, start: datetime) -> None:
    assert intake.quarter_start(now, tz) == start


# Block Kit stays inside Slack's limits whatever the input.


def make_request(id: int = 1, **overrides: Any) -> IntakeRequest:
    values: dict[str, Any] = {
        "id": id,
        "team_id": TEAM,
        "number": id,
        "requester_id": "UREQ",
        "title": "Portal",
        "problem": "Invoices",
        "business_value": 8,
        "time_criticality": 5,
        "risk_reduction": 3,
        "job_size": 5,
        "score": 3.2,
        "state": "pending",
        "created_at": START,
    }
    return IntakeRequest(**(values | overrides))


def long_request(id: int = 1) -> IntakeRequest:
    return make_request(
        id, title=LONG[:200], problem=LONG, notes=LONG, goal=LONG[:150], reason=LONG
    )


def assert_valid_message(payload: dict[str, Any]) -> None:
    assert validate_message(text=payload["text"], blocks=payload.get("blocks")) == []


def test_modal_with_a_full_goal_list_is_valid() -> None:
    goals = [StrategicGoal(id=n, name=f"{n} {LONG}"[:150]) for n in range(1, 100)]
    view = render.intake_modal(goals)
    assert validate_view(view) == []
    goal = next(b for b in view["blocks"] if b["block_id"] == "goal")
    assert len(goal["element"]["options"]) == 100


def test_long_requests_render_valid_messages_and_modals() -> None:
    request = long_request()
    many = [Duplicate("program", f"*{LONG[:150]}*", 0.9)] * intake.MAX_DUPLICATES
    load = Capacity(active=3, red=1, amber=1, approved_this_quarter=2)
    assert_valid_message(render.review_message(request, duplicates=many, capacity=load))
    request.state, request.decided_by, request.decided_at = "deferred", "UADM", START
    request.defer_until = TODAY + timedelta(days=7)
    assert_valid_message(render.decided_message(request))
    assert_valid_message(render.decision_message(request))
    filed = Filed(request=request, duplicates=many, capacity=load, posted_to="<#C1>")
    assert_valid_message(render.receipt_message(filed, show_duplicates=True))
    assert validate_view(render.filed_view(filed, show_duplicates=True)) == []
    assert validate_view(render.approve_modal(request)) == []
    assert validate_view(render.reason_modal(request, defer=True)) == []


def test_long_queue_and_history_stay_within_block_limits() -> None:
    page = IntakePage(requests=[long_request(n) for n in range(1, 41)], total=40)
    listed = render.list_message(page, which="pending", decider=True)
    assert_valid_message(listed)
    assert "Showing the 15 highest scores of 40" in str(listed["blocks"][-1])
    history = [
        AuditEvent(actor_id="UADM", at=START, action="defer", after={"reason": LONG})
        for _ in range(100)
    ]
    detail = render.detail_message(
        long_request(), duplicates=[], history=history, program=None, decider=True
    )
    assert_valid_message(detail)


# Against the database: numbering, duplicates and decisions.


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A workspace with an admin, a lead and a requester."""
    with sessions.begin() as session:
        session.add(Workspace(team_id=TEAM, timezone="UTC", created_at=START))
        session.flush()
        for user_id, admin in (("UADM", True), ("UADM2", True), ("ULEAD", False), ("UREQ", False)):
            session.add(
                Person(
                    team_id=TEAM,
                    user_id=user_id,
                    name=user_id.lower(),
                    display_name=user_id.lower(),
                    is_admin=admin,
                    fetched_at=START,
                )
            )
    return sessions


def file(session: Session, data: IntakeInput = GOOD, user_id: str = "UREQ") -> IntakeRequest:
    space = session.get(Workspace, TEAM)
    requester = session.get(Person, (TEAM, user_id))
    assert space is not None and requester is not None
    filed = intake.file_request(
        session, workspace=space, requester=requester, data=data, now=START, today=TODAY
    )
    return filed.request


def in_parallel(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` on `count` threads released together; returns what they raised."""
    barrier = threading.Barrier(count)
    raised: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as exc:  # collected for the assertion
            raised.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return raised


class RolledBack(Exception):
    """Ends a submission after it took a number."""


def test_concurrent_submissions_get_distinct_numbers_without_gaps(
    seeded: sessionmaker[Session],
) -> None:
    def submit(index: int) -> None:
        with seeded.begin() as session:
            file(session, IntakeInput(**(GOOD.__dict__ | {"title": f"Request {index}"})))
            if index % 4 == 0:
                raise RolledBack  # its number must go back, not leave a gap

    raised = in_parallel(12, submit)
    assert len(raised) == 3 and all(isinstance(e, RolledBack) for e in raised)
    with seeded() as session:
        numbers = sorted(session.scalars(select(IntakeRequest.number)))
        space = session.get(Workspace, TEAM)
        assert space is not None
        assert numbers == list(range(1, 10)) and space.intake_seq == 9


def test_concurrent_decisions_let_exactly_one_win(seeded: sessionmaker[Session]) -> None:
    with seeded.begin() as session:
        request_id = file(session).id

    def decide(index: int) -> None:
        with seeded.begin() as session:
            space = session.get(Workspace, TEAM)
            request = session.get(IntakeRequest, request_id)
            owner = session.get(Person, (TEAM, "ULEAD"))
            assert space is not None and request is not None and owner is not None
            if index == 0:
                approval = intake.Approval(name="Portal", owner=owner)
                intake.approve(
                    session,
                    workspace=space,
                    request=request,
                    actor_id="UADM",
                    approval=approval,
                    now=START,
                    today=TODAY,
                )
            else:
                intake.reject(
                    session,
                    workspace=space,
                    request=request,
                    actor_id="UADM2",
                    reason="No budget",
                    now=START,
                )

    raised = in_parallel(2, decide)
    assert len(raised) == 1 and "already" in str(raised[0])
    with seeded() as session:
        request = session.get(IntakeRequest, request_id)
        assert request is not None and request.state in ("approved", "rejected")
        programs = session.scalars(select(Program)).all()
        assert len(programs) == (1 if request.state == "approved" else 0)
        decisions = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("approve", "reject")))
        ).all()
        assert len(decisions) == 1


def test_duplicates_exclude_closed_requests_and_ended_programs(
    seeded: sessionmaker[Session],
) -> None:
    with seeded.begin() as session:
        session.add_all(
            [
                Program(
                    team_id=TEAM,
                    key=key,
                    name="Customer Portal",
                    owner_id="ULEAD",
                    cadence="weekly",
                    start_date=TODAY,
                    state=state,
                    created_by="UADM",
                    created_at=START,
                    updated_at=START,
                    flags={},
                )
                for key, state in (("portal", "active"), ("old-portal", "archived"))
            ]
        )
        first = file(session)
        first.state = "rejected"
        second = file(session)
        found = intake.find_duplicates(
            session, team_id=TEAM, title="Customer portal", problem="", exclude_request=second.id
        )
    assert [(d.kind, d.label) for d in found] == [("program", "*Customer Portal* (`portal`)")]


def test_review_post_goes_to_admin_dms_when_no_channel_is_set(
    seeded: sessionmaker[Session],
) -> None:
    with seeded.begin() as session:
        request = file(session)
        keys = set(session.scalars(select(OutboxMessage.dedupe_key)))
    assert keys == {
        f"intake-post:{request.id}:UADM",
        f"intake-post:{request.id}:UADM2",
        f"intake-receipt:{request.id}",
    }


@pytest.mark.parametrize("ref", ["INT-1", "int-1", "INT1", "1"])
def test_requests_are_found_by_their_int_id(seeded: sessionmaker[Session], ref: str) -> None:
    with seeded.begin() as session:
        file(session)
        assert intake.find_request(session, team_id=TEAM, ref=ref).number == 1


def test_removed_goal_can_be_added_again_and_keeps_one_row(seeded: sessionmaker[Session]) -> None:
    with seeded.begin() as session:
        assert intake.add_goal(session, team_id=TEAM, actor_id="UADM", name="Grow", now=START)
        intake.remove_goal(session, team_id=TEAM, actor_id="UADM", name="grow", now=START)
        assert intake.active_goals(session, team_id=TEAM) == []
        assert intake.add_goal(session, team_id=TEAM, actor_id="UADM", name="Grow", now=START)
        assert [g.name for g in intake.active_goals(session, team_id=TEAM)] == ["Grow"]
        assert len(session.scalars(select(StrategicGoal)).all()) == 1
