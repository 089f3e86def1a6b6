"""Everything `program show` displays, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import audit, milestones, programs, raid, status
from bot.status import flags, program_flags
from storage.models import AuditEvent, Milestone, Program, StatusUpdate, Workspace
from storage.types import Flag

RECENT_UPDATES = 6
TOP_RISKS = 5


@dataclass(frozen=True)
class ProgramDetail:
    """A program with its status, trend, flags, risks, milestones and recent history."""

    program: Program
    delegates: list[str]
    recent: list[StatusUpdate]
    flags: dict[str, str]
    risks: raid.RaidPage
    milestones: list[Milestone]
    changes: list[AuditEvent]
    today: date


def gather(
    session: Session, *, program: Program, workspace: Workspace, now: datetime
) -> ProgramDetail:
    """Read the detail; flags are computed as of `now`, so time-driven ones are current."""
    facts = program_flags.load_facts(
        session,
        program=program,
        workspace=workspace,
        now=now,
        overdue=program.flags.get(Flag.OVERDUE_UPDATE),
        stale=program.flags.get(Flag.STALE),
    )
    tz = program.timezone or workspace.timezone
    return ProgramDetail(
        program=program,
        delegates=programs.delegate_ids(session, program_id=program.id),
        recent=status.recent(session, program_id=program.id, limit=RECENT_UPDATES),
        flags=flags.compute(facts, now),
        risks=raid.open_items(
            session, team_id=program.team_id, program_id=program.id, limit=TOP_RISKS
        ),
        milestones=milestones.milestones_of(session, program_id=program.id),
        changes=audit.history(session, program, limit=5),
        today=now.astimezone(ZoneInfo(tz)).date(),
    )
