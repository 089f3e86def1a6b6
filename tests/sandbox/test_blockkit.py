"""Each Block Kit rule: a payload at the limit passes, one just past it is reported where it is.

Every rejection case violates exactly one rule and names the JSON pointer of the violation,
so deleting a rule from the validator makes its case fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.blockkit import validate_blocks, validate_message, validate_view

Json = dict[str, Any]


def text(n: int, kind: str = "mrkdwn") -> Json:
    return {"type": kind, "text": "x" * n}


def plain(n: int) -> Json:
    return text(n, "plain_text")


def section(n: int = 5) -> Json:
    return {"type": "section", "text": text(n)}


def divider() -> Json:
    return {"type": "divider"}


def button(**override: Any) -> Json:
    return {"type": "button", "text": plain(4), "action_id": "go", **override}


def actions(*elements: Json) -> Json:
    return {"type": "actions", "elements": list(elements)}


def option(text_len: int = 3, value_len: int = 3) -> Json:
    return {"text": plain(text_len), "value": "v" * value_len}


def select(options: list[Json], kind: str = "static_select", **override: Any) -> Json:
    return {"type": kind, "action_id": "pick", "options": options, **override}


def field_input(element: Json, **override: Any) -> Json:
    return {"type": "input", "block_id": "in", "label": plain(5), "element": element, **override}


def text_input(**override: Any) -> Json:
    return {"type": "plain_text_input", "action_id": "t", **override}


def image(**override: Any) -> Json:
    return {"type": "image", "image_url": "https://x/i.png", "alt_text": "chart", **override}


def modal(**override: Any) -> Json:
    return {"type": "modal", "title": plain(5), "blocks": [section()], **override}


def validate(kind: str, payload: Any) -> list[str]:
    if kind == "view":
        return validate_view(payload)
    if kind == "text":
        return validate_message(text=payload, blocks=None)
    return validate_blocks(payload, surface=kind)  # type: ignore[arg-type]


# (kind, valid payload at the limit, invalid payload, JSON pointer of the violation)
RULES = [
    pytest.param(
        "message", [divider()] * 50, [divider()] * 51, "/blocks", id="message_max_50_blocks"
    ),
    pytest.param(
        "modal", [divider()] * 100, [divider()] * 101, "/blocks", id="modal_max_100_blocks"
    ),
    pytest.param("home", [divider()] * 100, [divider()] * 101, "/blocks", id="home_max_100_blocks"),
    pytest.param("message", [], {}, "/blocks", id="blocks_must_be_a_list"),
    pytest.param("message", [divider()], ["divider"], "/blocks/0", id="block_must_be_an_object"),
    pytest.param(
        "message",
        [{"type": "section", "text": text(3)}],
        [{"type": "sektion"}],
        "/blocks/0/type",
        id="unknown_block_type",
    ),
    pytest.param(
        "message",
        [{**divider(), "block_id": "b" * 255}],
        [{**divider(), "block_id": "b" * 256}],
        "/blocks/0/block_id",
        id="block_id_max_255",
    ),
    pytest.param(
        "message",
        [{**divider(), "block_id": "a"}, {**divider(), "block_id": "b"}],
        [{**divider(), "block_id": "a"}, {**divider(), "block_id": "a"}],
        "/blocks/1/block_id",
        id="block_ids_unique",
    ),
    pytest.param(
        "message",
        [section(3000)],
        [section(3001)],
        "/blocks/0/text/text",
        id="section_text_max_3000",
    ),
    pytest.param(
        "message",
        [{"type": "section", "fields": [text(1)]}],
        [{"type": "section"}],
        "/blocks/0",
        id="section_needs_text_or_fields",
    ),
    pytest.param(
        "message",
        [{"type": "section", "fields": [text(1)] * 10}],
        [{"type": "section", "fields": [text(1)] * 11}],
        "/blocks/0/fields",
        id="section_max_10_fields",
    ),
    pytest.param(
        "message",
        [{"type": "section", "fields": [text(2000)]}],
        [{"type": "section", "fields": [text(2001)]}],
        "/blocks/0/fields/0/text",
        id="section_field_max_2000",
    ),
    pytest.param(
        "message",
        [{"type": "section", "text": text(3)}],
        [{"type": "section", "text": "hi"}],
        "/blocks/0/text",
        id="text_must_be_a_text_object",
    ),
    pytest.param(
        "message",
        [section()],
        [{"type": "section", "text": {"type": "markdown", "text": "x"}}],
        "/blocks/0/text/type",
        id="text_type_plain_text_or_mrkdwn",
    ),
    pytest.param(
        "message",
        [section()],
        [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}],
        "/blocks/0/text/text",
        id="text_not_empty",
    ),
    pytest.param(
        "message",
        [{"type": "header", "text": plain(150)}],
        [{"type": "header", "text": plain(151)}],
        "/blocks/0/text/text",
        id="header_max_150",
    ),
    pytest.param(
        "message",
        [{"type": "header", "text": plain(5)}],
        [{"type": "header", "text": text(5)}],
        "/blocks/0/text/type",
        id="header_plain_text_only",
    ),
    pytest.param(
        "message",
        [{"type": "context", "elements": [text(1)] * 10}],
        [{"type": "context", "elements": [text(1)] * 11}],
        "/blocks/0/elements",
        id="context_max_10_elements",
    ),
    pytest.param(
        "message",
        [{"type": "context", "elements": [text(1)]}],
        [{"type": "context", "elements": []}],
        "/blocks/0/elements",
        id="context_needs_elements",
    ),
    pytest.param(
        "message",
        [{"type": "context", "elements": [image()]}],
        [{"type": "context", "elements": [image(alt_text="")]}],
        "/blocks/0/elements/0/alt_text",
        id="context_image_needs_alt_text",
    ),
    pytest.param(
        "message",
        [{"type": "context", "elements": [text(1)]}],
        [{"type": "context", "elements": [{"type": "markdown", "text": "x"}]}],
        "/blocks/0/elements/0/type",
        id="context_text_elements_are_text_objects",
    ),
    pytest.param(
        "message",
        [actions({"type": "static_select", "action_id": "s", "option_groups": []})],
        [actions({"type": "static_select", "action_id": "s", "option_groups": ["g"]})],
        "/blocks/0/elements/0/option_groups/0",
        id="option_group_must_be_an_object",
    ),
    pytest.param(
        "message",
        [actions(*[button()] * 25)],
        [actions(*[button()] * 26)],
        "/blocks/0/elements",
        id="actions_max_25_elements",
    ),
    pytest.param(
        "message",
        [actions(button())],
        [actions()],
        "/blocks/0/elements",
        id="actions_needs_elements",
    ),
    pytest.param(
        "message",
        [actions(button())],
        [actions("button")],  # type: ignore[arg-type]
        "/blocks/0/elements/0",
        id="element_must_be_an_object",
    ),
    pytest.param(
        "message",
        [actions(button(text=plain(75)))],
        [actions(button(text=plain(76)))],
        "/blocks/0/elements/0/text/text",
        id="button_text_max_75",
    ),
    pytest.param(
        "message",
        [actions(button(text=plain(5)))],
        [actions(button(text=text(5)))],
        "/blocks/0/elements/0/text/type",
        id="button_text_plain_text_only",
    ),
    pytest.param(
        "message",
        [actions(button(value="v" * 2000))],
        [actions(button(value="v" * 2001))],
        "/blocks/0/elements/0/value",
        id="button_value_max_2000",
    ),
    pytest.param(
        "message",
        [actions(button(url="u" * 3000))],
        [actions(button(url="u" * 3001))],
        "/blocks/0/elements/0/url",
        id="button_url_max_3000",
    ),
    pytest.param(
        "message",
        [actions(button(action_id="a" * 255))],
        [actions(button(action_id="a" * 256))],
        "/blocks/0/elements/0/action_id",
        id="action_id_max_255",
    ),
    pytest.param(
        "message",
        [{**section(), "accessory": button()}],
        [{**section(), "accessory": button(text=plain(76))}],
        "/blocks/0/accessory/text/text",
        id="section_accessory_is_checked",
    ),
    pytest.param(
        "message",
        [actions(select([option()] * 100))],
        [actions(select([option()] * 101))],
        "/blocks/0/elements/0/options",
        id="static_select_max_100_options",
    ),
    pytest.param(
        "message",
        [actions(select([option(text_len=75)]))],
        [actions(select([option(text_len=76)]))],
        "/blocks/0/elements/0/options/0/text/text",
        id="option_text_max_75",
    ),
    pytest.param(
        "message",
        [actions(select([option(value_len=150)]))],
        [actions(select([option(value_len=151)]))],
        "/blocks/0/elements/0/options/0/value",
        id="option_value_max_150",
    ),
    pytest.param(
        "message",
        [actions(select([option()]))],
        [actions(select([{"text": text(3), "value": "v"}]))],
        "/blocks/0/elements/0/options/0/text/type",
        id="select_option_text_plain_text_only",
    ),
    pytest.param(
        "message",
        [actions(select([option()]))],
        [actions(select(["v"]))],  # type: ignore[list-item]
        "/blocks/0/elements/0/options/0",
        id="option_must_be_an_object",
    ),
    pytest.param(
        "message",
        [actions(select([option()]))],
        [actions({"type": "static_select", "action_id": "s"})],
        "/blocks/0/elements/0",
        id="static_select_needs_options",
    ),
    pytest.param(
        "message",
        [actions(select([option()], placeholder=plain(150)))],
        [actions(select([option()], placeholder=plain(151)))],
        "/blocks/0/elements/0/placeholder/text",
        id="placeholder_max_150",
    ),
    pytest.param(
        "message",
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(75), "options": [option()] * 100}],
                }
            )
        ],
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(75), "options": [option()] * 101}],
                }
            )
        ],
        "/blocks/0/elements/0/option_groups/0/options",
        id="option_group_max_100_options",
    ),
    pytest.param(
        "message",
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(75), "options": [option()]}],
                }
            )
        ],
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(76), "options": [option()]}],
                }
            )
        ],
        "/blocks/0/elements/0/option_groups/0/label/text",
        id="option_group_label_max_75",
    ),
    pytest.param(
        "message",
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(5), "options": []}] * 100,
                }
            )
        ],
        [
            actions(
                {
                    "type": "static_select",
                    "action_id": "s",
                    "option_groups": [{"label": plain(5), "options": []}] * 101,
                }
            )
        ],
        "/blocks/0/elements/0/option_groups",
        id="static_select_max_100_option_groups",
    ),
    pytest.param(
        "message",
        [actions({"type": "overflow", "action_id": "o", "options": [option()] * 5})],
        [actions({"type": "overflow", "action_id": "o", "options": [option()] * 6})],
        "/blocks/0/elements/0/options",
        id="overflow_max_5_options",
    ),
    pytest.param(
        "modal",
        [field_input(select([option()] * 10, kind="checkboxes"))],
        [field_input(select([option()] * 11, kind="checkboxes"))],
        "/blocks/0/element/options",
        id="checkboxes_max_10_options",
    ),
    pytest.param(
        "modal",
        [field_input(select([option()] * 10, kind="radio_buttons"))],
        [field_input(select([option()] * 11, kind="radio_buttons"))],
        "/blocks/0/element/options",
        id="radio_buttons_max_10_options",
    ),
    pytest.param(
        "message",
        [section()],
        [field_input(text_input())],
        "/blocks/0/type",
        id="input_not_in_messages",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(), label=plain(2000))],
        [field_input(text_input(), label=plain(2001))],
        "/blocks/0/label/text",
        id="input_label_max_2000",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(), label=plain(5))],
        [field_input(text_input(), label=text(5))],
        "/blocks/0/label/type",
        id="input_label_plain_text_only",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(), hint=plain(2000))],
        [field_input(text_input(), hint=plain(2001))],
        "/blocks/0/hint/text",
        id="input_hint_max_2000",
    ),
    pytest.param(
        "modal",
        [field_input(text_input())],
        [{"type": "input", "label": plain(5)}],
        "/blocks/0/element",
        id="input_needs_element",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(max_length=3000))],
        [field_input(text_input(max_length=3001))],
        "/blocks/0/element/max_length",
        id="plain_text_input_max_length_max_3000",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(min_length=3000))],
        [field_input(text_input(min_length=3001))],
        "/blocks/0/element/min_length",
        id="plain_text_input_min_length_max_3000",
    ),
    pytest.param(
        "modal",
        [field_input(text_input(initial_value="i" * 3000))],
        [field_input(text_input(initial_value="i" * 3001))],
        "/blocks/0/element/initial_value",
        id="plain_text_input_initial_value_max_3000",
    ),
    pytest.param(
        "message", [image()], [image(alt_text="")], "/blocks/0/alt_text", id="image_needs_alt_text"
    ),
    pytest.param(
        "message",
        [image(alt_text="a" * 2000)],
        [image(alt_text="a" * 2001)],
        "/blocks/0/alt_text",
        id="image_alt_text_max_2000",
    ),
    pytest.param("message", [image()], [image(image_url="")], "/blocks/0", id="image_needs_url"),
    pytest.param(
        "message",
        [image(image_url="u" * 3000)],
        [image(image_url="u" * 3001)],
        "/blocks/0/image_url",
        id="image_url_max_3000",
    ),
    pytest.param("text", "t" * 40_000, "t" * 40_001, "/text", id="message_text_max_40000"),
    pytest.param("view", modal(), [], "/view", id="view_must_be_an_object"),
    pytest.param("view", modal(), modal(type="dialog"), "/type", id="view_type_modal_or_home"),
    pytest.param(
        "view", modal(), {"type": "modal", "blocks": []}, "/title", id="modal_title_required"
    ),
    pytest.param(
        "view",
        modal(title=plain(24)),
        modal(title=plain(25)),
        "/title/text",
        id="modal_title_max_24",
    ),
    pytest.param(
        "view",
        modal(title=plain(5)),
        modal(title=text(5)),
        "/title/type",
        id="modal_title_plain_text_only",
    ),
    pytest.param(
        "view",
        modal(submit=plain(24)),
        modal(submit=plain(25)),
        "/submit/text",
        id="modal_submit_max_24",
    ),
    pytest.param(
        "view",
        modal(submit=plain(5)),
        modal(submit=text(5)),
        "/submit/type",
        id="modal_submit_plain_text_only",
    ),
    pytest.param(
        "view",
        modal(close=plain(24)),
        modal(close=plain(25)),
        "/close/text",
        id="modal_close_max_24",
    ),
    pytest.param(
        "view",
        modal(blocks=[field_input(text_input())], submit=plain(4)),
        modal(blocks=[field_input(text_input())]),
        "/submit",
        id="modal_with_inputs_needs_submit",
    ),
    pytest.param(
        "view",
        modal(private_metadata="m" * 3000),
        modal(private_metadata="m" * 3001),
        "/private_metadata",
        id="private_metadata_max_3000",
    ),
    pytest.param(
        "view",
        modal(callback_id="c" * 255),
        modal(callback_id="c" * 256),
        "/callback_id",
        id="callback_id_max_255",
    ),
    pytest.param(
        "view",
        modal(external_id="e" * 255),
        modal(external_id="e" * 256),
        "/external_id",
        id="external_id_max_255",
    ),
    pytest.param(
        "view",
        modal(blocks=[divider()] * 100),
        modal(blocks=[divider()] * 101),
        "/blocks",
        id="view_blocks_are_checked",
    ),
]


@pytest.mark.parametrize(("kind", "valid", "invalid", "pointer"), RULES)
def test_rule_accepts_payload_at_the_limit(
    kind: str, valid: Any, invalid: Any, pointer: str
) -> None:
    assert validate(kind, valid) == []


@pytest.mark.parametrize(("kind", "valid", "invalid", "pointer"), RULES)
def test_rule_reports_the_violation_where_it_is(
    kind: str, valid: Any, invalid: Any, pointer: str
) -> None:
    problems = validate(kind, invalid)

    assert len(problems) == 1, problems
    assert problems[0].startswith("[ERROR] ")
    assert problems[0].endswith(f"[json-pointer:{pointer}]")


def test_input_blocks_are_allowed_in_modals_and_home_tabs() -> None:
    blocks = [field_input(text_input())]

    assert validate_blocks(blocks, surface="modal") == []
    assert validate_blocks(blocks, surface="home") == []


def test_home_view_needs_no_title() -> None:
    assert validate_view({"type": "home", "blocks": [section()]}) == []


def test_every_problem_is_reported_not_just_the_first() -> None:
    blocks = [section(3001), {"type": "header", "text": text(3)}, {"type": "sektion"}]

    assert len(validate_blocks(blocks, surface="message")) == 3


def test_known_block_types_without_limits_pass() -> None:
    blocks = [{"type": kind} for kind in ("divider", "rich_text", "file", "video", "markdown")]

    assert validate_blocks(blocks, surface="message") == []


def test_message_without_blocks_only_checks_text() -> None:
    assert validate_message(text="hello", blocks=None) == []
