"""Block Kit as the shell prints it: headers, mrkdwn with names, context, dividers, buttons."""

from __future__ import annotations

import itertools
from typing import Any

from bot.blocks.common import actions, button, context, divider, header, input_block, section
from bot.sandbox.text import Names, describe_input, inputs, mrkdwn, render_message, render_view

Json = dict[str, Any]
NAMES = Names(users={"ULEE": "lee", "UADA": "ada"}, channels={"CPMO": "pmo"})


def numbered() -> Any:
    """A numberer that hands out 1, 2, 3… and remembers what it numbered."""
    counter = itertools.count(1)
    seen: list[tuple[str, str]] = []

    def number(element: Json, block_id: str) -> int:
        seen.append((element["action_id"], block_id))
        return next(counter)

    number.seen = seen  # type: ignore[attr-defined]
    return number


def render(*blocks: Json) -> list[str]:
    return render_message({"text": "fallback", "blocks": list(blocks)}, NAMES, numbered())


def test_mentions_and_channel_links_become_names() -> None:
    text = "<@ULEE> asked <@UADA|ada> in <#CPMO> and <#CNEW|new-room> about <@UNKNOWN>"
    assert mrkdwn(text, NAMES) == "@lee asked @ada in #pmo and #new-room about @UNKNOWN"


def test_a_slack_date_shows_in_the_readers_zone_as_slack_would() -> None:
    names = Names(zones={"ULEE": "Europe/Berlin", "UKIM": "Asia/Tokyo"})
    at = 1796290200  # Thu 3 Dec 2026 09:30 UTC
    text = f"answer by <!date^{at}^{{time}}|09:30 UTC> on <!date^{at}^{{date_num}}|3 Dec>"
    assert mrkdwn(text, names.reading("ULEE")) == "answer by 10:30 on 2026-12-03"
    assert mrkdwn(text, names.reading("UKIM")) == "answer by 18:30 on 2026-12-03"
    assert mrkdwn(text, names) == "answer by 09:30 UTC on 3 Dec"  # nobody's screen: fallback
    assert mrkdwn("<!date^x^{time}|then>", names.reading("ULEE")) == "then"


def test_links_specials_and_entities_are_readable() -> None:
    text = "<https://x.test/a|the doc> &amp; <https://x.test/b> <!here> <!date^1^{date}|3 Dec>"
    assert mrkdwn(text, NAMES) == "the doc (https://x.test/a) & https://x.test/b @here 3 Dec"


def test_header_section_context_and_divider() -> None:
    lines = render(
        header("Apollo"),
        section("*Amber* — vendor late, says <@ULEE>\nsecond line"),
        context("Owner <@ULEE>", "due soon"),
        divider(),
    )
    assert lines == [
        "== Apollo ==",
        "*Amber* — vendor late, says @lee",
        "second line",
        "    Owner @lee",
        "    due soon",
        "---",
    ]


def test_buttons_are_numbered_in_order_with_their_block() -> None:
    number = numbered()
    blocks = [
        actions(
            button("Submit update", action_id="prompt_submit", value="1"),
            button("No change", action_id="prompt_no_change", value="1"),
            block_id="prompt-1",
        ),
        section("Risk", accessory=button("Close", action_id="raid_close", value="7")),
    ]
    lines = render_message({"blocks": blocks}, NAMES, number)
    assert lines == ["[1] Submit update  [2] No change", "Risk", "    [3] Close"]
    assert number.seen == [
        ("prompt_submit", "prompt-1"),
        ("prompt_no_change", "prompt-1"),
        ("raid_close", "block_1"),
    ]


def test_section_fields_read_label_value() -> None:
    block = {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Owner*\n<@ULEE>"},
            {"type": "mrkdwn", "text": "*Due:*\nFri 27 Nov"},
            {"type": "plain_text", "text": "no label"},
        ],
    }
    assert render(block) == ["*Owner*: @lee", "*Due*: Fri 27 Nov", "no label"]


def test_message_without_blocks_shows_its_text_and_attachments_indented() -> None:
    message = {"text": "Hi <@ULEE>", "attachments": [{"text": "more"}]}
    assert render_message(message, NAMES, numbered()) == ["Hi @lee", "    more"]


def test_rich_text_and_unknown_blocks_still_show_something() -> None:
    rich: Json = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "ping "},
                    {"type": "user", "user_id": "ULEE"},
                ],
            }
        ],
    }
    assert render(rich, {"type": "video"}) == ["ping @lee", "[video block]"]


def test_modal_shows_title_fields_options_and_current_values() -> None:
    rag: Json = {
        "type": "static_select",
        "action_id": "rag",
        "options": [
            {"text": {"type": "plain_text", "text": "Green — on track"}, "value": "green"},
            {"text": {"type": "plain_text", "text": "Amber — at risk"}, "value": "amber"},
        ],
    }
    rag["initial_option"] = rag["options"][1]
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Status update"},
        "blocks": [
            input_block("rag", "Status", rag),
            input_block(
                "owner",
                "Owner",
                {"type": "users_select", "action_id": "owner", "initial_user": "ULEE"},
                optional=True,
                hint="Leave empty to own it yourself.",
            ),
            input_block("due", "Due", {"type": "datepicker", "action_id": "due"}, optional=True),
        ],
    }
    assert render_view(view, NAMES, numbered()) == [
        "== Status update ==",
        "Status [green/amber]: amber",
        "Owner [@user, optional]: @lee",
        "    Leave empty to own it yourself.",
        "Due [date, optional]",
    ]
    fields = inputs(view, NAMES)
    assert [f.question() for f in fields] == [
        "Status [green/amber] (amber)",
        "Owner [@user, optional] (@lee)",
        "Due [date, optional]",
    ]


def test_options_whose_text_is_not_their_value_are_listed_by_text() -> None:
    level = {
        "type": "static_select",
        "action_id": "impact",
        "options": [
            {"text": {"type": "plain_text", "text": "1 — very low"}, "value": "1"},
            {"text": {"type": "plain_text", "text": "5 — critical"}, "value": "5"},
        ],
    }
    field = describe_input(input_block("impact", "Impact", level), NAMES)
    assert field.kind_text == "1 — very low | 5 — critical"
    assert field.shown == ""


def test_long_current_values_are_clipped_in_the_question() -> None:
    element = {"type": "plain_text_input", "action_id": "s", "initial_value": "word " * 30}
    question = describe_input(input_block("s", "Summary", element), NAMES).question()
    assert question.startswith("Summary [text] (word word")
    assert question.endswith("…)") and len(question) < 70
