"""Channels the bot is asked to post in: resolve them and check it can."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import ChannelRef
from bot.errors import UserError

INVITE_HINT = "Invite me first: type `/invite @pmo` in that channel, then run the command again."


def resolve_postable_channel(client: WebClient, ref: ChannelRef) -> str:
    """The id of the channel `ref` names, after checking the bot is a member there.

    Raises:
        UserError: unknown channel, or one the bot cannot post in (with the /invite hint).
    """
    channel_id = ref.id or _find_by_name(client, ref.name or "")
    try:
        channel: dict[str, Any] = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        if exc.response.get("error") in {"channel_not_found", "not_in_channel"}:
            # Private channels are invisible to the bot until it is invited.
            raise UserError(f"I can't see <#{channel_id}>. {INVITE_HINT}") from exc
        raise
    if channel.get("is_archived"):
        raise UserError(f"<#{channel_id}> is archived; pick a live channel.")
    if not channel.get("is_member", False):
        raise UserError(
            f"I'm not a member of <#{channel_id}>, so I can't post there. {INVITE_HINT}"
        )
    return str(channel_id)


def _find_by_name(client: WebClient, name: str) -> str:
    wanted = name.lstrip("#").lower()
    cursor = None
    while True:
        page = client.conversations_list(
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=200,
            cursor=cursor,
        )
        channels: list[dict[str, Any]] = page.get("channels", [])
        for channel in channels:
            if str(channel.get("name", "")).lower() == wanted:
                return str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            raise UserError(
                f"I can't find a channel called #{wanted}. Pick it from Slack's #-autocomplete; "
                f"if it is private, {INVITE_HINT[0].lower()}{INVITE_HINT[1:]}"
            )
