"""Modal state from Slack's view_submission payloads, as plain typed values."""

from __future__ import annotations

from datetime import date
from typing import Any


def without_nul(text: str) -> str:
    """Text as stored: NUL characters dropped (PostgreSQL refuses them; nobody means them)."""
    return text.replace("\x00", "")


def values(view: dict[str, Any]) -> dict[str, Any]:
    """Each input block's value keyed by block id.

    Text inputs give a stripped str (None when empty), selects give the selected
    value, user/conversation selects the id, date pickers a `date`, multi-selects lists.
    """
    result: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            result[block_id] = _element_value(element)
    return result


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        text = without_nul(element.get("value") or "").strip()
        return text or None
    if kind == "datepicker":
        picked = element.get("selected_date")
        return date.fromisoformat(picked) if picked else None
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = element.get("selected_option")
        return option["value"] if option else None
    if kind in ("multi_static_select", "checkboxes"):
        return [o["value"] for o in element.get("selected_options") or []]
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    return element.get("value")
