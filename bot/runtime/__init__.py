"""The runtime: the composition root that wires handlers, schedules and storage into a bot.

`settings` (the typed settings, from the environment and `.env`), `deps` (what every listener
and scheduled item needs, through Bolt's context), `app` (the Bolt app with our middleware
and every feature's listeners), `server` (the HTTP server: `/slack/events`, `/healthz`),
`outbox_worker` (the thread that sends what transactions queued) and `cli` (`pmo-bot`).
Only this package and `bot.sandbox` may import `handlers` and `schedules`. Callers import the
modules by name (`from bot.runtime.settings import Settings`); nothing is re-exported here, so
that importing `bot.runtime.deps` from a handler does not import the app and every handler.
"""
