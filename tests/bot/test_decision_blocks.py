"""The decision log's and actions' Block Kit stays valid with the longest text people may type,
and shows that text as text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.blocks import decisions as render
from bot.meetings.records import ActionLine, DecisionLine, LogPage, Page, RequestLine
from bot.sandbox.blockkit import validate_message, validate_view
from storage.models import Decision, DecisionRequest, Meeting, Program
from tests.flow import text_of

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
NASTY = "<!channel> <https://evil.example|click> & "
PROGRAM = Program(id=1, team_id="T", name=NASTY + "N" * 80, key="apollo")
MEETING = Meeting(id=1, channel_id="CSTEER", timezone="Europe/London")


def request(options: int = 6) -> DecisionRequest:
    return DecisionRequest(
        id=7,
        question=NASTY + "q" * 255,
        options=[f"{n}{NASTY}" + "o" * 55 for n in range(options)],
        by_date=date(2026, 12, 4),
        requested_by="ULEAD",
        sent_to_id="UOTHER",
    )


def decision() -> Decision:
    return Decision(
        number=3,
        text=NASTY + "d" * 2950,
        option="B",
        rationale=NASTY + "r" * 2950,
        decided_by=["UOTHER", "UADMIN"],
        recorded_by="UOTHER",
        decided_at=NOW,
    )


def action(n: int = 1) -> ActionLine:
    return ActionLine(
        id=n,
        number=n,
        title=NASTY + "t" * 150,
        owner_id="ULEAD",
        due=date(2026, 11, 20),
        state="open",
        created_by="UADMIN",
        done_by="ULEAD",
        program_name=NASTY,
        program_key="apollo",
        meeting_channel="CSTEER",
        held_on=date(2026, 11, 16),
    )


def valid(payload: dict) -> str:
    assert validate_message(text=payload["text"], blocks=payload.get("blocks")) == []
    said = text_of(payload)
    assert "<!channel>" not in said and "<https://evil" not in said
    return said


def test_the_sponsors_dm_and_its_after_are_valid_and_escaped() -> None:
    said = valid(render.sponsor_message(request(), PROGRAM))
    assert "&lt;!channel&gt;" in said
    valid(render.sponsor_decided(request(), PROGRAM, decision()))
    valid(render.requester_told(request(), PROGRAM, decision()))


def test_the_record_modal_is_valid_with_six_long_options() -> None:
    view = render.record_modal(request(), PROGRAM, recorder_id="UOTHER")
    assert validate_view(view) == []
    assert view["private_metadata"] == "7"
    select = next(b for b in view["blocks"] if b.get("block_id") == "option")["element"]
    assert [o["value"] for o in select["options"]] == ["0", "1", "2", "3", "4", "5"]


def test_lists_of_the_longest_lines_stay_valid() -> None:
    lines = [
        DecisionLine(
            number=n,
            decided_at=NOW,
            text=NASTY + "d" * 2950,
            option="o" * 100,
            rationale=NASTY + "r" * 2950,
            decided_by=("U1", "U2"),
            program_name=NASTY,
            program_key="apollo",
        )
        for n in range(render.LIST_LIMIT)
    ]
    log = render.log_message(
        LogPage(lines, 500), program=PROGRAM, since=date(2026, 11, 1), tz="UTC"
    )
    assert "…and 460 more — `/pmo export decisions`" in valid(log)
    waiting = [
        RequestLine(
            id=n,
            question=NASTY + "q" * 255,
            options=tuple(request().options),
            by=None,
            requested_by="ULEAD",
            program_name=NASTY,
            program_key="apollo",
            meeting=MEETING,
            start=NOW,
            sent_to_id=None,
        )
        for n in range(render.LIST_LIMIT)
    ]
    valid(render.open_message(LogPage(waiting, 41), tz="Asia/Tokyo"))
    listed = render.actions_message(
        Page([action(n) for n in range(render.LIST_LIMIT)], 45), title=NASTY, today=NOW.date()
    )
    assert "…and 5 more — `/pmo export actions`" in valid(listed)


def test_action_dms_are_valid_and_carry_done() -> None:
    for payload in (
        render.action_assigned(action(), by="UADMIN"),
        render.action_due_soon(action()),
        render.action_overdue(action()),
    ):
        valid(payload)
        assert payload["blocks"][-1]["elements"][0]["action_id"] == render.DONE_ACTION
    done = render.action_done(action())
    assert "actions" not in [b["type"] for b in done["blocks"]]
    assert "from the meeting in <#CSTEER> on Mon 16 Nov 2026" in valid(done)


def test_a_meeting_start_is_said_in_its_own_zone() -> None:
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert render.meeting_when(MEETING, start, tz="Europe/London") == "Mon 7 Dec at 10:00"
    assert render.meeting_when(MEETING, start, tz="Asia/Tokyo") == (
        "Mon 7 Dec at 10:00 (Europe/London)"
    )
