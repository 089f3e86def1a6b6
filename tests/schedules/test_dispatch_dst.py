"""Daylight-saving changes: a skipped local time runs once at the gap's end, a repeated one once.

Night-time cadences are checked on the `scheduled_job` and `prompt` rows each period creates
(their DMs wait for the recipient's 08:00 window); daytime cadences on the DMs themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.schedules.conftest import BERLIN, NEW_YORK, World, utc


def sweep(world: World, start: datetime, end: datetime, step: timedelta) -> None:
    """A pass every `step` from `start` to `end`, as the in-process scheduler would run them."""
    now = start
    while now <= end:
        world.tick(now)
        now += step


def prompt_slots(world: World, program_id: int) -> list[tuple[str, datetime, datetime | None]]:
    """(period, slot in UTC, when it ran) of each prompt job."""
    return [(j.period, j.slot_at, j.done_at) for j in world.jobs(program_id, "prompt")]


@pytest.fixture
def night_owl(world: World) -> World:
    world.workspace(now=utc("2026-01-05 12:00"))
    world.person("ULEAD", BERLIN, now=utc("2026-01-05 12:00"))
    world.person("UOTHER", NEW_YORK, now=utc("2026-01-05 12:00"))
    return world


@pytest.mark.parametrize(
    ("tz", "owner", "cadence", "created", "expected"),
    [
        pytest.param(
            BERLIN,
            "ULEAD",
            "30 2 * * *",
            "2026-03-27 12:00",
            [
                ("2026-03-28T02:30", "2026-03-28 01:30"),
                ("2026-03-29T03:00", "2026-03-29 01:00"),  # 02:30 does not exist: 03:00 CEST
                ("2026-03-30T02:30", "2026-03-30 00:30"),
            ],
            id="berlin-spring-forward",
        ),
        pytest.param(
            BERLIN,
            "ULEAD",
            "30 2 * * *",
            "2026-10-23 12:00",
            [
                ("2026-10-24T02:30", "2026-10-24 00:30"),
                ("2026-10-25T02:30", "2026-10-25 00:30"),  # 02:30 CEST; 02:30 CET is skipped
                ("2026-10-26T02:30", "2026-10-26 01:30"),
            ],
            id="berlin-fall-back",
        ),
        pytest.param(
            NEW_YORK,
            "UOTHER",
            "30 2 * * *",
            "2026-03-06 12:00",
            [
                ("2026-03-07T02:30", "2026-03-07 07:30"),
                ("2026-03-08T03:00", "2026-03-08 07:00"),  # 02:30 does not exist: 03:00 EDT
                ("2026-03-09T02:30", "2026-03-09 06:30"),
            ],
            id="new-york-spring-forward",
        ),
        pytest.param(
            NEW_YORK,
            "UOTHER",
            "30 1 * * *",
            "2026-10-30 12:00",
            [
                ("2026-10-31T01:30", "2026-10-31 05:30"),
                ("2026-11-01T01:30", "2026-11-01 05:30"),  # 01:30 EDT; 01:30 EST is skipped
                ("2026-11-02T01:30", "2026-11-02 06:30"),
            ],
            id="new-york-fall-back",
        ),
    ],
)
def test_night_slot_across_a_dst_change_is_claimed_once_per_local_day(
    night_owl: World,
    tz: str,
    owner: str,
    cadence: str,
    created: str,
    expected: list[tuple[str, str]],
) -> None:
    world = night_owl
    program = world.program("Night", owner=owner, cadence=cadence, tz=tz, now=utc(created))
    first = utc(expected[0][1])
    sweep(world, first - timedelta(hours=2), utc(expected[-1][1]), timedelta(minutes=30))

    assert prompt_slots(world, program) == [
        (period, utc(slot), utc(slot)) for period, slot in expected
    ]
    assert [(p.period, p.user_id) for p in world.prompt_rows(program)] == [
        (period, owner) for period, _ in expected
    ]
    kinds = [j.kind for j in world.jobs(program)]
    assert kinds.count("reminder") == kinds.count("overdue") == len(expected)
    assert world.fake.dms(owner) == []  # night: DMs wait for 08:00 on a weekday


def test_repeated_hour_seen_twice_still_claims_the_slot_once(night_owl: World) -> None:
    """Even a dispatcher that reaches 02:30 CET after 02:30 CEST makes no second prompt."""
    world = night_owl
    program = world.program(
        "Night", owner="ULEAD", cadence="30 2 * * *", tz=BERLIN, now=utc("2026-10-24 12:00")
    )
    world.tick(utc("2026-10-25 00:30"))  # 02:30 CEST
    world.set_program(program, next_due_at=utc("2026-10-25 01:30"))  # 02:30 CET, same wall time
    world.tick(utc("2026-10-25 01:30"))

    assert [j.period for j in world.jobs(program, "prompt")] == ["2026-10-25T02:30"]
    assert len(world.prompt_rows(program)) == 1
    assert len(world.outbox("ULEAD")) == 1
    assert world.get_program(program).next_due_at == utc("2026-10-26 01:30")


@pytest.mark.parametrize(
    ("tz", "owner", "cadence", "created", "slots"),
    [
        pytest.param(
            NEW_YORK,
            "UOTHER",
            "weekly mon 09:00",
            "2026-10-21 12:00",
            ["2026-10-26 13:00", "2026-11-02 14:00"],  # 09:00 EDT, then 09:00 EST
            id="new-york-fall",
        ),
        pytest.param(
            NEW_YORK,
            "UOTHER",
            "weekly mon 09:00",
            "2026-02-25 12:00",
            ["2026-03-02 14:00", "2026-03-09 13:00"],  # 09:00 EST, then 09:00 EDT
            id="new-york-spring",
        ),
        pytest.param(
            BERLIN,
            "ULEAD",
            "weekly fri 10:00",
            "2026-10-21 12:00",
            ["2026-10-23 08:00", "2026-10-30 09:00"],  # 10:00 CEST, then 10:00 CET
            id="berlin-fall",
        ),
        pytest.param(
            BERLIN,
            "ULEAD",
            "weekly fri 10:00",
            "2026-03-25 12:00",
            ["2026-03-27 09:00", "2026-04-03 08:00"],  # 10:00 CET, then 10:00 CEST
            id="berlin-spring",
        ),
    ],
)
def test_daytime_prompt_keeps_its_local_time_across_a_dst_change(
    night_owl: World, tz: str, owner: str, cadence: str, created: str, slots: list[str]
) -> None:
    world = night_owl
    program = world.program("Day", owner=owner, cadence=cadence, tz=tz, now=utc(created))
    for number, slot in enumerate(slots, start=1):
        world.tick(utc(slot) - timedelta(hours=1))  # the other UTC offset's 09:00/10:00
        world.tick(utc(slot) - timedelta(minutes=1))
        assert len(world.prompts_to(owner)) == number - 1, slot
        world.tick(utc(slot))
        assert len(world.prompts_to(owner)) == number, slot
        world.tick(utc(slot) + timedelta(hours=1))
        assert len(world.prompts_to(owner)) == number, slot
    assert [(j.slot_at, j.done_at) for j in world.jobs(program, "prompt")] == [
        (utc(s), utc(s)) for s in slots
    ]
    assert [local_time(j.slot_at, tz) for j in world.jobs(program, "prompt")] == [
        cadence[-5:]
    ] * len(slots)


def local_time(instant: datetime, tz: str) -> str:
    """HH:MM on the wall clock of `tz`."""
    return f"{instant.astimezone(ZoneInfo(tz)):%H:%M}"
