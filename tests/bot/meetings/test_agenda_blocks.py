"""The agenda as a Slack message and the owners' pre-read DM: readable, escaped, and valid
Block Kit at any size."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.blocks import agenda as render
from bot.blocks.common import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from bot.blocks.home import SUBMIT_ACTION
from bot.meetings import facts
from bot.meetings.facts import Agenda, AgendaItem
from bot.sandbox.blockkit import validate_message
from storage.models import Meeting
from tests.flow import text_of

BERLIN = "Europe/Berlin"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 Berlin
HOSTILE = "<!channel> <@U999> <https://evil|x> & co"
LONG = "y" * 5_000


def meeting(**values: Any) -> Meeting:
    defaults: dict[str, Any] = {
        "id": 1,
        "team_id": "T1",
        "channel_id": "CSTEER",
        "chair_id": "UCHAIR",
        "days": "mon",
        "at": "10:00",
        "every_weeks": 2,
        "anchor": date(2026, 11, 30),
        "length_minutes": 60,
        "portfolio": None,
        "timezone": BERLIN,
        "attendees": ["UCHAIR"],
    }
    return Meeting(**{**defaults, **values})


def item(n: int = 1, kind: str = facts.RED, **values: Any) -> AgendaItem:
    defaults: dict[str, Any] = {
        "ref": f"program:{n}",
        "kind": kind,
        "title": f"Program {n}",
        "owner_id": "ULEAD",
        "minutes": 8,
        "detail": "red since Thu 19 Nov: vendor late",
        "program_id": n,
    }
    return AgendaItem(**{**defaults, **values})


def valid(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload, once the fake Slack's validator accepts it and every limit holds."""
    assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
    assert len(payload["blocks"]) <= MESSAGE_BLOCKS_MAX
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
    return payload


def rendered(agenda: Agenda, **values: Any) -> dict[str, Any]:
    return valid(render.agenda_message(meeting(**values), agenda, starts_at=START, tz=BERLIN))


def test_agenda_numbers_each_item_with_its_time_timebox_owner_and_reason() -> None:
    decision = item(
        7,
        facts.DECISION,
        ref="request:3",
        title="Apollo",
        minutes=10,
        detail="Second vendor?",
        options=("Yes", "No"),
        due="2026-12-04",
        request_id=3,
    )
    agenda = Agenda(items=(decision, item(2)), since="2026-11-16T09:00:00+00:00")

    payload = rendered(agenda, portfolio="Payments")
    text = text_of(payload)

    assert payload["blocks"][0]["text"]["text"] == (
        "Steering agenda · Mon 30 Nov 2026, 10:00 (Europe/Berlin)"
    )
    assert "*1. Apollo* · 10:00 · 10 min · <@ULEAD>" in text
    decided = ":question: Decision — Second vendor?\nOptions: Yes · No\nDecide by Fri 4 Dec 2026"
    assert decided in text
    assert "*2. Program 2* · 10:10 · 8 min · <@ULEAD>" in text
    assert "2 items, 18 of 60 min" in text
    assert "the *Payments* portfolio" in text
    assert "exceptions since the meeting of Mon 16 Nov 2026" in text
    assert payload["text"].startswith("Steering agenda · Mon 30 Nov 2026, 10:00 (Europe/Berlin)")


def test_an_empty_agenda_says_so() -> None:
    payload = rendered(Agenda(items=()), portfolio="<!here>")
    text = text_of(payload)

    assert "Nothing on the agenda" in text
    assert "&lt;!here&gt;" in text and "<!here>" not in text
    assert "every open exception (no earlier meeting)" in text


def test_not_scheduled_items_are_listed_with_the_count_of_the_rest() -> None:
    agenda = Agenda(
        items=(item(1),),
        unscheduled=tuple(item(n) for n in range(2, 52)),
        not_listed=262,
    )

    payload = rendered(agenda)
    text = text_of(payload)

    assert "*Not scheduled* (312)" in text
    assert "• Program 2 — :red_circle: New red · <@ULEAD>" in text
    assert "…and 262 more." in text
    assert "1 item, 312 not scheduled" in payload["text"]


