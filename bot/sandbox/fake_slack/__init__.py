"""A fake Slack Web API served over real HTTP on 127.0.0.1.

Tests and `pmo-bot shell` point slack_sdk at it with `WebClient(base_url=fake.base_url)`. It keeps
a small workspace (users, channels, DMs, messages, views, files), answers like Slack (ids, `ts`
strings, `ok: false` errors, HTTP 429 when asked), rejects invalid Block Kit the way Slack does,
and serves the `response_url`s and file upload URLs it hands out.

It also plays Slack's end of Socket Mode (`FakeSlack.socket`): `apps.connections.open` hands
out a WebSocket URL on loopback, where envelopes are delivered and their acks checked.

The package: `world` (the workspace's state), `methods` (the Web API method handlers),
`transport` (the HTTP server), `socket_mode` (the WebSocket server; needs the `websockets`
test dependency, imported on first use) and `fake` (`FakeSlack`, the public face). Callers use
the names re-exported here.
"""

from bot.sandbox.fake_slack.fake import Call, FakeSlack
from bot.sandbox.fake_slack.world import APP_ID, Json, SlackError

__all__ = ["APP_ID", "Call", "FakeSlack", "Json", "SlackError"]
