"""App Home: the Home tab, published when opened and refreshed after the user's own changes."""

from __future__ import annotations

import threading

from bot import home, programs, status
from bot import welcome as welcome_dm
from bot.blocks import home as render
from bot.blocks import status as status_blocks
from bot.blocks.common import done_view, escape_message
from bot.errors import UserError
from handlers.adapters import Listeners
from handlers.effects import OpenModal, PublishHome, Result
from handlers.request import ActionRequest, Interaction, as_id

# The commands after which a user's Home is refreshed (by their first word).
REFRESH_AFTER = ("status", "risk", "program", "milestone", "intake", "ooo")


def register(on: Listeners) -> None:
    """Publish Home when opened; refresh it after the user's commands."""
    seen = OpenedHome()
    on.home_opened(seen.opened)
    on.messages_tab_opened(welcome)
    on.action(render.SUBMIT_ACTION, submit_button)
    on.commands.after_change(seen.changed, commands=REFRESH_AFTER)


def welcome(request: Interaction) -> Result:
    """The Messages tab opened: a first-time welcome DM (queued once per person)."""
    welcome_dm.greet(request.session, person=request.caller, now=request.now)
    return None  # the outbox sends it after the commit


def publish(request: Interaction) -> Result:
    """The caller's Home, as it is now."""
    data = home.gather(
        request.session, person=request.caller, workspace=request.workspace, now=request.now
    )
    return PublishHome(render.home_view(data))


class OpenedHome:
    """Who has opened Home (in this process), so only their Home is refreshed after changes.

    Kept in memory on purpose: after a restart, or on another replica, a user is added again
    the next time they open Home, which publishes a fresh view anyway.
    """

    def __init__(self) -> None:
        self._opened: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def opened(self, request: Interaction) -> Result:
        """`app_home_opened`: remember the user and publish their Home."""
        with self._lock:
            self._opened.add((request.team_id, request.user_id))
        return publish(request)

    def changed(self, request: Interaction) -> Result:
        """After a command of the user's succeeded: their Home, if they have opened it."""
        with self._lock:
            seen = (request.team_id, request.user_id) in self._opened
        return publish(request) if seen else None


def submit_button(request: ActionRequest) -> Result:
    """*Submit update* on Home: the status modal for that program, prefilled."""
    try:
        program = programs.get(
            request.session, team_id=request.team_id, program_id=as_id(request.value)
        )
        last = status.start(request.session, program=program, person=request.caller)
    except UserError as error:  # Home has no response_url: say it in a modal
        return OpenModal(done_view("Can't update", escape_message(error.message)))
    view = status_blocks.status_modal(program=program, initial=last)
    return OpenModal({**view, "callback_id": render.STATUS_CALLBACK})
