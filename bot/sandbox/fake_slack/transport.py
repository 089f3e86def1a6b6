"""The fake's HTTP side: a threaded server on 127.0.0.1, requests in, replies out, params parsed."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.sandbox.fake_slack.world import Json

# Parameters slack_sdk sends as JSON strings in form bodies; they are recorded decoded.
_JSON_PARAMS = frozenset({"attachments", "blocks", "files", "metadata", "view"})


@dataclass(frozen=True)
class Request:
    """One HTTP request to the fake."""

    path: str
    query: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True)
class Reply:
    """The HTTP answer to a request."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, status: int, payload: Json, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode(), headers=headers or {})


class Server(ThreadingHTTPServer):
    """Serves on a free port of 127.0.0.1, handing each request to `serve`."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of concurrent clients (1 s SYN retry)

    def __init__(self, serve: Callable[[Request], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.serve = serve


class _RequestHandler(BaseHTTPRequestHandler):
    server: Server

    # http.server dispatches on these exact names.
    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet: the fake records calls instead of logging them."""

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.serve(Request(url.path, url.query, headers, self.rfile.read(length)))
        # The client may have given up waiting (a timeout test): as Slack would, drop it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


def parse_params(request: Request) -> Json:
    """Merge query-string and body parameters the way Slack accepts them."""
    params: Json = dict(parse_qsl(request.query, keep_blank_values=True))
    if request.headers.get("content-type", "").startswith("application/json"):
        decoded = json.loads(request.body or b"{}")
        params.update(decoded if isinstance(decoded, dict) else {})
    elif request.body:
        form = request.body.decode("utf-8", "replace")
        params.update(parse_qsl(form, keep_blank_values=True))
    return {key: _decode_json_param(key, value) for key, value in params.items()}


def _decode_json_param(key: str, value: Any) -> Any:
    if key in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token of an `Authorization: Bearer` header, or empty."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
