"""Block Kit builders render in-memory models into payloads Slack accepts, whatever the sizes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.blocks import alerts, common, help, programs, raid, status
from bot.blocks.common import escape, escape_message, escape_pieces, truncate
from bot.dates import AmbiguousDate
from bot.errors import UserError
from bot.program_view import ProgramDetail
from bot.programs import Listing
from bot.raid import RaidPage
from bot.reruns import Rerun
from bot.sandbox.blockkit import validate_message, validate_view
from storage.models import AuditEvent, Milestone, Program, RaidItem, StatusUpdate

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
LONG = "x" * 10_000

Json = dict[str, Any]


def make_program(id: int = 1, **overrides: Any) -> Program:
    values: Json = {
        "id": id,
        "team_id": "T1",
        "key": "apollo" if id == 1 else f"prog{id}",
        "name": "Apollo" if id == 1 else f"Program {id}",
        "owner_id": "U1",
        "cadence": "weekly fri 10:00",
        "timezone": "UTC",
        "state": "active",
        "flags": {},
        "start_date": date(2026, 1, 5),
        "created_by": "U1",
        "created_at": NOW - timedelta(days=30),
        "updated_at": NOW - timedelta(days=1),
    }
    return Program(**(values | overrides))


def make_update(id: int = 7, **overrides: Any) -> StatusUpdate:
    values: Json = {
        "id": id,
        "team_id": "T1",
        "program_id": 1,
        "author_id": "U1",
        "created_at": NOW - timedelta(hours=2),
        "rag": "amber",
        "summary": "Vendor late on the API",
        "accomplishments": None,
        "next_steps": None,
        "blockers": None,
        "path_to_green": None,
        "recovery_date": None,
        "new_target_date": None,
        "source": "modal",
        "edited_at": None,
    }
    return StatusUpdate(**(values | overrides))


def make_item(id: int = 1, **overrides: Any) -> RaidItem:
    values: Json = {
        "id": id,
        "team_id": "T1",
        "program_id": 1,
        "kind": "risk",
        "title": f"Risk {id}",
        "likelihood": 3,
        "impact": 4,
        "score": 12,
        "owner_id": "U2",
        "due_date": None,
        "mitigation": None,
        "blocking": False,
        "state": "open",
        "escalated_at": None,
    }
    return RaidItem(**(values | overrides))


def assert_valid(payload: Json) -> None:
    assert validate_message(text=payload.get("text"), blocks=payload.get("blocks")) == []
    assert payload["text"].strip(), "a message always has a plain-text fallback"


def block_texts(blocks: list[Json]) -> str:
    """Every text shown in the blocks, in order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


def elements(payload: Json) -> list[Json]:
    return [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def input_element(view: Json, block_id: str) -> Json:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == block_id)


# --- common ---------------------------------------------------------------------------------


def test_truncate_keeps_text_within_the_limit() -> None:
    assert common.truncate("abc", 3) == "abc"
    assert common.truncate("abcd", 3) == "ab…"
    assert len(common.truncate(LONG, 3000)) == 3000


def test_chunk_lines_joins_lines_until_the_limit() -> None:
    assert common.chunk_lines(["aaa", "bbb", "ccc"], limit=7) == ["aaa\nbbb", "ccc"]


def test_chunk_lines_cuts_a_line_longer_than_the_limit() -> None:
    chunks = common.chunk_lines(["short", "y" * 50], limit=10)
    assert chunks == ["short", "yyyyyyyyy…"]


def test_chunk_lines_keeps_every_line_in_order_within_the_limit() -> None:
    lines = [f"line {i} " + "z" * (i % 40) for i in range(500)]
    chunks = common.chunk_lines(lines, limit=3000)
    assert all(len(c) <= 3000 for c in chunks)
    assert "\n".join(chunks).split("\n") == lines


def test_chunk_lines_of_nothing_is_nothing() -> None:
    assert common.chunk_lines([]) == []


def test_message_cuts_fallback_text_and_blocks_to_slack_limits() -> None:
    payload = common.message(LONG, [common.divider()] * 60)
    assert len(payload["text"]) == 3000
    assert len(payload["blocks"]) == 50


def test_trend_strip_shows_oldest_first_from_newest_first_input() -> None:
    assert status.trend_strip(["red", "amber", "green"]) == "🟢🟡🔴"


def test_trend_strip_marks_unknown_colours_and_empty_history() -> None:
    assert status.trend_strip(["green", "purple"]) == "⚪🟢"
    assert status.trend_strip([]) == "—"


