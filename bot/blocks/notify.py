"""What `/pmo notify` answers: which kinds of DM a person gets."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import notice


def settings_message(kinds: dict[str, str], *, muted: list[str]) -> dict[str, Any]:
    """Each kind of DM, on or muted, and what can't be muted.

    Args:
        kinds: Each kind of DM a person may mute, and what it covers (`bot.notify.KINDS`).
        muted: The ones they muted.
    """
    lines = ["*Your DMs*"]
    for kind, covers in kinds.items():
        state = ":no_bell: muted" if kind in muted else ":bell: on"
        lines.append(f"{state} · `{kind}`: {covers}")
    lines.append(
        "Status prompts, their reminders and stand-up questions always come: they ask you "
        "for something."
    )
    lines.append(
        "Change with `/pmo notify mute &lt;kind&gt;…` or `/pmo notify unmute &lt;kind&gt;…`."
    )
    return notice("\n".join(lines))


def muted_changed(*, muted: list[str]) -> dict[str, Any]:
    """`notify mute|unmute` confirmed: what is muted now."""
    if not muted:
        return notice(":bell: You get every kind of DM again.")
    kinds = ", ".join(f"`{kind}`" for kind in muted)
    return notice(f":no_bell: Muted: {kinds}. Status prompts and reminders still come.")
