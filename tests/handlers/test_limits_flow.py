"""Text longer than its field is refused the same way on SQLite and PostgreSQL, on every path.

Each case sends text through one way people type into one stored field (a command, a modal,
a DM): one character over the field's limit is refused with a message naming the field, the
limit and the length, echoing what was typed, and nothing is stored; at the limit it is stored
whole. Run with TEST_DATABASE_URL set, PostgreSQL would have failed the over-long requests with
a `DataError` (and SQLite silently stored them) before the limits were enforced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import limits
from bot.blocks.common import escape
from bot.sandbox.driver import Reply, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    IntakeRequest,
    Milestone,
    Program,
    RaidItem,
    StandupAnswer,
    StatusUpdate,
    StrategicGoal,
)
from tests.conftest import Bot, ManualClock
from tests.flow import echo_of, text_of

FRIDAY_10_BERLIN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Apollo's first prompt
THU_STANDUP_OPEN = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
INTAKE = {
    "title": "Customer portal redesign",
    "problem": "Customers cannot find their invoices.",
    "business_value": "8",
    "time_criticality": "5",
    "risk_reduction": "3",
    "job_size": "5",
}


def sample(length: int) -> str:
    """Text of exactly `length` characters, with the characters mrkdwn needs escaped."""
    return ("<&>" + "x" * length)[:length]


def status_cron(length: int) -> str:
    """A valid status cadence (09:00 every day of every month) exactly `length` characters long:
    116 characters, plus a zero before up to nine of the months."""
    days = ",".join(str(day) for day in range(1, 32))
    pad = length - 116
    assert 0 <= pad <= 9
    months = ",".join(f"0{m}" if m <= pad else str(m) for m in range(1, 13))
    return f"0 9 {days} {months} *"


@dataclass
class World:
    """The test's Slack, bot and database, for the cases to drive."""

    slack: SlackDriver
    fake: FakeSlack
    bot: Bot
    sessions: sessionmaker[Session]
    clock: ManualClock
    run_pass: Callable[[datetime], Any]

    def command(self, user_id: str, template: str, text: str) -> Reply:
        """`template` with the text in place of `{text}`, escaped as Slack sends what people
        type (`&`, `<`, `>`; the mentions in the template are Slack's own)."""
        return self.slack.command(user_id, template.replace("{text}", escape(text)))

    def modal(self, user_id: str, command: str, values: dict[str, Any]) -> Reply:
        """Open a modal with a command and submit it."""
        self.slack.command(user_id, command)
        return self.slack.submit_view(user_id, self.fake.last_view(user_id), values)

    def dm(self, user_id: str, text: str) -> dict[str, Any]:
        """A DM as Slack sends it; the bot's reply in its thread."""
        self.slack.dm(user_id, escape(text))
        self.bot.settle()
        return self.fake.dms(user_id)[-1]

    def column(self, column: Any, *where: Any) -> list[Any]:
        """Every stored value of a column."""
        with self.sessions() as session:
            return list(session.scalars(select(column).where(*where)))


@dataclass(frozen=True)
class Case:
    """One way of typing into one field: send text, then read back what the field holds."""

    name: str
    field: limits.TextField
    kind: str  # "command", "modal" (its block id is `block`) or "dm"
    send: Callable[[World, str], Any]
    stored: Callable[[World], list[Any]]
    make: Callable[[int], str] = sample
    block: str = ""
    prepare: Callable[[World], None] = lambda world: None


def apollo(world: World) -> None:
    world.slack.command("UADMIN", "config pmo-channel <#CPMO|pmo>")
    world.slack.command(
        "UADMIN", 'program add Apollo owner:<@ULEAD|lee> cadence:"weekly fri 10:00"'
    )
    world.slack.command("ULEAD", "status apollo green all good")


def prompted(world: World) -> None:
    apollo(world)
    world.run_pass(FRIDAY_10_BERLIN)


def filed(world: World) -> None:
    world.fake.add_channel("CINTAKE", "intake", members=["UADMIN"])
    world.slack.command("UADMIN", "config intake-channel <#CINTAKE|intake>")
    world.modal("UOTHER", "intake", INTAKE)
    world.bot.settle()


def standup(world: World) -> None:
    world.fake.add_channel("CTEAM", "team", members=["ULEAD", "ULEAD2"])
    world.slack.command(
        "ULEAD", 'standup schedule <#CTEAM|team> "mon-fri 09:30" <@ULEAD2|kim>', channel_id="CTEAM"
    )
    world.run_pass(THU_STANDUP_OPEN)


