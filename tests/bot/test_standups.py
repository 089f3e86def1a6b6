"""Stand-up rules without Slack: days and times, plans, replies, blockers, order and rendering."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import programs, standups, workspace
from bot.blocks import standups as render
from bot.errors import UserError
from bot.sandbox.blockkit import validate_message, validate_view
from storage.models import Person, Program, Standup
from tests.conftest import START

TEAM = "T0001"
LONG = "x" * 5000


def make_standup(**overrides: object) -> Standup:
    values: dict[str, object] = {
        "id": 7,
        "team_id": TEAM,
        "channel_id": "CTEAM",
        "facilitator_id": "ULEAD",
        "days": "mon-fri",
        "open_at": "09:30",
        "close_at": "11:30",
        "timezone": "Europe/Berlin",
        "questions": list(standups.DEFAULT_QUESTIONS),
        "participants": ["UA", "UB"],
        "created_at": START,
        "next_due_at": datetime(2026, 11, 26, 8, 30, tzinfo=UTC),
    }
    return Standup(**(values | overrides))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("Mon,Wed,Fri", (0, 2, 4)),
        ("mon, wed", (0, 2)),
        ("monday – wednesday", (0, 1, 2)),
        ("fri-mon", (0, 4, 5, 6)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("sun", (6,)),
    ],
)
def test_days_are_read_as_weekday_numbers(text: str, days: tuple[int, ...]) -> None:
    assert standups.parse_days(text) == days


@pytest.mark.parametrize("text", ["mon-fry", "xyz", "mon-", ""])
def test_unknown_days_are_refused_with_the_forms_that_work(text: str) -> None:
    with pytest.raises(UserError, match="is not a day"):
        standups.parse_days(text)


def test_days_are_stored_compactly() -> None:
    assert standups.format_days((0, 1, 2, 3, 4)) == "mon-fri"
    assert standups.format_days((0, 2, 4)) == "mon,wed,fri"
    assert standups.format_days((0, 1, 3, 4, 5)) == "mon,tue,thu-sat"


def test_when_takes_days_and_time_in_either_order() -> None:
    assert standups.parse_when("mon-fri 09:30") == ((0, 1, 2, 3, 4), time(9, 30))
    assert standups.parse_when("9:05 mon wed") == ((0, 2), time(9, 5))
    assert standups.parse_when("weekdays at 9:30 am") == ((0, 1, 2, 3, 4), time(9, 30))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("mon-fri", "one opening time"),
        ("09:30", "Which days"),
        ("mon 09:30 10:30", "one opening time"),
        ("mon 24:00", "not a time of day"),
    ],
)
def test_malformed_when_is_refused(text: str, why: str) -> None:
    with pytest.raises(UserError, match=why):
        standups.parse_when(text)


def test_plan_closes_two_hours_after_opening_by_default() -> None:
    plan = standups.make_plan(when="mon-fri 09:30", close=None, tz="europe/berlin", questions=None)
    assert (plan.closes, plan.window, plan.timezone) == (
        time(11, 30),
        timedelta(hours=2),
        "Europe/Berlin",
    )
    assert plan.questions == standups.DEFAULT_QUESTIONS
    assert plan.cadence.cron == "30 9 * * 1,2,3,4,5"


def test_plan_late_in_the_day_closes_before_midnight() -> None:
    plan = standups.make_plan(when="sun 23:00", close=None, tz="UTC", questions=None)
    assert plan.closes == time(23, 59)
    assert plan.cadence.cron == "0 23 * * 0"


def test_close_before_open_is_refused() -> None:
    with pytest.raises(UserError, match="before it opens at 09:30"):
        standups.make_plan(when="mon 09:30", close="09:00", tz="UTC", questions=None)


@pytest.mark.parametrize("text", ["a||b", "|", "|".join("q" * 7), "q" * 151])
def test_bad_questions_are_refused(text: str) -> None:
    with pytest.raises(UserError):
        standups.parse_questions(text)


def test_custom_questions_find_their_blockers_question() -> None:
    questions = standups.parse_questions(" Done? | Next?|Anything blocking you? ")
    assert questions == ("Done?", "Next?", "Anything blocking you?")
    assert standups.blocker_index(questions) == 2
    assert standups.blocker_index(("Mood?",)) is None


def test_edit_with_a_new_opening_keeps_the_window() -> None:
    plan = standups.change_plan(
        make_standup(), when="tue 14:00", close=None, tz=None, questions=None
    )
    assert (plan.days, plan.opens, plan.closes) == ((1,), time(14, 0), time(16, 0))
    assert plan.timezone == "Europe/Berlin"


def test_reply_lines_become_answers_without_bullets_or_numbers() -> None:
    text = "1. shipped it\n\n- next: tests\n• none"
    assert standups.split_reply(text, 3) == ["shipped it", "next: tests", "none"]
    assert standups.split_reply(text, 2) is None


def test_speaking_order_is_a_permutation_stable_within_a_run(
    sessions: sessionmaker[Session],
) -> None:
    people = [f"U{n}" for n in range(8)]
    with sessions.begin() as session:
        space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        standup = make_standup(id=None, participants=people)
        session.add(standup)
        session.flush()
        first, away = standups.speaking_order(session, standup=standup, now=START, workspace=space)
        second, _ = standups.speaking_order(session, standup=standup, now=START, workspace=space)
    assert sorted(first) == people and away == []
    assert first == second


def test_out_of_office_people_are_left_out_of_the_speaking_order(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        space = workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        session.add(
            Person(
                team_id=TEAM,
                user_id="UB",
                name="b",
                display_name="b",
                fetched_at=START,
                ooo_until=date(2026, 12, 1),
            )
        )
        standup = make_standup(id=None)
        session.add(standup)
        session.flush()
        order, away = standups.speaking_order(session, standup=standup, now=START, workspace=space)
    assert (order, away) == (["UA"], ["UB"])


def test_blocker_names_programs_by_key_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        for name in ("Apollo", "Apollo Migration", "Gemini"):
            programs.add_program(
                session,
                team_id=TEAM,
                actor_id="UADMIN",
                new=programs.NewProgram(name=name, owner_id="UA"),
                timezone="UTC",
                today=START.date(),
                now=START,
            )
        found = standups.named_programs(
            session, team_id=TEAM, text="Waiting on apollo-migration sign-off (Gemini team)."
        )
        keys = [program.key for program in found]
    assert keys == ["apollo", "apollo-migration", "gemini"]


def make_summary(people: int, answer: str) -> standups.Summary:
    users = [f"U{n:03d}" for n in range(people)]
    return standups.Summary(
        channel_id="CTEAM",
        day=date(2026, 11, 26),
        live=False,
        blockers=[
            standups.Blocker(u, answer, (("Apollo", "apollo", n),)) for n, u in enumerate(users)
        ],
        answers=[(u, [(q, answer) for q in standups.DEFAULT_QUESTIONS]) for u in users],
        missing=["UMISSING"],
        skipped=[("UAWAY", standups.SkipReason.OUT_OF_OFFICE)],
    )


@pytest.mark.parametrize(("people", "answer"), [(1, "short"), (50, LONG), (50, "fine")])
def test_summary_stays_valid_block_kit_with_blockers_first(people: int, answer: str) -> None:
    payload = render.summary_message(make_summary(people, answer))

    assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
    texts = [block.get("text", {}).get("text", "") for block in payload["blocks"]]
    assert texts[2].startswith("*Blockers*")
    assert texts[-1] == "*Did not answer:* <@UMISSING>\n*Out of office:* <@UAWAY>"


def test_answer_modal_is_valid_prefilled_and_blockers_optional() -> None:
    view = render.answer_modal(make_standup(), run_id=3, previous=["did", "will", LONG], blocker=2)
    assert validate_view(view) == []
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["optional"] for b in inputs] == [False, False, True]
    assert inputs[0]["element"]["initial_value"] == "did"


def test_reply_fitting_several_standups_offers_one_button_each() -> None:
    runs = [(n, make_standup(channel_id=f"C{n}")) for n in range(3)]
    payload = render.which_standup(runs)
    assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
    values = [b["accessory"]["value"] for b in payload["blocks"] if "accessory" in b]
    assert values == ["0", "1", "2"]


def test_agenda_with_nothing_to_discuss_says_so() -> None:
    agenda = standups.Agenda(channel_id="CTEAM", day=None, blockers=[], red=[], carried=[])
    payload = render.agenda_message(agenda)
    assert "Nothing needs the meeting" in payload["text"]
    assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []


def test_agenda_and_lists_stay_valid_at_size() -> None:
    items = [standups.AgendaItem(f"U{n}", LONG, date(2026, 11, 25)) for n in range(60)]
    red = [
        Program(id=n, key=f"p{n}", name=f"Program {n}", owner_id="UA", flags={}) for n in range(20)
    ]
    agenda = standups.Agenda(
        channel_id="CTEAM", day=date(2026, 11, 26), blockers=items, red=red, carried=items
    )
    many = [make_standup(channel_id=f"C{n}") for n in range(200)]
    for payload in (
        render.agenda_message(agenda),
        render.live_message(agenda, actor_id="ULEAD", closes_at=START),
        render.list_message(many),
        render.order_message("CTEAM", order=[f"U{n}" for n in range(50)], away=["UX"]),
    ):
        assert validate_message(text=payload["text"], blocks=payload["blocks"]) == []
