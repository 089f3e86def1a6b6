"""Events API listeners that keep our picture of the workspace current."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot import dedupe, people, workspace
from bot.deps import Deps
from handlers.router import Router


def register(app: App, router: Router) -> None:
    """Listen to `user_change`."""
    app.event("user_change")(user_changed)


def user_changed(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """Refresh the cached person (time zone, guest status, deactivation)."""
    deps: Deps = context["deps"]
    with deps.sessions.begin() as session:
        now = deps.clock()
        if not dedupe.first_delivery(
            session, team_id=body["team_id"], event_id=body["event_id"], now=now
        ):
            return
        workspace.get_workspace(
            session, team_id=body["team_id"], default_timezone=deps.settings.pmo_timezone, now=now
        )
        people.upsert_person(session, team_id=body["team_id"], user=event["user"], now=now)
