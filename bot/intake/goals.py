"""Strategic goals: the workspace's list a request is filed against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit, limits
from bot.errors import UserError
from storage.models import StrategicGoal

MAX_GOALS = 99  # a static select holds 100 options, one of them "no specific goal"


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
    if not name:
        raise UserError("Give the goal a name, in quotes.")
    limits.check(limits.GOAL, name)
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
