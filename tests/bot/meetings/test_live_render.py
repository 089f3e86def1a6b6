"""The live message, the modals and the minutes: inside Slack's limits whatever the agenda
holds, user text escaped; and how `meeting show` reads the day a meeting was held."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from bot.blocks import meeting_live as render
from bot.blocks.common import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from bot.dates import parse_date
from bot.meetings import facts
from bot.meetings.minutes import held_day
from bot.sandbox.blockkit import validate_message, validate_view
from storage.models import ActionItem, Decision, DecisionRequest, Program
from tests.flow import text_of

HOSTILE = "<!channel> <https://evil.example|click> & <@U999> " * 40
NOW = datetime(2026, 12, 7, 9, 14, tzinfo=UTC)  # 10:14 in Berlin


def item(n: int, **values: object) -> facts.AgendaItem:
    defaults: dict[str, object] = {
        "ref": f"program:{n}",
        "kind": facts.RED,
        "title": f"Program {n} {HOSTILE}",
        "owner_id": "ULEAD",
        "minutes": 8,
        "program_id": n,
    }
    return facts.AgendaItem(**(defaults | values))  # type: ignore[arg-type]


def live_view(items: list[facts.AgendaItem], **values: object) -> render.LiveView:
    program = Program(
        id=1, name=HOSTILE, rag="red", last_summary=HOSTILE, path_to_green=HOSTILE, key="p"
    )
    request = DecisionRequest(
        question=HOSTILE, options=["A <!here>", "B"], by_date=date(2026, 12, 9)
    )
    defaults: dict[str, object] = {
        "occurrence_id": 42,
        "channel_id": "CSTEER",
        "chair_id": "ULEAD",
        "tz": "Europe/Berlin",
        "items": items,
        "unscheduled": frozenset(i.ref for i in items[5:]),
        "position": 0,
        "outcomes": {},
        "current": render.Current(
            item=items[int(values.get("position", 0))],  # type: ignore[call-overload]
            program=program,
            request=request,
            since=NOW,
        ),
        "decisions": 0,
        "actions": 0,
        "started_at": NOW,
        "started_by": "ULEAD2",
    }
    return render.LiveView(**(defaults | values))  # type: ignore[arg-type]


def assert_inside_limits(payload: dict[str, object]) -> None:
    assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
    blocks = payload["blocks"]
    assert isinstance(blocks, list) and len(blocks) <= MESSAGE_BLOCKS_MAX
    shown = "\n".join([str(payload["text"]), *mrkdwn_of(payload)])
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://" not in shown
    assert "<@U999>" not in shown


def mrkdwn_of(node: object) -> list[str]:
    """Every mrkdwn text in a payload (plain_text shows as typed: it needs no escaping)."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            return [str(node["text"])]
        return [text for value in node.values() for text in mrkdwn_of(value)]
    if isinstance(node, list):
        return [text for value in node for text in mrkdwn_of(value)]
    return []


def test_the_live_message_shows_the_item_its_context_and_its_timebox() -> None:
    payload = render.live_message(live_view([item(1), item(2)]))
    shown = text_of(payload)
    assert "*Item 1 of 2* · :red_circle: Red program" in shown
    assert ":stopwatch: 8 min · since 10:14, until 10:22" in shown
    assert "_Path to green:_ &lt;!channel&gt;" in shown
    assert "*Options:* A &lt;!here&gt; · B" in shown and "Needed by Wed 9 Dec 2026" in shown
    assert "So far: 0 decisions · 0 actions · 0 parked · 0 discussed" in shown
    assert_inside_limits(payload)


def test_the_live_message_stays_inside_the_limits_with_hundreds_of_items() -> None:
    items = [item(n) for n in range(1, 300)]
    payload = render.live_message(live_view(items, position=7))
    assert_inside_limits(payload)
    [controls] = [b for b in payload["blocks"] if b["type"] == "actions"]
    [take] = [e for e in controls["elements"] if e["action_id"] == render.TAKE_ACTION]
    assert len(take["options"]) == 100
    assert take["options"][0]["value"] == "42:7:program:9"
    assert "(not scheduled)" in text_of(payload)
    assert "Up next:" in text_of(payload) and "and 288 more" in text_of(payload)


