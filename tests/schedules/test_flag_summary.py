"""The pass summary: what a scheduler pass's flag changes post to the PMO channel, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.status import flag_alerts, program_flags
from storage.models import FlagTransition, Program, Workspace
from tests.conftest import START
from tests.schedules.conftest import BERLIN, TEAM, World


def store_in_pass(world: World, program_id: int, found: dict[str, str], now: datetime) -> None:
    """Store flags as a scheduler item does: its changes wait for the pass's summary."""
    with world.sessions.begin() as session:
        flag_alerts.defer_to_pass(session)
        program = session.get(Program, program_id)
        space = session.get(Workspace, TEAM)
        assert program is not None and space is not None
        program_flags.store(
            session, program=program, found=found, recheck_at=None, now=now, workspace=space
        )


def announce(world: World, now: datetime) -> int:
    with world.sessions.begin() as session:
        return flag_alerts.announce_pass(session, team_id=TEAM, now=now)


def test_a_flag_raised_and_cleared_within_one_pass_posts_nothing_and_leaves_nothing(
    world: World,
) -> None:
    world.workspace(now=START)
    world.person("ULEAD", BERLIN, now=START)
    apollo = world.program("Apollo", owner="ULEAD", cadence="weekly", tz=BERLIN, now=START)
    store_in_pass(world, apollo, {"RED": "reported red"}, START)
    store_in_pass(world, apollo, {}, START)
    assert announce(world, START) == 0
    assert [m.channel for m in world.outbox()] == ["ULEAD", "ULEAD"]  # the owner's two DMs
    with world.sessions() as session:
        rows = session.scalars(select(FlagTransition)).all()
        assert len(rows) == 2 and all(r.announced_at == START for r in rows)


def test_the_summary_and_its_replies_are_queued_once_whoever_announces(world: World) -> None:
    world.workspace(now=START)
    world.person("ULEAD", BERLIN, now=START)
    apollo = world.program("Apollo", owner="ULEAD", cadence="weekly", tz=BERLIN, now=START)
    store_in_pass(world, apollo, {"STALE": "no update for two cadence periods"}, START)
    assert announce(world, START) == 1
    assert announce(world, START) == 0
    pmo = world.outbox("CPMO")
    assert [m.dedupe_key for m in pmo] == ["flags:1-1", f"flags:1-1:{apollo}"]
    assert pmo[1].payload["thread_of"] == "flags:1-1"


def test_without_a_pmo_channel_the_changes_are_marked_and_nothing_is_posted(
    world: World,
) -> None:
    world.workspace(now=START, pmo_channel=None)
    world.person("ULEAD", BERLIN, now=START)
    apollo = world.program("Apollo", owner="ULEAD", cadence="weekly", tz=BERLIN, now=START)
    store_in_pass(world, apollo, {"RED": "reported red"}, START)
    assert announce(world, START) == 0
    with world.sessions() as session:
        assert flag_alerts.teams_waiting(session) == []


def test_a_change_outside_a_pass_is_announced_at_once_and_leaves_nothing_waiting(
    world: World,
) -> None:
    world.workspace(now=START)
    world.person("ULEAD", BERLIN, now=START)
    apollo = world.program("Apollo", owner="ULEAD", cadence="weekly", tz=BERLIN, now=START)
    world.submit(apollo, author="UADMIN", now=START, rag="red")
    with world.sessions() as session:
        assert flag_alerts.teams_waiting(session) == []
    [alert] = world.outbox("CPMO")
    assert alert.dedupe_key.startswith("flag:") and "after <@UADMIN>" in str(alert.payload)