def decide(world: World, action: str, values: dict[str, Any]) -> Reply:
    post = next(m for m in world.fake.messages("CINTAKE") if "INT-1" in m.get("text", ""))
    world.slack.click_button("UADMIN", post, f"intake_{action}")
    return world.slack.submit_view("UADMIN", world.fake.last_view("UADMIN"), values)


def standup_modal(world: World, text: str) -> Reply:
    asked = [m for m in world.fake.dms("ULEAD2") if m["text"].startswith(":wave: Stand-up in")]
    world.slack.click_button("ULEAD2", asked[-1], "standup_answer")
    values = {"q0": text, "q1": "write the tests", "q2": "none"}
    return world.slack.submit_view("ULEAD2", world.fake.last_view("ULEAD2"), values)


def first_answers(world: World) -> list[Any]:
    return [answer[0]["a"] for answer in world.column(StandupAnswer.answers)]


def risk(world: World) -> None:
    apollo(world)
    world.slack.command("ULEAD", 'risk apollo "Vendor may slip"')


def mitigate_modal(world: World, text: str) -> Reply:
    world.slack.click_button("ULEAD", world.slack.command("ULEAD", "risks").body, "raid_mitigate")
    return world.slack.submit_view("ULEAD", world.fake.last_view("ULEAD"), {"mitigation": text})


def close_modal(world: World, text: str) -> Reply:
    world.slack.click_button("ULEAD", world.slack.command("ULEAD", "risks").body, "raid_close")
    return world.slack.submit_view("ULEAD", world.fake.last_view("ULEAD"), {"reason": text})


def status_modal(block: str) -> Callable[[World, str], Reply]:
    values = {"summary": f"now with {block}"}  # else the same colour and summary is a repeat
    return lambda world, text: world.modal("ULEAD", "status apollo", {**values, block: text})


def raid_modal(block: str) -> Callable[[World, str], Reply]:
    values = {"title": "Vendor may slip"}
    return lambda world, text: world.modal("ULEAD", "risk apollo", {**values, block: text})


def intake_modal(block: str) -> Callable[[World, str], Reply]:
    return lambda world, text: world.modal("UOTHER", "intake", {**INTAKE, block: text})