# --- status: receipt, channel post, modal ---------------------------------------------------


def test_receipt_with_huge_summary_and_blockers_is_valid_and_marks_the_cut() -> None:
    update = make_update(summary=LONG, blockers=LONG)
    payload = status.receipt(make_program(), update, needs_plan=False)
    assert_valid(payload)
    shown = block_texts(payload["blocks"])
    assert "Stored the status of *Apollo*" in shown
    assert "…" in shown
    assert [e["action_id"] for e in elements(payload)] == ["status_edit"]


def test_receipt_needing_a_plan_offers_add_path_to_green_first() -> None:
    payload = status.receipt(make_program(), make_update(), needs_plan=True)
    assert_valid(payload)
    assert [e["action_id"] for e in elements(payload)] == ["status_add_plan", "status_edit"]
    assert "NO_RECOVERY_PLAN" in block_texts(payload["blocks"])


def test_receipt_of_an_edited_update_says_edited() -> None:
    payload = status.receipt(make_program(), make_update(edited_at=NOW), needs_plan=False)
    assert "Edited the status of *Apollo*" in payload["text"]


def test_receipt_keeps_the_recovery_plan_warning_when_every_field_is_long() -> None:
    update = make_update(summary=LONG, accomplishments=LONG, next_steps=LONG, blockers=LONG)
    payload = status.receipt(make_program(), update, needs_plan=True)
    assert_valid(payload)
    assert "NO_RECOVERY_PLAN" in block_texts(payload["blocks"])


def test_channel_post_with_huge_summary_and_blockers_is_valid_and_marks_the_cut() -> None:
    update = make_update(summary=LONG, blockers=LONG)
    payload = status.channel_post(make_program(), update, trend=["amber", "green"])
    assert_valid(payload)
    shown = block_texts(payload["blocks"])
    assert "…" in shown
    assert "trend 🟢🟡" in shown
    assert "`/pmo program show apollo`" in shown
    assert payload["text"].startswith("*Apollo* is now amber (was green) — status from <@U1>")


def test_status_modal_is_prefilled_from_the_last_update() -> None:
    last = make_update(
        rag="amber",
        summary="Vendor late",
        blockers="Legal review",
        path_to_green="Second vendor",
        recovery_date=date(2026, 12, 18),
    )
    view = status.status_modal(program=make_program(), initial=last)
    assert validate_view(view) == []
    assert input_element(view, "rag")["initial_option"]["value"] == "amber"
    assert input_element(view, "summary")["initial_value"] == "Vendor late"
    assert input_element(view, "blockers")["initial_value"] == "Legal review"
    assert input_element(view, "path_to_green")["initial_value"] == "Second vendor"
    assert input_element(view, "recovery_date")["initial_date"] == "2026-12-18"
    assert "initial_value" not in input_element(view, "next_steps")
    assert json.loads(view["private_metadata"]) == {"program_id": 1, "update_id": None}
    assert view["title"]["text"] == "Status update"


def test_status_modal_with_a_huge_last_summary_stays_valid() -> None:
    view = status.status_modal(program=make_program(), initial=make_update(summary=LONG))
    assert validate_view(view) == []
    assert len(input_element(view, "summary")["initial_value"]) == 3000


def test_status_modal_for_editing_says_so_and_carries_the_update_id() -> None:
    view = status.status_modal(program=make_program(), initial=make_update(), update_id=7)
    assert validate_view(view) == []
    assert view["title"]["text"] == "Edit update"
    assert json.loads(view["private_metadata"])["update_id"] == 7


def test_edit_modal_is_prefilled_with_the_new_target_date() -> None:
    update = make_update(new_target_date=date(2027, 3, 1))
    view = status.status_modal(program=make_program(), initial=update, update_id=7)
    assert input_element(view, "new_target_date").get("initial_date") == "2027-03-01"


def test_status_modal_with_150_programs_uses_a_search_picker() -> None:
    choices = [make_program(i) for i in range(1, 151)]
    picker = programs.program_picker(choices, action_id="status_pick_program", total=150)
    view = status.status_modal(program=None, initial=None, picker=picker)
    assert validate_view(view) == []
    assert input_element(view, "program")["type"] == "external_select"
    assert json.loads(view["private_metadata"])["program_id"] is None