def test_hostile_text_is_shown_as_text_and_never_pings_or_links() -> None:
    nasty = item(
        1,
        facts.DECISION,
        title=HOSTILE,
        detail=HOSTILE,
        options=(HOSTILE, "B"),
        owner_id="<!channel>",
    )
    agenda = Agenda(items=(nasty,), unscheduled=(item(2, title=HOSTILE),))

    payload = rendered(agenda, portfolio=HOSTILE)
    raw = json.dumps(payload)

    for live in ("<!channel>", "<@U999>", "<https://evil|x>"):
        assert live not in raw
    assert "&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil|x&gt; &amp; co" in text_of(payload)


@pytest.mark.parametrize("count", [1, 40, 47, 48, 120, 210])
def test_any_number_of_items_stays_inside_slacks_limits(count: int) -> None:
    items = tuple(
        item(n, title=f"{n} {LONG}", detail=LONG, options=(LONG,) * 5, minutes=3)
        for n in range(1, count + 1)
    )
    agenda = Agenda(items=items, unscheduled=items[:50], not_listed=10_000)

    payload = rendered(agenda, portfolio=LONG)
    text = text_of(payload)

    assert f"*1. 1 {'y' * 10}" in text
    if count <= 47 - 2:  # one section each while they fit
        assert f"*{count}. {count} " in text


def test_many_items_share_sections_before_any_is_dropped() -> None:
    items = tuple(item(n, minutes=3) for n in range(1, 161))

    text = text_of(rendered(Agenda(items=items)))

    assert "*160. Program 160*" in text and "more items" not in text


# --- the pre-read DM ------------------------------------------------------------------------


POST = START - timedelta(hours=1)


def test_one_item_reads_as_one_sentence_with_a_submit_update_button() -> None:
    payload = valid(
        render.preread_message(
            meeting(),
            [item(5, title="Apollo", detail="red since Tue 3 Nov")],
            starts_at=START,
            post_at=POST,
            tz=BERLIN,
            updatable={"program:5"},
        )
    )

    assert payload["text"].startswith(
        "*Apollo* is on Monday's steering agenda: red since Tue 3 Nov. Update before 09:00?"
    )
    [button] = [b["accessory"] for b in payload["blocks"] if "accessory" in b]
    assert (button["action_id"], button["value"]) == (SUBMIT_ACTION, "5")
    assert "starts Mon 30 Nov 2026 at 10:00 your time" in text_of(payload)


def test_several_items_in_the_owners_zone_buttons_only_for_programs() -> None:
    action = item(9, facts.ACTION, ref="action:9", title="Send the plan", detail="A-1 · due …")
    payload = valid(
        render.preread_message(
            meeting(),
            [item(5, title="Apollo"), action],
            starts_at=START,
            post_at=POST,
            tz="Asia/Tokyo",
            updatable={"program:5"},
        )
    )

    assert payload["text"].startswith(
        "You have 2 items on Monday's steering agenda. Update before 17:00?"
    )
    assert "starts Mon 30 Nov 2026 at 18:00 your time" in text_of(payload)
    assert [b["accessory"]["value"] for b in payload["blocks"] if "accessory" in b] == ["5"]


def test_preread_escapes_and_stays_valid_for_a_long_list() -> None:
    items = [item(n, title=HOSTILE, detail=LONG) for n in range(1, 80)]
    payload = valid(
        render.preread_message(
            meeting(),
            items,
            starts_at=START,
            post_at=POST,
            tz=BERLIN,
            updatable={i.ref for i in items},
        )
    )

    assert "<!channel>" not in json.dumps(payload)
    assert "…and 59 more." in text_of(payload)
