"""The door of `/slack/events`: size, signature and shape, checked before anything parses a body.

Slack signs every request; anything else is a stranger or a mistake, and gets its status code
and one log line: over 1 MB → 413; a missing, non-numeric, stale or wrong signature → 401;
then a body that is not UTF-8, or whose JSON (the body itself or a `payload=` form field) is
not an object → 400. A signed payload with nothing to act on (a click without an action, an
event without an event) → 200, ignored. Only what passes reaches Bolt, which verifies the
signature again.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000
MAX_AGE_SECONDS = 5 * 60  # as Slack's own verifiers: older requests may be replays


class Gate:
    """Checks a request's environ; on success leaves the body readable again for Bolt."""

    def __init__(self, signing_secret: str) -> None:
        self._secret = signing_secret.encode()

    def refuse(self, environ: dict[str, Any]) -> int | None:
        """The HTTP status the gate answers with itself (a refusal, or 200 to ignore), or None
        to let the request through to Bolt."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answered(400, "bad Content-Length")
        if length > MAX_BODY_BYTES:
            return _answered(413, "body too large")
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        if not self._signed(environ, body):
            return _answered(401, "missing or invalid signature")
        parsed = _parsed(body, environ.get("CONTENT_TYPE") or "")
        if parsed is None:
            return _answered(400, "malformed body")
        if _hollow(parsed):
            return _answered(200, "signed payload with nothing to act on: ignored")
        return None

    def _signed(self, environ: dict[str, Any], body: bytes) -> bool:
        """Slack's v0 signature over the raw bytes (which need not be UTF-8 to be checked)."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)


def _parsed(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The JSON object a request carries (the body, or a form's `payload`), {} for a plain
    form such as a slash command, or None when it is not UTF-8 or its JSON is no object."""
    try:
        text = body.decode("utf-8")
        # As Bolt decides (slack_bolt.request.internals.parse_body): JSON by type or by "{".
        if content_type.startswith("application/json") or text.startswith("{"):
            found = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            found = json.loads(form["payload"]) if "payload" in form else {}
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return found if isinstance(found, dict) else None


def _hollow(payload: dict[str, Any]) -> bool:
    """A payload Bolt itself would trip on: a click with no action, an event with no event."""
    if payload.get("type") == "block_actions":
        actions = payload.get("actions")
        return not (isinstance(actions, list) and actions and isinstance(actions[0], dict))
    if payload.get("type") == "event_callback":
        return not isinstance(payload.get("event"), dict)
    if payload.get("type") in ("view_submission", "view_closed"):
        view = payload.get("view")
        return not (isinstance(view, dict) and view.get("type"))
    return False


def _answered(status: int, why: str) -> int:
    """Log that the gate answered a request itself (refused it, or ignored it with a 200)."""
    log.info("answered at the gate", extra={"fields": {"status": status, "why": why}})
    return status
