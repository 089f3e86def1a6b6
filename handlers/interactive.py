"""Interactivity: modal submissions and button clicks, each in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from bot import forms, logs
from bot.blocks.help import error_message
from bot.deps import Deps
from bot.errors import UserError
from handlers.request import ActionRequest, ModalSubmission, open_interaction, warm_caller

log = logging.getLogger(__name__)


def run_submission(
    ack: Ack, body: dict[str, Any], deps: Deps, apply: Callable[[ModalSubmission], dict[str, Any]]
) -> None:
    """Apply a submission; on bad input answer `response_action: errors` on the field.

    Slack keeps the modal open with every value the user entered, so nothing is lost.
    Success replaces the modal with the view `apply` returns.
    """
    view = body["view"]
    try:
        warm_caller(deps, team_id=body["team"]["id"], user_id=body["user"]["id"])
        with deps.sessions.begin() as session:
            common = open_interaction(
                deps, session, team_id=body["team"]["id"], user_id=body["user"]["id"]
            )
            submission = ModalSubmission(
                **common, values=forms.values(view), metadata=view.get("private_metadata") or ""
            )
            result = apply(submission)
    except UserError as error:
        ack(response_action="errors", errors={error.field or _first_input(view): error.message})
        return
    except Exception:
        log.exception("modal submission failed")
        ack(
            response_action="errors",
            errors={
                _first_input(view): "Something went wrong on my side; nothing was saved. Try again."
            },
        )
        return
    ack(response_action="update", view=result)


def _first_input(view: dict[str, Any]) -> str:
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            return str(block["block_id"])
    return "name"


def run_action(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    deps: Deps,
    apply: Callable[[ActionRequest], dict[str, Any] | None],
) -> None:
    """Handle a click: refusals and results go back to the clicker only (ephemeral)."""
    ack()
    action = body["actions"][0]
    try:
        warm_caller(deps, team_id=_team_id(body), user_id=body["user"]["id"])
        with deps.sessions.begin() as session:
            common = open_interaction(
                deps, session, team_id=_team_id(body), user_id=body["user"]["id"]
            )
            request = ActionRequest(
                **common,
                value=action.get("value") or (action.get("selected_option") or {}).get("value", ""),
                trigger_id=body.get("trigger_id", ""),
                view=body.get("view"),
            )
            reply = apply(request)
    except UserError as error:
        reply = error_message(error)
    except Exception:
        log.exception("action failed")
        reply = {
            "text": f":boom: Something went wrong on my side (ref `{logs.request_id.get()}`)."
            " Nothing was changed."
        }
    if reply is not None and body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, **reply)


def _team_id(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])