def new_program(values: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Gemini", "owner": "ULEAD", **values}


def not_apollo(column: Any) -> Callable[[World], list[Any]]:
    return lambda world: world.column(column, Program.key != "apollo")


def of_apollo(column: Any) -> Callable[[World], list[Any]]:
    return lambda world: world.column(column, Program.key == "apollo")


def sponsored(world: World) -> None:
    apollo(world)
    world.slack.command("UADMIN", "program sponsor apollo <@UOTHER|otto>")


def asked(world: World) -> None:
    sponsored(world)
    world.slack.command("ULEAD", 'decision request apollo "Extend the pilot?" by:tomorrow')
    world.bot.settle()


def record_modal(values: Callable[[str], dict[str, Any]]) -> Callable[[World, str], Reply]:
    def send(world: World, text: str) -> Reply:
        dm = next(m for m in world.fake.dms("UOTHER") if "as sponsor" in m.get("text", ""))
        world.slack.click_button("UOTHER", dm, "decision_record")
        return world.slack.submit_view("UOTHER", world.fake.last_view("UOTHER"), values(text))

    return send


def stored_options(world: World) -> list[Any]:
    return [option for options in world.column(DecisionRequest.options) for option in options]


CASES = [
    Case(
        "program add command",
        limits.PROGRAM_NAME,
        "command",
        lambda w, text: w.command("UADMIN", "program add {text} owner:<@ULEAD|lee>", text),
        not_apollo(Program.name),
    ),
    Case(
        "program edit modal renames",
        limits.PROGRAM_NAME,
        "modal",
        lambda w, text: w.modal("ULEAD", "program edit apollo", {"name": text}),
        lambda w: w.column(Program.name),
        block="name",
        prepare=apollo,
    ),
    Case(
        "program portfolio command",
        limits.PORTFOLIO,
        "command",
        lambda w, text: w.command("ULEAD", "program portfolio apollo {text}", text),
        of_apollo(Program.portfolio),
        prepare=apollo,
    ),
    Case(
        "program add modal",
        limits.PORTFOLIO,
        "modal",
        lambda w, text: w.modal("UADMIN", "program add", new_program({"portfolio": text})),
        not_apollo(Program.portfolio),
        block="portfolio",
    ),
    Case(
        "program add command",
        limits.CADENCE,
        "command",
        lambda w, text: w.command(
            "UADMIN", 'program add Gemini owner:<@ULEAD|lee> cadence:"{text}"', text
        ),
        not_apollo(Program.cadence),
        make=status_cron,
    ),
    Case(
        "program edit modal",
        limits.CADENCE,
        "modal",
        lambda w, text: w.modal("ULEAD", "program edit apollo", {"cadence": text}),
        of_apollo(Program.cadence),
        make=status_cron,
        block="cadence",
        prepare=apollo,
    ),
    Case(
        "quick status command",
        limits.SUMMARY,
        "command",
        lambda w, text: w.command("ULEAD", "status apollo red {text}", text),
        lambda w: w.column(StatusUpdate.summary),
        prepare=apollo,
    ),
    Case(
        "status modal",
        limits.SUMMARY,
        "modal",
        status_modal("summary"),
        lambda w: w.column(StatusUpdate.summary),
        block="summary",
        prepare=apollo,
    ),
    Case(
        "prompt reply by DM",
        limits.SUMMARY,
        "dm",
        lambda w, text: w.dm("ULEAD", f"amber - {text}"),
        lambda w: w.column(StatusUpdate.summary),
        prepare=prompted,
    ),
    Case(
        "status modal",
        limits.ACCOMPLISHMENTS,
        "modal",
        status_modal("accomplishments"),
        lambda w: w.column(StatusUpdate.accomplishments),
        block="accomplishments",
        prepare=apollo,
    ),
    Case(
        "status modal",
        limits.NEXT_STEPS,
        "modal",
        status_modal("next_steps"),
        lambda w: w.column(StatusUpdate.next_steps),
        block="next_steps",
        prepare=apollo,
    ),
    Case(
        "prompt reply by DM",
        limits.NEXT_STEPS,
        "dm",
        lambda w, text: w.dm("ULEAD", f"amber - vendor late; next: {text}"),
        lambda w: w.column(StatusUpdate.next_steps),
        prepare=prompted,
    ),
    Case(
        "status modal",
        limits.BLOCKERS,
        "modal",
        status_modal("blockers"),
        lambda w: w.column(StatusUpdate.blockers),
        block="blockers",
        prepare=apollo,
    ),
    Case(
        "status modal",
        limits.PATH_TO_GREEN,
        "modal",
        status_modal("path_to_green"),
        lambda w: w.column(StatusUpdate.path_to_green),
        block="path_to_green",
        prepare=apollo,
    ),
    Case(
        "quick risk command",
        limits.RAID_TITLE,
        "command",
        lambda w, text: w.command("ULEAD", 'risk apollo "{text}"', text),
        lambda w: w.column(RaidItem.title),
        prepare=apollo,
    ),
    Case(
        "RAID modal",
        limits.RAID_TITLE,
        "modal",
        raid_modal("title"),
        lambda w: w.column(RaidItem.title),
        block="title",
        prepare=apollo,
    ),
    Case(
        "RAID modal",
        limits.RAID_DESCRIPTION,
        "modal",
        raid_modal("description"),
        lambda w: w.column(RaidItem.description),
        block="description",
        prepare=apollo,
    ),
    Case(
        "RAID modal",
        limits.MITIGATION,
        "modal",
        raid_modal("mitigation"),
        lambda w: w.column(RaidItem.mitigation),
        block="mitigation",
        prepare=apollo,
    ),
    Case(
        "mitigation modal",
        limits.MITIGATION,
        "modal",
        mitigate_modal,
        lambda w: w.column(RaidItem.mitigation),
        block="mitigation",
        prepare=risk,
    ),
    Case(
        "close modal",
        limits.CLOSE_REASON,
        "modal",
        close_modal,
        lambda w: w.column(RaidItem.close_reason),
        block="reason",
        prepare=risk,
    ),
    Case(
        "intake modal",
        limits.INTAKE_TITLE,
        "modal",
        intake_modal("title"),
        lambda w: w.column(IntakeRequest.title),
        block="title",
    ),
    Case(
        "intake modal",
        limits.PROBLEM,
        "modal",
        intake_modal("problem"),
        lambda w: w.column(IntakeRequest.problem),
        block="problem",
    ),
    Case(
        "intake modal",
        limits.NOTES,
        "modal",
        intake_modal("notes"),
        lambda w: w.column(IntakeRequest.notes),
        block="notes",
    ),
    Case(
        "reject modal",
        limits.REASON,
        "modal",
        lambda w, text: decide(w, "reject", {"reason": text}),
        lambda w: w.column(IntakeRequest.reason),
        block="reason",
        prepare=filed,
    ),
    Case(
        "approve modal note",
        limits.REASON,
        "modal",
        lambda w, text: decide(w, "approve", {"note": text}),
        lambda w: w.column(IntakeRequest.reason),
        block="note",
        prepare=filed,
    ),
    Case(
        "config goals add command",
        limits.GOAL,
        "command",
        lambda w, text: w.command("UADMIN", 'config goals add "{text}"', text),
        lambda w: w.column(StrategicGoal.name),
    ),
    Case(
        "milestone add command",
        limits.MILESTONE,
        "command",
        lambda w, text: w.command("ULEAD", 'milestone add apollo "{text}" due:2026-12-20', text),
        lambda w: w.column(Milestone.name),
        prepare=apollo,
    ),
    Case(
        "stand-up modal",
        limits.STANDUP_ANSWER,
        "modal",
        standup_modal,
        first_answers,
        block="q0",
        prepare=standup,
    ),
    Case(
        "stand-up reply by DM",
        limits.STANDUP_ANSWER,
        "dm",
        lambda w, text: w.dm("ULEAD2", f"{text}\nwrite the tests\nnone"),
        first_answers,
        prepare=standup,
    ),
    Case(
        "decision request command",
        limits.QUESTION,
        "command",
        lambda w, text: w.command("ULEAD", 'decision request apollo "{text}"', text),
        lambda w: w.column(DecisionRequest.question),
        prepare=sponsored,
    ),
    Case(
        "decision request options",
        limits.OPTION,
        "command",
        lambda w, text: w.command("ULEAD", 'decision request apollo "Q" options:"{text}|B"', text),
        stored_options,
        prepare=sponsored,
    ),
    Case(
        "record decision modal",
        limits.DECISION,
        "modal",
        record_modal(lambda text: {"decision": text}),
        lambda w: w.column(Decision.text),
        block="decision",
        prepare=asked,
    ),
    Case(
        "record decision modal rationale",
        limits.RATIONALE,
        "modal",
        record_modal(lambda text: {"decision": "Extend it", "rationale": text}),
        lambda w: w.column(Decision.rationale),
        block="rationale",
        prepare=asked,
    ),
    Case(
        "actions add command",
        limits.ACTION_TITLE,
        "command",
        lambda w, text: w.command("ULEAD", 'actions add "{text}" due:2026-12-20', text),
        lambda w: w.column(ActionItem.title),
        prepare=apollo,
    ),
]


def test_every_field_people_type_into_is_tried_on_some_path() -> None:
    assert {case.field for case in CASES} == set(limits.FIELDS)


@pytest.fixture
def world(
    slack: SlackDriver,
    fake: FakeSlack,
    bot: Bot,
    sessions: sessionmaker[Session],
    clock: ManualClock,
    run_pass: Callable[[datetime], Any],
) -> World:
    return World(slack, fake, bot, sessions, clock, run_pass)


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=[f"{c.field.column.class_.__name__}.{c.field.column.key}-{c.name}" for c in CASES],
)
def test_one_over_the_limit_is_refused_and_at_the_limit_is_stored_whole(
    world: World, case: Case
) -> None:
    case.prepare(world)
    limit = case.field.limit
    over, exact = case.make(limit + 1), case.make(limit)
    assert (len(over), len(exact)) == (limit + 1, limit)
    before = case.stored(world)

    answer = case.send(world, over)
    refusal = (
        f"The {case.field.label} is {limit + 1:,} characters long; it can be at most {limit:,}."
    )
    if case.kind == "modal":
        assert answer.body["response_action"] == "errors"
        assert refusal in answer.body["errors"][case.block]  # the modal keeps what was typed
    else:
        assert refusal in text_of(_body(answer))
        assert escape(over) in echo_of(_body(answer))  # echoed whole, as text
    assert case.stored(world) == before

    case.send(world, exact)
    assert exact in case.stored(world)


def _body(answer: Any) -> dict[str, Any]:
    return answer.body if isinstance(answer, Reply) else answer