def test_status_modal_with_5_programs_uses_a_static_picker() -> None:
    choices = [make_program(i) for i in range(1, 6)]
    picker = programs.program_picker(choices, action_id="status_pick_program", total=5)
    view = status.status_modal(program=None, initial=None, picker=picker)
    assert validate_view(view) == []
    element = input_element(view, "program")
    assert element["type"] == "static_select"
    assert [o["value"] for o in element["options"]] == ["1", "2", "3", "4", "5"]
    assert element["options"][0]["text"]["text"] == "Apollo (apollo)"


def test_program_picker_with_exactly_100_programs_is_static() -> None:
    choices = [make_program(i, name="N" * 200) for i in range(1, 101)]
    picker = programs.program_picker(choices, action_id="pick", total=100)
    assert picker["type"] == "static_select"
    view = status.status_modal(program=None, initial=None, picker=picker)
    assert validate_view(view) == []


# --- RAID -----------------------------------------------------------------------------------


def test_raid_modal_for_a_named_program_is_valid() -> None:
    view = raid.raid_modal(program=make_program(), program_picker=None)
    assert validate_view(view) == []
    assert view["private_metadata"] == "1"
    assert all(b.get("block_id") != "program" for b in view["blocks"])


def test_raid_modal_without_a_program_has_a_picker() -> None:
    choices = [make_program(i) for i in range(1, 151)]
    picker = programs.program_picker(choices, action_id="raid_program", total=150)
    view = raid.raid_modal(program=None, program_picker=picker)
    assert validate_view(view) == []
    assert input_element(view, "program")["type"] == "external_select"
    assert view["private_metadata"] == ""


def test_raid_list_with_40_items_fits_one_message() -> None:
    program = make_program()
    items = [
        (make_item(i, title="T" * 3000, score=25 - i % 25, due_date=date(2026, 11, 1)), program)
        for i in range(1, 41)
    ]
    payload = raid.list_message(RaidPage(items=items, total=40), title="all", today=TODAY)
    assert_valid(payload)
    assert len(payload["blocks"]) <= 50
    assert "Showing the 15 highest scores of 40" in block_texts(payload["blocks"])
    assert "overdue" in block_texts(payload["blocks"])


def test_raid_list_item_has_mitigate_close_and_escalate() -> None:
    page = RaidPage(items=[(make_item(3, blocking=True), make_program())], total=1)
    payload = raid.list_message(page, title="apollo", today=TODAY)
    assert_valid(payload)
    assert [e["action_id"] for e in elements(payload)] == [
        "raid_mitigate",
        "raid_close",
        "raid_escalate",
    ]
    assert "*blocking*" in block_texts(payload["blocks"])


def test_empty_raid_list_says_so() -> None:
    payload = raid.list_message(RaidPage(items=[], total=0), title="mine", today=TODAY)
    assert_valid(payload)
    assert payload["text"] == "No open RAID items (mine)."


# --- program list and detail ----------------------------------------------------------------


def listed_program(i: int) -> Program:
    return make_program(
        i,
        name=f"Program {i} " + "N" * 190,
        rag=("green", "amber", "red", None)[i % 4],
        state=("active", "paused")[i % 2],
        last_update_at=NOW - timedelta(days=i % 30) if i % 5 else None,
        flags={"RED": "reported red", "HIGH_RISK": "r"} if i % 3 == 0 else {},
    )


def test_program_list_of_the_first_40_of_1000_is_valid_and_says_so() -> None:
    shown = [listed_program(i) for i in range(1, 41)]
    payload = programs.list_message(Listing(programs=shown, total=1000), which="default", now=NOW)
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert payload["blocks"][0]["text"]["text"] == "1000 programs"
    assert "Showing the 40 most recently changed" in texts
    assert "Narrow with `mine`, `red` or `flagged`." in texts


def test_program_list_given_all_1000_programs_is_still_valid() -> None:
    every = [listed_program(i) for i in range(1, 1001)]
    payload = programs.list_message(Listing(programs=every, total=1000), which="all", now=NOW)
    assert_valid(payload)


def test_program_list_given_more_than_fit_says_how_many_it_shows() -> None:
    flagged = {code: "why" for code in ("RED", "OVERDUE_UPDATE", "STALE", "HIGH_RISK", "BLOCKED")}
    every = [make_program(i, name="N" * 200, flags=flagged) for i in range(1, 1001)]
    payload = programs.list_message(Listing(programs=every, total=1000), which="all", now=NOW)
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert "`prog1000`" in texts or "Showing the" in texts