def test_the_buttons_name_the_occurrence_the_item_shown_and_that_item() -> None:
    payload = render.live_message(live_view([item(1), item(2)], position=1))
    [controls] = [b for b in payload["blocks"] if b["type"] == "actions"]
    values = {e["action_id"]: e.get("value") for e in controls["elements"]}
    assert values[render.NEXT_ACTION] == "42:1:program:2"  # the item shown, where it was


def test_once_done_only_close_is_offered_and_once_closed_nothing() -> None:
    done = render.live_message(live_view([item(1), item(2)], position=1, current=None))
    [controls] = [b for b in done["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in controls["elements"]] == [render.CLOSE_ACTION]
    assert "All done: 2 items." in text_of(done)
    closed = render.live_message(
        live_view([item(1)], current=None, closed_at=NOW, closed_by=None, decisions=2)
    )
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]
    assert "closed at 10:14. The minutes are in the thread." in text_of(closed)
    assert "2 decisions" in text_of(closed)


def test_the_modals_are_valid_and_escape_the_item() -> None:
    request_item = item(1, kind=facts.DECISION, options=("A", "B"))
    decision = render.decision_modal(
        occurrence_id=42, item=request_item, options=["A", "B" * 200], chair_id="ULEAD"
    )
    assert validate_view(decision) == []
    assert decision["private_metadata"] == "42:program:1"
    blocks = {b.get("block_id"): b for b in decision["blocks"]}
    assert blocks["decided_by"]["element"]["initial_users"] == ["ULEAD"]
    assert "<!channel>" not in text_of(decision["blocks"][0])
    no_options = render.decision_modal(occurrence_id=42, item=item(2), options=[], chair_id="U1")
    assert "option" not in {b.get("block_id") for b in no_options["blocks"]}
    action = render.action_modal(occurrence_id=42, item=item(1), due=date(2026, 12, 14))
    assert validate_view(action) == []
    fields = {b.get("block_id"): b for b in action["blocks"]}
    assert fields["owner"]["element"]["initial_user"] == "ULEAD"
    assert fields["due"]["element"]["initial_date"] == "2026-12-14"


def minutes_facts(**values: object) -> render.MinutesFacts:
    defaults: dict[str, object] = {
        "channel_id": "CSTEER",
        "chair_id": "ULEAD",
        "tz": "Europe/Berlin",
        "starts_at": NOW,
        "closed_at": datetime(2026, 12, 7, 10, 5, tzinfo=UTC),
        "attendees": ["ULEAD", "ULEAD2"],
        "next_start": datetime(2026, 12, 21, 9, 0, tzinfo=UTC),
    }
    return render.MinutesFacts(**(defaults | values))  # type: ignore[arg-type]


def decision(n: int) -> Decision:
    return Decision(
        number=n,
        text=HOSTILE,
        rationale=HOSTILE,
        option="A <!here>",
        decided_by=["ULEAD", "UADMIN"],
    )


def action(n: int) -> ActionItem:
    return ActionItem(number=n, title=HOSTILE[:200], owner_id="ULEAD2", due_date=date(2026, 12, 14))


def test_what_was_recorded_on_an_item_keeps_the_message_inside_the_limits() -> None:
    view = live_view([item(1), item(2)])
    assert view.current is not None
    many = tuple(action(n) for n in range(1, 601))
    current = dataclasses.replace(view.current, decision=decision(1), actions=many)
    payload = render.live_message(dataclasses.replace(view, current=current))
    assert_inside_limits(payload)
    [controls] = [b for b in payload["blocks"] if b["type"] == "actions"]
    shown = [e["action_id"] for e in controls["elements"] if e["type"] == "button"]
    assert shown == [render.ADD_ACTION, render.NEXT_ACTION]  # decided: no second decision
    said = text_of(payload)
    assert "*Recorded on this item*" in said and "*D-1*" in said
    assert "*A-596*" in said and "*A-600*" in said and "*A-595*" not in said
    assert "…and 595 earlier actions" in said
    marked = "".join(mrkdwn_of(payload))  # plain_text (the select's options) is never parsed
    assert "<!channel>" not in marked and "<!here>" not in marked


def test_the_minutes_list_everything_escaped() -> None:
    payload = render.minutes_message(
        minutes_facts(
            decisions=[decision(1)],
            actions=[action(1)],
            parked=[item(3)],
            not_reached=[item(4)],
        )
    )
    shown = text_of(payload)
    assert "Minutes: steering meeting, Mon 7 Dec 2026" in shown
    assert "Mon 7 Dec 2026, 10:14–11:05 (Europe/Berlin) · chair <@ULEAD>" in shown
    assert "*D-1* &lt;!channel&gt;" in shown and "— option: A &lt;!here&gt;" in shown
    assert "Decided by <@ULEAD>, <@UADMIN>" in shown
    assert "*A-1* &lt;!channel&gt;" in shown and "<@ULEAD2> · due Mon 14 Dec 2026" in shown
    assert "*Parked* (1)" in shown and "*Not reached (carried to the next agenda)* (1)" in shown
    assert payload["text"].endswith("1 decision, 1 action, 1 parked, 1 not reached.")
    assert_inside_limits(payload)


def test_minutes_of_a_long_meeting_stop_at_fifty_blocks_with_a_note() -> None:
    payload = render.minutes_message(
        minutes_facts(
            decisions=[decision(n) for n in range(1, 400)],
            actions=[action(n) for n in range(1, 400)],
            not_reached=[item(n) for n in range(400)],
        )
    )
    assert_inside_limits(payload)
    assert len(payload["blocks"]) == MESSAGE_BLOCKS_MAX
    assert "`/pmo decisions` and `/pmo actions`" in text_of(payload["blocks"][-1])
    sections = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert all(len(text) <= SECTION_TEXT_MAX for text in sections)


def test_a_missed_meeting_says_so_and_where_its_agenda_goes() -> None:
    missed = minutes_facts(missed=True, not_reached=[item(1)])
    payload = render.minutes_message(missed)
    assert payload["text"] == (
        "The steering meeting in <#CSTEER> on Mon 7 Dec 2026 was not started: it is recorded "
        "as missed. Its agenda carries over to Mon 21 Dec 2026."
    )
    assert "*Carried over* (1)" in text_of(payload)
    assert_inside_limits(payload)
    assert render.missed_dm(missed)["text"] == (
        ":calendar: The steering meeting in <#CSTEER> on Mon 7 Dec was not started; its agenda "
        "carries over to Mon 21 Dec."
    )


TODAY = date(2026, 12, 10)  # a Thursday


def parse(text: str) -> date:
    return parse_date(text, now=datetime(2026, 12, 10, 12, tzinfo=UTC), tz="Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-07", date(2026, 12, 7)),
        ("yesterday", date(2026, 12, 9)),
        ("today", TODAY),
        ("monday", date(2026, 12, 7)),  # the last Monday, not the next
        ("7 Dec", date(2026, 12, 7)),  # this year's, not next year's
        ("Mon 7 Dec", date(2026, 12, 7)),  # 7 Dec 2027 is no Monday: still read
        ("24 Dec", date(2025, 12, 24)),  # not yet this year: last year's
        ("2027-01-04", date(2027, 1, 4)),  # a year typed is taken as typed
    ],
)
def test_the_day_a_meeting_was_held_is_read_as_a_past_day(text: str, day: date) -> None:
    assert held_day(text, today=TODAY, parse=parse) == day


def test_a_day_that_is_no_date_is_refused_with_the_text() -> None:
    from bot.errors import UserError

    with pytest.raises(UserError) as refused:
        held_day("someday soon", today=TODAY, parse=parse)
    assert "someday soon" in refused.value.message or refused.value.echo == "someday soon"
