"""The adapters: one per kind of Slack input, applied where a feature registers its listener.

Every adapter runs the same pipeline, so no listener repeats it:
1. build the typed request; look the caller up in Slack (and whatever else the handler turns
   out to need, see `handlers.lookups`) with no transaction open; refuse guests where the
   route needs a member; drop Events API retries already handled;
2. open one transaction, call the handler, commit;
3. perform the effects the handler returned (`handlers.effects`): answer, open or update a
   modal, publish Home, send a file. Slack is called only here, after the commit; a Slack
   failure is answered to the user, never lost silently.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import dedupe, export, forms, logs, outbox, workspace
from bot.blocks.common import done_view
from bot.blocks.help import error_message
from bot.commands import unescape
from bot.errors import UserError
from bot.runtime.deps import Deps
from handlers.effects import (
    NO_ANSWER,
    Effect,
    EffectFailed,
    ModalErrors,
    OpenModal,
    Options,
    PublishHome,
    PushModal,
    Reply,
    Result,
    RunCommand,
    SendFile,
    UpdateModal,
    as_list,
    warning,
    went_wrong,
)
from handlers.lookups import (
    BUSY,
    SLACK_DOWN,
    Lookups,
    NeedsLookup,
)
from handlers.request import (
    ActionRequest,
    Interaction,
    MessageRequest,
    ModalSubmission,
    OptionsRequest,
    read_direct_message,
)
from handlers.router import Router
from storage.db import DatabaseBusy, is_busy, waiting_at_most

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Interaction)
Handler = Callable[[R], Result]
EventHandler = Callable[..., None]
GUEST_REFUSAL = (
    "Guest accounts can't see or change PMO data here. To ask the PMO for a new project: "
    "`/pmo intake`."
)
# Each round of look-ups reruns the handler; a request needing more than this is a bug.
MAX_LOOKUP_ROUNDS = 12


class Listeners:
    """Where features register their handlers; each registration applies its adapter."""

    def __init__(self, app: App, deps: Deps, executor: Executor) -> None:
        self.app, self.deps, self.executor = app, deps, executor
        self.quick_client = quick_client(deps.client, deps.budgets.slack_timeout_s)
        self._sessions: dict[tuple[bool, float], sessionmaker[Session]] = {}
        self.commands = Router(self)
        app.command("/pmo")(self.commands.handle)  # first: most requests are commands

    # --- registration ---------------------------------------------------------------------

    def action(self, action_id: str, handler: Handler[ActionRequest], *, guests: bool = False):  # type: ignore[no-untyped-def]
        """A button or select: acked at once; its effects go to the clicker."""
        self.app.action(action_id)(
            lambda ack, body, respond: self._on_action(ack, body, respond, handler, guests)
        )

    def view(
        self, callback_id: str, handler: Handler[ModalSubmission], *, guests: bool = False
    ) -> None:
        """A modal submission: the ack carries the next view or the field errors."""
        self.app.view(callback_id)(lambda ack, body: self._on_view(ack, body, handler, guests))

    def options(self, action_id: str, handler: Handler[OptionsRequest]) -> None:
        """An external select's options (guests get none)."""
        self.app.options(action_id)(lambda ack, body: self._on_options(ack, body, handler))

    def message(self, handler: Handler[MessageRequest]) -> None:
        """A person's message to the bot, or their edit of one (not joins or bots); replies go
        in its thread."""
        self.app.event("message")(lambda body, event: self._on_message(body, event, handler))

    def home_opened(self, handler: Handler[Interaction]) -> None:
        """The Home tab opened: the handler's effects (PublishHome) are performed after the ack."""
        self.app.event("app_home_opened", matchers=[_home_tab])(
            lambda body, event: self._tab_opened(body, event, handler)
        )

    def messages_tab_opened(self, handler: Handler[Interaction]) -> None:
        """The bot's Messages tab opened: the handler runs after the ack (a first welcome)."""
        self.app.event("app_home_opened", matchers=[_messages_tab])(
            lambda body, event: self._tab_opened(body, event, handler)
        )

    def _tab_opened(
        self, body: dict[str, Any], event: dict[str, Any], handler: Handler[Interaction]
    ) -> None:
        if complete(event, "user", what="app_home_opened"):
            self.later(self._team(body), event["user"], handler)

    def event(self, name: str, handler: EventHandler) -> None:
        """A workspace event with no one to answer, handled once per event id.

        `handler(session, team_id=…, event=…, now=…)` runs in one transaction.
        """
        self.app.event(name)(lambda body, event: self._on_event(body, event, handler))

    # --- the pipeline ---------------------------------------------------------------------

    def transact(
        self,
        *,
        team_id: str,
        user_id: str,
        make: Callable[..., R],
        handler: Handler[R],
        guests: bool,
        reads_only: bool = False,
        lookup_seconds: float | None = None,
        db_wait_s: float | None = None,
        mentioned: Iterable[str] = (),
    ) -> list[Effect]:
        """Look-ups, then one transaction around the handler; its effects, not yet performed.

        Args:
            lookup_seconds: How long look-ups may take in all, so an ack stays in Slack's 3 s
                (default: the inline budget of `deps.budgets`).
            db_wait_s: How long the transaction may wait for a lock; past it, the user is
                told the database is busy (nothing was changed) rather than kept waiting.
            mentioned: People the input names by id, looked up before the first run.
            reads_only: The handler only reads: its transaction takes no SQLite writer lock,
                so it neither waits for writers nor holds them up. Should it write after all
                (a first contact), it is run again in an ordinary transaction.

        Raises:
            UserError: The handler's (nothing was committed), or a refused guest.
        """
        deps = self.deps
        if lookup_seconds is None:
            lookup_seconds = deps.budgets.lookup_s
        if db_wait_s is None:
            db_wait_s = deps.budgets.db_wait_s
        lookups = Lookups(
            client=self.quick_client,
            sessions=self._sessions_for(False, db_wait_s),  # caching what Slack said waits too
            team_id=team_id,
            now=deps.clock(),
            default_timezone=deps.settings.pmo_timezone,
            budget=lookup_seconds,
        )
        for person in (user_id, *mentioned):
            lookups.fetch_person(person)
        writes = self._sessions_for(False, db_wait_s)
        sessions = self._sessions_for(True, db_wait_s) if reads_only else writes
        raced = False
        for _ in range(MAX_LOOKUP_ROUNDS):
            try:
                with sessions.begin() as session:
                    request = make(**self._common(session, lookups, team_id, user_id))
                    if request.caller.is_restricted and not guests:
                        raise UserError(GUEST_REFUSAL, usage="")  # no usage: not theirs
                    return as_list(handler(request))
            except NeedsLookup as need:
                lookups.fetch(need)  # the transaction is over: Slack may be asked now
            except IntegrityError:
                # Someone did the same at the same moment (two `program add Mercury` on
                # PostgreSQL): run it once more, and the domain's own check now sees the row
                # and answers as it would to anyone ("already exists").
                if raced:
                    raise
                raced = True
            except (DBAPIError, DatabaseBusy) as error:
                if is_busy(error):
                    log.warning("the database was busy", extra={"fields": {"waited": db_wait_s}})
                    raise UserError(f"{BUSY} {logs.reference()}.") from error
                if sessions is writes or not refused_as_read_only(error):
                    raise
                log.info("a read-only handler wrote; running it again", exc_info=True)
                sessions = writes
        log.error(
            "a request needed more look-ups than allowed",
            extra={"fields": {"max": MAX_LOOKUP_ROUNDS}},
        )
        raise UserError(
            "That names more people and channels than I can look up at once; split it up."
        )

    def _sessions_for(self, reads_only: bool, wait_s: float) -> sessionmaker[Session]:
        key = (reads_only, wait_s)
        if key not in self._sessions:
            base = self.deps.reads if reads_only else self.deps.sessions
            self._sessions[key] = waiting_at_most(base, wait_s)
        return self._sessions[key]

    def _common(self, session: Any, lookups: Lookups, team_id: str, user_id: str) -> dict[str, Any]:
        space = workspace.get_workspace(
            session, team_id=team_id, default_timezone=lookups.default_timezone, now=lookups.now
        )
        caller = lookups.person(session, user_id)
        return {
            "session": session,
            "lookups": lookups,
            "team_id": team_id,
            "user_id": user_id,
            "caller": caller,
            "workspace": space,
            "now": lookups.now,
        }

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        """Run `work` on the worker after the ack, in this request's context (its log id)."""
        self.executor.submit(contextvars.copy_context().run, _logged_failure, work, *args)

    def later(self, team_id: str, user_id: str, handler: Handler[Interaction]) -> None:
        """Run a handler for a user on the worker, after the ack (Home refreshes)."""
        self.submit(self._run_logged, team_id, user_id, handler)

    def _run_logged(self, team_id: str, user_id: str, handler: Handler[Interaction]) -> None:
        try:
            effects = self.transact(
                team_id=team_id, user_id=user_id, make=Interaction, handler=handler, guests=True
            )
            self.perform_all(effects, user_id=user_id)
        except Exception:  # on a worker nobody else would see it
            log.exception("after-ack work failed", extra={"fields": {"user_id": user_id}})

    # --- performing effects ---------------------------------------------------------------

    def perform(
        self,
        effect: Effect,
        *,
        user_id: str,
        trigger_id: str = "",
        view: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Make the Slack call an effect needs (no transaction is open); a Reply is returned."""
        client, quick = self.deps.client, self.quick_client
        if isinstance(effect, Reply):
            return (
                {**effect.message, "response_type": "in_channel"}
                if effect.in_channel
                else effect.message
            )
        if isinstance(effect, OpenModal):
            quick.views_open(trigger_id=trigger_id, view=effect.view)
        elif isinstance(effect, PushModal):
            quick.views_push(trigger_id=trigger_id, view=effect.view)
        elif isinstance(effect, UpdateModal) and view is not None:
            quick.views_update(view_id=view["id"], hash=view.get("hash"), view=effect.view)
        elif isinstance(effect, PublishHome):
            client.views_publish(user_id=user_id, view=effect.view)
        elif isinstance(effect, SendFile):
            return self._send_file(effect, user_id=user_id)
        else:
            log.error(
                "an effect this input cannot have", extra={"fields": {"effect": repr(effect)[:200]}}
            )
        return None

    def perform_all(
        self, effects: list[Effect], *, user_id: str, trigger_id: str = "", view: Any = None
    ) -> dict[str, Any] | None:
        """Perform each effect in order; the last reply.

        Raises:
            EffectFailed: Slack refused or did not answer; the effects after it are not made.
        """
        reply = None
        for effect in effects:
            kind = type(effect).__name__
            try:
                done = self.perform(effect, user_id=user_id, trigger_id=trigger_id, view=view)
            except SlackApiError as exc:
                log.warning("Slack refused an effect", extra={"fields": {"effect": kind}})
                raise EffectFailed(kind, str(exc.response.get("error") or "error")) from exc
            except SLACK_DOWN as exc:
                log.warning("Slack did not answer an effect", extra={"fields": {"effect": kind}})
                raise EffectFailed(kind, NO_ANSWER) from exc
            reply = done or reply
        return reply

    def _send_file(self, effect: SendFile, *, user_id: str) -> dict[str, Any]:
        with export.temporary_file(effect.kind) as path:  # deleted whatever happens
            sent = effect.write(self.deps.reads, path)  # no writer lock while it writes the file
            client = self.deps.client
            channel = client.conversations_open(users=[user_id])["channel"]["id"]
            client.files_upload_v2(
                channel=channel,
                file=str(path),
                filename=sent.filename,
                title=sent.title,
                initial_comment=sent.comment,
            )
        return sent.done

    # --- the adapters ---------------------------------------------------------------------

    def _on_action(
        self,
        ack: Ack,
        body: dict[str, Any],
        respond: Respond,
        handler: Handler[ActionRequest],
        guests: bool,
    ) -> None:
        ack()
        if not (complete(body, "actions", what="block_actions") and _has_user(body)):
            return
        action = body["actions"][0]
        value = action.get("value") or (action.get("selected_option") or {}).get("value", "")
        trigger_id, view = body.get("trigger_id", ""), body.get("view")

        def make(**common: Any) -> ActionRequest:
            return ActionRequest(**common, value=value, trigger_id=trigger_id, view=view)

        effects = self._guarded(body, make, handler, guests)
        rerun = next((e for e in effects if isinstance(e, RunCommand)), None)
        if rerun is not None and body.get("response_url"):
            self.commands.rerun(self._as_command(body, rerun.text), respond)
            return
        user_id = body["user"]["id"]
        try:
            reply = self.perform_all(effects, user_id=user_id, trigger_id=trigger_id, view=view)
        except EffectFailed as failed:
            reply = failed.message()
        if reply is None:
            return
        if body.get("response_url"):
            respond(**{"response_type": "ephemeral", "replace_original": False, **reply})
        elif trigger_id:  # App Home has no response_url: say it in a small modal
            self._perform_logged([OpenModal(done_view("PMO", reply["text"]))], user_id, trigger_id)

    def _as_command(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        """A click's payload as the `/pmo` payload that would have typed `text`."""
        channel = body.get("channel")
        return {
            "team_id": self._team(body),
            "user_id": body["user"]["id"],
            "channel_id": channel.get("id", "") if isinstance(channel, dict) else "",
            "text": text,
            "response_url": body["response_url"],
            "trigger_id": body.get("trigger_id", ""),
        }

    def _perform_logged(self, effects: list[Effect], user_id: str, trigger_id: str = "") -> None:
        """Perform effects nobody is waiting on (after an ack): a failure is logged."""
        with contextlib.suppress(EffectFailed):  # logged; no response_url to say it on
            self.perform_all(effects, user_id=user_id, trigger_id=trigger_id)

    def _guarded(
        self, body: dict[str, Any], make: Callable[..., R], handler: Handler[R], guests: bool
    ) -> list[Effect]:
        try:
            return self._from_interactivity(body, make, handler, guests=guests)
        except UserError as error:
            return [Reply(error_message(error))]
        except Exception:
            log.exception("interaction failed")
            return [Reply(went_wrong())]

    def _on_view(
        self, ack: Ack, body: dict[str, Any], handler: Handler[ModalSubmission], guests: bool
    ) -> None:
        if not (complete(body, "view", "user", what="view_submission") and _has_user(body)):
            ack()
            return
        view = body["view"]
        if not complete(view, "state", what="view_submission"):
            ack()
            return

        def make(**common: Any) -> ModalSubmission:
            return ModalSubmission(
                **common, values=forms.values(view), metadata=view.get("private_metadata") or ""
            )

        try:
            effects = self._from_interactivity(body, make, handler, guests=guests)
        except UserError as error:
            ack(response_action="errors", errors={error.field or _first_input(view): error.message})
            return
        except Exception:
            log.exception("modal submission failed")
            ack(
                response_action="errors",
                errors={
                    _first_input(
                        view
                    ): "Something went wrong on my side; nothing was saved. Try again."
                },
            )
            return
        rest = _ack_view(ack, effects)
        if rest:  # after the ack, so the modal closes at once
            self.submit(self._perform_logged, rest, body["user"]["id"])

    def _on_options(self, ack: Ack, body: dict[str, Any], handler: Handler[OptionsRequest]) -> None:
        if not _has_user(body):
            ack(options=[])
            return

        def make(**common: Any) -> OptionsRequest:
            return OptionsRequest(**common, query=forms.without_nul(body.get("value") or ""))

        try:
            effects = self._from_interactivity(body, make, handler, guests=False)
        except UserError:
            effects = []  # guests and unknown people see no programs
        found = [e for e in effects if isinstance(e, Options)]
        ack(options=found[0].options if found else [])

    def _on_message(
        self, body: dict[str, Any], event: dict[str, Any], handler: Handler[MessageRequest]
    ) -> None:
        dm = read_direct_message(event)  # edits and files too; joins and bots are not for us
        if dm is None or not complete(body, "event_id", what="message"):
            return
        event_id = body["event_id"]
        thread = dm.thread_ts or dm.ts

        def make(**common: Any) -> MessageRequest:
            return MessageRequest(
                **common,
                channel_id=dm.channel_id,
                text=dm.text,
                ts=dm.ts,
                thread_ts=dm.thread_ts,
                event_id=event_id,
                edit_delay=dm.edit_delay,
                reply_key=f"dm-reply:{event_id}",
            )

        def answered(request: MessageRequest) -> Result:
            if not dedupe.first_delivery(
                request.session, team_id=request.team_id, event_id=request.event_id, now=request.now
            ):
                return None  # a retry of an event already answered
            try:
                with request.session.begin_nested():  # a refusal undoes what it began
                    effects = as_list(handler(request))
            except UserError as error:
                effects = [Reply(_dm_error(error, request.text))]
            for effect in effects:  # sent by the outbox after the commit, exactly once
                if isinstance(effect, Reply):
                    outbox.enqueue(
                        request.session,
                        team_id=request.team_id,
                        channel=dm.channel_id,
                        key=request.reply_key,
                        now=request.now,
                        payload={**effect.message, "thread_ts": thread},
                    )
            return [e for e in effects if not isinstance(e, Reply)]

        try:
            effects = self.transact(
                team_id=self._team(body),
                user_id=dm.user_id,
                make=make,
                handler=answered,
                guests=True,
            )
            self._perform_logged(effects, dm.user_id)
        except (
            Exception
        ) as error:  # nothing was stored: say so, in the thread, as Slack won't retry
            if not isinstance(error, UserError):
                log.exception("direct message failed")
            said = warning(error.message) if isinstance(error, UserError) else went_wrong()
            with contextlib.suppress(*SLACK_DOWN):
                self.deps.client.chat_postMessage(channel=dm.channel_id, thread_ts=thread, **said)

    def _on_event(self, body: dict[str, Any], event: dict[str, Any], handler: EventHandler) -> None:
        if not complete(body, "event_id", what=str(event.get("type"))):
            return
        deps, team_id = self.deps, self._team(body)
        now = deps.clock()
        with deps.sessions.begin() as session:
            if not dedupe.first_delivery(
                session, team_id=team_id, event_id=body["event_id"], now=now
            ):
                return
            workspace.get_workspace(
                session, team_id=team_id, default_timezone=deps.settings.pmo_timezone, now=now
            )
            handler(session, team_id=team_id, event=event, now=now)

    def _from_interactivity(
        self, body: dict[str, Any], make: Callable[..., R], handler: Handler[R], *, guests: bool
    ) -> list[Effect]:
        """The pipeline for an interactivity payload (its team and user where Slack puts them)."""
        return self.transact(
            team_id=self._team(body),
            user_id=body["user"]["id"],
            make=make,
            handler=handler,
            guests=guests,
        )

    @staticmethod
    def _team(body: dict[str, Any]) -> str:
        team, user = body.get("team"), body.get("user")
        found = body.get("team_id") or (team.get("id") if isinstance(team, dict) else team)
        return str(found or (user.get("team_id") if isinstance(user, dict) else ""))


def complete(payload: dict[str, Any], *keys: str, what: str) -> bool:
    """Whether a signed payload has the fields we need; if not, one log line and it is ignored."""
    missing = [key for key in keys if not payload.get(key)]
    if missing:
        log.info(
            "ignored a payload missing fields", extra={"fields": {"kind": what, "missing": missing}}
        )
    return not missing


def _has_user(body: dict[str, Any]) -> bool:
    user = body.get("user")
    return complete(user if isinstance(user, dict) else {}, "id", what=str(body.get("type")))


def refused_as_read_only(error: DBAPIError | DatabaseBusy) -> bool:
    """Whether the database refused a write because the transaction was read-only."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)  # PostgreSQL: read_only_sql_transaction
    return sqlstate == "25006" or "readonly database" in str(error.orig)


def _logged_failure(work: Callable[..., Any], *args: Any) -> None:
    """Run after-ack work; a failure is logged, since no one else would see it."""
    try:
        work(*args)
    except Exception:
        log.exception("after-ack work failed")


def quick_client(client: WebClient, timeout_s: float) -> WebClient:
    """The client for calls an ack waits on (look-ups, modals racing their 3-s trigger_id):
    a short timeout, no retries, so a slow Slack costs at most `timeout_s` per call."""
    # slack_sdk types the timeout as int but hands it to urllib, which takes fractions.
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=timeout_s)  # type: ignore[arg-type]
    quick.retry_handlers = []
    return quick


def _ack_view(ack: Ack, effects: list[Effect]) -> list[Effect]:
    """Ack a submission with its first modal effect (closing it when there is none)."""
    rest: list[Effect] = []
    acked = False
    for effect in effects:
        if acked or not isinstance(effect, (UpdateModal, PushModal, ModalErrors)):
            rest.append(effect)
        elif isinstance(effect, UpdateModal):
            ack(response_action="update", view=effect.view)
            acked = True
        elif isinstance(effect, PushModal):
            ack(response_action="push", view=effect.view)
            acked = True
        else:
            ack(response_action="errors", errors=effect.errors)
            acked = True
    if not acked:
        ack()
    return rest


def _dm_error(error: UserError, text: str) -> dict[str, Any]:
    """A refused DM, said in its thread; one whose raiser echoes the input echoes the whole DM,
    as a command's error echoes the whole command, so nothing typed is lost."""
    if error.echo is None:
        return warning(error.message)
    error.echo = unescape(text)  # as typed: Slack sends `<` as `&lt;`; the echo escapes again
    return error_message(error)


def _first_input(view: dict[str, Any]) -> str:
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            return str(block["block_id"])
    return "name"


def _home_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "home"


def _messages_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") != "home"  # "messages", and whatever Slack adds
