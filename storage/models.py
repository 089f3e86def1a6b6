"""SQLAlchemy 2.0 models. Every row belongs to one Slack workspace (`team_id`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import (
    ActionState,
    DecisionRequestState,
    IntakeState,
    JobState,
    LimitedText,
    MeetingState,
    OutboxState,
    ProgramState,
    PromptState,
    RaidState,
    StandupRunState,
    UTCDateTime,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEAM_ID = String(32)
USER_ID = String(32)
CHANNEL_ID = String(32)
# How much people may type in a field is declared once, as its column's length: `String(n)`,
# or `LimitedText(n)` for text kept as TEXT. `bot.limits` enforces it before anything is stored.
FORM_TEXT = LimitedText(3000)  # what one Slack form field or message section holds
STATUS_TEXT = LimitedText(10_000)  # a status report: a DM reply may paste a page of one


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations work on SQLite too."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """One Slack workspace and its PMO settings."""

    __tablename__ = "workspace"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    pmo_channel_id: Mapped[str | None] = mapped_column(CHANNEL_ID)
    intake_channel_id: Mapped[str | None] = mapped_column(CHANNEL_ID)
    grace_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # The last intake number handed out: INT-n is sequential per workspace, no gaps.
    intake_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The last decision (D-n) and action (A-n) numbers handed out, the same way.
    decision_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    action_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Which alerting flags reach the PMO channel: "all", "digest-only", or kinds such as
    # "red,overdue" (see bot.alert_settings).
    pmo_alerts: Mapped[str] = mapped_column(String(64), default="all", server_default="all")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The working calendar people follow unless they set their own (bot.working_time):
    # working weekdays as digits (Monday = 0), message hours, a `holidays` country code.
    workdays: Mapped[str] = mapped_column(String(7), default="01234", server_default="01234")
    hours: Mapped[str] = mapped_column(
        String(11), default="08:00-20:00", server_default="08:00-20:00"
    )
    holidays: Mapped[str | None] = mapped_column(String(16))


class WorkspaceAdmin(Base):
    """A member of the explicit PMO admin list; removal keeps the row."""

    __tablename__ = "workspace_admin"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    added_by: Mapped[str] = mapped_column(USER_ID)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Person(Base):
    """What we know of a Slack user, from users.info, refreshed daily and on user_change."""

    __tablename__ = "person"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(USER_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(128))
    tz: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    is_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ooo_until: Mapped[date | None] = mapped_column(Date)
    # Their own working calendar; None follows the workspace's (bot.working_time).
    workdays: Mapped[str | None] = mapped_column(String(7))
    hours: Mapped[str | None] = mapped_column(String(11))
    holidays: Mapped[str | None] = mapped_column(String(16))
    # A Slack status that says they are away (🌴, 🤒, "vacation", "OOO"…), until it expires
    # (None: until they change it).
    away_status: Mapped[str | None] = mapped_column(String(100))
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The kinds of DM this person muted, comma-separated ("flags,raid"; see bot.notify).
    muted: Mapped[str] = mapped_column(String(64), default="", server_default="")

    __table_args__ = (Index(None, "team_id", "name"),)


class Program(Base):
    """A tracked initiative."""

    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index(None, "team_id", "state"),
        Index(None, "team_id", "owner_id"),
        Index(None, "team_id", "rag"),
        Index(None, "team_id", "flag_count"),
        Index(None, "team_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(USER_ID)
    sponsor_id: Mapped[str | None] = mapped_column(USER_ID)
    portfolio: Mapped[str | None] = mapped_column(String(80))
    channel_id: Mapped[str | None] = mapped_column(CHANNEL_ID)
    cadence: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str | None] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=ProgramState.ACTIVE)
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Denormalised from the latest status update, so lists and digests need no subquery.
    rag: Mapped[str | None] = mapped_column(String(8))
    rag_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_summary: Mapped[str | None] = mapped_column(STATUS_TEXT)
    path_to_green: Mapped[str | None] = mapped_column(STATUS_TEXT)
    # The last six RAG values, newest first, for trend strips without reading history.
    trend: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The computed flags (code -> reason) and when time alone may next change them.
    flags: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    flags_recheck_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The next status slot (UTC); the dispatcher turns due slots into scheduled jobs.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class StatusUpdate(Base):
    """One status report of a program; the latest is the program's status."""

    __tablename__ = "status_update"
    __table_args__ = (Index(None, "program_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    author_id: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rag: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(STATUS_TEXT)
    accomplishments: Mapped[str | None] = mapped_column(STATUS_TEXT)
    next_steps: Mapped[str | None] = mapped_column(STATUS_TEXT)
    blockers: Mapped[str | None] = mapped_column(STATUS_TEXT)
    path_to_green: Mapped[str | None] = mapped_column(STATUS_TEXT)
    recovery_date: Mapped[date | None] = mapped_column(Date)
    new_target_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by: Mapped[str | None] = mapped_column(USER_ID)


class RaidItem(Base):
    """A risk, issue, assumption, dependency or decision of a program."""

    __tablename__ = "raid_item"
    __table_args__ = (
        Index(None, "team_id", "state", "score"),
        Index(None, "program_id", "state"),
        Index(None, "team_id", "owner_id", "state"),
        # A steering agenda's escalated risks: few of many items.
        Index(None, "team_id", "escalated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(LimitedText(200))
    description: Mapped[str | None] = mapped_column(FORM_TEXT)
    # Risks, issues and dependencies are scored (1–5 each, score = their product); decisions
    # and assumptions are not, and hold None.
    likelihood: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[str] = mapped_column(USER_ID)
    due_date: Mapped[date | None] = mapped_column(Date)
    mitigation: Mapped[str | None] = mapped_column(FORM_TEXT)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=RaidState.OPEN)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was closed, asked when it is; cleared on reopening (the audit history keeps it).
    close_reason: Mapped[str | None] = mapped_column(LimitedText(300))


class FlagTransition(Base):
    """A program gaining or losing an alerting flag; each is announced to the PMO channel once.

    `announced_at` is None while a scheduler pass's change waits for the pass's one summary.
    """

    __tablename__ = "flag_transition"
    __table_args__ = (
        Index(None, "program_id", "flag", "at"),
        Index(None, "announced_at", "team_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    flag: Mapped[str] = mapped_column(String(24))
    raised: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A Slack message to send after the transaction that decided it commits.

    Written in the same transaction as the change it reports; delivered right after commit
    by the process's outbox worker, or by the next scheduler pass. `dedupe_key` is unique, so
    deciding the same message twice stores it once.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("team_id", "dedupe_key"),
        Index(None, "state", "not_before"),
        Index(None, "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # People are messaged Mon–Fri 08:00–20:00 their time: a message may wait until then.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the message is for ("prompt:42"), so a permanent failure can be acted on.
    purpose: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The channel Slack posted in (a DM's D… id when `channel` named a user).
    sent_channel: Mapped[str | None] = mapped_column(CHANNEL_ID)
    ts: Mapped[str | None] = mapped_column(String(32))


class ScheduledJob(Base):
    """Time-driven work; (kind, target, period) is unique, so each runs once.

    The period is the slot's local wall time ("2026-11-27T10:00"), so a slot that a DST
    fall-back repeats is the same job, claimed once.
    """

    __tablename__ = "scheduled_job"
    __table_args__ = (
        UniqueConstraint("kind", "target_id", "period"),
        Index(None, "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    kind: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(40))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=JobState.PENDING)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))


class Prompt(Base):
    """A status prompt sent to a person for one period of one program."""

    __tablename__ = "prompt"
    __table_args__ = (
        UniqueConstraint("program_id", "period", "user_id"),
        Index(None, "team_id", "user_id", "state"),
        Index(None, "outbox_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    period: Mapped[str] = mapped_column(String(40))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    state: Mapped[str] = mapped_column(String(12), default=PromptState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProgramDelegate(Base):
    """Someone who may update a program for its owner; removal keeps the row."""

    __tablename__ = "program_delegate"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id"),
        Index(None, "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Milestone(Base):
    """A dated checkpoint of a program."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("program_id", "name"),
        Index(None, "team_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    name: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(USER_ID)
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only history: who changed what, when, from what to what."""

    __tablename__ = "audit_event"
    __table_args__ = (Index(None, "team_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    actor_id: Mapped[str] = mapped_column(USER_ID)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProcessedEvent(Base):
    """Slack event ids already handled, so retries and duplicates change nothing twice."""

    __tablename__ = "processed_event"

    team_id: Mapped[str] = mapped_column(TEAM_ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StrategicGoal(Base):
    """A goal intake requests are aligned to (`/pmo config goals add`)."""

    __tablename__ = "strategic_goal"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    name: Mapped[str] = mapped_column(String(150))
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IntakeRequest(Base):
    """A request for a new project, scored by WSJF and decided by PMO admins."""

    __tablename__ = "intake_request"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index(None, "team_id", "state", "score"),
        Index(None, "team_id", "requester_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    number: Mapped[int] = mapped_column(Integer)
    requester_id: Mapped[str] = mapped_column(USER_ID)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(FORM_TEXT)
    sponsor_id: Mapped[str | None] = mapped_column(USER_ID)
    goal: Mapped[str | None] = mapped_column(String(150))
    business_value: Mapped[int] = mapped_column(Integer)
    time_criticality: Mapped[int] = mapped_column(Integer)
    risk_reduction: Mapped[int] = mapped_column(Integer)
    job_size: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    desired_start: Mapped[date | None] = mapped_column(Date)
    desired_finish: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(FORM_TEXT)
    state: Mapped[str] = mapped_column(String(12), default=IntakeState.PENDING)
    decided_by: Mapped[str | None] = mapped_column(USER_ID)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(FORM_TEXT)
    defer_until: Mapped[date | None] = mapped_column(Date)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"))
    posted_channel: Mapped[str | None] = mapped_column(CHANNEL_ID)
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestSubscription(Base):
    """A leadership channel that gets the portfolio digest on a schedule."""

    __tablename__ = "digest_subscription"
    __table_args__ = (Index(None, "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    channel_id: Mapped[str] = mapped_column(CHANNEL_ID)
    cadence: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    portfolio: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class DigestPost(Base):
    """A digest as posted: the messages exactly as sent and the state they reported."""

    __tablename__ = "digest_post"
    __table_args__ = (Index(None, "team_id", "channel_id", "posted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("digest_subscription.id"))
    channel_id: Mapped[str] = mapped_column(CHANNEL_ID)
    portfolio: Mapped[str | None] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40))
    local_date: Mapped[date] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    messages: Mapped[list[Any]] = mapped_column(JSON)
    outbox_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scheduled: Mapped[bool] = mapped_column(Boolean, default=True)


class Standup(Base):
    """A recurring asynchronous stand-up in a channel, run by its facilitator."""

    __tablename__ = "standup"
    __table_args__ = (Index(None, "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    channel_id: Mapped[str] = mapped_column(CHANNEL_ID)
    facilitator_id: Mapped[str] = mapped_column(USER_ID)
    days: Mapped[str] = mapped_column(String(40))
    open_at: Mapped[str] = mapped_column(String(5))
    close_at: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    questions: Mapped[list[Any]] = mapped_column(JSON)
    participants: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # `local`: each participant is asked at the opening time in their own zone.
    local_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Scheduled runs in a row that were asked and nobody answered; three pause the stand-up.
    unanswered_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StandupRun(Base):
    """One stand-up meeting: opened, answered, closed with one summary."""

    __tablename__ = "standup_run"
    __table_args__ = (UniqueConstraint("standup_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    standup_id: Mapped[int] = mapped_column(ForeignKey("standup.id"))
    period: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=StandupRunState.OPEN)
    live: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Why each skipped participant was not asked (user id → reason); older runs: out of office.
    skip_reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When each asked participant's question goes out (user id → ISO instant, UTC).
    asked_at: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StandupAnswer(Base):
    """A participant's answers in one run; editable until it closes."""

    __tablename__ = "standup_answer"
    __table_args__ = (UniqueConstraint("run_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("standup_run.id"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    # Each answer, the blockers one included, is at most `blockers`' length.
    answers: Mapped[list[Any]] = mapped_column(JSON)
    blockers: Mapped[str | None] = mapped_column(FORM_TEXT)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgramAlias(Base):
    """A key a program had before it was renamed: old messages and habits still resolve."""

    __tablename__ = "program_alias"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingReply(Base):
    """A DM reply waiting while its author picks the program it is for.

    The "which program?" buttons carry only this row's id, so a reply longer than a button
    value (2,000 characters) is kept whole; the row is used once, by its author.
    """

    __tablename__ = "pending_reply"
    __table_args__ = (Index(None, "team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    user_id: Mapped[str] = mapped_column(USER_ID)
    # The DM as typed; its summary and next steps were checked as a status update's first.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"))
    # The DM it came from, so an edit of the DM before the pick replaces the text.
    channel_id: Mapped[str | None] = mapped_column(CHANNEL_ID)
    message_ts: Mapped[str | None] = mapped_column(String(32))


class DmReply(Base):
    """A DM stored as a status update: the update it became and the receipt it got, so an
    edit of the DM in Slack (within 24 h) corrects both."""

    __tablename__ = "dm_reply"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    channel_id: Mapped[str] = mapped_column(CHANNEL_ID)
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(USER_ID)
    status_update_id: Mapped[int] = mapped_column(ForeignKey("status_update.id"))
    # The outbox key of the receipt posted in the DM (edited in place), or None when the
    # receipt was ephemeral (a "which program?" pick) and a new one is posted instead.
    receipt_key: Mapped[str | None] = mapped_column(String(200))
    # What the receipt said beside the update, said again when it is redrawn.
    late_for: Mapped[date | None] = mapped_column(Date)
    kept_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Meeting(Base):
    """A recurring steering meeting or portfolio review in a channel, run by its chair.

    It falls on `days` at `at` (local time in `timezone`), every `every_weeks` weeks counted
    from the week of `anchor`, and lasts `length_minutes`. Its agenda is built from the
    exceptions of `portfolio` (every program when None).
    """

    __tablename__ = "meeting"
    __table_args__ = (Index(None, "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    channel_id: Mapped[str] = mapped_column(CHANNEL_ID)
    chair_id: Mapped[str] = mapped_column(USER_ID)
    days: Mapped[str] = mapped_column(String(40))
    at: Mapped[str] = mapped_column(String(5))
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    anchor: Mapped[date] = mapped_column(Date)
    length_minutes: Mapped[int] = mapped_column(Integer, default=60)
    portfolio: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64))
    attendees: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The start of the next occurrence whose jobs are not made yet (UTC); they are made a
    # week ahead of it (see bot.meetings).
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class MeetingOccurrence(Base):
    """One meeting as scheduled or held: its agenda, how it went, its frozen minutes.

    `period` is the scheduled start's local wall time ("2026-12-07T10:00"), or
    "live:<local time>" for one started when none was scheduled.
    """

    __tablename__ = "meeting_occurrence"
    __table_args__ = (
        UniqueConstraint("meeting_id", "period"),
        Index(None, "team_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    period: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=MeetingState.SCHEDULED)
    # The agenda as it was frozen (posted, or started): a list of bot.meetings item dicts.
    agenda: Mapped[list[Any] | None] = mapped_column(JSON)
    # While live: the item being discussed, and what happened to each item (ref -> outcome).
    current: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped by every change of the live message: its edits are keyed by it, in order.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[str | None] = mapped_column(USER_ID)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(USER_ID)
    # The minutes exactly as posted (text and blocks), never changed after.
    minutes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DecisionRequest(Base):
    """A question a program's owner puts to the next meeting (or to its sponsor)."""

    __tablename__ = "decision_request"
    __table_args__ = (
        Index(None, "team_id", "state"),
        Index(None, "program_id", "state"),
        Index(None, "meeting_id", "state"),  # a meeting's open questions, for its agenda
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    question: Mapped[str] = mapped_column(LimitedText(300))
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    by_date: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default=DecisionRequestState.OPEN)
    requested_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The meeting it was put to, or None when it went to the sponsor by DM.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    sent_to_id: Mapped[str | None] = mapped_column(USER_ID)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Decision(Base):
    """A recorded decision, `D-n` (gapless per workspace)."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        # One decision per agenda item of a meeting (a NULL occurrence is outside meetings).
        Index(None, "occurrence_id", "item_ref", unique=True),
        Index(None, "team_id", "decided_at"),
        Index(None, "program_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    number: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"))
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_occurrence.id"))
    # The agenda item it settled ("request:12"), unique within its occurrence.
    item_ref: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(FORM_TEXT)
    rationale: Mapped[str | None] = mapped_column(FORM_TEXT)
    option: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[list[Any]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(USER_ID)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The program's RAID log entry (kind decision) that keeps it with the program.
    raid_item_id: Mapped[int | None] = mapped_column(ForeignKey("raid_item.id"))


class ActionItem(Base):
    """A tracked action, `A-n` (gapless per workspace), with an owner and a due date."""

    __tablename__ = "action_item"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index(None, "occurrence_id", "item_ref"),
        Index(None, "team_id", "state", "due_date"),
        Index(None, "team_id", "owner_id", "state"),
        Index(None, "program_id", "state"),
        Index(None, "meeting_id", "state"),  # a meeting's open actions, for its agenda
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspace.team_id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(LimitedText(200))
    owner_id: Mapped[str] = mapped_column(USER_ID)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default=ActionState.OPEN)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_occurrence.id"))
    # The agenda item it came from, so a double click adds it once.
    item_ref: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(USER_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(USER_ID)


__all__ = [
    "ActionItem",
    "AuditEvent",
    "Base",
    "Decision",
    "DecisionRequest",
    "DigestPost",
    "DigestSubscription",
    "DmReply",
    "FlagTransition",
    "IntakeRequest",
    "Meeting",
    "MeetingOccurrence",
    "Milestone",
    "OutboxMessage",
    "PendingReply",
    "Person",
    "ProcessedEvent",
    "Program",
    "ProgramAlias",
    "ProgramDelegate",
    "Prompt",
    "RaidItem",
    "ScheduledJob",
    "Standup",
    "StandupAnswer",
    "StandupRun",
    "StatusUpdate",
    "StrategicGoal",
    "Workspace",
    "WorkspaceAdmin",
]