def test_program_list_line_shows_rag_owner_age_and_flags() -> None:
    program = make_program(rag="red", last_update_at=NOW - timedelta(days=3), flags={"RED": "r"})
    payload = programs.list_message(Listing(programs=[program], total=1), which="mine", now=NOW)
    assert_valid(payload)
    line = payload["blocks"][1]["text"]["text"]
    assert line == "🔴 *Apollo* `apollo` · <@U1> · updated 3d ago · ⚑ RED"
    assert payload["blocks"][0]["text"]["text"] == "1 program (mine)"


def test_empty_program_list_points_to_program_add() -> None:
    payload = programs.list_message(Listing(programs=[], total=0), which="default", now=NOW)
    assert_valid(payload)
    assert "`/pmo program add &lt;name&gt; owner:@lead`" in payload["text"]


def long_detail() -> ProgramDetail:
    program = make_program(
        name="A" * 200,
        sponsor_id="U9",
        portfolio="P" * 80,
        channel_id="C1",
        target_date=date(2026, 12, 31),
        rag="amber",
    )
    recent = [
        make_update(
            100 - n,
            rag=("amber", "red", "green")[n % 3],
            created_at=NOW - timedelta(days=7 * n),
            summary=LONG,
            accomplishments=LONG,
            next_steps=LONG,
            blockers=LONG,
            path_to_green=LONG,
            recovery_date=date(2027, 1, 15),
            new_target_date=date(2027, 2, 1),
        )
        for n in range(6)
    ]
    reason = "because " + "r" * 2000
    items = [(make_item(i, title="T" * 3000, score=25), program) for i in range(1, 6)]
    milestones = [
        Milestone(
            id=i,
            name=f"M{i} " + "m" * 196,
            due_date=TODAY + timedelta(days=i - 10),
            done_at=NOW if i % 4 == 0 else None,
        )
        for i in range(1, 26)
    ]
    history = [
        AuditEvent(id=i, actor_id="U3", at=NOW - timedelta(hours=i), action="edit")
        for i in range(1, 6)
    ]
    return ProgramDetail(
        program=program,
        delegates=["U4", "U5"],
        recent=recent,
        flags={code: reason for code in ("RED", "HIGH_RISK", "BLOCKED", "MILESTONE_LATE")},
        risks=RaidPage(items=items, total=12),
        milestones=milestones,
        changes=history,
        today=TODAY,
    )


def test_program_detail_with_long_texts_is_valid() -> None:
    payload = programs.detail_message(long_detail(), now=NOW)
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert payload["blocks"][0]["type"] == "header"
    assert "…and 7 more: `/pmo risks apollo`" in texts
    assert "…and 5 more" in texts
    assert "⚑ *RED*" in texts
    assert "d late" in texts
    assert "*Earlier updates*" in texts
    assert "*Recent changes*" in texts


def test_program_detail_without_updates_says_how_to_give_one() -> None:
    detail = ProgramDetail(
        program=make_program(),
        delegates=[],
        recent=[],
        flags={},
        risks=RaidPage(items=[], total=0),
        milestones=[],
        changes=[],
        today=TODAY,
    )
    payload = programs.detail_message(detail, now=NOW)
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert "*Status due* every Friday at 10:00, UTC" in texts
    assert "no update yet — `/pmo status apollo`" in texts
    assert "*Open RAID items* none" in texts
    assert "*Flags*" not in texts


def test_program_detail_trend_is_oldest_first() -> None:
    detail = long_detail()
    payload = programs.detail_message(detail, now=NOW)
    # recent is newest first: amber, red, green, amber, red, green
    assert "(trend 🟢🔴🟡🟢🔴🟡)" in payload["blocks"][1]["text"]["text"]


def test_program_added_receipt_is_valid() -> None:
    program = make_program(channel_id="C1", target_date=date(2026, 12, 31))
    payload = programs.added_message(program)
    assert_valid(payload)
    assert "key `apollo`" in payload["text"]
    assert "status due every Friday at 10:00, UTC" in payload["text"]


def test_program_added_receipt_says_a_crontab_in_words_with_its_zone() -> None:
    program = make_program(cadence="0 9 * * 1-5", timezone="Europe/Berlin")
    text = programs.added_message(program)["text"]
    assert "status due at 09:00, Monday through Friday, Europe/Berlin" in text


def test_program_modal_is_valid_and_keeps_values() -> None:
    view = programs.program_modal(
        callback_id="program_add",
        title="Register a program",
        initial={"name": "Apollo", "owner": "U1", "channel": "C1", "target": date(2027, 1, 1)},
    )
    assert validate_view(view) == []
    assert input_element(view, "name")["initial_value"] == "Apollo"
    assert input_element(view, "target")["initial_date"] == "2027-01-01"


