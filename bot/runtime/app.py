"""The composition root: the Bolt app with our middleware and every feature's listeners."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import logs
from bot.runtime.deps import Deps
from bot.runtime.settings import Settings
from handlers import (
    config,
    dates,
    decisions,
    digest,
    events,
    export,
    help,
    home,
    intake,
    meeting_live,
    meetings,
    milestones,
    people,
    programs,
    prompts,
    raid,
    standups,
    status,
)
from handlers.adapters import Listeners
from handlers.router import Router

log = logging.getLogger(__name__)
# Work after the ack (deferred answers, lazy listeners, change hooks) is mostly Python, so
# its threads take the GIL from the threads serving acks; see `after_ack_executor`.
AFTER_ACK_WORKERS = 2
AFTER_ACK_NICENESS = 10
FEATURES = (
    help,
    programs,
    milestones,
    status,
    prompts,
    raid,
    intake,
    people,
    digest,
    standups,
    meetings,
    meeting_live,
    decisions,
    export,
    home,
    config,
    dates,
    events,
)


def request_client(settings: Settings, token: str) -> WebClient:
    """The request path's client: no retry sleeps, so an ack never waits on a 429."""
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers = []
    return client


def scheduler_client(settings: Settings, token: str) -> WebClient:
    """The scheduler's client: honours Retry-After on 429, several times."""
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=20)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=5))
    return client


def create_app(deps: Deps, *, signing_secret: str, executor: Executor | None = None) -> App:
    """Build the Bolt app: signature verification on, fast acks, features registered.

    `process_before_response=True` makes a listener's `ack(...)` the HTTP response
    itself, so replies computed inline cost no polling wait. Work after the ack (deferred
    commands, Home refreshes) runs on `executor`.
    """
    return build_app(deps, signing_secret=signing_secret, executor=executor)[0]


def build_app(
    deps: Deps, *, signing_secret: str, executor: Executor | None = None
) -> tuple[App, Router]:
    """The Bolt app and its `/pmo` router (which `pmo-bot run` lets hand deferred reads off)."""
    executor = executor or after_ack_executor()
    app = App(
        client=deps.client,
        signing_secret=signing_secret,
        process_before_response=True,
        request_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=executor,
    )
    app.use(_inject(deps))
    listeners = Listeners(app, deps, executor)  # registers `/pmo` first: most requests
    for feature in FEATURES:
        feature.register(listeners)
    return app, listeners.commands


def after_ack_executor() -> ThreadPoolExecutor:
    """The workers that run what comes after an ack, kept from slowing the acks down.

    Acks and after-ack work share one GIL: with 8 workers a burst of deferred answers held it
    about 70% of the time (py-spy --gil) and every ack, which needs it a few times on its way
    through waitress, waited behind them. Two workers still overlap one answer's Slack call
    with another's computing; on Linux they also run at a lower CPU priority, so on a busy
    machine the threads serving acks are scheduled first.
    """
    return ThreadPoolExecutor(
        max_workers=AFTER_ACK_WORKERS,
        thread_name_prefix="after-ack",
        initializer=_lower_priority,
    )


def _lower_priority() -> None:
    """Lower the calling thread's CPU priority (Linux: `setpriority` on a thread id)."""
    if sys.platform == "linux":  # elsewhere it would apply to the whole process
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), AFTER_ACK_NICENESS)


def _inject(deps: Deps) -> Callable[..., Any]:
    def inject(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        logs.request_id.set(_request_id(body))
        _to_installed_team(body, context)
        return next()

    return inject


def _to_installed_team(body: dict[str, Any], context: BoltContext) -> None:
    """Answer a request in the workspace that installed the bot, whatever team it carries.

    A Slack Connect user of another organisation sends their own team id from a shared
    channel. They are a guest of the installing workspace (their person record says so: see
    `bot.people.upsert_person`), and no workspace is ever created for their team.
    """
    installed = context.authorize_result.team_id if context.authorize_result else None
    if not installed:
        return
    team = body.get("team")
    carried = body.get("team_id") or (team.get("id") if isinstance(team, dict) else team)
    if carried and carried != installed:
        log.info("a request from another organisation", extra={"fields": {"team_id": carried}})
    body["team_id"] = installed


def _request_id(body: dict[str, Any]) -> str:
    for key in ("event_id", "trigger_id"):
        if body.get(key):
            return str(body[key])
    return uuid.uuid4().hex[:12]
