"""The one slash command, `/pmo`: route the first words to a subcommand handler.

Three kinds of route keep every ack near Slack's floor:
- static: answered from the words alone (help), no database;
- inline: computed in the request and returned as the ack itself (fast writes, modals);
- deferred: acked at once, then computed on a worker and posted to the command's
  `response_url` (reads whose cost grows with the portfolio: lists, program detail).

A deferred handler that must call Slack or write files returns `AfterCommit`, which runs
once its transaction has committed, so no transaction is held open across a Slack call.
Features that show state elsewhere (App Home) ask, with `after_change`, to hear about a
user's successful commands; they hear on the worker, never delaying an ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

from slack_bolt import Ack, App, BoltContext, Respond

from bot import logs
from bot.blocks.help import error_message, help_message, usage_for
from bot.commands import Token, suggest, tokenize
from bot.deps import Deps
from bot.errors import UserError
from handlers.request import CommandRequest, open_interaction, warm_caller

log = logging.getLogger(__name__)
Reply = dict[str, Any] | None
StaticHandler = Callable[[list[Token]], dict[str, Any]]
Mode = Literal["inline", "deferred"]
# Told (deps, team_id, user_id) after a user's command succeeded.
ChangeHook = Callable[[Deps, str, str], None]


@dataclass(frozen=True)
class AfterCommit:
    """Work a handler hands back to run after its transaction commits; `run` gives the reply.

    For deferred routes (it runs before the answer is sent). It opens its own session if it
    needs the database.
    """

    run: Callable[[], Reply]


Handler = Callable[[CommandRequest], Reply | AfterCommit]


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
        self._hooks: list[tuple[frozenset[str], ChangeHook]] = []

    def add(
        self, path: str, handler: Handler, *, guests: bool = False, mode: Mode = "inline"
    ) -> None:
        """Route `/pmo <path> …` to `handler`."""
        self.routes[path] = Route(handler, guests, mode)

    def add_static(self, path: str, handler: StaticHandler) -> None:
        """Route `/pmo <path> …` to a handler that needs nothing but the words (anyone)."""
        self.static[path] = handler

    def after_change(self, hook: ChangeHook, *, commands: Iterable[str]) -> None:
        """Call `hook` on the worker after an inline command whose first word is in `commands`
        succeeded (inline routes are the ones that change things).

        Errors it raises are logged and go no further.
        """
        self._hooks.append((frozenset(commands), hook))

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
        if found is None and words:
            return _ack_reply(ack, self._unknown(words, text))
        if found is None:
            return _ack_reply(ack, help_message(None))
        path, rest = found
        if path in self.static:
            return _ack_reply(ack, self.static[path](rest))
        if self.routes[path].mode == "deferred":
            ack()
            self._executor.submit(self._answer_later, deps, body, text, path, rest, respond)
            return None
        reply, succeeded = self._answer(deps, body, text, path, rest)
        _ack_reply(ack, reply)
        if succeeded and self._hooks_for(path):
            self._executor.submit(self._changed, deps, body, path)
        return None

    def _unknown(self, words: list[Token], text: str) -> dict[str, Any]:
        """No such subcommand: say so, suggest the nearest, echo the text, then the help."""
        first = words[0].text.lower()
        paths = sorted(self.routes.keys() | self.static.keys())
        tried = " ".join(w.text.lower() for w in words[:2])
        guess = suggest(tried, paths) or suggest(first, {p.split()[0] for p in paths})
        hint = f" Did you mean `/pmo {guess}`?" if guess else ""
        topic = first if first in {p.split()[0] for p in paths} else None
        error = _error(UserError(f"I don't know the command “{tried}”.{hint}"), text)
        guide = help_message(topic)
        return {"text": error["text"], "blocks": [*error["blocks"], *guide["blocks"]][:50]}

    def _answer_later(
        self,
        deps: Deps,
        body: dict[str, Any],
        text: str,
        path: str,
        rest: list[Token],
        respond: Respond,
    ) -> None:
        reply, _ = self._answer(deps, body, text, path, rest)
        if reply is not None:
            respond(response_type="ephemeral", **reply)
        # Deferred routes read (lists, details, exports): nothing for App Home to catch up on.

    def _answer(
        self, deps: Deps, body: dict[str, Any], text: str, path: str, rest: list[Token]
    ) -> tuple[Reply, bool]:
        """The reply, and whether the command succeeded (False for errors and refusals)."""
        try:
            warm_caller(deps, team_id=body["team_id"], user_id=body["user_id"])
            with deps.sessions.begin() as session:
                request = _build_request(deps, session, body, text, path, rest)
                if request.caller.is_restricted and not self.routes[path].guests:
                    raise UserError("Guest accounts can't see or change PMO data here.")
                reply = self.routes[path].handler(request)
            return (reply.run() if isinstance(reply, AfterCommit) else reply), True
        except UserError as error:
            return _error(error.with_context(usage=usage_for(path)), text), False
        except Exception:
            log.exception("command failed", extra={"fields": {"path": path}})
            return {
                "text": f":boom: Something went wrong on my side (ref "
                f"`{logs.request_id.get()}`). Nothing was changed; please try again."
            }, False

    def _hooks_for(self, path: str) -> list[ChangeHook]:
        word = path.split()[0]
        return [hook for commands, hook in self._hooks if word in commands]

    def _changed(self, deps: Deps, body: dict[str, Any], path: str) -> None:
        for hook in self._hooks_for(path):
            try:
                hook(deps, body["team_id"], body["user_id"])
            except Exception:
                log.exception("after-change hook failed", extra={"fields": {"path": path}})


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
