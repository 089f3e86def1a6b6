"""What reaches the PMO channel: net changes over a pass, the `config alerts` words, and the
messages themselves within Block Kit's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import notify
from bot.blocks import alerts
from bot.errors import UserError
from bot.status import flag_alerts
from storage.models import FlagTransition, Person, Workspace
from tests.bot.test_blocks import LONG, assert_valid, make_program

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def row(program_id: int, flag: str, raised: bool, reason: str = "why") -> FlagTransition:
    return FlagTransition(program_id=program_id, flag=flag, raised=raised, reason=reason)


def test_a_flag_raised_and_cleared_within_one_pass_is_no_change() -> None:
    rows = [row(1, "STALE", True), row(1, "STALE", False), row(2, "RED", False)]
    assert flag_alerts.net_changes(rows) == {2: [flag_alerts.Change("RED", False, "why")]}


def test_a_flag_raised_cleared_and_raised_again_counts_as_raised_with_the_last_reason() -> None:
    rows = [row(1, "RED", True, "a"), row(1, "RED", False, "a"), row(1, "RED", True, "b")]
    assert flag_alerts.net_changes(rows) == {1: [flag_alerts.Change("RED", True, "b")]}


def test_net_changes_keep_programs_in_order_and_flags_by_severity() -> None:
    rows = [row(2, "STALE", True), row(1, "HIGH_RISK", True), row(2, "OVERDUE_UPDATE", True)]
    found = flag_alerts.net_changes(rows)
    assert list(found) == [2, 1]
    assert [c.code for c in found[2]] == ["OVERDUE_UPDATE", "STALE"]


@pytest.mark.parametrize(
    ("words", "stored"),
    [
        (["all"], "all"),
        (["Digest-Only"], "digest-only"),
        (["stale", "red"], "red,stale"),
        (["red,", "high-risk"], "red,high-risk"),
        (["overdue,stale"], None),  # one word with a comma inside is no kind
    ],
)
def test_config_alerts_words(words: list[str], stored: str | None) -> None:
    if stored is None:
        with pytest.raises(UserError):
            flag_alerts.parse_setting(words)
        return
    assert flag_alerts.parse_setting(words) == stored


@pytest.mark.parametrize("words", [[], ["red", "all"], ["digest-only", "red"], ["blocked"]])
def test_config_alerts_refuses_what_is_no_setting(words: list[str]) -> None:
    with pytest.raises(UserError, match="kind"):
        flag_alerts.parse_setting(words)


def test_a_pass_summary_of_hundreds_of_programs_is_valid_and_names_a_dozen_per_line() -> None:
    changes = [("OVERDUE_UPDATE", True, LONG), ("STALE", True, LONG)]
    programs = [(f"Program {n} " + "x" * 200, changes) for n in range(300)]
    payload = alerts.pass_summary(programs)
    assert_valid(payload)
    assert "300 programs newly overdue and stale" in payload["text"]
    assert "and 288 more" in payload["text"]


def test_a_pass_summary_groups_raised_before_cleared_and_escapes_names() -> None:
    payload = alerts.pass_summary(
        [
            ("Atlas", [("RED", False, "reported red")]),
            ("<!channel>", [("OVERDUE_UPDATE", True, "late")]),
            ("Hermes", [("OVERDUE_UPDATE", True, "late")]),
        ]
    )
    assert payload["text"] == (
        ":rotating_light: Flag changes: 2 programs newly overdue: *&lt;!channel&gt;*, "
        "*Hermes* · 1 program no longer red: *Atlas*"
    )


def test_several_changes_of_one_program_are_one_valid_line() -> None:
    program = make_program(name="<!channel>", last_summary="vendor <@U9> gone")
    payload = alerts.change_alert(
        program,
        [("RED", True, "reported red"), ("HIGH_RISK", True, LONG), ("STALE", False, "x")],
        actor_id="U7",
    )
    assert_valid(payload)
    assert payload["text"] == (
        ":rotating_light: *&lt;!channel&gt;*: newly red and high-risk; no longer stale"
    )
    dumped = str(payload)
    assert "vendor &lt;@U9&gt; gone" in dumped and "after <@U7>'s change" in dumped


def test_the_longest_settings_fit_their_columns() -> None:
    every_kind = flag_alerts.parse_setting(list(flag_alerts.KINDS))
    assert len(every_kind) <= Workspace.pmo_alerts.type.length  # type: ignore[attr-defined]
    assert len(",".join(notify.KINDS)) <= Person.muted.type.length  # type: ignore[attr-defined]
