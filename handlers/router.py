"""The slash command adapter: `/pmo`, its first words routed to a subcommand handler.

Three kinds of route keep every ack near Slack's floor:
- static: answered from the words alone (help), no database;
- inline: computed in the request and returned as the ack itself (fast writes, modals);
- deferred: acked at once, then computed on a worker and posted to the command's
  `response_url` (reads whose cost grows with the portfolio: lists, program detail, export).

Either way the handler runs through the pipeline of `handlers.adapters` and returns effects;
Slack is called after its transaction commits. Features that show state elsewhere (App Home)
ask, with `after_change`, to hear about a user's successful commands, on the worker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from slack_bolt import Ack, Respond

from bot import workspace
from bot.blocks.help import error_message, help_message, usage_for
from bot.commands import Token, suggest, tokenize, unescape
from bot.errors import UserError
from bot.forms import without_nul
from bot.reruns import Rerun
from handlers.effects import Effect, EffectFailed, Reply, Result, went_wrong
from handlers.request import CommandRequest, Interaction

if TYPE_CHECKING:
    from handlers.adapters import Listeners

log = logging.getLogger(__name__)
# People a command names by id (`<@U123|kim>`), looked up together before the transaction.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Every user and channel Slack sent as a reference; typed-out ones arrive as `&lt;@U…&gt;`.
REFERENCE = re.compile(r"<[@#]([UWCG][A-Z0-9]+)(?:\|[^>]*)?>")
Message = dict[str, Any]
StaticHandler = Callable[[list[Token]], Message]
Mode = Literal["inline", "deferred"]
Handler = Callable[[CommandRequest], Result]


@dataclass(frozen=True)
class Route:
    """A subcommand handler, how it answers, who may use it and whether it writes.

    Deferred routes read (lists, details) unless they say they write: a read takes no
    SQLite writer lock, so it never queues behind, nor holds up, a change. A route with
    `admins` (what it does, for the refusal) is for PMO admins only, checked before its
    handler runs, so a refused caller costs Slack no look-up.
    """

    handler: Handler
    guests: bool = False
    mode: Mode = "inline"
    writes: bool = True
    admins: str | None = None

    def run(self, request: CommandRequest) -> Result:
        """The handler, once the caller may use the route."""
        if self.admins is not None:
            workspace.require_admin(request.session, person=request.caller, doing=self.admins)
        return self.handler(request)


class Router:
    """Maps subcommand paths ("program add") to handlers; the longest match wins."""

    def __init__(self, listeners: Listeners) -> None:
        self.routes: dict[str, Route] = {}
        self.static: dict[str, StaticHandler] = {}
        self._listeners = listeners
        self._hooks: list[tuple[frozenset[str], Callable[[Interaction], Result]]] = []
        # Hands a deferred read's body to another process; False when it can't.
        self.offload: Callable[[dict[str, Any]], bool] | None = None

    def add(
        self,
        path: str,
        handler: Handler,
        *,
        guests: bool = False,
        mode: Mode = "inline",
        writes: bool | None = None,
        admins: str | None = None,
    ) -> None:
        """Route `/pmo <path> …` to `handler`; deferred routes only read unless `writes`;
        `admins` (what the route does) keeps it to PMO admins."""
        writes = mode == "inline" if writes is None else writes
        self.routes[path] = Route(handler, guests, mode, writes, admins)

    def add_static(self, path: str, handler: StaticHandler) -> None:
        """Route `/pmo <path> …` to a handler that needs nothing but the words (anyone)."""
        self.static[path] = handler

    def after_change(
        self, hook: Callable[[Interaction], Result], *, commands: Iterable[str]
    ) -> None:
        """Run `hook` for the user on the worker after an inline command whose first word is
        in `commands` succeeded (inline routes are the ones that change things)."""
        self._hooks.append((frozenset(commands), hook))

    def match(self, words: list[Token]) -> tuple[str, list[Token]] | None:
        """The longest routed path the words start with, and the words after it."""
        lowered = [w.text.lower() for w in words]
        for size in range(min(len(lowered), 3), 0, -1):
            path = " ".join(lowered[:size])
            known = path in self.routes or path in self.static
            if known and all(not w.quoted for w in words[:size]):
                return path, words[size:]
        return None

    def handle(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Answer a `/pmo` command: from the words, inline, or after the ack."""
        self._dispatch(body, respond, answer=partial(_ack_reply, ack))

    def rerun(self, body: dict[str, Any], respond: Respond) -> None:
        """Run a command again from a button (an ambiguous date's reading picked) as if its
        clicker typed it; the answer replaces the message the button was in."""
        body = {**body, "replace_original": True}  # also when another process answers it
        replacing = _answering(body, respond)
        self._dispatch(body, replacing, answer=partial(_respond_reply, replacing))

    def _dispatch(
        self,
        body: dict[str, Any],
        respond: Callable[..., Any],
        *,
        answer: Callable[[Message | None], None],
    ) -> None:
        """Route a command; `answer` gets the reply (None: nothing to say, or said later)."""
        text = without_nul(body.get("text") or "").strip()
        try:
            words = tokenize(text)
        except UserError as error:
            return answer(_error(error, text))
        found = self.match(words)
        if found is None:
            return answer(self._unknown(words, text) if words else help_message(None))
        path, rest = found
        if path in self.static:
            return answer(self.static[path](rest))
        route = self.routes[path]
        if route.mode == "deferred":
            answer(None)
            if route.writes or self.offload is None or not self.offload(body):
                self._listeners.submit(self._answer_later, body, text, path, rest, respond)
            return None
        effects, succeeded = self._run(body, text, path, rest)
        answer(self._perform(body, text, effects))
        if succeeded:
            for hook in self._hooks_for(path):
                self._listeners.later(body["team_id"], body["user_id"], hook)
        return None

    def answer_here(self, body: dict[str, Any]) -> None:
        """Answer a deferred command on this process's workers (the answer process is gone)."""
        self._listeners.submit(self.answer_deferred, body)

    def answer_deferred(self, body: dict[str, Any]) -> None:
        """Answer a deferred command handed over by the process that acked it."""
        text = without_nul(body.get("text") or "").strip()
        found = self.match(tokenize(text))
        if found is None or found[0] not in self.routes:
            raise ValueError(f"not a deferred command: {text!r}")
        respond = _answering(body, Respond(response_url=body["response_url"]))
        self._answer_later(body, text, found[0], found[1], respond)

    def _answer_later(
        self,
        body: dict[str, Any],
        text: str,
        path: str,
        rest: list[Token],
        respond: Callable[..., Any],
    ) -> None:
        try:
            effects, _ = self._run(body, text, path, rest)
            reply = self._perform(body, text, effects)
        except Exception:  # the user has an empty ack: they must hear something
            log.exception("deferred answer failed", extra={"fields": {"path": path}})
            reply = went_wrong()
        if reply is not None:
            respond(**{"response_type": "ephemeral", **reply})

    def _run(
        self, body: dict[str, Any], text: str, path: str, rest: list[Token]
    ) -> tuple[list[Effect], bool]:
        """The handler's effects, and whether it succeeded (False for errors and refusals)."""
        route = self.routes[path]
        inline = route.mode == "inline"
        budgets = self._listeners.deps.budgets

        def make(**common: Any) -> CommandRequest:
            return CommandRequest(
                **common,
                channel_id=body.get("channel_id", ""),
                trigger_id=body.get("trigger_id", ""),
                text=text,
                path=path,
                words=rest,
                references=frozenset(REFERENCE.findall(text)),
            )

        try:
            effects = self._listeners.transact(
                team_id=body["team_id"],
                user_id=body["user_id"],
                make=make,
                handler=route.run,
                guests=route.guests,
                reads_only=not route.writes,
                mentioned=MENTION.findall(text),
                lookup_seconds=budgets.lookup_s if inline else budgets.deferred_lookup_s,
                db_wait_s=budgets.db_wait_s if inline else budgets.deferred_db_wait_s,
            )
            return effects, True
        except UserError as error:
            error.with_context(usage=usage_for(path))
            return [Reply(_error(error, text, user_id=body["user_id"]))], False
        except Exception:
            log.exception("command failed", extra={"fields": {"path": path}})
            return [Reply(went_wrong())], False

    def _perform(self, body: dict[str, Any], text: str, effects: list[Effect]) -> Message | None:
        try:
            return self._listeners.perform_all(
                effects, user_id=body["user_id"], trigger_id=body.get("trigger_id", "")
            )
        except EffectFailed as failed:
            return _error(UserError(failed.sentence()), text)

    def _unknown(self, words: list[Token], text: str) -> Message:
        """No such subcommand: name only what was not understood, suggest the nearest, echo the
        text, and end on the one usage line that applies (the area's, when the area is known)."""
        first = words[0].text.lower()
        paths = sorted(self.routes.keys() | self.static.keys())
        areas = {p.split()[0] for p in paths}
        if first in areas and len(words) > 1:
            tried = words[1].text.lower()
            guess = suggest(f"{first} {tried}", paths)
            problem = f"`/pmo {first}` has no “{tried}”."
        else:
            tried = first
            listing = f"{first[:-1]} list"  # `/pmo programs`: the list of programs
            guess = listing if first.endswith("s") and listing in paths else None
            guess = guess or suggest(first, paths) or suggest(first, areas)
            problem = f"I don't know the command “{tried}”."
        hint = f" Did you mean `/pmo {guess}`?" if guess else " `/pmo help` lists every command."
        usage = usage_for(first) if first in areas else None
        return _error(UserError(problem + hint, usage=usage), text)

    def _hooks_for(self, path: str) -> list[Callable[[Interaction], Result]]:
        word = path.split()[0]
        return [hook for commands, hook in self._hooks if word in commands]


def _error(error: UserError, text: str, *, user_id: str | None = None) -> Message:
    """The error answering a command; with its typist, it may offer to run it again."""
    error.echo = f"/pmo {unescape(text)}".strip()  # the whole command, so nothing is lost
    return error_message(error, command=Rerun(user_id, text) if user_id else None)


def _answering(body: dict[str, Any], respond: Respond) -> Callable[..., Any]:
    """How to answer on the response_url: a command run again from a button replaces the
    message the button was in."""
    return partial(respond, replace_original=True) if body.get("replace_original") else respond


def _respond_reply(respond: Callable[..., Any], reply: Message | None) -> None:
    if reply is not None:
        respond(**{"response_type": "ephemeral", **reply})


def _ack_reply(ack: Ack, reply: Message | None) -> None:
    if reply is None:  # a modal was opened: nothing to show in the channel
        ack()
    else:
        ack(**{"response_type": "ephemeral", **reply})
