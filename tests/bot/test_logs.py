"""Log lines are JSON, carry the request id, and never a Slack token."""

from __future__ import annotations

import json
import logging

from bot import logs


def test_log_line_is_json_with_request_id_and_fields() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "claimed %s", ("prompt",), None)
    record.fields = {"program": "apollo"}
    logs.request_id.set("req-42")
    line = json.loads(logs.JsonLineFormatter().format(record))
    assert line["msg"] == "claimed prompt"
    assert line["request_id"] == "req-42"
    assert line["program"] == "apollo"


def test_tokens_and_bearer_headers_are_redacted() -> None:
    text = "headers={'Authorization': 'Bearer xoxb-123-abc'} token=xapp-1-XYZ"
    cleaned = logs.redact(text)
    assert "xoxb-123-abc" not in cleaned
    assert "xapp-1-XYZ" not in cleaned
    assert "[redacted]" in cleaned
