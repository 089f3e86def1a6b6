"""Sign requests the way Slack does, so the sandbox can talk to the real Bolt app."""

from __future__ import annotations

import hashlib
import hmac

VERSION = "v0"


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """Compute Slack's request-signing headers for a body.

    Slack signs `v0:{timestamp}:{body}` with HMAC-SHA256 keyed by the app's signing secret
    and sends the hex digest, prefixed with the version, in `X-Slack-Signature`.

    Args:
        body: The exact request body bytes that will be sent.
        secret: The app's signing secret.
        timestamp: Unix time in seconds, sent as `X-Slack-Request-Timestamp`.

    Returns:
        The `X-Slack-Request-Timestamp` and `X-Slack-Signature` headers.
    """
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"{VERSION}={digest}",
    }