# --- help and errors ------------------------------------------------------------------------


@pytest.mark.parametrize("topic", sorted(help.TOPICS))
def test_help_for_each_topic_is_valid_and_lists_its_commands(topic: str) -> None:
    payload = help.help_message(topic)
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert "I have no help" not in texts
    for path in help.TOPICS[topic][1]:
        assert escape(help.USAGE[path]) in texts


def test_help_overview_is_valid() -> None:
    payload = help.help_message()
    assert_valid(payload)
    assert "*PMO Bot*" in block_texts(payload["blocks"])


def test_help_on_an_unknown_topic_says_so_and_shows_the_overview() -> None:
    payload = help.help_message("quantum")
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert "I have no help on “quantum”" in texts
    assert "*PMO Bot*" in texts


@pytest.mark.parametrize("topic", ["status", "risk"])
def test_help_topics_named_in_the_overview_exist(topic: str) -> None:
    assert f"`/pmo help {topic}`" in block_texts(help.help_message()["blocks"])
    assert "I have no help" not in block_texts(help.help_message(topic)["blocks"])


def test_error_message_says_what_is_wrong_echoes_input_and_ends_with_usage() -> None:
    error = UserError("Unknown colour.", usage="/pmo status", echo="status apollo purple")
    payload = help.error_message(error)
    assert_valid(payload)
    text = payload["text"]
    assert text.startswith(":warning: Unknown colour.")
    assert "You typed: `status apollo purple`" in text
    assert payload["blocks"][-1]["text"]["text"] == "Usage: `/pmo status`"


def test_error_message_without_echo_or_usage_is_just_the_message() -> None:
    payload = help.error_message(UserError("That program no longer exists."))
    assert_valid(payload)
    assert payload["text"] == ":warning: That program no longer exists."


def test_error_message_with_a_long_echo_keeps_it_whole_and_ends_with_usage() -> None:
    echo = "status apollo amber " + "w" * 3500
    payload = help.error_message(UserError("Bad.", usage="/pmo status", echo=echo))
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    assert "w" * 3500 in texts.replace("\n", "").replace("`", "")
    assert texts.endswith("Usage: `/pmo status`")


def test_help_on_dates_lists_the_phrases_people_type() -> None:
    payload = help.help_message("dates")
    assert_valid(payload)
    texts = block_texts(payload["blocks"])
    for phrase in ("`EOD`", "`EOW`", "`end of Q1`", "`Q1 2027`", "`H1`", "`in 2w`", "`tmrw`"):
        assert phrase in texts
    assert "`03/04/2026` can be 3 Apr or 4 Mar, so I ask which" in texts


