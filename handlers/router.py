"""The one slash command, `/pmo`: route the first words to a subcommand handler."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import logs
from bot.blocks.help import error_message, help_message, usage_for
from bot.commands import Token, tokenize
from bot.deps import Deps
from bot.errors import UserError
from handlers.interactive import deliver_outbox
from handlers.request import CommandRequest, open_interaction

log = logging.getLogger(__name__)
Reply = dict[str, Any] | None
Handler = Callable[[CommandRequest], Reply]


@dataclass(frozen=True)
class Route:
    """A subcommand handler and whether Slack guests may use it."""

    handler: Handler
    guests: bool = False


class Router:
    """Maps subcommand paths ("program add") to handlers; the longest match wins."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}

    def add(self, path: str, handler: Handler, *, guests: bool = False) -> None:
        """Route `/pmo <path> …` to `handler`."""
        self.routes[path] = Route(handler, guests)

    def install(self, app: App) -> None:
        """Register the `/pmo` listener on the app."""
        app.command("/pmo")(ack=self.handle, lazy=[deliver_outbox])

    def match(self, words: list[Token]) -> tuple[str, list[Token]] | None:
        """The longest routed path the words start with, and the words after it."""
        lowered = [w.text.lower() for w in words if not w.quoted]
        for size in range(min(len(lowered), 3), 0, -1):
            path = " ".join(lowered[:size])
            if path in self.routes and all(not w.quoted for w in words[:size]):
                return path, words[size:]
        return None

    def handle(self, ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Parse, run the subcommand in one transaction, and ack with its reply."""
        deps: Deps = context["deps"]
        text = (body.get("text") or "").strip()
        try:
            reply = self._run(deps, body, text)
        except UserError as error:
            error.echo = f"/pmo {text}".strip()  # always the whole command, so nothing is lost
            reply = error_message(error)
        except Exception:
            log.exception("command failed", extra={"fields": {"text_len": len(text)}})
            reply = {
                "text": f":boom: Something went wrong on my side (ref `{logs.request_id.get()}`). "
                "Nothing was changed; please try again."
            }
        if reply is None:  # a modal was opened: nothing to show in the channel
            ack()
        else:
            ack(response_type="ephemeral", **reply)

    def _run(self, deps: Deps, body: dict[str, Any], text: str) -> Reply:
        words = tokenize(text)
        found = self.match(words)
        if found is None:
            topic = words[0].text if words else None
            return help_message(topic if topic and topic.lower() != "help" else None)
        path, rest = found
        try:
            with deps.sessions.begin() as session:
                request = _build_request(deps, session, body, text, path, rest)
                if request.caller.is_restricted and not self.routes[path].guests:
                    raise UserError("Guest accounts can't see or change PMO data here.")
                return self.routes[path].handler(request)
        except UserError as error:
            raise error.with_context(usage=usage_for(path)) from None


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
