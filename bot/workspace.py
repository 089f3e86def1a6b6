"""Workspace settings and who counts as a PMO admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import PermissionDenied, UserError
from storage.db import is_postgresql
from storage.models import Person, Workspace, WorkspaceAdmin


def get_workspace(
    session: Session, *, team_id: str, default_timezone: str, now: datetime
) -> Workspace:
    """The workspace row, created on first contact with the deployment's time zone."""
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, timezone=default_timezone, created_at=now)
        session.add(workspace)
        session.flush()
    return workspace


def admin_ids(session: Session, *, team_id: str) -> list[str]:
    """The explicit PMO admin list, in the order they were added."""
    query = (
        select(WorkspaceAdmin.user_id)
        .where(WorkspaceAdmin.team_id == team_id, WorkspaceAdmin.removed_at.is_(None))
        .order_by(WorkspaceAdmin.added_at, WorkspaceAdmin.id)
    )
    return list(session.scalars(query))


def is_pmo_admin(session: Session, *, person: Person) -> bool:
    """Whether `person` acts as a PMO admin.

    While the explicit list is empty, Slack workspace admins and owners act as PMO
    admins, so that the first one can be added.
    """
    if person.is_restricted or person.deleted:
        return False
    admins = admin_ids(session, team_id=person.team_id)
    if admins:
        return person.user_id in admins
    return person.is_admin or person.is_owner


def require_admin(session: Session, *, person: Person, doing: str) -> None:
    """Raise `PermissionDenied` naming who can do this, unless `person` is a PMO admin."""
    if is_pmo_admin(session, person=person):
        return
    admins = admin_ids(session, team_id=person.team_id)
    who = (
        "PMO admins (" + ", ".join(f"<@{a}>" for a in admins) + ")"
        if admins
        else "Slack workspace admins and owners (no PMO admins are set yet)"
    )
    raise PermissionDenied(f"Only {who} can {doing}.")


def add_admin(
    session: Session, *, team_id: str, actor_id: str, user_id: str, now: datetime
) -> bool:
    """Add `user_id` to the admin list; False if already there."""
    row = session.scalar(
        select(WorkspaceAdmin).where(
            WorkspaceAdmin.team_id == team_id, WorkspaceAdmin.user_id == user_id
        )
    )
    if row is not None and row.removed_at is None:
        return False
    if row is None:
        row = WorkspaceAdmin(team_id=team_id, user_id=user_id, added_by=actor_id, added_at=now)
        session.add(row)
    else:
        row.removed_at, row.added_by, row.added_at = None, actor_id, now
    audit.record(
        session,
        row,
        actor_id=actor_id,
        action="add",
        now=now,
    )
    return True


def remove_admin(
    session: Session, *, team_id: str, actor_id: str, user_id: str, now: datetime
) -> None:
    """Take `user_id` off the admin list (the row is kept); refuse to remove the last one."""
    admins = admin_ids(session, team_id=team_id)
    if user_id not in admins:
        raise UserError(f"<@{user_id}> is not a PMO admin.")
    if len(admins) == 1:
        raise UserError(
            f"<@{user_id}> is the last PMO admin. Add another admin first, "
            "so the workspace is never left without one."
        )
    row = session.scalars(
        select(WorkspaceAdmin).where(
            WorkspaceAdmin.team_id == team_id, WorkspaceAdmin.user_id == user_id
        )
    ).one()
    row.removed_at = now
    audit.record(
        session,
        row,
        actor_id=actor_id,
        action="remove",
        now=now,
    )


def update_setting(
    session: Session,
    *,
    workspace: Workspace,
    actor_id: str,
    name: str,
    value: object,
    now: datetime,
) -> None:
    """Change one workspace setting, keeping the old value in the audit history."""
    before = getattr(workspace, name)
    setattr(workspace, name, value)
    audit.record(
        session,
        workspace,
        actor_id=actor_id,
        action=f"set {name}",
        now=now,
        before={name: before},
        after={name: value},
    )


def serialize_changes(session: Session, *, team_id: str) -> None:
    """Queue this transaction behind others changing the same workspace's settings.

    For check-then-insert rules (one stand-up per channel, one digest subscription per
    channel and portfolio) that a unique index cannot state. PostgreSQL: a row lock on the
    workspace; SQLite transactions already hold the database's write lock.
    """
    if is_postgresql(session):
        session.execute(
            select(Workspace.team_id).where(Workspace.team_id == team_id).with_for_update()
        )


# --- entry points for `/pmo config` (PMO admins) --------------------------------------------


def configure(
    session: Session,
    *,
    actor: Person,
    workspace: Workspace,
    name: str,
    value: object,
    now: datetime,
    doing: str,
) -> None:
    """Change one setting, once `actor` is a PMO admin (who may `doing`)."""
    require_admin(session, person=actor, doing=doing)
    update_setting(
        session, workspace=workspace, actor_id=actor.user_id, name=name, value=value, now=now
    )


def change_admin(
    session: Session, *, actor: Person, person: Person, add: bool, now: datetime
) -> bool:
    """`config admins add|remove @x`: admins only; guests, bots and the deactivated can't be.

    Returns:
        Whether anything changed.
    """
    require_admin(session, person=actor, doing="change the PMO admins")
    if not add:
        remove_admin(
            session, team_id=actor.team_id, actor_id=actor.user_id, user_id=person.user_id, now=now
        )
        return True
    if person.is_restricted or person.is_bot or person.deleted:
        raise UserError(
            f"<@{person.user_id}> can't be a PMO admin (guests, bots and "
            "deactivated accounts can't)."
        )
    return add_admin(
        session, team_id=actor.team_id, actor_id=actor.user_id, user_id=person.user_id, now=now
    )
