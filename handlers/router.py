"""The one slash command, `/pmo`: route the first words to a subcommand handler.

Three kinds of route keep every ack near Slack's floor:
- static: answered from the words alone (help), no database;
- inline: computed in the request and returned as the ack itself (fast writes, modals);
- deferred: acked at once, then computed on a worker and posted to the command's
  `response_url` (reads whose cost grows with the portfolio: lists, program detail).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

from slack_bolt import Ack, App, BoltContext, Respond

from bot import logs
from bot.blocks.help import error_message, help_message, usage_for
from bot.commands import Token, tokenize
from bot.deps import Deps
from bot.errors import UserError
from handlers.request import CommandRequest, open_interaction

log = logging.getLogger(__name__)
Reply = dict[str, Any] | None
Handler = Callable[[CommandRequest], Reply]
StaticHandler = Callable[[list[Token]], dict[str, Any]]
Mode = Literal["inline", "deferred"]


@dataclass(frozen=True)
class Route:
    """A subcommand handler, how it answers, and whether Slack guests may use it."""

    handler: Handler
    guests: bool = False
    mode: Mode = "inline"


class Router:
    """Maps subcommand paths ("program add") to handlers; the longest match wins."""

    def __init__(self, executor: Executor) -> None:
        self.routes: dict[str, Route] = {}
        self.static: dict[str, StaticHandler] = {}
        self._executor = executor

    def add(
        self, path: str, handler: Handler, *, guests: bool = False, mode: Mode = "inline"
    ) -> None:
        """Route `/pmo <path> …` to `handler`."""
        self.routes[path] = Route(handler, guests, mode)

    def add_static(self, path: str, handler: StaticHandler) -> None:
        """Route `/pmo <path> …` to a handler that needs nothing but the words (anyone)."""
        self.static[path] = handler

    def install(self, app: App) -> None:
        """Register the `/pmo` listener on the app."""
        app.command("/pmo")(self.handle)

    def match(self, words: list[Token]) -> tuple[str, list[Token]] | None:
        """The longest routed path the words start with, and the words after it."""
        lowered = [w.text.lower() for w in words]
        for size in range(min(len(lowered), 3), 0, -1):
            path = " ".join(lowered[:size])
            known = path in self.routes or path in self.static
            if known and all(not w.quoted for w in words[:size]):
                return path, words[size:]
        return None

    def handle(
        self, ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext
    ) -> None:
        """Answer a `/pmo` command: from the words, inline, or after the ack."""
        deps: Deps = context["deps"]
        text = (body.get("text") or "").strip()
        try:
            words = tokenize(text)
        except UserError as error:
            return _ack_reply(ack, _error(error, text))
        found = self.match(words)
        if found is None:
            topic = words[0].text if words else None
            return _ack_reply(ack, help_message(topic if topic != "help" else None))
        path, rest = found
        if path in self.static:
            return _ack_reply(ack, self.static[path](rest))
        if self.routes[path].mode == "deferred":
            ack()
            self._executor.submit(self._answer_later, deps, body, text, path, rest, respond)
            return None
        return _ack_reply(ack, self._answer(deps, body, text, path, rest))

    def _answer_later(
        self,
        deps: Deps,
        body: dict[str, Any],
        text: str,
        path: str,
        rest: list[Token],
        respond: Respond,
    ) -> None:
        reply = self._answer(deps, body, text, path, rest)
        if reply is not None:
            respond(response_type="ephemeral", **reply)

    def _answer(
        self, deps: Deps, body: dict[str, Any], text: str, path: str, rest: list[Token]
    ) -> Reply:
        try:
            with deps.sessions.begin() as session:
                request = _build_request(deps, session, body, text, path, rest)
                if request.caller.is_restricted and not self.routes[path].guests:
                    raise UserError("Guest accounts can't see or change PMO data here.")
                return self.routes[path].handler(request)
        except UserError as error:
            return _error(error.with_context(usage=usage_for(path)), text)
        except Exception:
            log.exception("command failed", extra={"fields": {"path": path}})
            return {
                "text": f":boom: Something went wrong on my side (ref "
                f"`{logs.request_id.get()}`). Nothing was changed; please try again."
            }


def _error(error: UserError, text: str) -> dict[str, Any]:
    error.echo = f"/pmo {text}".strip()  # always the whole command, so nothing is lost
    return error_message(error)


def _ack_reply(ack: Ack, reply: Reply) -> None:
    if reply is None:  # a modal was opened: nothing to show in the channel
        ack()
    else:
        ack(response_type="ephemeral", **reply)


def _build_request(
    deps: Deps, session: Any, body: dict[str, Any], text: str, path: str, rest: list[Token]
) -> CommandRequest:
    common = open_interaction(deps, session, team_id=body["team_id"], user_id=body["user_id"])
    return CommandRequest(
        **common,
        channel_id=body.get("channel_id", ""),
        trigger_id=body.get("trigger_id", ""),
        text=text,
        path=path,
        words=rest,
    )