def test_an_ambiguous_date_in_a_command_offers_both_readings_as_buttons() -> None:
    error = AmbiguousDate("03/04/2027", (date(2027, 4, 3), date(2027, 3, 4)))
    command = Rerun("U1", 'milestone add apollo "Cutover" due:03/04/2027')
    payload = help.error_message(error, command=command)
    assert_valid(payload)
    assert payload["text"].startswith(":warning: “03/04/2027” could be 3 Apr or 4 Mar — which?")
    buttons = payload["blocks"][1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Sat 3 Apr 2027", "Thu 4 Mar 2027"]
    assert [b["action_id"] for b in buttons] == list(help.READING_ACTIONS)
    assert [Rerun.read(b["value"]).text for b in buttons] == [
        'milestone add apollo "Cutover" due:2027-04-03',
        'milestone add apollo "Cutover" due:2027-03-04',
    ]


def test_an_ambiguous_date_outside_a_command_says_how_to_type_each_reading() -> None:
    error = AmbiguousDate("03/04/2027", (date(2027, 4, 3), date(2027, 3, 4)))
    payload = help.error_message(error)
    assert_valid(payload)
    assert "Type it again with `2027-04-03` (Sat 3 Apr 2027) or `2027-03-04`" in payload["text"]
    assert all(b["type"] == "section" for b in payload["blocks"])


def test_an_ambiguous_date_in_a_command_too_long_for_a_button_says_so() -> None:
    error = AmbiguousDate("03/04/2027", (date(2027, 4, 3), date(2027, 3, 4)))
    command = Rerun("U1", f'milestone add apollo "{"n" * 2000}" due:03/04/2027')
    payload = help.error_message(error, command=command)
    assert_valid(payload)
    assert "too long to run again from a button: type it with `2027-04-03`" in payload["text"]
    assert all(b["type"] == "section" for b in payload["blocks"])


# --- alerts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raised", [True, False])
def test_flag_alert_is_valid_and_names_the_program(raised: bool) -> None:
    payload = alerts.flag_alert(make_program(), code="HIGH_RISK", raised=raised, reason=LONG)
    assert_valid(payload)
    words = "has a high risk" if raised else "no longer has a high risk"
    assert f"*Apollo* {words}" in payload["text"]


def test_escalation_is_valid() -> None:
    item = make_item(mitigation=LONG, title="T" * 3000)
    payload = alerts.escalation(make_program(), item, actor_id="U7")
    assert_valid(payload)


def test_a_cut_never_leaves_half_an_entity() -> None:
    for size in range(2, 12):
        cut = truncate(escape("<&>" * 5), size)
        body = cut.removesuffix("…")
        assert body.replace("&lt;", "").replace("&amp;", "").replace("&gt;", "") == ""


def test_escaped_pieces_fit_and_join_back() -> None:

    text = "a<b&c>d" * 300
    pieces = escape_pieces(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert "".join(pieces) == escape(text)
    assert all(not p.startswith(("lt;", "t;", "amp;", "mp;", "p;", ";")) for p in pieces)


def test_error_text_keeps_the_bots_own_references_and_escapes_the_users() -> None:

    said = escape_message("“<@U1> <!channel>” is not a person; ask <@U2> in <#C3>. *<!here>*")
    assert "<@U1>" not in said and "<!channel>" not in said and "<!here>" not in said
    assert "<@U2>" in said and "<#C3>" in said


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 blockers"), (1, "1 blocker"), (2, "2 blockers"), (-1, "-1 blockers")],
)
def test_plural_puts_the_noun_in_the_right_number(count: int, expected: str) -> None:
    assert common.plural(count, "blocker") == expected


def test_plural_takes_an_irregular_plural() -> None:
    assert common.plural(1, "entry", "entries") == "1 entry"
    assert common.plural(3, "entry", "entries") == "3 entries"


def test_rag_change_says_what_it_is_now_and_what_it_was() -> None:
    assert status.rag_change("Atlas", rag="amber", was="red") == "*Atlas* is now amber (was red)"
    assert status.rag_change("Atlas", rag="red", was="red") == "*Atlas* is red"
    assert status.rag_change("Atlas", rag="green", was=None) == "*Atlas* is green"
    assert status.rag_change("<!here>", rag="red", was="amber").startswith("*&lt;!here&gt;*")


def test_red_alerts_name_the_colour_before_and_after() -> None:
    worse = make_program(rag="red", trend=["red", "amber"], last_summary="vendor gone")
    raised = alerts.flag_alert(worse, code="RED", raised=True, reason="reported red")
    assert raised["text"] == ":rotating_light: *Apollo* is now red (was amber) — vendor gone"
    better = make_program(rag="amber", trend=["amber", "red"], last_summary="vendor back")
    cleared = alerts.flag_alert(better, code="RED", raised=False, reason="reported red")
    assert "*Apollo* is now amber (was red) — vendor back" in cleared["text"]
    first = make_program(rag="red", trend=["red"], last_summary="late")
    assert (
        "*Apollo* is red — late"
        in alerts.flag_alert(first, code="RED", raised=True, reason="x")["text"]
    )


def test_digest_headline_counts_one_program_in_the_singular() -> None:
    from bot.blocks import digest as digest_blocks
    from bot.digest import Changes, ProgramLine, Snapshot

    line = ProgramLine(1, "apollo", "Apollo", "U1", "green", 3, None, None, ["green"], {})
    snapshot = Snapshot(taken_at=NOW, portfolio=None, programs=[line])
    [top, *_] = digest_blocks.render(snapshot, Changes([], [], [], [], first=True), period="x")
    assert "*1 program*: 🔴 0 red" in top["text"]


def test_raid_modal_labels_each_level_with_its_5x5_word() -> None:
    view = raid.raid_modal(program=make_program(), program_picker=None)
    assert validate_view(view) == []
    selects = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    likelihood = [o["text"]["text"] for o in selects["likelihood"]["options"]]
    impact = [o["text"]["text"] for o in selects["impact"]["options"]]
    assert likelihood == [
        "1 — rare",
        "2 — unlikely",
        "3 — possible",
        "4 — likely",
        "5 — almost certain",
    ]
    assert impact == ["1 — negligible", "2 — minor", "3 — moderate", "4 — major", "5 — severe"]
    assert selects["likelihood"]["initial_option"]["value"] == "3"
