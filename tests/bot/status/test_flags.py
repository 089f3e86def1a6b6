"""Program flags: each one raised by its evidence, cleared without it, with a readable reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.status.flags import (
    ALERTING,
    ORDER,
    Facts,
    LatestUpdate,
    OpenMilestone,
    OpenRaid,
    changes,
    compute,
    next_recheck,
)

TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
GREEN = LatestUpdate(rag="green", blockers=None, path_to_green=None, recovery_date=None)
AMBER_PLANNED = LatestUpdate(
    rag="amber", blockers=None, path_to_green="add a second vendor", recovery_date=TODAY
)


def facts(**overrides: object) -> Facts:
    base = Facts(state="active", today=TODAY, tz="UTC", latest=GREEN)
    return replace(base, **overrides)


def update(rag: str = "green", **overrides: object) -> LatestUpdate:
    return replace(GREEN, rag=rag, **overrides)


def risk(
    title: str = "Vendor may slip",
    score: int | None = 9,
    due: date | None = None,
    *,
    kind: str = "risk",
    blocking: bool = False,
) -> OpenRaid:
    return OpenRaid(title, kind, score, due, blocking)


def flags_of(f: Facts, now: datetime = NOW) -> dict[str, str]:
    return compute(f, now)


# --- a healthy program ----------------------------------------------------------------------


def test_green_program_with_no_evidence_has_no_flags() -> None:
    assert flags_of(facts()) == {}


def test_program_without_any_update_has_no_status_flags() -> None:
    assert flags_of(facts(latest=None)) == {}


# --- RED ------------------------------------------------------------------------------------


def test_red_update_raises_red() -> None:
    found = flags_of(facts(latest=update("red", path_to_green="plan", recovery_date=TODAY)))
    assert found == {"RED": "reported red"}


def test_red_clears_when_the_latest_update_is_green() -> None:
    assert "RED" not in flags_of(facts(latest=update("green")))


# --- OVERDUE_UPDATE and STALE come from the scheduler ---------------------------------------


def test_overdue_reason_from_scheduler_is_kept_as_is() -> None:
    found = flags_of(facts(overdue="update was due Fri 20 Nov 2026 10:00"))
    assert found == {"OVERDUE_UPDATE": "update was due Fri 20 Nov 2026 10:00"}


def test_stale_reason_from_scheduler_is_kept_as_is() -> None:
    found = flags_of(facts(stale="no update for 2 cadences"))
    assert found == {"STALE": "no update for 2 cadences"}


def test_overdue_and_stale_clear_when_the_scheduler_passes_none() -> None:
    assert flags_of(facts(overdue=None, stale=None)) == {}


# --- HIGH_RISK ------------------------------------------------------------------------------


def test_open_risk_scoring_exactly_15_is_high() -> None:
    found = flags_of(facts(open_raid=(risk("Vendor may slip", 15),)))
    assert found["HIGH_RISK"] == "open risk ‘Vendor may slip’ scores 15"


def test_open_risk_scoring_14_is_not_high() -> None:
    assert "HIGH_RISK" not in flags_of(facts(open_raid=(risk(score=14),)))


def test_high_risk_names_the_highest_score_and_counts_the_others() -> None:
    raid = (risk("Budget cut", 16), risk("Key person leaves", 25), risk("Scope creep", 20))
    found = flags_of(facts(open_raid=raid))
    assert found["HIGH_RISK"] == "open risk ‘Key person leaves’ scores 25 (+2 more)"


def test_issue_with_a_high_score_does_not_raise_high_risk() -> None:
    assert "HIGH_RISK" not in flags_of(facts(open_raid=(risk(score=25, kind="issue"),)))


@pytest.mark.parametrize("kind", ["decision", "assumption"])
def test_unscored_decisions_and_assumptions_never_raise_high_risk(kind: str) -> None:
    raid = (risk("Keep the old checkout", None, kind=kind), risk("Budget cut", 16))
    assert flags_of(facts(open_raid=raid))["HIGH_RISK"] == "open risk ‘Budget cut’ scores 16"
    assert "HIGH_RISK" not in flags_of(facts(open_raid=raid[:1]))


def test_high_risk_clears_when_no_open_risk_scores_15() -> None:
    assert "HIGH_RISK" not in flags_of(facts(open_raid=()))


# --- RISK_OVERDUE ---------------------------------------------------------------------------


def test_open_risk_past_its_due_date_is_overdue() -> None:
    found = flags_of(facts(open_raid=(risk("Vendor may slip", due=date(2026, 11, 23)),)))
    assert found["RISK_OVERDUE"] == "risk ‘Vendor may slip’ was due 2 days ago"


def test_risk_overdue_by_one_day_says_day_singular() -> None:
    found = flags_of(facts(open_raid=(risk("Vendor may slip", due=date(2026, 11, 24)),)))
    assert found["RISK_OVERDUE"] == "risk ‘Vendor may slip’ was due 1 day ago"


def test_risk_due_today_is_not_overdue_yet() -> None:
    assert "RISK_OVERDUE" not in flags_of(facts(open_raid=(risk(due=TODAY),)))


def test_risk_without_a_due_date_is_never_overdue() -> None:
    assert "RISK_OVERDUE" not in flags_of(facts(open_raid=(risk(due=None),)))


@pytest.mark.parametrize("kind", ["issue", "assumption", "dependency", "decision"])
def test_other_raid_kinds_past_due_are_not_risk_overdue(kind: str) -> None:
    item = risk(due=date(2026, 11, 1), kind=kind)
    assert "RISK_OVERDUE" not in flags_of(facts(open_raid=(item,)))


# --- BLOCKED --------------------------------------------------------------------------------


def test_latest_update_naming_blockers_raises_blocked() -> None:
    found = flags_of(facts(latest=update(blockers="waiting on legal sign-off")))
    assert found["BLOCKED"] == "blockers: waiting on legal sign-off"


def test_blocked_reason_is_flattened_and_clipped_to_120_characters() -> None:
    found = flags_of(facts(latest=update(blockers="word\n" * 100)))
    reason = found["BLOCKED"].removeprefix("blockers: ")
    assert "\n" not in reason
    assert len(reason) == 120
    assert reason.endswith("…")


def test_open_blocking_issue_raises_blocked() -> None:
    item = risk("Firewall change pending", kind="issue", blocking=True)
    found = flags_of(facts(open_raid=(item,)))
    assert found["BLOCKED"] == "blocking issue ‘Firewall change pending’"


def test_issue_not_marked_blocking_does_not_raise_blocked() -> None:
    item = risk("Firewall change pending", kind="issue", blocking=False)
    assert "BLOCKED" not in flags_of(facts(open_raid=(item,)))


def test_blockers_in_the_update_win_over_a_blocking_issue_in_the_reason() -> None:
    item = risk("Firewall change pending", kind="issue", blocking=True)
    found = flags_of(facts(latest=update(blockers="legal"), open_raid=(item,)))
    assert found["BLOCKED"] == "blockers: legal"


def test_blocked_clears_when_neither_blockers_nor_blocking_issue() -> None:
    item = risk("Firewall change pending", kind="issue", blocking=False)
    assert "BLOCKED" not in flags_of(facts(latest=update(blockers=None), open_raid=(item,)))


# --- PAST_TARGET and MILESTONE_LATE ---------------------------------------------------------


def test_target_date_in_the_past_raises_past_target() -> None:
    found = flags_of(facts(target_date=date(2026, 11, 22)))
    assert found["PAST_TARGET"] == "target date passed 3 days ago"


def test_target_date_today_is_not_past() -> None:
    assert "PAST_TARGET" not in flags_of(facts(target_date=TODAY))


def test_milestone_not_done_past_its_due_date_is_late() -> None:
    found = flags_of(facts(milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),)))
    assert found["MILESTONE_LATE"] == "milestone ‘Cutover’ is 9 days late"


def test_milestone_late_names_the_earliest_and_counts_the_others() -> None:
    milestones = (
        OpenMilestone("Design", date(2026, 11, 10)),
        OpenMilestone("Cutover", date(2026, 11, 16)),
        OpenMilestone("Launch", date(2026, 12, 10)),
    )
    found = flags_of(facts(milestones=milestones))
    assert found["MILESTONE_LATE"] == "milestone ‘Design’ is 15 days late (+1 more)"


def test_milestone_due_today_is_not_late() -> None:
    assert "MILESTONE_LATE" not in flags_of(facts(milestones=(OpenMilestone("Cutover", TODAY),)))


# --- NO_RECOVERY_PLAN -----------------------------------------------------------------------


@pytest.mark.parametrize("rag", ["amber", "red"])
def test_amber_or_red_without_plan_has_no_recovery_plan(rag: str) -> None:
    found = flags_of(facts(latest=update(rag)))
    assert found["NO_RECOVERY_PLAN"] == f"reported {rag} without a path to green and date"


def test_path_to_green_without_recovery_date_is_not_a_plan() -> None:
    found = flags_of(facts(latest=update("amber", path_to_green="second vendor")))
    assert "NO_RECOVERY_PLAN" in found


def test_recovery_date_without_path_to_green_is_not_a_plan() -> None:
    found = flags_of(facts(latest=update("amber", recovery_date=TODAY)))
    assert "NO_RECOVERY_PLAN" in found


def test_amber_with_path_and_date_has_a_recovery_plan() -> None:
    assert flags_of(facts(latest=AMBER_PLANNED)) == {}


def test_green_never_needs_a_recovery_plan() -> None:
    assert "NO_RECOVERY_PLAN" not in flags_of(facts(latest=update("green")))


# --- RAG_MISMATCH ---------------------------------------------------------------------------


def test_green_with_a_late_milestone_is_a_mismatch_that_says_why() -> None:
    found = flags_of(facts(milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),)))
    assert found["RAG_MISMATCH"] == "Reported green, but: milestone ‘Cutover’ is 9 days late"


def test_amber_with_an_open_high_risk_is_a_mismatch() -> None:
    found = flags_of(facts(latest=AMBER_PLANNED, open_raid=(risk("Budget cut", 20),)))
    assert found["RAG_MISMATCH"] == "Reported amber, but: open risk ‘Budget cut’ scores 20"


def test_green_past_target_is_a_mismatch() -> None:
    found = flags_of(facts(target_date=date(2026, 11, 24)))
    assert found["RAG_MISMATCH"] == "Reported green, but: target date passed 1 day ago"


def test_mismatch_lists_every_piece_of_evidence() -> None:
    found = flags_of(
        facts(
            target_date=date(2026, 11, 20),
            milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),),
            open_raid=(risk("Budget cut", 15),),
        )
    )
    assert found["RAG_MISMATCH"] == (
        "Reported green, but: open risk ‘Budget cut’ scores 15; "
        "milestone ‘Cutover’ is 9 days late; target date passed 5 days ago"
    )


def test_blockers_carried_more_than_seven_days_are_a_mismatch() -> None:
    since = NOW - timedelta(days=8)
    found = flags_of(facts(latest=update(blockers="legal"), blockers_since=since))
    assert found["RAG_MISMATCH"] == "Reported green, but: blockers carried for 8 days"


def test_blockers_carried_exactly_seven_days_are_not_yet_a_mismatch() -> None:
    since = NOW - timedelta(days=7)
    found = flags_of(facts(latest=update(blockers="legal"), blockers_since=since))
    assert "RAG_MISMATCH" not in found


def test_red_is_never_a_mismatch() -> None:
    f = facts(latest=update("red"), milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),))
    assert "RAG_MISMATCH" not in flags_of(f)


def test_open_raid_without_high_risk_is_no_mismatch_evidence() -> None:
    assert "RAG_MISMATCH" not in flags_of(facts(open_raid=(risk(score=14),)))


def test_mismatch_clears_when_the_evidence_goes() -> None:
    assert "RAG_MISMATCH" not in flags_of(facts(milestones=(OpenMilestone("Cutover", TODAY),)))


# --- ordering and program state -------------------------------------------------------------


def everything(latest: LatestUpdate) -> Facts:
    return facts(
        latest=latest,
        overdue="update was due Friday",
        stale="no update for 2 cadences",
        target_date=date(2026, 11, 20),
        milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),),
        open_raid=(
            risk("Budget cut", 20, due=date(2026, 11, 1)),
            risk("Firewall", kind="issue", blocking=True),
        ),
        blockers_since=NOW - timedelta(days=10),
    )


def test_flags_are_listed_most_severe_first_in_order() -> None:
    found = flags_of(everything(update("amber", blockers="legal")))
    assert list(found) == [code for code in ORDER if code != "RED"]


def test_red_program_lists_red_first_and_has_no_mismatch() -> None:
    found = flags_of(everything(update("red", blockers="legal")))
    assert list(found) == [code for code in ORDER if code != "RAG_MISMATCH"]


@pytest.mark.parametrize("state", ["done", "archived"])
def test_done_or_archived_program_has_no_flags(state: str) -> None:
    assert flags_of(replace(everything(update("red", blockers="legal")), state=state)) == {}


def test_paused_program_is_still_flagged() -> None:
    assert "RED" in flags_of(facts(state="paused", latest=update("red")))


# --- next_recheck ---------------------------------------------------------------------------


def test_recheck_is_local_midnight_after_a_milestone_due_date_in_tokyo() -> None:
    f = facts(tz="Asia/Tokyo", milestones=(OpenMilestone("Cutover", date(2026, 12, 1)),))
    # The milestone becomes late at 00:00 JST on 2 Dec, which is 15:00 UTC on 1 Dec.
    assert next_recheck(f, NOW) == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_recheck_for_a_date_due_today_is_tonight_local_midnight() -> None:
    f = facts(tz="America/New_York", target_date=TODAY)
    # 00:00 EST on 26 Nov is 05:00 UTC.
    assert next_recheck(f, NOW) == datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


def test_recheck_covers_risk_due_dates() -> None:
    f = facts(tz="Europe/Berlin", open_raid=(risk(due=date(2026, 11, 27)),))
    assert next_recheck(f, NOW) == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


def test_recheck_is_the_earliest_of_all_time_driven_dates() -> None:
    f = facts(
        tz="Asia/Tokyo",
        target_date=date(2027, 1, 31),
        milestones=(
            OpenMilestone("Cutover", date(2026, 12, 1)),
            OpenMilestone("Launch", date(2026, 12, 20)),
        ),
        open_raid=(risk(due=date(2026, 11, 28)),),
    )
    assert next_recheck(f, NOW) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def test_recheck_ignores_dates_already_past() -> None:
    f = facts(
        target_date=date(2026, 11, 1), milestones=(OpenMilestone("Cutover", date(2026, 11, 16)),)
    )
    assert next_recheck(f, NOW) is None


def test_recheck_ignores_due_dates_of_issues() -> None:
    f = facts(open_raid=(risk(due=date(2026, 12, 1), kind="issue"),))
    assert next_recheck(f, NOW) is None


def test_recheck_is_when_carried_blockers_turn_into_a_mismatch() -> None:
    since = NOW - timedelta(days=2)
    f = facts(latest=update(blockers="legal"), blockers_since=since)
    at = next_recheck(f, NOW)
    assert at == since + timedelta(days=7, seconds=1)
    assert "RAG_MISMATCH" not in compute(f, at - timedelta(seconds=1))
    assert "RAG_MISMATCH" in compute(f, at)


def test_recheck_is_none_once_blockers_are_past_the_seven_day_point() -> None:
    f = facts(latest=update(blockers="legal"), blockers_since=NOW - timedelta(days=9))
    assert next_recheck(f, NOW) is None


def test_recheck_is_none_when_nothing_is_time_driven() -> None:
    f = facts(open_raid=(risk(score=25),), overdue="late", stale="stale")
    assert next_recheck(f, NOW) is None


# --- changes --------------------------------------------------------------------------------


def test_changes_reports_only_alerting_flags_raised() -> None:
    after = {code: "why" for code in ORDER}
    raised, cleared = changes({}, after)
    assert raised == ["RED", "OVERDUE_UPDATE", "STALE", "HIGH_RISK"]
    assert cleared == []


def test_changes_reports_only_alerting_flags_cleared() -> None:
    before = {code: "why" for code in ORDER}
    raised, cleared = changes(before, {})
    assert raised == []
    assert cleared == ["RED", "OVERDUE_UPDATE", "STALE", "HIGH_RISK"]


def test_alerting_flags_are_red_overdue_stale_and_high_risk() -> None:
    assert frozenset({"RED", "OVERDUE_UPDATE", "STALE", "HIGH_RISK"}) == ALERTING


def test_flag_kept_with_a_new_reason_is_no_change() -> None:
    before = {"HIGH_RISK": "open risk ‘A’ scores 15"}
    after = {"HIGH_RISK": "open risk ‘B’ scores 25"}
    assert changes(before, after) == ([], [])


def test_non_alerting_flags_coming_and_going_are_no_change() -> None:
    before = {"BLOCKED": "x", "PAST_TARGET": "y"}
    after = {"MILESTONE_LATE": "z", "RAG_MISMATCH": "w", "NO_RECOVERY_PLAN": "v"}
    assert changes(before, after) == ([], [])


def test_changes_raise_and_clear_together() -> None:
    before = {"RED": "reported red", "BLOCKED": "x"}
    after = {"HIGH_RISK": "open risk ‘A’ scores 20", "STALE": "s"}
    assert changes(before, after) == (["STALE", "HIGH_RISK"], ["RED"])
