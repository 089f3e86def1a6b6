"""The one slot materialiser: due slots become jobs keyed by their local wall time, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import scheduling
from schedules import registry, slots
from schedules.slots import MAX_SLOTS_PER_ITEM, SlotSource, materialize_slots, slot_period
from storage.models import Program
from tests.schedules.conftest import BERLIN, TOKYO, World, utc

PROGRAMS = next(source for source in registry.SOURCES if source.name == "program")


def materialize(world: World, source: SlotSource[Program], program_id: int, now: datetime) -> int:
    """One materialiser call in its own transaction, as a dispatch pass makes it."""
    with world.sessions.begin() as session:
        return materialize_slots(session, source=source, item_id=program_id, now=now)


def test_a_slot_is_keyed_by_its_local_wall_time_and_jobs_follow_the_grace(world: World) -> None:
    world.workspace(now=utc("2026-11-23 12:00"), grace_hours=24)
    program = world.program(
        "Apollo", owner="ULEAD", cadence="weekly fri 10:00", tz=TOKYO, now=utc("2026-11-23 12:00")
    )

    created = materialize(world, PROGRAMS, program, utc("2026-11-27 01:00"))

    jobs = world.jobs(program)
    assert created == 3
    assert {job.period for job in jobs} == {"2026-11-27T10:00"}  # Tokyo time, not UTC
    assert [(job.kind, job.due_at) for job in jobs] == [
        ("prompt", utc("2026-11-27 01:00")),
        # Half of 24 working hours is Friday 22:00 in Tokyo: the reminder waits for Monday
        # 08:00 there, and the weekend does not count towards the grace.
        ("reminder", utc("2026-11-29 23:00")),
        ("overdue", utc("2026-11-30 01:00")),
    ]
    assert world.get_program(program).next_due_at == utc("2026-12-04 01:00")


def test_a_second_materialiser_reaching_the_same_slot_creates_nothing(world: World) -> None:
    world.workspace(now=utc("2026-11-23 12:00"))
    program = world.program(
        "Apollo", owner="ULEAD", cadence="weekly fri 10:00", tz=BERLIN, now=utc("2026-11-23 12:00")
    )
    materialize(world, PROGRAMS, program, utc("2026-11-27 09:00"))
    world.set_program(program, next_due_at=utc("2026-11-27 09:00"))  # as a replica saw it

    assert materialize(world, PROGRAMS, program, utc("2026-11-27 09:00")) == 0
    assert len(world.jobs(program)) == 3


def test_catching_up_after_a_long_outage_is_bounded_per_pass(world: World) -> None:
    world.workspace(now=utc("2024-01-01 12:00"))
    program = world.program(
        "Apollo", owner="ULEAD", cadence="daily 09:00", tz=BERLIN, now=utc("2024-01-01 12:00")
    )
    now = utc("2026-11-27 12:00")

    created = materialize(world, PROGRAMS, program, now)

    next_due = world.get_program(program).next_due_at
    assert created == MAX_SLOTS_PER_ITEM * 3  # prompt, reminder, overdue
    assert next_due is not None and next_due < now  # the rest is due on the next pass


def test_a_row_whose_schedule_has_stopped_makes_no_jobs(world: World) -> None:
    world.workspace(now=utc("2026-11-23 12:00"))
    program = world.program(
        "Apollo", owner="ULEAD", cadence="weekly fri 10:00", tz=BERLIN, now=utc("2026-11-23 12:00")
    )
    stopped = SlotSource(
        name="stopped",
        model=Program,
        live=Program.state == "active",
        schedule=lambda session, row: None,
        jobs=scheduling.slot_jobs,
        label=lambda row: row.key,
    )

    assert materialize(world, stopped, program, utc("2026-11-28 12:00")) == 0
    assert world.jobs(program) == []
    assert world.get_program(program).next_due_at == utc("2026-11-27 09:00")


def test_both_occurrences_of_a_repeated_local_time_share_one_period() -> None:
    summer = slot_period(utc("2026-10-25 00:30"), BERLIN)  # 02:30 CEST
    winter = slot_period(utc("2026-10-25 01:30"), BERLIN)  # 02:30 CET, the fall-back repeat
    assert summer == winter == "2026-10-25T02:30"


def test_due_ids_lists_live_rows_oldest_first(world: World) -> None:
    world.workspace(now=utc("2026-11-23 12:00"))
    later = world.program(
        "Later", owner="ULEAD", cadence="weekly fri 10:00", tz=BERLIN, now=utc("2026-11-23 12:00")
    )
    earlier = world.program(
        "Earlier", owner="ULEAD", cadence="weekly thu 10:00", tz=BERLIN, now=utc("2026-11-23 12:00")
    )
    paused = world.program(
        "Paused", owner="ULEAD", cadence="weekly wed 10:00", tz=BERLIN, now=utc("2026-11-23 12:00")
    )
    world.set_program(paused, state="paused")
    now = utc("2026-11-27 09:00") + timedelta(minutes=1)

    with world.sessions() as session:
        due = slots.due_ids(session, source=PROGRAMS, now=now, limit=10)
    assert due == [earlier, later]
