"""Block Kit validation that mirrors the limits Slack enforces.

The fake Slack server rejects what Slack would reject, and the block builders in `bot/blocks/`
are unit-tested against these rules. Each problem reads like Slack's own
`response_metadata.messages` entries: `[ERROR] <what> [json-pointer:<where>]`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]
Check = Callable[[Mapping[str, Any], str], list[str]]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000
TEXT_TYPES = ("plain_text", "mrkdwn")
VIEW_TYPES = ("modal", "home")
# Block types Slack refuses in messages (they only make sense where a form can be submitted).
_NOT_IN_MESSAGES = frozenset({"input"})


def validate_message(*, text: object, blocks: object) -> list[str]:
    """Check a message payload (top-level text and optional blocks) against Slack's limits.

    Args:
        text: The message's top-level `text`, or None.
        blocks: The message's `blocks`, or None when the message has none.

    Returns:
        Human-readable problems; an empty list means Slack would accept the message.
    """
    problems = _too_long(text, MAX_MESSAGE_TEXT, "/text")
    if blocks is not None:
        problems += validate_blocks(blocks, surface="message")
    return problems


def validate_blocks(blocks: object, *, surface: Surface) -> list[str]:
    """Check a list of blocks against Slack's rules for the given surface.

    Args:
        blocks: The `blocks` array as it would be sent to Slack.
        surface: Where the blocks are shown: "message", "modal" or "home".

    Returns:
        Human-readable problems; an empty list means the blocks are valid.
    """
    if not isinstance(blocks, list):
        return [_err("/blocks", "must be an array of blocks")]
    problems = _too_many(blocks, MAX_BLOCKS[surface], "/blocks")
    problems += _duplicate_block_ids(blocks)
    for index, block in enumerate(blocks):
        problems += _check_block(block, f"/blocks/{index}", surface)
    return problems


def validate_view(view: object) -> list[str]:
    """Check a modal or App Home view against Slack's rules.

    Args:
        view: The view payload as sent to `views.open`, `views.update` or `views.publish`.

    Returns:
        Human-readable problems; an empty list means the view is valid.
    """
    if not isinstance(view, Mapping):
        return [_err("/view", "must be a view object")]
    kind = view.get("type")
    if kind not in VIEW_TYPES:
        return [_err("/type", f"must be one of {VIEW_TYPES}, got {kind!r}")]
    problems = validate_blocks(view.get("blocks"), surface=kind)
    problems += _too_long(view.get("private_metadata"), 3000, "/private_metadata")
    problems += _too_long(view.get("callback_id"), 255, "/callback_id")
    problems += _too_long(view.get("external_id"), 255, "/external_id")
    if kind == "modal":
        problems += _check_modal_chrome(view)
    return problems


def _check_modal_chrome(view: Mapping[str, Any]) -> list[str]:
    problems = _check_text(view.get("title"), "/title", limit=24, plain_only=True)
    for key in ("submit", "close"):
        problems += _optional_text(view, key, f"/{key}", limit=24, plain_only=True)
    if "submit" not in view and _has_input_block(view.get("blocks")):
        problems.append(_err("/submit", "is required when the view has input blocks"))
    return problems


def _has_input_block(blocks: object) -> bool:
    if not isinstance(blocks, list):
        return False
    return any(isinstance(block, Mapping) and block.get("type") == "input" for block in blocks)


# --- generic checks -----------------------------------------------------------------------


def _err(path: str, message: str) -> str:
    return f"[ERROR] {message} [json-pointer:{path}]"


def _too_long(value: object, limit: int, path: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [_err(path, f"must be at most {limit} characters, got {len(value)}")]
    return []


def _too_many(items: object, limit: int, path: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [_err(path, f"must have at most {limit} items, got {len(items)}")]
    return []


def _check_text(
    obj: object, path: str, *, limit: int | None, plain_only: bool = False
) -> list[str]:
    if obj is None:
        return [_err(path, "is required")]
    if not isinstance(obj, Mapping):
        return [_err(path, "must be a text object")]
    kind = obj.get("type")
    if kind not in TEXT_TYPES:
        return [_err(f"{path}/type", f"must be plain_text or mrkdwn, got {kind!r}")]
    if plain_only and kind != "plain_text":
        return [_err(f"{path}/type", "must be plain_text here, markdown is not allowed")]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [_err(f"{path}/text", "must be a non-empty string")]
    return [] if limit is None else _too_long(text, limit, f"{path}/text")


def _optional_text(
    parent: Mapping[str, Any], key: str, path: str, *, limit: int, plain_only: bool = False
) -> list[str]:
    if key not in parent:
        return []
    return _check_text(parent[key], path, limit=limit, plain_only=plain_only)


def _duplicate_block_ids(blocks: list[Any]) -> list[str]:
    seen: set[object] = set()
    problems: list[str] = []
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, Mapping) else None
        if block_id is None:
            continue
        if block_id in seen:
            problems.append(_err(f"/blocks/{index}/block_id", f"duplicate block_id {block_id!r}"))
        seen.add(block_id)
    return problems


# --- blocks -------------------------------------------------------------------------------


def _check_block(block: object, path: str, surface: Surface) -> list[str]:
    if not isinstance(block, Mapping):
        return [_err(path, "must be a block object")]
    kind = block.get("type")
    check = _BLOCK_CHECKS.get(kind) if isinstance(kind, str) else None
    if check is None:
        return [_err(f"{path}/type", f"unknown block type {kind!r}")]
    if surface == "message" and kind in _NOT_IN_MESSAGES:
        return [_err(f"{path}/type", f"{kind} blocks are not allowed in messages")]
    return _too_long(block.get("block_id"), 255, f"{path}/block_id") + check(block, path)


def _check_section(block: Mapping[str, Any], path: str) -> list[str]:
    if "text" not in block and "fields" not in block:
        return [_err(path, "a section needs text or fields")]
    problems = _optional_text(block, "text", f"{path}/text", limit=3000)
    fields = block.get("fields", [])
    problems += _too_many(fields, 10, f"{path}/fields")
    for index, item in enumerate(fields if isinstance(fields, list) else []):
        problems += _check_text(item, f"{path}/fields/{index}", limit=2000)
    accessory = block.get("accessory")
    if accessory is not None:
        problems += _check_element(accessory, f"{path}/accessory")
    return problems


def _check_header(block: Mapping[str, Any], path: str) -> list[str]:
    return _check_text(block.get("text"), f"{path}/text", limit=150, plain_only=True)


def _check_context(block: Mapping[str, Any], path: str) -> list[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        return [_err(f"{path}/elements", "must be a non-empty array")]
    problems = _too_many(elements, 10, f"{path}/elements")
    for index, element in enumerate(elements):
        element_path = f"{path}/elements/{index}"
        if isinstance(element, Mapping) and element.get("type") == "image":
            problems += _check_image(element, element_path)
        else:
            problems += _check_text(element, element_path, limit=None)
    return problems


def _check_actions(block: Mapping[str, Any], path: str) -> list[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        return [_err(f"{path}/elements", "must be a non-empty array")]
    problems = _too_many(elements, 25, f"{path}/elements")
    for index, element in enumerate(elements):
        problems += _check_element(element, f"{path}/elements/{index}")
    return problems


def _check_input(block: Mapping[str, Any], path: str) -> list[str]:
    problems = _check_text(block.get("label"), f"{path}/label", limit=2000, plain_only=True)
    problems += _optional_text(block, "hint", f"{path}/hint", limit=2000, plain_only=True)
    element = block.get("element")
    if element is None:
        return [*problems, _err(f"{path}/element", "is required")]
    return problems + _check_element(element, f"{path}/element")


def _check_image(block: Mapping[str, Any], path: str) -> list[str]:
    problems = [] if block.get("alt_text") else [_err(f"{path}/alt_text", "is required")]
    problems += _too_long(block.get("alt_text"), 2000, f"{path}/alt_text")
    if not block.get("image_url") and not block.get("slack_file"):
        problems.append(_err(path, "an image needs image_url or slack_file"))
    return problems + _too_long(block.get("image_url"), 3000, f"{path}/image_url")


def _no_check(block: Mapping[str, Any], path: str) -> list[str]:
    return []


_BLOCK_CHECKS: dict[str, Check] = {
    "actions": _check_actions,
    "context": _check_context,
    "divider": _no_check,
    "file": _no_check,
    "header": _check_header,
    "image": _check_image,
    "input": _check_input,
    "markdown": _no_check,
    "rich_text": _no_check,
    "section": _check_section,
    "video": _no_check,
}


# --- interactive elements -----------------------------------------------------------------


def _check_element(element: object, path: str) -> list[str]:
    if not isinstance(element, Mapping):
        return [_err(path, "must be an element object")]
    problems = _too_long(element.get("action_id"), 255, f"{path}/action_id")
    problems += _optional_text(
        element, "placeholder", f"{path}/placeholder", limit=150, plain_only=True
    )
    check = _ELEMENT_CHECKS.get(str(element.get("type")))
    return problems + (check(element, path) if check else [])


def _check_button(element: Mapping[str, Any], path: str) -> list[str]:
    problems = _check_text(element.get("text"), f"{path}/text", limit=75, plain_only=True)
    problems += _too_long(element.get("value"), 2000, f"{path}/value")
    return problems + _too_long(element.get("url"), 3000, f"{path}/url")


def _check_option(option: object, path: str, *, plain_only: bool) -> list[str]:
    if not isinstance(option, Mapping):
        return [_err(path, "must be an option object")]
    problems = _check_text(option.get("text"), f"{path}/text", limit=75, plain_only=plain_only)
    return problems + _too_long(option.get("value"), 150, f"{path}/value")


def _check_options(
    element: Mapping[str, Any], path: str, *, limit: int, plain_only: bool
) -> list[str]:
    options = element.get("options", [])
    problems = _too_many(options, limit, f"{path}/options")
    for index, option in enumerate(options if isinstance(options, list) else []):
        problems += _check_option(option, f"{path}/options/{index}", plain_only=plain_only)
    return problems


def _check_static_select(element: Mapping[str, Any], path: str) -> list[str]:
    if "options" not in element and "option_groups" not in element:
        return [_err(path, "a static select needs options or option_groups")]
    problems = _check_options(element, path, limit=100, plain_only=True)
    groups = element.get("option_groups", [])
    problems += _too_many(groups, 100, f"{path}/option_groups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        group_path = f"{path}/option_groups/{index}"
        if not isinstance(group, Mapping):
            problems.append(_err(group_path, "must be an option group object"))
            continue
        problems += _check_text(
            group.get("label"), f"{group_path}/label", limit=75, plain_only=True
        )
        problems += _check_options(group, group_path, limit=100, plain_only=True)
    return problems


def _check_plain_text_input(element: Mapping[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    for key in ("max_length", "min_length"):
        value = element.get(key)
        if isinstance(value, int) and value > 3000:
            problems.append(_err(f"{path}/{key}", f"must be at most 3000, got {value}"))
    return problems + _too_long(element.get("initial_value"), 3000, f"{path}/initial_value")


_ELEMENT_CHECKS: dict[str, Check] = {
    "button": _check_button,
    "checkboxes": partial(_check_options, limit=10, plain_only=False),
    "multi_static_select": _check_static_select,
    "overflow": partial(_check_options, limit=5, plain_only=True),
    "plain_text_input": _check_plain_text_input,
    "radio_buttons": partial(_check_options, limit=10, plain_only=False),
    "static_select": _check_static_select,
}
