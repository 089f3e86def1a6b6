"""Small pure Block Kit builders, kept inside Slack's limits."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
CONTEXT_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
FALLBACK_TEXT_MAX = 3000


def escape(text: str | None) -> str:
    """Make user text safe to put into mrkdwn: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`.

    The one rule for user text: it is stored as typed (modal values as Slack sends them,
    command and DM text with Slack's `&amp;`/`&lt;`/`&gt;` decoded), and every builder escapes
    it here, at the point it meets mrkdwn (sections, contexts and the `text` fallback; never
    plain_text fields or input `initial_value`s). So `<!channel>` or `<https://x|label>`
    typed by anyone shows as text; only mentions the bot builds from ids (`<@U…>`, `<#C…>`)
    are live. Escape once: never pass already-escaped text back in.
    """
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_message(text: str) -> str:
    """Escape a message the bot wrote around user text (an error, a refusal).

    Text in “curly quotes” is what the user typed and is escaped whole. Outside them, the
    bot's own references (`<@U…>`, `<#C…>`, with no label) stay live and everything else is
    escaped, so a program name or title quoted as `*{name}*` can't ping or disguise a link.
    """
    pieces = []
    for piece in _QUOTED.split(text):
        if piece.startswith("“") and piece.endswith("”"):
            pieces.append(escape(piece))
        else:
            pieces.append(_OWN_REFERENCE.sub(r"<\1>", escape(piece)))
    return "".join(pieces)


_QUOTED = re.compile(r"(“[^”]*”)")
_OWN_REFERENCE = re.compile(r"&lt;([@#][UWCG][A-Z0-9]+)&gt;")
# What is left of `&amp;`, `&lt;` or `&gt;` when a cut falls inside one.
_PARTIAL_ENTITY = re.compile(r"(?:&(?:a|am|amp|l|lt|g|gt)?)?$")


def escape_pieces(text: str, size: int) -> list[str]:
    """`text` escaped and cut into pieces of at most `size` characters, no entity split."""
    escaped = escape(text)
    pieces = []
    while len(escaped) > size:
        cut = size - len(_PARTIAL_ENTITY.search(escaped[:size]).group())  # type: ignore[union-attr]
        pieces.append(escaped[:cut])
        escaped = escaped[cut:]
    return [*pieces, escaped]


def plural(count: int, word: str, many: str | None = None) -> str:
    """A count with its noun in the right number: "1 blocker", "0 blockers", "2 blockers".

    Args:
        count: How many.
        word: The noun for one.
        many: The noun for any other count when it is not `word` + "s" ("entries").
    """
    return f"{count} {word if count == 1 else many or word + 's'}"


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with "…".

    A cut never splits an entity of escaped text (`&lt;` cut to `&l` would show as typed).
    """
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


def plain(text: str, limit: int = 2000) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": truncate(text or " ", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": truncate(text or " ", limit)}


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    """A section of mrkdwn text, cut to 3000 characters."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    """A header block (plain text, 150 characters)."""
    return {"type": "header", "text": plain(text, HEADER_TEXT_MAX)}


def context(*texts: str) -> Block:
    """A context block of mrkdwn lines (at most 10 elements)."""
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_TEXT_MAX) for t in texts[:10]]}


def divider() -> Block:
    """A divider line."""
    return {"type": "divider"}


def button(
    text: str,
    *,
    action_id: str,
    value: str = "",
    style: str | None = None,
    url: str | None = None,
) -> Block:
    """A button element."""
    element: Block = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_MAX),
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style is not None:
        element["style"] = style
    if url is not None:
        element["url"] = url
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """An actions block of up to 25 elements."""
    block: Block = {"type": "actions", "elements": list(elements[:25])}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def message(text: str, blocks: list[Block] | None = None) -> dict[str, Any]:
    """A message payload: plain `text` fallback always, blocks cut to Slack's 50."""
    payload: dict[str, Any] = {"text": truncate(text, FALLBACK_TEXT_MAX)}
    if blocks:
        payload["blocks"] = blocks[:MESSAGE_BLOCKS_MAX]
    return payload


def notice(text: str, *, done: bool = False) -> dict[str, Any]:
    """A one-section reply; `done` marks a change that was made."""
    return message(text, [section(f":white_check_mark: {text}" if done else text)])


def chunk_lines(lines: list[str], limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Join lines into texts of at most `limit` characters each (a long line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def ago(then: datetime, now: datetime) -> str:
    """A short age: "just now", "5m ago", "3h ago", "12d ago"."""
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def input_block(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None
) -> Block:
    """An input block for modals."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def text_input(
    action_id: str,
    *,
    max_length: int,
    initial: str | None = None,
    multiline: bool = False,
    placeholder: str | None = None,
) -> Block:
    """A plain_text_input taking at most `max_length` characters: its field's limit.

    A longer `initial` value (stored text a form can't hold) is shown cut, marked with "…".
    """
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    if initial:
        element["initial_value"] = truncate(initial, max_length)
    return element


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str | None = "Save",
    private_metadata: str = "",
) -> Block:
    """A modal view (title cut to Slack's 24 characters)."""
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_MAX),
        "close": plain("Cancel", 24),
        "blocks": blocks[:VIEW_BLOCKS_MAX],
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view


def done_view(title: str, text: str) -> Block:
    """A closing confirmation shown in place of a submitted modal."""
    view = modal(callback_id="done", title=title, blocks=[section(text)], submit=None)
    view["close"] = plain("Close", 24)
    return view
