"""The public fake: build the workspace, inject failures, serve it, and read what happened."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.sandbox.fake_slack.methods import METHODS, response_error, text_param
from bot.sandbox.fake_slack.transport import Reply, Request, Server, bearer_token, parse_params
from bot.sandbox.fake_slack.world import (
    APP_ID,
    Channel,
    Json,
    ResponseTarget,
    SlackError,
    User,
    World,
    channel_json,
    dm_id_for,
    user_json,
)

if TYPE_CHECKING:
    from bot.sandbox.fake_slack.socket_mode import SocketModeServer

_POLL_SECONDS = 0.01
# Socket Mode's method takes the app-level token (xapp-), and no other method does.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass(frozen=True)
class Call:
    """One Web API call the fake received (the token is not recorded)."""

    method: str
    params: dict[str, Any]


# --- failure injection --------------------------------------------------------------------


class _Faults:
    def __init__(self) -> None:
        self.queued: dict[str, list[str]] = {}
        self.delays: dict[str, tuple[float, str | None]] = {}
        self.every = 0
        self.retry_after = 1
        self._count = 0

    def rate_limit_every(self, n: int, retry_after: int) -> None:
        self.every, self.retry_after, self._count = n, retry_after, 0

    def rate_limited(self) -> bool:
        self._count += 1
        return self.every > 0 and self._count % self.every == 0

    def injected(self, method: str) -> str | None:
        queue = self.queued.get(method)
        return queue.pop(0) if queue else None


# --- the public fake ----------------------------------------------------------------------


class FakeSlack:
    """A fake Slack workspace and Web API, served over HTTP on 127.0.0.1.

    Example:
        with FakeSlack() as slack:
            slack.add_user("UALICE", "alice")
            client = WebClient(base_url=slack.base_url, token="xoxb-test")
            client.chat_postMessage(channel="UALICE", text="hi")
            assert slack.dms("UALICE")[0]["text"] == "hi"
    """

    def __init__(
        self, team_id: str = "T0001", team_domain: str = "acme", bot_user_id: str = "UBOT"
    ) -> None:
        self._world = World(team_id, team_domain, bot_user_id)
        self._faults = _Faults()
        self._lock = threading.RLock()
        self._recorded = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._arriving: list[str] = []  # methods called, in order, recorded before any delay
        self._responses: list[Json] = []
        self._arrived: dict[str, float] = {}  # response_url -> perf_counter at its first post
        self._response_targets: dict[str, ResponseTarget] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: SocketModeServer | None = None
        self._routes: dict[str, Callable[[str, Request], Reply]] = {
            "api": self._serve_api,
            "response": self._serve_response,
            "upload": self._serve_upload,
        }

    # lifecycle

    def start(self) -> FakeSlack:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread.

        Returns:
            The fake itself, so `slack = FakeSlack().start()` reads naturally.
        """
        if self._server is None:
            self._server = Server(self._serve)
            self._world.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},  # how long stop() may wait
                name="fake-slack",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (Socket Mode too) and release the ports."""
        if self._socket is not None:
            self._socket.stop()
            self._socket = None
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # identity and addresses

    @property
    def base_url(self) -> str:
        """The Web API base URL, for `WebClient(base_url=...)`."""
        return f"{self._origin()}/api/"

    @property
    def socket(self) -> SocketModeServer:
        """Slack's Socket Mode end, started on first use (`apps.connections.open` points there).

        Deliver envelopes (`send_command`, `send_interactive`, `send_event`), read their acks,
        and close or refresh connections; see `bot.sandbox.fake_slack.socket_mode`.
        """
        with self._lock:
            if self._socket is None:
                # Imported here: it needs `websockets`, a test dependency the shell does without.
                from bot.sandbox.fake_slack.socket_mode import SocketModeServer

                self._socket = SocketModeServer(app_id=APP_ID).start()
            return self._socket

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self._world.team_id

    @property
    def team_domain(self) -> str:
        """The workspace domain (`acme` in `acme.slack.com`)."""
        return self._world.team_domain

    @property
    def bot_user_id(self) -> str:
        """The bot's user id."""
        return self._world.bot_user_id

    @property
    def bot_id(self) -> str:
        """The bot's bot id (`B…`)."""
        return self._world.bot_id

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Issue a response_url served by the fake.

        Args:
            channel_id: The conversation the interaction happened in.
            user_id: The user who will see ephemeral responses.
            message_ts: The message `replace_original`/`delete_original` act on.

        Returns:
            A unique URL; posts to it are recorded in `responses`.
        """
        with self._lock:
            key = str(len(self._response_targets) + 1)
            self._response_targets[key] = ResponseTarget(channel_id, user_id, message_ts)
        return f"{self._origin()}/response/{key}"

    def new_ts(self) -> str:
        """A fresh message timestamp, later than every earlier one."""
        with self._lock:
            return self._world.new_ts()

    # building the world

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        is_restricted: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
    ) -> None:
        """Add (or replace) a workspace member; with `team_id`, a Slack Connect user from
        another organisation, whose own requests carry that team id."""
        ZoneInfo(tz)  # fail here, not inside a request, on a bad zone name
        user = User(
            user_id,
            name,
            real_name,
            tz,
            is_admin,
            is_owner,
            is_restricted,
            is_bot,
            deleted,
            team_id,
        )
        with self._lock:
            self._world.users[user_id] = user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = False,
        bot_is_member: bool = True,
    ) -> None:
        """Add (or replace) a channel; `members` are user ids besides the bot."""
        channel = Channel(channel_id, name, is_private, list(members), bot_is_member)
        with self._lock:
            self._world.channels[channel_id] = channel

    def issue_trigger(self, user_id: str) -> str:
        """Issue a trigger_id for `user_id`, usable once for `views.open` or `views.push`."""
        with self._lock:
            trigger_id = f"{self._world.new_id('')}.{self._world.team_id}.trigger"
            self._world.triggers[trigger_id] = user_id
        return trigger_id

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the bot's DM with a user, opening it as `conversations.open` would.

        Raises:
            SlackError: The user is unknown, deactivated or a bot.
        """
        with self._lock:
            return self._world.open_dm(user_id).id

    def team_of(self, user_id: str) -> str:
        """The team a user's own requests carry: theirs for a Slack Connect user."""
        with self._lock:
            user = self._world.users.get(user_id)
            return (user.team_id if user else None) or self.team_id

    def user(self, user_id: str) -> Json | None:
        """The user as `users.info` returns it, or None when unknown."""
        with self._lock:
            user = self._world.users.get(user_id)
            return user_json(user, self.team_id) if user else None

    def channel(self, channel_id: str) -> Json | None:
        """The channel as `conversations.info` returns it, or None when unknown."""
        with self._lock:
            channel = self._world.channels.get(channel_id)
            return channel_json(channel, self._world.members(channel)) if channel else None

    # failure injection

    def fail_next(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with `{"ok": false, "error": error}`."""
        with self._lock:
            self._faults.queued.setdefault(method, []).extend([error] * times)

    def rate_limit_every(self, n: int, retry_after: int = 1) -> None:
        """Answer every n-th Web API call with HTTP 429 and `Retry-After`; 0 turns it off."""
        with self._lock:
            self._faults.rate_limit_every(n, retry_after)

    def delay(self, method: str, seconds: float, *, user_id: str | None = None) -> None:
        """Answer calls to `method` only after `seconds` (0 turns it off), as a slow Slack would.

        With `user_id`, only the calls for that user: their trigger_id (views.open/push) or
        their id as `user`. Other calls are answered meanwhile.
        """
        with self._lock:
            if seconds <= 0:
                self._faults.delays.pop(method, None)
            else:
                self._faults.delays[method] = (seconds, user_id)

    # what happened

    @property
    def calls(self) -> list[Call]:
        """Every Web API call received (rate-limited attempts excluded), oldest first."""
        with self._lock:
            return copy.deepcopy(self._calls)

    def calls_to(self, method: str) -> list[Json]:
        """The params of every call to `method`, oldest first."""
        return [call.params for call in self.calls if call.method == method]

    @property
    def responses(self) -> list[Json]:
        """Posts to response_urls: `url`, `body` and `errors` (empty when Slack accepts it)."""
        with self._lock:
            return copy.deepcopy(self._responses)

    def wait_for_response(self, url: str, timeout: float = 10) -> Json:
        """The first post to `url`, waiting for it (an app that answers after its ack).

        Raises:
            TimeoutError: nothing was posted there in time.
        """
        with self._recorded:
            found = self._recorded.wait_for(
                lambda: [r for r in self._responses if r["url"] == url], timeout=timeout
            )
            if not found:
                raise TimeoutError(f"nothing was posted to {url}")
            return copy.deepcopy(found[0])

    def wait_for_call(self, method: str, timeout: float = 10) -> None:
        """Wait until a call to `method` has arrived, even one `delay` still holds back.

        Raises:
            TimeoutError: no such call arrived in time.
        """
        with self._recorded:
            if not self._recorded.wait_for(lambda: method in self._arriving, timeout=timeout):
                raise TimeoutError(f"no call to {method} arrived")

    def arrived_at(self, url: str) -> float:
        """When the first post to `url` arrived (`time.perf_counter()`), for timing answers.

        Raises:
            KeyError: nothing was posted there (or it was cleared since).
        """
        with self._lock:
            return self._arrived[url]

    def clear(self) -> None:
        """Forget recorded calls and responses; the workspace (messages, views…) stays."""
        with self._lock:
            self._calls.clear()
            self._arriving.clear()
            self._responses.clear()
            self._arrived.clear()

    def messages(self, channel_or_user: str) -> list[Json]:
        """Messages in a conversation, oldest first; a user id means the bot's DM with them."""
        channel_id = channel_or_user
        with self._lock:
            if channel_or_user in self._world.users:
                channel_id = dm_id_for(channel_or_user)
            return copy.deepcopy([m for m in self._world.messages if m["channel"] == channel_id])

    def dms(self, user_id: str) -> list[Json]:
        """Messages the bot sent to a user's DM, oldest first."""
        return self.messages(user_id)

    def ephemerals(self, user_id: str) -> list[Json]:
        """Ephemeral messages shown to a user (postEphemeral and response_url), oldest first."""
        with self._lock:
            return copy.deepcopy([e for e in self._world.ephemerals if e["user"] == user_id])

    def views(self, user_id: str) -> list[Json]:
        """Modals opened or pushed for a user, latest last, each in its current version."""
        with self._lock:
            return copy.deepcopy(self._world.user_views(user_id))

    def last_view(self, user_id: str) -> Json:
        """The modal most recently opened or pushed for a user.

        Raises:
            LookupError: No modal was opened for the user.
        """
        views = self.views(user_id)
        if not views:
            raise LookupError(f"no view was opened for {user_id}")
        return views[-1]

    def home(self, user_id: str) -> Json:
        """The App Home view published for a user.

        Raises:
            LookupError: No home view was published for the user.
        """
        with self._lock:
            home = self._world.homes.get(user_id)
            if home is None:
                raise LookupError(f"no home view was published for {user_id}")
            return copy.deepcopy(home)

    def uploaded_files(self) -> list[Json]:
        """Completed uploads: `id`, `filename`, `title`, `content` (bytes), `channel_id`…"""
        with self._lock:
            return copy.deepcopy(self._world.uploads)

    # serving

    def _origin(self) -> str:
        if not self._world.origin:
            raise RuntimeError("FakeSlack is not started; call start() first")
        return self._world.origin

    def _serve(self, request: Request) -> Reply:
        section, _, rest = request.path.lstrip("/").partition("/")
        route = self._routes.get(section)
        if route is None:
            return Reply.of_json(404, {"ok": False, "error": "not_found"})
        return route(rest, request)

    def _serve_api(self, method: str, request: Request) -> Reply:
        with self._recorded:
            self._arriving.append(method)
            self._recorded.notify_all()
        self._wait_if_delayed(method, request)
        with self._lock:
            if self._faults.rate_limited():
                retry = {"Retry-After": str(self._faults.retry_after)}
                return Reply.of_json(429, {"ok": False, "error": "ratelimited"}, retry)
            try:
                params = parse_params(request)
            except ValueError:
                return Reply.of_json(200, {"ok": False, "error": "invalid_json"})
            token = bearer_token(request.headers) or text_param(params, "token")
            params.pop("token", None)
            if not token:
                return Reply.of_json(200, {"ok": False, "error": "not_authed"})
            self._calls.append(Call(method, copy.deepcopy(params)))
            return Reply.of_json(200, self._call_method(method, params, token))

    def _wait_if_delayed(self, method: str, request: Request) -> None:
        """Sleep outside the lock, so a slow call holds up nobody else's."""
        with self._lock:
            delay = self._faults.delays.get(method)
            if delay is None:
                return
            seconds, user_id = delay
            if user_id is not None:
                try:
                    params = parse_params(request)
                except ValueError:
                    return
                trigger = self._world.triggers.get(text_param(params, "trigger_id"))
                if user_id not in (trigger, text_param(params, "user")):
                    return
        threading.Event().wait(seconds)

    def _call_method(self, method: str, params: Json, token: str) -> Json:
        try:
            injected = self._faults.injected(method)
            if injected is not None:
                raise SlackError(injected)
            if token.startswith("xapp-") != (method in APP_TOKEN_METHODS):
                raise SlackError("not_allowed_token_type")
            if method == "apps.connections.open":
                return {"ok": True, "url": self.socket.new_url()}
            handler = METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            return {"ok": True, **handler(self._world, params)}
        except SlackError as error:
            return error.body()

    def _serve_response(self, key: str, request: Request) -> Reply:
        with self._lock:
            target = self._response_targets.get(key)
            if target is None:
                return Reply.of_json(404, {"ok": False, "error": "no_service"})
            try:
                body = json.loads(request.body)
            except ValueError:
                body = request.body.decode("utf-8", "replace")
            error = response_error(body)
            errors = [error.error, *error.messages] if error else []
            url = f"{self._origin()}/response/{key}"
            self._responses.append({"url": url, "body": body, "errors": errors})
            self._arrived.setdefault(url, time.perf_counter())
            self._recorded.notify_all()
            if error is not None:
                return Reply.of_json(400, error.body())
            self._world.apply_response(target, body)
        return Reply.of_json(200, {"ok": True})

    def _serve_upload(self, file_id: str, request: Request) -> Reply:
        with self._lock:
            received = self._world.receive_upload(file_id, request.body)
        if not received:
            return Reply(404, b"file_not_found", "text/plain")
        return Reply(200, f"OK - {len(request.body)}".encode(), "text/plain")
