"""Every stored text column is bounded: a field people type into (with its limit enforced and
carried by its form), text from Slack cut to fit, or something people do not type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import available_timezones

import pytest
from sqlalchemy import String, Text
from sqlalchemy.orm import Session, sessionmaker

from bot import limits, people
from bot.blocks import intake, programs, raid, standups, status
from bot.commands import slugify_key
from bot.errors import UserError
from bot.workspace import get_workspace
from storage import models
from storage.models import (
    DigestPost,
    DigestSubscription,
    IntakeRequest,
    Person,
    Program,
    RaidItem,
    Standup,
    StatusUpdate,
)
from storage.types import LimitedText

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
ZONE = "a zone name from the time zone database (parse_timezone, or Slack's checked)"
OURS = "written by the bot, never typed"
# Text columns people don't type into, and why each is bounded anyway.
NOT_TYPED = {
    "processed_event.event_id": "Slack's event id",
    "workspace.timezone": ZONE,
    "person.tz": ZONE,
    "program.timezone": ZONE,
    "digest_subscription.timezone": ZONE,
    "standup.timezone": ZONE,
    "meeting.timezone": ZONE,
    "meeting.days": "format_days of the parsed days",
    "meeting.at": "HH:MM",
    "meeting.portfolio": "must name the portfolio of a program",
    "meeting_occurrence.period": OURS,
    "meeting_occurrence.state": OURS,
    "decision_request.state": OURS,
    "decision.item_ref": OURS,
    "action_item.item_ref": OURS,
    "action_item.state": OURS,
    "program.key": "made from the name by slugify_key, cut to the column",
    "program_alias.key": "a key the program had before a rename (program.key)",
    "program.last_summary": "a copy of status_update.summary (same type)",
    "program.path_to_green": "a copy of status_update.path_to_green (same type)",
    "intake_request.goal": "a strategic goal's name, chosen from a select",
    "digest_subscription.portfolio": "must name the portfolio of a program (check_portfolio)",
    "digest_post.portfolio": "its subscription's portfolio",
    "digest_subscription.cadence": "built from a parsed day and time",
    "standup.days": "format_days of the parsed days",
    "workspace.workdays": "parse_workdays: weekday digits",
    "person.workdays": "parse_workdays: weekday digits",
    "workspace.hours": "parse_hours: HH:MM-HH:MM",
    "person.hours": "parse_hours: HH:MM-HH:MM",
    "workspace.holidays": "parse_holidays: a code the holidays package knows",
    "person.holidays": "parse_holidays: a code the holidays package knows",
    "standup.open_at": "HH:MM",
    "standup.close_at": "HH:MM",
    "pending_reply.text": "a DM whose summary and next steps were checked before it was held",
    "outbox_message.dedupe_key": "built by the bot, cut to the column",
    "outbox_message.error": "Slack's error code, cut to the column",
    "scheduled_job.note": "the bot's note, cut to the column",
    "flag_transition.reason": OURS,
    "workspace.pmo_alerts": "built from the parsed kinds (flag_alerts.parse_setting), 27 at most",
    "person.muted": "built from the parsed kinds (notify.change_muted), 25 at most",
    "audit_event.entity": OURS,
    "audit_event.entity_id": OURS,
    "audit_event.action": OURS,
    "outbox_message.channel": "a Slack id",
    "outbox_message.ts": "a Slack timestamp",
    "intake_request.posted_ts": "a Slack timestamp",
    "dm_reply.message_ts": "a Slack timestamp",
    "pending_reply.message_ts": "a Slack timestamp",
    "dm_reply.receipt_key": "an outbox key",
    "outbox_message.purpose": OURS,
    "outbox_message.state": OURS,
    "scheduled_job.kind": OURS,
    "scheduled_job.period": OURS,
    "scheduled_job.state": OURS,
    "program.state": OURS,
    "program.rag": OURS,
    "digest_post.period": OURS,
    "flag_transition.flag": OURS,
    "intake_request.state": OURS,
    "prompt.period": OURS,
    "prompt.state": OURS,
    "raid_item.kind": OURS,
    "raid_item.state": OURS,
    "standup_run.period": OURS,
    "standup_run.state": OURS,
    "status_update.rag": OURS,
    "status_update.source": OURS,
}
SLACK_IDS = (models.TEAM_ID, models.USER_ID, models.CHANNEL_ID)


def name_of(column: Any) -> str:
    return f"{column.class_.__tablename__}.{column.key}"


def text_columns() -> dict[str, Any]:
    """Every String or Text column of the models but Slack ids, by `table.column`."""
    return {
        f"{table.name}.{column.name}": column
        for table in models.Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text | LimitedText)
        and not any(column.type is kind for kind in SLACK_IDS)
    }


def test_every_text_column_is_a_bounded_field_from_slack_or_not_typed_by_people() -> None:
    typed = {name_of(field.column) for field in limits.FIELDS}
    from_slack = {name_of(column) for column in limits.FROM_SLACK}
    assert not typed & (from_slack | set(NOT_TYPED))
    assert set(text_columns()) == typed | from_slack | set(NOT_TYPED)


def test_every_field_people_type_into_declares_its_limit_on_its_column() -> None:
    columns = text_columns()
    for field in limits.FIELDS:
        declared = columns[name_of(field.column)].type.length
        assert isinstance(declared, int) and field.limit == declared, field


def test_columns_that_copy_a_field_take_what_it_takes() -> None:
    assert Program.last_summary.type is StatusUpdate.summary.type
    assert Program.path_to_green.type is StatusUpdate.path_to_green.type
    assert limits.column_length(IntakeRequest.goal) == limits.GOAL.limit
    for portfolio in (DigestSubscription.portfolio, DigestPost.portfolio):
        assert limits.column_length(portfolio) == limits.PORTFOLIO.limit
    assert len(slugify_key("x" * limits.PROGRAM_NAME.limit)) <= limits.column_length(Program.key)


def test_every_time_zone_name_fits_the_zone_columns() -> None:
    longest = max(len(zone) for zone in available_timezones())
    for name, column in text_columns().items():
        if NOT_TYPED.get(name) == ZONE:
            assert longest <= column.type.length, name


def test_a_status_report_takes_more_than_a_form_field_so_a_long_dm_reply_is_kept() -> None:
    assert limits.SUMMARY.limit == 10_000
    assert limits.SUMMARY.form_limit == limits.FORM_INPUT_MAX == 3000
    assert limits.PORTFOLIO.form_limit == limits.PORTFOLIO.limit == 80


def test_check_names_the_field_the_limit_and_the_length_and_echoes_the_text() -> None:
    limits.check(limits.PORTFOLIO, "p" * 80)
    limits.check(limits.PORTFOLIO, None)
    with pytest.raises(UserError) as refused:
        limits.check(limits.PORTFOLIO, "p" * 81, block_id="portfolio")
    assert refused.value.message == (
        "The portfolio name is 81 characters long; it can be at most 80. "
        "Shorten it and send it again."
    )
    assert (refused.value.echo, refused.value.field) == ("p" * 81, "portfolio")


def text_inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A view's plain_text_inputs by block id."""
    return {
        block["block_id"]: block["element"]
        for block in view["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "plain_text_input"
    }


def _forms() -> list[tuple[dict[str, Any], dict[str, limits.TextField]]]:
    request = IntakeRequest(id=1, number=1, title="Portal", requester_id="U1", score=3.2)
    for name in ("business_value", "time_criticality", "risk_reduction", "job_size"):
        setattr(request, name, 5)
    item = RaidItem(id=1, kind="risk", title="Vendor", score=9, mitigation="m" * 5000)
    program_row = Program(id=1, key="apollo", name="Apollo")
    standup = Standup(id=1, channel_id="C1", questions=["Yesterday?", "Today?", "Blockers?"])
    program = programs.program_modal(callback_id="program_add", title="Register")
    status_view = status.status_modal(program=None, initial=None)
    return [
        (program, {"name": limits.PROGRAM_NAME, "cadence": limits.CADENCE}),
        (program, {"portfolio": limits.PORTFOLIO}),
        (status_view, limits.STATUS_FIELDS),
        (raid.raid_modal(program=None, program_picker=None), {"title": limits.RAID_TITLE}),
        (
            raid.raid_modal(program=None, program_picker=None),
            {"description": limits.RAID_DESCRIPTION, "mitigation": limits.MITIGATION},
        ),
        (raid.mitigate_modal(item), {"mitigation": limits.MITIGATION}),
        (raid.close_modal(item, program_row), {"reason": limits.CLOSE_REASON}),
        (
            intake.intake_modal([]),
            {"title": limits.INTAKE_TITLE, "problem": limits.PROBLEM, "notes": limits.NOTES},
        ),
        (
            intake.approve_modal(request),
            {"name": limits.PROGRAM_NAME, "cadence": limits.CADENCE, "note": limits.REASON},
        ),
        (intake.reason_modal(request, defer=True), {"reason": limits.REASON}),
        (
            standups.answer_modal(standup, run_id=1, previous=None, blocker=2),
            {f"q{n}": limits.STANDUP_ANSWER for n in range(3)},
        ),
    ]


@pytest.mark.parametrize(("view", "fields"), _forms())
def test_form_inputs_carry_their_fields_limit_as_max_length(
    view: dict[str, Any], fields: dict[str, limits.TextField]
) -> None:
    inputs = text_inputs(view)
    for block_id, field in fields.items():
        assert inputs[block_id]["max_length"] == field.form_limit, block_id
    assert all("max_length" in element for element in inputs.values())


def test_stored_text_longer_than_a_form_field_is_shown_cut_and_marked() -> None:
    item = RaidItem(id=1, kind="risk", title="Vendor", score=9, mitigation="m" * 5000)
    shown = text_inputs(raid.mitigate_modal(item))["mitigation"]["initial_value"]
    assert len(shown) == limits.MITIGATION.form_limit and shown.endswith("…")


def test_people_from_slack_are_cut_to_fit_not_refused(sessions: sessionmaker[Session]) -> None:
    long_name = "Dr. " + "Bartholomew-" * 30 + "\x00Smith"
    user = {"id": "ULONG", "name": "b" * 300, "profile": {"display_name": long_name}}
    with sessions.begin() as session:
        get_workspace(session, team_id="T1", default_timezone="UTC", now=NOW)
        people.upsert_person(session, team_id="T1", user=user, now=NOW)
    with sessions() as session:
        person = session.get(Person, ("T1", "ULONG"))
        assert person is not None
        assert person.name == "b" * limits.column_length(Person.name)
        assert person.display_name == long_name.replace("\x00", "")[:128]
        assert len(person.display_name) == limits.column_length(Person.display_name)
