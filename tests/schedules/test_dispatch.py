"""The scheduler pass: prompts at the owner's local due time, reminders, overdue and stale flags,
the messaging window, restarts, Slack errors and dry runs.

Dates: Wednesday 25 Nov 2026 is set-up day; Apollo is due Fridays 10:00 Berlin (09:00 UTC).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.programs import change_state
from schedules import registry
from storage.models import Program, ScheduledJob
from tests.conftest import START, TEAM
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
    # 24 h of grace in Lee's working time: Friday 14 h, then Monday 10 h. The reminder at half
    # of it (Friday 22:00) falls outside his hours, so it goes when they open on Monday.
    assert jobs["reminder"].due_at == local("2026-11-30 08:00", BERLIN)
    assert jobs["overdue"].due_at == local("2026-11-30 10:00", BERLIN)
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

    for when in ("2026-11-27 10:00", "2026-11-28 10:00", "2026-11-30 08:00", "2026-11-30 10:00"):
        world.tick(local(when, BERLIN))

    assert world.prompts_to("ULEAD") == world.reminders_to("ULEAD") == []
    assert world.prompt_rows(apollo) == []
    assert {(j.kind, j.state, j.note) for j in world.jobs(apollo)} == {
        ("prompt", "skipped", "skipped: already updated"),
        ("reminder", "skipped", "skipped: already updated (with its prompt)"),
        ("overdue", "skipped", "skipped: already updated (with its prompt)"),
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

    world.tick(local("2026-11-28 10:00", BERLIN))
    world.tick(local("2026-11-30 08:00", BERLIN))
    world.tick(local("2026-11-30 10:00", BERLIN))

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


def test_a_slack_vacation_status_counts_as_out_of_office_until_it_expires(
    world: World, apollo: int
) -> None:
    back = local("2026-12-01 00:00", BERLIN)
    status = {
        "status_emoji": ":palm_tree:",
        "status_text": "Vacationing",
        "status_expiration": int(back.timestamp()),
    }
    world.person("ULEAD", BERLIN, now=START, profile=status)
    world.add_delegate(apollo, "UOTHER", now=START)

    world.tick(FRIDAY_10)
    assert [p.user_id for p in world.prompt_rows(apollo)] == ["UOTHER"]
    world.tick(local("2026-12-04 10:00", BERLIN))  # the status has expired
    assert len(world.prompts_to("ULEAD")) == 1


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


def test_reminder_at_half_grace_in_working_time_waits_for_the_window(
    world: World, apollo: int
) -> None:
    # 72 h of grace from Friday 10:00 in working time: Fri 14 h, Mon 24 h, Tue 24 h, Wed 10 h.
    # Half of it ends Monday 22:00, outside Lee's hours: the reminder goes Tuesday 08:00.
    world.workspace(now=START, grace_hours=72)
    world.tick(FRIDAY_10)
    jobs = {job.kind: job for job in world.jobs(apollo)}
    assert jobs["reminder"].due_at == local("2026-12-01 08:00", BERLIN)
    assert jobs["overdue"].due_at == local("2026-12-02 10:00", BERLIN)

    world.tick(local("2026-11-28 22:00", BERLIN))  # Saturday night: nothing
    world.tick(local("2026-11-30 22:00", BERLIN))
    world.tick(local("2026-12-01 07:59", BERLIN))
    assert world.reminders_to("ULEAD") == []
    world.tick(local("2026-12-01 08:00", BERLIN))
    assert len(world.reminders_to("ULEAD")) == 1
    [job] = world.jobs(apollo, "reminder")
    assert (job.state, job.note) == ("done", "reminded 1")
    world.tick(local("2026-12-01 08:01", BERLIN))
    assert len(world.reminders_to("ULEAD")) == 1


def test_reminder_that_half_grace_would_put_after_the_overdue_time_goes_before_it(
    world: World, apollo: int
) -> None:
    # 3 h of grace from Friday 18:30: half of it (20:00) is past Lee's hours and the next
    # window (Monday) is after the overdue time (Friday 21:30): the reminder goes an hour
    # before Friday's window closes, still after the prompt.
    world.workspace(now=START, grace_hours=3)
    late = world.program("Late", owner="ULEAD", cadence="weekly fri 18:30", tz=BERLIN, now=START)
    world.tick(local("2026-11-27 18:30", BERLIN))
    jobs = {job.kind: job for job in world.jobs(late)}
    assert jobs["reminder"].due_at == local("2026-11-27 19:00", BERLIN)
    assert jobs["overdue"].due_at == local("2026-11-27 21:30", BERLIN)


def test_no_reminder_when_no_message_hours_fall_before_the_overdue_time(
    world: World, apollo: int
) -> None:
    world.workspace(now=START, grace_hours=1)
    late = world.program("Late", owner="ULEAD", cadence="weekly fri 19:30", tz=BERLIN, now=START)
    world.tick(local("2026-11-27 19:30", BERLIN))
    assert {job.kind for job in world.jobs(late)} == {"prompt", "overdue"}


def test_reminder_held_past_the_overdue_flag_is_withdrawn(world: World, apollo: int) -> None:
    # Lee is away; his New York delegate answers for him. The reminder is due at 08:00 Berlin
    # on Monday (Lee's calendar sets the grace), which is 02:00 in New York: held until 08:00
    # there, by when the update went overdue (10:00 Berlin).
    world.out_of_office("ULEAD", date(2026, 11, 30))
    world.add_delegate(apollo, "UOTHER", now=START)
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 08:00", NEW_YORK))
    assert len(world.prompts_to("UOTHER")) == 1
    world.tick(local("2026-11-30 08:00", BERLIN))
    world.tick(local("2026-11-30 10:00", BERLIN))  # overdue, at the exact time
    world.tick(local("2026-11-30 08:00", NEW_YORK))
    assert world.reminders_to("UOTHER") == []  # "will be flagged overdue" would be wrong now
    [reminder] = [m for m in world.outbox("UOTHER") if "Reminder" in m.payload["text"]]
    assert reminder.state == "withdrawn"


def test_queued_reminder_is_dropped_when_the_update_arrives_first(
    world: World, apollo: int
) -> None:
    world.tick(FRIDAY_10)
    world.tick(local("2026-11-27 22:00", BERLIN))
    world.submit(apollo, author="ULEAD", now=local("2026-11-28 09:00", BERLIN))

    world.tick(local("2026-11-28 10:00", BERLIN))
    world.tick(local("2026-11-30 08:00", BERLIN))
    world.tick(local("2026-11-30 10:00", BERLIN))

    assert world.reminders_to("ULEAD") == []
    assert world.get_program(apollo).flags == {}
    assert world.fake.messages("CPMO") == []


def test_overdue_flag_at_due_plus_grace_in_working_time_alerts_pmo_and_owner_once(
    world: World, apollo: int
) -> None:
    world.tick(FRIDAY_10)
    for when in ("2026-11-28 10:00", "2026-11-29 12:00", "2026-11-30 09:59"):
        world.tick(local(when, BERLIN))  # the weekend does not count towards the grace
    assert "OVERDUE_UPDATE" not in world.get_program(apollo).flags
    assert world.fake.messages("CPMO") == []

    monday_10 = local("2026-11-30 10:00", BERLIN)
    world.tick(monday_10)
    program = world.get_program(apollo)
    assert program.flags["OVERDUE_UPDATE"] == "no status update since it was due Fri 27 Nov 2026"
    assert "STALE" not in program.flags
    assert world.transitions(apollo) == [("OVERDUE_UPDATE", True, monday_10)]
    [summary] = world.posts("CPMO")
    assert "1 program newly overdue: *Apollo*" in summary
    [alert] = world.replies("CPMO")
    assert "Apollo* has an overdue status update" in alert
    [owner_alert] = [m for m in world.outbox("ULEAD") if m.dedupe_key.startswith("flag:")]
    assert owner_alert.not_before == monday_10
    assert [p.state for p in world.prompt_rows(apollo)] == ["expired"]

    world.tick(local("2026-11-30 10:01", BERLIN))
    world.tick(local("2026-11-30 12:00", BERLIN))
    assert len(world.posts("CPMO")) == 1 and len(world.replies("CPMO")) == 1
    assert len([t for t in world.texts("ULEAD") if "overdue status update" in t]) == 1


def test_a_slot_on_a_public_holiday_is_asked_and_counted_from_the_next_working_day(
    world: World, apollo: int
) -> None:
    world.set_workspace(holidays="DE")
    christmas = local("2026-12-25 10:00", BERLIN)  # a Friday, and a holiday in Germany
    world.set_program(apollo, next_due_at=christmas)
    world.tick(christmas)
    [prompt] = world.outbox("ULEAD")
    assert prompt.not_before == local("2026-12-28 08:00", BERLIN)  # Mon, after Boxing Day
    jobs = {job.kind: job for job in world.jobs(apollo) if job.slot_at == christmas}
    # Half the grace ends at 20:00, as Lee's hours close; the next window is Tuesday 08:00,
    # the overdue time itself: the reminder goes in the last hour of Monday's.
    assert jobs["reminder"].due_at == local("2026-12-28 19:00", BERLIN)
    assert jobs["overdue"].due_at == local("2026-12-29 08:00", BERLIN)

    for when in ("2026-12-26 10:00", "2026-12-27 10:00", "2026-12-28 07:59"):
        world.tick(local(when, BERLIN))
    assert world.prompts_to("ULEAD") == []
    world.tick(local("2026-12-28 08:00", BERLIN))
    assert len(world.prompts_to("ULEAD")) == 1
    world.tick(local("2026-12-29 07:59", BERLIN))
    assert "OVERDUE_UPDATE" not in world.get_program(apollo).flags
    world.tick(local("2026-12-29 08:00", BERLIN))
    assert "OVERDUE_UPDATE" in world.get_program(apollo).flags


def test_second_missed_period_goes_stale_and_escalates_to_sponsor_then_recovers_once(
    world: World, apollo: int
) -> None:
    world.set_program(apollo, sponsor_id="UADMIN")
    for when in ("2026-11-27 10:00", "2026-11-30 10:00", "2026-12-04 10:00", "2026-12-05 10:00"):
        world.tick(local(when, BERLIN))
    assert set(world.get_program(apollo).flags) == {"OVERDUE_UPDATE"}

    world.tick(local("2026-12-07 10:00", BERLIN))  # the second period's grace ends Monday
    program = world.get_program(apollo)
    assert program.flags["STALE"] == "no update for two cadence periods"
    assert "OVERDUE_UPDATE" in program.flags
    assert [(f, r) for f, r, _ in world.transitions(apollo)] == [
        ("OVERDUE_UPDATE", True),
        ("STALE", True),
    ]
    assert len([t for t in world.texts("CPMO") if "has gone stale" in t]) == 1
    [sponsor_dm] = world.texts("UADMIN")  # 09:00 in London: in the sponsor's hours
    assert "Apollo* has gone stale" in sponsor_dm

    world.submit(apollo, author="ULEAD", now=local("2026-12-07 11:00", BERLIN))
    for when in ("2026-12-07 11:01", "2026-12-07 12:00", "2026-12-08 09:00"):
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

    # Its reminder went with it; the overdue check stays, for the PMO's sake.
    [reminder] = world.jobs(apollo, "reminder")
    assert reminder.state == "skipped" and "with its prompt" in (reminder.note or "")
    world.tick(local("2026-11-30 08:00", BERLIN))
    assert world.fake.calls_to("chat.postMessage") == []

    monday_10 = local("2026-11-30 10:00", BERLIN)
    world.tick(monday_10)
    assert "OVERDUE_UPDATE" in world.get_program(apollo).flags
    assert world.transitions(apollo) == [("OVERDUE_UPDATE", True, monday_10)]
    assert len(world.posts("CPMO")) == 1
    # Lee never received the request: he is not told he is overdue on it.
    world.tick(local("2026-11-30 12:00", BERLIN))
    assert world.fake.dms("ULEAD") == []


def test_a_pass_repeated_at_the_same_now_changes_nothing(world: World, apollo: int) -> None:
    for when in ("2026-11-27 10:00", "2026-11-28 10:00", "2026-11-30 08:00", "2026-11-30 10:00"):
        now = local(when, BERLIN)
        world.tick(now)
        before = world.snapshot()
        again = world.tick(now)
        assert world.snapshot() == before, when
        assert again.sent == 0 and again.actions == []
    assert len(world.prompts_to("ULEAD")) == 1
    assert len(world.reminders_to("ULEAD")) == 1
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
    world.tick(local("2026-11-30 10:00", BERLIN))

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
    report = world.tick(local("2026-11-30 10:00", BERLIN), dry_run=True)
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


def test_a_digest_due_with_hundreds_of_bulk_jobs_runs_in_the_first_pass(world: World) -> None:
    # 600 reminder and overdue jobs queued before 09:00 (a batch is 500), then the 09:00
    # digest: it must not wait for the bulk work to drain over several passes.
    world.workspace(now=START)
    nine = local("2026-11-30 09:00", BERLIN)
    with world.sessions.begin() as session:
        session.add_all(
            ScheduledJob(
                team_id=TEAM,
                kind="reminder" if n % 2 else "overdue",
                target_id=10_000 + n,  # programs that are gone: each is skipped when run
                period=f"2026-11-30T08:{n % 60:02d}#{n}",
                slot_at=nine - timedelta(hours=1),
                due_at=nine - timedelta(minutes=30, seconds=n),
                state="pending",
            )
            for n in range(600)
        )
        session.add(
            ScheduledJob(
                team_id=TEAM,
                kind="digest",
                target_id=99,
                period="2026-11-30T09:00",
                slot_at=nine,
                due_at=nine,
                state="pending",
            )
        )
    world.tick(nine + timedelta(minutes=1))
    [digest] = world.jobs(99, "digest")
    assert digest.state != "pending"
    with world.sessions() as session:
        waiting = session.scalar(
            select(func.count()).select_from(ScheduledJob).where(ScheduledJob.state == "pending")
        )
    assert waiting == 101  # the bulk work goes on next pass: 499 of it ran with the digest


def test_a_job_that_fails_leaves_only_itself_pending(
    world: World, apollo: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bulk jobs share a transaction; one that raises undoes its chunk, which then runs one job
    # at a time: the others are done, the failing one stays pending for the next pass.
    others = [
        world.program(f"P{n}", owner="ULEAD", cadence="weekly fri 10:00", tz=BERLIN, now=START)
        for n in range(3)
    ]
    from bot.status import prompts

    real = prompts.run_job

    def flaky(session: Any, *, job: Any, now: Any, workspace: Any) -> str:
        if job.target_id == others[1]:
            raise RuntimeError("this one is broken")
        return real(session, job=job, now=now, workspace=workspace)

    monkeypatch.setitem(registry.RUNNERS, "prompt", flaky)
    world.tick(FRIDAY_10)
    states = {program: world.jobs(program, "prompt")[0].state for program in [apollo, *others]}
    assert states == {apollo: "done", others[0]: "done", others[1]: "pending", others[2]: "done"}
    assert len(world.prompts_to("ULEAD")) == 3
