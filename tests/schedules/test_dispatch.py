"""The scheduler pass: prompts at the owner's local due time, reminders, overdue and stale flags,
the messaging window, restarts, Slack errors and dry runs.

Dates: Wednesday 25 Nov 2026 is set-up day; Apollo is due Fridays 10:00 Berlin (09:00 UTC).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.programs import change_state
from storage.models import Program
from tests.conftest import START
from tests.schedules.conftest import BERLIN, FRIDAY_10, NEW_YORK, TOKYO, World, local, utc


@pytest.fixture
def apollo(world: World) -> int:
    """Apollo, owned by Lee (Berlin), weekly on Fridays at 10:00 Berlin; alerts to #pmo."""
    world.workspace(now=START)
    world.person("ULEAD", BERLIN, now=START)
    world.person("UADMIN", "Europe/London", now=START)
    world.person("UOTHER", NEW_YORK, now=START)
    return world.program("Apollo", owner="ULEAD", cadence="weekly fri 10:00", tz=BERLIN, now=START)


def test_weekly_owner_is_prompted_at_ten_berlin_exactly_once(world: World, apollo: int) -> None:
    assert world.get_program(apollo).next_due_at == utc("2026-11-27 09:00")

    world.tick(local("2026-11-27 09:59", BERLIN))
    assert world.fake.calls_to("chat.postMessage") == []
    assert world.jobs(apollo) == []

    world.tick(FRIDAY_10)
    assert len(world.prompts_to("ULEAD")) == 1
    assert [c["channel"] for c in world.fake.calls_to("chat.postMessage")] == ["ULEAD"]
    [prompt] = world.prompt_rows(apollo)
    assert (prompt.user_id, prompt.period, prompt.state) == ("ULEAD", "2026-11-27T10:00", "pending")
    jobs = {job.kind: job for job in world.jobs(apollo)}
    assert jobs["prompt"].state == "done" and jobs["prompt"].note == "prompted ULEAD"
    assert jobs["reminder"].due_at == local("2026-11-27 22:00", BERLIN)
    assert jobs["overdue"].due_at == local("2026-11-28 10:00", BERLIN)
    assert world.get_program(apollo).next_due_at == local("2026-12-04 10:00", BERLIN)

    world.tick(local("2026-11-27 10:01", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1

    world.tick(local("2026-12-04 09:59", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1
    world.tick(local("2026-12-04 10:00", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 2
    assert [p.period for p in world.prompt_rows(apollo)] == ["2026-11-27T10:00", "2026-12-04T10:00"]


def test_tokyo_owner_is_prompted_at_ten_tokyo(world: World) -> None:
    world.workspace(now=START)
    world.person("ULEAD2", TOKYO, now=START)
    kyoto = world.program("Kyoto", owner="ULEAD2", cadence="weekly fri 10:00", tz=TOKYO, now=START)
    assert world.get_program(kyoto).next_due_at == utc("2026-11-27 01:00")

    world.tick(utc("2026-11-27 00:59"))
    assert world.prompts_to("ULEAD2") == []
    world.tick(utc("2026-11-27 01:00"))
    assert len(world.prompts_to("ULEAD2")) == 1
    world.tick(utc("2026-11-27 01:01"))
    world.tick(utc("2026-11-27 09:00"))  # 10:00 in Berlin means nothing to a Tokyo program
    assert len(world.prompts_to("ULEAD2")) == 1
    assert [p.period for p in world.prompt_rows(kyoto)] == ["2026-11-27T10:00"]


def test_update_on_thursday_satisfies_fridays_prompt(world: World, apollo: int) -> None:
    world.submit(apollo, author="ULEAD", now=local("2026-11-26 12:00", BERLIN))

    for when in ("2026-11-27 10:00", "2026-11-27 22:00", "2026-11-28 10:00", "2026-11-30 08:00"):
        world.tick(local(when, BERLIN))

    assert world.prompts_to("ULEAD") == world.reminders_to("ULEAD") == []
    assert world.prompt_rows(apollo) == []
    assert {(j.kind, j.state, j.note) for j in world.jobs(apollo)} == {
        ("prompt", "skipped", "skipped: already updated"),
        ("reminder", "skipped", "skipped: already updated"),
        ("overdue", "skipped", "skipped: already updated"),
    }
    assert "OVERDUE_UPDATE" not in world.get_program(apollo).flags


def test_answering_a_prompt_does_not_skip_next_weeks_prompt(world: World, apollo: int) -> None:
    world.tick(FRIDAY_10)
    world.submit(apollo, author="ULEAD", now=local("2026-11-27 10:30", BERLIN))
    assert [p.state for p in world.prompt_rows(apollo)] == ["answered"]

    world.tick(local("2026-11-27 22:00", BERLIN))
    world.tick(local("2026-11-28 10:00", BERLIN))
    world.tick(local("2026-12-04 10:00", BERLIN))

    assert world.reminders_to("ULEAD") == []
    assert len(world.prompts_to("ULEAD")) == 2
    assert world.get_program(apollo).flags == {}


def test_paused_program_gets_no_prompt(world: World, apollo: int) -> None:
    with world.sessions.begin() as session:
        program = session.get(Program, apollo)
        assert program is not None
        change_state(session, program=program, actor_id="ULEAD", command="pause", now=START)

    for when in ("2026-11-27 10:00", "2026-11-27 22:00", "2026-11-28 10:00", "2026-12-04 10:00"):
        world.tick(local(when, BERLIN))

    assert world.fake.calls_to("chat.postMessage") == []
    assert world.jobs(apollo) == [] and world.prompt_rows(apollo) == []
    assert world.get_program(apollo).next_due_at is None


def test_program_paused_after_its_prompt_gets_no_reminder_or_overdue_flag(
    world: World, apollo: int
) -> None:
    world.tick(FRIDAY_10)
    with world.sessions.begin() as session:
        program = session.get(Program, apollo)
        assert program is not None
        change_state(session, program=program, actor_id="ULEAD", command="pause", now=FRIDAY_10)

    world.tick(local("2026-11-27 22:00", BERLIN))
    world.tick(local("2026-11-28 10:00", BERLIN))
    world.tick(local("2026-11-30 08:00", BERLIN))

    assert len(world.prompts_to("ULEAD")) == 1 and world.reminders_to("ULEAD") == []
    assert world.get_program(apollo).flags == {}
    assert world.fake.messages("CPMO") == []
    later = {j.kind: (j.state, j.note) for j in world.jobs(apollo)}
    assert later["reminder"] == later["overdue"] == ("skipped", "skipped: program not active")


def test_out_of_office_owner_is_covered_by_delegates_in_their_own_hours(
    world: World, apollo: int
) -> None:
    world.out_of_office("ULEAD", date(2026, 11, 27))
    world.add_delegate(apollo, "UOTHER", now=START)

    world.tick(FRIDAY_10)  # 04:00 in New York: the delegate's window is closed
    assert world.prompts_to("ULEAD") == world.prompts_to("UOTHER") == []
    [prompt] = world.prompt_rows(apollo)
    assert prompt.user_id == "UOTHER"
    [queued] = world.outbox("UOTHER")
    assert queued.not_before == local("2026-11-27 08:00", NEW_YORK)

    world.tick(local("2026-11-27 07:59", NEW_YORK))
    assert world.prompts_to("UOTHER") == []
    world.tick(local("2026-11-27 08:00", NEW_YORK))
    [dm] = world.prompts_to("UOTHER")
    assert "covering for <@ULEAD>" in dm["text"]
    assert world.fake.dms("ULEAD") == []


def test_owner_back_from_out_of_office_is_prompted(world: World, apollo: int) -> None:
    world.out_of_office("ULEAD", date(2026, 11, 26))  # back on Friday
    world.add_delegate(apollo, "UOTHER", now=START)
    world.tick(FRIDAY_10)
    assert len(world.prompts_to("ULEAD")) == 1
    assert [p.user_id for p in world.prompt_rows(apollo)] == ["ULEAD"]


def test_out_of_office_owner_without_delegates_prompts_nobody(world: World, apollo: int) -> None:
    world.out_of_office("ULEAD", date(2026, 12, 31))
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 14:00", BERLIN))
    assert world.fake.calls_to("chat.postMessage") == []
    assert world.prompt_rows(apollo) == []
    [job] = world.jobs(apollo, "prompt")
    assert (job.state, job.note) == ("skipped", "skipped: owner out of office and no delegates")


def test_reminder_at_half_grace_waits_for_mondays_window(world: World, apollo: int) -> None:
    world.workspace(now=START, grace_hours=72)
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-28 21:59", BERLIN))
    assert world.outbox("ULEAD")[1:] == []

    world.tick(local("2026-11-28 22:00", BERLIN))  # half of 72 h grace, a Saturday night
    [reminder] = [m for m in world.outbox("ULEAD") if "Reminder" in m.payload["text"]]
    assert reminder.not_before == local("2026-11-30 08:00", BERLIN)
    assert reminder.state == "pending"
    [job] = world.jobs(apollo, "reminder")
    assert (job.state, job.note) == ("done", "reminded 1")

    world.tick(local("2026-11-29 09:00", BERLIN))  # Sunday
    world.tick(local("2026-11-30 07:59", BERLIN))
    assert world.reminders_to("ULEAD") == []
    world.tick(local("2026-11-30 08:00", BERLIN))
    assert len(world.reminders_to("ULEAD")) == 1
    world.tick(local("2026-11-30 08:01", BERLIN))
    assert len(world.reminders_to("ULEAD")) == 1


def test_reminder_held_past_the_overdue_flag_is_withdrawn(world: World, apollo: int) -> None:
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 22:00", BERLIN))  # half of 24 h grace: held until Monday
    world.tick(local("2026-11-28 10:00", BERLIN))  # overdue on Saturday, at the exact time
    world.tick(local("2026-11-30 08:00", BERLIN))
    assert world.reminders_to("ULEAD") == []  # "will be flagged overdue" would be wrong now
    [reminder] = [m for m in world.outbox("ULEAD") if "Reminder" in m.payload["text"]]
    assert reminder.state == "withdrawn"


def test_queued_reminder_is_dropped_when_the_update_arrives_first(
    world: World, apollo: int
) -> None:
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 22:00", BERLIN))
    world.submit(apollo, author="ULEAD", now=local("2026-11-28 09:00", BERLIN))

    world.tick(local("2026-11-28 10:00", BERLIN))
    world.tick(local("2026-11-30 08:00", BERLIN))

    assert world.reminders_to("ULEAD") == []
    assert world.get_program(apollo).flags == {}
    assert world.fake.messages("CPMO") == []


def test_overdue_flag_at_due_plus_grace_alerts_pmo_now_and_owner_in_their_window(
    world: World, apollo: int
) -> None:
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-28 09:59", BERLIN))
    assert "OVERDUE_UPDATE" not in world.get_program(apollo).flags
    assert world.fake.messages("CPMO") == []

    saturday_10 = local("2026-11-28 10:00", BERLIN)
    world.tick(saturday_10)
    program = world.get_program(apollo)
    assert program.flags["OVERDUE_UPDATE"] == "no status update since it was due Fri 27 Nov 2026"
    assert "STALE" not in program.flags
    assert world.transitions(apollo) == [("OVERDUE_UPDATE", True, saturday_10)]
    [summary] = world.posts("CPMO")
    assert "1 program newly overdue: *Apollo*" in summary
    [alert] = world.replies("CPMO")
    assert "Apollo* has an overdue status update" in alert
    [owner_alert] = [m for m in world.outbox("ULEAD") if m.dedupe_key.startswith("flag:")]
    assert owner_alert.not_before == local("2026-11-30 08:00", BERLIN)
    assert [p.state for p in world.prompt_rows(apollo)] == ["expired"]

    world.tick(local("2026-11-28 10:01", BERLIN))
    world.tick(local("2026-11-29 12:00", BERLIN))
    assert len(world.posts("CPMO")) == 1 and len(world.replies("CPMO")) == 1
    assert not any("overdue" in t for t in world.texts("ULEAD"))

    world.tick(local("2026-11-30 08:00", BERLIN))
    assert len([t for t in world.texts("ULEAD") if "overdue status update" in t]) == 1
    world.tick(local("2026-11-30 09:00", BERLIN))
    assert len([t for t in world.texts("ULEAD") if "overdue status update" in t]) == 1
    assert len(world.posts("CPMO")) == 1


def test_second_missed_period_goes_stale_and_escalates_to_sponsor_then_recovers_once(
    world: World, apollo: int
) -> None:
    world.set_program(apollo, sponsor_id="UADMIN")
    for when in (
        "2026-11-27 10:00",
        "2026-11-28 10:00",
        "2026-12-04 10:00",
        "2026-12-04 22:00",
    ):
        world.tick(local(when, BERLIN))
    assert set(world.get_program(apollo).flags) == {"OVERDUE_UPDATE"}

    world.tick(local("2026-12-05 10:00", BERLIN))
    program = world.get_program(apollo)
    assert program.flags["STALE"] == "no update for two cadence periods"
    assert "OVERDUE_UPDATE" in program.flags
    assert [(f, r) for f, r, _ in world.transitions(apollo)] == [
        ("OVERDUE_UPDATE", True),
        ("STALE", True),
    ]
    assert len([t for t in world.texts("CPMO") if "has gone stale" in t]) == 1
    assert world.fake.dms("UADMIN") == []  # Saturday in London: waits for Monday

    world.tick(local("2026-12-07 08:00", "Europe/London"))
    [sponsor_dm] = world.texts("UADMIN")
    assert "Apollo* has gone stale" in sponsor_dm

    world.submit(apollo, author="ULEAD", now=local("2026-12-07 10:00", BERLIN))
    for when in ("2026-12-07 10:01", "2026-12-07 11:00", "2026-12-08 09:00"):
        world.tick(local(when, BERLIN))
    assert world.get_program(apollo).flags == {}
    # Lee's one update cleared both: one line in #pmo.
    [recovered] = [t for t in world.texts("CPMO") if "no longer" in t]
    assert "*Apollo*: no longer overdue and stale" in recovered
    assert "after <@ULEAD>'s change" in recovered
    # Lee sent the update: the receipt told him; he is not DMed about his own change.
    assert [t for t in world.texts("ULEAD") if "has its status update in" in t] == []
    assert len(world.texts("UADMIN")) == 1  # the sponsor heard of the escalation only


def test_restart_after_three_hours_sends_the_missed_prompt_once(world: World, apollo: int) -> None:
    world.tick(local("2026-11-27 13:00", BERLIN))
    world.tick(local("2026-11-27 13:01", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1
    [job] = world.jobs(apollo, "prompt")
    assert job.state == "done" and job.done_at == local("2026-11-27 13:00", BERLIN)


def test_restart_after_thirteen_hours_skips_the_prompt_but_flags_overdue_on_time(
    world: World, apollo: int
) -> None:
    world.tick(local("2026-11-27 23:00", BERLIN))
    [job] = world.jobs(apollo, "prompt")
    assert (job.state, job.note) == ("skipped", "skipped: missed while the bot was down")
    assert world.prompt_rows(apollo) == []
    assert world.fake.calls_to("chat.postMessage") == []

    saturday_10 = local("2026-11-28 10:00", BERLIN)
    world.tick(saturday_10)
    assert "OVERDUE_UPDATE" in world.get_program(apollo).flags
    assert world.transitions(apollo) == [("OVERDUE_UPDATE", True, saturday_10)]
    assert world.prompts_to("ULEAD") == []
    assert len(world.posts("CPMO")) == 1


def test_a_pass_repeated_at_the_same_now_changes_nothing(world: World, apollo: int) -> None:
    for when in ("2026-11-27 10:00", "2026-11-27 22:00", "2026-11-28 10:00", "2026-11-30 08:00"):
        now = local(when, BERLIN)
        world.tick(now)
        before = world.snapshot()
        again = world.tick(now)
        assert world.snapshot() == before, when
        assert again.sent == 0 and again.actions == []
    assert len(world.prompts_to("ULEAD")) == 1
    assert len(world.reminders_to("ULEAD")) == 0  # overdue came first: its alert replaced it
    assert len(world.posts("CPMO")) == 1


def test_slack_refusing_one_owner_does_not_stop_the_others_and_is_reported_once(
    world: World,
) -> None:
    world.workspace(now=START)
    world.fake.add_user("UGONE", "gone", tz=BERLIN, deleted=True)
    world.fake.add_user("UALT", "alt", tz=BERLIN)
    for user in ("UGONE", "ULEAD", "UALT"):
        world.person(user, BERLIN, now=START)
    ids = {
        name: world.program(name, owner=owner, cadence="weekly", tz=BERLIN, now=START)
        for name, owner in (("Apollo", "UGONE"), ("Borealis", "ULEAD"), ("Cygnus", "UALT"))
    }

    world.tick(FRIDAY_10)
    assert len(world.prompts_to("ULEAD")) == len(world.prompts_to("UALT")) == 1
    [failed] = world.outbox("UGONE")
    assert (failed.state, failed.error) == ("failed", "user_not_found")
    [gone_prompt] = world.prompt_rows(ids["Apollo"])
    assert gone_prompt.state == "unreachable"

    world.tick(local("2026-11-27 10:01", BERLIN))
    [notice] = world.fake.messages("CPMO")
    assert "can't reach <@UGONE>" in notice["text"] and "user_not_found" in notice["text"]
    buttons = [e for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Reassign", "program_reassign", str(ids["Apollo"]))
    ]

    for when in ("2026-11-27 10:02", "2026-12-04 10:00", "2026-12-04 10:01"):
        world.tick(local(when, BERLIN))
    assert len([t for t in world.texts("CPMO") if "can't reach" in t]) == 1
    assert len(world.prompts_to("ULEAD")) == len(world.prompts_to("UALT")) == 2


def test_transient_slack_error_is_recorded_and_retried_next_pass(world: World, apollo: int) -> None:
    world.fake.fail_next("chat.postMessage", "internal_error")
    world.tick(FRIDAY_10)
    assert world.prompts_to("ULEAD") == []
    [message] = world.outbox("ULEAD")
    assert (message.state, message.error, message.attempts) == ("pending", "internal_error", 1)

    world.tick(local("2026-11-27 10:01", BERLIN))
    world.tick(local("2026-11-27 10:02", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1
    [message] = world.outbox("ULEAD")
    assert (message.state, message.attempts) == ("sent", 2)


def test_uncertain_network_failure_for_one_owner_does_not_stop_the_pass_and_repeats_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.workspace(now=START)
    world.fake.add_user("UALT", "alt", tz=BERLIN)
    for user in ("ULEAD", "UALT"):
        world.person(user, BERLIN, now=START)
    world.program("Apollo", owner="ULEAD", cadence="weekly", tz=BERLIN, now=START)
    world.program("Borealis", owner="UALT", cadence="weekly", tz=BERLIN, now=START)
    post = world.client.chat_postMessage
    broken = {"ULEAD"}

    def flaky_post(**kwargs: Any) -> Any:
        if kwargs["channel"] in broken:
            broken.discard(kwargs["channel"])
            raise TimeoutError("read timed out")  # no answer: was it posted or not?
        return post(**kwargs)

    monkeypatch.setattr(world.client, "chat_postMessage", flaky_post)
    world.tick(FRIDAY_10)
    assert len(world.prompts_to("UALT")) == 1
    assert world.prompts_to("ULEAD") == []
    [uncertain] = world.outbox("ULEAD")
    assert uncertain.state == "sending"

    world.tick(local("2026-11-27 10:05", BERLIN))
    assert world.prompts_to("ULEAD") == []
    world.tick(local("2026-11-27 10:11", BERLIN))  # the claim is stale: send it once more
    world.tick(local("2026-11-27 10:30", BERLIN))
    assert len(world.prompts_to("ULEAD")) == len(world.prompts_to("UALT")) == 1
    [sent] = world.outbox("ULEAD")
    assert (sent.state, sent.attempts) == ("sent", 2)


def test_a_program_whose_slot_cannot_be_computed_does_not_stop_the_others(
    world: World, apollo: int
) -> None:
    world.fake.add_user("UALT", "alt", tz=BERLIN)
    world.person("UALT", BERLIN, now=START)
    broken = world.program("Borealis", owner="UALT", cadence="weekly", tz=BERLIN, now=START)
    world.set_program(broken, timezone="Europe/Atlantis")  # a zone this tzdata doesn't know

    world.tick(FRIDAY_10)
    world.tick(local("2026-11-28 10:00", BERLIN))

    assert len(world.prompts_to("ULEAD")) == 1
    assert "OVERDUE_UPDATE" in world.get_program(apollo).flags
    assert world.jobs(broken) == []


def test_dry_run_says_what_it_would_do_and_changes_nothing(world: World, apollo: int) -> None:
    before = world.snapshot()
    report = world.tick(FRIDAY_10, dry_run=True)
    assert report.actions == ["would open the status slot of apollo due 2026-11-27 09:00 UTC"]
    assert world.snapshot() == before

    world.tick(FRIDAY_10)
    before = world.snapshot()
    report = world.tick(local("2026-11-28 10:00", BERLIN), dry_run=True)
    assert report.actions == [
        "would run reminder 2026-11-27T10:00 (target 1)",
        "would run overdue 2026-11-27T10:00 (target 1)",
    ]
    assert report.sent == 0
    assert world.snapshot() == before
    assert world.get_program(apollo).flags == {}


def test_catching_up_over_two_missed_slots_asks_only_for_the_latest(
    world: World, apollo: int
) -> None:
    # An earlier slot (Thursday 23:00, from a cadence since changed) and Friday's are both
    # missed while the bot is down; it comes back within the catch-up window of both.
    world.set_program(apollo, next_due_at=local("2026-11-26 23:00", BERLIN))
    world.tick(local("2026-11-27 10:30", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1
    notes = {job.period: job.note for job in world.jobs(apollo, "prompt")}
    assert notes["2026-11-26T23:00"] == "skipped: a later slot is due too; only the latest is asked"
    assert notes["2026-11-27T10:00"] == "prompted ULEAD"


def test_a_prompt_caught_up_late_gets_no_reminder_right_after(world: World, apollo: int) -> None:
    world.workspace(now=START, grace_hours=8)  # the reminder at 14:00, overdue at 18:00
    world.tick(local("2026-11-27 13:30", BERLIN))  # back up 3.5 h late: the prompt goes out
    assert len(world.prompts_to("ULEAD")) == 1
    world.tick(local("2026-11-27 14:00", BERLIN))
    assert world.reminders_to("ULEAD") == []
    [job] = world.jobs(apollo, "reminder")
    assert job.note == "reminded 0"


def test_a_prompt_sent_on_time_is_still_reminded(world: World, apollo: int) -> None:
    world.workspace(now=START, grace_hours=8)
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 14:00", BERLIN))
    assert len(world.reminders_to("ULEAD")) == 1
