"""Structured logs: one line per event, with the request id, and never a secret."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Slack tokens (xoxb-, xoxp-, xapp-, …) and signing material must never reach a log line.
_SECRET = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?bearer\s+)[^'\"\s,}]+")


def reference() -> str:
    """The request's id as "(ref `…`)", for a user to quote and us to find its log lines."""
    return f"(ref `{request_id.get()}`)"


def redact(text: str) -> str:
    """Replace anything shaped like a Slack token with a marker."""
    return _AUTH_HEADER.sub(r"\1[redacted]", _SECRET.sub("[redacted]", text))


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id.get(),
            "msg": redact(record.getMessage()),
        }
        for key, value in getattr(record, "fields", {}).items():
            line[key] = redact(str(value)) if isinstance(value, str) else value
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def configure(level: str, *, path: str | None = None) -> None:
    """Send all logs as JSON lines at `level`: to stderr, or appended to the file `path`."""
    handler: logging.Handler = (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
    )
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def event(logger: logging.Logger, msg: str, **fields: object) -> None:
    """Log one event with structured fields."""
    logger.info(msg, extra={"fields": fields})
