"""App Home: the Home tab, published when opened and refreshed after the user's own changes.

The view is built inside a transaction and published after it (no transaction is held open
across `views.publish`), always on a worker thread after the ack.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import home, programs, status
from bot.blocks import home as render
from bot.blocks import status as status_blocks
from bot.blocks.common import done_view
from bot.deps import Deps
from bot.errors import UserError
from handlers import status as status_handlers
from handlers.interactive import run_action
from handlers.request import ActionRequest, open_interaction, warm_caller
from handlers.router import Router

log = logging.getLogger(__name__)
# The commands after which a user's Home is refreshed (by their first word).
REFRESH_AFTER = ("status", "risk", "program", "milestone", "intake", "ooo")
# The status modal opened from Home submits here, so Home is refreshed after it.
SUBMIT_CALLBACK = "home_status_submit"


def register(app: App, router: Router) -> None:
    """Publish Home when opened; refresh it after the user's commands and Home's own modal."""
    listeners = HomeListeners()
    app.event("app_home_opened", matchers=[_home_tab])(ack=_acknowledge, lazy=[listeners.opened])
    app.action(render.SUBMIT_ACTION)(submit_button)
    app.view(SUBMIT_CALLBACK)(ack=status_handlers.submit, lazy=[listeners.submitted])
    router.after_change(listeners.changed, commands=REFRESH_AFTER)


def refresh_home(deps: Deps, team_id: str, user_id: str) -> None:
    """Build the user's Home in one transaction, then publish it outside the transaction."""
    warm_caller(deps, team_id=team_id, user_id=user_id)
    with deps.sessions.begin() as session:
        common = open_interaction(deps, session, team_id=team_id, user_id=user_id)
        data = home.gather(
            session, person=common["caller"], workspace=common["workspace"], now=common["now"]
        )
        view = render.home_view(data)
    deps.client.views_publish(user_id=user_id, view=view)


class HomeListeners:
    """Who has opened Home (in this process), and the listeners that keep their Home fresh.

    Kept in memory on purpose: after a restart, or on another replica, a user is added again
    the next time they open Home, which publishes a fresh view anyway.
    """

    def __init__(self) -> None:
        self._opened: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def opened(self, body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        """`app_home_opened` (after the ack): remember the user and publish their Home."""
        with self._lock:
            self._opened.add((body["team_id"], event["user"]))
        _refresh_logged(context["deps"], body["team_id"], event["user"])

    def submitted(self, body: dict[str, Any], context: BoltContext) -> None:
        """After the status modal opened from Home was submitted: show the new status."""
        team_id = str((body.get("team") or {}).get("id") or body["user"]["team_id"])
        _refresh_logged(context["deps"], team_id, body["user"]["id"])

    def changed(self, deps: Deps, team_id: str, user_id: str) -> None:
        """After a command of the user's succeeded: refresh Home if they have opened it."""
        with self._lock:
            seen = (team_id, user_id) in self._opened
        if seen:
            refresh_home(deps, team_id, user_id)


def submit_button(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """*Submit update* on Home: the status modal for that program, prefilled."""
    run_action(ack, body, respond, context["deps"], _open_status_modal)


def _open_status_modal(request: ActionRequest) -> None:
    try:
        program = programs.get(
            request.session, team_id=request.team_id, program_id=int(request.value)
        )
        programs.require_update(
            request.session, program=program, person=request.caller, doing="update"
        )
    except UserError as error:  # Home has no response_url: say it in a modal
        request.open_modal(done_view("Can't update", error.message))
        return
    last = status.latest(request.session, program_id=program.id)
    view = status_blocks.status_modal(program=program, initial=last)
    view["callback_id"] = SUBMIT_CALLBACK
    request.open_modal(view)


def _home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def _acknowledge(ack: Ack) -> None:
    ack()


def _refresh_logged(deps: Deps, team_id: str, user_id: str) -> None:
    """Refresh on a worker thread, where nobody else would see an error: log it."""
    try:
        refresh_home(deps, team_id, user_id)
    except Exception:
        log.exception("home refresh failed", extra={"fields": {"user_id": user_id}})
